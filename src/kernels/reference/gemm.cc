// Gemm (opsets 7, 9, 11, 13): Y = alpha * op(A) * op(B) + beta * C, op = optional transpose;
// C broadcasts unidirectionally to [M, N] and is optional from opset 11.
#include <cmath>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/reference/linalg_norm_util.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

using linalg_norm::Accum;
using linalg_norm::AccumulateRow;
using linalg_norm::AsAccum;
using linalg_norm::DimsConflict;
using linalg_norm::InputName;

bool IsSmallInteger(float v) {
  return std::isfinite(v) && std::fabs(v) < 1e15f && v == std::trunc(v);
}

struct GemmAttrs {
  bool trans_a = false;
  bool trans_b = false;
  float alpha = 1.f;
  float beta = 1.f;
};

StatusOr<GemmAttrs> ParseGemmAttrs(const ir::AttributeMap& attrs) {
  GemmAttrs g;
  BRISK_ASSIGN_OR_RETURN(int64_t ta, attrs.GetInt("transA", 0));
  BRISK_ASSIGN_OR_RETURN(int64_t tb, attrs.GetInt("transB", 0));
  if (ta != 0 && ta != 1)
    return InvalidArgument("attribute 'transA' must be 0 or 1, got " + std::to_string(ta));
  if (tb != 0 && tb != 1)
    return InvalidArgument("attribute 'transB' must be 0 or 1, got " + std::to_string(tb));
  g.trans_a = ta == 1;
  g.trans_b = tb == 1;
  BRISK_ASSIGN_OR_RETURN(g.alpha, attrs.GetFloat("alpha", 1.f));
  BRISK_ASSIGN_OR_RETURN(g.beta, attrs.GetFloat("beta", 1.f));
  return g;
}

// Checks that C (rank <= 2) broadcasts unidirectionally to [m, n]; dims given as Dim.
Status CheckCShape(const std::vector<Dim>& c, const Dim& m, const Dim& n,
                   const std::string& c_text) {
  if (c.size() > 2) {
    return InvalidArgument(InputName(2, "C") + ": expected rank <= 2, got shape " + c_text);
  }
  const Dim* target[2] = {&m, &n};
  for (size_t i = 0; i < c.size(); ++i) {
    const Dim& d = c[i];
    const Dim& t = *target[2 - c.size() + i];
    if (d.is_known() && d.value != 1 && DimsConflict(d, t)) {
      return InvalidArgument(InputName(2, "C") + ": shape " + c_text +
                             " cannot be broadcast to [" + m.ToString() + ", " + n.ToString() +
                             "]");
    }
  }
  return Status::Ok();
}

Status InferGemm(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(GemmAttrs g, ParseGemmAttrs(ctx.attrs()));
  const ir::TypeInfo& a = ctx.input_type(0);
  const ir::TypeInfo& b = ctx.input_type(1);
  BRISK_RETURN_IF_ERROR(linalg_norm::CheckSameDtype(ctx, 1, "B", a.dtype, "input 0 'A'"));
  if (ctx.has_input(2))
    BRISK_RETURN_IF_ERROR(linalg_norm::CheckSameDtype(ctx, 2, "C", a.dtype, "input 0 'A'"));
  if (ctx.opset() < 11 && !ctx.has_input(2))
    return InvalidArgument(InputName(2, "C") + " is required before opset 11");
  if (a.shape && a.shape->rank() != 2) {
    return InvalidArgument(InputName(0, "A") + ": expected rank 2, got shape " +
                           a.shape->ToString());
  }
  if (b.shape && b.shape->rank() != 2) {
    return InvalidArgument(InputName(1, "B") + ": expected rank 2, got shape " +
                           b.shape->ToString());
  }
  Dim m = Dim::Unknown(), n = Dim::Unknown();
  if (a.shape && b.shape) {
    const Dim& ka = a.shape->dims[g.trans_a ? 0 : 1];
    const Dim& kb = b.shape->dims[g.trans_b ? 1 : 0];
    if (DimsConflict(ka, kb)) {
      return InvalidArgument(InputName(1, "B") + ": inner dimensions differ: A is " +
                             a.shape->ToString() + (g.trans_a ? " (transposed)" : "") +
                             ", B is " + b.shape->ToString() + (g.trans_b ? " (transposed)" : ""));
    }
  }
  if (a.shape) m = a.shape->dims[g.trans_a ? 1 : 0];
  if (b.shape) n = b.shape->dims[g.trans_b ? 0 : 1];
  const ir::TypeInfo& c = ctx.input_type(2);
  if (ctx.has_input(2) && c.shape)
    BRISK_RETURN_IF_ERROR(CheckCShape(c.shape->dims, m, n, c.shape->ToString()));
  ctx.set_output(0, a.dtype, SymbolicShape({m, n}));
  return Status::Ok();
}

class GemmKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(GemmAttrs g, ParseGemmAttrs(init.attrs()));
    return MakeKernel<GemmKernel>(g);
  }
  explicit GemmKernel(GemmAttrs g) : g_(g) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor* a = ctx.input(0);
    const Tensor* b = ctx.input(1);
    const Tensor* c = ctx.input(2);
    if (a == nullptr) return InvalidArgument(InputName(0, "A") + " is required");
    if (b == nullptr) return InvalidArgument(InputName(1, "B") + " is required");
    if (c == nullptr && ctx.opset() < 11)
      return InvalidArgument(InputName(2, "C") + " is required before opset 11");
    if (a->rank() != 2) {
      return InvalidArgument(InputName(0, "A") + ": expected rank 2, got shape " +
                             a->shape().ToString());
    }
    if (b->rank() != 2) {
      return InvalidArgument(InputName(1, "B") + ": expected rank 2, got shape " +
                             b->shape().ToString());
    }
    if (b->dtype() != a->dtype() || (c != nullptr && c->dtype() != a->dtype())) {
      const int bad = b->dtype() != a->dtype() ? 1 : 2;
      return InvalidArgument(InputName(bad, bad == 1 ? "B" : "C") + ": dtype " +
                             std::string(DTypeName(ctx.input(bad)->dtype())) +
                             " differs from A's dtype " + std::string(DTypeName(a->dtype())));
    }
    const int64_t m = a->dim(g_.trans_a ? 1 : 0);
    const int64_t k = a->dim(g_.trans_a ? 0 : 1);
    const int64_t n = b->dim(g_.trans_b ? 0 : 1);
    if (b->dim(g_.trans_b ? 1 : 0) != k) {
      return InvalidArgument(InputName(1, "B") + ": inner dimensions differ: A is " +
                             a->shape().ToString() + (g_.trans_a ? " (transposed)" : "") +
                             ", B is " + b->shape().ToString() +
                             (g_.trans_b ? " (transposed)" : ""));
    }
    const Shape out_shape{m, n};
    std::vector<int64_t> c_strides(2, 0);
    if (c != nullptr) {
      std::vector<Dim> cd;
      for (int64_t d : c->shape().dims()) cd.push_back(Dim::Known(d));
      BRISK_RETURN_IF_ERROR(
          CheckCShape(cd, Dim::Known(m), Dim::Known(n), c->shape().ToString()));
      c_strides = BroadcastStrides(c->shape(), out_shape);
    }
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, a->dtype(), out_shape));
    if (y->num_elements() == 0) return Status::Ok();
    return DispatchNumeric(a->dtype(), InputName(0, "A"), [&]<typename T>() -> Status {
      if constexpr (std::is_integral_v<T> && sizeof(T) < 4) {
        return Unimplemented(InputName(0, "A") + ": Gemm does not support dtype " +
                             std::string(DTypeName(a->dtype())));
      } else {
        Compute<T>(*a, *b, c, c_strides, m, k, n, y->data<T>());
        return Status::Ok();
      }
    });
  }

 private:
  template <typename T>
  void Compute(const Tensor& a, const Tensor& b, const Tensor* c,
               const std::vector<int64_t>& c_strides, int64_t m, int64_t k, int64_t n,
               T* y) const {
    using A = Accum<T>;
    std::vector<A> a_store, b_store;
    const A* ap = AsAccum(a.data<T>(), m * k, a_store);
    const A* bp = AsAccum(b.data<T>(), k * n, b_store);
    // B as [K, N] row-major.
    std::vector<A> bt;
    if (g_.trans_b) {
      bt.resize(size_t(k * n));
      for (int64_t p = 0; p < k; ++p)
        for (int64_t j = 0; j < n; ++j) bt[size_t(p * n + j)] = bp[j * k + p];
      bp = bt.data();
    }
    const int64_t a_row = g_.trans_a ? 1 : k;  // step between rows i of op(A)
    const int64_t a_col = g_.trans_a ? m : 1;  // step between columns p of op(A)
    const T* cp = c != nullptr ? c->data<T>() : nullptr;
    std::vector<A> row(static_cast<size_t>(n));
    for (int64_t i = 0; i < m; ++i) {
      AccumulateRow(ap + i * a_row, a_col, bp, k, n, row.data());
      for (int64_t j = 0; j < n; ++j) {
        const T cv = cp != nullptr ? cp[i * c_strides[0] + j * c_strides[1]] : T(0);
        y[i * n + j] = Epilogue<T>(row[size_t(j)], cv, cp != nullptr);
      }
    }
  }

  template <typename T>
  T Epilogue(Accum<T> acc, T c, bool has_c) const {
    if constexpr (std::is_integral_v<T>) {
      // Integer alpha/beta keep wrap-around arithmetic; others go through double (saturating).
      const bool integral = IsSmallInteger(g_.alpha) && IsSmallInteger(g_.beta);
      if (integral) {
        uint64_t r = uint64_t(int64_t(g_.alpha)) * acc;
        if (has_c) r += uint64_t(int64_t(g_.beta)) * uint64_t(c);
        return static_cast<T>(r);
      }
      double r = double(g_.alpha) * double(static_cast<T>(acc));
      if (has_c) r += double(g_.beta) * double(c);
      return linalg_norm::SaturateFromDouble<T>(r);
    } else {
      Accum<T> r = Accum<T>(g_.alpha) * acc;
      if (has_c && g_.beta != 0.f) r += Accum<T>(g_.beta) * linalg_norm::ToAccum(c);
      return linalg_norm::FromAccum<T>(r);
    }
  }

  GemmAttrs g_;
};

}  // namespace

BRISK_REGISTER_OPS(gemm) { Op("Gemm").Since(7).Infer(InferGemm).Kernel<GemmKernel>(); }

}  // namespace brisk
