// Reshape, Flatten, Squeeze, Unsqueeze, Shape, Size, Expand: ops that change only the shape (the
// output shares the input's storage) or that read it, plus Expand (a broadcast copy).
#include <limits>
#include <algorithm>
#include <map>

#include "kernels/reference/shape_ops_util.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

using shape_ops::InputName;
using shape_ops::KnownLength;
using shape_ops::ReadIntList;
using shape_ops::UnknownShape;

// ---- Reshape -------------------------------------------------------------------------------

Status CheckReshapeSpec(std::span<const int64_t> spec, bool allowzero) {
  int minus_ones = 0;
  bool zero = false;
  for (int64_t v : spec) {
    if (v < -1) {
      return InvalidArgument(InputName(1, "shape") + ": dim " + std::to_string(v) +
                             " is invalid (must be >= -1)");
    }
    if (v == -1) ++minus_ones;
    if (v == 0) zero = true;
  }
  if (minus_ones > 1) {
    return InvalidArgument(InputName(1, "shape") + ": at most one dim may be -1");
  }
  if (allowzero && zero && minus_ones > 0) {
    return InvalidArgument(InputName(1, "shape") +
                           ": cannot contain both 0 and -1 when attribute 'allowzero' is 1");
  }
  return Status::Ok();
}

StatusOr<Shape> ReshapeShape(const Shape& in, std::span<const int64_t> spec, bool allowzero) {
  BRISK_RETURN_IF_ERROR(CheckReshapeSpec(spec, allowzero));
  std::vector<int64_t> out(spec.begin(), spec.end());
  int infer_at = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == 0 && !allowzero) {
      if (int(i) >= in.rank()) {
        return InvalidArgument(InputName(1, "shape") + ": dim " + std::to_string(i) +
                               " is 0 (copy the input dim) but the input " + in.ToString() +
                               " has rank " + std::to_string(in.rank()));
      }
      out[i] = in[int(i)];
    } else if (out[i] == -1) {
      infer_at = int(i);
    }
  }
  const int64_t total = in.NumElements();
  if (infer_at >= 0) {
    out[size_t(infer_at)] = 1;
    BRISK_ASSIGN_OR_RETURN(const int64_t known, CheckedNumElements(out));
    if (known == 0 || total % known != 0) {
      return InvalidArgument("cannot reshape input 0 'data' " + in.ToString() + " to " +
                             InputName(1, "shape") + " " +
                             Shape(std::vector<int64_t>(spec.begin(), spec.end())).ToString() +
                             ": the -1 dim cannot be inferred");
    }
    out[size_t(infer_at)] = total / known;
  }
  BRISK_ASSIGN_OR_RETURN(const int64_t n, CheckedNumElements(out));
  if (n != total) {
    return InvalidArgument("cannot reshape input 0 'data' " + in.ToString() + " (" +
                           std::to_string(total) + " elements) to " + InputName(1, "shape") +
                           " " + Shape(out).ToString() + " (" + std::to_string(n) +
                           " elements)");
  }
  return Shape(std::move(out));
}

// Symbolic product of dims: a known number, the multiset of symbols and whether any is unknown.
struct SymProduct {
  int64_t known = 1;
  std::map<std::string, int> symbols;
  bool unknown = false;
  bool overflow = false;
  void Add(const Dim& d) {
    if (d.is_known()) {
      if (d.value != 0 && known > kMaxElements / d.value) overflow = true;
      else known *= d.value;
    } else if (d.is_symbol()) {
      ++symbols[d.symbol];
    } else {
      unknown = true;
    }
  }
};

// Marks a shape-spec entry whose value is a symbol (from a symbolic shape value).
constexpr int64_t kSymbolicEntry = std::numeric_limits<int64_t>::min();

