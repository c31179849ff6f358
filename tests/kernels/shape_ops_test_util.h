// Helpers for the shape_ops kernel tests: run only an op's inference function on symbolic
// input types (with optional constant inputs), and build int64 / string tensors.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "kernels/op_runner.h"
#include "testing/tensor_testing.h"

namespace brisk::testing {

// One input for InferOnly: a type and, optionally, a known value.
struct InferInput {
  ir::TypeInfo type;
  std::optional<Tensor> constant;
  bool present = true;
};

inline InferInput Sym(DType dtype, std::vector<Dim> dims) {
  return InferInput{ir::TypeInfo{dtype, SymbolicShape(std::move(dims))}, std::nullopt};
}
inline InferInput UnknownRank(DType dtype) {
  return InferInput{ir::TypeInfo{dtype, std::nullopt}, std::nullopt};
}
inline InferInput Const(Tensor t) {
  return InferInput{ir::TypeInfo{t.dtype(), SymbolicShape::FromShape(t.shape())}, t};
}
inline InferInput Absent() { return InferInput{{}, std::nullopt, false}; }

// Runs the inference function of (op_type, opset); returns the output types.
inline StatusOr<std::vector<ir::TypeInfo>> InferOnly(const std::string& op_type, int opset,
                                                     const std::vector<InferInput>& inputs,
                                                     ir::AttributeMap attrs = {},
                                                     int num_outputs = 1) {
  std::vector<ir::TypeInfo> types;
  std::vector<std::optional<Tensor>> constants;
  for (const InferInput& in : inputs) {
    types.push_back(in.present ? in.type : ir::TypeInfo{});
    constants.push_back(in.present ? in.constant : std::nullopt);
  }
  return InferOp({.op_type = op_type, .opset = opset, .attrs = std::move(attrs),
                  .num_outputs = num_outputs},
                 std::move(types), std::move(constants));
}

inline Tensor I64(Shape shape, std::vector<int64_t> v) {
  return MakeTensor<int64_t>(std::move(shape), std::move(v));
}
inline Tensor I64s(std::vector<int64_t> v) {
  const int64_t n = int64_t(v.size());
  return MakeTensor<int64_t>(Shape{n}, std::move(v));
}
inline Tensor F32(Shape shape, std::vector<float> v) {
  return MakeTensor<float>(std::move(shape), std::move(v));
}
// 0, 1, 2, ... as float32.
inline Tensor Iota(Shape shape) {
  Tensor t = *Tensor::Allocate(DType::kFloat32, shape);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.data<float>()[i] = float(i);
  return t;
}
inline Tensor Strings(Shape shape, std::vector<std::string> v) {
  return MakeTensor<std::string>(std::move(shape), std::move(v));
}

inline Dim S(const std::string& s) { return Dim::Symbol(s); }

// Whether a status message contains `part`.
inline ::testing::AssertionResult ErrorContains(const Status& s, const std::string& part) {
  if (s.ok()) return ::testing::AssertionFailure() << "expected an error containing '" << part
                                                   << "', got OK";
  if (s.message().find(part) == std::string::npos) {
    return ::testing::AssertionFailure() << "error '" << s.message() << "' lacks '" << part
                                         << "'";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace brisk::testing
