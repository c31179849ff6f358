// TopK, ArgMax, ArgMin, CumSum: ops that scan one axis of the input.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <type_traits>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/reference/indexing_util.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

using indexing::NormalizeAxisOfTensor;
using indexing::RequiredInput;

constexpr char kX[] = "input 0 'X'";

// a > b in a total order where NaN is greater than every number (as numpy sorts).
template <typename T>
bool Greater(const T& a, const T& b) {
  if constexpr (std::is_integral_v<T>) {
    return a > b;
  } else {
    const double x = ToDouble(a);
    const double y = ToDouble(b);
    if (std::isnan(x)) return !std::isnan(y);
    if (std::isnan(y)) return false;
    return x > y;
  }
}

// ---- TopK ----------------------------------------------------------------------------------

constexpr char kK[] = "input 1 'K'";

StatusOr<int64_t> ReadK(const Tensor& k) {
  if (k.num_elements() != 1 || k.rank() > 1) {
    return InvalidArgument(std::string(kK) + " must be a 1-element rank-1 tensor, got " +
                           k.TypeString());
  }
  BRISK_ASSIGN_OR_RETURN(std::vector<int64_t> v, ReadInts(k, kK));
  if (v[0] < 0) return InvalidArgument(std::string(kK) + " must be >= 0, got " +
                                       std::to_string(v[0]));
  return v[0];
}

Status InferTopK(InferenceContext& ctx) {
  const ir::TypeInfo& x = ctx.input_type(0);
  BRISK_ASSIGN_OR_RETURN(int64_t axis, ctx.attrs().GetInt("axis", -1));
  std::optional<SymbolicShape> shape;
  if (x.shape) {
    BRISK_ASSIGN_OR_RETURN(int a, NormalizeAxisOfTensor(axis, x.shape->rank(), "attribute 'axis'"));
    Dim k_dim = Dim::Unknown();
    if (ctx.opset() < 10) {
      BRISK_ASSIGN_OR_RETURN(int64_t k, ctx.attrs().GetInt("k"));
      k_dim = Dim::Known(k);
    } else if (const Tensor* k = ctx.input_constant(1); k != nullptr) {
      BRISK_ASSIGN_OR_RETURN(int64_t kv, ReadK(*k));
      k_dim = Dim::Known(kv);
    }
    const Dim& d = x.shape->dims[size_t(a)];
    if (k_dim.is_known() && d.is_known() && k_dim.value > d.value) {
      return InvalidArgument("k " + std::to_string(k_dim.value) + " exceeds axis " +
                             std::to_string(a) + " of size " + std::to_string(d.value));
    }
    shape = *x.shape;
    shape->dims[size_t(a)] = k_dim;
  }
  ctx.set_output(0, x.dtype, shape);
  if (ctx.num_outputs() > 1) ctx.set_output(1, DType::kInt64, shape);
  return Status::Ok();
}

