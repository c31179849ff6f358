// MatMul (ONNX, all opsets), Gemm (opset 7+) and ai.brisk FusedMatMul on oneDNN's matmul
// primitive, float32.
//
// One kernel class serves all three: op(A) [.., M, K] x op(B) [.., K, N] (+ bias over N)
// (+ an addend broadcast to the output: Gemm's C, FusedMatMul's Sum) then an activation, as
//   dst = activation(alpha * A B + bias + addend)
// with the addend a binary-add post-op. 1-D operands are lifted to 2-D as ONNX says and batch
// dims are left-padded with 1s to a common rank; oneDNN broadcasts size-1 batch dims. A constant
// B is reordered once at create into the layout the primitive prefers (format any), with alpha
// folded into it; a variable B is read in place (transposed through strides).
//
// Declines (the reference kernel runs) on: shapes not fully known, non-float32, empty tensors,
// batch dims that do not broadcast, a Gemm with beta != 1 and a variable C, alpha != 1 with a
// variable B and a bias, or oneDNN offering only its naive reference implementation.
#include <algorithm>
#include <memory>

#include "kernels/activation.h"
#include "kernels/cpu/onednn/context.h"
#include "kernels/cpu/onednn/post_ops.h"
#include "kernels/registry.h"

namespace brisk::onednn {
namespace {

// Where a run finds an optional operand: an input of the node, or a tensor the kernel made at
// create time (Gemm's C scaled by beta).
struct Operand {
  int input = -1;
  std::optional<Tensor> owned;
  bool present() const { return input >= 0 || owned.has_value(); }
};

struct MatMulConfig {
  Shape a, b;  // as stored
  bool trans_a = false, trans_b = false;  // 2-D operands only
  const Tensor* b_const = nullptr;
  float alpha = 1.f;
  Operand bias;    // 1-D [N]
  Operand addend;  // broadcastable to the output
  Shape addend_shape;
  Activation activation;
  Shape out;  // the ONNX output shape
};

dnnl::memory::dims LeftPad(const std::vector<int64_t>& d, size_t rank) {
  dnnl::memory::dims r(rank - d.size(), 1);
  r.insert(r.end(), d.begin(), d.end());
  return r;
}

// Plain row-major descriptor of `dims`, or with the last two dims swapped in memory (the
// operand is stored transposed; its leading dims are all 1).
dnnl::memory::desc MaybeTransposedDesc(const dnnl::memory::dims& dims, bool transposed) {
  if (!transposed) return PlainDesc(dims);
  const size_t r = dims.size();
  // Element (i, j) of the logical [rows, cols] matrix is at j * rows + i.
  dnnl::memory::dims strides(r, dims[r - 2] * dims[r - 1]);
  strides[r - 2] = 1;
  strides[r - 1] = dims[r - 2];
  return dnnl::memory::desc(dims, dnnl::memory::data_type::f32, strides);
}

class OnednnMatMul : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(MatMulConfig cfg) {
    std::unique_ptr<Kernel> none;
    if (!AllPositive(cfg.a) || !AllPositive(cfg.b) || !AllPositive(cfg.out)) return none;
    if (cfg.a.rank() < 1 || cfg.b.rank() < 1) return none;
    if ((cfg.trans_a && cfg.a.rank() != 2) || (cfg.trans_b && cfg.b.rank() != 2)) return none;
    std::vector<int64_t> a = cfg.a.dims(), b = cfg.b.dims();
    if (a.size() == 1) a.insert(a.begin(), 1);
    if (b.size() == 1) b.push_back(1);
    const size_t rank = std::max(a.size(), b.size());
    if (rank > size_t(DNNL_MAX_NDIMS)) return none;
    dnnl::memory::dims a_dims = LeftPad(a, rank), b_dims = LeftPad(b, rank);
    if (cfg.trans_a) std::swap(a_dims[rank - 2], a_dims[rank - 1]);
    if (cfg.trans_b) std::swap(b_dims[rank - 2], b_dims[rank - 1]);
    const int64_t m = a_dims[rank - 2], k = a_dims[rank - 1], n = b_dims[rank - 1];
    if (b_dims[rank - 2] != k) return none;
    dnnl::memory::dims y_dims(rank);
    for (size_t i = 0; i + 2 < rank; ++i) {
      if (a_dims[i] != b_dims[i] && a_dims[i] != 1 && b_dims[i] != 1) return none;
      y_dims[i] = std::max(a_dims[i], b_dims[i]);
    }
    y_dims[rank - 2] = m;
    y_dims[rank - 1] = n;
    int64_t y_count = 1;
    for (int64_t d : y_dims) y_count *= d;
    if (y_count != cfg.out.NumElements()) return none;
    // A [..., M, K] x a 2-D B [K, N]: the batch of small GEMMs is one [batch * M, K] x [K, N]
    // GEMM over the same row-major memory (a transformer's [seq, batch, hidden] projections
    // would otherwise run as seq GEMMs with M = batch: 28 instead of ~100 GFLOP/s). Not when an
    // addend broadcasts over the batch dims (its memory would not line up).
    size_t rank_used = rank;
    const bool full_addend =
        !cfg.addend.present() || cfg.addend_shape.NumElements() == y_count;
    if (rank > 2 && b.size() == 2 && !cfg.trans_a && full_addend) {
      const int64_t rows = y_count / n;
      a_dims = {rows, k};
      b_dims = {b_dims[rank - 2], b_dims[rank - 1]};
      y_dims = {rows, n};
      rank_used = 2;
    }

