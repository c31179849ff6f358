// Private helpers of the linalg_norm kernel family (MatMul, Gemm, Einsum, the normalisations,
// Softmax and friends, Dropout): accumulator types, error-message formatting, symbolic dims.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "brisk/dtype.h"
#include "brisk/shape.h"
#include "brisk/status.h"
#include "kernels/dispatch.h"
#include "kernels/registry.h"

namespace brisk::linalg_norm {

// The type sums and products are computed in: float for the half types, the type itself for
// float/double, uint64 for every integer type (wrap-around arithmetic without signed-overflow UB;
// truncating back to the element type gives the modular result).
template <typename T>
struct AccumOf {
  using type = T;
};
template <>
struct AccumOf<Float16> {
  using type = float;
};
template <>
struct AccumOf<BFloat16> {
  using type = float;
};
template <typename T>
  requires std::is_integral_v<T>
struct AccumOf<T> {
  using type = uint64_t;
};
template <typename T>
using Accum = typename AccumOf<T>::type;

template <typename T>
inline Accum<T> ToAccum(T v) {
  if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) {
    return static_cast<float>(v);
  } else {
    return static_cast<Accum<T>>(v);
  }
}

template <typename T>
inline T FromAccum(Accum<T> v) {
  if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) {
    return T(v);
  } else {
    return static_cast<T>(v);
  }
}

// Converts a double to T, saturating for integer types (no UB on out-of-range values, NaN -> 0).
template <typename T>
inline T SaturateFromDouble(double v) {
  if constexpr (std::is_integral_v<T>) {
    if (std::isnan(v)) return T(0);
    if (v <= double(std::numeric_limits<T>::lowest())) return std::numeric_limits<T>::lowest();
    if (v >= double(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
    return static_cast<T>(v);
  } else {
    return FromDouble<T>(v);
  }
}

// "input 1 'B'"
inline std::string InputName(int i, std::string_view name) {
  return "input " + std::to_string(i) + " '" + std::string(name) + "'";
}

inline std::string ShapeStr(const Shape& s) { return s.ToString(); }

// Merges two descriptions of the same dim: a known value wins, then a symbol.
inline Dim MergeDim(const Dim& a, const Dim& b) {
  if (a.is_known()) return a;
  if (b.is_known()) return b;
  if (a.is_symbol()) return a;
  return b;
}

// Whether two dims are certainly different (both known and unequal).
inline bool DimsConflict(const Dim& a, const Dim& b) {
  return a.is_known() && b.is_known() && a.value != b.value;
}

// Dims [begin, end) of a symbolic shape.
inline SymbolicShape SubShape(const SymbolicShape& s, int begin, int end) {
  return SymbolicShape(std::vector<Dim>(s.dims.begin() + begin, s.dims.begin() + end));
}

// Reads a scalar (or one-element) tensor of any float or integer type as double.
inline StatusOr<double> ReadScalarAsDouble(const Tensor& t, std::string_view what) {
  if (t.num_elements() != 1) {
    return InvalidArgument(std::string(what) + ": expected a scalar, got shape " +
                           t.shape().ToString());
  }
  double out = 0;
  if (t.dtype() == DType::kBool) return t.data<bool>()[0] ? 1.0 : 0.0;
  BRISK_RETURN_IF_ERROR(DispatchNumeric(t.dtype(), what, [&]<typename T>() -> Status {
    out = ToDouble(t.data<T>()[0]);
    return Status::Ok();
  }));
  return out;
}

// The product of dims [begin, end) of a symbolic shape when all are known.
inline std::optional<int64_t> KnownProduct(const SymbolicShape& s, int begin, int end) {
  int64_t p = 1;
  for (int i = begin; i < end; ++i) {
    if (!s.dims[size_t(i)].is_known()) return std::nullopt;
    p *= s.dims[size_t(i)].value;
  }
  return p;
}

// Checks that the known dtype of input i equals `expected` (when both are known).
inline Status CheckSameDtype(const InferenceContext& ctx, int i, std::string_view name,
                             DType expected, std::string_view expected_what) {
  const DType d = ctx.input_type(i).dtype;
  if (d == DType::kUndefined || expected == DType::kUndefined || d == expected)
    return Status::Ok();
  return InvalidArgument(InputName(i, name) + ": dtype " + std::string(DTypeName(d)) +
                         " differs from " + std::string(expected_what) + " dtype " +
                         std::string(DTypeName(expected)));
}

// acc[0, N) = sum_k a[k * a_stride] * b[k * N + j]: one output row of a matrix product, i-k-j
// order so the inner loop is a contiguous axpy the compiler vectorises.
template <typename A>
inline void AccumulateRow(const A* a, int64_t a_stride, const A* b, int64_t k_size, int64_t n,
                          A* acc) {
  for (int64_t j = 0; j < n; ++j) acc[j] = A(0);
  for (int64_t k = 0; k < k_size; ++k) {
    const A av = a[k * a_stride];
    const A* __restrict brow = b + k * n;
    A* __restrict out = acc;
    for (int64_t j = 0; j < n; ++j) out[j] += av * brow[j];
  }
}

// Views `n` elements of T as Accum<T>: the data itself when the types agree, else a converted
// copy kept in `storage`.
template <typename T>
inline const Accum<T>* AsAccum(const T* data, int64_t n, std::vector<Accum<T>>& storage) {
  if constexpr (std::is_same_v<T, Accum<T>>) {
    return data;
  } else {
    storage.resize(size_t(n));
    for (int64_t i = 0; i < n; ++i) storage[size_t(i)] = ToAccum(data[i]);
    return storage.data();
  }
}

}  // namespace brisk::linalg_norm
