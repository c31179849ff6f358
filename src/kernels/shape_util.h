// Shape helpers shared by kernels and their inference functions: axis normalisation, numpy
// broadcasting (concrete and symbolic), reading constant int lists.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "brisk/shape.h"
#include "brisk/status.h"
#include "brisk/tensor.h"
#include "kernels/registry.h"

namespace brisk {

// Maps axis in [-rank, rank) to [0, rank); fails naming the attribute otherwise.
StatusOr<int> NormalizeAxis(int64_t axis, int rank, std::string_view what = "axis");

// Numpy multidirectional broadcasting of concrete shapes.
StatusOr<Shape> BroadcastShapes(std::span<const Shape> shapes);
StatusOr<Shape> BroadcastShapes(const Shape& a, const Shape& b);

// The same on symbolic shapes: nullopt if any rank is unknown; a dim is known when it can be
// decided, a symbol when all non-1 candidates agree on it, unknown otherwise. Fails only when
// two known dims differ and neither is 1.
StatusOr<std::optional<SymbolicShape>> BroadcastSymbolic(
    std::span<const std::optional<SymbolicShape>> shapes);

// For iterating an input broadcast to an output shape: strides of `in` laid out over the
// output's rank, 0 where the input is broadcast.
std::vector<int64_t> BroadcastStrides(const Shape& in, const Shape& out);

// Row-major strides of a shape.
std::vector<int64_t> ContiguousStrides(const Shape& s);

// Reads an int32/int64 tensor as int64 values.
StatusOr<std::vector<int64_t>> ReadInts(const Tensor& t, std::string_view what);

// ---- Inference helpers ---------------------------------------------------------------------

// Output 0 gets input 0's dtype and shape.
Status InferSameAsInput0(InferenceContext& ctx);
// Output 0: broadcast of all present inputs' shapes; dtype of input 0.
Status InferBroadcast(InferenceContext& ctx);
// Output 0: broadcast of all present inputs' shapes; dtype bool (comparisons, logic).
Status InferBroadcastBool(InferenceContext& ctx);
// Leaves every output unknown except dtype = input 0's dtype (for data-dependent shapes).
Status InferUnknownShapeSameDtype(InferenceContext& ctx);
// Input i's value as ints when it is a known constant, else nullopt.
std::optional<std::vector<int64_t>> ConstantInts(const InferenceContext& ctx, int i);

}  // namespace brisk
