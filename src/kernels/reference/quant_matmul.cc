// MatMulInteger (10) and QLinearMatMul (10, 21): numpy matmul on zero-point-shifted 8-bit
// integers, accumulated exactly; QLinearMatMul requantizes with
// y = saturate(round_half_even(acc * (a_scale * b_scale / y_scale)) + y_zero_point).
#include <string>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/reference/quant_util.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

// ---- Shapes --------------------------------------------------------------------------------

// Numpy matmul output shape (1-D operands promoted and their dim dropped).
StatusOr<Shape> MatMulShape(const Shape& a, const Shape& b, std::string_view a_what,
                            std::string_view b_what) {
  if (a.rank() == 0) return InvalidArgument(std::string(a_what) + ": must not be a scalar");
  if (b.rank() == 0) return InvalidArgument(std::string(b_what) + ": must not be a scalar");
  const int64_t k_a = a[a.rank() - 1];
  const int64_t k_b = b.rank() == 1 ? b[0] : b[b.rank() - 2];
  if (k_a != k_b) {
    return InvalidArgument(std::string(a_what) + " " + a.ToString() + " and " +
                           std::string(b_what) + " " + b.ToString() +
                           ": inner dimensions differ");
  }
  Shape a_batch(std::vector<int64_t>(a.dims().begin(), a.dims().end() - std::min(a.rank(), 2)));
  Shape b_batch(std::vector<int64_t>(b.dims().begin(), b.dims().end() - std::min(b.rank(), 2)));
  BRISK_ASSIGN_OR_RETURN(Shape out, BroadcastShapes(a_batch, b_batch));
  if (a.rank() >= 2) out.mutable_dims().push_back(a[a.rank() - 2]);
  if (b.rank() >= 2) out.mutable_dims().push_back(b[b.rank() - 1]);
  return out;
}

std::optional<SymbolicShape> MatMulSymbolic(const std::optional<SymbolicShape>& a,
                                            const std::optional<SymbolicShape>& b) {
  if (!a || !b || a->rank() == 0 || b->rank() == 0) return std::nullopt;
  std::optional<SymbolicShape> ab(SymbolicShape(
      std::vector<Dim>(a->dims.begin(), a->dims.end() - std::min(a->rank(), 2))));
  std::optional<SymbolicShape> bb(SymbolicShape(
      std::vector<Dim>(b->dims.begin(), b->dims.end() - std::min(b->rank(), 2))));
  const std::optional<SymbolicShape> both[] = {ab, bb};
  auto batch = BroadcastSymbolic(both);
  SymbolicShape out = batch.ok() && *batch ? **batch : SymbolicShape();
  if (!batch.ok() || !*batch) {
    const int rank = std::max(ab->rank(), bb->rank());
    out.dims.assign(size_t(rank), Dim::Unknown());
  }
  if (a->rank() >= 2) out.dims.push_back(a->dims[size_t(a->rank() - 2)]);
  if (b->rank() >= 2) out.dims.push_back(b->dims[size_t(b->rank() - 1)]);
  return out;
}

// Batched C = A·B on int32 data with numpy broadcasting; a and b hold the operands in their
// own shapes.
Status BatchedIntMatMul(const std::vector<int32_t>& a, const Shape& a_shape,
                        const std::vector<int32_t>& b, const Shape& b_shape, const Shape& out_shape,
                        int32_t* c) {
  Shape as = a_shape, bs = b_shape;
  if (as.rank() == 1) as = Shape{1, as[0]};
  if (bs.rank() == 1) bs = Shape{bs[0], 1};
  const int64_t M = as[as.rank() - 2], K = as[as.rank() - 1], N = bs[bs.rank() - 1];
  Shape a_batch(std::vector<int64_t>(as.dims().begin(), as.dims().end() - 2));
  Shape b_batch(std::vector<int64_t>(bs.dims().begin(), bs.dims().end() - 2));
  BRISK_ASSIGN_OR_RETURN(Shape batch, BroadcastShapes(a_batch, b_batch));
  const std::vector<int64_t> sa = BroadcastStrides(a_batch, batch);
  const std::vector<int64_t> sb = BroadcastStrides(b_batch, batch);
  const int64_t nb = batch.NumElements();
  (void)out_shape;
  std::vector<int64_t> idx(size_t(batch.rank()), 0);
  for (int64_t i = 0; i < nb; ++i) {
    int64_t oa = 0, ob = 0;
    for (int d = 0; d < batch.rank(); ++d) {
      oa += idx[size_t(d)] * sa[size_t(d)];
      ob += idx[size_t(d)] * sb[size_t(d)];
    }
    quant::IntGemm(a.data() + oa * M * K, b.data() + ob * K * N, c + i * M * N, M, K, N);
    for (int d = batch.rank() - 1; d >= 0; --d) {
      if (++idx[size_t(d)] < batch[d]) break;
      idx[size_t(d)] = 0;
    }
  }
  return Status::Ok();
}

