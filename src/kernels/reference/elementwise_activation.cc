// Activations: Relu, LeakyRelu, PRelu, Elu, Selu, Celu, Sigmoid, HardSigmoid, HardSwish,
// Softplus, Softsign, Tanh, ThresholdedRelu, Gelu, Mish, Shrink, Clip.
#include <cmath>
#include <limits>

#include "kernels/dispatch.h"
#include "kernels/reference/elementwise_util.h"

namespace brisk {
namespace {

using elementwise::ConvertElement;
using elementwise::FromMath;
using elementwise::kIsFloat;
using elementwise::MakeClosureKernel;
using elementwise::MathT;
using elementwise::RequireInput;
using elementwise::ToMath;
using elementwise::UnaryMap;

constexpr std::string_view kX = "input 0 'X'";

// y = f(x) for floating-point x; f gets the value as float (or double for float64).
template <typename F>
Status FloatUnary(KernelContext& ctx, const F& f) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, RequireInput(ctx, 0, "X"));
  return DispatchFloat(x->dtype(), kX, [&]<typename T>() -> Status {
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), x->shape()));
    UnaryMap<T, T>(*x, *y, [&](T v) { return FromMath<T>(f(ToMath(v))); });
    return Status::Ok();
  });
}

// A float activation without attributes.
template <typename F>
void RegisterPlain(const char* name, int since, F f) {
  Op(name).Since(since).Infer(InferSameAsInput0).Compute([f](KernelContext& ctx) {
    return FloatUnary(ctx, f);
  });
}

// A float activation with float attributes read (with defaults) at create time; `make` turns
// the attribute values into the elementwise function, or fails naming a bad attribute.
template <size_t N, typename Make>
void RegisterWithAttrs(const char* name, int since, std::array<const char*, N> attr_names,
                       std::array<float, N> defaults, Make make) {
  Op(name).Since(since).Infer(InferSameAsInput0).Create(
      [attr_names, defaults, make](const KernelInit& init) -> StatusOr<std::unique_ptr<Kernel>> {
        std::array<float, N> values{};
        for (size_t i = 0; i < N; ++i) {
          BRISK_ASSIGN_OR_RETURN(values[i], init.attrs().GetFloat(attr_names[i], defaults[i]));
          if (!std::isfinite(values[i])) {
            return InvalidArgument("attribute '" + std::string(attr_names[i]) +
                                   "' must be finite, got " + std::to_string(values[i]));
          }
        }
        BRISK_ASSIGN_OR_RETURN(auto f, make(values));
        return MakeClosureKernel([f](KernelContext& ctx) { return FloatUnary(ctx, f); });
      });
}

template <typename F>
StatusOr<F> Ok(F f) {
  return f;
}

Status ReluCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, RequireInput(ctx, 0, "X"));
  return DispatchNumeric(x->dtype(), kX, [&]<typename T>() -> Status {
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), x->shape()));
    UnaryMap<T, T>(*x, *y, [](T v) { return v < T(0) ? T(0) : v; });  // NaN passes through
    return Status::Ok();
  });
}

Status PReluCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, RequireInput(ctx, 0, "X"));
  BRISK_ASSIGN_OR_RETURN(const Tensor* slope, RequireInput(ctx, 1, "slope"));
  BRISK_RETURN_IF_ERROR(elementwise::CheckSameDType(*x, 0, "X", *slope, 1, "slope"));
  BRISK_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes(x->shape(), slope->shape()));
  if (shape != x->shape()) {
    return InvalidArgument("input 1 'slope' of shape " + slope->shape().ToString() +
                           " is not unidirectionally broadcastable to input 0 'X' of shape " +
                           x->shape().ToString());
  }
  return DispatchNumeric(x->dtype(), kX, [&]<typename T>() -> Status {
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), shape));
    elementwise::BinaryMap<T, T, T>(*x, *slope, *y, [](T v, T s) -> T {
      if constexpr (kIsFloat<T>) {
        return v < T(0) ? FromMath<T>(ToMath(v) * ToMath(s)) : v;
      } else {
        return v < T(0) ? elementwise::WrapMul(v, s) : v;
      }
    });
    return Status::Ok();
  });
}

Status InferPRelu(InferenceContext& ctx) {
  static constexpr std::string_view kNames[] = {"X", "slope"};
  return elementwise::InferBroadcastSameDType(ctx, std::nullopt, kNames);
}

