// Binary ops with numpy broadcasting, all on the shared engine in elementwise_util.h:
// Add, Sub, Mul, Div, Pow, Mod, BitShift, BitwiseAnd/Or/Xor, Equal, Less, Greater,
// LessOrEqual, GreaterOrEqual, And, Or, Xor.
#include <cmath>
#include <limits>

#include "kernels/dispatch.h"
#include "kernels/reference/elementwise_util.h"

namespace brisk {
namespace {

using elementwise::BinaryMap;
using elementwise::ConvertElement;
using elementwise::FromMath;
using elementwise::kIsFloat;
using elementwise::MakeClosureKernel;
using elementwise::RequireInput;
using elementwise::ToMath;

constexpr std::string_view kA = "input 0 'A'";

enum class TypeSet { kNumeric, kInteger, kUnsigned, kBool, kAll };

template <TypeSet kSet, typename F>
Status DispatchSet(DType d, std::string_view what, F&& fn) {
  if constexpr (kSet == TypeSet::kNumeric) {
    return DispatchNumeric(d, what, std::forward<F>(fn));
  } else if constexpr (kSet == TypeSet::kInteger) {
    return DispatchInteger(d, what, std::forward<F>(fn));
  } else if constexpr (kSet == TypeSet::kUnsigned) {
    switch (d) {
      case DType::kUInt8: return fn.template operator()<uint8_t>();
      case DType::kUInt16: return fn.template operator()<uint16_t>();
      case DType::kUInt32: return fn.template operator()<uint32_t>();
      case DType::kUInt64: return fn.template operator()<uint64_t>();
      default:
        return Unimplemented(std::string(what) + ": dtype " + std::string(DTypeName(d)) +
                             " is not supported (expected an unsigned integer type)");
    }
  } else if constexpr (kSet == TypeSet::kBool) {
    if (d == DType::kBool) return fn.template operator()<bool>();
    return Unimplemented(std::string(what) + ": dtype " + std::string(DTypeName(d)) +
                         " is not supported (expected bool)");
  } else {
    return DispatchAll(d, what, std::forward<F>(fn));
  }
}

struct BinaryArgs {
  const Tensor* a;
  const Tensor* b;
  Shape shape;
};

StatusOr<BinaryArgs> PrepareBinary(KernelContext& ctx, bool same_dtype = true) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* a, RequireInput(ctx, 0, "A"));
  BRISK_ASSIGN_OR_RETURN(const Tensor* b, RequireInput(ctx, 1, "B"));
  if (same_dtype) BRISK_RETURN_IF_ERROR(elementwise::CheckSameDType(*a, 0, "A", *b, 1, "B"));
  BRISK_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes(a->shape(), b->shape()));
  return BinaryArgs{a, b, std::move(shape)};
}

// Runs an op whose inputs A and B share dtype T (from `kSet`) and whose output is
// `op.template operator()<T>()(a, b)`, of type T (or bool when `bool_out`).
template <TypeSet kSet, typename OpFactory>
Status RunSameTypeBinary(KernelContext& ctx, bool bool_out, const OpFactory& op) {
  BRISK_ASSIGN_OR_RETURN(BinaryArgs args, PrepareBinary(ctx));
  return DispatchSet<kSet>(args.a->dtype(), kA, [&]<typename T>() -> Status {
    auto f = op.template operator()<T>();
    const DType out_dtype = bool_out ? DType::kBool : args.a->dtype();
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, out_dtype, args.shape));
    using R = decltype(f(std::declval<T>(), std::declval<T>()));
    BinaryMap<T, T, R>(*args.a, *args.b, *y, f);
    return Status::Ok();
  });
}

Status InferSameType(InferenceContext& ctx) {
  static constexpr std::string_view kNames[] = {"A", "B"};
  return elementwise::InferBroadcastSameDType(ctx, std::nullopt, kNames);
}
Status InferSameTypeBool(InferenceContext& ctx) {
  static constexpr std::string_view kNames[] = {"A", "B"};
  return elementwise::InferBroadcastSameDType(ctx, DType::kBool, kNames);
}

