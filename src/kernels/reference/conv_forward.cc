// Conv (1-D, 2-D, 3-D and beyond): im2col + a packed GEMM per (image, group). float16 and
// bfloat16 compute in float, float64 in double.
#include <algorithm>
#include <cstring>

#include "kernels/dispatch.h"
#include "kernels/reference/conv_pool_util.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

using conv_pool::AxisGeometry;
using conv_pool::SpatialAttrs;

// y = conv(x, w) + b for one dtype; Acc is the accumulation type.
template <typename T, typename Acc>
Status ConvForward(const Tensor& x, const Tensor& w, const Tensor* b, int64_t group,
                   const std::vector<AxisGeometry>& geo, Tensor& y) {
  if (y.num_elements() == 0) return Status::Ok();
  const int64_t batch = x.dim(0), channels = x.dim(1), m = w.dim(0);
  const int64_t cg = channels / group, mg = m / group;
  int64_t kernel_size = 1, in_size = 1, out_size = 1;
  for (const AxisGeometry& g : geo) {
    kernel_size *= g.kernel;
    in_size *= g.in;
    out_size *= g.out;
  }
  const int64_t kdim = cg * kernel_size;
  const int64_t m_pad = conv_pool::RoundUp(mg, conv_pool::kGemmRows);
  const int64_t n_pad = conv_pool::RoundUp(out_size, conv_pool::kGemmCols);
  BRISK_ASSIGN_OR_RETURN(Tensor xa, (conv_pool::AsAcc<T, Acc>(x)));
  // Weights packed per group as [m_pad][kdim], the rows past mg zero.
  BRISK_ASSIGN_OR_RETURN(Tensor wp, Tensor::Zeros(kDTypeOf<Acc>, Shape{group * m_pad * kdim}));
  const T* wd = w.data<T>();
  Acc* wpd = wp.data<Acc>();
  for (int64_t g = 0; g < group; ++g)
    for (int64_t r = 0; r < mg; ++r)
      for (int64_t k = 0; k < kdim; ++k)
        wpd[(g * m_pad + r) * kdim + k] = Acc(ToDouble(wd[(g * mg + r) * kdim + k]));
  BRISK_ASSIGN_OR_RETURN(Tensor col, Tensor::Zeros(kDTypeOf<Acc>, Shape{kdim * n_pad}));
  BRISK_ASSIGN_OR_RETURN(Tensor cbuf, Tensor::Allocate(kDTypeOf<Acc>, Shape{m_pad * n_pad}));
  std::vector<Acc> bias(static_cast<size_t>(m), Acc(0));
  if (b != nullptr)
    for (int64_t i = 0; i < m; ++i) bias[size_t(i)] = Acc(ToDouble(b->data<T>()[i]));
  const Acc* xd = xa.data<Acc>();
  T* yd = y.data<T>();
  for (int64_t nb = 0; nb < batch; ++nb) {
    for (int64_t g = 0; g < group; ++g) {
      conv_pool::Im2Col(xd + (nb * channels + g * cg) * in_size, cg, geo, col.data<Acc>(), n_pad);
      conv_pool::GemmPacked(wpd + g * m_pad * kdim, col.data<Acc>(), cbuf.data<Acc>(), m_pad,
                            kdim, n_pad);
      for (int64_t r = 0; r < mg; ++r) {
        const Acc* src = cbuf.data<Acc>() + r * n_pad;
        const Acc bv = bias[size_t(g * mg + r)];
        T* dst = yd + (nb * m + g * mg + r) * out_size;
        for (int64_t p = 0; p < out_size; ++p) dst[p] = conv_pool::FromAcc<T, Acc>(src[p] + bv);
      }
    }
  }
  return Status::Ok();
}

// Output type of Conv from what is known of X and W.
Status InferConv(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(SpatialAttrs attrs,
                         conv_pool::ParseSpatialAttrs(ctx.attrs(), true, false));
  BRISK_ASSIGN_OR_RETURN(int64_t group, ctx.attrs().GetInt("group", 1));
  if (group < 1) {
    return InvalidArgument("attribute 'group': must be >= 1, got " + std::to_string(group));
  }
  const ir::TypeInfo& x = ctx.input_type(0);
  const ir::TypeInfo& w = ctx.input_type(1);
  if (x.dtype != DType::kUndefined && w.dtype != DType::kUndefined && x.dtype != w.dtype) {
    return InvalidArgument("input 1 'W': dtype " + std::string(DTypeName(w.dtype)) +
                           " differs from input 0 'X' dtype " + std::string(DTypeName(x.dtype)));
  }
  if (!x.shape) {
    ctx.set_output(0, x.dtype, std::nullopt);
    return Status::Ok();
  }
  const SymbolicShape& xs = *x.shape;
  if (xs.rank() < 3) {
    return InvalidArgument("input 0 'X': expected rank >= 3, got " + std::to_string(xs.rank()));
  }
  const int n = xs.rank() - 2;
  Dim m = Dim::Unknown();
  std::vector<int64_t> kernel = attrs.kernel_shape;
  if (w.shape) {
    const SymbolicShape& ws = *w.shape;
    if (ws.rank() != xs.rank()) {
      return InvalidArgument("input 1 'W': expected rank " + std::to_string(xs.rank()) +
                             " (same as input 0 'X'), got " + std::to_string(ws.rank()));
    }
    m = ws.dims[0];
    const Dim& c = xs.dims[1];
    const Dim& wc = ws.dims[1];
    if (c.is_known() && wc.is_known() && c.value != wc.value * group) {
      return InvalidArgument("input 1 'W': dim 1 is " + std::to_string(wc.value) +
                             " but input 0 'X' has " + std::to_string(c.value) +
                             " channels and group is " + std::to_string(group));
    }
    if (m.is_known() && m.value % group != 0) {
      return InvalidArgument("input 1 'W': output channels " + std::to_string(m.value) +
                             " not divisible by group " + std::to_string(group));
    }
    if (kernel.empty()) {
      bool all_known = true;
      for (int i = 0; i < n; ++i) {
        const Dim& d = ws.dims[size_t(i + 2)];
        all_known = all_known && d.is_known();
        kernel.push_back(d.value);
      }
      if (!all_known) kernel.clear();
    }
  }
  SymbolicShape out;
  out.dims.push_back(xs.dims[0]);
  out.dims.push_back(m);
  if (kernel.empty()) {
    for (int i = 0; i < n; ++i) out.dims.push_back(Dim::Unknown());
  } else {
    std::span<const Dim> in_spatial(xs.dims.data() + 2, size_t(n));
    BRISK_ASSIGN_OR_RETURN(std::vector<Dim> spatial,
                           conv_pool::ForwardSymbolicDims(attrs, in_spatial, kernel));
    for (Dim& d : spatial) out.dims.push_back(std::move(d));
  }
  ctx.set_output(0, x.dtype, std::move(out));
  return Status::Ok();
}

class ConvKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(SpatialAttrs attrs,
                           conv_pool::ParseSpatialAttrs(init.attrs(), true, false));
    BRISK_ASSIGN_OR_RETURN(int64_t group, init.attrs().GetInt("group", 1));
    if (group < 1 || group > (int64_t(1) << 32)) {
      return InvalidArgument("attribute 'group': must be in [1, 2^32], got " +
                             std::to_string(group));
    }
    return MakeKernel<ConvKernel>(std::move(attrs), group);
  }

  ConvKernel(SpatialAttrs attrs, int64_t group) : attrs_(std::move(attrs)), group_(group) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    if (ctx.input(1) == nullptr) return InvalidArgument("input 1 'W' is required");
    const Tensor& w = *ctx.input(1);
    const Tensor* b = ctx.input(2);
    BRISK_RETURN_IF_ERROR(conv_pool::CheckRankAtLeast(x.shape(), 3, 0, "X"));
    if (w.rank() != x.rank()) {
      return InvalidArgument("input 1 'W': expected rank " + std::to_string(x.rank()) +
                             " (same as input 0 'X'), got " + std::to_string(w.rank()));
    }
    if (w.dtype() != x.dtype()) {
      return InvalidArgument("input 1 'W': dtype " + std::string(DTypeName(w.dtype())) +
                             " differs from input 0 'X' dtype " +
                             std::string(DTypeName(x.dtype())));
    }
    const int64_t batch = x.dim(0), channels = x.dim(1), m = w.dim(0);
    if (w.dim(1) * group_ != channels) {
      return InvalidArgument("input 1 'W': dim 1 is " + std::to_string(w.dim(1)) +
                             " but input 0 'X' has " + std::to_string(channels) +
                             " channels and group is " + std::to_string(group_) +
                             " (channels must equal W dim 1 * group)");
    }
    if (m % group_ != 0) {
      return InvalidArgument("input 1 'W': output channels " + std::to_string(m) +
                             " not divisible by group " + std::to_string(group_));
    }
    if (b != nullptr) {
      if (b->rank() != 1 || b->dim(0) != m) {
        return InvalidArgument("input 2 'B': expected shape [" + std::to_string(m) + "], got " +
                               b->shape().ToString());
      }
      if (b->dtype() != x.dtype()) {
        return InvalidArgument("input 2 'B': dtype differs from input 0 'X'");
      }
    }
    const std::vector<int64_t> kernel = conv_pool::SpatialDims(w.shape());
    if (!attrs_.kernel_shape.empty() && attrs_.kernel_shape != kernel) {
      return InvalidArgument("attribute 'kernel_shape' [" +
                             conv_pool::JoinInts(attrs_.kernel_shape) +
                             "] does not match input 1 'W' spatial dims [" +
                             conv_pool::JoinInts(kernel) + "]");
    }
    BRISK_ASSIGN_OR_RETURN(
        std::vector<AxisGeometry> geo,
        conv_pool::ForwardGeometry(attrs_, conv_pool::SpatialDims(x.shape()), kernel));
    std::vector<int64_t> out_dims = {batch, m};
    for (const AxisGeometry& g : geo) out_dims.push_back(g.out);
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x.dtype(), Shape(out_dims)));
    return DispatchFloat(x.dtype(), "input 0 'X'", [&]<typename T>() -> Status {
      using Acc = conv_pool::AccumulatorOf<T>;
      return ConvForward<T, Acc>(x, w, b, group_, geo, *y);
    });
  }

 private:
  SpatialAttrs attrs_;
  int64_t group_;
};

}  // namespace

BRISK_REGISTER_OPS(conv_forward) {
  Op("Conv").Since(1).Infer(InferConv).Kernel<ConvKernel>();
}

}  // namespace brisk
