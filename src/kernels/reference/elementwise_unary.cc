// Unary math ops: Abs, Neg, Exp, Log, Sqrt, Reciprocal, Floor, Ceil, Round, Sign, the
// trigonometric and hyperbolic functions, Erf, IsNaN, IsInf, Not, BitwiseNot.
#include <cmath>

#include "kernels/dispatch.h"
#include "kernels/reference/elementwise_util.h"

namespace brisk {
namespace {

using elementwise::FromMath;
using elementwise::kIsFloat;
using elementwise::kIsHalf;
using elementwise::MathT;
using elementwise::RequireInput;
using elementwise::ToMath;
using elementwise::UnaryMap;

constexpr std::string_view kX = "input 0 'X'";

// y = f(x) for floating-point x; f gets the value as float (or double for float64).
template <typename F>
Status FloatUnary(KernelContext& ctx, F f) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, RequireInput(ctx, 0, "X"));
  return DispatchFloat(x->dtype(), kX, [&]<typename T>() -> Status {
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), x->shape()));
    UnaryMap<T, T>(*x, *y, [&](T v) { return FromMath<T>(f(ToMath(v))); });
    return Status::Ok();
  });
}

// Registers a float-only unary op computed by `f`.
template <typename F>
void RegisterFloatUnary(const char* name, int since, F f) {
  Op(name).Since(since).Infer(InferSameAsInput0).Compute([f](KernelContext& ctx) {
    return FloatUnary(ctx, f);
  });
}

Status AbsCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, RequireInput(ctx, 0, "X"));
  return DispatchNumeric(x->dtype(), kX, [&]<typename T>() -> Status {
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), x->shape()));
    UnaryMap<T, T>(*x, *y, [](T v) -> T {
      if constexpr (kIsFloat<T>) {
        return FromMath<T>(std::abs(ToMath(v)));
      } else if constexpr (std::is_signed_v<T>) {
        return v < 0 ? elementwise::WrapNeg(v) : v;
      } else {
        return v;
      }
    });
    return Status::Ok();
  });
}

Status NegCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, RequireInput(ctx, 0, "X"));
  return DispatchNumeric(x->dtype(), kX, [&]<typename T>() -> Status {
    if constexpr (std::is_unsigned_v<T>) {
      return Unimplemented(std::string(kX) + ": Neg does not support unsigned dtype " +
                           std::string(DTypeName(x->dtype())));
    } else {
      BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), x->shape()));
      UnaryMap<T, T>(*x, *y, [](T v) -> T {
        if constexpr (kIsFloat<T>) return -v;
        else return elementwise::WrapNeg(v);
      });
      return Status::Ok();
    }
  });
}

Status SignCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, RequireInput(ctx, 0, "X"));
  return DispatchNumeric(x->dtype(), kX, [&]<typename T>() -> Status {
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), x->shape()));
    UnaryMap<T, T>(*x, *y, [](T v) -> T {
      if constexpr (kIsFloat<T>) {
        const MathT<T> m = ToMath(v);
        if (std::isnan(m)) return v;
        return FromMath<T>(m > 0 ? MathT<T>(1) : m < 0 ? MathT<T>(-1) : MathT<T>(0));
      } else if constexpr (std::is_signed_v<T>) {
        return T(v > 0 ? 1 : v < 0 ? -1 : 0);
      } else {
        return T(v > 0 ? 1 : 0);
      }
    });
    return Status::Ok();
  });
}

// Erf is defined for integers too (computed in double, truncated back as onnx.reference does).
Status ErfCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, RequireInput(ctx, 0, "X"));
  return DispatchNumeric(x->dtype(), kX, [&]<typename T>() -> Status {
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), x->shape()));
    UnaryMap<T, T>(*x, *y, [](T v) -> T {
      if constexpr (kIsFloat<T>) {
        return FromMath<T>(std::erf(ToMath(v)));
      } else {
        return elementwise::ConvertElement<T>(std::erf(double(v)));  // truncates
      }
    });
    return Status::Ok();
  });
}

Status IsNaNCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, RequireInput(ctx, 0, "X"));
  return DispatchFloat(x->dtype(), kX, [&]<typename T>() -> Status {
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kBool, x->shape()));
    UnaryMap<T, bool>(*x, *y, [](T v) { return std::isnan(ToMath(v)); });
    return Status::Ok();
  });
}

