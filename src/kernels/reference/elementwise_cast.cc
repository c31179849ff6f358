// Cast and CastLike between float32/float16/bfloat16/float64, the signed and unsigned integers,
// bool and string. Numbers become strings as numpy's str() writes them (shortest round-trip
// digits; "1.0", "1e-05", "inf", "nan"); strings become numbers by parsing decimal or
// scientific literals, with "INF"/"+INF"/"-INF"/"NaN" matched case-insensitively. Floats
// truncate toward zero when cast to integers (NaN gives 0, out-of-range values saturate or wrap
// without undefined behaviour). The float8 `saturate` attribute does not apply to these types.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include "kernels/dispatch.h"
#include "kernels/reference/elementwise_util.h"

namespace brisk {
namespace {

using elementwise::ConvertElement;
using elementwise::kIsFloat;
using elementwise::kIsHalf;

// ONNX TensorProto.DataType -> DType.
StatusOr<DType> DTypeFromOnnx(int64_t to) {
  switch (to) {
    case 1: return DType::kFloat32;
    case 2: return DType::kUInt8;
    case 3: return DType::kInt8;
    case 4: return DType::kUInt16;
    case 5: return DType::kInt16;
    case 6: return DType::kInt32;
    case 7: return DType::kInt64;
    case 8: return DType::kString;
    case 9: return DType::kBool;
    case 10: return DType::kFloat16;
    case 11: return DType::kFloat64;
    case 12: return DType::kUInt32;
    case 13: return DType::kUInt64;
    case 16: return DType::kBFloat16;
    case 14:
    case 15:
    case 17:
    case 18:
    case 19:
    case 20:
    case 21:
    case 22:
    case 23:
      return Unimplemented("attribute 'to': ONNX data type " + std::to_string(to) +
                           " (complex, float8, 4-bit) is not supported");
    default:
      return InvalidArgument("attribute 'to': " + std::to_string(to) +
                             " is not a valid ONNX data type");
  }
}

StatusOr<DType> ReadTo(const ir::AttributeMap& attrs) {
  if (!attrs.Has("to")) return InvalidArgument("attribute 'to' is required");
  BRISK_ASSIGN_OR_RETURN(int64_t to, attrs.GetInt("to"));
  return DTypeFromOnnx(to);
}

// ---- Number -> string ----------------------------------------------------------------------

// Shortest decimal digits (no dot) and decimal exponent of a finite, non-zero value that
// round-trip through T.
template <typename T>
void ShortestDigits(T v, std::string& digits, int& exponent) {
  char buf[64];
  std::to_chars_result r;
  if constexpr (kIsHalf<T>) {
    const float f = float(v);
    for (int precision = 0;; ++precision) {
      r = std::to_chars(buf, buf + sizeof(buf), f, std::chars_format::scientific, precision);
      float back = 0;
      std::from_chars(buf, r.ptr, back);
      if (T(back).bits == v.bits || precision >= 9) break;
    }
  } else {
    r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  }
  const std::string s(buf, r.ptr);  // "-d.ddde+XX"
  const size_t e = s.find('e');
  digits.clear();
  for (size_t i = 0; i < e; ++i) {
    if (s[i] >= '0' && s[i] <= '9') digits.push_back(s[i]);
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  exponent = std::stoi(s.substr(e + 1));
}

template <typename T>
std::string FloatToString(T v) {
  const double d = ToDouble(v);
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  const std::string sign = std::signbit(d) ? "-" : "";
  if (d == 0) return sign + "0.0";
  std::string digits;
  int exp10 = 0;
  ShortestDigits(v, digits, exp10);
  // numpy switches to scientific notation below 1e-4 and at 10^(decimal digits of the type).
  const int positional_limit = std::is_same_v<T, double> ? 16 : std::is_same_v<T, float> ? 6 : 3;
  if (std::abs(d) < 1e-4 || exp10 >= positional_limit) {
    std::string out = sign + digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    const int a = std::abs(exp10);
    out += exp10 < 0 ? "e-" : "e+";
    if (a < 10) out += "0";
    return out + std::to_string(a);
  }
  std::string out = sign;
  if (exp10 < 0) {
    out += "0." + std::string(size_t(-exp10 - 1), '0') + digits;
  } else if (size_t(exp10) + 1 >= digits.size()) {
    out += digits + std::string(size_t(exp10) + 1 - digits.size(), '0') + ".0";
  } else {
    out += digits.substr(0, size_t(exp10) + 1) + "." + digits.substr(size_t(exp10) + 1);
  }
  return out;
}

template <typename T>
std::string ToString(const T& v) {
  if constexpr (std::is_same_v<T, std::string>) return v;
  else if constexpr (std::is_same_v<T, bool>) return v ? "True" : "False";
  else if constexpr (kIsFloat<T>) return FloatToString(v);
  else return std::to_string(v);
}

// ---- String -> number ----------------------------------------------------------------------

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Parses a decimal/scientific literal or INF/NaN; nullopt if it is not one.
std::optional<double> ParseDouble(std::string_view s) {
  s = Trim(s);
  const std::string lower = Lower(s);
  if (lower == "inf" || lower == "+inf" || lower == "infinity" || lower == "+infinity") {
    return std::numeric_limits<double>::infinity();
  }
  if (lower == "-inf" || lower == "-infinity") return -std::numeric_limits<double>::infinity();
  if (lower == "nan" || lower == "+nan" || lower == "-nan") {
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty() || s.front() == '+') return std::nullopt;
  double v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec == std::errc::result_out_of_range) {
    // Overflow or underflow: let strtod pick inf or 0 with the right sign.
    return std::strtod(std::string(s).c_str(), nullptr);
  }
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

template <typename T>
StatusOr<T> FromString(const std::string& s) {
  auto fail = [&]() -> Status {
    return InvalidArgument("input 0 'input': cannot parse string \"" + s.substr(0, 64) +
                           "\" as " + std::string(DTypeName(kDTypeOf<T>)));
  };
  if constexpr (std::is_same_v<T, std::string>) {
    return s;
  } else if constexpr (std::is_same_v<T, bool>) {
    const std::string lower = Lower(Trim(s));
    if (lower == "true") return true;
    if (lower == "false") return false;
    const std::optional<double> d = ParseDouble(s);
    if (!d) return fail();
    return *d != 0;  // NaN is true, as for float -> bool
  } else if constexpr (kIsFloat<T>) {
    const std::optional<double> d = ParseDouble(s);
    if (!d) return fail();
    return ConvertElement<T>(*d);
  } else {
    // Integers: exact integer literal first, else a float literal truncated.
    std::string_view t = Trim(s);
    if (!t.empty() && t.front() == '+') t.remove_prefix(1);
    T v{};
    const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
    if (!t.empty() && r.ec == std::errc() && r.ptr == t.data() + t.size()) return v;
    const std::optional<double> d = ParseDouble(s);
    if (!d) return fail();
    return ConvertElement<T>(*d);
  }
}

// ---- Kernel --------------------------------------------------------------------------------

template <typename From, typename To>
Status CastLoop(const Tensor& x, Tensor& y) {
  const From* in = x.data<From>();
  To* out = y.data<To>();
  const int64_t n = x.num_elements();
  if constexpr (std::is_same_v<From, std::string>) {
    for (int64_t i = 0; i < n; ++i) {
      BRISK_ASSIGN_OR_RETURN(out[i], FromString<To>(in[i]));
    }
  } else if constexpr (std::is_same_v<To, std::string>) {
    for (int64_t i = 0; i < n; ++i) out[i] = ToString(in[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = ConvertElement<To>(in[i]);
  }
  return Status::Ok();
}

Status CastTo(KernelContext& ctx, DType to) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, elementwise::RequireInput(ctx, 0, "input"));
  if (x->dtype() == to) {
    ctx.set_output(0, *x);
    return Status::Ok();
  }
  BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, to, x->shape()));
  return DispatchAll(x->dtype(), "input 0 'input'", [&]<typename From>() -> Status {
    return DispatchAll(to, "attribute 'to'", [&]<typename To>() -> Status {
      return CastLoop<From, To>(*x, *y);
    });
  });
}

StatusOr<std::unique_ptr<Kernel>> CreateCast(const KernelInit& init) {
  BRISK_ASSIGN_OR_RETURN(DType to, ReadTo(init.attrs()));
  // `saturate` (opset 19+) only affects float8 targets, which brisk does not have; still
  // reject a malformed value.
  BRISK_ASSIGN_OR_RETURN(int64_t saturate, init.attrs().GetInt("saturate", 1));
  if (saturate != 0 && saturate != 1) {
    return InvalidArgument("attribute 'saturate' must be 0 or 1, got " + std::to_string(saturate));
  }
  return elementwise::MakeClosureKernel([to](KernelContext& ctx) { return CastTo(ctx, to); });
}

Status InferCast(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(DType to, ReadTo(ctx.attrs()));
  ctx.set_output(0, to, ctx.input_type(0).shape);
  return Status::Ok();
}

Status CastLikeCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* like, elementwise::RequireInput(ctx, 1, "target_type"));
  return CastTo(ctx, like->dtype());
}

Status InferCastLike(InferenceContext& ctx) {
  ctx.set_output(0, ctx.input_type(1).dtype, ctx.input_type(0).shape);
  return Status::Ok();
}

}  // namespace

BRISK_REGISTER_OPS(elementwise_cast) {
  Op("Cast").Since(6).Infer(InferCast).Create(CreateCast);
  Op("CastLike").Since(15).Infer(InferCastLike).Compute(CastLikeCompute);
}

}  // namespace brisk