class TopKKernel final : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(int64_t axis, init.attrs().GetInt("axis", -1));
    std::optional<int64_t> k;
    if (init.opset() < 10) {
      BRISK_ASSIGN_OR_RETURN(int64_t kv, init.attrs().GetInt("k"));
      if (kv < 0) return InvalidArgument("attribute 'k' must be >= 0, got " + std::to_string(kv));
      k = kv;
    }
    int64_t largest = 1;
    int64_t sorted = 1;
    if (init.opset() >= 11) {
      BRISK_ASSIGN_OR_RETURN(largest, init.attrs().GetInt("largest", 1));
      BRISK_ASSIGN_OR_RETURN(sorted, init.attrs().GetInt("sorted", 1));
    }
    if (largest != 0 && largest != 1) {
      return InvalidArgument("attribute 'largest' must be 0 or 1, got " + std::to_string(largest));
    }
    if (sorted != 0 && sorted != 1) {
      return InvalidArgument("attribute 'sorted' must be 0 or 1, got " + std::to_string(sorted));
    }
    return MakeKernel<TopKKernel>(axis, k, largest == 1);
  }
  TopKKernel(int64_t axis, std::optional<int64_t> k, bool largest)
      : axis_(axis), k_(k), largest_(largest) {}

  Status Run(KernelContext& ctx) const override {
    BRISK_ASSIGN_OR_RETURN(const Tensor* x, RequiredInput(ctx, 0, "X"));
    int64_t k = 0;
    if (k_) {
      k = *k_;
    } else {
      BRISK_ASSIGN_OR_RETURN(const Tensor* kt, RequiredInput(ctx, 1, "K"));
      BRISK_ASSIGN_OR_RETURN(k, ReadK(*kt));
    }
    if (x->rank() < 1) return InvalidArgument(std::string(kX) + " must have rank >= 1");
    BRISK_ASSIGN_OR_RETURN(int axis, NormalizeAxis(axis_, x->rank(), "attribute 'axis'"));
    const int64_t n = x->dim(axis);
    if (k > n) {
      return InvalidArgument("k " + std::to_string(k) + " exceeds axis " + std::to_string(axis) +
                             " of size " + std::to_string(n) + " of " + kX);
    }
    Shape out_shape = x->shape();
    out_shape[axis] = k;
    BRISK_ASSIGN_OR_RETURN(Tensor * values, ctx.AllocateOutput(0, x->dtype(), out_shape));
    Tensor* indices = nullptr;
    Tensor scratch;
    if (ctx.num_outputs() > 1) {
      BRISK_ASSIGN_OR_RETURN(indices, ctx.AllocateOutput(1, DType::kInt64, out_shape));
    } else {
      BRISK_ASSIGN_OR_RETURN(scratch, Tensor::Allocate(DType::kInt64, out_shape));
      indices = &scratch;
    }
    const int64_t outer = x->shape().NumElements(0, axis);
    const int64_t inner = x->shape().NumElements(axis + 1, x->rank());
    return DispatchNumeric(x->dtype(), kX, [&]<typename T>() -> Status {
      const T* src = x->data<T>();
      T* val = values->data<T>();
      int64_t* idx = indices->data<int64_t>();
      std::vector<int64_t> order(static_cast<size_t>(n));
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i = 0; i < inner; ++i) {
          const T* line = src + o * n * inner + i;
          std::iota(order.begin(), order.end(), int64_t{0});
          // Ties keep the lower index first.
          auto before = [&](int64_t a, int64_t b) {
            const T& va = line[a * inner];
            const T& vb = line[b * inner];
            if (largest_ ? Greater(va, vb) : Greater(vb, va)) return true;
            if (largest_ ? Greater(vb, va) : Greater(va, vb)) return false;
            return a < b;
          };
          std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
          for (int64_t j = 0; j < k; ++j) {
            const int64_t off = (o * k + j) * inner + i;
            idx[off] = order[size_t(j)];
            val[off] = line[order[size_t(j)] * inner];
          }
        }
      }
      return Status::Ok();
    });
  }

 private:
  int64_t axis_;
  std::optional<int64_t> k_;  // the attribute before opset 10
  bool largest_;
};

// ---- ArgMax / ArgMin -----------------------------------------------------------------------

struct ArgParams {
  int64_t axis = 0;
  bool keepdims = true;
  bool select_last = false;
};

StatusOr<ArgParams> ParseArgParams(const ir::AttributeMap& attrs, int opset) {
  ArgParams p;
  BRISK_ASSIGN_OR_RETURN(p.axis, attrs.GetInt("axis", 0));
  BRISK_ASSIGN_OR_RETURN(int64_t keepdims, attrs.GetInt("keepdims", 1));
  if (keepdims != 0 && keepdims != 1) {
    return InvalidArgument("attribute 'keepdims' must be 0 or 1, got " + std::to_string(keepdims));
  }
  p.keepdims = keepdims == 1;
  int64_t last = 0;
  if (opset >= 12) {
    BRISK_ASSIGN_OR_RETURN(last, attrs.GetInt("select_last_index", 0));
  }
  if (last != 0 && last != 1) {
    return InvalidArgument("attribute 'select_last_index' must be 0 or 1, got " +
                           std::to_string(last));
  }
  p.select_last = last == 1;
  return p;
}

