// Private helpers of the indexing family (Gather*, Scatter*, OneHot, NonZero, Compress, Unique,
// TopK, ArgMax/ArgMin, CumSum, GridSample): index reading and checking, shape helpers, and a
// dispatch on element size for ops that only move elements around.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "brisk/status.h"
#include "brisk/tensor.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk::indexing {

// Calls fn.template operator()<T>() with T an unsigned type of the dtype's size (bool and all
// numeric types) or std::string: enough for ops that only copy elements.
template <typename F>
Status DispatchBySize(DType d, std::string_view what, F&& fn) {
  if (d == DType::kString) return fn.template operator()<std::string>();
  switch (DTypeSize(d)) {
    case 1: return fn.template operator()<uint8_t>();
    case 2: return fn.template operator()<uint16_t>();
    case 4: return fn.template operator()<uint32_t>();
    case 8: return fn.template operator()<uint64_t>();
    default:
      return InvalidArgument(std::string(what) + ": dtype " + std::string(DTypeName(d)) +
                             " is not supported");
  }
}

// Like NormalizeAxis, but a rank-0 tensor has no axis at all (NormalizeAxis accepts axis 0 there).
inline StatusOr<int> NormalizeAxisOfTensor(int64_t axis, int rank, std::string_view what) {
  if (rank == 0) {
    return InvalidArgument(std::string(what) + " " + std::to_string(axis) +
                           " is out of range for rank 0");
  }
  return NormalizeAxis(axis, rank, what);
}

// Message for an index outside [-size, size).
inline Status IndexOutOfRange(std::string_view what, int64_t index, int axis, int64_t size) {
  return OutOfRange(std::string(what) + ": index " + std::to_string(index) +
                    " is out of range for axis " + std::to_string(axis) + " of size " +
                    std::to_string(size));
}

// Maps index in [-size, size) to [0, size) or fails naming the input.
inline StatusOr<int64_t> NormalizeIndex(int64_t index, int64_t size, int axis,
                                        std::string_view what) {
  if (index < -size || index >= size) return IndexOutOfRange(what, index, axis, size);
  return index < 0 ? index + size : index;
}

// Fails unless `t` is int32 or int64, naming the input.
inline Status CheckIndexDType(const Tensor& t, std::string_view what) {
  if (t.dtype() != DType::kInt32 && t.dtype() != DType::kInt64) {
    return InvalidArgument(std::string(what) + " must be int32 or int64, got " +
                           std::string(DTypeName(t.dtype())));
  }
  return Status::Ok();
}

inline Status CheckIndexDType(DType d, std::string_view what) {
  if (d != DType::kUndefined && d != DType::kInt32 && d != DType::kInt64) {
    return InvalidArgument(std::string(what) + " must be int32 or int64, got " +
                           std::string(DTypeName(d)));
  }
  return Status::Ok();
}

// Element i of an int32/int64 tensor (dtype already checked).
inline int64_t IndexAt(const Tensor& t, int64_t i) {
  return t.dtype() == DType::kInt64 ? t.data<int64_t>()[i] : int64_t(t.data<int32_t>()[i]);
}

// Required input i, or an error naming it.
inline StatusOr<const Tensor*> RequiredInput(const KernelContext& ctx, int i,
                                             std::string_view name) {
  const Tensor* t = ctx.input(i);
  if (t == nullptr) {
    return InvalidArgument("input " + std::to_string(i) + " '" + std::string(name) +
                           "' is required");
  }
  return t;
}

// Symbolic shape helpers.
inline std::optional<SymbolicShape> UnknownDims(int rank) {
  return SymbolicShape(std::vector<Dim>(size_t(rank), Dim::Unknown()));
}

inline std::string DimList(const Shape& s) { return s.ToString(); }

// Iterates over all multi-indices of `shape` in row-major order (with the flat offset), calling
// fn(const std::vector<int64_t>& idx, int64_t flat).
template <typename F>
void ForEachIndex(const Shape& shape, F&& fn) {
  const int64_t n = shape.NumElements();
  std::vector<int64_t> idx(size_t(shape.rank()), 0);
  for (int64_t flat = 0; flat < n; ++flat) {
    fn(idx, flat);
    for (int d = shape.rank() - 1; d >= 0; --d) {
      if (++idx[size_t(d)] < shape[d]) break;
      idx[size_t(d)] = 0;
    }
  }
}

// Checks that two symbolic dims can be equal; fails naming `what` when both are known and differ.
inline Status CheckDimsCompatible(const Dim& a, const Dim& b, std::string_view what) {
  if (a.is_known() && b.is_known() && a.value != b.value) {
    return InvalidArgument(std::string(what) + ": dimension " + a.ToString() + " vs " +
                           b.ToString());
  }
  return Status::Ok();
}

// The more informative of two dims that must be equal.
inline Dim MergeDims(const Dim& a, const Dim& b) {
  if (a.is_known()) return a;
  if (b.is_known()) return b;
  if (a.is_symbol()) return a;
  return b;
}

}  // namespace brisk::indexing
