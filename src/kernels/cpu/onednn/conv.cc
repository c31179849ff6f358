// Conv (ONNX, all opsets) and ai.brisk FusedConv on oneDNN, float32, 1-D/2-D/3-D.
//
// Created per concrete shape signature: the primitive (direct algorithm, weights in the layout
// it prefers, reordered once here) is built at create time; Run only wraps the tensors and
// executes. Activations stay in plain NCHW (ncw/ncdhw). FusedConv's epilogue is oneDNN post-ops
// in the op's order: conv + bias, + Sum (binary add of a dst-shaped tensor), activation.
//
// Declines (the reference kernel runs) when: shapes are not fully known (the symbolic compile at
// model load), W is not a compile-time constant, a dtype is not float32, a tensor is empty, the
// attributes are invalid (the reference reports the error), the activation has no oneDNN
// equivalent, or oneDNN would only offer its naive reference implementation.
#include <memory>
#include <unordered_map>

#include "kernels/activation.h"
#include "kernels/cpu/onednn/context.h"
#include "kernels/cpu/onednn/post_ops.h"
#include "kernels/reference/conv_pool_util.h"
#include "kernels/registry.h"

namespace brisk::onednn {
namespace {

using conv_pool::AxisGeometry;

constexpr int kSumInput = 3;

class OnednnConv : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init, bool fused) {
    std::unique_ptr<Kernel> none;
    const int n_in = int(init.input_types.size());
    if (n_in < 2) return none;
    const std::optional<Shape> x = KnownFloat32Shape(init.input_types[0]);
    const std::optional<Shape> w = KnownFloat32Shape(init.input_types[1]);
    const Tensor* w_const = init.input_constants[1];
    if (!x || !w || w_const == nullptr || w_const->dtype() != DType::kFloat32) return none;
    const int rank = x->rank();
    if (rank < 3 || rank > 5 || w->rank() != rank || !AllPositive(*x) || !AllPositive(*w)) {
      return none;
    }
    const bool has_bias = n_in > 2 && init.node.has_input(2);
    std::optional<Shape> b;
    if (has_bias) {
      b = KnownFloat32Shape(init.input_types[2]);
      if (!b || b->rank() != 1 || (*b)[0] != (*w)[0]) return none;
    }
    const bool has_sum = fused && n_in > kSumInput && init.node.has_input(kSumInput);
    Activation activation;
    if (fused) {
      StatusOr<Activation> a = Activation::FromAttributes(init.attrs());
      if (!a.ok()) return none;
      activation = *a;
    }
    StatusOr<conv_pool::SpatialAttrs> attrs = conv_pool::ParseSpatialAttrs(init.attrs(), true, false);
    StatusOr<int64_t> group = init.attrs().GetInt("group", 1);
    if (!attrs.ok() || !group.ok() || *group < 1) return none;
    const int64_t g = *group, c = (*x)[1], m = (*w)[0];
    if ((*w)[1] * g != c || m % g != 0) return none;
    const std::vector<int64_t> kernel = conv_pool::SpatialDims(*w);
    if (!attrs->kernel_shape.empty() && attrs->kernel_shape != kernel) return none;
    StatusOr<std::vector<AxisGeometry>> geo =
        conv_pool::ForwardGeometry(*attrs, conv_pool::SpatialDims(*x), kernel);
    if (!geo.ok()) return none;

    dnnl::memory::dims y_dims = {(*x)[0], m}, strides, dilates, pad_l, pad_r;
    for (const AxisGeometry& a : *geo) {
      if (a.out <= 0) return none;
      y_dims.push_back(a.out);
      strides.push_back(a.stride);
      dilates.push_back(a.dilation - 1);  // oneDNN counts the gaps
      pad_l.push_back(a.pad_begin);
      pad_r.push_back(a.pad_end);
    }
    if (has_sum) {
      const std::optional<Shape> sum = KnownFloat32Shape(init.input_types[kSumInput]);
      if (!sum || sum->dims() != y_dims) return none;
    }
    // Weights as oneDNN sees them: [G, M/G, C/G, k...] when grouped.
    dnnl::memory::dims w_dims = ToDims(*w);
    if (g > 1) {
      w_dims[0] = m / g;
      w_dims.insert(w_dims.begin(), g);
    }

