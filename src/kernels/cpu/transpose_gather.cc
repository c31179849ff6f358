// Fast data-movement kernels on the CPU for 4-byte elements (float32, int32, uint32):
// - Transpose, any perm: size-1 dims are dropped and dims that stay adjacent are merged, then
//   either contiguous runs are copied (innermost dim kept) or each 2-D slab whose innermost
//   dims swap is transposed in cache-sized 16x16 tiles; ParallelFor over slabs x row blocks.
// - Gather on axis 0 with int64/int32 indices (embedding lookup): bounds-checked row copies.
// - Where with condition, X and Y all the same shape.
// Other dtypes, axes and broadcasts are declined.
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/threads.h"
#include "kernels/cpu/fast_kernel_util.h"
#include "kernels/registry.h"

namespace brisk::cpu {
namespace {

StatusOr<std::unique_ptr<Kernel>> Decline() { return std::unique_ptr<Kernel>(); }

bool Is4ByteNumeric(DType t) {
  return t == DType::kFloat32 || t == DType::kInt32 || t == DType::kUInt32;
}

// ---- Transpose -----------------------------------------------------------------------------

// A transpose with size-1 dims removed and adjacent runs merged: output dim k is input dim
// perm[k] of `dims`.
struct SimplifiedTranspose {
  std::vector<int64_t> dims;
  std::vector<int> perm;
};

SimplifiedTranspose Simplify(const Shape& in, const std::vector<int>& perm) {
  // Drop size-1 input dims and renumber.
  std::vector<int> new_index(size_t(in.rank()), -1);
  std::vector<int64_t> dims;
  for (int i = 0; i < in.rank(); ++i) {
    if (in[i] != 1) {
      new_index[size_t(i)] = int(dims.size());
      dims.push_back(in[i]);
    }
  }
  std::vector<int> p;
  for (int k : perm) {
    if (new_index[size_t(k)] >= 0) p.push_back(new_index[size_t(k)]);
  }
  // Merge output neighbours k, k+1 that are input neighbours p[k], p[k]+1.
  SimplifiedTranspose s;
  std::vector<std::vector<int>> groups;  // in output order, each a run of input dims
  for (size_t k = 0; k < p.size(); ++k) {
    if (!groups.empty() && groups.back().back() + 1 == p[k]) {
      groups.back().push_back(p[k]);
    } else {
      groups.push_back({p[k]});
    }
  }
  // Merged groups ordered by their first input dim give the new input dims.
  std::vector<size_t> by_input(groups.size());
  for (size_t g = 0; g < groups.size(); ++g) by_input[g] = g;
  std::sort(by_input.begin(), by_input.end(),
            [&](size_t a, size_t b) { return groups[a].front() < groups[b].front(); });
  std::vector<int> rank_of_group(groups.size());
  for (size_t r = 0; r < by_input.size(); ++r) {
    int64_t size = 1;
    for (int d : groups[by_input[r]]) size *= dims[size_t(d)];
    s.dims.push_back(size);
    rank_of_group[by_input[r]] = int(r);
  }
  for (size_t g = 0; g < groups.size(); ++g) s.perm.push_back(rank_of_group[g]);
  return s;
}

// Everything a transpose of one input shape needs, computed once (at create time when the
// shape is known there, which it is in every compiled plan), so Run allocates nothing.
struct TransposePlan {
  Shape in_shape;
  Shape out_shape;
  SimplifiedTranspose s;
  std::vector<int64_t> in_strides, odims, ostrides;
  bool identity = true;
  bool copy_runs = false;  // the innermost dim stays innermost
  int q = 0;               // output dim that is input dim r-1 (tile transpose)
  std::vector<int> others;  // output dims other than q and r-1 (tile transpose slabs)
};

TransposePlan MakeTransposePlan(const Shape& in, const std::vector<int>& perm) {
  TransposePlan plan;
  plan.in_shape = in;
  std::vector<int64_t> out_dims;
  for (int p : perm) out_dims.push_back(in[p]);
  plan.out_shape = Shape(out_dims);
  plan.s = Simplify(in, perm);
  const SimplifiedTranspose& s = plan.s;
  const int r = int(s.dims.size());
  for (int k = 0; k < r; ++k) plan.identity = plan.identity && s.perm[size_t(k)] == k;
  if (plan.identity) return plan;
  plan.in_strides.assign(size_t(r), 1);
  for (int i = r - 2; i >= 0; --i) {
    plan.in_strides[size_t(i)] = plan.in_strides[size_t(i) + 1] * s.dims[size_t(i) + 1];
  }
  plan.odims.resize(size_t(r));
  plan.ostrides.assign(size_t(r), 1);
  for (int k = 0; k < r; ++k) plan.odims[size_t(k)] = s.dims[size_t(s.perm[size_t(k)])];
  for (int k = r - 2; k >= 0; --k) {
    plan.ostrides[size_t(k)] = plan.ostrides[size_t(k) + 1] * plan.odims[size_t(k) + 1];
  }
  plan.copy_runs = s.perm[size_t(r) - 1] == r - 1;
  if (!plan.copy_runs) {
    while (s.perm[size_t(plan.q)] != r - 1) ++plan.q;
    for (int k = 0; k + 1 < r; ++k)
      if (k != plan.q) plan.others.push_back(k);
  }
  return plan;
}

class TransposeKernel : public Kernel {
 public:
  TransposeKernel(std::vector<int> perm, std::optional<TransposePlan> plan)
      : perm_(std::move(perm)), plan_(std::move(plan)) {}

  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    const std::optional<int> rank = KnownRank(init, 0);
    if (init.input_types.empty() || !Is4ByteNumeric(init.input_types[0].dtype) || !rank) {
      return Decline();
    }
    std::vector<int> perm;
    if (init.attrs().Has("perm")) {
      StatusOr<std::vector<int64_t>> p = init.attrs().GetInts("perm");
      if (!p.ok() || int(p->size()) != *rank) return Decline();
      std::vector<bool> seen(size_t(*rank), false);
      for (int64_t v : *p) {
        if (v < 0 || v >= *rank || seen[size_t(v)]) return Decline();  // reference reports it
        seen[size_t(v)] = true;
        perm.push_back(int(v));
      }
    } else {
      for (int i = *rank - 1; i >= 0; --i) perm.push_back(i);
    }
    std::optional<TransposePlan> plan;
    if (const std::optional<Shape> shape = KnownShape(init, 0)) {
      plan = MakeTransposePlan(*shape, perm);
    }
    return MakeKernel<TransposeKernel>(std::move(perm), std::move(plan));
  }

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (x == nullptr || x->rank() != int(perm_.size()) || !Is4ByteNumeric(x->dtype())) {
      return InvalidArgument("input 0 'data': expected rank " + std::to_string(perm_.size()));
    }
    std::optional<TransposePlan> local;  // only when the shape differs from the planned one
    if (!plan_ || plan_->in_shape != x->shape()) local = MakeTransposePlan(x->shape(), perm_);
    const TransposePlan& plan = local ? *local : *plan_;
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), plan.out_shape));
    const int64_t n = x->num_elements();
    if (n == 0) return Status::Ok();
    const uint32_t* src = x->data<uint32_t>();
    uint32_t* dst = y->data<uint32_t>();
    if (plan.identity) {
      ParallelFor(n, kStreamGrain, [&](int64_t b, int64_t e) {
        std::memcpy(dst + b, src + b, size_t(e - b) * sizeof(uint32_t));
      });
    } else if (plan.copy_runs) {
      CopyRuns(src, dst, plan);
    } else {
      TileTranspose(src, dst, plan);
    }
    return Status::Ok();
  }
  std::string Describe() const override { return "generic"; }

 private:
  // The innermost dim stays innermost: copy runs of odims.back() elements.
  static void CopyRuns(const uint32_t* src, uint32_t* dst, const TransposePlan& plan) {
    const std::vector<int64_t>& odims = plan.odims;
    const std::vector<int64_t>& in_strides = plan.in_strides;
    const SimplifiedTranspose& s = plan.s;
    const int r = int(odims.size());
    const int64_t run = odims.back();
    int64_t runs = 1;
    for (int k = 0; k + 1 < r; ++k) runs *= odims[size_t(k)];
    ParallelFor(runs, std::max<int64_t>(1, kStreamGrain / run), [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        int64_t rem = i, off = 0;
        for (int k = r - 2; k >= 0; --k) {
          off += (rem % odims[size_t(k)]) * in_strides[size_t(s.perm[size_t(k)])];
          rem /= odims[size_t(k)];
        }
        std::memcpy(dst + i * run, src + off, size_t(run) * sizeof(uint32_t));
      }
    });
  }

  // Output dim r-1 is input dim a (stride in_strides[a] in the input); input dim r-1 is output
  // dim q (stride ostrides[q] in the output). Each slab (fixed other indices) is an
  // [odims[r-1] x s.dims[r-1]] transpose, done in 16x16 tiles over blocks of kRowBlock rows.
  static void TileTranspose(const uint32_t* src, uint32_t* dst, const TransposePlan& plan) {
    constexpr int64_t kTile = 16, kRowBlock = 64;
    const std::vector<int64_t>& odims = plan.odims;
    const std::vector<int64_t>& in_strides = plan.in_strides;
    const std::vector<int64_t>& ostrides = plan.ostrides;
    const std::vector<int>& others = plan.others;
    const SimplifiedTranspose& s = plan.s;
    const int r = int(odims.size());
    const int a = s.perm[size_t(r) - 1];
    const int q = plan.q;
    const int64_t rows = odims[size_t(r) - 1];  // i: along input dim a, contiguous in output
    const int64_t cols = s.dims[size_t(r) - 1];  // j: contiguous in input, along output dim q
    const int64_t in_row_stride = in_strides[size_t(a)];
    const int64_t out_col_stride = ostrides[size_t(q)];
    int64_t slabs = 1;
    for (int k : others) slabs *= odims[size_t(k)];
    const int64_t blocks = (rows + kRowBlock - 1) / kRowBlock;
    const int64_t grain = std::max<int64_t>(1, kStreamGrain / (kRowBlock * cols));
    ParallelFor(slabs * blocks, grain, [&](int64_t b, int64_t e) {
      for (int64_t u = b; u < e; ++u) {
        const int64_t slab = u / blocks, block = u % blocks;
        int64_t rem = slab, in_off = 0, out_off = 0;
        for (size_t t = others.size(); t-- > 0;) {
          const int k = others[t];
          const int64_t idx = rem % odims[size_t(k)];
          rem /= odims[size_t(k)];
          in_off += idx * in_strides[size_t(s.perm[size_t(k)])];
          out_off += idx * ostrides[size_t(k)];
        }
        const int64_t i_begin = block * kRowBlock;
        const int64_t i_end = std::min(rows, i_begin + kRowBlock);
        for (int64_t j0 = 0; j0 < cols; j0 += kTile) {
          const int64_t j_end = std::min(cols, j0 + kTile);
          for (int64_t i0 = i_begin; i0 < i_end; i0 += kTile) {
            const int64_t i_lim = std::min(i_end, i0 + kTile);
            for (int64_t j = j0; j < j_end; ++j) {
              const uint32_t* sp = src + in_off + j;
              uint32_t* dp = dst + out_off + j * out_col_stride;
              for (int64_t i = i0; i < i_lim; ++i) dp[i] = sp[i * in_row_stride];
            }
          }
        }
      }
    });
  }

  std::vector<int> perm_;
  std::optional<TransposePlan> plan_;
};