// `symbols[i]` gives the dim for entries equal to kSymbolicEntry (may be null when none).
StatusOr<std::optional<SymbolicShape>> ReshapeSymbolic(const std::optional<SymbolicShape>& in,
                                                       std::span<const int64_t> spec,
                                                       bool allowzero,
                                                       const SymbolicValue* symbols = nullptr) {
  std::vector<int64_t> checked(spec.begin(), spec.end());
  for (int64_t& v : checked)
    if (v == kSymbolicEntry) v = 1;  // any positive size passes the spec check
  BRISK_RETURN_IF_ERROR(CheckReshapeSpec(checked, allowzero));
  SymbolicShape out = UnknownShape(int(spec.size()));
  int infer_at = -1;
  for (size_t i = 0; i < spec.size(); ++i) {
    const int64_t v = spec[i];
    if (v == kSymbolicEntry) {
      out.dims[i] = (*symbols)[i].ToDim();
    } else if (v == 0 && !allowzero) {
      if (in && int(i) >= in->rank()) {
        return InvalidArgument(InputName(1, "shape") + ": dim " + std::to_string(i) +
                               " is 0 (copy the input dim) but the input " + in->ToString() +
                               " has rank " + std::to_string(in->rank()));
      }
      if (in) out.dims[i] = in->dims[i];
    } else if (v == -1) {
      infer_at = int(i);
    } else {
      out.dims[i] = Dim::Known(v);
    }
  }
  if (!in) return std::optional<SymbolicShape>(std::move(out));
  SymProduct pin, pout;
  for (const Dim& d : in->dims) pin.Add(d);
  for (size_t i = 0; i < out.dims.size(); ++i)
    if (int(i) != infer_at) pout.Add(out.dims[i]);
  if (pin.unknown || pout.unknown || pin.overflow || pout.overflow) {
    return std::optional<SymbolicShape>(std::move(out));
  }
  // Cancel the output's symbols against the input's.
  bool cancelled = true;
  for (const auto& [s, n] : pout.symbols) {
    auto it = pin.symbols.find(s);
    if (it == pin.symbols.end() || it->second < n) {
      cancelled = false;
      break;
    }
    it->second -= n;
  }
  if (!cancelled) return std::optional<SymbolicShape>(std::move(out));
  std::erase_if(pin.symbols, [](const auto& kv) { return kv.second == 0; });
  const bool had_symbols = !pout.symbols.empty() || !pin.symbols.empty();
  if (infer_at < 0) {
    if (pin.symbols.empty() && !had_symbols && pin.known != pout.known) {
      return InvalidArgument("cannot reshape input 0 'data' " + in->ToString() + " (" +
                             std::to_string(pin.known) + " elements) to " +
                             InputName(1, "shape") + " " + out.ToString() + " (" +
                             std::to_string(pout.known) + " elements)");
    }
    return std::optional<SymbolicShape>(std::move(out));
  }
  Dim& inferred = out.dims[size_t(infer_at)];
  if (pin.symbols.empty()) {
    if (pout.known != 0 && pin.known % pout.known == 0) {
      inferred = Dim::Known(pin.known / pout.known);
    } else if (!had_symbols) {
      return InvalidArgument("cannot reshape input 0 'data' " + in->ToString() + " to " +
                             InputName(1, "shape") + " " + out.ToString() +
                             ": the -1 dim cannot be inferred");
    }
  } else if (pin.symbols.size() == 1 && pin.symbols.begin()->second == 1 &&
             pin.known == pout.known && pin.known != 0) {
    inferred = Dim::Symbol(pin.symbols.begin()->first);
  }
  return std::optional<SymbolicShape>(std::move(out));
}

StatusOr<bool> ReshapeAllowZero(const ir::AttributeMap& attrs, int opset) {
  if (opset < 14) return false;
  BRISK_ASSIGN_OR_RETURN(const int64_t v, attrs.GetInt("allowzero", 0));
  if (v != 0 && v != 1) {
    return InvalidArgument("attribute 'allowzero' must be 0 or 1, got " + std::to_string(v));
  }
  return v == 1;
}

