// Reduce*: ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1, ReduceL2,
// ReduceLogSum, ReduceLogSumExp, ReduceSumSquare, all on one reduction engine.
//
// The reduced axes come from the `axes` attribute before ReduceSum-13 / other Reduce*-18 and from
// the optional input 1 after. No axes (absent, or empty) reduces every axis unless
// `noop_with_empty_axes` is set; then nothing is reduced and every output element is the op
// applied to its single input element (x for Sum/Max/..., |x| for L1, x*x for SumSquare), as
// onnxruntime does. Reductions over an empty set give the op's identity: 0 for sums, 1 for Prod,
// -inf (or the lowest value) for Max and LogSum/LogSumExp, +inf (or the highest) for Min, NaN for a
// floating-point Mean.
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

enum class ReduceKind {
  kSum,
  kMean,
  kMax,
  kMin,
  kProd,
  kL1,
  kL2,
  kLogSum,
  kLogSumExp,
  kSumSquare,
};

// ---- Attributes and axes -------------------------------------------------------------------

struct ReduceParams {
  bool keepdims = true;
  bool noop_with_empty_axes = false;
  bool axes_from_input = false;
  std::vector<int64_t> axes_attr;  // before the axes input existed
};

StatusOr<ReduceParams> ParseReduceParams(const ir::AttributeMap& attrs, int opset,
                                         int input_since) {
  ReduceParams p;
  BRISK_ASSIGN_OR_RETURN(int64_t keepdims, attrs.GetInt("keepdims", 1));
  if (keepdims != 0 && keepdims != 1) {
    return InvalidArgument("attribute 'keepdims' must be 0 or 1, got " + std::to_string(keepdims));
  }
  p.keepdims = keepdims == 1;
  p.axes_from_input = opset >= input_since;
  if (p.axes_from_input) {
    if (attrs.Has("axes")) {
      return InvalidArgument("attribute 'axes' is not allowed from opset " +
                             std::to_string(input_since) + " (axes is input 1)");
    }
    BRISK_ASSIGN_OR_RETURN(int64_t noop, attrs.GetInt("noop_with_empty_axes", 0));
    if (noop != 0 && noop != 1) {
      return InvalidArgument("attribute 'noop_with_empty_axes' must be 0 or 1, got " +
                             std::to_string(noop));
    }
    p.noop_with_empty_axes = noop == 1;
  } else {
    BRISK_ASSIGN_OR_RETURN(p.axes_attr, attrs.GetInts("axes", std::vector<int64_t>{}));
  }
  return p;
}

// Validates `axes` against `rank` and returns which axes are reduced (all of them for an empty
// list, none with noop_with_empty_axes).
StatusOr<std::vector<bool>> ReducedAxesMask(const std::vector<int64_t>& axes, int rank, bool noop,
                                            std::string_view what) {
  std::vector<bool> mask(size_t(rank), false);
  if (axes.empty()) {
    if (!noop) mask.assign(size_t(rank), true);
    return mask;
  }
  for (int64_t a : axes) {
    if (a < -rank || a >= rank) {
      return InvalidArgument(std::string(what) + ": axis " + std::to_string(a) +
                             " is out of range for rank " + std::to_string(rank));
    }
    const int axis = int(a < 0 ? a + rank : a);
    if (mask[size_t(axis)]) {
      return InvalidArgument(std::string(what) + ": axis " + std::to_string(a) +
                             " appears more than once");
    }
    mask[size_t(axis)] = true;
  }
  return mask;
}

// ---- Inference ------------------------------------------------------------------------------

Status InferReduce(InferenceContext& ctx, int input_since) {
  BRISK_ASSIGN_OR_RETURN(ReduceParams p, ParseReduceParams(ctx.attrs(), ctx.opset(), input_since));
  const ir::TypeInfo& in = ctx.input_type(0);
  if (in.dtype == DType::kString) {
    return InvalidArgument("input 0 'data': dtype string is not supported");
  }
  if (!in.shape) {
    ctx.set_output(0, in.dtype, std::nullopt);
    return Status::Ok();
  }
  const int rank = in.shape->rank();
  std::optional<std::vector<int64_t>> axes;
  std::string_view what = "attribute 'axes'";
  if (!p.axes_from_input) {
    axes = p.axes_attr;
  } else if (!ctx.has_input(1)) {
    axes = std::vector<int64_t>{};
  } else {
    what = "input 1 'axes'";
    axes = ConstantInts(ctx, 1);
  }
  if (!axes) {
    // Axes unknown until run time. With keepdims the rank survives and 1s stay 1s.
    const auto& axes_shape = ctx.input_type(1).shape;
    if (p.keepdims) {
      SymbolicShape out;
      for (const Dim& d : in.shape->dims) {
        out.dims.push_back(d.is_known() && d.value == 1 ? d : Dim::Unknown());
      }
      ctx.set_output(0, in.dtype, std::move(out));
      return Status::Ok();
    }
    if (axes_shape && axes_shape->rank() == 1 && axes_shape->dims[0].is_known() &&
        axes_shape->dims[0].value > 0 && axes_shape->dims[0].value <= rank) {
      const int out_rank = rank - int(axes_shape->dims[0].value);
      ctx.set_output(0, in.dtype, SymbolicShape(std::vector<Dim>(size_t(out_rank))));
      return Status::Ok();
    }
    ctx.set_output(0, in.dtype, std::nullopt);
    return Status::Ok();
  }
  BRISK_ASSIGN_OR_RETURN(std::vector<bool> mask,
                         ReducedAxesMask(*axes, rank, p.noop_with_empty_axes, what));
  SymbolicShape out;
  for (int i = 0; i < rank; ++i) {
    if (!mask[size_t(i)]) {
      out.dims.push_back(in.shape->dims[size_t(i)]);
    } else if (p.keepdims) {
      out.dims.push_back(Dim::Known(1));
    }
  }
  ctx.set_output(0, in.dtype, std::move(out));
  return Status::Ok();
}

