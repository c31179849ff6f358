// Normalisations over batch/channel layouts: BatchNormalization (7, 9, 14, 15),
// InstanceNormalization (6), LayerNormalization (17), GroupNormalization (18, 21).
// Statistics are computed in double, two-pass (mean, then mean of squared deviations).
#include <cmath>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/reference/linalg_norm_util.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

using linalg_norm::DimsConflict;
using linalg_norm::InputName;

// Mean and (biased) variance of n contiguous elements.
template <typename T>
void MeanVar(const T* p, int64_t n, double& mean, double& var) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += ToDouble(p[i]);
  mean = n > 0 ? s / double(n) : 0.0;
  double q = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double d = ToDouble(p[i]) - mean;
    q += d * d;
  }
  var = n > 0 ? q / double(n) : 0.0;
}

// A parameter tensor of any float dtype as doubles.
StatusOr<std::vector<double>> ReadFloats(const Tensor& t, std::string_view what) {
  std::vector<double> out(size_t(t.num_elements()));
  BRISK_RETURN_IF_ERROR(DispatchFloat(t.dtype(), what, [&]<typename T>() -> Status {
    for (size_t i = 0; i < out.size(); ++i) out[i] = ToDouble(t.data<T>()[i]);
    return Status::Ok();
  }));
  return out;
}

StatusOr<Tensor> FromFloats(DType dtype, const Shape& shape, const std::vector<double>& v) {
  BRISK_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, shape));
  BRISK_RETURN_IF_ERROR(DispatchFloat(dtype, "output", [&]<typename T>() -> Status {
    for (size_t i = 0; i < v.size(); ++i) t.data<T>()[i] = FromDouble<T>(v[i]);
    return Status::Ok();
  }));
  return t;
}

Status RequireFloatInput(const InferenceContext& ctx, int i, std::string_view name) {
  const DType d = ctx.input_type(i).dtype;
  if (d == DType::kUndefined || IsFloatingPoint(d)) return Status::Ok();
  return InvalidArgument(InputName(i, name) + ": dtype " + std::string(DTypeName(d)) +
                         " is not supported (expected a floating-point type)");
}

// Input i must be 1-D of length `c` (a Dim) when both are known.
Status CheckVectorInput(const InferenceContext& ctx, int i, std::string_view name, const Dim& c,
                        std::string_view of_what) {
  const auto& s = ctx.input_type(i).shape;
  if (!ctx.has_input(i) || !s) return Status::Ok();
  if (s->rank() != 1 || DimsConflict(s->dims[0], c)) {
    return InvalidArgument(InputName(i, name) + ": expected shape [" + c.ToString() + "] (" +
                           std::string(of_what) + "), got " + s->ToString());
  }
  return Status::Ok();
}

Status CheckVectorTensor(const Tensor* t, int i, std::string_view name, int64_t c,
                         std::string_view of_what) {
  if (t == nullptr) return InvalidArgument(InputName(i, name) + " is required");
  if (t->rank() != 1 || t->dim(0) != c) {
    return InvalidArgument(InputName(i, name) + ": expected shape [" + std::to_string(c) +
                           "] (" + std::string(of_what) + "), got " + t->shape().ToString());
  }
  return Status::Ok();
}

Status CheckRankAtLeast2(const Tensor& x, std::string_view name) {
  if (x.rank() < 2) {
    return InvalidArgument(InputName(0, name) + ": expected rank >= 2 (N, C, ...), got shape " +
                           x.shape().ToString());
  }
  return Status::Ok();
}

// ---- BatchNormalization --------------------------------------------------------------------

const char* const kBnNames[] = {"X", "scale", "B", "input_mean", "input_var"};

