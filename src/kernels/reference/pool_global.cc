// GlobalAveragePool, GlobalMaxPool, GlobalLpPool (reduce every spatial dim to 1) and MaxUnpool.
#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/dispatch.h"
#include "kernels/reference/conv_pool_util.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

using conv_pool::AxisGeometry;
using conv_pool::SpatialAttrs;

enum class GlobalKind { kAverage, kMax, kLp };

Status InferGlobalPool(InferenceContext& ctx) {
  const ir::TypeInfo& x = ctx.input_type(0);
  std::optional<SymbolicShape> out;
  if (x.shape) {
    if (x.shape->rank() < 3) {
      return InvalidArgument("input 0 'X': expected rank >= 3, got " +
                             std::to_string(x.shape->rank()));
    }
    out = SymbolicShape({x.shape->dims[0], x.shape->dims[1]});
    for (int i = 2; i < x.shape->rank(); ++i) out->dims.push_back(Dim::Known(1));
  }
  ctx.set_output(0, x.dtype, std::move(out));
  return Status::Ok();
}

template <GlobalKind kKind>
Status GlobalPoolCompute(KernelContext& ctx) {
  const Tensor& x = *ctx.input(0);
  BRISK_RETURN_IF_ERROR(conv_pool::CheckRankAtLeast(x.shape(), 3, 0, "X"));
  double p = 2;
  if constexpr (kKind == GlobalKind::kLp) {
    const ir::Attribute* a = ctx.attrs().Find("p");
    if (a != nullptr) p = a->kind == ir::Attribute::Kind::kFloat ? double(a->f) : double(a->i);
    if (!(p > 0)) return InvalidArgument("attribute 'p': must be > 0, got " + std::to_string(p));
  }
  std::vector<int64_t> out_dims = {x.dim(0), x.dim(1)};
  out_dims.resize(size_t(x.rank()), 1);
  BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x.dtype(), Shape(out_dims)));
  const int64_t planes = x.dim(0) * x.dim(1);
  const int64_t size = x.shape().NumElements(2, x.rank());
  return DispatchFloat(x.dtype(), "input 0 'X'", [&]<typename T>() -> Status {
    const T* xd = x.data<T>();
    T* yd = y->data<T>();
    for (int64_t pl = 0; pl < planes; ++pl) {
      const T* xp = xd + pl * size;
      double acc = kKind == GlobalKind::kMax ? -std::numeric_limits<double>::infinity() : 0.0;
      for (int64_t i = 0; i < size; ++i) {
        const double v = ToDouble(xp[i]);
        if constexpr (kKind == GlobalKind::kMax) {
          acc = (i == 0 || v > acc || std::isnan(v)) ? v : acc;
        } else if constexpr (kKind == GlobalKind::kAverage) {
          acc += v;
        } else {
          acc += std::pow(std::abs(v), p);
        }
      }
      if constexpr (kKind == GlobalKind::kAverage) acc /= double(size);
      if constexpr (kKind == GlobalKind::kLp) acc = std::pow(acc, 1.0 / p);
      yd[pl] = FromDouble<T>(acc);
    }
    return Status::Ok();
  });
}

// ---- MaxUnpool -----------------------------------------------------------------------------

// Default output spatial size: (in - 1) * stride + kernel - pad_begin - pad_end.
StatusOr<std::vector<int64_t>> UnpoolSpatial(const SpatialAttrs& attrs,
                                             std::span<const int64_t> in) {
  BRISK_ASSIGN_OR_RETURN(std::vector<AxisGeometry> geo,
                         conv_pool::AxesFromAttrs(attrs, int(in.size()), {}));
  std::vector<int64_t> out;
  for (size_t i = 0; i < geo.size(); ++i) {
    const AxisGeometry& g = geo[i];
    const int64_t v = (in[i] - 1) * g.stride + g.kernel - g.pad_begin - g.pad_end;
    if (in[i] > 0 && v < 0) {
      return InvalidArgument("attribute 'pads': pads exceed the unpooled size on spatial axis " +
                             std::to_string(i));
    }
    out.push_back(in[i] == 0 ? 0 : v);
  }
  return out;
}

Status InferMaxUnpool(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(SpatialAttrs attrs,
                         conv_pool::ParseSpatialAttrs(ctx.attrs(), false, false));
  const ir::TypeInfo& x = ctx.input_type(0);
  if (ctx.has_input(2)) {
    auto shape = ConstantInts(ctx, 2);
    if (!shape) {
      std::optional<SymbolicShape> out;
      if (x.shape) out = SymbolicShape(std::vector<Dim>(size_t(x.shape->rank()), Dim::Unknown()));
      ctx.set_output(0, x.dtype, out);
      return Status::Ok();
    }
    ctx.set_output(0, x.dtype, SymbolicShape::FromShape(Shape(*shape)));
    return Status::Ok();
  }
  if (!x.shape) {
    ctx.set_output(0, x.dtype, std::nullopt);
    return Status::Ok();
  }
  const SymbolicShape& xs = *x.shape;
  if (xs.rank() < 3) {
    return InvalidArgument("input 0 'X': expected rank >= 3, got " + std::to_string(xs.rank()));
  }
  SymbolicShape out({xs.dims[0], xs.dims[1]});
  std::vector<int64_t> in;
  for (int i = 2; i < xs.rank(); ++i) {
    const Dim& d = xs.dims[size_t(i)];
    in.push_back(d.is_known() ? d.value : 1);
  }
  BRISK_ASSIGN_OR_RETURN(std::vector<int64_t> spatial, UnpoolSpatial(attrs, in));
  for (int i = 2; i < xs.rank(); ++i) {
    out.dims.push_back(xs.dims[size_t(i)].is_known() ? Dim::Known(spatial[size_t(i - 2)])
                                                     : Dim::Unknown());
  }
  ctx.set_output(0, x.dtype, std::move(out));
  return Status::Ok();
}

class MaxUnpoolKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(SpatialAttrs attrs,
                           conv_pool::ParseSpatialAttrs(init.attrs(), false, false));
    if (attrs.kernel_shape.empty()) return InvalidArgument("attribute 'kernel_shape' is required");
    return MakeKernel<MaxUnpoolKernel>(std::move(attrs));
  }
  explicit MaxUnpoolKernel(SpatialAttrs attrs) : attrs_(std::move(attrs)) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    if (ctx.input(1) == nullptr) return InvalidArgument("input 1 'I' is required");
    const Tensor& ind = *ctx.input(1);
    BRISK_RETURN_IF_ERROR(conv_pool::CheckRankAtLeast(x.shape(), 3, 0, "X"));
    if (ind.dtype() != DType::kInt64) {
      return InvalidArgument("input 1 'I': expected int64, got " + ind.TypeString());
    }
    if (ind.shape() != x.shape()) {
      return InvalidArgument("input 1 'I': shape " + ind.shape().ToString() +
                             " differs from input 0 'X' shape " + x.shape().ToString());
    }
    // Indices address the default (inferred) output; an explicit output_shape may only grow
    // it, the unpooled values staying at their coordinates (the extra border is zero).
    BRISK_ASSIGN_OR_RETURN(std::vector<int64_t> spatial,
                           UnpoolSpatial(attrs_, conv_pool::SpatialDims(x.shape())));
    std::vector<int64_t> inferred = {x.dim(0), x.dim(1)};
    inferred.insert(inferred.end(), spatial.begin(), spatial.end());
    std::vector<int64_t> out_dims = inferred;
    if (ctx.input(2) != nullptr) {
      BRISK_ASSIGN_OR_RETURN(out_dims, ReadInts(*ctx.input(2), "input 2 'output_shape'"));
      if (int(out_dims.size()) != x.rank()) {
        return InvalidArgument("input 2 'output_shape': expected " + std::to_string(x.rank()) +
                               " values, got " + std::to_string(out_dims.size()));
      }
      for (size_t i = 0; i < out_dims.size(); ++i) {
        if (out_dims[i] < inferred[i]) {
          return InvalidArgument("input 2 'output_shape': [" + conv_pool::JoinInts(out_dims) +
                                 "] is smaller than the unpooled shape [" +
                                 conv_pool::JoinInts(inferred) + "]");
        }
      }
      BRISK_RETURN_IF_ERROR(Shape(out_dims).Validate());
    }
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x.dtype(), Shape(out_dims)));
    const int64_t total = Shape(inferred).NumElements();
    const int64_t* id = ind.data<int64_t>();
    const Shape inferred_shape(inferred);
    const std::vector<int64_t> out_strides = ContiguousStrides(y->shape());
    return DispatchNumeric(x.dtype(), "input 0 'X'", [&]<typename T>() -> Status {
      T* yd = y->data<T>();
      std::fill(yd, yd + y->num_elements(), T(0));
      const T* xd = x.data<T>();
      for (int64_t i = 0; i < x.num_elements(); ++i) {
        if (id[i] < 0 || id[i] >= total) {
          return OutOfRange("input 1 'I': index " + std::to_string(id[i]) +
                            " is out of range for an unpooled output of " +
                            std::to_string(total) + " elements");
        }
        int64_t rem = id[i], off = 0;
        for (int d = inferred_shape.rank() - 1; d >= 0; --d) {
          off += (rem % inferred_shape[d]) * out_strides[size_t(d)];
          rem /= inferred_shape[d];
        }
        yd[off] = xd[i];
      }
      return Status::Ok();
    });
  }

 private:
  SpatialAttrs attrs_;
};

}  // namespace

BRISK_REGISTER_OPS(pool_global) {
  Op("GlobalAveragePool")
      .Since(1)
      .Infer(InferGlobalPool)
      .Compute(GlobalPoolCompute<GlobalKind::kAverage>);
  Op("GlobalMaxPool").Since(1).Infer(InferGlobalPool).Compute(GlobalPoolCompute<GlobalKind::kMax>);
  Op("GlobalLpPool").Since(1).Infer(InferGlobalPool).Compute(GlobalPoolCompute<GlobalKind::kLp>);
  Op("MaxUnpool").Since(9).Infer(InferMaxUnpool).Kernel<MaxUnpoolKernel>();
}

}  // namespace brisk