Status InferReshape(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const bool allowzero, ReshapeAllowZero(ctx.attrs(), ctx.opset()));
  const DType dtype = ctx.input_type(0).dtype;
  if (auto spec = ConstantInts(ctx, 1)) {
    BRISK_ASSIGN_OR_RETURN(auto shape, ReshapeSymbolic(ctx.input_type(0).shape, *spec, allowzero));
    ctx.set_output(0, dtype, std::move(shape));
    return Status::Ok();
  }
  // A shape computed from the input's own (symbolic) shape, e.g. [N, -1] from
  // Concat(Gather(Shape(x), 0), [-1]): numbers keep Reshape's meaning, symbols become dims.
  if (const SymbolicValue* value = ctx.input_symbolic_value(1)) {
    std::vector<int64_t> spec;
    bool usable = true;
    for (const SymbolicInt& d : *value) {
      if (d.value) spec.push_back(*d.value);
      else if (!d.symbol.empty()) spec.push_back(kSymbolicEntry);
      else usable = false;
    }
    if (usable) {
      BRISK_ASSIGN_OR_RETURN(auto shape,
                             ReshapeSymbolic(ctx.input_type(0).shape, spec, allowzero, value));
      ctx.set_output(0, dtype, std::move(shape));
      return Status::Ok();
    }
    SymbolicShape partial;
    for (const SymbolicInt& d : *value)
      partial.dims.push_back(d.value && *d.value <= 0 ? Dim::Unknown() : d.ToDim());
    ctx.set_output(0, dtype, std::move(partial));
    return Status::Ok();
  }
  if (auto n = KnownLength(ctx, 1)) {
    ctx.set_output(0, dtype, UnknownShape(int(*n)));
  } else {
    ctx.set_output(0, dtype, std::nullopt);
  }
  return Status::Ok();
}

class ReshapeKernel final : public Kernel {
 public:
  explicit ReshapeKernel(bool allowzero) : allowzero_(allowzero) {}
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(const bool allowzero, ReshapeAllowZero(init.attrs(), init.opset()));
    return MakeKernel<ReshapeKernel>(allowzero);
  }
  Status Run(KernelContext& ctx) const override {
    BRISK_ASSIGN_OR_RETURN(const Tensor* x, shape_ops::RequiredInput(ctx, 0, "data"));
    BRISK_ASSIGN_OR_RETURN(const Tensor* s, shape_ops::RequiredInput(ctx, 1, "shape"));
    BRISK_ASSIGN_OR_RETURN(auto spec, ReadIntList(*s, 1, "shape"));
    BRISK_ASSIGN_OR_RETURN(Shape out, ReshapeShape(x->shape(), spec, allowzero_));
    BRISK_ASSIGN_OR_RETURN(Tensor y, x->Reshaped(std::move(out)));
    ctx.set_output(0, std::move(y));
    return Status::Ok();
  }

 private:
  bool allowzero_;
};

// ---- Flatten -------------------------------------------------------------------------------

// The product of symbolic dims when it can be named: known, or a single symbol times 1.
Dim SymbolicProduct(std::span<const Dim> dims) {
  SymProduct p;
  for (const Dim& d : dims) p.Add(d);
  if (p.unknown || p.overflow) return Dim::Unknown();
  if (p.known == 0) return Dim::Known(0);
  if (p.symbols.empty()) return Dim::Known(p.known);
  if (p.symbols.size() == 1 && p.symbols.begin()->second == 1 && p.known == 1) {
    return Dim::Symbol(p.symbols.begin()->first);
  }
  return Dim::Unknown();
}