    auto kernel = std::unique_ptr<OnednnMatMul>(new OnednnMatMul());
    OnednnMatMul& K = *kernel;
    K.a_shape_ = cfg.a;
    K.b_shape_ = cfg.b;
    K.out_ = cfg.out;
    K.a_desc_ = MaybeTransposedDesc(a_dims, cfg.trans_a);
    K.y_desc_ = PlainDesc(y_dims);
    K.b_is_const_ = cfg.b_const != nullptr;
    try {
      dnnl::post_ops ops;
      if (cfg.alpha != 1.f && !K.b_is_const_) {
        if (cfg.bias.present()) return none;  // the linear post-op would scale the bias too
        ops.append_eltwise(1.f, dnnl::algorithm::eltwise_linear, cfg.alpha, 0.f);
        K.linear_first_ = true;
      }
      if (cfg.addend.present()) {
        std::vector<int64_t> s = cfg.addend_shape.dims();
        if (rank_used != rank) s = {y_dims[0], y_dims[1]};  // the full output, flattened
        if (s.size() > rank_used) return none;
        dnnl::memory::dims d = LeftPad(s, rank_used);
        for (size_t i = 0; i < rank_used; ++i)
          if (d[i] != 1 && d[i] != y_dims[i]) return none;
        K.addend_desc_ = PlainDesc(d);
        ops.append_binary(dnnl::algorithm::binary_add, K.addend_desc_);
      }
      if (!AppendActivation(cfg.activation, ops)) return none;
      if (cfg.bias.present()) {
        dnnl::memory::dims d(rank_used, 1);
        d[rank_used - 1] = n;
        K.bias_desc_ = PlainDesc(d);
      }
      const dnnl::memory::desc b_user = MaybeTransposedDesc(b_dims, cfg.trans_b);
      K.b_desc_ = K.b_is_const_ ? AnyDesc(b_dims) : b_user;
      dnnl::matmul::desc desc(K.a_desc_, K.b_desc_, K.bias_desc_, K.y_desc_);
      dnnl::matmul::primitive_desc pd(desc, MakeAttr(ops), Engine(), /*allow_empty=*/true);
      if (!pd || IsReferenceImpl(pd)) return none;
      if (K.b_is_const_) {
        const Tensor* b_src = cfg.b_const;
        Tensor scaled;
        if (cfg.alpha != 1.f) {
          BRISK_ASSIGN_OR_RETURN(scaled, cfg.b_const->Clone());
          float* p = scaled.data<float>();
          for (int64_t i = 0; i < scaled.num_elements(); ++i) p[i] *= cfg.alpha;
          b_src = &scaled;
        }
        BRISK_ASSIGN_OR_RETURN(K.b_memory_,
                               ReorderConstant(b_user, b_src->raw_data(), pd.weights_desc()));
      }
      K.primitive_.emplace(dnnl::matmul(pd), pd);
    } catch (const dnnl::error& e) {
      return none;
    }
    K.bias_ = std::move(cfg.bias);
    K.addend_ = std::move(cfg.addend);
    K.addend_shape_ = cfg.addend_shape;
    return std::unique_ptr<Kernel>(std::move(kernel));
  }

