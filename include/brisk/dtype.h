// brisk::DType: element types of tensors, with the half-precision value types Float16 and
// BFloat16 (storage + exact conversions to and from float, round-to-nearest-even).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace brisk {

enum class DType : uint8_t {
  kUndefined = 0,
  kFloat32,
  kFloat16,
  kBFloat16,
  kFloat64,
  kInt8,
  kUInt8,
  kInt16,
  kUInt16,
  kInt32,
  kUInt32,
  kInt64,
  kUInt64,
  kBool,
  kString,
};

// Size of one element in bytes (sizeof(std::string) for kString, 0 for kUndefined).
size_t DTypeSize(DType dtype);
// Lower-case name as NumPy spells it ("float32", "int64", "bool", "string", ...).
std::string_view DTypeName(DType dtype);
bool IsFloatingPoint(DType dtype);  // float16, bfloat16, float32, float64
bool IsSignedInteger(DType dtype);
bool IsUnsignedInteger(DType dtype);
inline bool IsInteger(DType d) { return IsSignedInteger(d) || IsUnsignedInteger(d); }

// IEEE 754 binary16.
struct Float16 {
  uint16_t bits = 0;
  Float16() = default;
  explicit Float16(float f) : bits(FromFloat(f)) {}
  explicit operator float() const { return ToFloat(bits); }
  static uint16_t FromFloat(float f);
  static float ToFloat(uint16_t h);
};

// bfloat16: the top 16 bits of a float32, rounded to nearest even.
struct BFloat16 {
  uint16_t bits = 0;
  BFloat16() = default;
  explicit BFloat16(float f) : bits(FromFloat(f)) {}
  explicit operator float() const { return std::bit_cast<float>(uint32_t(bits) << 16); }
  static uint16_t FromFloat(float f) {
    uint32_t u = std::bit_cast<uint32_t>(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return uint16_t((u >> 16) | 0x40);  // quiet NaN
    u += 0x7fffu + ((u >> 16) & 1u);
    return uint16_t(u >> 16);
  }
};

// Arithmetic on half types computes in float and rounds back, so templated reference kernels
// can treat them like float and double.
#define BRISK_HALF_OPS_(H)                                                                   \
  inline H operator+(H a, H b) { return H(float(a) + float(b)); }                           \
  inline H operator-(H a, H b) { return H(float(a) - float(b)); }                           \
  inline H operator*(H a, H b) { return H(float(a) * float(b)); }                           \
  inline H operator/(H a, H b) { return H(float(a) / float(b)); }                           \
  inline H operator-(H a) { return H(-float(a)); }                                          \
  inline H& operator+=(H& a, H b) { return a = a + b; }                                     \
  inline H& operator-=(H& a, H b) { return a = a - b; }                                     \
  inline H& operator*=(H& a, H b) { return a = a * b; }                                     \
  inline H& operator/=(H& a, H b) { return a = a / b; }                                     \
  inline bool operator==(H a, H b) { return float(a) == float(b); }                         \
  inline bool operator!=(H a, H b) { return float(a) != float(b); }                         \
  inline bool operator<(H a, H b) { return float(a) < float(b); }                           \
  inline bool operator>(H a, H b) { return float(a) > float(b); }                           \
  inline bool operator<=(H a, H b) { return float(a) <= float(b); }                         \
  inline bool operator>=(H a, H b) { return float(a) >= float(b); }
BRISK_HALF_OPS_(Float16)
BRISK_HALF_OPS_(BFloat16)
#undef BRISK_HALF_OPS_

// Converts any numeric element (half types included) to double / from double.
template <typename T>
inline double ToDouble(T v) {
  if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) {
    return double(static_cast<float>(v));
  } else {
    return static_cast<double>(v);
  }
}
template <typename T>
inline T FromDouble(double v) {
  if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) {
    return T(float(v));
  } else {
    return static_cast<T>(v);
  }
}

// Maps a C++ type to its DType.
template <typename T> struct DTypeOf;
template <> struct DTypeOf<float> { static constexpr DType value = DType::kFloat32; };
template <> struct DTypeOf<Float16> { static constexpr DType value = DType::kFloat16; };
template <> struct DTypeOf<BFloat16> { static constexpr DType value = DType::kBFloat16; };
template <> struct DTypeOf<double> { static constexpr DType value = DType::kFloat64; };
template <> struct DTypeOf<int8_t> { static constexpr DType value = DType::kInt8; };
template <> struct DTypeOf<uint8_t> { static constexpr DType value = DType::kUInt8; };
template <> struct DTypeOf<int16_t> { static constexpr DType value = DType::kInt16; };
template <> struct DTypeOf<uint16_t> { static constexpr DType value = DType::kUInt16; };
template <> struct DTypeOf<int32_t> { static constexpr DType value = DType::kInt32; };
template <> struct DTypeOf<uint32_t> { static constexpr DType value = DType::kUInt32; };
template <> struct DTypeOf<int64_t> { static constexpr DType value = DType::kInt64; };
template <> struct DTypeOf<uint64_t> { static constexpr DType value = DType::kUInt64; };
template <> struct DTypeOf<bool> { static constexpr DType value = DType::kBool; };
template <> struct DTypeOf<std::string> { static constexpr DType value = DType::kString; };
template <typename T> inline constexpr DType kDTypeOf = DTypeOf<T>::value;

}  // namespace brisk