StatusOr<int> FlattenAxis(const ir::AttributeMap& attrs, int opset, int rank) {
  BRISK_ASSIGN_OR_RETURN(const int64_t axis, attrs.GetInt("axis", 1));
  const int64_t lo = opset >= 11 ? -int64_t(rank) : 0;
  if (axis < lo || axis > rank) {
    return InvalidArgument("attribute 'axis' " + std::to_string(axis) +
                           " is out of range for rank " + std::to_string(rank) + " (expected [" +
                           std::to_string(lo) + ", " + std::to_string(rank) + "])");
  }
  return int(axis < 0 ? axis + rank : axis);
}

Status InferFlatten(InferenceContext& ctx) {
  const auto& in = ctx.input_type(0);
  if (!in.shape) {
    ctx.set_output(0, in.dtype, UnknownShape(2));
    return Status::Ok();
  }
  BRISK_ASSIGN_OR_RETURN(const int axis, FlattenAxis(ctx.attrs(), ctx.opset(), in.shape->rank()));
  std::span<const Dim> dims(in.shape->dims);
  ctx.set_output(0, in.dtype,
                 SymbolicShape({SymbolicProduct(dims.subspan(0, size_t(axis))),
                                SymbolicProduct(dims.subspan(size_t(axis)))}));
  return Status::Ok();
}

Status FlattenCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, shape_ops::RequiredInput(ctx, 0, "input"));
  BRISK_ASSIGN_OR_RETURN(const int axis, FlattenAxis(ctx.attrs(), ctx.opset(), x->rank()));
  BRISK_ASSIGN_OR_RETURN(
      Tensor y, x->Reshaped(Shape{x->shape().NumElements(0, axis),
                                  x->shape().NumElements(axis, x->rank())}));
  ctx.set_output(0, std::move(y));
  return Status::Ok();
}

// ---- Squeeze / Unsqueeze -------------------------------------------------------------------

// The axes of Squeeze/Unsqueeze: from the attribute before opset 13, from input 1 after.
// nullopt when absent; `known` is false when given as a non-constant input.
struct AxesSpec {
  std::optional<std::vector<int64_t>> axes;
  bool known = true;
};

StatusOr<AxesSpec> GetAxesForInference(const InferenceContext& ctx) {
  AxesSpec spec;
  if (ctx.opset() < 13) {
    if (ctx.attrs().Has("axes")) {
      BRISK_ASSIGN_OR_RETURN(spec.axes, ctx.attrs().GetInts("axes"));
    }
    return spec;
  }
  if (!ctx.has_input(1)) return spec;
  if (const Tensor* t = ctx.input_constant(1)) {
    BRISK_ASSIGN_OR_RETURN(spec.axes, ReadIntList(*t, 1, "axes"));
  } else {
    spec.known = false;
  }
  return spec;
}

StatusOr<std::optional<std::vector<int64_t>>> GetAxesForRun(const KernelContext& ctx) {
  if (ctx.opset() < 13) {
    if (!ctx.attrs().Has("axes")) return std::optional<std::vector<int64_t>>();
    BRISK_ASSIGN_OR_RETURN(auto axes, ctx.attrs().GetInts("axes"));
    return std::optional<std::vector<int64_t>>(std::move(axes));
  }
  if (!ctx.has_input(1)) return std::optional<std::vector<int64_t>>();
  BRISK_ASSIGN_OR_RETURN(auto axes, ReadIntList(*ctx.input(1), 1, "axes"));
  return std::optional<std::vector<int64_t>>(std::move(axes));
}

std::string AxesName(int opset) {
  return opset < 13 ? std::string("attribute 'axes'") : InputName(1, "axes");
}

StatusOr<std::vector<int>> NormalizeAxes(std::span<const int64_t> axes, int rank,
                                         const std::string& what) {
  std::vector<int> out;
  for (int64_t a : axes) {
    BRISK_ASSIGN_OR_RETURN(const int n, NormalizeAxis(a, rank, what + ": axis"));
    out.push_back(n);
  }
  BRISK_RETURN_IF_ERROR(shape_ops::CheckUniqueAxes(out, what));
  return out;
}