  Status Run(KernelContext& ctx) const override {
    const Tensor* a = ctx.input(0);
    const Tensor* b = ctx.input(1);
    if (a == nullptr || a->dtype() != DType::kFloat32 || a->shape() != a_shape_ ||
        (!b_is_const_ && (b == nullptr || b->dtype() != DType::kFloat32 ||
                          b->shape() != b_shape_))) {
      return InvalidArgument("inputs differ from the float32 shapes this kernel was created for (" +
                             a_shape_.ToString() + ", " + b_shape_.ToString() + ")");
    }
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kFloat32, out_));
    ExecArgs args;
    args.Set(DNNL_ARG_SRC, a_desc_, a->raw_data());
    if (b_is_const_) {
      args.Set(DNNL_ARG_WEIGHTS, b_memory_);
    } else {
      args.Set(DNNL_ARG_WEIGHTS, b_desc_, b->raw_data());
    }
    args.Set(DNNL_ARG_DST, y_desc_, y->raw_data());
    if (bias_.present()) {
      BRISK_ASSIGN_OR_RETURN(const Tensor* t, Find(ctx, bias_, "Bias"));
      if (t->num_elements() != out_[out_.rank() - 1]) {
        return InvalidArgument("bias " + t->TypeString() + " must have the output's last dim");
      }
      args.Set(DNNL_ARG_BIAS, bias_desc_, t->raw_data());
    }
    if (addend_.present()) {
      BRISK_ASSIGN_OR_RETURN(const Tensor* t, Find(ctx, addend_, "addend"));
      if (t->shape() != addend_shape_) {
        return InvalidArgument("input " + t->TypeString() + " differs from " +
                               addend_shape_.ToString() + " this kernel was created for");
      }
      // The binary post-op's index counts all post-ops before it (the alpha linear one).
      const int index = addend_post_op_index();
      args.Set(DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | DNNL_ARG_SRC_1, addend_desc_,
               t->raw_data());
    }
    return primitive_->Execute(args, "matmul");
  }

  std::string Describe() const override { return primitive_->impl(); }

 private:
  OnednnMatMul() = default;

  static StatusOr<const Tensor*> Find(const KernelContext& ctx, const Operand& op,
                                      const char* what) {
    if (op.owned) return &*op.owned;
    const Tensor* t = ctx.input(op.input);
    if (t == nullptr || t->dtype() != DType::kFloat32) {
      return InvalidArgument(std::string("input '") + what + "' must be float32");
    }
    return t;
  }
  int addend_post_op_index() const { return linear_first_ ? 1 : 0; }

  Shape a_shape_, b_shape_, out_, addend_shape_;
  dnnl::memory::desc a_desc_, b_desc_, y_desc_, bias_desc_, addend_desc_;
  dnnl::memory b_memory_;
  bool b_is_const_ = false;
  bool linear_first_ = false;
  Operand bias_, addend_;
  std::optional<Primitive> primitive_;
};

// Common checks: inputs 0 and 1 fully known float32; fills a, b, b_const and the output shape.
bool BaseConfig(const KernelInit& init, MatMulConfig& cfg) {
  if (init.input_types.size() < 2) return false;
  const std::optional<Shape> a = KnownFloat32Shape(init.input_types[0]);
  const std::optional<Shape> b = KnownFloat32Shape(init.input_types[1]);
  if (!a || !b) return false;
  cfg.a = *a;
  cfg.b = *b;
  const Tensor* bc = init.input_constants[1];
  cfg.b_const = bc != nullptr && bc->dtype() == DType::kFloat32 ? bc : nullptr;
  return true;
}

// The ONNX MatMul output shape of op(A) x op(B) (trans only for 2-D), or nullopt.
std::optional<Shape> MatMulOutShape(const Shape& a0, const Shape& b0, bool trans_a, bool trans_b) {
  std::vector<int64_t> a = a0.dims(), b = b0.dims();
  if (trans_a) std::swap(a[0], a[1]);
  if (trans_b) std::swap(b[0], b[1]);
  const bool a_vec = a.size() == 1, b_vec = b.size() == 1;
  if (a_vec) a.insert(a.begin(), 1);
  if (b_vec) b.push_back(1);
  const size_t rank = std::max(a.size(), b.size());
  dnnl::memory::dims pa = LeftPad(a, rank), pb = LeftPad(b, rank);
  std::vector<int64_t> out;
  for (size_t i = 0; i + 2 < rank; ++i) {
    if (pa[i] != pb[i] && pa[i] != 1 && pb[i] != 1) return std::nullopt;
    out.push_back(std::max(pa[i], pb[i]));
  }
  if (!a_vec) out.push_back(pa[rank - 2]);
  if (!b_vec) out.push_back(pb[rank - 1]);
  return Shape(out);
}

StatusOr<std::unique_ptr<Kernel>> CreateMatMul(const KernelInit& init) {
  MatMulConfig cfg;
  if (!BaseConfig(init, cfg)) return std::unique_ptr<Kernel>();
  std::optional<Shape> out = MatMulOutShape(cfg.a, cfg.b, false, false);
  if (!out) return std::unique_ptr<Kernel>();
  cfg.out = *out;
  return OnednnMatMul::Create(std::move(cfg));
}