template <TypeSet kSet, typename OpFactory>
void RegisterBinary(const char* name, int since, bool bool_out, OpFactory op) {
  Op(name)
      .Since(since)
      .Infer(bool_out ? InferSameTypeBool : InferSameType)
      .Compute([bool_out, op](KernelContext& ctx) {
        return RunSameTypeBinary<kSet>(ctx, bool_out, op);
      });
}

// ---- Arithmetic ----------------------------------------------------------------------------

struct AddOp {
  template <typename T>
  auto operator()() const {
    return [](T a, T b) -> T {
      if constexpr (kIsFloat<T>) return a + b;
      else return elementwise::WrapAdd(a, b);
    };
  }
};
struct SubOp {
  template <typename T>
  auto operator()() const {
    return [](T a, T b) -> T {
      if constexpr (kIsFloat<T>) return a - b;
      else return elementwise::WrapSub(a, b);
    };
  }
};
struct MulOp {
  template <typename T>
  auto operator()() const {
    return [](T a, T b) -> T {
      if constexpr (kIsFloat<T>) return a * b;
      else return elementwise::WrapMul(a, b);
    };
  }
};

// Integer division or modulo by zero is an error, not a crash.
template <typename T>
Status CheckNoZeroDivisor(const Tensor& b, std::string_view op) {
  if constexpr (elementwise::kIsInt<T>) {
    for (T v : b.span<T>()) {
      if (v == T(0)) return InvalidArgument("input 1 'B': integer " + std::string(op) + " by zero");
    }
  }
  return Status::Ok();
}

Status DivCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(BinaryArgs args, PrepareBinary(ctx));
  return DispatchNumeric(args.a->dtype(), kA, [&]<typename T>() -> Status {
    BRISK_RETURN_IF_ERROR(CheckNoZeroDivisor<T>(*args.b, "division"));
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, args.a->dtype(), args.shape));
    BinaryMap<T, T, T>(*args.a, *args.b, *y, [](T a, T b) -> T {
      if constexpr (kIsFloat<T>) {
        return a / b;
      } else if constexpr (std::is_signed_v<T>) {
        return b == T(-1) ? elementwise::WrapNeg(a) : T(a / b);  // truncates toward zero
      } else {
        return T(a / b);
      }
    });
    return Status::Ok();
  });
}

StatusOr<std::unique_ptr<Kernel>> CreateMod(const KernelInit& init) {
  BRISK_ASSIGN_OR_RETURN(int64_t fmod, init.attrs().GetInt("fmod", 0));
  if (fmod != 0 && fmod != 1) {
    return InvalidArgument("attribute 'fmod' must be 0 or 1, got " + std::to_string(fmod));
  }
  return MakeClosureKernel([fmod](KernelContext& ctx) -> Status {
    BRISK_ASSIGN_OR_RETURN(BinaryArgs args, PrepareBinary(ctx));
    return DispatchNumeric(args.a->dtype(), kA, [&]<typename T>() -> Status {
      BRISK_RETURN_IF_ERROR(CheckNoZeroDivisor<T>(*args.b, "modulo"));
      BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, args.a->dtype(), args.shape));
      BinaryMap<T, T, T>(*args.a, *args.b, *y, [fmod](T a, T b) -> T {
        if constexpr (kIsFloat<T>) {
          // Floats always use C fmod (fmod=0 is invalid for floats; onnx.reference does this).
          return FromMath<T>(std::fmod(ToMath(a), ToMath(b)));
        } else if constexpr (std::is_signed_v<T>) {
          if (b == T(-1)) return T(0);
          T r = T(a % b);
          if (fmod == 0 && r != 0 && ((r < 0) != (b < 0))) r = T(r + b);  // sign of divisor
          return r;
        } else {
          return T(a % b);
        }
      });
      return Status::Ok();
    });
  });
}