Status InferArg(InferenceContext& ctx) {
  const ir::TypeInfo& x = ctx.input_type(0);
  BRISK_ASSIGN_OR_RETURN(ArgParams p, ParseArgParams(ctx.attrs(), ctx.opset()));
  std::optional<SymbolicShape> shape;
  if (x.shape) {
    BRISK_ASSIGN_OR_RETURN(int a, NormalizeAxis(p.axis, x.shape->rank(), "attribute 'axis'"));
    shape = *x.shape;
    if (x.shape->rank() > 0) {
      if (p.keepdims) shape->dims[size_t(a)] = Dim::Known(1);
      else shape->dims.erase(shape->dims.begin() + a);
    }
  }
  ctx.set_output(0, DType::kInt64, shape);
  return Status::Ok();
}

template <bool kMax>
class ArgKernel final : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(ArgParams p, ParseArgParams(init.attrs(), init.opset()));
    return MakeKernel<ArgKernel>(p);
  }
  explicit ArgKernel(ArgParams p) : p_(p) {}

  Status Run(KernelContext& ctx) const override {
    BRISK_ASSIGN_OR_RETURN(const Tensor* x, RequiredInput(ctx, 0, "data"));
    const int r = x->rank();
    BRISK_ASSIGN_OR_RETURN(int axis, NormalizeAxis(p_.axis, r, "attribute 'axis'"));
    // A scalar behaves as a 1-element vector whose reduced output keeps rank 0.
    const int64_t n = r == 0 ? 1 : x->dim(axis);
    if (n == 0) {
      return InvalidArgument("input 0 'data': cannot reduce axis " + std::to_string(axis) +
                             " of size 0");
    }
    Shape out_shape = x->shape();
    if (r > 0) {
      if (p_.keepdims) out_shape[axis] = 1;
      else out_shape.mutable_dims().erase(out_shape.mutable_dims().begin() + axis);
    }
    BRISK_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, DType::kInt64, out_shape));
    const int64_t outer = r == 0 ? 1 : x->shape().NumElements(0, axis);
    const int64_t inner = r == 0 ? 1 : x->shape().NumElements(axis + 1, r);
    return DispatchNumeric(x->dtype(), "input 0 'data'", [&]<typename T>() -> Status {
      const T* src = x->data<T>();
      int64_t* dst = out->data<int64_t>();
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i = 0; i < inner; ++i) {
          const T* line = src + o * n * inner + i;
          int64_t best = 0;
          for (int64_t j = 1; j < n; ++j) {
            const T& v = line[j * inner];
            const T& b = line[best * inner];
            const bool better = kMax ? Greater(v, b) : Greater(b, v);
            const bool worse = kMax ? Greater(b, v) : Greater(v, b);
            if (better || (p_.select_last && !worse)) best = j;
          }
          dst[o * inner + i] = best;
        }
      }
      return Status::Ok();
    });
  }

 private:
  ArgParams p_;
};

// ---- CumSum --------------------------------------------------------------------------------

constexpr char kAxis[] = "input 1 'axis'";

StatusOr<int64_t> ReadAxisInput(const Tensor& t) {
  if (t.num_elements() != 1 || t.rank() > 1) {
    return InvalidArgument(std::string(kAxis) + " must be a scalar, got " + t.TypeString());
  }
  BRISK_ASSIGN_OR_RETURN(std::vector<int64_t> v, ReadInts(t, kAxis));
  return v[0];
}

