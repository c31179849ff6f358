// ConvTranspose (GEMM W^T * X per image and group, then col2im) and Col2Im (opset 18).
#include <algorithm>

#include "kernels/dispatch.h"
#include "kernels/reference/conv_pool_util.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

using conv_pool::AutoPad;
using conv_pool::AxisGeometry;
using conv_pool::SpatialAttrs;

int64_t FloorDiv2(int64_t v) { return v >= 0 ? v / 2 : -((-v + 1) / 2); }

struct TransposeAttrs {
  SpatialAttrs spatial;
  int64_t group = 1;
  std::vector<int64_t> output_padding;
  std::vector<int64_t> output_shape;
};

StatusOr<TransposeAttrs> ParseTransposeAttrs(const ir::AttributeMap& attrs) {
  TransposeAttrs t;
  BRISK_ASSIGN_OR_RETURN(t.spatial, conv_pool::ParseSpatialAttrs(attrs, true, false));
  BRISK_ASSIGN_OR_RETURN(t.group, attrs.GetInt("group", 1));
  if (t.group < 1 || t.group > (int64_t(1) << 32)) {
    return InvalidArgument("attribute 'group': must be >= 1, got " + std::to_string(t.group));
  }
  BRISK_ASSIGN_OR_RETURN(t.output_padding, attrs.GetInts("output_padding", std::vector<int64_t>{}));
  BRISK_ASSIGN_OR_RETURN(t.output_shape, attrs.GetInts("output_shape", std::vector<int64_t>{}));
  for (int64_t v : t.output_padding) {
    if (v < 0) {
      return InvalidArgument("attribute 'output_padding': values must be >= 0, got [" +
                             conv_pool::JoinInts(t.output_padding) + "]");
    }
  }
  for (int64_t v : t.output_shape) {
    if (v < 0) {
      return InvalidArgument("attribute 'output_shape': values must be >= 0, got [" +
                             conv_pool::JoinInts(t.output_shape) + "]");
    }
  }
  return t;
}

// Geometry of the transposed conv as the forward conv it is the adjoint of: `in` is the output
// image size, `out` the input size. in_spatial[i] < 0 means unknown (then in stays -1).
StatusOr<std::vector<AxisGeometry>> TransposeGeometry(const TransposeAttrs& t,
                                                      std::span<const int64_t> in_spatial,
                                                      std::span<const int64_t> kernel) {
  const int n = int(in_spatial.size());
  BRISK_ASSIGN_OR_RETURN(std::vector<AxisGeometry> geo,
                         conv_pool::AxesFromAttrs(t.spatial, n, kernel));
  if (!t.output_padding.empty() && int(t.output_padding.size()) != n) {
    return InvalidArgument("attribute 'output_padding': expected " + std::to_string(n) +
                           " values, got " + std::to_string(t.output_padding.size()));
  }
  std::span<const int64_t> out_shape = t.output_shape;
  if (int(out_shape.size()) == n + 2) out_shape = out_shape.subspan(2);
  if (!out_shape.empty() && int(out_shape.size()) != n) {
    return InvalidArgument("attribute 'output_shape': expected " + std::to_string(n) +
                           " values, got " + std::to_string(t.output_shape.size()));
  }
  for (int i = 0; i < n; ++i) {
    AxisGeometry& g = geo[size_t(i)];
    g.out = in_spatial[size_t(i)];
    if (g.out < 0) {
      g.in = -1;
      continue;
    }
    const int64_t adj = t.output_padding.empty() ? 0 : t.output_padding[size_t(i)];
    const int64_t natural = g.stride * (g.out - 1) + adj + g.EffectiveKernel();
    const AutoPad ap = t.spatial.auto_pad;
    const bool same = ap == AutoPad::kSameUpper || ap == AutoPad::kSameLower;
    if (!out_shape.empty() || same) {
      g.in = !out_shape.empty() ? out_shape[size_t(i)] : g.out * g.stride;
      const int64_t total = natural - g.in;
      if (ap == AutoPad::kNotSet && !t.spatial.pads.empty()) {
        // Explicit pads with an explicit output size: pads place the output, size crops it.
      } else if (ap == AutoPad::kSameUpper) {
        g.pad_begin = FloorDiv2(total);
      } else {
        g.pad_begin = total - FloorDiv2(total);
      }
      g.pad_end = natural - g.in - g.pad_begin;
    } else {
      if (ap == AutoPad::kValid) g.pad_begin = g.pad_end = 0;
      g.in = natural - g.pad_begin - g.pad_end;
      if (g.out == 0) g.in = 0;
      if (g.in < 0) {
        return InvalidArgument("attribute 'pads': pads [" + conv_pool::JoinInts(t.spatial.pads) +
                               "] are larger than the output on spatial axis " +
                               std::to_string(i));
      }
    }
  }
  return geo;
}