// Integer power by squaring with wrap-around for non-negative integral exponents.
template <typename T>
T IntPow(T base, uint64_t e) {
  T result = T(1);
  while (e != 0) {
    if (e & 1u) result = elementwise::WrapMul(result, base);
    base = elementwise::WrapMul(base, base);
    e >>= 1;
  }
  return result;
}

template <typename T, typename E>
T PowElement(T a, E b) {
  if constexpr (kIsFloat<T>) {
    if constexpr (std::is_same_v<E, T>) {
      return FromMath<T>(std::pow(ToMath(a), ToMath(b)));
    } else {
      return ConvertElement<T>(std::pow(ToDouble(a), ToDouble(b)));
    }
  } else {
    const double e = ToDouble(b);
    if (e >= 0 && e < 18446744073709551616.0 && e == std::floor(e)) return IntPow(a, uint64_t(e));
    return ConvertElement<T>(std::pow(double(a), e));
  }
}

Status PowCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(BinaryArgs args, PrepareBinary(ctx, /*same_dtype=*/false));
  const DType base_dtype = args.a->dtype();
  const DType exp_dtype = args.b->dtype();
  if (!IsFloatingPoint(exp_dtype) && !IsInteger(exp_dtype)) {
    return Unimplemented("input 1 'Y': dtype " + std::string(DTypeName(exp_dtype)) +
                         " is not supported (expected a numeric type)");
  }
  return DispatchNumeric(base_dtype, "input 0 'X'", [&]<typename T>() -> Status {
    BRISK_ASSIGN_OR_RETURN(Tensor * z, ctx.AllocateOutput(0, base_dtype, args.shape));
    if (exp_dtype == base_dtype) {
      BinaryMap<T, T, T>(*args.a, *args.b, *z, PowElement<T, T>);
      return Status::Ok();
    }
    // Mixed dtypes: widen the exponent to double (exact for every exponent type but the
    // largest 64-bit integers, which make no sense as exponents).
    BRISK_ASSIGN_OR_RETURN(Tensor e, Tensor::Allocate(DType::kFloat64, args.b->shape()));
    BRISK_RETURN_IF_ERROR(DispatchNumeric(exp_dtype, "input 1 'Y'", [&]<typename E>() -> Status {
      elementwise::UnaryMap<E, double>(*args.b, e, [](E v) { return ToDouble(v); });
      return Status::Ok();
    }));
    BinaryMap<T, double, T>(*args.a, e, *z, PowElement<T, double>);
    return Status::Ok();
  });
}

Status InferPow(InferenceContext& ctx) {
  std::vector<std::optional<SymbolicShape>> shapes = {ctx.input_type(0).shape,
                                                      ctx.input_type(1).shape};
  BRISK_ASSIGN_OR_RETURN(auto shape, BroadcastSymbolic(shapes));
  ctx.set_output(0, ctx.input_type(0).dtype, std::move(shape));
  return Status::Ok();
}

StatusOr<std::unique_ptr<Kernel>> CreateBitShift(const KernelInit& init) {
  if (!init.attrs().Has("direction")) {
    return InvalidArgument("attribute 'direction' is required (\"LEFT\" or \"RIGHT\")");
  }
  BRISK_ASSIGN_OR_RETURN(std::string dir, init.attrs().GetString("direction"));
  if (dir != "LEFT" && dir != "RIGHT") {
    return InvalidArgument("attribute 'direction' must be \"LEFT\" or \"RIGHT\", got \"" + dir +
                           "\"");
  }
  const bool left = dir == "LEFT";
  return MakeClosureKernel([left](KernelContext& ctx) -> Status {
    BRISK_ASSIGN_OR_RETURN(BinaryArgs args, PrepareBinary(ctx));
    return DispatchSet<TypeSet::kUnsigned>(args.a->dtype(), "input 0 'X'",
                       [&]<typename T>() -> Status {
                         BRISK_ASSIGN_OR_RETURN(
                             Tensor * z, ctx.AllocateOutput(0, args.a->dtype(), args.shape));
                         BinaryMap<T, T, T>(*args.a, *args.b, *z, [left](T a, T b) -> T {
                           if (uint64_t(b) >= sizeof(T) * 8) return T(0);
                           return left ? T(a << b) : T(a >> b);
                         });
                         return Status::Ok();
                       });
  });
}