// ---- Engine ---------------------------------------------------------------------------------

// Accumulator type: double for floating point, 64-bit for integers (wrapping like the element
// type would), uint8_t for bool (only Max/Min accept bool: or / and).
template <typename T>
using AccOf = std::conditional_t<
    std::is_same_v<T, bool>, uint8_t,
    std::conditional_t<std::is_integral_v<T>,
                       std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>, double>>;

template <typename T>
constexpr bool kIsFloat = !std::is_integral_v<T>;

template <typename A>
A WrapAdd(A a, A b) {
  if constexpr (std::is_integral_v<A>) {
    return A(uint64_t(a) + uint64_t(b));
  } else {
    return a + b;
  }
}

template <typename A>
A WrapMul(A a, A b) {
  if constexpr (std::is_integral_v<A>) {
    return A(uint64_t(a) * uint64_t(b));
  } else {
    return a * b;
  }
}

template <typename A>
A Abs(A a) {
  if constexpr (std::is_unsigned_v<A>) {
    return a;
  } else if constexpr (std::is_integral_v<A>) {
    return a < 0 ? A(0 - uint64_t(a)) : a;
  } else {
    return std::fabs(a);
  }
}

template <typename T>
AccOf<T> ToAcc(T v) {
  if constexpr (kIsFloat<T>) {
    return ToDouble(v);
  } else {
    return AccOf<T>(v);
  }
}

template <typename T>
T FromAcc(AccOf<T> a) {
  if constexpr (kIsFloat<T>) {
    return FromDouble<T>(a);
  } else {
    return T(a);
  }
}

