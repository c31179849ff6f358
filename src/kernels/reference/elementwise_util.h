// Shared machinery for the elementwise family: a broadcasting N-ary iteration engine (output
// walked row by row with per-input broadcast strides, adjacent dims coalesced, fast paths when
// every input has the output's element count or is a scalar), unary/binary/ternary maps built
// on it, and small helpers for inputs, dtypes and wrap-around integer arithmetic.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "brisk/dtype.h"
#include "brisk/shape.h"
#include "brisk/status.h"
#include "brisk/tensor.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk::elementwise {

// ---- Type traits ---------------------------------------------------------------------------

template <typename T>
inline constexpr bool kIsHalf = std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>;
template <typename T>
inline constexpr bool kIsFloat = kIsHalf<T> || std::is_floating_point_v<T>;
template <typename T>
inline constexpr bool kIsInt = std::is_integral_v<T> && !std::is_same_v<T, bool>;

// The type math functions run in for T: double for double, float for the other float types.
template <typename T>
using MathT = std::conditional_t<std::is_same_v<T, double>, double, float>;

template <typename T>
inline MathT<T> ToMath(T v) {
  return static_cast<MathT<T>>(v);
}
template <typename T>
inline T FromMath(MathT<T> v) {
  return T(v);
}

// Integer arithmetic that wraps instead of overflowing (signed overflow is UB in C++).
template <typename T>
inline T WrapAdd(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return T(U(U(a) + U(b)));
}
template <typename T>
inline T WrapSub(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return T(U(U(a) - U(b)));
}
template <typename T>
inline T WrapMul(T a, T b) {
  using U = std::make_unsigned_t<T>;
  // Promote small types to unsigned int so the product of two uint16 cannot overflow int.
  using P = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, U>;
  return T(U(P(U(a)) * P(U(b))));
}
template <typename T>
inline T WrapNeg(T a) {
  using U = std::make_unsigned_t<T>;
  return T(U(U(0) - U(a)));
}

// Converts a floating value to integer type I without undefined behaviour: in range it
// truncates toward zero; NaN gives 0; out of range it goes through int64 (saturating) and then
// wraps, as x86 conversions of small types do.
template <typename I>
inline I SafeFloatToInt(double v) {
  if (std::isnan(v)) return I(0);
  constexpr double kLo = double(std::numeric_limits<I>::min());
  constexpr double kHiExclusive = double(std::numeric_limits<I>::max()) + 1.0;  // 2^k exactly
  if (v > kLo - 1.0 && v < kHiExclusive) return static_cast<I>(v);
  if constexpr (std::is_same_v<I, uint64_t>) {
    if (v > 0) return std::numeric_limits<uint64_t>::max();
  }
  int64_t wide;
  if (v >= 9223372036854775808.0) {
    wide = std::numeric_limits<int64_t>::max();
  } else if (v < -9223372036854775808.0) {
    wide = std::numeric_limits<int64_t>::min();
  } else {
    wide = static_cast<int64_t>(v);
  }
  return static_cast<I>(uint64_t(wide));  // modular (well defined in C++20)
}

// Converts any numeric/bool element to any numeric/bool element (C-style semantics, no UB).
template <typename To, typename From>
inline To ConvertElement(From v) {
  if constexpr (std::is_same_v<To, From>) {
    return v;
  } else if constexpr (std::is_same_v<To, bool>) {
    if constexpr (kIsHalf<From>) return float(v) != 0.0f;
    else return v != From(0);
  } else if constexpr (std::is_same_v<From, bool>) {
    if constexpr (kIsHalf<To>) return To(v ? 1.0f : 0.0f);
    else return To(v ? 1 : 0);
  } else if constexpr (kIsFloat<To>) {
    if constexpr (kIsHalf<From>) return To(float(v));
    else if constexpr (kIsHalf<To>) return To(float(v));
    else return static_cast<To>(v);
  } else if constexpr (kIsFloat<From>) {
    return SafeFloatToInt<To>(ToDouble(v));
  } else {
    return static_cast<To>(v);  // integer to integer: modular (well defined in C++20)
  }
}

// ---- Inputs and dtypes ---------------------------------------------------------------------

inline std::string InputLabel(int i, std::string_view name) {
  return "input " + std::to_string(i) + " '" + std::string(name) + "'";
}