// ---- Comparisons and logic -----------------------------------------------------------------

#define BRISK_COMPARE_OP_(NAME, EXPR)            \
  struct NAME {                                  \
    template <typename T>                        \
    auto operator()() const {                    \
      return [](const T& a, const T& b) -> bool { \
        return EXPR;                             \
      };                                         \
    }                                            \
  };
BRISK_COMPARE_OP_(EqualOp, a == b)
BRISK_COMPARE_OP_(LessOp, a < b)
BRISK_COMPARE_OP_(GreaterOp, a > b)
BRISK_COMPARE_OP_(LessOrEqualOp, a <= b)
BRISK_COMPARE_OP_(GreaterOrEqualOp, a >= b)
BRISK_COMPARE_OP_(AndOp, a && b)
BRISK_COMPARE_OP_(OrOp, a || b)
BRISK_COMPARE_OP_(XorOp, a != b)
#undef BRISK_COMPARE_OP_

#define BRISK_BITWISE_OP_(NAME, OPER)              \
  struct NAME {                                    \
    template <typename T>                          \
    auto operator()() const {                      \
      return [](T a, T b) -> T { return T(a OPER b); }; \
    }                                              \
  };
BRISK_BITWISE_OP_(BitwiseAndOp, &)
BRISK_BITWISE_OP_(BitwiseOrOp, |)
BRISK_BITWISE_OP_(BitwiseXorOp, ^)
#undef BRISK_BITWISE_OP_

}  // namespace

BRISK_REGISTER_OPS(elementwise_binary) {
  RegisterBinary<TypeSet::kNumeric>("Add", 7, false, AddOp{});
  RegisterBinary<TypeSet::kNumeric>("Sub", 7, false, SubOp{});
  RegisterBinary<TypeSet::kNumeric>("Mul", 7, false, MulOp{});
  Op("Div").Since(7).Infer(InferSameType).Compute(DivCompute);
  Op("Mod").Since(10).Infer(InferSameType).Create(CreateMod);
  Op("Pow").Since(7).Infer(InferPow).Compute(PowCompute);
  Op("BitShift").Since(11).Infer(InferSameType).Create(CreateBitShift);
  RegisterBinary<TypeSet::kInteger>("BitwiseAnd", 18, false, BitwiseAndOp{});
  RegisterBinary<TypeSet::kInteger>("BitwiseOr", 18, false, BitwiseOrOp{});
  RegisterBinary<TypeSet::kInteger>("BitwiseXor", 18, false, BitwiseXorOp{});

  // Equal accepts every dtype (strings from opset 19; harmless before).
  RegisterBinary<TypeSet::kAll>("Equal", 7, true, EqualOp{});
  RegisterBinary<TypeSet::kNumeric>("Less", 7, true, LessOp{});
  RegisterBinary<TypeSet::kNumeric>("Greater", 7, true, GreaterOp{});
  RegisterBinary<TypeSet::kNumeric>("LessOrEqual", 12, true, LessOrEqualOp{});
  RegisterBinary<TypeSet::kNumeric>("GreaterOrEqual", 12, true, GreaterOrEqualOp{});
  RegisterBinary<TypeSet::kBool>("And", 7, true, AndOp{});
  RegisterBinary<TypeSet::kBool>("Or", 7, true, OrOp{});
  RegisterBinary<TypeSet::kBool>("Xor", 7, true, XorOp{});
}

}  // namespace brisk