StatusOr<std::unique_ptr<Kernel>> CreateFusedMatMul(const KernelInit& init) {
  std::unique_ptr<Kernel> none;
  MatMulConfig cfg;
  if (!BaseConfig(init, cfg)) return none;
  StatusOr<int64_t> trans_b = init.attrs().GetInt("transB", 0);
  StatusOr<Activation> activation = Activation::FromAttributes(init.attrs());
  if (!trans_b.ok() || !activation.ok()) return none;
  cfg.trans_b = *trans_b != 0;
  if (cfg.trans_b && cfg.b.rank() != 2) return none;
  // Vector operands drop an output dim, which Bias/Sum would have to follow: left to the
  // reference (exporters do not produce them).
  if (cfg.a.rank() < 2 || cfg.b.rank() < 2) return none;
  cfg.activation = *activation;
  std::optional<Shape> out = MatMulOutShape(cfg.a, cfg.b, false, cfg.trans_b);
  if (!out || out->rank() == 0) return none;
  cfg.out = *out;
  const int n_in = int(init.input_types.size());
  if (n_in > 2 && init.node.has_input(2)) {
    const std::optional<Shape> bias = KnownFloat32Shape(init.input_types[2]);
    if (!bias || bias->rank() != 1 || (*bias)[0] != cfg.out[cfg.out.rank() - 1]) return none;
    cfg.bias.input = 2;
  }
  if (n_in > 3 && init.node.has_input(3)) {
    const std::optional<Shape> sum = KnownFloat32Shape(init.input_types[3]);
    if (!sum || *sum != cfg.out) return none;
    cfg.addend.input = 3;
    cfg.addend_shape = *sum;
  }
  return OnednnMatMul::Create(std::move(cfg));
}

StatusOr<std::unique_ptr<Kernel>> CreateGemm(const KernelInit& init) {
  std::unique_ptr<Kernel> none;
  MatMulConfig cfg;
  if (!BaseConfig(init, cfg) || cfg.a.rank() != 2 || cfg.b.rank() != 2) return none;
  StatusOr<int64_t> ta = init.attrs().GetInt("transA", 0);
  StatusOr<int64_t> tb = init.attrs().GetInt("transB", 0);
  StatusOr<float> alpha = init.attrs().GetFloat("alpha", 1.f);
  StatusOr<float> beta = init.attrs().GetFloat("beta", 1.f);
  if (!ta.ok() || !tb.ok() || !alpha.ok() || !beta.ok()) return none;
  cfg.trans_a = *ta != 0;
  cfg.trans_b = *tb != 0;
  cfg.alpha = *alpha;
  std::optional<Shape> out = MatMulOutShape(cfg.a, cfg.b, cfg.trans_a, cfg.trans_b);
  if (!out) return none;
  cfg.out = *out;
  const int64_t n = cfg.out[1];
  const bool has_c = init.input_types.size() > 2 && init.node.has_input(2) && *beta != 0.f;
  if (has_c) {
    const std::optional<Shape> c = KnownFloat32Shape(init.input_types[2]);
    if (!c || c->rank() > 2) return none;
    Operand op;
    const Tensor* c_const = init.input_constants[2];
    if (*beta != 1.f) {
      if (c_const == nullptr || c_const->dtype() != DType::kFloat32) return none;
      BRISK_ASSIGN_OR_RETURN(Tensor scaled, c_const->Clone());
      float* p = scaled.data<float>();
      for (int64_t i = 0; i < scaled.num_elements(); ++i) p[i] *= *beta;
      op.owned = std::move(scaled);
    } else {
      op.input = 2;
    }
    // A row vector [N] / [1, N] is the matmul's bias unless a linear post-op would scale it.
    const bool row = c->NumElements() == n && (c->rank() == 1 || (*c)[0] == 1);
    if (row && (cfg.alpha == 1.f || cfg.b_const != nullptr)) {
      if (op.owned) {
        BRISK_ASSIGN_OR_RETURN(Tensor flat, op.owned->Reshaped(Shape{n}));
        op.owned = std::move(flat);
      }
      cfg.bias = std::move(op);
    } else {
      cfg.addend = std::move(op);
      cfg.addend_shape = *c;
    }
  }
  return OnednnMatMul::Create(std::move(cfg));
}

}  // namespace

BRISK_REGISTER_OPS(onednn_matmul) {
  Op("MatMul").Since(1).Backend(kCpuBackend).Create(CreateMatMul);
  Op("Gemm").Since(7).Backend(kCpuBackend).Create(CreateGemm);
  Op("FusedMatMul").Domain(std::string(kBriskDomain)).Since(1).Backend(kCpuBackend).Create(
      CreateFusedMatMul);
}

}  // namespace brisk::onednn
