// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (opsets 12, 13).
//
// NLL: input [N, C, d1..dk] holds log-probabilities, target [N, d1..dk] class indices,
// weight [C] optional. loss[n, d] = -input[n, target[n, d], d] * weight[target[n, d]], zero (and
// weight zero) where target == ignore_index. reduction "none" keeps [N, d1..dk]; "sum" sums;
// "mean" divides the sum by the sum of the applied weights (the count of non-ignored elements
// when there are no weights).
// SCE: the same on log_softmax(scores) along axis 1; optional output 1 is that log_softmax.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

enum class Reduction { kNone, kSum, kMean };

struct LossAttrs {
  Reduction reduction = Reduction::kMean;
  std::optional<int64_t> ignore_index;
};

struct LossNames {
  const char* input;   // "input 0 'input'" / "input 0 'scores'"
  const char* target;  // "input 1 'target'" / "input 1 'labels'"
  const char* weight;  // "input 2 'weight'" / "input 2 'weights'"
};

constexpr LossNames kNllNames{"input 0 'input'", "input 1 'target'", "input 2 'weight'"};
constexpr LossNames kSceNames{"input 0 'scores'", "input 1 'labels'", "input 2 'weights'"};

StatusOr<LossAttrs> ParseLossAttrs(const ir::AttributeMap& attrs) {
  LossAttrs a;
  BRISK_ASSIGN_OR_RETURN(std::string r, attrs.GetString("reduction", "mean"));
  if (r == "none") a.reduction = Reduction::kNone;
  else if (r == "sum") a.reduction = Reduction::kSum;
  else if (r == "mean") a.reduction = Reduction::kMean;
  else
    return InvalidArgument("attribute 'reduction': unsupported value '" + r +
                           "' (expected none, sum, mean)");
  if (attrs.Has("ignore_index")) {
    BRISK_ASSIGN_OR_RETURN(int64_t ii, attrs.GetInt("ignore_index"));
    a.ignore_index = ii;
  }
  return a;
}

std::string DTypeStr(DType d) { return std::string(DTypeName(d)); }

bool Conflict(const Dim& a, const Dim& b) {
  return a.is_known() && b.is_known() && a.value != b.value;
}

Status InferLoss(InferenceContext& ctx, const LossNames& names, bool sce) {
  BRISK_ASSIGN_OR_RETURN(LossAttrs attrs, ParseLossAttrs(ctx.attrs()));
  const ir::TypeInfo& x = ctx.input_type(0);
  const ir::TypeInfo& t = ctx.input_type(1);
  if (x.dtype != DType::kUndefined && !IsFloatingPoint(x.dtype)) {
    return InvalidArgument(std::string(names.input) + ": dtype " + DTypeStr(x.dtype) +
                           " is not supported (expected a floating-point type)");
  }
  if (t.dtype != DType::kUndefined && t.dtype != DType::kInt32 && t.dtype != DType::kInt64) {
    return InvalidArgument(std::string(names.target) + ": dtype " + DTypeStr(t.dtype) +
                           " is not supported (expected int32 or int64)");
  }
  if (ctx.has_input(2)) {
    const ir::TypeInfo& w = ctx.input_type(2);
    if (w.dtype != DType::kUndefined && x.dtype != DType::kUndefined && w.dtype != x.dtype) {
      return InvalidArgument(std::string(names.weight) + ": dtype " + DTypeStr(w.dtype) +
                             " differs from " + names.input + " dtype " + DTypeStr(x.dtype));
    }
    if (w.shape && w.shape->rank() != 1) {
      return InvalidArgument(std::string(names.weight) + ": expected rank 1, got rank " +
                             std::to_string(w.shape->rank()));
    }
    if (w.shape && x.shape && x.shape->rank() >= 2 && Conflict(w.shape->dims[0], x.shape->dims[1]))
      return InvalidArgument(std::string(names.weight) + ": length " +
                             w.shape->dims[0].ToString() + " differs from the class count " +
                             x.shape->dims[1].ToString());
  }
  if (x.shape && x.shape->rank() < 2) {
    return InvalidArgument(std::string(names.input) + ": expected rank >= 2 ([N, C, ...]), got " +
                           std::to_string(x.shape->rank()));
  }
  if (x.shape && t.shape) {
    if (t.shape->rank() != x.shape->rank() - 1) {
      return InvalidArgument(std::string(names.target) + ": expected rank " +
                             std::to_string(x.shape->rank() - 1) + ", got " +
                             std::to_string(t.shape->rank()));
    }
    for (int i = 0; i < t.shape->rank(); ++i) {
      const Dim& xd = x.shape->dims[size_t(i == 0 ? 0 : i + 1)];
      if (Conflict(t.shape->dims[size_t(i)], xd)) {
        return InvalidArgument(std::string(names.target) + ": shape " + t.shape->ToString() +
                               " does not match " + names.input + " shape " +
                               x.shape->ToString());
      }
    }
  }
  std::optional<SymbolicShape> out;
  if (attrs.reduction != Reduction::kNone) {
    out = SymbolicShape();
  } else if (t.shape) {
    out = *t.shape;
    if (x.shape) {  // prefer the better-known description of each dim
      for (int i = 0; i < out->rank(); ++i) {
        const Dim& xd = x.shape->dims[size_t(i == 0 ? 0 : i + 1)];
        Dim& od = out->dims[size_t(i)];
        if (!od.is_known() && (xd.is_known() || (!od.is_symbol() && xd.is_symbol()))) od = xd;
      }
    }
  } else if (x.shape) {
    SymbolicShape s;
    for (int i = 0; i < x.shape->rank(); ++i)
      if (i != 1) s.dims.push_back(x.shape->dims[size_t(i)]);
    out = s;
  }
  ctx.set_output(0, x.dtype, out);
  if (sce && ctx.num_outputs() > 1) ctx.set_output(1, x.dtype, x.shape);
  return Status::Ok();
}