StatusOr<std::unique_ptr<Kernel>> CreateGelu(const KernelInit& init) {
  BRISK_ASSIGN_OR_RETURN(std::string approx, init.attrs().GetString("approximate", "none"));
  if (approx != "none" && approx != "tanh") {
    return InvalidArgument("attribute 'approximate' must be \"none\" or \"tanh\", got \"" +
                           approx + "\"");
  }
  const bool use_tanh = approx == "tanh";
  return MakeClosureKernel([use_tanh](KernelContext& ctx) {
    return FloatUnary(ctx, [use_tanh](auto v) {
      using M = decltype(v);
      if (use_tanh) {
        const M k = M(0.7978845608028654);  // sqrt(2 / pi)
        return M(0.5) * v * (M(1) + std::tanh(k * (v + M(0.044715) * v * v * v)));
      }
      return M(0.5) * v * (M(1) + std::erf(v * M(0.7071067811865476)));
    });
  });
}

StatusOr<std::unique_ptr<Kernel>> CreateShrink(const KernelInit& init) {
  BRISK_ASSIGN_OR_RETURN(float bias, init.attrs().GetFloat("bias", 0.0f));
  BRISK_ASSIGN_OR_RETURN(float lambd, init.attrs().GetFloat("lambd", 0.5f));
  return MakeClosureKernel([bias, lambd](KernelContext& ctx) -> Status {
    BRISK_ASSIGN_OR_RETURN(const Tensor* x, RequireInput(ctx, 0, "input"));
    return DispatchNumeric(x->dtype(), "input 0 'input'", [&]<typename T>() -> Status {
      BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), x->shape()));
      UnaryMap<T, T>(*x, *y, [&](T v) -> T {
        const double d = ToDouble(v);
        if (d < -double(lambd)) return ConvertElement<T>(d + double(bias));
        if (d > double(lambd)) return ConvertElement<T>(d - double(bias));
        if (std::isnan(d)) return v;
        return T(0);
      });
      return Status::Ok();
    });
  });
}

// ---- Clip ----------------------------------------------------------------------------------

template <typename T>
void ClipMap(const Tensor& x, Tensor& y, T lo, T hi) {
  UnaryMap<T, T>(x, y, [lo, hi](T v) {
    const T r = v < lo ? lo : v;
    return r > hi ? hi : r;
  });
}

// Opset 6-10: min/max attributes.
StatusOr<std::unique_ptr<Kernel>> CreateClip6(const KernelInit& init) {
  constexpr float kMax = std::numeric_limits<float>::max();
  BRISK_ASSIGN_OR_RETURN(float lo, init.attrs().GetFloat("min", -kMax));
  BRISK_ASSIGN_OR_RETURN(float hi, init.attrs().GetFloat("max", kMax));
  return MakeClosureKernel([lo, hi](KernelContext& ctx) -> Status {
    BRISK_ASSIGN_OR_RETURN(const Tensor* x, RequireInput(ctx, 0, "input"));
    return DispatchFloat(x->dtype(), "input 0 'input'", [&]<typename T>() -> Status {
      BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), x->shape()));
      ClipMap<T>(*x, *y, ConvertElement<T>(lo), ConvertElement<T>(hi));
      return Status::Ok();
    });
  });
}

// Opset 11+: optional scalar inputs min (1) and max (2).
Status Clip11Compute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, RequireInput(ctx, 0, "input"));
  const Tensor* bounds[2] = {ctx.input(1), ctx.input(2)};
  const char* names[2] = {"min", "max"};
  for (int i = 0; i < 2; ++i) {
    const Tensor* b = bounds[i];
    if (b == nullptr || !b->defined()) {
      bounds[i] = nullptr;
      continue;
    }
    BRISK_RETURN_IF_ERROR(elementwise::CheckSameDType(*x, 0, "input", *b, i + 1, names[i]));
    if (b->num_elements() != 1) {
      return InvalidArgument(elementwise::InputLabel(i + 1, names[i]) +
                             " must be a scalar, got shape " + b->shape().ToString());
    }
  }
  return DispatchNumeric(x->dtype(), "input 0 'input'", [&]<typename T>() -> Status {
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), x->shape()));
    T lo, hi;
    if constexpr (kIsFloat<T>) {
      lo = ConvertElement<T>(-std::numeric_limits<double>::infinity());
      hi = ConvertElement<T>(std::numeric_limits<double>::infinity());
    } else {
      lo = std::numeric_limits<T>::lowest();
      hi = std::numeric_limits<T>::max();
    }
    if (bounds[0] != nullptr) lo = bounds[0]->data<T>()[0];
    if (bounds[1] != nullptr) hi = bounds[1]->data<T>()[0];
    ClipMap<T>(*x, *y, lo, hi);
    return Status::Ok();
  });
}

}  // namespace

