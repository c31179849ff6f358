// Private helpers of the quantization kernels (quant_*.cc): rounding with saturation, reading
// scales and zero points, subtracting zero points into int32 buffers, an integer GEMM.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "brisk/status.h"
#include "brisk/tensor.h"
#include "kernels/dispatch.h"
#include "kernels/shape_util.h"

namespace brisk::quant {

// Rounds half to even and saturates to Q's range; NaN becomes 0.
template <typename Q, typename F>
inline Q RoundSaturate(F v) {
  if (std::isnan(v)) return Q(0);
  const F r = std::nearbyint(v);  // the default rounding mode rounds half to even
  constexpr F lo = F(std::numeric_limits<Q>::min());
  constexpr F hi = F(std::numeric_limits<Q>::max());
  if (r <= lo) return std::numeric_limits<Q>::min();
  if (r >= hi) return std::numeric_limits<Q>::max();
  return Q(r);
}

// A tensor's elements as doubles (float types and integers).
inline StatusOr<std::vector<double>> ReadAsDouble(const Tensor& t, std::string_view what) {
  std::vector<double> out(size_t(t.num_elements()));
  BRISK_RETURN_IF_ERROR(DispatchNumeric(t.dtype(), what, [&]<typename T>() -> Status {
    const T* p = t.data<T>();
    for (size_t i = 0; i < out.size(); ++i) out[i] = ToDouble(p[i]);
    return Status::Ok();
  }));
  return out;
}

// 8-bit (and, where allowed, 16-bit) quantized types.
inline bool IsQuant8(DType d) { return d == DType::kInt8 || d == DType::kUInt8; }

// Dispatches over int8 / uint8 (plus int16 / uint16 when `allow16`).
template <typename F>
Status DispatchQuant(DType d, std::string_view what, bool allow16, F&& fn) {
  switch (d) {
    case DType::kInt8: return fn.template operator()<int8_t>();
    case DType::kUInt8: return fn.template operator()<uint8_t>();
    case DType::kInt16:
      if (allow16) return fn.template operator()<int16_t>();
      break;
    case DType::kUInt16:
      if (allow16) return fn.template operator()<uint16_t>();
      break;
    default: break;
  }
  return Unimplemented(std::string(what) + ": dtype " + std::string(DTypeName(d)) +
                       " is not supported (expected " +
                       (allow16 ? "int8, uint8, int16 or uint16" : "int8 or uint8") + ")");
}

// out = x - zp as int32, with zp broadcast to x's shape (zp given with shape `zp_shape`, which
// must broadcast to exactly x's shape). zp may be null (zero).
inline Status SubtractZeroPoint(const Tensor& x, const Tensor* zp, const Shape& zp_shape,
                                std::string_view zp_what, std::vector<int32_t>& out) {
  const int64_t n = x.num_elements();
  out.resize(size_t(n));
  std::vector<int64_t> zps;
  if (zp != nullptr) {
    if (zp->dtype() != x.dtype()) {
      return InvalidArgument(std::string(zp_what) + ": dtype " +
                             std::string(DTypeName(zp->dtype())) + " differs from the data's " +
                             std::string(DTypeName(x.dtype())));
    }
    BRISK_RETURN_IF_ERROR(DispatchInteger(zp->dtype(), zp_what, [&]<typename T>() -> Status {
      for (int64_t i = 0; i < zp->num_elements(); ++i) zps.push_back(int64_t(zp->data<T>()[i]));
      return Status::Ok();
    }));
  }
  return DispatchInteger(x.dtype(), "data", [&]<typename T>() -> Status {
    const T* px = x.data<T>();
    if (zps.size() <= 1) {
      const int64_t z = zps.empty() ? 0 : zps[0];
      for (int64_t i = 0; i < n; ++i) out[size_t(i)] = int32_t(int64_t(px[i]) - z);
      return Status::Ok();
    }
    auto bshape = BroadcastShapes(x.shape(), zp_shape);
    if (!bshape.ok() || *bshape != x.shape()) {
      return InvalidArgument(std::string(zp_what) + ": shape " + zp_shape.ToString() +
                             " does not broadcast to the data's shape " + x.shape().ToString());
    }
    const std::vector<int64_t> zs = BroadcastStrides(zp_shape, x.shape());
    const int rank = x.rank();
    std::vector<int64_t> idx(size_t(rank), 0);
    int64_t zoff = 0;
    for (int64_t i = 0; i < n; ++i) {
      out[size_t(i)] = int32_t(int64_t(px[i]) - zps[size_t(zoff)]);
      for (int d = rank - 1; d >= 0; --d) {
        zoff += zs[size_t(d)];
        if (++idx[size_t(d)] < x.dim(d)) break;
        zoff -= zs[size_t(d)] * x.dim(d);
        idx[size_t(d)] = 0;
      }
    }
    return Status::Ok();
  });
}

// c[M, N] = a[M, K] · b[K, N] on int32 data, accumulated in int64 and wrapped to int32.
inline void IntGemm(const int32_t* a, const int32_t* b, int32_t* c, int64_t m, int64_t k,
                    int64_t n) {
  std::vector<int64_t> acc(static_cast<size_t>(n));
  for (int64_t i = 0; i < m; ++i) {
    std::fill(acc.begin(), acc.end(), 0);
    for (int64_t p = 0; p < k; ++p) {
      const int64_t av = a[i * k + p];
      if (av == 0) continue;
      const int32_t* br = b + p * n;
      for (int64_t j = 0; j < n; ++j) acc[size_t(j)] += av * br[j];
    }
    for (int64_t j = 0; j < n; ++j) c[i * n + j] = int32_t(acc[size_t(j)]);
  }
}

// Maps an ONNX TensorProto data type number to a DType (kUndefined when not supported).
inline DType DTypeFromOnnx(int64_t t) {
  switch (t) {
    case 1: return DType::kFloat32;
    case 2: return DType::kUInt8;
    case 3: return DType::kInt8;
    case 4: return DType::kUInt16;
    case 5: return DType::kInt16;
    case 6: return DType::kInt32;
    case 7: return DType::kInt64;
    case 10: return DType::kFloat16;
    case 11: return DType::kFloat64;
    case 16: return DType::kBFloat16;
    default: return DType::kUndefined;
  }
}

}  // namespace brisk::quant