// Input i, or an error naming it when it is absent.
inline StatusOr<const Tensor*> RequireInput(const KernelContext& ctx, int i,
                                            std::string_view name) {
  const Tensor* t = ctx.input(i);
  if (t == nullptr || !t->defined()) {
    return InvalidArgument(InputLabel(i, name) + " is required but missing");
  }
  return t;
}

inline Status CheckSameDType(const Tensor& a, int ia, std::string_view name_a, const Tensor& b,
                             int ib, std::string_view name_b) {
  if (a.dtype() == b.dtype()) return Status::Ok();
  return InvalidArgument(InputLabel(ib, name_b) + " has dtype " +
                         std::string(DTypeName(b.dtype())) + " but " + InputLabel(ia, name_a) +
                         " has dtype " +
                         std::string(DTypeName(a.dtype())) + "; they must match");
}

// Output 0's broadcast shape for the given inputs (error naming the op's inputs otherwise).
StatusOr<Shape> BroadcastOf(std::span<const Tensor* const> ins);

// ---- Broadcast engine ----------------------------------------------------------------------

// Output dims after dropping 1s and merging dims that every input walks contiguously (or
// broadcasts entirely), with each input's element stride per dim (0 = broadcast).
template <size_t N>
struct BroadcastPlan {
  std::vector<int64_t> dims;
  std::array<std::vector<int64_t>, N> strides;
};

template <size_t N>
BroadcastPlan<N> MakeBroadcastPlan(const Shape& out, const std::array<const Shape*, N>& in) {
  std::array<std::vector<int64_t>, N> s;
  for (size_t k = 0; k < N; ++k) s[k] = BroadcastStrides(*in[k], out);
  BroadcastPlan<N> p;
  for (int d = 0; d < out.rank(); ++d) {
    const int64_t n = out[d];
    if (n == 1) continue;
    if (!p.dims.empty()) {
      bool merge = true;
      for (size_t k = 0; k < N; ++k) {
        if (p.strides[k].back() != s[k][size_t(d)] * n) merge = false;
      }
      if (merge) {
        p.dims.back() *= n;
        for (size_t k = 0; k < N; ++k) p.strides[k].back() = s[k][size_t(d)];
        continue;
      }
    }
    p.dims.push_back(n);
    for (size_t k = 0; k < N; ++k) p.strides[k].push_back(s[k][size_t(d)]);
  }
  if (p.dims.empty()) {
    p.dims.push_back(1);
    for (size_t k = 0; k < N; ++k) p.strides[k].push_back(0);
  }
  return p;
}

// Calls row(out_offset, length, in_offsets, in_inner_strides) for each innermost row of a
// non-empty output.
template <size_t N, typename F>
void ForEachRow(const BroadcastPlan<N>& p, F&& row) {
  const int r = int(p.dims.size());
  const int64_t len = p.dims[size_t(r - 1)];
  std::array<int64_t, N> inner{};
  for (size_t k = 0; k < N; ++k) inner[k] = p.strides[k][size_t(r - 1)];
  int64_t rows = 1;
  for (int d = 0; d < r - 1; ++d) rows *= p.dims[size_t(d)];
  std::vector<int64_t> idx(size_t(r), 0);
  std::array<int64_t, N> off{};
  for (int64_t row_i = 0; row_i < rows; ++row_i) {
    row(row_i * len, len, off, inner);
    for (int d = r - 2; d >= 0; --d) {
      const size_t du = size_t(d);
      if (++idx[du] < p.dims[du]) {
        for (size_t k = 0; k < N; ++k) off[k] += p.strides[k][du];
        break;
      }
      for (size_t k = 0; k < N; ++k) off[k] -= p.strides[k][du] * (p.dims[du] - 1);
      idx[du] = 0;
    }
  }
}

// out[i] = f(x[i]); `out` has x's element count.
template <typename TI, typename TO, typename F>
void UnaryMap(const Tensor& x, Tensor& out, F&& f) {
  const TI* px = x.data<TI>();
  TO* po = out.data<TO>();
  const int64_t n = out.num_elements();
  for (int64_t i = 0; i < n; ++i) po[i] = f(px[i]);
}