BRISK_REGISTER_OPS(elementwise_activation) {
  Op("Relu").Since(6).Infer(InferSameAsInput0).Compute(ReluCompute);
  Op("PRelu").Since(7).Infer(InferPRelu).Compute(PReluCompute);
  Op("Gelu").Since(20).Infer(InferSameAsInput0).Create(CreateGelu);
  Op("Shrink").Since(9).Infer(InferSameAsInput0).Create(CreateShrink);
  Op("Clip").Since(6).Until(10).Infer(InferSameAsInput0).Create(CreateClip6);
  Op("Clip").Since(11).Infer(InferSameAsInput0).Compute(Clip11Compute);

  RegisterPlain("Sigmoid", 6, [](auto v) {
    using M = decltype(v);
    // Stable for large |v|: never exponentiates a positive number.
    if (v >= M(0)) return M(1) / (M(1) + std::exp(-v));
    const M e = std::exp(v);
    return e / (M(1) + e);
  });
  RegisterPlain("Tanh", 6, [](auto v) { return std::tanh(v); });
  RegisterPlain("Softplus", 1, [](auto v) {
    using M = decltype(v);
    return v > M(0) ? v + std::log1p(std::exp(-v)) : std::log1p(std::exp(v));
  });
  RegisterPlain("Softsign", 1, [](auto v) { return v / (decltype(v)(1) + std::abs(v)); });
  RegisterPlain("HardSwish", 14, [](auto v) {
    using M = decltype(v);
    return v * std::max(M(0), std::min(M(1), v / M(6) + M(0.5)));
  });
  RegisterPlain("Mish", 18, [](auto v) {
    using M = decltype(v);
    const M sp = v > M(0) ? v + std::log1p(std::exp(-v)) : std::log1p(std::exp(v));
    return v * std::tanh(sp);
  });

  RegisterWithAttrs<1>("LeakyRelu", 6, {"alpha"}, {0.01f}, [](std::array<float, 1> a) {
    return Ok([alpha = a[0]](auto v) { return v < decltype(v)(0) ? decltype(v)(alpha) * v : v; });
  });
  RegisterWithAttrs<1>("Elu", 6, {"alpha"}, {1.0f}, [](std::array<float, 1> a) {
    return Ok([alpha = a[0]](auto v) {
      using M = decltype(v);
      return v < M(0) ? M(alpha) * std::expm1(v) : v;
    });
  });
  RegisterWithAttrs<2>("Selu", 6, {"alpha", "gamma"},
                       {1.67326319217681884765625f, 1.05070102214813232421875f},
                       [](std::array<float, 2> a) {
                         return Ok([alpha = a[0], gamma = a[1]](auto v) {
                           using M = decltype(v);
                           return v > M(0) ? M(gamma) * v : M(gamma) * M(alpha) * std::expm1(v);
                         });
                       });
  RegisterWithAttrs<1>(
      "Celu", 12, {"alpha"}, {1.0f},
      [](std::array<float, 1> a) -> StatusOr<std::function<double(double)>> {
        if (a[0] == 0.0f) return InvalidArgument("attribute 'alpha' of Celu must be non-zero");
        const double alpha = a[0];
        return std::function<double(double)>([alpha](double v) {
          return std::max(0.0, v) + std::min(0.0, alpha * std::expm1(v / alpha));
        });
      });
  RegisterWithAttrs<2>("HardSigmoid", 6, {"alpha", "beta"}, {0.2f, 0.5f},
                       [](std::array<float, 2> a) {
                         return Ok([alpha = a[0], beta = a[1]](auto v) {
                           using M = decltype(v);
                           return std::max(M(0), std::min(M(1), M(alpha) * v + M(beta)));
                         });
                       });
  RegisterWithAttrs<1>("ThresholdedRelu", 10, {"alpha"}, {1.0f}, [](std::array<float, 1> a) {
    return Ok([alpha = a[0]](auto v) { return v > decltype(v)(alpha) ? v : decltype(v)(0); });
  });
}

}  // namespace brisk