Status InferSqueeze(InferenceContext& ctx) {
  const auto& in = ctx.input_type(0);
  BRISK_ASSIGN_OR_RETURN(AxesSpec spec, GetAxesForInference(ctx));
  if (!spec.known) {
    auto n = KnownLength(ctx, 1);
    if (in.shape && n && *n <= in.shape->rank()) {
      ctx.set_output(0, in.dtype, UnknownShape(in.shape->rank() - int(*n)));
    } else {
      ctx.set_output(0, in.dtype, std::nullopt);
    }
    return Status::Ok();
  }
  if (!in.shape) {
    ctx.set_output(0, in.dtype, std::nullopt);
    return Status::Ok();
  }
  SymbolicShape out;
  if (!spec.axes) {
    for (const Dim& d : in.shape->dims) {
      if (!d.is_known()) {  // might be 1: the rank is unknown
        ctx.set_output(0, in.dtype, std::nullopt);
        return Status::Ok();
      }
      if (d.value != 1) out.dims.push_back(d);
    }
  } else {
    BRISK_ASSIGN_OR_RETURN(auto axes,
                           NormalizeAxes(*spec.axes, in.shape->rank(), AxesName(ctx.opset())));
    for (int i = 0; i < in.shape->rank(); ++i) {
      const Dim& d = in.shape->dims[size_t(i)];
      if (std::find(axes.begin(), axes.end(), i) == axes.end()) {
        out.dims.push_back(d);
      } else if (d.is_known() && d.value != 1) {
        return InvalidArgument(AxesName(ctx.opset()) + ": cannot squeeze axis " +
                               std::to_string(i) + " of size " + std::to_string(d.value) +
                               " (input shape " + in.shape->ToString() + ")");
      }
    }
  }
  ctx.set_output(0, in.dtype, std::move(out));
  return Status::Ok();
}

Status SqueezeCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, shape_ops::RequiredInput(ctx, 0, "data"));
  BRISK_ASSIGN_OR_RETURN(auto axes_in, GetAxesForRun(ctx));
  std::vector<int64_t> out;
  if (!axes_in) {
    for (int64_t d : x->shape().dims())
      if (d != 1) out.push_back(d);
  } else {
    BRISK_ASSIGN_OR_RETURN(auto axes, NormalizeAxes(*axes_in, x->rank(), AxesName(ctx.opset())));
    for (int i = 0; i < x->rank(); ++i) {
      if (std::find(axes.begin(), axes.end(), i) == axes.end()) {
        out.push_back(x->dim(i));
      } else if (x->dim(i) != 1) {
        return InvalidArgument(AxesName(ctx.opset()) + ": cannot squeeze axis " +
                               std::to_string(i) + " of size " + std::to_string(x->dim(i)) +
                               " (input shape " + x->shape().ToString() + ")");
      }
    }
  }
  BRISK_ASSIGN_OR_RETURN(Tensor y, x->Reshaped(Shape(std::move(out))));
  ctx.set_output(0, std::move(y));
  return Status::Ok();
}

// Output dims of Unsqueeze: input dims with 1s inserted at `axes` (of the output rank).
template <typename D>
StatusOr<std::vector<D>> UnsqueezeDims(const std::vector<D>& in, std::span<const int64_t> axes_in,
                                       const D& one, const std::string& what) {
  const int out_rank = int(in.size() + axes_in.size());
  BRISK_ASSIGN_OR_RETURN(auto axes, NormalizeAxes(axes_in, out_rank, what));
  std::vector<D> out;
  size_t next = 0;
  for (int i = 0; i < out_rank; ++i) {
    if (std::find(axes.begin(), axes.end(), i) != axes.end()) {
      out.push_back(one);
    } else {
      out.push_back(in[next++]);
    }
  }
  return out;
}

