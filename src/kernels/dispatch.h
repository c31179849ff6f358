// Dtype dispatch for templated kernels:
//
//   return DispatchFloat(x.dtype(), "X", [&]<typename T>() -> Status { ... });
//
// Each helper calls the lambda with T set to the C++ type of `dtype`, or returns an
// Unimplemented error naming the input and the dtype when the set does not contain it.
#pragma once

#include <string>

#include "brisk/dtype.h"
#include "brisk/status.h"

namespace brisk {

namespace dispatch_internal {
inline Status Unsupported(DType d, std::string_view what, std::string_view set) {
  return Unimplemented(std::string(what) + ": dtype " + std::string(DTypeName(d)) +
                       " is not supported (expected " + std::string(set) + ")");
}
}  // namespace dispatch_internal

#define BRISK_DISPATCH_CASE_(ENUM, TYPE) \
  case DType::ENUM:                      \
    return fn.template operator()<TYPE>();

// float16, bfloat16, float32, float64
template <typename F>
Status DispatchFloat(DType d, std::string_view what, F&& fn) {
  switch (d) {
    BRISK_DISPATCH_CASE_(kFloat32, float)
    BRISK_DISPATCH_CASE_(kFloat64, double)
    BRISK_DISPATCH_CASE_(kFloat16, Float16)
    BRISK_DISPATCH_CASE_(kBFloat16, BFloat16)
    default: return dispatch_internal::Unsupported(d, what, "a floating-point type");
  }
}

// every signed and unsigned integer type
template <typename F>
Status DispatchInteger(DType d, std::string_view what, F&& fn) {
  switch (d) {
    BRISK_DISPATCH_CASE_(kInt8, int8_t)
    BRISK_DISPATCH_CASE_(kUInt8, uint8_t)
    BRISK_DISPATCH_CASE_(kInt16, int16_t)
    BRISK_DISPATCH_CASE_(kUInt16, uint16_t)
    BRISK_DISPATCH_CASE_(kInt32, int32_t)
    BRISK_DISPATCH_CASE_(kUInt32, uint32_t)
    BRISK_DISPATCH_CASE_(kInt64, int64_t)
    BRISK_DISPATCH_CASE_(kUInt64, uint64_t)
    default: return dispatch_internal::Unsupported(d, what, "an integer type");
  }
}

// floats and integers (no bool, no string)
template <typename F>
Status DispatchNumeric(DType d, std::string_view what, F&& fn) {
  if (IsFloatingPoint(d)) return DispatchFloat(d, what, std::forward<F>(fn));
  if (IsInteger(d)) return DispatchInteger(d, what, std::forward<F>(fn));
  return dispatch_internal::Unsupported(d, what, "a numeric type");
}

// numeric and bool
template <typename F>
Status DispatchNumericOrBool(DType d, std::string_view what, F&& fn) {
  if (d == DType::kBool) return fn.template operator()<bool>();
  return DispatchNumeric(d, what, std::forward<F>(fn));
}

// every dtype, strings included
template <typename F>
Status DispatchAll(DType d, std::string_view what, F&& fn) {
  if (d == DType::kString) return fn.template operator()<std::string>();
  return DispatchNumericOrBool(d, what, std::forward<F>(fn));
}

#undef BRISK_DISPATCH_CASE_

}  // namespace brisk