// Zero-point shapes for A (per row) and B (per column) as they broadcast against the operands:
// a 1-D zero point of A with M elements becomes [M, 1]; of B with N elements, [1, N].
Shape ZeroPointShape(const Tensor& zp, bool is_a) {
  if (zp.rank() == 1 && zp.num_elements() > 1) {
    return is_a ? Shape{zp.dim(0), 1} : Shape{1, zp.dim(0)};
  }
  return zp.shape();
}

Status CheckInt8(const Tensor* t, int i, const char* name) {
  if (t == nullptr) {
    return InvalidArgument("input " + std::to_string(i) + " '" + name + "' is required");
  }
  if (!quant::IsQuant8(t->dtype())) {
    return Unimplemented("input " + std::to_string(i) + " '" + name + "': dtype " +
                         std::string(DTypeName(t->dtype())) +
                         " is not supported (expected int8 or uint8)");
  }
  return Status::Ok();
}

// Shifts operand i by its zero point (input zi) into `out`.
Status Shift(const KernelContext& ctx, int i, int zi, bool is_a, const char* zp_name,
             std::vector<int32_t>& out) {
  const Tensor& x = *ctx.input(i);
  const Tensor* zp = ctx.input(zi);
  const std::string what = "input " + std::to_string(zi) + " '" + zp_name + "'";
  if (zp == nullptr || zp->num_elements() <= 1) {
    return quant::SubtractZeroPoint(x, zp, Shape{}, what, out);
  }
  // A 1-D per-row/per-column zero point needs a matrix operand.
  if (zp->rank() == 1 && x.rank() < 2) {
    return InvalidArgument(what + ": a 1-D zero point needs a matrix operand, got " +
                           x.shape().ToString());
  }
  return quant::SubtractZeroPoint(x, zp, ZeroPointShape(*zp, is_a), what, out);
}

// ---- MatMulInteger -------------------------------------------------------------------------

Status InferMatMulInteger(InferenceContext& ctx) {
  ctx.set_output(0, DType::kInt32,
                 MatMulSymbolic(ctx.input_type(0).shape, ctx.input_type(1).shape));
  return Status::Ok();
}

Status MatMulIntegerCompute(KernelContext& ctx) {
  BRISK_RETURN_IF_ERROR(CheckInt8(ctx.input(0), 0, "A"));
  BRISK_RETURN_IF_ERROR(CheckInt8(ctx.input(1), 1, "B"));
  const Tensor& a = *ctx.input(0);
  const Tensor& b = *ctx.input(1);
  BRISK_ASSIGN_OR_RETURN(Shape out_shape, MatMulShape(a.shape(), b.shape(), "input 0 'A'",
                                                      "input 1 'B'"));
  std::vector<int32_t> as, bs;
  BRISK_RETURN_IF_ERROR(Shift(ctx, 0, 2, true, "a_zero_point", as));
  BRISK_RETURN_IF_ERROR(Shift(ctx, 1, 3, false, "b_zero_point", bs));
  BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kInt32, out_shape));
  return BatchedIntMatMul(as, a.shape(), bs, b.shape(), out_shape, y->data<int32_t>());
}

// ---- QLinearMatMul -------------------------------------------------------------------------

Status InferQLinearMatMul(InferenceContext& ctx) {
  ctx.set_output(0, ctx.input_type(7).dtype,
                 MatMulSymbolic(ctx.input_type(0).shape, ctx.input_type(3).shape));
  return Status::Ok();
}

// Scale per row (is_a) or per column of the output; returns a vector of length 1 or `n`.
StatusOr<std::vector<double>> ReadScale(const KernelContext& ctx, int i, const char* name,
                                        int64_t n, bool allow_vector) {
  const Tensor* t = ctx.input(i);
  const std::string what = "input " + std::to_string(i) + " '" + name + "'";
  if (t == nullptr) return InvalidArgument(what + " is required");
  if (!IsFloatingPoint(t->dtype())) {
    return InvalidArgument(what + ": expected a floating-point dtype, got " +
                           std::string(DTypeName(t->dtype())));
  }
  const bool scalar = t->num_elements() == 1 && t->rank() <= 1;
  const bool vec = allow_vector && t->rank() == 1 && t->dim(0) == n;
  if (!scalar && !vec) {
    return InvalidArgument(what + ": expected a scalar" +
                           (allow_vector ? " or shape [" + std::to_string(n) + "]" : "") +
                           ", got " + t->shape().ToString());
  }
  return quant::ReadAsDouble(*t, what);
}