Status InferBatchNorm(InferenceContext& ctx) {
  const ir::TypeInfo& x = ctx.input_type(0);
  BRISK_RETURN_IF_ERROR(RequireFloatInput(ctx, 0, "X"));
  BRISK_ASSIGN_OR_RETURN(int64_t spatial, ctx.attrs().GetInt("spatial", 1));
  Dim c = Dim::Unknown();
  if (x.shape) {
    if (x.shape->rank() < 2) {
      return InvalidArgument(InputName(0, "X") + ": expected rank >= 2 (N, C, ...), got shape " +
                             x.shape->ToString());
    }
    c = x.shape->dims[1];
  }
  if (ctx.opset() >= 9 || spatial == 1) {
    for (int i = 1; i < 5; ++i)
      BRISK_RETURN_IF_ERROR(CheckVectorInput(ctx, i, kBnNames[i], c, "the channel count of X"));
  }
  ctx.set_output_type(0, x);
  const DType stat_dtype = ctx.opset() >= 14 ? ctx.input_type(3).dtype : x.dtype;
  std::optional<SymbolicShape> stat_shape = ctx.input_type(3).shape;
  if (!stat_shape && (ctx.opset() >= 9 || spatial == 1)) stat_shape = SymbolicShape({c});
  for (int i = 1; i < ctx.num_outputs(); ++i) ctx.set_output(i, stat_dtype, stat_shape);
  return Status::Ok();
}

class BatchNormKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    auto k = std::make_unique<BatchNormKernel>();
    BRISK_ASSIGN_OR_RETURN(k->epsilon_, init.attrs().GetFloat("epsilon", 1e-5f));
    BRISK_ASSIGN_OR_RETURN(k->momentum_, init.attrs().GetFloat("momentum", 0.9f));
    if (init.opset() < 9) {
      BRISK_ASSIGN_OR_RETURN(int64_t spatial, init.attrs().GetInt("spatial", 1));
      if (spatial != 0 && spatial != 1)
        return InvalidArgument("attribute 'spatial' must be 0 or 1, got " +
                               std::to_string(spatial));
      k->spatial_ = spatial == 1;
    }
    if (init.opset() >= 14) {
      BRISK_ASSIGN_OR_RETURN(int64_t tm, init.attrs().GetInt("training_mode", 0));
      if (tm != 0 && tm != 1)
        return InvalidArgument("attribute 'training_mode' must be 0 or 1, got " +
                               std::to_string(tm));
      k->training_ = tm == 1;
    } else {
      // Before opset 14 the optional statistics outputs mean training mode.
      for (size_t i = 1; i < init.node.outputs.size(); ++i)
        if (init.node.outputs[i] != nullptr) k->training_ = true;
    }
    return std::unique_ptr<Kernel>(std::move(k));
  }

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (x == nullptr) return InvalidArgument(InputName(0, "X") + " is required");
    BRISK_RETURN_IF_ERROR(CheckRankAtLeast2(*x, "X"));
    const int64_t n = x->dim(0), c = x->dim(1);
    const int64_t spatial = x->shape().NumElements(2, x->rank());
    // Per-feature parameters (spatial = 0, opset < 9) have X's shape without the batch dim.
    const int64_t per = spatial_ ? c : c * spatial;
    std::vector<std::vector<double>> p(5);
    for (int i = 1; i < 5; ++i) {
      const Tensor* t = ctx.input(i);
      if (spatial_) {
        BRISK_RETURN_IF_ERROR(CheckVectorTensor(t, i, kBnNames[i], c, "the channel count of X"));
      } else if (t == nullptr || t->num_elements() != per) {
        return InvalidArgument(InputName(i, kBnNames[i]) + ": expected " + std::to_string(per) +
                               " elements (X's shape without the batch dim) with spatial = 0" +
                               (t ? ", got shape " + t->shape().ToString() : std::string()));
      }
      BRISK_ASSIGN_OR_RETURN(p[size_t(i)], ReadFloats(*t, InputName(i, kBnNames[i])));
    }
    const int64_t inner = spatial_ ? spatial : 1;  // elements sharing one parameter per n
    std::vector<double> mean = p[3], var = p[4];
    std::vector<double> batch_mean(static_cast<size_t>(per), 0.0);
    std::vector<double> batch_var(static_cast<size_t>(per), 0.0);
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), x->shape()));
    auto compute = [&]<typename T>() -> Status {
      const T* xp = x->data<T>();
      if (training_) {
        const double count = double(n * inner);
        for (int64_t b = 0; b < n; ++b)
          for (int64_t f = 0; f < per; ++f)
            for (int64_t s = 0; s < inner; ++s)
              batch_mean[size_t(f)] += ToDouble(xp[(b * per + f) * inner + s]);
        for (double& m : batch_mean) m = count > 0 ? m / count : 0;
        for (int64_t b = 0; b < n; ++b)
          for (int64_t f = 0; f < per; ++f)
            for (int64_t s = 0; s < inner; ++s) {
              const double d = ToDouble(xp[(b * per + f) * inner + s]) - batch_mean[size_t(f)];
              batch_var[size_t(f)] += d * d;
            }
        for (double& v : batch_var) v = count > 0 ? v / count : 0;
      }
      const std::vector<double>& use_mean = training_ ? batch_mean : mean;
      const std::vector<double>& use_var = training_ ? batch_var : var;
      std::vector<double> a(static_cast<size_t>(per)), b(static_cast<size_t>(per));
      for (int64_t f = 0; f < per; ++f) {
        a[size_t(f)] = p[1][size_t(f)] / std::sqrt(use_var[size_t(f)] + double(epsilon_));
        b[size_t(f)] = p[2][size_t(f)] - use_mean[size_t(f)] * a[size_t(f)];
      }
      T* yp = y->data<T>();
      for (int64_t bi = 0; bi < n; ++bi)
        for (int64_t f = 0; f < per; ++f)
          for (int64_t s = 0; s < inner; ++s) {
            const int64_t i = (bi * per + f) * inner + s;
            yp[i] = FromDouble<T>(ToDouble(xp[i]) * a[size_t(f)] + b[size_t(f)]);
          }
      return Status::Ok();
    };
    BRISK_RETURN_IF_ERROR(DispatchFloat(x->dtype(), InputName(0, "X"), compute));
    return WriteStats(ctx, mean, var, batch_mean, batch_var);
  }

 private:
  Status WriteStats(KernelContext& ctx, const std::vector<double>& mean,
                    const std::vector<double>& var, const std::vector<double>& batch_mean,
                    const std::vector<double>& batch_var) const {
    if (!training_) {
      // Inference mode: pass the statistics through when asked for.
      for (int i = 1; i < ctx.num_outputs() && i < 3; ++i)
        if (ctx.output_requested(i)) ctx.set_output(i, *ctx.input(i + 2));
      return Status::Ok();
    }
    const double m = momentum_;
    std::vector<double> run_mean(mean.size()), run_var(var.size());
    for (size_t f = 0; f < mean.size(); ++f) {
      run_mean[f] = mean[f] * m + batch_mean[f] * (1 - m);
      run_var[f] = var[f] * m + batch_var[f] * (1 - m);
    }
    const std::vector<double>* outs[] = {&run_mean, &run_var, &batch_mean, &batch_var};
    for (int i = 1; i < ctx.num_outputs() && i < 5; ++i) {
      if (!ctx.output_requested(i)) continue;
      const Tensor* like = ctx.input(3);  // all statistics have input_mean's type and shape
      BRISK_ASSIGN_OR_RETURN(Tensor t, FromFloats(like->dtype(), like->shape(), *outs[i - 1]));
      ctx.set_output(i, std::move(t));
    }
    return Status::Ok();
  }

  float epsilon_ = 1e-5f;
  float momentum_ = 0.9f;
  bool spatial_ = true;
  bool training_ = false;
};