Status InferCumSum(InferenceContext& ctx) {
  const ir::TypeInfo& x = ctx.input_type(0);
  const ir::TypeInfo& axis = ctx.input_type(1);
  if (axis.dtype != DType::kUndefined && axis.dtype != DType::kInt32 &&
      axis.dtype != DType::kInt64) {
    return InvalidArgument(std::string(kAxis) + " must be int32 or int64, got " +
                           std::string(DTypeName(axis.dtype)));
  }
  if (x.shape) {
    if (const Tensor* a = ctx.input_constant(1); a != nullptr) {
      BRISK_ASSIGN_OR_RETURN(int64_t v, ReadAxisInput(*a));
      BRISK_RETURN_IF_ERROR(NormalizeAxis(v, x.shape->rank(), kAxis).status());
    }
  }
  ctx.set_output_type(0, x);
  return Status::Ok();
}

class CumSumKernel final : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(int64_t exclusive, init.attrs().GetInt("exclusive", 0));
    BRISK_ASSIGN_OR_RETURN(int64_t reverse, init.attrs().GetInt("reverse", 0));
    if (exclusive != 0 && exclusive != 1) {
      return InvalidArgument("attribute 'exclusive' must be 0 or 1, got " +
                             std::to_string(exclusive));
    }
    if (reverse != 0 && reverse != 1) {
      return InvalidArgument("attribute 'reverse' must be 0 or 1, got " + std::to_string(reverse));
    }
    return MakeKernel<CumSumKernel>(exclusive == 1, reverse == 1);
  }
  CumSumKernel(bool exclusive, bool reverse) : exclusive_(exclusive), reverse_(reverse) {}

  Status Run(KernelContext& ctx) const override {
    BRISK_ASSIGN_OR_RETURN(const Tensor* x, RequiredInput(ctx, 0, "x"));
    BRISK_ASSIGN_OR_RETURN(const Tensor* axis_t, RequiredInput(ctx, 1, "axis"));
    BRISK_ASSIGN_OR_RETURN(int64_t axis_v, ReadAxisInput(*axis_t));
    if (x->rank() < 1) return InvalidArgument("input 0 'x' must have rank >= 1");
    BRISK_ASSIGN_OR_RETURN(int axis, NormalizeAxis(axis_v, x->rank(), kAxis));
    BRISK_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x->dtype(), x->shape()));
    const int64_t outer = x->shape().NumElements(0, axis);
    const int64_t n = x->dim(axis);
    const int64_t inner = x->shape().NumElements(axis + 1, x->rank());
    return DispatchNumeric(x->dtype(), "input 0 'x'", [&]<typename T>() -> Status {
      // Half types accumulate in float.
      using Acc = std::conditional_t<std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>,
                                     float, T>;
      const T* src = x->data<T>();
      T* dst = out->data<T>();
      std::vector<Acc> acc(static_cast<size_t>(inner));
      for (int64_t o = 0; o < outer; ++o) {
        std::fill(acc.begin(), acc.end(), Acc{});
        for (int64_t s = 0; s < n; ++s) {
          const int64_t j = reverse_ ? n - 1 - s : s;
          const T* in = src + (o * n + j) * inner;
          T* res = dst + (o * n + j) * inner;
          for (int64_t i = 0; i < inner; ++i) {
            Acc& a = acc[size_t(i)];
            if (exclusive_) {
              res[i] = static_cast<T>(a);
              a = static_cast<Acc>(a + static_cast<Acc>(in[i]));
            } else {
              a = static_cast<Acc>(a + static_cast<Acc>(in[i]));
              res[i] = static_cast<T>(a);
            }
          }
        }
      }
      return Status::Ok();
    });
  }

 private:
  bool exclusive_;
  bool reverse_;
};

}  // namespace

BRISK_REGISTER_OPS(indexing_topk) {
  Op("TopK").Since(1).Infer(InferTopK).Kernel<TopKKernel>();
  Op("ArgMax").Since(1).Infer(InferArg).Kernel<ArgKernel<true>>();
  Op("ArgMin").Since(1).Infer(InferArg).Kernel<ArgKernel<false>>();
  Op("CumSum").Since(11).Infer(InferCumSum).Kernel<CumSumKernel>();
}

}  // namespace brisk