// Converts a double result (sqrt, log, mean) to T; NaN/inf become 0 / the limits for integers.
template <typename T>
T FromReal(double v) {
  if constexpr (kIsFloat<T>) {
    return FromDouble<T>(v);
  } else if constexpr (std::is_same_v<T, bool>) {
    return v != 0;
  } else {
    if (std::isnan(v)) return T(0);
    if (v <= double(std::numeric_limits<T>::lowest())) return std::numeric_limits<T>::lowest();
    if (v >= double(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
    return T(v);
  }
}

// The lowest / highest value of T as an accumulator (+-inf for floating point).
template <typename T>
AccOf<T> LowestAcc() {
  if constexpr (kIsFloat<T>) {
    return -std::numeric_limits<double>::infinity();
  } else {
    return AccOf<T>(std::numeric_limits<T>::lowest());
  }
}
template <typename T>
AccOf<T> HighestAcc() {
  if constexpr (kIsFloat<T>) {
    return std::numeric_limits<double>::infinity();
  } else {
    return AccOf<T>(std::numeric_limits<T>::max());
  }
}

// The identity of the first pass of `kind`.
template <typename T>
AccOf<T> InitialValue(ReduceKind kind) {
  using A = AccOf<T>;
  switch (kind) {
    case ReduceKind::kMax:
    case ReduceKind::kLogSumExp: return LowestAcc<T>();  // first pass finds the maximum
    case ReduceKind::kMin: return HighestAcc<T>();
    case ReduceKind::kProd: return A(1);
    default: return A(0);
  }
}

// Input and output described as a list of collapsed dims: adjacent axes that are both reduced
// or both kept are merged. `out_stride` is 0 on reduced dims.
struct ReduceLayout {
  std::vector<int64_t> dims;
  std::vector<int64_t> out_strides;
};

ReduceLayout MakeLayout(const Shape& in, const std::vector<bool>& mask) {
  ReduceLayout layout;
  std::vector<bool> merged_mask;
  for (int i = 0; i < in.rank(); ++i) {
    if (in[i] == 1) continue;  // size-1 dims do not move either index
    if (!merged_mask.empty() && merged_mask.back() == mask[size_t(i)]) {
      layout.dims.back() *= in[i];
    } else {
      layout.dims.push_back(in[i]);
      merged_mask.push_back(mask[size_t(i)]);
    }
  }
  layout.out_strides.assign(layout.dims.size(), 0);
  int64_t stride = 1;
  for (size_t i = layout.dims.size(); i-- > 0;) {
    if (!merged_mask[i]) {
      layout.out_strides[i] = stride;
      stride *= layout.dims[i];
    }
  }
  return layout;
}

// Calls fn(in_index, out_index) for every input element in row-major order.
template <typename F>
void ForEachElement(const ReduceLayout& layout, int64_t num_elements, F&& fn) {
  if (num_elements == 0) return;
  if (layout.dims.empty()) {
    fn(int64_t(0), int64_t(0));
    return;
  }
  const size_t rank = layout.dims.size();
  const int64_t inner = layout.dims[rank - 1];
  const int64_t inner_stride = layout.out_strides[rank - 1];
  std::vector<int64_t> counter(rank, 0);
  int64_t out_base = 0;
  for (int64_t in_base = 0; in_base < num_elements; in_base += inner) {
    for (int64_t k = 0; k < inner; ++k) fn(in_base + k, out_base + k * inner_stride);
    // Advance the outer odometer.
    for (size_t d = rank - 1; d-- > 0;) {
      out_base += layout.out_strides[d];
      if (++counter[d] < layout.dims[d]) break;
      out_base -= layout.out_strides[d] * layout.dims[d];
      counter[d] = 0;
    }
  }
}

template <typename T>
Status ReduceTyped(ReduceKind kind, const Tensor& x, const std::vector<bool>& mask,
                   Tensor& out) {
  using A = AccOf<T>;
  const int64_t n_out = out.num_elements();
  const int64_t n_in = x.num_elements();
  int64_t count = 1;  // elements per reduction set
  for (int i = 0; i < x.rank(); ++i) {
    if (mask[size_t(i)]) count *= x.dim(i);
  }
  const ReduceLayout layout = MakeLayout(x.shape(), mask);
  const T* in = x.data<T>();
  T* o = out.data<T>();
  std::vector<A> acc(size_t(n_out), InitialValue<T>(kind));

  switch (kind) {
    case ReduceKind::kSum:
    case ReduceKind::kMean:
    case ReduceKind::kLogSum:
      ForEachElement(layout, n_in, [&](int64_t i, int64_t j) {
        acc[size_t(j)] = WrapAdd(acc[size_t(j)], ToAcc(in[i]));
      });
      break;
    case ReduceKind::kSumSquare:
    case ReduceKind::kL2:
      ForEachElement(layout, n_in, [&](int64_t i, int64_t j) {
        const A v = ToAcc(in[i]);
        acc[size_t(j)] = WrapAdd(acc[size_t(j)], WrapMul(v, v));
      });
      break;
    case ReduceKind::kL1:
      ForEachElement(layout, n_in, [&](int64_t i, int64_t j) {
        acc[size_t(j)] = WrapAdd(acc[size_t(j)], Abs(ToAcc(in[i])));
      });
      break;
    case ReduceKind::kProd:
      ForEachElement(layout, n_in, [&](int64_t i, int64_t j) {
        acc[size_t(j)] = WrapMul(acc[size_t(j)], ToAcc(in[i]));
      });
      break;
    case ReduceKind::kMax:
    case ReduceKind::kLogSumExp:
      ForEachElement(layout, n_in, [&](int64_t i, int64_t j) {
        const A v = ToAcc(in[i]);
        A& a = acc[size_t(j)];
        if constexpr (std::is_same_v<A, double>) {
          if (v > a || std::isnan(v)) a = v;  // once NaN, stays NaN
        } else {
          if (v > a) a = v;
        }
      });
      break;
    case ReduceKind::kMin:
      ForEachElement(layout, n_in, [&](int64_t i, int64_t j) {
        const A v = ToAcc(in[i]);
        A& a = acc[size_t(j)];
        if constexpr (std::is_same_v<A, double>) {
          if (v < a || std::isnan(v)) a = v;
        } else {
          if (v < a) a = v;
        }
      });
      break;
  }

  if (kind == ReduceKind::kLogSumExp) {
    // Second pass: sum of exp(x - max), in double whatever T is.
    std::vector<double> sum(size_t(n_out), 0.0);
    std::vector<double> max(static_cast<size_t>(n_out));
    for (int64_t j = 0; j < n_out; ++j) max[size_t(j)] = double(acc[size_t(j)]);
    ForEachElement(layout, n_in, [&](int64_t i, int64_t j) {
      const double m = max[size_t(j)];
      if (std::isfinite(m)) sum[size_t(j)] += std::exp(ToDouble(in[i]) - m);
    });
    for (int64_t j = 0; j < n_out; ++j) {
      const double m = max[size_t(j)];
      // An empty set or all -inf gives -inf; a +inf or NaN maximum is the answer itself.
      const double r = std::isfinite(m) ? m + std::log(sum[size_t(j)]) : m;
      o[j] = FromReal<T>(r);
    }
    return Status::Ok();
  }

  for (int64_t j = 0; j < n_out; ++j) {
    const A a = acc[size_t(j)];
    switch (kind) {
      case ReduceKind::kMean:
        if constexpr (kIsFloat<T>) {
          o[j] = FromDouble<T>(a / double(count));  // 0/0 = NaN on an empty set
        } else {
          o[j] = count == 0 ? T(0) : FromReal<T>(double(a) / double(count));
        }
        break;
      case ReduceKind::kL2: o[j] = FromReal<T>(std::sqrt(double(a))); break;
      case ReduceKind::kLogSum:
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
          o[j] = a <= 0 ? std::numeric_limits<T>::lowest() : FromReal<T>(std::log(double(a)));
        } else {
          o[j] = FromReal<T>(std::log(double(a)));
        }
        break;
      default: o[j] = FromAcc<T>(a); break;
    }
  }
  return Status::Ok();
}

// ---- Kernel ---------------------------------------------------------------------------------

class ReduceKernel : public Kernel {
 public:
  ReduceKernel(ReduceKind kind, ReduceParams params) : kind_(kind), params_(std::move(params)) {}

  static StatusOr<std::unique_ptr<Kernel>> Create(ReduceKind kind, int input_since,
                                                  const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(ReduceParams p,
                           ParseReduceParams(init.attrs(), init.opset(), input_since));
    return MakeKernel<ReduceKernel>(kind, std::move(p));
  }

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (x == nullptr) return InvalidArgument("input 0 'data' is required");
    std::vector<int64_t> axes = params_.axes_attr;
    std::string_view what = "attribute 'axes'";
    if (params_.axes_from_input && ctx.input(1) != nullptr) {
      const Tensor& t = *ctx.input(1);
      if (t.rank() != 1) {
        return InvalidArgument("input 1 'axes' must be 1-D, got " + t.TypeString());
      }
      BRISK_ASSIGN_OR_RETURN(axes, ReadInts(t, "input 1 'axes'"));
      what = "input 1 'axes'";
    }
    BRISK_ASSIGN_OR_RETURN(
        std::vector<bool> mask,
        ReducedAxesMask(axes, x->rank(), params_.axes_from_input && params_.noop_with_empty_axes,
                        what));
    std::vector<int64_t> out_dims;
    for (int i = 0; i < x->rank(); ++i) {
      if (!mask[size_t(i)]) {
        out_dims.push_back(x->dim(i));
      } else if (params_.keepdims) {
        out_dims.push_back(1);
      }
    }
    BRISK_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x->dtype(), Shape(out_dims)));
    auto fn = [&]<typename T>() -> Status { return ReduceTyped<T>(kind_, *x, mask, *out); };
    if (kind_ == ReduceKind::kMax || kind_ == ReduceKind::kMin) {
      return DispatchNumericOrBool(x->dtype(), "input 0 'data'", fn);
    }
    return DispatchNumeric(x->dtype(), "input 0 'data'", fn);
  }

 private:
  ReduceKind kind_;
  ReduceParams params_;
};