// ---- Gather (axis 0) -----------------------------------------------------------------------

class GatherRowsKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    const std::optional<int> rank = KnownRank(init, 0);
    if (init.input_types.size() < 2 || !Is4ByteNumeric(init.input_types[0].dtype) || !rank ||
        *rank < 1) {
      return Decline();
    }
    const DType it = init.input_types[1].dtype;
    if (it != DType::kInt64 && it != DType::kInt32) return Decline();
    StatusOr<int64_t> axis = init.attrs().GetInt("axis", 0);
    if (!axis.ok() || (*axis != 0 && *axis != -*rank)) return Decline();
    return MakeKernel<GatherRowsKernel>();
  }

  Status Run(KernelContext& ctx) const override {
    const Tensor* data = ctx.input(0);
    const Tensor* indices = ctx.input(1);
    if (data == nullptr || indices == nullptr || data->rank() < 1) {
      return InvalidArgument("input 0 'data': expected rank >= 1");
    }
    if (indices->dtype() == DType::kInt64) return Gather<int64_t>(ctx, *data, *indices);
    if (indices->dtype() == DType::kInt32) return Gather<int32_t>(ctx, *data, *indices);
    return InvalidArgument("input 1 'indices': expected int32 or int64");
  }
  std::string Describe() const override { return "generic"; }

 private:
  template <typename I>
  static Status Gather(KernelContext& ctx, const Tensor& data, const Tensor& indices) {
    const int64_t size = data.dim(0);
    const int64_t row = data.shape().NumElements(1, data.rank());
    const I* idx = indices.data<I>();
    const int64_t count = indices.num_elements();
    for (int64_t i = 0; i < count; ++i) {
      const int64_t v = int64_t(idx[i]);
      if (v < -size || v >= size) {
        return OutOfRange("input 1 'indices': index " + std::to_string(v) +
                          " is out of range for axis 0 of size " + std::to_string(size));
      }
    }
    std::vector<int64_t> out_dims(indices.shape().dims().begin(), indices.shape().dims().end());
    out_dims.insert(out_dims.end(), data.shape().dims().begin() + 1, data.shape().dims().end());
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, data.dtype(), Shape(out_dims)));
    if (row == 0 || count == 0) return Status::Ok();
    const uint32_t* src = data.data<uint32_t>();
    uint32_t* dst = y->data<uint32_t>();
    ParallelFor(count, std::max<int64_t>(1, kStreamGrain / row), [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        int64_t v = int64_t(idx[i]);
        if (v < 0) v += size;
        std::memcpy(dst + i * row, src + v * row, size_t(row) * sizeof(uint32_t));
      }
    });
    return Status::Ok();
  }
};