Status InferUnsqueeze(InferenceContext& ctx) {
  const auto& in = ctx.input_type(0);
  BRISK_ASSIGN_OR_RETURN(AxesSpec spec, GetAxesForInference(ctx));
  if (spec.known && !spec.axes) {
    return InvalidArgument(ctx.opset() < 13 ? "required attribute 'axes' is missing"
                                            : InputName(1, "axes") + " is required");
  }
  if (!in.shape || !spec.known) {
    auto n = KnownLength(ctx, 1);
    if (in.shape && n) {
      ctx.set_output(0, in.dtype, UnknownShape(in.shape->rank() + int(*n)));
    } else {
      ctx.set_output(0, in.dtype, std::nullopt);
    }
    return Status::Ok();
  }
  BRISK_ASSIGN_OR_RETURN(auto dims, UnsqueezeDims(in.shape->dims, *spec.axes, Dim::Known(1),
                                                  AxesName(ctx.opset())));
  ctx.set_output(0, in.dtype, SymbolicShape(std::move(dims)));
  return Status::Ok();
}

Status UnsqueezeCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, shape_ops::RequiredInput(ctx, 0, "data"));
  BRISK_ASSIGN_OR_RETURN(auto axes, GetAxesForRun(ctx));
  if (!axes) {
    return InvalidArgument(ctx.opset() < 13 ? "required attribute 'axes' is missing"
                                            : InputName(1, "axes") + " is required");
  }
  BRISK_ASSIGN_OR_RETURN(auto dims, UnsqueezeDims(std::vector<int64_t>(x->shape().dims()), *axes, int64_t(1),
                                                  AxesName(ctx.opset())));
  BRISK_ASSIGN_OR_RETURN(Tensor y, x->Reshaped(Shape(std::move(dims))));
  ctx.set_output(0, std::move(y));
  return Status::Ok();
}

// ---- Shape / Size --------------------------------------------------------------------------

StatusOr<std::pair<int, int>> ShapeRange(const ir::AttributeMap& attrs, int opset, int rank) {
  if (opset < 15) return std::pair<int, int>(0, rank);
  BRISK_ASSIGN_OR_RETURN(int64_t start, attrs.GetInt("start", 0));
  BRISK_ASSIGN_OR_RETURN(int64_t end, attrs.GetInt("end", int64_t(rank)));
  auto clamp = [rank](int64_t v) {
    if (v < 0) v += rank;
    return int(std::clamp<int64_t>(v, 0, rank));
  };
  const int s = clamp(start);
  const int e = clamp(end);
  return std::pair<int, int>(s, std::max(s, e));
}

Status InferShape(InferenceContext& ctx) {
  const auto& in = ctx.input_type(0);
  if (!in.shape) {
    ctx.set_output(0, DType::kInt64, UnknownShape(1));
    return Status::Ok();
  }
  BRISK_ASSIGN_OR_RETURN(auto range, ShapeRange(ctx.attrs(), ctx.opset(), in.shape->rank()));
  ctx.set_output(0, DType::kInt64, SymbolicShape({Dim::Known(range.second - range.first)}));
  return Status::Ok();
}

Status ShapeCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, shape_ops::RequiredInput(ctx, 0, "data"));
  BRISK_ASSIGN_OR_RETURN(auto range, ShapeRange(ctx.attrs(), ctx.opset(), x->rank()));
  BRISK_ASSIGN_OR_RETURN(Tensor* y, ctx.AllocateOutput(0, DType::kInt64,
                                                       Shape{range.second - range.first}));
  for (int i = range.first; i < range.second; ++i) y->data<int64_t>()[i - range.first] = x->dim(i);
  return Status::Ok();
}

Status InferSize(InferenceContext& ctx) {
  ctx.set_output(0, DType::kInt64, SymbolicShape());
  return Status::Ok();
}