void RegisterReduce(const char* name, ReduceKind kind, int input_since) {
  auto infer = [input_since](InferenceContext& ctx) { return InferReduce(ctx, input_since); };
  auto create = [kind, input_since](const KernelInit& init) {
    return ReduceKernel::Create(kind, input_since, init);
  };
  Op(name).Since(1).Until(input_since - 1).Infer(infer).Create(create);
  Op(name).Since(input_since).Infer(infer).Create(create);
}

}  // namespace

BRISK_REGISTER_OPS(reduce) {
  RegisterReduce("ReduceSum", ReduceKind::kSum, 13);
  RegisterReduce("ReduceMean", ReduceKind::kMean, 18);
  RegisterReduce("ReduceMax", ReduceKind::kMax, 18);
  RegisterReduce("ReduceMin", ReduceKind::kMin, 18);
  RegisterReduce("ReduceProd", ReduceKind::kProd, 18);
  RegisterReduce("ReduceL1", ReduceKind::kL1, 18);
  RegisterReduce("ReduceL2", ReduceKind::kL2, 18);
  RegisterReduce("ReduceLogSum", ReduceKind::kLogSum, 18);
  RegisterReduce("ReduceLogSumExp", ReduceKind::kLogSumExp, 18);
  RegisterReduce("ReduceSumSquare", ReduceKind::kSumSquare, 18);
}

}  // namespace brisk
