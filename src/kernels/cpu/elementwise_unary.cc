// Fast float32 unary ops on the CPU: Relu, LeakyRelu, Sigmoid, Tanh, Erf, Gelu, HardSigmoid,
// HardSwish, Clip (constant bounds), Exp, Sqrt, Neg, Abs, and Pow with the constant exponent 2.
// Each runs the vectorised microkernel of the active ISA (ukernels/f32_elementwise.h) over
// ParallelFor chunks. Other dtypes, non-constant Clip bounds and other exponents are declined
// (the reference kernel runs).
#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include "core/threads.h"
#include "kernels/cpu/fast_kernel_util.h"
#include "kernels/cpu/ukernels/f32_elementwise.h"
#include "kernels/registry.h"

namespace brisk::cpu {
namespace {

using ukernels::UnaryOp;
using ukernels::UnaryParams;

class UnaryKernel : public Kernel {
 public:
  explicit UnaryKernel(UnaryParams params)
      : params_(params), uk_(ukernels::ActiveF32Elementwise()) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (x == nullptr || x->dtype() != DType::kFloat32) {
      return InvalidArgument("input 0: expected float32");
    }
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kFloat32, x->shape()));
    const float* in = x->data<float>();
    float* out = y->data<float>();
    ParallelFor(x->num_elements(), kStreamGrain, [&](int64_t begin, int64_t end) {
      uk_.unary(params_, in + begin, out + begin, end - begin);
    });
    return Status::Ok();
  }
  std::string Describe() const override { return std::string(IsaName(uk_.isa)); }

 private:
  UnaryParams params_;
  const ukernels::F32ElementwiseUkernels& uk_;
};

StatusOr<std::unique_ptr<Kernel>> Decline() { return std::unique_ptr<Kernel>(); }

StatusOr<std::unique_ptr<Kernel>> Make(const KernelInit& init, UnaryParams params) {
  if (!IsFloat32Input(init, 0)) return Decline();
  return MakeKernel<UnaryKernel>(params);
}

// A factory for an op without attributes.
KernelFactory Plain(UnaryOp op) {
  return [op](const KernelInit& init) { return Make(init, UnaryParams{op}); };
}

// Float attribute `name` (default `def`); nullopt when present but unreadable or not finite,
// which the factory declines so the reference kernel reports it.
std::optional<float> FiniteAttr(const KernelInit& init, const char* name, float def) {
  StatusOr<float> v = init.attrs().GetFloat(name, def);
  if (!v.ok() || !std::isfinite(*v)) return std::nullopt;
  return *v;
}

StatusOr<std::unique_ptr<Kernel>> CreateLeakyRelu(const KernelInit& init) {
  const auto alpha = FiniteAttr(init, "alpha", 0.01f);
  if (!alpha) return Decline();
  return Make(init, {UnaryOp::kLeakyRelu, *alpha, 0.f});
}

StatusOr<std::unique_ptr<Kernel>> CreateHardSigmoid(const KernelInit& init) {
  const auto alpha = FiniteAttr(init, "alpha", 0.2f);
  const auto beta = FiniteAttr(init, "beta", 0.5f);
  if (!alpha || !beta) return Decline();
  return Make(init, {UnaryOp::kHardSigmoid, *alpha, *beta});
}

StatusOr<std::unique_ptr<Kernel>> CreateGelu(const KernelInit& init) {
  StatusOr<std::string> approx = init.attrs().GetString("approximate", "none");
  if (!approx.ok()) return Decline();
  if (*approx == "none") return Make(init, {UnaryOp::kGelu});
  if (*approx == "tanh") return Make(init, {UnaryOp::kGeluTanh});
  return Decline();
}

StatusOr<std::unique_ptr<Kernel>> CreateClip6(const KernelInit& init) {
  constexpr float kMax = std::numeric_limits<float>::max();
  StatusOr<float> lo = init.attrs().GetFloat("min", -kMax);
  StatusOr<float> hi = init.attrs().GetFloat("max", kMax);
  if (!lo.ok() || !hi.ok()) return Decline();
  return Make(init, {UnaryOp::kClip, *lo, *hi});
}

// Clip-11+: min (1) and max (2) must be absent or constant float32 scalars.
StatusOr<std::unique_ptr<Kernel>> CreateClip11(const KernelInit& init) {
  float bounds[2] = {-std::numeric_limits<float>::infinity(),
                     std::numeric_limits<float>::infinity()};
  for (int i = 1; i <= 2; ++i) {
    if (!init.node.has_input(i)) continue;
    const Tensor* c = ConstantInput(init, i);
    if (c == nullptr || c->dtype() != DType::kFloat32 || c->num_elements() != 1) return Decline();
    bounds[i - 1] = c->data<float>()[0];
  }
  return Make(init, {UnaryOp::kClip, bounds[0], bounds[1]});
}

// Pow(X, 2) with a constant scalar exponent: X * X (what the decomposed LayerNorm of older BERT
// exports computes). The exponent's rank must not widen X's shape.
StatusOr<std::unique_ptr<Kernel>> CreatePow(const KernelInit& init) {
  const Tensor* e = ConstantInput(init, 1);
  if (e == nullptr || e->dtype() != DType::kFloat32 || e->num_elements() != 1 ||
      e->data<float>()[0] != 2.f) {
    return Decline();
  }
  const std::optional<int> rank = KnownRank(init, 0);
  if (e->rank() > 0 && (!rank || *rank < e->rank())) return Decline();
  return Make(init, {UnaryOp::kSquare});
}

}  // namespace

BRISK_REGISTER_OPS(cpu_elementwise_unary) {
  Op("Relu").Since(6).Backend(kCpuBackend).Create(Plain(UnaryOp::kRelu));
  Op("LeakyRelu").Since(6).Backend(kCpuBackend).Create(CreateLeakyRelu);
  Op("Sigmoid").Since(6).Backend(kCpuBackend).Create(Plain(UnaryOp::kSigmoid));
  Op("Tanh").Since(6).Backend(kCpuBackend).Create(Plain(UnaryOp::kTanh));
  Op("Erf").Since(9).Backend(kCpuBackend).Create(Plain(UnaryOp::kErf));
  Op("Gelu").Since(20).Backend(kCpuBackend).Create(CreateGelu);
  Op("HardSigmoid").Since(6).Backend(kCpuBackend).Create(CreateHardSigmoid);
  Op("HardSwish").Since(14).Backend(kCpuBackend).Create(Plain(UnaryOp::kHardSwish));
  Op("Clip").Since(6).Until(10).Backend(kCpuBackend).Create(CreateClip6);
  Op("Clip").Since(11).Backend(kCpuBackend).Create(CreateClip11);
  Op("Exp").Since(6).Backend(kCpuBackend).Create(Plain(UnaryOp::kExp));
  Op("Sqrt").Since(6).Backend(kCpuBackend).Create(Plain(UnaryOp::kSqrt));
  Op("Neg").Since(6).Backend(kCpuBackend).Create(Plain(UnaryOp::kNeg));
  Op("Abs").Since(6).Backend(kCpuBackend).Create(Plain(UnaryOp::kAbs));
  Op("Pow").Since(7).Backend(kCpuBackend).Create(CreatePow);
}

}  // namespace brisk::cpu