// out = f(a, b) with numpy broadcasting; `out` already has the broadcast shape. `out` may alias
// an input whose shape is the output's.
template <typename TA, typename TB, typename TO, typename F>
void BinaryMap(const Tensor& a, const Tensor& b, Tensor& out, F&& f) {
  const TA* pa = a.data<TA>();
  const TB* pb = b.data<TB>();
  TO* po = out.data<TO>();
  const int64_t n = out.num_elements();
  if (n == 0) return;
  const int64_t na = a.num_elements();
  const int64_t nb = b.num_elements();
  if (na == n && nb == n) {
    for (int64_t i = 0; i < n; ++i) po[i] = f(pa[i], pb[i]);
  } else if (na == n && nb == 1) {
    const TB vb = pb[0];
    for (int64_t i = 0; i < n; ++i) po[i] = f(pa[i], vb);
  } else if (na == 1 && nb == n) {
    const TA va = pa[0];
    for (int64_t i = 0; i < n; ++i) po[i] = f(va, pb[i]);
  } else {
    const auto plan = MakeBroadcastPlan<2>(out.shape(), {&a.shape(), &b.shape()});
    ForEachRow(plan, [&](int64_t o, int64_t len, const std::array<int64_t, 2>& off,
                         const std::array<int64_t, 2>& st) {
      const TA* ra = pa + off[0];
      const TB* rb = pb + off[1];
      TO* ro = po + o;
      if (st[0] == 1 && st[1] == 1) {
        for (int64_t i = 0; i < len; ++i) ro[i] = f(ra[i], rb[i]);
      } else if (st[0] == 1 && st[1] == 0) {
        const TB vb = rb[0];
        for (int64_t i = 0; i < len; ++i) ro[i] = f(ra[i], vb);
      } else if (st[0] == 0 && st[1] == 1) {
        const TA va = ra[0];
        for (int64_t i = 0; i < len; ++i) ro[i] = f(va, rb[i]);
      } else {
        for (int64_t i = 0; i < len; ++i) ro[i] = f(ra[i * st[0]], rb[i * st[1]]);
      }
    });
  }
}

// out = f(a, b, c) with numpy broadcasting over three inputs.
template <typename TA, typename TB, typename TC, typename TO, typename F>
void TernaryMap(const Tensor& a, const Tensor& b, const Tensor& c, Tensor& out, F&& f) {
  const TA* pa = a.data<TA>();
  const TB* pb = b.data<TB>();
  const TC* pc = c.data<TC>();
  TO* po = out.data<TO>();
  const int64_t n = out.num_elements();
  if (n == 0) return;
  if (a.num_elements() == n && b.num_elements() == n && c.num_elements() == n) {
    for (int64_t i = 0; i < n; ++i) po[i] = f(pa[i], pb[i], pc[i]);
    return;
  }
  const auto plan = MakeBroadcastPlan<3>(out.shape(), {&a.shape(), &b.shape(), &c.shape()});
  ForEachRow(plan, [&](int64_t o, int64_t len, const std::array<int64_t, 3>& off,
                       const std::array<int64_t, 3>& st) {
    for (int64_t i = 0; i < len; ++i) {
      po[o + i] = f(pa[off[0] + i * st[0]], pb[off[1] + i * st[1]], pc[off[2] + i * st[2]]);
    }
  });
}

// ---- Registration helpers ------------------------------------------------------------------

// A kernel whose create-time state is captured in a closure.
class ClosureKernel final : public Kernel {
 public:
  explicit ClosureKernel(std::function<Status(KernelContext&)> fn) : fn_(std::move(fn)) {}
  Status Run(KernelContext& ctx) const override { return fn_(ctx); }

 private:
  std::function<Status(KernelContext&)> fn_;
};

inline StatusOr<std::unique_ptr<Kernel>> MakeClosureKernel(
    std::function<Status(KernelContext&)> fn) {
  return std::unique_ptr<Kernel>(new ClosureKernel(std::move(fn)));
}

// Inference: output 0 is the broadcast of all present inputs, with their common dtype (or
// `out_dtype` when given). Fails when two known input dtypes differ, naming the inputs by
// `names` (the last name is reused for further inputs; an empty name + index when it ends
// in '_', e.g. "data_" -> "data_3").
Status InferBroadcastSameDType(InferenceContext& ctx, std::optional<DType> out_dtype,
                               std::span<const std::string_view> names);

// Inference: output 0 has input 0's shape and the given dtype.
Status InferSameShapeAs0(InferenceContext& ctx, DType dtype);

}  // namespace brisk::elementwise
