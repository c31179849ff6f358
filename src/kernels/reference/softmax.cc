// Softmax, LogSoftmax, Hardmax (opsets 1, 11, 13). Before opset 13 the input is coerced to 2-D
// [prod(dims[:axis]), prod(dims[axis:])] (axis default 1) and the op runs over each row; from 13
// it runs along the single axis `axis` (default -1).
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/reference/linalg_norm_util.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

using linalg_norm::InputName;

enum class Mode { kSoftmax, kLogSoftmax, kHardmax };

// Resolves the axis for a given rank: [outer, axis_len, inner] layout of the op.
struct Layout {
  int64_t outer = 1, len = 1, inner = 1;
};

StatusOr<int> ResolveAxis(int64_t axis, int rank, int opset) {
  if (opset < 13) {
    // Coerce-to-2D allows axis == rank (the whole tensor is one column per row).
    if (axis < -rank || axis > rank) {
      return InvalidArgument("attribute 'axis' " + std::to_string(axis) +
                             " is out of range for rank " + std::to_string(rank));
    }
    return int(axis < 0 ? axis + rank : axis);
  }
  if (rank == 0) return InvalidArgument(InputName(0, "input") + ": expected rank >= 1, got 0");
  return NormalizeAxis(axis, rank, "attribute 'axis'");
}

Layout MakeLayout(const Shape& s, int axis, int opset) {
  Layout l;
  l.outer = s.NumElements(0, axis);
  if (opset < 13) {
    l.len = s.NumElements(axis, s.rank());
  } else {
    l.len = s[axis];
    l.inner = s.NumElements(axis + 1, s.rank());
  }
  return l;
}

int64_t DefaultAxis(int opset) { return opset < 13 ? 1 : -1; }

Status InferSoftmaxLike(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(int64_t axis, ctx.attrs().GetInt("axis", DefaultAxis(ctx.opset())));
  const ir::TypeInfo& x = ctx.input_type(0);
  if (x.dtype != DType::kUndefined && !IsFloatingPoint(x.dtype)) {
    return InvalidArgument(InputName(0, "input") + ": dtype " + std::string(DTypeName(x.dtype)) +
                           " is not supported (expected a floating-point type)");
  }
  if (x.shape) BRISK_RETURN_IF_ERROR(ResolveAxis(axis, x.shape->rank(), ctx.opset()).status());
  ctx.set_output_type(0, x);
  return Status::Ok();
}

template <typename T>
void RunRows(Mode mode, const T* x, T* y, const Layout& l) {
  using A = std::conditional_t<std::is_same_v<T, double>, double, float>;
  auto at = [&](int64_t o, int64_t i, int64_t n) { return (o * l.len + i) * l.inner + n; };
  for (int64_t o = 0; o < l.outer; ++o) {
    for (int64_t n = 0; n < l.inner; ++n) {
      if (l.len == 0) continue;
      A mx = A(ToDouble(x[at(o, 0, n)]));
      int64_t arg = 0;  // first occurrence of the maximum
      for (int64_t i = 1; i < l.len; ++i) {
        const A v = A(ToDouble(x[at(o, i, n)]));
        if (v > mx) {
          mx = v;
          arg = i;
        }
      }
      if (mode == Mode::kHardmax) {
        for (int64_t i = 0; i < l.len; ++i) y[at(o, i, n)] = FromDouble<T>(i == arg ? 1.0 : 0.0);
        continue;
      }
      A sum = 0;
      for (int64_t i = 0; i < l.len; ++i) sum += std::exp(A(ToDouble(x[at(o, i, n)])) - mx);
      if (mode == Mode::kSoftmax) {
        for (int64_t i = 0; i < l.len; ++i) {
          const A e = std::exp(A(ToDouble(x[at(o, i, n)])) - mx);
          y[at(o, i, n)] = FromDouble<T>(double(e / sum));
        }
      } else {
        const A log_sum = std::log(sum);
        for (int64_t i = 0; i < l.len; ++i)
          y[at(o, i, n)] = FromDouble<T>(double(A(ToDouble(x[at(o, i, n)])) - mx - log_sum));
      }
    }
  }
}

template <Mode kMode>
class SoftmaxKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(int64_t axis, init.attrs().GetInt("axis", DefaultAxis(init.opset())));
    return MakeKernel<SoftmaxKernel>(axis);
  }
  explicit SoftmaxKernel(int64_t axis) : axis_(axis) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (x == nullptr) return InvalidArgument(InputName(0, "input") + " is required");
    BRISK_ASSIGN_OR_RETURN(int axis, ResolveAxis(axis_, x->rank(), ctx.opset()));
    const Layout l = MakeLayout(x->shape(), axis, ctx.opset());
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), x->shape()));
    return DispatchFloat(x->dtype(), InputName(0, "input"), [&]<typename T>() -> Status {
      RunRows<T>(kMode, x->data<T>(), y->data<T>(), l);
      return Status::Ok();
    });
  }

 private:
  int64_t axis_;
};

}  // namespace

BRISK_REGISTER_OPS(softmax) {
  Op("Softmax").Since(1).Infer(InferSoftmaxLike).Kernel<SoftmaxKernel<Mode::kSoftmax>>();
  Op("LogSoftmax").Since(1).Infer(InferSoftmaxLike).Kernel<SoftmaxKernel<Mode::kLogSoftmax>>();
  Op("Hardmax").Since(1).Infer(InferSoftmaxLike).Kernel<SoftmaxKernel<Mode::kHardmax>>();
}

}  // namespace brisk
