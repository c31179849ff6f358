// Shared by the conv_*.cc and pool_*.cc reference kernels: parsing and validating the spatial
// attributes (kernel_shape, strides, dilations, pads, auto_pad, ceil_mode), computing output
// sizes and effective pads for concrete and symbolic shapes, N-D im2col / col2im, and a packed
// GEMM whose inner loops vectorize at -O2.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "brisk/shape.h"
#include "brisk/status.h"
#include "brisk/tensor.h"
#include "ir/attribute.h"
#include "kernels/registry.h"

namespace brisk::conv_pool {

enum class AutoPad { kNotSet, kSameUpper, kSameLower, kValid };

// The raw spatial attributes of a Conv/Pool node, validated for sign but not yet for length
// (the spatial rank is known only from the input).
struct SpatialAttrs {
  std::vector<int64_t> kernel_shape;  // empty when absent
  std::vector<int64_t> strides;       // empty = all 1
  std::vector<int64_t> dilations;     // empty = all 1
  std::vector<int64_t> pads;          // empty = all 0; [begin..., end...]
  AutoPad auto_pad = AutoPad::kNotSet;
  bool ceil_mode = false;
};

// Reads the attributes. `allow_dilations` / `allow_ceil` false makes the attribute be ignored
// (for op versions that do not define it).
StatusOr<SpatialAttrs> ParseSpatialAttrs(const ir::AttributeMap& attrs, bool allow_dilations,
                                         bool allow_ceil);

// Geometry of one spatial axis.
struct AxisGeometry {
  int64_t in = 0;
  int64_t kernel = 1;
  int64_t stride = 1;
  int64_t dilation = 1;
  int64_t pad_begin = 0;
  int64_t pad_end = 0;
  int64_t out = 0;
  int64_t EffectiveKernel() const { return (kernel - 1) * dilation + 1; }
};

// Checks the attribute lengths against the spatial rank `n` and fills the per-axis kernel,
// stride, dilation and explicit pads (`kernel` overrides attrs.kernel_shape when not empty).
// `what_kernel` names where the kernel comes from in messages.
StatusOr<std::vector<AxisGeometry>> AxesFromAttrs(const SpatialAttrs& attrs, int n,
                                                  std::span<const int64_t> kernel);

// Computes out, pad_begin and pad_end of an axis whose in/kernel/stride/dilation/explicit pads
// are set (forward conv and pooling). Fails when the window does not fit the padded input.
Status ResolveForwardAxis(AxisGeometry& g, AutoPad auto_pad, bool ceil_mode, int axis);

// Full forward geometry for a concrete spatial input shape.
StatusOr<std::vector<AxisGeometry>> ForwardGeometry(const SpatialAttrs& attrs,
                                                    std::span<const int64_t> in_spatial,
                                                    std::span<const int64_t> kernel);

// Symbolic output spatial dims (unknown where the input dim is unknown).
StatusOr<std::vector<Dim>> ForwardSymbolicDims(const SpatialAttrs& attrs,
                                               std::span<const Dim> in_spatial,
                                               std::span<const int64_t> kernel);

// Spatial dims of a shape (dims 2..), or of a symbolic shape.
std::vector<int64_t> SpatialDims(const Shape& s);

// "input 0 'X': expected rank >= 3, got 2" style checks.
Status CheckRankAtLeast(const Shape& s, int min_rank, int index, std::string_view name);

// im2col: for one image `x` [channels][in...], writes col [channels * prod(kernel)][ld] where
// the first prod(out) columns of each row hold the (zero-padded) input values under each window
// position; columns beyond prod(out) are left untouched.
template <typename T>
void Im2Col(const T* x, int64_t channels, const std::vector<AxisGeometry>& geo, T* col,
            int64_t ld);

// col2im: the adjoint of Im2Col: adds col [channels * prod(kernel)][ld] into the image
// y [channels][in...] (which the caller zeroes first).
template <typename T>
void Col2ImAdd(const T* col, int64_t channels, const std::vector<AxisGeometry>& geo, int64_t ld,
               T* y);

// Packed GEMM: c[m_pad][n_pad] = a[m_pad][k] * b[k][n_pad], where m_pad % kGemmRows == 0 and
// n_pad % kGemmCols == 0 (callers zero-pad). The register tile loops have fixed trip counts so
// GCC and Clang vectorize them at -O2.
inline constexpr int64_t kGemmRows = 4;
inline constexpr int64_t kGemmCols = 64;
template <typename T>
void GemmPacked(const T* a, const T* b, T* c, int64_t m_pad, int64_t k, int64_t n_pad);

inline int64_t RoundUp(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

// The type conv kernels accumulate in: double for double, float for float/float16/bfloat16.
template <typename T>
using AccumulatorOf = std::conditional_t<std::is_same_v<T, double>, double, float>;

// t (elements of type T) as a tensor of Acc: shares t when T is Acc, else converts.
template <typename T, typename Acc>
StatusOr<Tensor> AsAcc(const Tensor& t) {
  if constexpr (std::is_same_v<T, Acc>) {
    return t;
  } else {
    BRISK_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(kDTypeOf<Acc>, t.shape()));
    const T* src = t.data<T>();
    Acc* dst = out.data<Acc>();
    for (int64_t i = 0; i < t.num_elements(); ++i) dst[i] = Acc(ToDouble(src[i]));
    return out;
  }
}

template <typename T, typename Acc>
inline T FromAcc(Acc v) {
  if constexpr (std::is_same_v<T, Acc>) {
    return v;
  } else {
    return T(float(v));
  }
}

std::string JoinInts(std::span<const int64_t> v);

// ---- Template definitions ------------------------------------------------------------------

namespace internal {

// Range [lo, hi) of output positions o for which o * stride + offset lies in [0, in).
inline void ValidRange(int64_t in, int64_t stride, int64_t offset, int64_t out, int64_t* lo,
                       int64_t* hi) {
  // o * stride + offset >= 0  <=>  o >= ceil(-offset / stride)
  int64_t l = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  // o * stride + offset <= in - 1  <=>  o <= floor((in - 1 - offset) / stride)
  int64_t h = in - 1 - offset < 0 ? 0 : (in - 1 - offset) / stride + 1;
  l = std::min(l, out);
  h = std::min(h, out);
  *lo = l;
  *hi = std::max(h, l);
}

// Walks every (channel, kernel offset, outer output position) row segment of an im2col matrix
// and calls f(col_segment, image_base, lo, hi, stride_last, offset_last) with image_base null
// when the outer coordinates fall in the padding.
template <typename T, typename Col, typename F>
void ForEachColSegment(Col* col, T* x, int64_t channels, const std::vector<AxisGeometry>& geo,
                       int64_t ld, F&& f) {
  const int n = int(geo.size());
  int64_t kernel_size = 1, in_size = 1, out_size = 1;
  for (const AxisGeometry& g : geo) {
    kernel_size *= g.kernel;
    in_size *= g.in;
    out_size *= g.out;
  }
  const AxisGeometry& last = geo[size_t(n - 1)];
  const int64_t outer_out = last.out == 0 ? 0 : out_size / last.out;
  std::vector<int64_t> kk(static_cast<size_t>(n)), oo(static_cast<size_t>(n));
  for (int64_t c = 0; c < channels; ++c) {
    for (int64_t r = 0; r < kernel_size; ++r) {
      int64_t rem = r;
      for (int i = n - 1; i >= 0; --i) {
        kk[size_t(i)] = rem % geo[size_t(i)].kernel;
        rem /= geo[size_t(i)].kernel;
      }
      Col* row = col + (c * kernel_size + r) * ld;
      T* xc = x + c * in_size;
      const int64_t off_last = kk[size_t(n - 1)] * last.dilation - last.pad_begin;
      int64_t lo = 0, hi = 0;
      ValidRange(last.in, last.stride, off_last, last.out, &lo, &hi);
      for (int64_t op = 0; op < outer_out; ++op) {
        int64_t rem_o = op;
        for (int i = n - 2; i >= 0; --i) {
          oo[size_t(i)] = rem_o % geo[size_t(i)].out;
          rem_o /= geo[size_t(i)].out;
        }
        bool valid = true;
        int64_t base = 0;
        for (int i = 0; i < n - 1; ++i) {
          const AxisGeometry& g = geo[size_t(i)];
          const int64_t ii = oo[size_t(i)] * g.stride + kk[size_t(i)] * g.dilation - g.pad_begin;
          if (ii < 0 || ii >= g.in) {
            valid = false;
            break;
          }
          base = base * g.in + ii;
        }
        f(row + op * last.out, valid ? xc + base * last.in : nullptr, lo, hi, last.stride,
          off_last);
      }
    }
  }
}

}  // namespace internal

template <typename T>
void Im2Col(const T* x, int64_t channels, const std::vector<AxisGeometry>& geo, T* col,
            int64_t ld) {
  const int64_t out_last = geo.back().out;
  internal::ForEachColSegment(
      col, x, channels, geo, ld,
      [&](T* dst, const T* src, int64_t lo, int64_t hi, int64_t stride, int64_t offset) {
        if (src == nullptr) {
          std::fill(dst, dst + out_last, T());
          return;
        }
        std::fill(dst, dst + lo, T());
        if (stride == 1) {
          std::copy(src + lo + offset, src + hi + offset, dst + lo);
        } else {
          for (int64_t o = lo; o < hi; ++o) dst[o] = src[o * stride + offset];
        }
        std::fill(dst + hi, dst + out_last, T());
      });
}

template <typename T>
void Col2ImAdd(const T* col, int64_t channels, const std::vector<AxisGeometry>& geo, int64_t ld,
               T* y) {
  internal::ForEachColSegment(
      col, y, channels, geo, ld,
      [&](const T* src, T* dst, int64_t lo, int64_t hi, int64_t stride, int64_t offset) {
        if (dst == nullptr) return;
        for (int64_t o = lo; o < hi; ++o) dst[o * stride + offset] += src[o];
      });
}

template <typename T>
void GemmPacked(const T* a, const T* b, T* c, int64_t m_pad, int64_t k, int64_t n_pad) {
  for (int64_t j0 = 0; j0 < n_pad; j0 += kGemmCols) {
    for (int64_t i0 = 0; i0 < m_pad; i0 += kGemmRows) {
      T acc[kGemmRows][kGemmCols] = {};
      const T* a_rows = a + i0 * k;
      for (int64_t p = 0; p < k; ++p) {
        const T* b_row = b + p * n_pad + j0;
        for (int64_t r = 0; r < kGemmRows; ++r) {
          const T av = a_rows[r * k + p];
          for (int64_t j = 0; j < kGemmCols; ++j) acc[r][j] += av * b_row[j];
        }
      }
      for (int64_t r = 0; r < kGemmRows; ++r)
        std::copy(acc[r], acc[r] + kGemmCols, c + (i0 + r) * n_pad + j0);
    }
  }
}

}  // namespace brisk::conv_pool