Status InferConvTranspose(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(TransposeAttrs t, ParseTransposeAttrs(ctx.attrs()));
  const ir::TypeInfo& x = ctx.input_type(0);
  const ir::TypeInfo& w = ctx.input_type(1);
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
  std::vector<int64_t> kernel = t.spatial.kernel_shape;
  if (w.shape) {
    const SymbolicShape& ws = *w.shape;
    if (ws.rank() != xs.rank()) {
      return InvalidArgument("input 1 'W': expected rank " + std::to_string(xs.rank()) +
                             " (same as input 0 'X'), got " + std::to_string(ws.rank()));
    }
    if (ws.dims[1].is_known()) m = Dim::Known(ws.dims[1].value * t.group);
    if (kernel.empty()) {
      for (int i = 0; i < n; ++i) kernel.push_back(ws.dims[size_t(i + 2)].value);
      if (std::any_of(kernel.begin(), kernel.end(), [](int64_t k) { return k < 0; }))
        kernel.clear();
    }
  }
  SymbolicShape out({xs.dims[0], m});
  std::vector<int64_t> in(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) in[size_t(i)] = xs.dims[size_t(i + 2)].value;
  if (kernel.empty()) {
    for (int i = 0; i < n; ++i) out.dims.push_back(Dim::Unknown());
  } else {
    BRISK_ASSIGN_OR_RETURN(std::vector<AxisGeometry> geo, TransposeGeometry(t, in, kernel));
    for (const AxisGeometry& g : geo) out.dims.push_back(g.in >= 0 ? Dim::Known(g.in) : Dim());
  }
  ctx.set_output(0, x.dtype, std::move(out));
  return Status::Ok();
}

template <typename T, typename Acc>
Status ConvTransposeCompute(const Tensor& x, const Tensor& w, const Tensor* b, int64_t group,
                            const std::vector<AxisGeometry>& geo, Tensor& y) {
  if (y.num_elements() == 0) return Status::Ok();
  const int64_t batch = x.dim(0), channels = x.dim(1), m = y.dim(1);
  const int64_t cg = channels / group, mg = m / group;
  int64_t kernel_size = 1, in_size = 1, out_size = 1;  // in_size: X spatial, out_size: Y spatial
  for (const AxisGeometry& g : geo) {
    kernel_size *= g.kernel;
    in_size *= g.out;
    out_size *= g.in;
  }
  const int64_t rows = mg * kernel_size;
  const int64_t m_pad = conv_pool::RoundUp(rows, conv_pool::kGemmRows);
  const int64_t n_pad = conv_pool::RoundUp(in_size, conv_pool::kGemmCols);
  // A = W_g^T packed [m_pad][cg]; W is [channels][mg * kernel_size].
  BRISK_ASSIGN_OR_RETURN(Tensor wp, Tensor::Zeros(kDTypeOf<Acc>, Shape{group * m_pad * cg}));
  const T* wd = w.data<T>();
  Acc* wpd = wp.data<Acc>();
  for (int64_t g = 0; g < group; ++g)
    for (int64_t c = 0; c < cg; ++c)
      for (int64_t r = 0; r < rows; ++r)
        wpd[(g * m_pad + r) * cg + c] = Acc(ToDouble(wd[(g * cg + c) * rows + r]));
  BRISK_ASSIGN_OR_RETURN(Tensor xb, Tensor::Zeros(kDTypeOf<Acc>, Shape{cg * n_pad}));
  BRISK_ASSIGN_OR_RETURN(Tensor col, Tensor::Allocate(kDTypeOf<Acc>, Shape{m_pad * n_pad}));
  BRISK_ASSIGN_OR_RETURN(Tensor img, Tensor::Allocate(kDTypeOf<Acc>, Shape{mg * out_size}));
  const T* xd = x.data<T>();
  T* yd = y.data<T>();
  for (int64_t nb = 0; nb < batch; ++nb) {
    for (int64_t g = 0; g < group; ++g) {
      Acc* xbd = xb.data<Acc>();
      for (int64_t c = 0; c < cg; ++c) {
        const T* src = xd + (nb * channels + g * cg + c) * in_size;
        for (int64_t p = 0; p < in_size; ++p) xbd[c * n_pad + p] = Acc(ToDouble(src[p]));
      }
      conv_pool::GemmPacked(wpd + g * m_pad * cg, xbd, col.data<Acc>(), m_pad, cg, n_pad);
      std::fill(img.data<Acc>(), img.data<Acc>() + mg * out_size, Acc(0));
      conv_pool::Col2ImAdd(static_cast<const Acc*>(col.data<Acc>()), mg, geo, n_pad,
                           img.data<Acc>());
      for (int64_t r = 0; r < mg; ++r) {
        const Acc bv = b != nullptr ? Acc(ToDouble(b->data<T>()[g * mg + r])) : Acc(0);
        const Acc* src = img.data<Acc>() + r * out_size;
        T* dst = yd + (nb * m + g * mg + r) * out_size;
        for (int64_t p = 0; p < out_size; ++p) dst[p] = conv_pool::FromAcc<T, Acc>(src[p] + bv);
      }
    }
  }
  return Status::Ok();
}

class ConvTransposeKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(TransposeAttrs t, ParseTransposeAttrs(init.attrs()));
    return MakeKernel<ConvTransposeKernel>(std::move(t));
  }
  explicit ConvTransposeKernel(TransposeAttrs t) : t_(std::move(t)) {}

  Status Run(KernelContext& ctx) const override {
    if (ctx.input(1) == nullptr) return InvalidArgument("input 1 'W' is required");
    const Tensor& x = *ctx.input(0);
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
    const int64_t channels = x.dim(1);
    if (w.dim(0) != channels) {
      return InvalidArgument("input 1 'W': dim 0 is " + std::to_string(w.dim(0)) +
                             " but input 0 'X' has " + std::to_string(channels) + " channels");
    }
    if (channels % t_.group != 0) {
      return InvalidArgument("input 0 'X': channels " + std::to_string(channels) +
                             " not divisible by group " + std::to_string(t_.group));
    }
    const int64_t m = w.dim(1) * t_.group;
    if (b != nullptr && (b->rank() != 1 || b->dim(0) != m || b->dtype() != x.dtype())) {
      return InvalidArgument("input 2 'B': expected " + std::string(DTypeName(x.dtype())) + "[" +
                             std::to_string(m) + "], got " + b->TypeString());
    }
    const std::vector<int64_t> kernel = conv_pool::SpatialDims(w.shape());
    if (!t_.spatial.kernel_shape.empty() && t_.spatial.kernel_shape != kernel) {
      return InvalidArgument("attribute 'kernel_shape' [" +
                             conv_pool::JoinInts(t_.spatial.kernel_shape) +
                             "] does not match input 1 'W' spatial dims [" +
                             conv_pool::JoinInts(kernel) + "]");
    }
    BRISK_ASSIGN_OR_RETURN(std::vector<AxisGeometry> geo,
                           TransposeGeometry(t_, conv_pool::SpatialDims(x.shape()), kernel));
    std::vector<int64_t> out_dims = {x.dim(0), m};
    for (const AxisGeometry& g : geo) out_dims.push_back(g.in);
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x.dtype(), Shape(out_dims)));
    return DispatchFloat(x.dtype(), "input 0 'X'", [&]<typename T>() -> Status {
      return ConvTransposeCompute<T, conv_pool::AccumulatorOf<T>>(x, w, b, t_.group, geo, *y);
    });
  }

 private:
  TransposeAttrs t_;
};

// ---- Col2Im --------------------------------------------------------------------------------

StatusOr<std::vector<AxisGeometry>> Col2ImGeometry(const SpatialAttrs& attrs,
                                                   std::span<const int64_t> image,
                                                   std::span<const int64_t> block) {
  if (image.size() != block.size()) {
    return InvalidArgument("input 1 'image_shape' has " + std::to_string(image.size()) +
                           " values but input 2 'block_shape' has " +
                           std::to_string(block.size()));
  }
  if (image.empty()) return InvalidArgument("input 1 'image_shape' must not be empty");
  for (int64_t v : image) {
    if (v < 0) {
      return InvalidArgument("input 1 'image_shape': values must be >= 0, got [" +
                             conv_pool::JoinInts(image) + "]");
    }
  }
  for (int64_t v : block) {
    if (v < 1) {
      return InvalidArgument("input 2 'block_shape': values must be >= 1, got [" +
                             conv_pool::JoinInts(block) + "]");
    }
  }
  return conv_pool::ForwardGeometry(attrs, image, block);
}