// ---- Where (same shapes) -------------------------------------------------------------------

class WhereSameShapeKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    if (init.input_types.size() < 3 || init.input_types[0].dtype != DType::kBool ||
        !Is4ByteNumeric(init.input_types[1].dtype) ||
        init.input_types[2].dtype != init.input_types[1].dtype) {
      return Decline();
    }
    const std::optional<Shape> c = KnownShape(init, 0), x = KnownShape(init, 1),
                               y = KnownShape(init, 2);
    if (!c || !x || !y || *c != *x || *x != *y) return Decline();
    return MakeKernel<WhereSameShapeKernel>();
  }

  Status Run(KernelContext& ctx) const override {
    const Tensor* c = ctx.input(0);
    const Tensor* x = ctx.input(1);
    const Tensor* y = ctx.input(2);
    if (c == nullptr || x == nullptr || y == nullptr || c->shape() != x->shape() ||
        x->shape() != y->shape()) {
      return InvalidArgument("inputs 'condition', 'X', 'Y': expected one shape");
    }
    BRISK_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x->dtype(), x->shape()));
    const bool* cp = c->data<bool>();
    const uint32_t* xp = x->data<uint32_t>();
    const uint32_t* yp = y->data<uint32_t>();
    uint32_t* op = out->data<uint32_t>();
    ParallelFor(x->num_elements(), kStreamGrain, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) op[i] = cp[i] ? xp[i] : yp[i];
    });
    return Status::Ok();
  }
  std::string Describe() const override { return "generic"; }
};

}  // namespace

BRISK_REGISTER_OPS(cpu_transpose_gather) {
  Op("Transpose").Since(1).Backend(kCpuBackend).Kernel<TransposeKernel>();
  Op("Gather").Since(1).Backend(kCpuBackend).Kernel<GatherRowsKernel>();
  Op("Where").Since(9).Backend(kCpuBackend).Kernel<WhereSameShapeKernel>();
}

}  // namespace brisk::cpu