Status QLinearMatMulCompute(KernelContext& ctx) {
  BRISK_RETURN_IF_ERROR(CheckInt8(ctx.input(0), 0, "a"));
  BRISK_RETURN_IF_ERROR(CheckInt8(ctx.input(3), 3, "b"));
  BRISK_RETURN_IF_ERROR(CheckInt8(ctx.input(7), 7, "y_zero_point"));
  const Tensor& a = *ctx.input(0);
  const Tensor& b = *ctx.input(3);
  const Tensor& yzp = *ctx.input(7);
  if (yzp.num_elements() != 1) {
    return InvalidArgument("input 7 'y_zero_point': expected a scalar, got " +
                           yzp.shape().ToString());
  }
  BRISK_ASSIGN_OR_RETURN(Shape out_shape,
                         MatMulShape(a.shape(), b.shape(), "input 0 'a'", "input 3 'b'"));
  const int64_t M = a.rank() >= 2 ? a.dim(a.rank() - 2) : 1;
  const int64_t N = b.rank() >= 2 ? b.dim(b.rank() - 1) : 1;
  BRISK_ASSIGN_OR_RETURN(std::vector<double> a_scale,
                         ReadScale(ctx, 1, "a_scale", M, a.rank() >= 2));
  BRISK_ASSIGN_OR_RETURN(std::vector<double> b_scale,
                         ReadScale(ctx, 4, "b_scale", N, b.rank() >= 2));
  BRISK_ASSIGN_OR_RETURN(std::vector<double> y_scale, ReadScale(ctx, 6, "y_scale", 1, false));
  const Tensor* azp = ctx.input(2);
  const Tensor* bzp = ctx.input(5);
  if (azp != nullptr && azp->num_elements() != int64_t(a_scale.size())) {
    return InvalidArgument("input 2 'a_zero_point': shape " + azp->shape().ToString() +
                           " does not match input 1 'a_scale'");
  }
  if (bzp != nullptr && bzp->num_elements() != int64_t(b_scale.size())) {
    return InvalidArgument("input 5 'b_zero_point': shape " + bzp->shape().ToString() +
                           " does not match input 4 'b_scale'");
  }
  std::vector<int32_t> as, bs;
  BRISK_RETURN_IF_ERROR(Shift(ctx, 0, 2, true, "a_zero_point", as));
  BRISK_RETURN_IF_ERROR(Shift(ctx, 3, 5, false, "b_zero_point", bs));
  BRISK_ASSIGN_OR_RETURN(Tensor acc, Tensor::Allocate(DType::kInt32, out_shape));
  BRISK_RETURN_IF_ERROR(
      BatchedIntMatMul(as, a.shape(), bs, b.shape(), out_shape, acc.data<int32_t>()));
  BRISK_ASSIGN_OR_RETURN(std::vector<double> zp,
                         quant::ReadAsDouble(yzp, "input 7 'y_zero_point'"));
  BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, yzp.dtype(), out_shape));
  const int64_t total = acc.num_elements();
  // Rows and columns of the (promoted) output matrix.
  const int64_t rows = a.rank() >= 2 ? M : 1, cols = b.rank() >= 2 ? N : 1;
  return quant::DispatchQuant(yzp.dtype(), "input 7 'y_zero_point'", false,
                              [&]<typename Q>() -> Status {
    Q* py = y->data<Q>();
    const int32_t* pa = acc.data<int32_t>();
    for (int64_t e = 0; e < total; ++e) {
      const int64_t col = e % cols, row = (e / cols) % rows;
      const float as_v = float(a_scale[a_scale.size() == 1 ? 0 : size_t(row)]);
      const float bs_v = float(b_scale[b_scale.size() == 1 ? 0 : size_t(col)]);
      const float mult = as_v * bs_v / float(y_scale[0]);
      py[e] = quant::RoundSaturate<Q>(double(pa[e]) * double(mult) + zp[0]);
    }
    return Status::Ok();
  });
}

}  // namespace

BRISK_REGISTER_OPS(quant_matmul) {
  Op("MatMulInteger").Since(10).Infer(InferMatMulInteger).Compute(MatMulIntegerCompute);
  Op("QLinearMatMul").Since(10).Infer(InferQLinearMatMul).Compute(QLinearMatMulCompute);
}

}  // namespace brisk
