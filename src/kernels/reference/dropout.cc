// Dropout (opsets 7, 10, 12, 13). In inference (the default) output = input and the optional
// mask is all true. From opset 12 `ratio` and `training_mode` are inputs; with training_mode
// true and ratio > 0 elements are dropped at random (seeded by the `seed` attribute when given)
// and the survivors scaled by 1 / (1 - ratio). Before opset 10 the mask has the input's dtype.
#include <random>

#include "kernels/dispatch.h"
#include "kernels/reference/linalg_norm_util.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

using linalg_norm::InputName;

DType MaskDtype(int opset, DType input) { return opset < 10 ? input : DType::kBool; }

Status InferDropout(InferenceContext& ctx) {
  const ir::TypeInfo& x = ctx.input_type(0);
  if (x.dtype != DType::kUndefined && !IsFloatingPoint(x.dtype)) {
    return InvalidArgument(InputName(0, "data") + ": dtype " + std::string(DTypeName(x.dtype)) +
                           " is not supported (expected a floating-point type)");
  }
  if (ctx.opset() >= 12) {
    const ir::TypeInfo& r = ctx.input_type(1);
    if (ctx.has_input(1) && r.shape && r.shape->rank() != 0)
      return InvalidArgument(InputName(1, "ratio") + ": expected a scalar, got shape " +
                             r.shape->ToString());
    const ir::TypeInfo& t = ctx.input_type(2);
    if (ctx.has_input(2) && t.dtype != DType::kUndefined && t.dtype != DType::kBool)
      return InvalidArgument(InputName(2, "training_mode") + ": expected bool, got " +
                             std::string(DTypeName(t.dtype)));
  }
  ctx.set_output_type(0, x);
  if (ctx.num_outputs() > 1) {
    const DType mask = x.dtype == DType::kUndefined && ctx.opset() < 10
                           ? DType::kUndefined
                           : MaskDtype(ctx.opset(), x.dtype);
    ctx.set_output(1, mask, x.shape);
  }
  return Status::Ok();
}

class DropoutKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    float ratio = 0.5f;
    if (init.opset() < 12) {
      BRISK_ASSIGN_OR_RETURN(ratio, init.attrs().GetFloat("ratio", 0.5f));
    }
    std::optional<int64_t> seed;
    if (init.attrs().Has("seed")) {
      BRISK_ASSIGN_OR_RETURN(int64_t s, init.attrs().GetInt("seed"));
      seed = s;
    }
    if (!(ratio >= 0.f && ratio <= 1.f))
      return InvalidArgument("attribute 'ratio' must be in [0, 1], got " + std::to_string(ratio));
    return MakeKernel<DropoutKernel>(ratio, seed);
  }
  DropoutKernel(float ratio, std::optional<int64_t> seed) : ratio_(ratio), seed_(seed) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (x == nullptr) return InvalidArgument(InputName(0, "data") + " is required");
    if (!IsFloatingPoint(x->dtype())) {
      return InvalidArgument(InputName(0, "data") + ": dtype " +
                             std::string(DTypeName(x->dtype())) +
                             " is not supported (expected a floating-point type)");
    }
    double ratio = ratio_;
    bool training = false;
    if (ctx.opset() >= 12) {
      if (const Tensor* r = ctx.input(1); r != nullptr) {
        if (!IsFloatingPoint(r->dtype()))
          return InvalidArgument(InputName(1, "ratio") + ": expected a floating-point scalar");
        BRISK_ASSIGN_OR_RETURN(ratio, linalg_norm::ReadScalarAsDouble(*r, InputName(1, "ratio")));
        if (!(ratio >= 0 && ratio <= 1))
          return InvalidArgument(InputName(1, "ratio") + ": must be in [0, 1], got " +
                                 std::to_string(ratio));
      }
      if (const Tensor* t = ctx.input(2); t != nullptr) {
        if (t->dtype() != DType::kBool || t->num_elements() != 1)
          return InvalidArgument(InputName(2, "training_mode") + ": expected a bool scalar, got " +
                                 t->TypeString());
        training = t->data<bool>()[0];
      }
    }
    const bool want_mask = ctx.output_requested(1) && ctx.num_outputs() > 1;
    const DType mask_dtype = MaskDtype(ctx.opset(), x->dtype());
    if (!training || ratio == 0) {
      ctx.set_output(0, *x);
      if (want_mask) {
        BRISK_ASSIGN_OR_RETURN(Tensor * m, ctx.AllocateOutput(1, mask_dtype, x->shape()));
        auto fill = [&]<typename M>() -> Status {
          for (M& v : m->span<M>()) v = M(1);
          return Status::Ok();
        };
        BRISK_RETURN_IF_ERROR(DispatchNumericOrBool(mask_dtype, "mask", fill));
      }
      return Status::Ok();
    }
    // Training mode: random mask.
    // MT19937 seeded like numpy's legacy RandomState(seed), drawing doubles the way its
    // random_sample does, so a given seed reproduces numpy's (and the ONNX tests') masks.
    std::mt19937 rng(seed_ ? uint32_t(uint64_t(*seed_)) : std::random_device{}());
    auto dist = [](std::mt19937& g) {
      const double a = double(g() >> 5), b = double(g() >> 6);
      return (a * 67108864.0 + b) / 9007199254740992.0;
    };
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), x->shape()));
    Tensor* m = nullptr;
    if (want_mask) {
      BRISK_ASSIGN_OR_RETURN(m, ctx.AllocateOutput(1, DType::kBool, x->shape()));
    }
    const double scale = ratio >= 1 ? 0.0 : 1.0 / (1.0 - ratio);
    return DispatchFloat(x->dtype(), InputName(0, "data"), [&]<typename T>() -> Status {
      const T* xp = x->data<T>();
      T* yp = y->data<T>();
      for (int64_t i = 0; i < x->num_elements(); ++i) {
        const bool keep = dist(rng) >= ratio;
        yp[i] = FromDouble<T>(keep ? ToDouble(xp[i]) * scale : 0.0);
        if (m != nullptr) m->data<bool>()[i] = keep;
      }
      return Status::Ok();
    });
  }

 private:
  float ratio_;
  std::optional<int64_t> seed_;
};

}  // namespace

BRISK_REGISTER_OPS(dropout) {
  Op("Dropout").Since(7).Infer(InferDropout).Kernel<DropoutKernel>();
}

}  // namespace brisk