// Validates shapes at run time; returns [N, C, D] with D the product of the trailing dims.
struct Layout {
  int64_t n = 0, c = 0, d = 1;
};

StatusOr<Layout> CheckRunShapes(const Tensor* x, const Tensor* t, const Tensor* w,
                                const LossNames& names) {
  if (x == nullptr) return InvalidArgument(std::string(names.input) + " is required");
  if (t == nullptr) return InvalidArgument(std::string(names.target) + " is required");
  if (x->rank() < 2) {
    return InvalidArgument(std::string(names.input) + ": expected rank >= 2 ([N, C, ...]), got " +
                           std::to_string(x->rank()));
  }
  if (t->dtype() != DType::kInt32 && t->dtype() != DType::kInt64) {
    return InvalidArgument(std::string(names.target) + ": dtype " + DTypeStr(t->dtype()) +
                           " is not supported (expected int32 or int64)");
  }
  bool match = t->rank() == x->rank() - 1;
  for (int i = 0; match && i < t->rank(); ++i) match = t->dim(i) == x->dim(i == 0 ? 0 : i + 1);
  if (!match) {
    return InvalidArgument(std::string(names.target) + ": shape " + t->shape().ToString() +
                           " does not match " + names.input + " shape " +
                           x->shape().ToString() + " (expected [N, d1, ..., dk])");
  }
  Layout l;
  l.n = x->dim(0);
  l.c = x->dim(1);
  l.d = x->shape().NumElements(2, x->rank());
  if (w != nullptr) {
    if (w->dtype() != x->dtype()) {
      return InvalidArgument(std::string(names.weight) + ": dtype " + DTypeStr(w->dtype()) +
                             " differs from " + names.input + " dtype " + DTypeStr(x->dtype()));
    }
    if (w->rank() != 1 || w->dim(0) != l.c) {
      return InvalidArgument(std::string(names.weight) + ": expected shape [" +
                             std::to_string(l.c) + "], got " + w->shape().ToString());
    }
  }
  return l;
}

