// ops::Cast and the conversion it shares with Normalize: a two-level dtype dispatch over the
// numeric types (float16/bfloat16 go through float).
#include "data/ops/cast.h"

#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>

#include "data/ops/op_util.h"

namespace brisk::data::ops_internal {
namespace {

template <typename F>
bool Dispatch(DType d, F&& f) {
  switch (d) {
    case DType::kFloat32: f(float{}); return true;
    case DType::kFloat64: f(double{}); return true;
    case DType::kFloat16: f(Float16{}); return true;
    case DType::kBFloat16: f(BFloat16{}); return true;
    case DType::kInt8: f(int8_t{}); return true;
    case DType::kUInt8: f(uint8_t{}); return true;
    case DType::kInt16: f(int16_t{}); return true;
    case DType::kUInt16: f(uint16_t{}); return true;
    case DType::kInt32: f(int32_t{}); return true;
    case DType::kUInt32: f(uint32_t{}); return true;
    case DType::kInt64: f(int64_t{}); return true;
    case DType::kUInt64: f(uint64_t{}); return true;
    case DType::kBool: f(bool{}); return true;
    default: return false;
  }
}

template <typename T>
constexpr bool kHalf = std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>;

template <typename To, typename From>
To Convert(From v) {
  if constexpr (kHalf<From>) {
    return Convert<To>(float(v));
  } else if constexpr (kHalf<To>) {
    return To(float(v));
  } else if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    if (std::isnan(v)) return To(0);
    const double d = std::trunc(double(v));
    if (d <= double(std::numeric_limits<To>::lowest())) return std::numeric_limits<To>::lowest();
    if (d >= double(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
    return To(d);
  } else {
    return To(v);
  }
}

}  // namespace

StatusOr<Tensor> CastTensor(const Tensor& t, DType dtype) {
  if (t.dtype() == dtype) return t;
  BRISK_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(dtype, t.shape()));
  const int64_t n = t.num_elements();
  bool ok = false;
  Dispatch(t.dtype(), [&](auto from_tag) {
    using From = decltype(from_tag);
    ok = Dispatch(dtype, [&](auto to_tag) {
      using To = decltype(to_tag);
      const From* src = t.data<From>();
      To* dst = out.data<To>();
      for (int64_t i = 0; i < n; ++i) dst[i] = Convert<To>(src[i]);
    });
  });
  if (!ok) {
    return InvalidArgument("cannot cast " + t.TypeString() + " to " +
                           std::string(DTypeName(dtype)));
  }
  return out;
}

}  // namespace brisk::data::ops_internal

namespace brisk::data::ops {

MapFn Cast(std::string component, DType dtype) {
  return [=](Element e) -> StatusOr<Element> {
    BRISK_ASSIGN_OR_RETURN(Tensor * t, ops_internal::Component(e, component, "cast"));
    auto cast = ops_internal::CastTensor(*t, dtype);
    if (!cast.ok()) return ops_internal::OpError(e, "cast", cast.status().message());
    *t = std::move(cast).value();
    return e;
  };
}

}  // namespace brisk::data::ops