// ---- InstanceNormalization -----------------------------------------------------------------

Status InferInstanceNorm(InferenceContext& ctx) {
  BRISK_RETURN_IF_ERROR(RequireFloatInput(ctx, 0, "input"));
  const ir::TypeInfo& x = ctx.input_type(0);
  Dim c = Dim::Unknown();
  if (x.shape) {
    if (x.shape->rank() < 2) {
      return InvalidArgument(InputName(0, "input") + ": expected rank >= 2 (N, C, ...), got " +
                             x.shape->ToString());
    }
    c = x.shape->dims[1];
  }
  BRISK_RETURN_IF_ERROR(CheckVectorInput(ctx, 1, "scale", c, "the channel count of input"));
  BRISK_RETURN_IF_ERROR(CheckVectorInput(ctx, 2, "B", c, "the channel count of input"));
  ctx.set_output_type(0, x);
  return Status::Ok();
}

// Normalises each contiguous block of `block` elements; block b uses scale/bias index
// param_of(b, j) for its element j.
template <typename T, typename ParamIndex>
void NormalizeBlocks(const T* x, T* y, int64_t blocks, int64_t block, double epsilon,
                     const std::vector<double>& scale, const std::vector<double>& bias,
                     ParamIndex param_of) {
  for (int64_t b = 0; b < blocks; ++b) {
    double mean, var;
    MeanVar(x + b * block, block, mean, var);
    const double inv = 1.0 / std::sqrt(var + epsilon);
    for (int64_t j = 0; j < block; ++j) {
      const int64_t k = param_of(b, j);
      const double v = (ToDouble(x[b * block + j]) - mean) * inv;
      y[b * block + j] = FromDouble<T>(v * scale[size_t(k)] + bias[size_t(k)]);
    }
  }
}

class InstanceNormKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(float eps, init.attrs().GetFloat("epsilon", 1e-5f));
    return MakeKernel<InstanceNormKernel>(eps);
  }
  explicit InstanceNormKernel(float eps) : epsilon_(eps) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (x == nullptr) return InvalidArgument(InputName(0, "input") + " is required");
    BRISK_RETURN_IF_ERROR(CheckRankAtLeast2(*x, "input"));
    const int64_t c = x->dim(1);
    BRISK_RETURN_IF_ERROR(CheckVectorTensor(ctx.input(1), 1, "scale", c, "channels of input"));
    BRISK_RETURN_IF_ERROR(CheckVectorTensor(ctx.input(2), 2, "B", c, "channels of input"));
    BRISK_ASSIGN_OR_RETURN(auto scale, ReadFloats(*ctx.input(1), InputName(1, "scale")));
    BRISK_ASSIGN_OR_RETURN(auto bias, ReadFloats(*ctx.input(2), InputName(2, "B")));
    const int64_t spatial = x->shape().NumElements(2, x->rank());
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), x->shape()));
    return DispatchFloat(x->dtype(), InputName(0, "input"), [&]<typename T>() -> Status {
      NormalizeBlocks(x->data<T>(), y->data<T>(), x->dim(0) * c, spatial, epsilon_, scale, bias,
                      [c](int64_t b, int64_t) { return b % c; });
      return Status::Ok();
    });
  }

 private:
  float epsilon_;
};

// ---- GroupNormalization --------------------------------------------------------------------

Status InferGroupNorm(InferenceContext& ctx) {
  BRISK_RETURN_IF_ERROR(RequireFloatInput(ctx, 0, "X"));
  BRISK_ASSIGN_OR_RETURN(int64_t groups, ctx.attrs().GetInt("num_groups"));
  if (groups <= 0)
    return InvalidArgument("attribute 'num_groups' must be positive, got " +
                           std::to_string(groups));
  const ir::TypeInfo& x = ctx.input_type(0);
  Dim c = Dim::Unknown();
  if (x.shape) {
    if (x.shape->rank() < 2) {
      return InvalidArgument(InputName(0, "X") + ": expected rank >= 2 (N, C, ...), got " +
                             x.shape->ToString());
    }
    c = x.shape->dims[1];
    if (c.is_known() && c.value % groups != 0) {
      return InvalidArgument(InputName(0, "X") + ": channel count " + c.ToString() +
                             " is not divisible by attribute 'num_groups' " +
                             std::to_string(groups));
    }
  }
  const Dim p = ctx.opset() >= 21 ? c : Dim::Known(groups);
  const char* what = ctx.opset() >= 21 ? "the channel count of X" : "num_groups";
  BRISK_RETURN_IF_ERROR(CheckVectorInput(ctx, 1, "scale", p, what));
  BRISK_RETURN_IF_ERROR(CheckVectorInput(ctx, 2, "bias", p, what));
  ctx.set_output_type(0, x);
  return Status::Ok();
}

class GroupNormKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(float eps, init.attrs().GetFloat("epsilon", 1e-5f));
    BRISK_ASSIGN_OR_RETURN(int64_t groups, init.attrs().GetInt("num_groups"));
    if (groups <= 0)
      return InvalidArgument("attribute 'num_groups' must be positive, got " +
                             std::to_string(groups));
    BRISK_ASSIGN_OR_RETURN(int64_t stash, init.attrs().GetInt("stash_type", 1));
    (void)stash;  // statistics are always computed in double
    return MakeKernel<GroupNormKernel>(eps, groups);
  }
  GroupNormKernel(float eps, int64_t groups) : epsilon_(eps), groups_(groups) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (x == nullptr) return InvalidArgument(InputName(0, "X") + " is required");
    BRISK_RETURN_IF_ERROR(CheckRankAtLeast2(*x, "X"));
    const int64_t c = x->dim(1);
    if (c % groups_ != 0) {
      return InvalidArgument(InputName(0, "X") + ": channel count " + std::to_string(c) +
                             " is not divisible by attribute 'num_groups' " +
                             std::to_string(groups_));
    }
    const bool per_channel = ctx.opset() >= 21;
    const int64_t p = per_channel ? c : groups_;
    const char* what = per_channel ? "the channel count of X" : "num_groups";
    BRISK_RETURN_IF_ERROR(CheckVectorTensor(ctx.input(1), 1, "scale", p, what));
    BRISK_RETURN_IF_ERROR(CheckVectorTensor(ctx.input(2), 2, "bias", p, what));
    BRISK_ASSIGN_OR_RETURN(auto scale, ReadFloats(*ctx.input(1), InputName(1, "scale")));
    BRISK_ASSIGN_OR_RETURN(auto bias, ReadFloats(*ctx.input(2), InputName(2, "bias")));
    const int64_t spatial = x->shape().NumElements(2, x->rank());
    const int64_t cpg = c / groups_;
    const int64_t groups = groups_;
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), x->shape()));
    return DispatchFloat(x->dtype(), InputName(0, "X"), [&]<typename T>() -> Status {
      NormalizeBlocks(x->data<T>(), y->data<T>(), x->dim(0) * groups, cpg * spatial, epsilon_,
                      scale, bias, [&](int64_t b, int64_t j) {
                        const int64_t g = b % groups;
                        return per_channel ? g * cpg + j / spatial : g;
                      });
      return Status::Ok();
    });
  }

 private:
  float epsilon_;
  int64_t groups_;
};

// ---- LayerNormalization --------------------------------------------------------------------

StatusOr<DType> StashDtype(int64_t stash_type) {
  switch (stash_type) {
    case 1: return DType::kFloat32;
    case 10: return DType::kFloat16;
    case 11: return DType::kFloat64;
    case 16: return DType::kBFloat16;
    default:
      return InvalidArgument("attribute 'stash_type' " + std::to_string(stash_type) +
                             " is not a floating-point TensorProto type");
  }
}

Status InferLayerNorm(InferenceContext& ctx) {
  BRISK_RETURN_IF_ERROR(RequireFloatInput(ctx, 0, "X"));
  BRISK_ASSIGN_OR_RETURN(int64_t axis_attr, ctx.attrs().GetInt("axis", -1));
  BRISK_ASSIGN_OR_RETURN(int64_t stash, ctx.attrs().GetInt("stash_type", 1));
  BRISK_ASSIGN_OR_RETURN(DType stat_dtype, StashDtype(stash));
  const ir::TypeInfo& x = ctx.input_type(0);
  ctx.set_output_type(0, x);
  std::optional<SymbolicShape> stat_shape;
  if (x.shape) {
    const int rank = x.shape->rank();
    if (rank == 0) return InvalidArgument(InputName(0, "X") + ": expected rank >= 1, got 0");
    BRISK_ASSIGN_OR_RETURN(int axis, NormalizeAxis(axis_attr, rank, "attribute 'axis'"));
    stat_shape = *x.shape;
    for (int i = axis; i < rank; ++i) stat_shape->dims[size_t(i)] = Dim::Known(1);
  }
  for (int i = 1; i < ctx.num_outputs() && i < 3; ++i) ctx.set_output(i, stat_dtype, stat_shape);
  return Status::Ok();
}

// Reads a parameter broadcast (unidirectionally) to X's shape: returns `cols` values when it
// only varies over dims [axis:], else one value per element of X.
StatusOr<std::vector<double>> ReadLayerParam(const Tensor& p, const Shape& x, int axis,
                                             std::string_view what) {
  auto b = BroadcastShapes(x, p.shape());
  if (!b.ok() || *b != x) {
    return InvalidArgument(std::string(what) + ": shape " + p.shape().ToString() +
                           " cannot be broadcast to X's shape " + x.ToString());
  }
  BRISK_ASSIGN_OR_RETURN(std::vector<double> v, ReadFloats(p, what));
  const bool trailing = p.rank() <= x.rank() - axis;
  const Shape target =
      trailing ? Shape(std::vector<int64_t>(x.dims().begin() + axis, x.dims().end())) : x;
  const std::vector<int64_t> strides = BroadcastStrides(p.shape(), target);
  std::vector<double> out(size_t(target.NumElements()));
  std::vector<int64_t> idx(size_t(target.rank()), 0);
  for (size_t i = 0; i < out.size(); ++i) {
    int64_t off = 0;
    for (int d = 0; d < target.rank(); ++d) off += idx[size_t(d)] * strides[size_t(d)];
    out[i] = v[size_t(off)];
    for (int d = target.rank() - 1; d >= 0; --d) {
      if (++idx[size_t(d)] < target[d]) break;
      idx[size_t(d)] = 0;
    }
  }
  return out;
}

class LayerNormKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(float eps, init.attrs().GetFloat("epsilon", 1e-5f));
    BRISK_ASSIGN_OR_RETURN(int64_t axis, init.attrs().GetInt("axis", -1));
    BRISK_ASSIGN_OR_RETURN(int64_t stash, init.attrs().GetInt("stash_type", 1));
    BRISK_ASSIGN_OR_RETURN(DType stat_dtype, StashDtype(stash));
    return MakeKernel<LayerNormKernel>(eps, axis, stat_dtype);
  }
  LayerNormKernel(float eps, int64_t axis, DType stat_dtype)
      : epsilon_(eps), axis_(axis), stat_dtype_(stat_dtype) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (x == nullptr) return InvalidArgument(InputName(0, "X") + " is required");
    if (ctx.input(1) == nullptr) return InvalidArgument(InputName(1, "Scale") + " is required");
    if (x->rank() == 0) return InvalidArgument(InputName(0, "X") + ": expected rank >= 1, got 0");
    BRISK_ASSIGN_OR_RETURN(int axis, NormalizeAxis(axis_, x->rank(), "attribute 'axis'"));
    const int64_t rows = x->shape().NumElements(0, axis);
    const int64_t cols = x->shape().NumElements(axis, x->rank());
    BRISK_ASSIGN_OR_RETURN(auto scale,
                           ReadLayerParam(*ctx.input(1), x->shape(), axis, InputName(1, "Scale")));
    std::vector<double> bias;
    if (ctx.input(2) != nullptr) {
      BRISK_ASSIGN_OR_RETURN(bias,
                             ReadLayerParam(*ctx.input(2), x->shape(), axis, InputName(2, "B")));
    }
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), x->shape()));
    std::vector<double> means(static_cast<size_t>(rows));
    std::vector<double> inv_stds(static_cast<size_t>(rows));
    BRISK_RETURN_IF_ERROR(
        DispatchFloat(x->dtype(), InputName(0, "X"), [&]<typename T>() -> Status {
          const T* xp = x->data<T>();
          T* yp = y->data<T>();
          for (int64_t r = 0; r < rows; ++r) {
            double mean, var;
            MeanVar(xp + r * cols, cols, mean, var);
            const double inv = 1.0 / std::sqrt(var + double(epsilon_));
            means[size_t(r)] = mean;
            inv_stds[size_t(r)] = inv;
            for (int64_t j = 0; j < cols; ++j) {
              const int64_t i = r * cols + j;
              const size_t si = size_t(scale.size() == size_t(cols) ? j : i);
              double v = (ToDouble(xp[i]) - mean) * inv * scale[si];
              if (!bias.empty()) v += bias[size_t(bias.size() == size_t(cols) ? j : i)];
              yp[i] = FromDouble<T>(v);
            }
          }
          return Status::Ok();
        }));
    std::vector<int64_t> stat_dims = x->shape().dims();
    for (int i = axis; i < x->rank(); ++i) stat_dims[size_t(i)] = 1;
    const std::vector<double>* stats[] = {&means, &inv_stds};
    for (int i = 1; i < ctx.num_outputs() && i < 3; ++i) {
      if (!ctx.output_requested(i)) continue;
      BRISK_ASSIGN_OR_RETURN(Tensor t, FromFloats(stat_dtype_, Shape(stat_dims), *stats[i - 1]));
      ctx.set_output(i, std::move(t));
    }
    return Status::Ok();
  }

 private:
  float epsilon_;
  int64_t axis_;
  DType stat_dtype_;
};

}  // namespace

BRISK_REGISTER_OPS(norm) {
  Op("BatchNormalization").Since(7).Infer(InferBatchNorm).Kernel<BatchNormKernel>();
  Op("InstanceNormalization").Since(6).Infer(InferInstanceNorm).Kernel<InstanceNormKernel>();
  Op("LayerNormalization").Since(17).Infer(InferLayerNorm).Kernel<LayerNormKernel>();
  Op("GroupNormalization").Since(18).Infer(InferGroupNorm).Kernel<GroupNormKernel>();
}

}  // namespace brisk
