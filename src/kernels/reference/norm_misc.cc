// LpNormalization (1), MeanVarianceNormalization (9, 13), LRN (1, 13).
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/reference/linalg_norm_util.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

using linalg_norm::InputName;

Status InferFloatSameShape(InferenceContext& ctx, std::string_view name) {
  const DType d = ctx.input_type(0).dtype;
  if (d != DType::kUndefined && !IsFloatingPoint(d)) {
    return InvalidArgument(InputName(0, name) + ": dtype " + std::string(DTypeName(d)) +
                           " is not supported (expected a floating-point type)");
  }
  ctx.set_output_type(0, ctx.input_type(0));
  return Status::Ok();
}

// ---- LpNormalization -----------------------------------------------------------------------

Status InferLpNorm(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(int64_t p, ctx.attrs().GetInt("p", 2));
  if (p != 1 && p != 2) return InvalidArgument("attribute 'p' must be 1 or 2, got " +
                                               std::to_string(p));
  BRISK_ASSIGN_OR_RETURN(int64_t axis, ctx.attrs().GetInt("axis", -1));
  const auto& s = ctx.input_type(0).shape;
  if (s) BRISK_RETURN_IF_ERROR(NormalizeAxis(axis, s->rank(), "attribute 'axis'").status());
  return InferFloatSameShape(ctx, "input");
}

class LpNormKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(int64_t p, init.attrs().GetInt("p", 2));
    if (p != 1 && p != 2) return InvalidArgument("attribute 'p' must be 1 or 2, got " +
                                                 std::to_string(p));
    BRISK_ASSIGN_OR_RETURN(int64_t axis, init.attrs().GetInt("axis", -1));
    return MakeKernel<LpNormKernel>(p, axis);
  }
  LpNormKernel(int64_t p, int64_t axis) : p_(p), axis_(axis) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (x == nullptr) return InvalidArgument(InputName(0, "input") + " is required");
    if (x->rank() == 0)
      return InvalidArgument(InputName(0, "input") + ": expected rank >= 1, got 0");
    BRISK_ASSIGN_OR_RETURN(int axis, NormalizeAxis(axis_, x->rank(), "attribute 'axis'"));
    const int64_t outer = x->shape().NumElements(0, axis), len = x->dim(axis);
    const int64_t inner = x->shape().NumElements(axis + 1, x->rank());
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), x->shape()));
    return DispatchFloat(x->dtype(), InputName(0, "input"), [&]<typename T>() -> Status {
      const T* xp = x->data<T>();
      T* yp = y->data<T>();
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t n = 0; n < inner; ++n) {
          double norm = 0;
          for (int64_t i = 0; i < len; ++i) {
            const double v = ToDouble(xp[(o * len + i) * inner + n]);
            norm += p_ == 1 ? std::fabs(v) : v * v;
          }
          if (p_ == 2) norm = std::sqrt(norm);
          for (int64_t i = 0; i < len; ++i) {
            const int64_t at = (o * len + i) * inner + n;
            // A zero vector stays zero (instead of 0/0).
            yp[at] = FromDouble<T>(norm == 0 ? 0.0 : ToDouble(xp[at]) / norm);
          }
        }
      return Status::Ok();
    });
  }

 private:
  int64_t p_, axis_;
};

// ---- MeanVarianceNormalization -------------------------------------------------------------

StatusOr<std::vector<bool>> ReducedAxes(const std::vector<int64_t>& axes, int rank) {
  std::vector<bool> reduced(size_t(rank), false);
  for (int64_t a : axes) {
    BRISK_ASSIGN_OR_RETURN(int n, NormalizeAxis(a, rank, "attribute 'axes' entry"));
    if (rank == 0) continue;
    reduced[size_t(n)] = true;
  }
  return reduced;
}

const std::vector<int64_t> kDefaultMvnAxes = {0, 2, 3};

Status InferMvn(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(auto axes, ctx.attrs().GetInts("axes", kDefaultMvnAxes));
  const auto& s = ctx.input_type(0).shape;
  if (s) BRISK_RETURN_IF_ERROR(ReducedAxes(axes, s->rank()).status());
  return InferFloatSameShape(ctx, "X");
}

class MvnKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(auto axes, init.attrs().GetInts("axes", kDefaultMvnAxes));
    return MakeKernel<MvnKernel>(std::move(axes));
  }
  explicit MvnKernel(std::vector<int64_t> axes) : axes_(std::move(axes)) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (x == nullptr) return InvalidArgument(InputName(0, "X") + " is required");
    BRISK_ASSIGN_OR_RETURN(std::vector<bool> reduced, ReducedAxes(axes_, x->rank()));
    // Index of each element's group: flattening of the kept dims.
    const int rank = x->rank();
    std::vector<int64_t> group_stride(size_t(rank), 0);
    int64_t groups = 1;
    for (int d = rank - 1; d >= 0; --d) {
      if (reduced[size_t(d)]) continue;
      group_stride[size_t(d)] = groups;
      groups *= x->dim(d);
    }
    const int64_t n = x->num_elements();
    std::vector<int64_t> group_of(static_cast<size_t>(n));
    std::vector<int64_t> idx(size_t(rank), 0);
    for (int64_t i = 0; i < n; ++i) {
      int64_t g = 0;
      for (int d = 0; d < rank; ++d) g += idx[size_t(d)] * group_stride[size_t(d)];
      group_of[size_t(i)] = g;
      for (int d = rank - 1; d >= 0; --d) {
        if (++idx[size_t(d)] < x->dim(d)) break;
        idx[size_t(d)] = 0;
      }
    }
    const double count = groups > 0 ? double(n) / double(groups) : 0.0;
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), x->shape()));
    return DispatchFloat(x->dtype(), InputName(0, "X"), [&]<typename T>() -> Status {
      const T* xp = x->data<T>();
      std::vector<double> mean(static_cast<size_t>(groups), 0.0);
      std::vector<double> var(static_cast<size_t>(groups), 0.0);
      for (int64_t i = 0; i < n; ++i) mean[size_t(group_of[size_t(i)])] += ToDouble(xp[i]);
      for (double& m : mean) m /= count;
      for (int64_t i = 0; i < n; ++i) {
        const double d = ToDouble(xp[i]) - mean[size_t(group_of[size_t(i)])];
        var[size_t(group_of[size_t(i)])] += d * d;
      }
      for (double& v : var) v /= count;
      T* yp = y->data<T>();
      for (int64_t i = 0; i < n; ++i) {
        const size_t g = size_t(group_of[size_t(i)]);
        yp[i] = FromDouble<T>((ToDouble(xp[i]) - mean[g]) / (std::sqrt(var[g]) + 1e-9));
      }
      return Status::Ok();
    });
  }

 private:
  std::vector<int64_t> axes_;
};

// ---- LRN -----------------------------------------------------------------------------------

struct LrnAttrs {
  int64_t size = 0;
  float alpha = 1e-4f, beta = 0.75f, bias = 1.f;
};

StatusOr<LrnAttrs> ParseLrn(const ir::AttributeMap& attrs) {
  LrnAttrs a;
  BRISK_ASSIGN_OR_RETURN(a.size, attrs.GetInt("size"));
  if (a.size <= 0)
    return InvalidArgument("attribute 'size' must be positive, got " + std::to_string(a.size));
  BRISK_ASSIGN_OR_RETURN(a.alpha, attrs.GetFloat("alpha", 1e-4f));
  BRISK_ASSIGN_OR_RETURN(a.beta, attrs.GetFloat("beta", 0.75f));
  BRISK_ASSIGN_OR_RETURN(a.bias, attrs.GetFloat("bias", 1.f));
  return a;
}

Status InferLrn(InferenceContext& ctx) {
  BRISK_RETURN_IF_ERROR(ParseLrn(ctx.attrs()).status());
  const auto& s = ctx.input_type(0).shape;
  if (s && s->rank() < 2) {
    return InvalidArgument(InputName(0, "X") + ": expected rank >= 2 (N, C, ...), got " +
                           s->ToString());
  }
  return InferFloatSameShape(ctx, "X");
}

class LrnKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(LrnAttrs a, ParseLrn(init.attrs()));
    return MakeKernel<LrnKernel>(a);
  }
  explicit LrnKernel(LrnAttrs a) : a_(a) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (x == nullptr) return InvalidArgument(InputName(0, "X") + " is required");
    if (x->rank() < 2) {
      return InvalidArgument(InputName(0, "X") + ": expected rank >= 2 (N, C, ...), got " +
                             x->shape().ToString());
    }
    const int64_t n = x->dim(0), c = x->dim(1), sp = x->shape().NumElements(2, x->rank());
    const int64_t before = (a_.size - 1) / 2, after = a_.size / 2;  // floor / ceil of (size-1)/2
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), x->shape()));
    return DispatchFloat(x->dtype(), InputName(0, "X"), [&]<typename T>() -> Status {
      const T* xp = x->data<T>();
      T* yp = y->data<T>();
      for (int64_t b = 0; b < n; ++b)
        for (int64_t ch = 0; ch < c; ++ch) {
          const int64_t lo = std::max<int64_t>(0, ch - before);
          const int64_t hi = std::min<int64_t>(c - 1, ch + after);
          for (int64_t s = 0; s < sp; ++s) {
            double sq = 0;
            for (int64_t k = lo; k <= hi; ++k) {
              const double v = ToDouble(xp[(b * c + k) * sp + s]);
              sq += v * v;
            }
            const int64_t at = (b * c + ch) * sp + s;
            const double denom = std::pow(double(a_.bias) + double(a_.alpha) /
                                                               double(a_.size) * sq,
                                          double(a_.beta));
            yp[at] = FromDouble<T>(ToDouble(xp[at]) / denom);
          }
        }
      return Status::Ok();
    });
  }

 private:
  LrnAttrs a_;
};

}  // namespace

BRISK_REGISTER_OPS(norm_misc) {
  Op("LpNormalization").Since(1).Infer(InferLpNorm).Kernel<LpNormKernel>();
  Op("MeanVarianceNormalization").Since(9).Infer(InferMvn).Kernel<MvnKernel>();
  Op("LRN").Since(1).Infer(InferLrn).Kernel<LrnKernel>();
}

}  // namespace brisk
