// MatMul (opsets 1, 9, 13): numpy matmul semantics. 1-D operands are promoted (A: prepend 1,
// B: append 1, the promoted dim removed from the result); the batch dims (all but the last two)
// broadcast numpy-style.
#include <algorithm>
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
using linalg_norm::FromAccum;
using linalg_norm::InputName;
using linalg_norm::SubShape;

Status InferMatMul(InferenceContext& ctx) {
  const ir::TypeInfo& a = ctx.input_type(0);
  const ir::TypeInfo& b = ctx.input_type(1);
  BRISK_RETURN_IF_ERROR(linalg_norm::CheckSameDtype(ctx, 1, "B", a.dtype, "input 0 'A'"));
  const DType dtype = a.dtype != DType::kUndefined ? a.dtype : b.dtype;
  if (a.shape && a.shape->rank() == 0)
    return InvalidArgument(InputName(0, "A") + ": MatMul does not accept a scalar (rank 0)");
  if (b.shape && b.shape->rank() == 0)
    return InvalidArgument(InputName(1, "B") + ": MatMul does not accept a scalar (rank 0)");
  if (!a.shape || !b.shape) {
    ctx.set_output(0, dtype, std::nullopt);
    return Status::Ok();
  }
  SymbolicShape as = *a.shape;
  SymbolicShape bs = *b.shape;
  const bool a_vec = as.rank() == 1;
  const bool b_vec = bs.rank() == 1;
  if (a_vec) as.dims.insert(as.dims.begin(), Dim::Known(1));
  if (b_vec) bs.dims.push_back(Dim::Known(1));
  const Dim& ka = as.dims[size_t(as.rank() - 1)];
  const Dim& kb = bs.dims[size_t(bs.rank() - 2)];
  if (DimsConflict(ka, kb)) {
    return InvalidArgument(InputName(1, "B") + ": inner dimensions differ: A is " +
                           a.shape->ToString() + ", B is " + b.shape->ToString());
  }
  const std::optional<SymbolicShape> batches[] = {SubShape(as, 0, as.rank() - 2),
                                                  SubShape(bs, 0, bs.rank() - 2)};
  auto batch = BroadcastSymbolic(batches);
  if (!batch.ok()) {
    return InvalidArgument(InputName(1, "B") + ": batch dimensions of A " +
                           a.shape->ToString() + " and B " + b.shape->ToString() +
                           " cannot be broadcast together");
  }
  SymbolicShape out = **batch;
  if (!a_vec) out.dims.push_back(as.dims[size_t(as.rank() - 2)]);
  if (!b_vec) out.dims.push_back(bs.dims[size_t(bs.rank() - 1)]);
  ctx.set_output(0, dtype, std::move(out));
  return Status::Ok();
}

Status MatMulCompute(KernelContext& ctx) {
  const Tensor* a = ctx.input(0);
  const Tensor* b = ctx.input(1);
  if (a == nullptr) return InvalidArgument(InputName(0, "A") + " is required");
  if (b == nullptr) return InvalidArgument(InputName(1, "B") + " is required");
  if (a->dtype() != b->dtype()) {
    return InvalidArgument(InputName(1, "B") + ": dtype " + std::string(DTypeName(b->dtype())) +
                           " differs from A's dtype " + std::string(DTypeName(a->dtype())));
  }
  if (a->rank() == 0)
    return InvalidArgument(InputName(0, "A") + ": MatMul does not accept a scalar (rank 0)");
  if (b->rank() == 0)
    return InvalidArgument(InputName(1, "B") + ": MatMul does not accept a scalar (rank 0)");
  std::vector<int64_t> ad = a->shape().dims();
  std::vector<int64_t> bd = b->shape().dims();
  const bool a_vec = ad.size() == 1;
  const bool b_vec = bd.size() == 1;
  if (a_vec) ad.insert(ad.begin(), 1);
  if (b_vec) bd.push_back(1);
  const int64_t m = ad[ad.size() - 2];
  const int64_t k = ad[ad.size() - 1];
  const int64_t n = bd[bd.size() - 1];
  if (bd[bd.size() - 2] != k) {
    return InvalidArgument(InputName(1, "B") + ": inner dimensions differ: A is " +
                           a->shape().ToString() + ", B is " + b->shape().ToString());
  }
  const Shape a_batch(std::vector<int64_t>(ad.begin(), ad.end() - 2));
  const Shape b_batch(std::vector<int64_t>(bd.begin(), bd.end() - 2));
  auto batch = BroadcastShapes(a_batch, b_batch);
  if (!batch.ok()) {
    return InvalidArgument(InputName(1, "B") + ": batch dimensions of A " +
                           a->shape().ToString() + " and B " + b->shape().ToString() +
                           " cannot be broadcast together");
  }
  std::vector<int64_t> out_dims = batch->dims();
  if (!a_vec) out_dims.push_back(m);
  if (!b_vec) out_dims.push_back(n);
  Shape out_shape(out_dims);
  BRISK_RETURN_IF_ERROR(out_shape.Validate());
  BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, a->dtype(), out_shape));
  if (y->num_elements() == 0) return Status::Ok();

  const std::vector<int64_t> a_strides = BroadcastStrides(a_batch, *batch);
  const std::vector<int64_t> b_strides = BroadcastStrides(b_batch, *batch);
  const int64_t num_batches = batch->NumElements();
  const int rank = batch->rank();
  return DispatchNumeric(a->dtype(), "input 0 'A'", [&]<typename T>() -> Status {
    if constexpr (std::is_integral_v<T> && sizeof(T) < 4) {
      return Unimplemented(InputName(0, "A") + ": MatMul does not support dtype " +
                           std::string(DTypeName(a->dtype())));
    } else {
      using A = Accum<T>;
      const T* ap = a->data<T>();
      const T* bp = b->data<T>();
      T* yp = y->data<T>();
      std::vector<A> a_store, b_store;
      std::vector<A> row(static_cast<size_t>(n));
      std::vector<int64_t> idx(size_t(rank), 0);
      for (int64_t bi = 0; bi < num_batches; ++bi) {
        int64_t a_off = 0, b_off = 0;
        for (int d = 0; d < rank; ++d) {
          a_off += idx[size_t(d)] * a_strides[size_t(d)];
          b_off += idx[size_t(d)] * b_strides[size_t(d)];
        }
        const A* am = AsAccum(ap + a_off * m * k, m * k, a_store);
        const A* bm = AsAccum(bp + b_off * k * n, k * n, b_store);
        T* ym = yp + bi * m * n;
        for (int64_t i = 0; i < m; ++i) {
          if constexpr (std::is_same_v<A, T>) {
            AccumulateRow(am + i * k, 1, bm, k, n, ym + i * n);
          } else {
            AccumulateRow(am + i * k, 1, bm, k, n, row.data());
            for (int64_t j = 0; j < n; ++j) ym[i * n + j] = FromAccum<T>(row[size_t(j)]);
          }
        }
        for (int d = rank - 1; d >= 0; --d) {
          if (++idx[size_t(d)] < (*batch)[d]) break;
          idx[size_t(d)] = 0;
        }
      }
      return Status::Ok();
    }
  });
}

}  // namespace

BRISK_REGISTER_OPS(matmul) {
  Op("MatMul").Since(1).Infer(InferMatMul).Compute(MatMulCompute);
}

}  // namespace brisk