// The loss from log-probabilities `lp` laid out [N, C, D] (as doubles).
template <typename T>
Status ComputeLoss(KernelContext& ctx, const LossAttrs& attrs, const LossNames& names,
                   const Layout& l, const std::vector<double>& lp, const Tensor& target,
                   const Tensor* weight, const Shape& target_shape) {
  StatusOr<std::vector<int64_t>> labels_or = ReadInts(target, names.target);
  if (!labels_or.ok()) return labels_or.status();
  const std::vector<int64_t>& labels = *labels_or;
  const int64_t count = l.n * l.d;
  std::vector<double> loss(static_cast<size_t>(count), 0.0);
  double weight_sum = 0;
  for (int64_t n = 0; n < l.n; ++n) {
    for (int64_t d = 0; d < l.d; ++d) {
      const size_t i = size_t(n * l.d + d);
      const int64_t label = labels[i];
      if (attrs.ignore_index && label == *attrs.ignore_index) continue;
      if (label < 0 || label >= l.c) {
        return OutOfRange(std::string(names.target) + ": class index " + std::to_string(label) +
                          " at element " + std::to_string(i) + " is out of range [0, " +
                          std::to_string(l.c) + ")" +
                          (attrs.ignore_index ? " and is not ignore_index " +
                                                    std::to_string(*attrs.ignore_index)
                                              : std::string()));
      }
      const double w = weight ? ToDouble(weight->data<T>()[label]) : 1.0;
      loss[i] = -lp[size_t((n * l.c + label) * l.d + d)] * w;
      weight_sum += w;
    }
  }
  if (attrs.reduction == Reduction::kNone) {
    BRISK_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, kDTypeOf<T>, target_shape));
    for (int64_t i = 0; i < count; ++i) out->data<T>()[i] = FromDouble<T>(loss[size_t(i)]);
    return Status::Ok();
  }
  double sum = 0;
  for (double v : loss) sum += v;
  if (attrs.reduction == Reduction::kMean) sum /= weight_sum;  // 0/0 = NaN when all ignored
  BRISK_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, kDTypeOf<T>, Shape{}));
  out->data<T>()[0] = FromDouble<T>(sum);
  return Status::Ok();
}

class NllKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(LossAttrs a, ParseLossAttrs(init.attrs()));
    return MakeKernel<NllKernel>(a);
  }
  explicit NllKernel(LossAttrs a) : attrs_(a) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    const Tensor* t = ctx.input(1);
    const Tensor* w = ctx.input(2);
    BRISK_ASSIGN_OR_RETURN(Layout l, CheckRunShapes(x, t, w, kNllNames));
    return DispatchFloat(x->dtype(), kNllNames.input, [&]<typename T>() -> Status {
      std::vector<double> lp(static_cast<size_t>(x->num_elements()));
      for (size_t i = 0; i < lp.size(); ++i) lp[i] = ToDouble(x->data<T>()[i]);
      return ComputeLoss<T>(ctx, attrs_, kNllNames, l, lp, *t, w, t->shape());
    });
  }

 private:
  LossAttrs attrs_;
};

class SceKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(LossAttrs a, ParseLossAttrs(init.attrs()));
    return MakeKernel<SceKernel>(a);
  }
  explicit SceKernel(LossAttrs a) : attrs_(a) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    const Tensor* t = ctx.input(1);
    const Tensor* w = ctx.input(2);
    BRISK_ASSIGN_OR_RETURN(Layout l, CheckRunShapes(x, t, w, kSceNames));
    return DispatchFloat(x->dtype(), kSceNames.input, [&]<typename T>() -> Status {
      const T* xs = x->data<T>();
      std::vector<double> lp(static_cast<size_t>(x->num_elements()));
      for (int64_t n = 0; n < l.n; ++n) {
        for (int64_t d = 0; d < l.d; ++d) {
          auto at = [&](int64_t c) { return size_t((n * l.c + c) * l.d + d); };
          double mx = -INFINITY;
          for (int64_t c = 0; c < l.c; ++c) mx = std::max(mx, ToDouble(xs[at(c)]));
          double sum = 0;
          for (int64_t c = 0; c < l.c; ++c) sum += std::exp(ToDouble(xs[at(c)]) - mx);
          const double log_sum = std::log(sum) + mx;
          for (int64_t c = 0; c < l.c; ++c) lp[at(c)] = ToDouble(xs[at(c)]) - log_sum;
        }
      }
      BRISK_RETURN_IF_ERROR(ComputeLoss<T>(ctx, attrs_, kSceNames, l, lp, *t, w, t->shape()));
      if (ctx.output_requested(1)) {
        BRISK_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(1, x->dtype(), x->shape()));
        for (size_t i = 0; i < lp.size(); ++i) out->data<T>()[i] = FromDouble<T>(lp[i]);
      }
      return Status::Ok();
    });
  }

 private:
  LossAttrs attrs_;
};

}  // namespace

BRISK_REGISTER_OPS(loss) {
  Op("NegativeLogLikelihoodLoss")
      .Since(12)
      .Infer([](InferenceContext& ctx) { return InferLoss(ctx, kNllNames, false); })
      .Kernel<NllKernel>();
  Op("SoftmaxCrossEntropyLoss")
      .Since(12)
      .Infer([](InferenceContext& ctx) { return InferLoss(ctx, kSceNames, true); })
      .Kernel<SceKernel>();
}

}  // namespace brisk