Status SizeCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, shape_ops::RequiredInput(ctx, 0, "data"));
  ctx.set_output(0, Tensor::Scalar<int64_t>(x->num_elements()));
  return Status::Ok();
}

// ---- Expand --------------------------------------------------------------------------------

Status CheckExpandShape(std::span<const int64_t> shape) {
  for (int64_t d : shape) {
    if (d < 0) {
      return InvalidArgument(InputName(1, "shape") + ": dim " + std::to_string(d) +
                             " is negative");
    }
  }
  return Status::Ok();
}

Status InferExpand(InferenceContext& ctx) {
  const auto& in = ctx.input_type(0);
  if (auto shape = ConstantInts(ctx, 1)) {
    BRISK_RETURN_IF_ERROR(CheckExpandShape(*shape));
    const std::optional<SymbolicShape> both[] = {in.shape,
                                                 SymbolicShape::FromShape(Shape(*shape))};
    BRISK_ASSIGN_OR_RETURN(auto out, BroadcastSymbolic(both));
    ctx.set_output(0, in.dtype, std::move(out));
    return Status::Ok();
  }
  if (const SymbolicValue* sym = ctx.input_symbolic_value(1); sym != nullptr && in.shape) {
    std::optional<SymbolicShape> target(SymbolicShape{});
    for (const SymbolicInt& d : *sym) target->dims.push_back(d.ToDim());
    const std::optional<SymbolicShape> both[] = {in.shape, target};
    auto out = BroadcastSymbolic(both);
    if (out.ok()) {
      ctx.set_output(0, in.dtype, std::move(out).value());
      return Status::Ok();
    }
  }
  auto n = KnownLength(ctx, 1);
  if (!in.shape || !n) {
    ctx.set_output(0, in.dtype, std::nullopt);
    return Status::Ok();
  }
  const int rank = std::max(in.shape->rank(), int(*n));
  SymbolicShape out = UnknownShape(rank);
  for (int i = 0; i < in.shape->rank(); ++i) {
    const Dim& d = in.shape->dims[size_t(i)];
    if (d.is_known() && d.value != 1) out.dims[size_t(rank - in.shape->rank() + i)] = d;
  }
  ctx.set_output(0, in.dtype, std::move(out));
  return Status::Ok();
}

Status ExpandCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, shape_ops::RequiredInput(ctx, 0, "input"));
  BRISK_ASSIGN_OR_RETURN(const Tensor* s, shape_ops::RequiredInput(ctx, 1, "shape"));
  BRISK_ASSIGN_OR_RETURN(auto dims, ReadIntList(*s, 1, "shape"));
  BRISK_RETURN_IF_ERROR(CheckExpandShape(dims));
  auto out = BroadcastShapes(x->shape(), Shape(dims));
  if (!out.ok()) {
    return InvalidArgument("input 0 'input' of shape " + x->shape().ToString() +
                           " cannot be expanded to " + InputName(1, "shape") + " " +
                           Shape(dims).ToString());
  }
  const std::vector<int64_t> strides = BroadcastStrides(x->shape(), *out);
  return shape_ops::ViewToOutput(ctx, 0, *x, 0, strides, *out);
}

}  // namespace

BRISK_REGISTER_OPS(shape_ops_reshape) {
  Op("Reshape").Since(5).Infer(InferReshape).Kernel<ReshapeKernel>();
  Op("Flatten").Since(1).Infer(InferFlatten).Compute(FlattenCompute);
  Op("Squeeze").Since(1).Infer(InferSqueeze).Compute(SqueezeCompute);
  Op("Unsqueeze").Since(1).Infer(InferUnsqueeze).Compute(UnsqueezeCompute);
  Op("Shape").Since(1).Infer(InferShape).Compute(ShapeCompute);
  Op("Size").Since(1).Infer(InferSize).Compute(SizeCompute);
  Op("Expand").Since(8).Infer(InferExpand).Compute(ExpandCompute);
}

}  // namespace brisk
