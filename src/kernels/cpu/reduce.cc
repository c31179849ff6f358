// Fast float32 ReduceSum / ReduceMean on the CPU when the reduced axes are the trailing ones
// (the last axis, or a contiguous run ending at it, or all axes): each output element is the sum
// of one contiguous row, computed by the row microkernel (ukernels/f32_rows.h) with ParallelFor
// over rows. keepdims either way. Axes given as an input must be constant. Other axis sets,
// noop_with_empty_axes with no axes, and other dtypes are declined.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "core/threads.h"
#include "kernels/cpu/fast_kernel_util.h"
#include "kernels/cpu/ukernels/f32_rows.h"
#include "kernels/registry.h"

namespace brisk::cpu {
namespace {

StatusOr<std::unique_ptr<Kernel>> Decline() { return std::unique_ptr<Kernel>(); }

class ReduceRowsKernel : public Kernel {
 public:
  ReduceRowsKernel(int first_reduced, bool keepdims, bool mean)
      : first_(first_reduced), keepdims_(keepdims), mean_(mean), uk_(ukernels::ActiveF32Rows()) {}

  // `input_since`: the opset from which axes are input 1 rather than an attribute.
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init, int input_since,
                                                  bool mean) {
    const std::optional<int> rank = KnownRank(init, 0);
    if (!IsFloat32Input(init, 0) || !rank || *rank < 1) return Decline();
    StatusOr<int64_t> keepdims = init.attrs().GetInt("keepdims", 1);
    if (!keepdims.ok() || (*keepdims != 0 && *keepdims != 1)) return Decline();
    std::vector<int64_t> axes;
    if (init.opset() >= input_since) {
      StatusOr<int64_t> noop = init.attrs().GetInt("noop_with_empty_axes", 0);
      if (!noop.ok() || *noop != 0) return Decline();
      if (init.node.has_input(1)) {
        const Tensor* a = ConstantInput(init, 1);
        if (a == nullptr || a->dtype() != DType::kInt64 || a->rank() > 1) return Decline();
        axes.assign(a->data<int64_t>(), a->data<int64_t>() + a->num_elements());
      }
    } else {
      StatusOr<std::vector<int64_t>> attr = init.attrs().GetInts("axes", std::vector<int64_t>{});
      if (!attr.ok()) return Decline();
      axes = *attr;
    }
    if (axes.empty()) {
      for (int i = 0; i < *rank; ++i) axes.push_back(i);  // reduce everything
    }
    for (int64_t& a : axes) {
      if (a < -*rank || a >= *rank) return Decline();  // the reference reports it
      if (a < 0) a += *rank;
    }
    std::sort(axes.begin(), axes.end());
    if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) return Decline();
    const int first = *rank - int(axes.size());
    if (axes.front() != first) return Decline();  // sorted, unique, ends at rank-1: contiguous
    return MakeKernel<ReduceRowsKernel>(first, *keepdims == 1, mean);
  }

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (x == nullptr || x->dtype() != DType::kFloat32 || x->rank() < first_) {
      return InvalidArgument("input 0 'data': expected float32 of rank >= " +
                             std::to_string(first_));
    }
    const Shape& s = x->shape();
    std::vector<int64_t> out_dims(s.dims().begin(), s.dims().begin() + first_);
    if (keepdims_) out_dims.resize(size_t(s.rank()), 1);
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kFloat32, Shape(out_dims)));
    const int64_t rows = s.NumElements(0, first_);
    const int64_t n = s.NumElements(first_, s.rank());
    // Mean of nothing is 0/0 = NaN, as the reference computes it.
    const float scale = mean_ ? (n > 0 ? 1.f / float(n) : __builtin_nanf("")) : 1.f;
    const float* xp = x->data<float>();
    float* yp = y->data<float>();
    const int64_t grain = std::max<int64_t>(1, kStreamGrain / std::max<int64_t>(1, n));
    ParallelFor(rows, grain, [&](int64_t r0, int64_t r1) {
      uk_.sum_rows(xp + r0 * n, yp + r0, r1 - r0, n, scale);
    });
    return Status::Ok();
  }
  std::string Describe() const override { return std::string(IsaName(uk_.isa)); }

 private:
  int first_;
  bool keepdims_;
  bool mean_;
  const ukernels::F32RowsUkernels& uk_;
};

KernelFactory Factory(int input_since, bool mean) {
  return [input_since, mean](const KernelInit& init) {
    return ReduceRowsKernel::Create(init, input_since, mean);
  };
}

}  // namespace

BRISK_REGISTER_OPS(cpu_reduce) {
  Op("ReduceSum").Since(1).Backend(kCpuBackend).Create(Factory(13, false));
  Op("ReduceMean").Since(1).Backend(kCpuBackend).Create(Factory(18, true));
}

}  // namespace brisk::cpu
