// Helpers for tests: build tensors from literals, compare tensors with tolerances, attributes.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "brisk/status.h"
#include "brisk/tensor.h"
#include "ir/attribute.h"
#include "ir/graph.h"
#include "kernels/op_runner.h"

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

// Float16 tensors from float literals (each rounded to the nearest half).
Tensor MakeFloat16Tensor(Shape shape, std::vector<float> values);

// Runs `spec` on `inputs` and compares every output with `expected` (same count, dtypes and
// shapes; floats within rtol/atol).
void ExpectOpOutputs(const OpSpec& spec, const std::vector<std::optional<Tensor>>& inputs,
                     const std::vector<Tensor>& expected, double rtol = 1e-6, double atol = 1e-7);

// Runs only `op`'s inference function (InferOp) on declared types; returns "dtype shape" of
// output `out` ("float32 [N, 8, 4, 4]") or the error's text.
std::string InferOutputString(const std::string& op, int opset, const ir::AttributeMap& attrs,
                              std::vector<ir::TypeInfo> types, int num_outputs = 1, int out = 0);

// Runs one op (default domain) and returns its only output.
StatusOr<Tensor> RunSingle(const std::string& op, std::vector<std::optional<Tensor>> inputs,
                           int opset = 21, ir::AttributeMap attrs = {});

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

// ASSERT_OK_AND_ASSIGN(auto types, InferOp(...)): asserts the StatusOr `expr` is ok (printing
// its error otherwise) and declares `lhs` from its value.
#define BRISK_TESTING_CONCAT_INNER_(a, b) a##b
#define BRISK_TESTING_CONCAT_(a, b) BRISK_TESTING_CONCAT_INNER_(a, b)
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(BRISK_TESTING_CONCAT_(brisk_status_or_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr)   \
  auto tmp = (expr);                                 \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString(); \
  lhs = *std::move(tmp)

// Asserts `result` failed and its message contains every one of `parts` (what is wrong and
// where: the input, attribute or index named).
template <typename T>
void ExpectErrorContains(const StatusOr<T>& result, const std::vector<std::string>& parts) {
  ASSERT_FALSE(result.ok()) << "expected an error";
  for (const std::string& p : parts) {
    EXPECT_NE(result.status().message().find(p), std::string::npos)
        << "'" << p << "' not in: " << result.status().ToString();
  }
}

// Asserts `status` is an error whose message contains every one of `parts`.
inline void ExpectErrorContains(const Status& status, const std::vector<std::string>& parts) {
  ASSERT_FALSE(status.ok()) << "expected an error";
  for (const std::string& p : parts) {
    EXPECT_NE(status.message().find(p), std::string::npos)
        << "'" << p << "' not in: " << status.ToString();
  }
}

// One expected part, as a literal: ExpectErrorContains(r, "input 1 'B'").
template <typename T>
void ExpectErrorContains(const StatusOr<T>& result, const char* part) {
  ExpectErrorContains(result, std::vector<std::string>{part});
}

// As above, and the error's code is `code`.
template <typename T>
void ExpectErrorContains(const StatusOr<T>& result, StatusCode code,
                         const std::vector<std::string>& parts) {
  ASSERT_FALSE(result.ok()) << "expected an error";
  EXPECT_EQ(result.status().code(), code) << result.status().ToString();
  ExpectErrorContains(result, parts);
}

// Declared types for InferOp: Type(DType::kFloat32, {Sym("N"), K(3)}).
inline ir::TypeInfo Type(DType dtype, std::vector<Dim> dims) {
  return {dtype, SymbolicShape(std::move(dims))};
}
inline Dim K(int64_t v) { return Dim::Known(v); }
inline Dim Sym(std::string s) { return Dim::Symbol(std::move(s)); }
inline Dim U() { return Dim::Unknown(); }

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