Status InferCol2Im(InferenceContext& ctx) {
  const ir::TypeInfo& x = ctx.input_type(0);
  BRISK_ASSIGN_OR_RETURN(SpatialAttrs attrs,
                         conv_pool::ParseSpatialAttrs(ctx.attrs(), true, false));
  auto image = ConstantInts(ctx, 1);
  auto block = ConstantInts(ctx, 2);
  if (!x.shape || !image) {
    ctx.set_output(0, x.dtype, std::nullopt);
    return Status::Ok();
  }
  if (x.shape->rank() != 3) {
    return InvalidArgument("input 0 'input': expected rank 3, got " +
                           std::to_string(x.shape->rank()));
  }
  SymbolicShape out({x.shape->dims[0], Dim::Unknown()});
  if (block) {
    int64_t block_size = 1;
    for (int64_t v : *block) block_size *= std::max<int64_t>(v, 1);
    const Dim& cb = x.shape->dims[1];
    if (cb.is_known()) {
      if (cb.value % block_size != 0) {
        return InvalidArgument("input 0 'input': dim 1 (" + std::to_string(cb.value) +
                               ") is not divisible by the block size " +
                               std::to_string(block_size));
      }
      out.dims[1] = Dim::Known(cb.value / block_size);
    }
  }
  for (int64_t v : *image) out.dims.push_back(Dim::Known(v));
  ctx.set_output(0, x.dtype, std::move(out));
  return Status::Ok();
}

class Col2ImKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(SpatialAttrs attrs,
                           conv_pool::ParseSpatialAttrs(init.attrs(), true, false));
    if (attrs.auto_pad != AutoPad::kNotSet || !attrs.kernel_shape.empty()) {
      return InvalidArgument("Col2Im has no 'auto_pad' or 'kernel_shape' attribute");
    }
    return MakeKernel<Col2ImKernel>(std::move(attrs));
  }
  explicit Col2ImKernel(SpatialAttrs attrs) : attrs_(std::move(attrs)) {}

  Status Run(KernelContext& ctx) const override {
    if (ctx.input(1) == nullptr || ctx.input(2) == nullptr) {
      return InvalidArgument("inputs 1 'image_shape' and 2 'block_shape' are required");
    }
    const Tensor& x = *ctx.input(0);
    if (x.rank() != 3) {
      return InvalidArgument("input 0 'input': expected rank 3, got " + std::to_string(x.rank()));
    }
    BRISK_ASSIGN_OR_RETURN(std::vector<int64_t> image,
                           ReadInts(*ctx.input(1), "input 1 'image_shape'"));
    BRISK_ASSIGN_OR_RETURN(std::vector<int64_t> block,
                           ReadInts(*ctx.input(2), "input 2 'block_shape'"));
    BRISK_ASSIGN_OR_RETURN(std::vector<AxisGeometry> geo, Col2ImGeometry(attrs_, image, block));
    int64_t block_size = 1, blocks = 1;
    for (const AxisGeometry& g : geo) {
      block_size *= g.kernel;
      blocks *= g.out;
    }
    if (x.dim(1) % block_size != 0) {
      return InvalidArgument("input 0 'input': dim 1 (" + std::to_string(x.dim(1)) +
                             ") is not divisible by the block size " + std::to_string(block_size));
    }
    if (x.dim(2) != blocks) {
      return InvalidArgument("input 0 'input': dim 2 is " + std::to_string(x.dim(2)) +
                             " but image_shape, block_shape, strides, pads and dilations give " +
                             std::to_string(blocks) + " blocks");
    }
    const int64_t channels = x.dim(1) / block_size;
    std::vector<int64_t> out_dims = {x.dim(0), channels};
    for (int64_t v : image) out_dims.push_back(v);
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x.dtype(), Shape(out_dims)));
    int64_t image_size = 1;
    for (int64_t v : image) image_size *= v;
    return DispatchNumeric(x.dtype(), "input 0 'input'", [&]<typename T>() -> Status {
      std::fill(y->data<T>(), y->data<T>() + y->num_elements(), T(0));
      for (int64_t nb = 0; nb < x.dim(0); ++nb) {
        conv_pool::Col2ImAdd(x.data<T>() + nb * x.dim(1) * blocks, channels, geo, blocks,
                             y->data<T>() + nb * channels * image_size);
      }
      return Status::Ok();
    });
  }

 private:
  SpatialAttrs attrs_;
};

}  // namespace

BRISK_REGISTER_OPS(conv_transpose) {
  Op("ConvTranspose").Since(1).Infer(InferConvTranspose).Kernel<ConvTransposeKernel>();
  Op("Col2Im").Since(18).Infer(InferCol2Im).Kernel<Col2ImKernel>();
}

}  // namespace brisk