StatusOr<std::unique_ptr<Kernel>> CreateIsInf(const KernelInit& init) {
  BRISK_ASSIGN_OR_RETURN(int64_t pos, init.attrs().GetInt("detect_positive", 1));
  BRISK_ASSIGN_OR_RETURN(int64_t neg, init.attrs().GetInt("detect_negative", 1));
  if (pos != 0 && pos != 1) {
    return InvalidArgument("attribute 'detect_positive' must be 0 or 1, got " +
                           std::to_string(pos));
  }
  if (neg != 0 && neg != 1) {
    return InvalidArgument("attribute 'detect_negative' must be 0 or 1, got " +
                           std::to_string(neg));
  }
  return elementwise::MakeClosureKernel([pos, neg](KernelContext& ctx) -> Status {
    BRISK_ASSIGN_OR_RETURN(const Tensor* x, RequireInput(ctx, 0, "X"));
    return DispatchFloat(x->dtype(), kX, [&]<typename T>() -> Status {
      BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kBool, x->shape()));
      UnaryMap<T, bool>(*x, *y, [&](T v) {
        const MathT<T> m = ToMath(v);
        return std::isinf(m) && ((m > 0 && pos != 0) || (m < 0 && neg != 0));
      });
      return Status::Ok();
    });
  });
}

Status NotCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, RequireInput(ctx, 0, "X"));
  if (x->dtype() != DType::kBool) {
    return Unimplemented(std::string(kX) + ": dtype " + std::string(DTypeName(x->dtype())) +
                         " is not supported (expected bool)");
  }
  BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kBool, x->shape()));
  UnaryMap<bool, bool>(*x, *y, [](bool v) { return !v; });
  return Status::Ok();
}

Status BitwiseNotCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, RequireInput(ctx, 0, "X"));
  return DispatchInteger(x->dtype(), kX, [&]<typename T>() -> Status {
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), x->shape()));
    UnaryMap<T, T>(*x, *y, [](T v) { return T(~v); });
    return Status::Ok();
  });
}

Status InferBool(InferenceContext& ctx) {
  return elementwise::InferSameShapeAs0(ctx, DType::kBool);
}

}  // namespace

BRISK_REGISTER_OPS(elementwise_unary) {
  Op("Abs").Since(6).Infer(InferSameAsInput0).Compute(AbsCompute);
  Op("Neg").Since(6).Infer(InferSameAsInput0).Compute(NegCompute);
  Op("Sign").Since(9).Infer(InferSameAsInput0).Compute(SignCompute);
  Op("Erf").Since(9).Infer(InferSameAsInput0).Compute(ErfCompute);
  Op("IsNaN").Since(9).Infer(InferBool).Compute(IsNaNCompute);
  Op("IsInf").Since(10).Infer(InferBool).Create(CreateIsInf);
  Op("Not").Since(1).Infer(InferSameAsInput0).Compute(NotCompute);
  Op("BitwiseNot").Since(18).Infer(InferSameAsInput0).Compute(BitwiseNotCompute);

  RegisterFloatUnary("Exp", 6, [](auto v) { return std::exp(v); });
  RegisterFloatUnary("Log", 6, [](auto v) { return std::log(v); });
  RegisterFloatUnary("Sqrt", 6, [](auto v) { return std::sqrt(v); });
  RegisterFloatUnary("Reciprocal", 6, [](auto v) { return decltype(v)(1) / v; });
  RegisterFloatUnary("Floor", 6, [](auto v) { return std::floor(v); });
  RegisterFloatUnary("Ceil", 6, [](auto v) { return std::ceil(v); });
  // Half to even: nearbyint under the default rounding mode.
  RegisterFloatUnary("Round", 11, [](auto v) { return std::nearbyint(v); });
  RegisterFloatUnary("Sin", 7, [](auto v) { return std::sin(v); });
  RegisterFloatUnary("Cos", 7, [](auto v) { return std::cos(v); });
  RegisterFloatUnary("Tan", 7, [](auto v) { return std::tan(v); });
  RegisterFloatUnary("Asin", 7, [](auto v) { return std::asin(v); });
  RegisterFloatUnary("Acos", 7, [](auto v) { return std::acos(v); });
  RegisterFloatUnary("Atan", 7, [](auto v) { return std::atan(v); });
  RegisterFloatUnary("Sinh", 9, [](auto v) { return std::sinh(v); });
  RegisterFloatUnary("Cosh", 9, [](auto v) { return std::cosh(v); });
  RegisterFloatUnary("Asinh", 9, [](auto v) { return std::asinh(v); });
  RegisterFloatUnary("Acosh", 9, [](auto v) { return std::acosh(v); });
  RegisterFloatUnary("Atanh", 9, [](auto v) { return std::atanh(v); });
}

}  // namespace brisk
