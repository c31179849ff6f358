// Helpers for tests: build tensors from literals, compare tensors with tolerances, attributes.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "brisk/tensor.h"
#include "ir/attribute.h"

namespace brisk::testing {

template <typename T>
Tensor MakeTensor(Shape shape, std::vector<T> values) {
  Tensor t = *Tensor::Allocate(kDTypeOf<T>, shape);
  EXPECT_EQ(int64_t(values.size()), t.num_elements()) << "literal size vs shape " << shape.ToString();
  for (size_t i = 0; i < values.size() && int64_t(i) < t.num_elements(); ++i)
    t.data<T>()[i] = values[i];
  return t;
}

// Bool tensors (std::vector<bool> is packed, so take ints).
Tensor MakeBoolTensor(Shape shape, std::vector<int> values);

// Seeded uniform random float tensor in [lo, hi).
Tensor RandomFloat(Shape shape, uint64_t seed, float lo = -1.f, float hi = 1.f);

// Compares dtype, shape and values: exact for integers/bool/strings; for floats
// |a - e| <= atol + rtol * |e| (NaNs must match). Returns a message describing the first
// mismatch, or "" when equal.
std::string CompareTensors(const Tensor& actual, const Tensor& expected, double rtol = 1e-5,
                           double atol = 1e-6);

#define EXPECT_TENSOR_NEAR(actual, expected, rtol, atol)                                \
  do {                                                                                  \
    const std::string brisk_diff_ = ::brisk::testing::CompareTensors((actual), (expected), \
                                                                     (rtol), (atol));   \
    EXPECT_TRUE(brisk_diff_.empty()) << brisk_diff_;                                    \
  } while (0)
#define EXPECT_TENSOR_EQ(actual, expected) EXPECT_TENSOR_NEAR(actual, expected, 0, 0)

// Attribute builders: Attrs().Int("axis", 1).Ints("perm", {0, 2, 1}).
class Attrs {
 public:
  Attrs& Int(const std::string& name, int64_t v);
  Attrs& Float(const std::string& name, float v);
  Attrs& String(const std::string& name, std::string v);
  Attrs& Ints(const std::string& name, std::vector<int64_t> v);
  Attrs& Floats(const std::string& name, std::vector<float> v);
  Attrs& Strings(const std::string& name, std::vector<std::string> v);
  Attrs& TensorAttr(const std::string& name, Tensor v);
  operator ir::AttributeMap() const { return map_; }  // NOLINT
  const ir::AttributeMap& map() const { return map_; }

 private:
  ir::AttributeMap map_;
};

}  // namespace brisk::testing
