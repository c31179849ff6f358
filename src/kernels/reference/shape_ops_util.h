// Private helpers of the shape_ops kernel family (Reshape, Transpose, Slice, Pad, Tile, ...):
// an element-size agnostic, string-aware strided copy, and small helpers for reading int inputs
// and building symbolic shapes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "brisk/shape.h"
#include "brisk/status.h"
#include "brisk/tensor.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk::shape_ops {

// Copies every element of an N-d index space `extents`:
//   dst[sum_k i_k * dst_strides[k]] = src[sum_k i_k * src_strides[k]]
// Strides are in elements and may be zero (broadcast) or negative (reversal); `src` and `dst`
// point at the element of index (0, ..., 0). Works on any dtype (bytes are copied by element
// size; strings are assigned). Adjacent dims that are contiguous in both are merged, and a
// contiguous innermost run is copied with memcpy.
void CopyStrided(DType dtype, const void* src, std::span<const int64_t> src_strides, void* dst,
                 std::span<const int64_t> dst_strides, std::span<const int64_t> extents);

// Materialises the strided view of `src` that starts at element `offset` and has the given
// element `strides` and shape `out_shape` into a new contiguous tensor.
StatusOr<Tensor> MaterializeView(const Tensor& src, int64_t offset,
                                 std::span<const int64_t> strides, const Shape& out_shape);
// The same, written to output `out` of `ctx`.
Status ViewToOutput(KernelContext& ctx, int out, const Tensor& src, int64_t offset,
                    std::span<const int64_t> strides, const Shape& out_shape);

// Fills `n` contiguous elements of `dst` with a copy of the element at `value`.
void FillElements(DType dtype, void* dst, int64_t n, const void* value);

// Pointer to element `index` of a tensor's storage (any dtype).
inline const char* ElementPtr(const Tensor& t, int64_t index) {
  return static_cast<const char*>(t.raw_data()) + index * int64_t(DTypeSize(t.dtype()));
}
inline char* ElementPtr(Tensor& t, int64_t index) {
  return static_cast<char*>(t.raw_data()) + index * int64_t(DTypeSize(t.dtype()));
}

// "input 1 'shape'"
std::string InputName(int index, std::string_view name);

// Reads an int32/int64 input of rank 0 or 1 as int64 values; errors name the input.
StatusOr<std::vector<int64_t>> ReadIntList(const Tensor& t, int index, std::string_view name);
// Reads a required input of the kernel (error if absent).
StatusOr<const Tensor*> RequiredInput(const KernelContext& ctx, int index, std::string_view name);

// A shape of `rank` unknown dims.
SymbolicShape UnknownShape(int rank);
// The statically known number of elements of a 1-D input (its length), when known.
std::optional<int64_t> KnownLength(const InferenceContext& ctx, int index);
// Two dims that must be equal: the most informative of the two (known > symbol > unknown);
// fails when both are known and differ. `what` describes them for the message.
StatusOr<Dim> MergeDims(const Dim& a, const Dim& b, std::string_view what);
// Product of dims when all are known.
std::optional<int64_t> KnownProduct(std::span<const Dim> dims);

// Checks that a set of axes (already normalised) has no duplicates.
Status CheckUniqueAxes(std::span<const int> axes, std::string_view what);

}  // namespace brisk::shape_ops