    auto k = std::unique_ptr<OnednnConv>(new OnednnConv());
    k->x_desc_ = PlainDesc(ToDims(*x));
    k->y_desc_ = PlainDesc(y_dims);
    k->y_shape_ = Shape(y_dims);
    k->x_shape_ = *x;
    k->has_bias_ = has_bias;
    k->has_sum_ = has_sum;
    try {
      dnnl::post_ops ops;
      if (has_sum) ops.append_binary(dnnl::algorithm::binary_add, k->y_desc_);
      if (!AppendActivation(activation, ops)) return none;
      const dnnl::memory::desc bias_desc =
          has_bias ? PlainDesc({m}) : dnnl::memory::desc();
      dnnl::convolution_forward::desc desc(
          dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, k->x_desc_,
          AnyDesc(w_dims), bias_desc, k->y_desc_, strides, dilates, pad_l, pad_r);
      dnnl::convolution_forward::primitive_desc pd(desc, MakeAttr(ops), Engine(),
                                                   /*allow_empty=*/true);
      if (!pd || IsReferenceImpl(pd)) return none;
      k->bias_desc_ = bias_desc;
      BRISK_ASSIGN_OR_RETURN(k->weights_,
                             ReorderConstant(PlainDesc(w_dims), w_const->raw_data(),
                                             pd.weights_desc()));
      k->primitive_.emplace(dnnl::convolution_forward(pd), pd);
    } catch (const dnnl::error& e) {
      return none;  // an unsupported configuration: the reference kernel runs
    }
    return std::unique_ptr<Kernel>(std::move(k));
  }

  Status Run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    if (x.dtype() != DType::kFloat32 || x.shape() != x_shape_) {
      return InvalidArgument("input 0 'X' " + x.TypeString() +
                             " differs from the shape this kernel was created for " +
                             x_shape_.ToString());
    }
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kFloat32, y_shape_));
    std::unordered_map<int, dnnl::memory> args;
    try {
      args[DNNL_ARG_SRC] = Wrap(x_desc_, x.raw_data());
      args[DNNL_ARG_WEIGHTS] = weights_;
      args[DNNL_ARG_DST] = Wrap(y_desc_, y->raw_data());
      if (has_bias_) {
        const Tensor* b = ctx.input(2);
        if (b == nullptr || b->dtype() != DType::kFloat32 || b->num_elements() != y_shape_[1]) {
          return InvalidArgument("input 2 'B' must be float32[" + std::to_string(y_shape_[1]) +
                                 "]");
        }
        args[DNNL_ARG_BIAS] = Wrap(bias_desc_, b->raw_data());
      }
      if (has_sum_) {
        const Tensor* s = ctx.input(kSumInput);
        if (s == nullptr || s->dtype() != DType::kFloat32 || s->shape() != y_shape_) {
          return InvalidArgument("input 'Sum' must match the output " + y->TypeString());
        }
        args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1] = Wrap(y_desc_, s->raw_data());
      }
    } catch (const dnnl::error& e) {
      return FromError(e, "convolution arguments");
    }
    return primitive_->Execute(args, "convolution");
  }

  std::string Describe() const override { return primitive_->impl(); }

 private:
  OnednnConv() = default;

  Shape x_shape_, y_shape_;
  dnnl::memory::desc x_desc_, y_desc_, bias_desc_;
  dnnl::memory weights_;
  bool has_bias_ = false, has_sum_ = false;
  std::optional<Primitive> primitive_;
};

}  // namespace

BRISK_REGISTER_OPS(onednn_conv) {
  Op("Conv").Since(1).Backend(kCpuBackend).Create([](const KernelInit& init) {
    return OnednnConv::Create(init, /*fused=*/false);
  });
  Op("FusedConv").Domain(std::string(kBriskDomain)).Since(1).Backend(kCpuBackend).Create(
      [](const KernelInit& init) { return OnednnConv::Create(init, /*fused=*/true); });
}

}  // namespace brisk::onednn
