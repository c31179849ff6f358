// Slice, Pad, CenterCropPad: taking and adding regions along axes.
#include <algorithm>
#include <cstring>
#include <limits>

#include "kernels/dispatch.h"
#include "kernels/reference/shape_ops_util.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

using shape_ops::InputName;
using shape_ops::ReadIntList;
using shape_ops::UnknownShape;

// ---- Slice ---------------------------------------------------------------------------------

// One axis of a slice, resolved against the dim: first index, step, output length.
struct SliceAxis {
  int64_t start = 0;
  int64_t step = 1;
  int64_t len = 0;
};

SliceAxis ResolveSlice(int64_t dim, int64_t start, int64_t end, int64_t step) {
  SliceAxis r;
  r.step = step;
  if (dim == 0) return r;
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    r.len = end > start ? (end - start + step - 1) / step : 0;
  } else {
    start = std::clamp<int64_t>(start, 0, dim - 1);
    end = std::clamp<int64_t>(end, -1, dim - 1);
    // -step cannot overflow: step == INT64_MIN gives at most one element either way.
    const int64_t neg = step == std::numeric_limits<int64_t>::min()
                            ? std::numeric_limits<int64_t>::max()
                            : -step;
    r.len = start > end ? (start - end + neg - 1) / neg : 0;
  }
  r.start = r.len > 0 ? start : 0;
  return r;
}

// Raw slice parameters as given (attributes or inputs), before normalisation.
struct SliceParams {
  std::vector<int64_t> starts, ends;
  std::optional<std::vector<int64_t>> axes, steps;
};

// Checks lengths and steps, and normalises axes (default 0..n-1) against `rank`.
StatusOr<std::vector<int>> CheckSliceParams(const SliceParams& p, int rank, bool from_inputs) {
  auto name = [from_inputs](int input, const char* n) {
    return from_inputs ? InputName(input, n) : "attribute '" + std::string(n) + "'";
  };
  const size_t n = p.starts.size();
  if (p.ends.size() != n) {
    return InvalidArgument(name(2, "ends") + " has " + std::to_string(p.ends.size()) +
                           " entries but " + name(1, "starts") + " has " + std::to_string(n));
  }
  if (p.axes && p.axes->size() != n) {
    return InvalidArgument(name(3, "axes") + " has " + std::to_string(p.axes->size()) +
                           " entries but " + name(1, "starts") + " has " + std::to_string(n));
  }
  if (p.steps) {
    if (p.steps->size() != n) {
      return InvalidArgument(name(4, "steps") + " has " + std::to_string(p.steps->size()) +
                             " entries but " + name(1, "starts") + " has " + std::to_string(n));
    }
    for (int64_t s : *p.steps) {
      if (s == 0) return InvalidArgument(name(4, "steps") + ": a step of 0 is invalid");
    }
  }
  std::vector<int> axes;
  for (size_t i = 0; i < n; ++i) {
    const int64_t a = p.axes ? (*p.axes)[i] : int64_t(i);
    BRISK_ASSIGN_OR_RETURN(const int axis, NormalizeAxis(a, rank, name(3, "axes") + ": axis"));
    axes.push_back(axis);
  }
  BRISK_RETURN_IF_ERROR(shape_ops::CheckUniqueAxes(axes, name(3, "axes")));
  return axes;
}

StatusOr<SliceParams> SliceAttrParams(const ir::AttributeMap& attrs) {
  SliceParams p;
  BRISK_ASSIGN_OR_RETURN(p.starts, attrs.GetInts("starts"));
  BRISK_ASSIGN_OR_RETURN(p.ends, attrs.GetInts("ends"));
  if (attrs.Has("axes")) {
    BRISK_ASSIGN_OR_RETURN(p.axes, attrs.GetInts("axes"));
  }
  return p;
}

Status InferSlice(InferenceContext& ctx) {
  const auto& in = ctx.input_type(0);
  if (!in.shape) {
    ctx.set_output(0, in.dtype, std::nullopt);
    return Status::Ok();
  }
  const int rank = in.shape->rank();
  SliceParams p;
  bool known = true;
  if (ctx.opset() < 10) {
    BRISK_ASSIGN_OR_RETURN(p, SliceAttrParams(ctx.attrs()));
  } else {
    auto starts = ConstantInts(ctx, 1);
    auto ends = ConstantInts(ctx, 2);
    if (ctx.has_input(3)) p.axes = ConstantInts(ctx, 3);
    if (ctx.has_input(4)) p.steps = ConstantInts(ctx, 4);
    known = starts && ends && (!ctx.has_input(3) || p.axes) && (!ctx.has_input(4) || p.steps);
    if (known) {
      p.starts = *starts;
      p.ends = *ends;
    } else if (ctx.has_input(3) && p.axes) {
      // Only the axes are known: the other dims are unchanged.
      SymbolicShape out = *in.shape;
      for (int64_t a : *p.axes) {
        BRISK_ASSIGN_OR_RETURN(const int axis, NormalizeAxis(a, rank, InputName(3, "axes")));
        out.dims[size_t(axis)] = Dim::Unknown();
      }
      ctx.set_output(0, in.dtype, std::move(out));
      return Status::Ok();
    }
  }
  if (!known) {
    ctx.set_output(0, in.dtype, UnknownShape(rank));
    return Status::Ok();
  }
  BRISK_ASSIGN_OR_RETURN(auto axes, CheckSliceParams(p, rank, ctx.opset() >= 10));
  SymbolicShape out = *in.shape;
  for (size_t i = 0; i < axes.size(); ++i) {
    Dim& d = out.dims[size_t(axes[i])];
    const int64_t step = p.steps ? (*p.steps)[i] : 1;
    if (d.is_known()) {
      d = Dim::Known(ResolveSlice(d.value, p.starts[i], p.ends[i], step).len);
    } else if (!(step == 1 && p.starts[i] == 0 &&
                 p.ends[i] >= std::numeric_limits<int32_t>::max())) {
      d = Dim::Unknown();  // a full slice keeps the symbol
    }
  }
  ctx.set_output(0, in.dtype, std::move(out));
  return Status::Ok();
}

Status SliceCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, shape_ops::RequiredInput(ctx, 0, "data"));
  SliceParams p;
  if (ctx.opset() < 10) {
    BRISK_ASSIGN_OR_RETURN(p, SliceAttrParams(ctx.attrs()));
  } else {
    BRISK_ASSIGN_OR_RETURN(const Tensor* starts, shape_ops::RequiredInput(ctx, 1, "starts"));
    BRISK_ASSIGN_OR_RETURN(const Tensor* ends, shape_ops::RequiredInput(ctx, 2, "ends"));
    BRISK_ASSIGN_OR_RETURN(p.starts, ReadIntList(*starts, 1, "starts"));
    BRISK_ASSIGN_OR_RETURN(p.ends, ReadIntList(*ends, 2, "ends"));
    if (ctx.has_input(3)) {
      BRISK_ASSIGN_OR_RETURN(p.axes, ReadIntList(*ctx.input(3), 3, "axes"));
    }
    if (ctx.has_input(4)) {
      BRISK_ASSIGN_OR_RETURN(p.steps, ReadIntList(*ctx.input(4), 4, "steps"));
    }
  }
  BRISK_ASSIGN_OR_RETURN(auto axes, CheckSliceParams(p, x->rank(), ctx.opset() >= 10));
  const std::vector<int64_t> in_strides = ContiguousStrides(x->shape());
  std::vector<int64_t> strides = in_strides;
  std::vector<int64_t> dims = x->shape().dims();
  int64_t offset = 0;
  for (size_t i = 0; i < axes.size(); ++i) {
    const size_t a = size_t(axes[i]);
    const SliceAxis s =
        ResolveSlice(dims[a], p.starts[i], p.ends[i], p.steps ? (*p.steps)[i] : 1);
    dims[a] = s.len;
    strides[a] = in_strides[a] * (s.len > 1 ? s.step : 1);
    offset += s.start * in_strides[a];
  }
  return shape_ops::ViewToOutput(ctx, 0, *x, offset, strides, Shape(std::move(dims)));
}

// ---- Pad -----------------------------------------------------------------------------------

enum class PadMode { kConstant, kReflect, kEdge, kWrap };

StatusOr<PadMode> GetPadMode(const ir::AttributeMap& attrs, int opset) {
  BRISK_ASSIGN_OR_RETURN(std::string mode, attrs.GetString("mode", "constant"));
  if (mode == "constant") return PadMode::kConstant;
  if (mode == "reflect") return PadMode::kReflect;
  if (mode == "edge") return PadMode::kEdge;
  if (mode == "wrap" && opset >= 19) return PadMode::kWrap;
  return InvalidArgument("attribute 'mode' \"" + mode + "\" is not supported (expected " +
                         (opset >= 19 ? "constant, reflect, edge or wrap)"
                                      : "constant, reflect or edge)"));
}

// Expands pads given for `axes` (or all axes) to [begin..., end...] over every axis.
StatusOr<std::vector<int64_t>> FullPads(std::span<const int64_t> pads,
                                        const std::optional<std::vector<int64_t>>& axes_in,
                                        int rank, const std::string& what) {
  std::vector<int> axes;
  if (axes_in) {
    for (int64_t a : *axes_in) {
      BRISK_ASSIGN_OR_RETURN(const int axis, NormalizeAxis(a, rank, InputName(3, "axes")));
      axes.push_back(axis);
    }
    BRISK_RETURN_IF_ERROR(shape_ops::CheckUniqueAxes(axes, InputName(3, "axes")));
  } else {
    for (int i = 0; i < rank; ++i) axes.push_back(i);
  }
  const size_t n = axes.size();
  if (pads.size() != 2 * n) {
    return InvalidArgument(what + " has " + std::to_string(pads.size()) +
                           " entries; expected " + std::to_string(2 * n) + " (2 per axis)");
  }
  std::vector<int64_t> full(size_t(2 * rank), 0);
  for (size_t i = 0; i < n; ++i) {
    const int64_t b = pads[i], e = pads[n + i];
    if (std::abs(b) > kMaxElements || std::abs(e) > kMaxElements) {
      return InvalidArgument(what + ": pad " + std::to_string(std::max(std::abs(b), std::abs(e))) +
                             " is too large");
    }
    full[size_t(axes[i])] = b;
    full[size_t(rank + axes[i])] = e;
  }
  return full;
}

std::string PadsName(int opset) {
  return opset < 11 ? std::string("attribute 'pads'") : InputName(1, "pads");
}

Status InferPad(InferenceContext& ctx) {
  const auto& in = ctx.input_type(0);
  BRISK_RETURN_IF_ERROR(GetPadMode(ctx.attrs(), ctx.opset()).status());
  if (!in.shape) {
    ctx.set_output(0, in.dtype, std::nullopt);
    return Status::Ok();
  }
  const int rank = in.shape->rank();
  std::optional<std::vector<int64_t>> pads, axes;
  bool axes_known = true;
  if (ctx.opset() < 11) {
    BRISK_ASSIGN_OR_RETURN(pads, ctx.attrs().GetInts("pads"));
  } else {
    pads = ConstantInts(ctx, 1);
    if (ctx.opset() >= 18 && ctx.has_input(3)) {
      axes = ConstantInts(ctx, 3);
      axes_known = axes.has_value();
    }
  }
  if (!pads || !axes_known) {
    SymbolicShape out = UnknownShape(rank);
    if (axes) {
      out = *in.shape;
      for (int64_t a : *axes) {
        BRISK_ASSIGN_OR_RETURN(const int axis, NormalizeAxis(a, rank, InputName(3, "axes")));
        out.dims[size_t(axis)] = Dim::Unknown();
      }
    }
    ctx.set_output(0, in.dtype, std::move(out));
    return Status::Ok();
  }
  BRISK_ASSIGN_OR_RETURN(auto full, FullPads(*pads, axes, rank, PadsName(ctx.opset())));
  SymbolicShape out = *in.shape;
  for (int i = 0; i < rank; ++i) {
    Dim& d = out.dims[size_t(i)];
    const int64_t add = full[size_t(i)] + full[size_t(rank + i)];
    if (d.is_known()) {
      if (d.value + add < 0) {
        return InvalidArgument(PadsName(ctx.opset()) + ": axis " + std::to_string(i) +
                               " of size " + std::to_string(d.value) + " would become " +
                               std::to_string(d.value + add));
      }
      d = Dim::Known(d.value + add);
    } else if (full[size_t(i)] != 0 || full[size_t(rank + i)] != 0) {
      d = Dim::Unknown();
    }
  }
  ctx.set_output(0, in.dtype, std::move(out));
  return Status::Ok();
}

// Source index along an axis of size n for output coordinate o (-1: constant fill).
int64_t PadSource(int64_t i, int64_t n, PadMode mode) {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case PadMode::kConstant: return -1;
    case PadMode::kEdge: return i < 0 ? 0 : n - 1;
    case PadMode::kWrap: return ((i % n) + n) % n;
    case PadMode::kReflect: {
      if (n == 1) return 0;
      const int64_t period = 2 * (n - 1);
      int64_t m = ((i % period) + period) % period;
      return m >= n ? period - m : m;
    }
  }
  return -1;
}

// `last_begin`/`last_size`: the begin pad and input size of the innermost axis, whose in-range
// run [lo, hi) of output positions is copied as a block.
template <typename T>
void PadLoop(const T* src, T* dst, const std::vector<std::vector<int64_t>>& maps,
             const std::vector<int64_t>& in_strides, const std::vector<int64_t>& out_dims,
             int64_t last_begin, int64_t last_size, const T& value) {
  const int rank = int(out_dims.size());
  const int64_t inner = rank == 0 ? 1 : out_dims.back();
  std::vector<int64_t> idx(size_t(std::max(rank - 1, 0)), 0);
  const std::vector<int64_t> scalar_map = {0};
  const std::vector<int64_t>& last = rank == 0 ? scalar_map : maps.back();
  const int64_t last_stride = rank == 0 ? 1 : in_strides.back();  // 1: inputs are dense
  const int64_t lo = std::clamp<int64_t>(last_begin, 0, inner);
  const int64_t hi = std::clamp<int64_t>(last_begin + last_size, lo, inner);
  while (true) {
    int64_t base = 0;
    bool fill = false;
    for (int k = 0; k + 1 < rank; ++k) {
      const int64_t s = maps[size_t(k)][size_t(idx[size_t(k)])];
      if (s < 0) {
        fill = true;
        break;
      }
      base += s * in_strides[size_t(k)];
    }
    if (fill) {
      std::fill(dst, dst + inner, value);
    } else {
      for (int64_t o = 0; o < lo; ++o) {
        const int64_t s = last[size_t(o)];
        dst[o] = s < 0 ? value : src[base + s * last_stride];
      }
      std::copy(src + base + (lo - last_begin), src + base + (hi - last_begin), dst + lo);
      for (int64_t o = hi; o < inner; ++o) {
        const int64_t s = last[size_t(o)];
        dst[o] = s < 0 ? value : src[base + s * last_stride];
      }
    }
    dst += inner;
    int k = rank - 2;
    for (; k >= 0; --k) {
      if (++idx[size_t(k)] < out_dims[size_t(k)]) break;
      idx[size_t(k)] = 0;
    }
    if (k < 0) return;
  }
}

// The fill value of constant Pad as raw element bytes (or a string) of `dtype`.
struct PadValue {
  std::string str;
  alignas(8) unsigned char bytes[16] = {};
};

StatusOr<PadValue> GetPadValue(const KernelContext& ctx, DType dtype) {
  PadValue v;
  if (ctx.opset() < 11) {
    BRISK_ASSIGN_OR_RETURN(const float f, ctx.attrs().GetFloat("value", 0.f));
    if (dtype == DType::kString) return v;
    BRISK_RETURN_IF_ERROR(DispatchNumericOrBool(dtype, "input 0 'data'", [&]<typename T>() {
      T t;
      if constexpr (std::is_same_v<T, bool>) t = f != 0;
      else t = FromDouble<T>(double(f));
      std::memcpy(v.bytes, &t, sizeof(T));
      return Status::Ok();
    }));
    return v;
  }
  const Tensor* c = ctx.input(2);
  if (c == nullptr || c->num_elements() == 0) return v;
  if (c->dtype() != dtype) {
    return InvalidArgument(InputName(2, "constant_value") + " has dtype " +
                           std::string(DTypeName(c->dtype())) + " but input 0 'data' has " +
                           std::string(DTypeName(dtype)));
  }
  if (c->num_elements() != 1) {
    return InvalidArgument(InputName(2, "constant_value") + " must be a scalar, got " +
                           c->TypeString());
  }
  if (dtype == DType::kString) v.str = *c->data<std::string>();
  else std::memcpy(v.bytes, c->raw_data(), DTypeSize(dtype));
  return v;
}

Status PadCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, shape_ops::RequiredInput(ctx, 0, "data"));
  BRISK_ASSIGN_OR_RETURN(const PadMode mode, GetPadMode(ctx.attrs(), ctx.opset()));
  const int rank = x->rank();
  std::vector<int64_t> pads;
  std::optional<std::vector<int64_t>> axes;
  if (ctx.opset() < 11) {
    BRISK_ASSIGN_OR_RETURN(pads, ctx.attrs().GetInts("pads"));
  } else {
    BRISK_ASSIGN_OR_RETURN(const Tensor* p, shape_ops::RequiredInput(ctx, 1, "pads"));
    BRISK_ASSIGN_OR_RETURN(pads, ReadIntList(*p, 1, "pads"));
    if (ctx.opset() >= 18 && ctx.has_input(3)) {
      BRISK_ASSIGN_OR_RETURN(axes, ReadIntList(*ctx.input(3), 3, "axes"));
    }
  }
  BRISK_ASSIGN_OR_RETURN(auto full, FullPads(pads, axes, rank, PadsName(ctx.opset())));
  std::vector<int64_t> out_dims(static_cast<size_t>(rank));
  std::vector<std::vector<int64_t>> maps(static_cast<size_t>(rank));
  for (int i = 0; i < rank; ++i) {
    const int64_t n = x->dim(i);
    const int64_t begin = full[size_t(i)];
    const int64_t out = n + begin + full[size_t(rank + i)];
    if (out < 0) {
      return InvalidArgument(PadsName(ctx.opset()) + ": axis " + std::to_string(i) + " of size " +
                             std::to_string(n) + " would become " + std::to_string(out));
    }
    if (n == 0 && out > 0 && mode != PadMode::kConstant) {
      return InvalidArgument("attribute 'mode': cannot pad the empty axis " + std::to_string(i) +
                             " in a non-constant mode");
    }
    out_dims[size_t(i)] = out;
  }
  BRISK_ASSIGN_OR_RETURN(const int64_t total, CheckedNumElements(out_dims));
  for (int i = 0; i < rank; ++i) {
    auto& m = maps[size_t(i)];
    m.resize(size_t(total == 0 ? 0 : out_dims[size_t(i)]));
    for (int64_t o = 0; o < int64_t(m.size()); ++o) {
      m[size_t(o)] = PadSource(o - full[size_t(i)], x->dim(i), mode);
    }
  }
  BRISK_ASSIGN_OR_RETURN(PadValue value, GetPadValue(ctx, x->dtype()));
  BRISK_ASSIGN_OR_RETURN(Tensor* y, ctx.AllocateOutput(0, x->dtype(), Shape(out_dims)));
  if (total == 0) return Status::Ok();
  const std::vector<int64_t> in_strides = ContiguousStrides(x->shape());
  auto run = [&]<typename T>() {
    T v;
    if constexpr (std::is_same_v<T, std::string>) v = value.str;
    else std::memcpy(&v, value.bytes, sizeof(T));
    const int64_t last_begin = rank == 0 ? 0 : full[size_t(rank - 1)];
    const int64_t last_size = rank == 0 ? 1 : x->dim(rank - 1);
    PadLoop<T>(x->data<T>(), y->data<T>(), maps, in_strides, out_dims, last_begin, last_size, v);
    return Status::Ok();
  };
  if (x->dtype() == DType::kString) return run.template operator()<std::string>();
  switch (DTypeSize(x->dtype())) {
    case 1: return run.template operator()<uint8_t>();
    case 2: return run.template operator()<uint16_t>();
    case 4: return run.template operator()<uint32_t>();
    case 8: return run.template operator()<uint64_t>();
    default: return Unimplemented("Pad: dtype " + std::string(DTypeName(x->dtype())));
  }
}

// ---- CenterCropPad -------------------------------------------------------------------------

StatusOr<std::vector<int>> CropAxes(const ir::AttributeMap& attrs, int rank, size_t n) {
  std::vector<int> axes;
  if (attrs.Has("axes")) {
    BRISK_ASSIGN_OR_RETURN(auto a, attrs.GetInts("axes"));
    for (int64_t v : a) {
      BRISK_ASSIGN_OR_RETURN(const int axis, NormalizeAxis(v, rank, "attribute 'axes': axis"));
      axes.push_back(axis);
    }
    BRISK_RETURN_IF_ERROR(shape_ops::CheckUniqueAxes(axes, "attribute 'axes'"));
  } else {
    for (int i = 0; i < rank; ++i) axes.push_back(i);
  }
  if (axes.size() != n) {
    return InvalidArgument(InputName(1, "shape") + " has " + std::to_string(n) +
                           " entries but there are " + std::to_string(axes.size()) + " axes");
  }
  return axes;
}

Status CheckCropShape(std::span<const int64_t> shape) {
  for (int64_t d : shape) {
    if (d < 0) {
      return InvalidArgument(InputName(1, "shape") + ": dim " + std::to_string(d) +
                             " is negative");
    }
  }
  return Status::Ok();
}

Status InferCenterCropPad(InferenceContext& ctx) {
  const auto& in = ctx.input_type(0);
  if (!in.shape) {
    ctx.set_output(0, in.dtype, std::nullopt);
    return Status::Ok();
  }
  const int rank = in.shape->rank();
  SymbolicShape out = *in.shape;
  if (auto shape = ConstantInts(ctx, 1)) {
    BRISK_RETURN_IF_ERROR(CheckCropShape(*shape));
    BRISK_ASSIGN_OR_RETURN(auto axes, CropAxes(ctx.attrs(), rank, shape->size()));
    for (size_t i = 0; i < axes.size(); ++i) out.dims[size_t(axes[i])] = Dim::Known((*shape)[i]);
  } else if (ctx.attrs().Has("axes")) {
    BRISK_ASSIGN_OR_RETURN(auto a, ctx.attrs().GetInts("axes"));
    for (int64_t v : a) {
      BRISK_ASSIGN_OR_RETURN(const int axis, NormalizeAxis(v, rank, "attribute 'axes': axis"));
      out.dims[size_t(axis)] = Dim::Unknown();
    }
  } else {
    out = UnknownShape(rank);
  }
  ctx.set_output(0, in.dtype, std::move(out));
  return Status::Ok();
}

Status CenterCropPadCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, shape_ops::RequiredInput(ctx, 0, "input_data"));
  BRISK_ASSIGN_OR_RETURN(const Tensor* s, shape_ops::RequiredInput(ctx, 1, "shape"));
  BRISK_ASSIGN_OR_RETURN(auto shape, ReadIntList(*s, 1, "shape"));
  BRISK_RETURN_IF_ERROR(CheckCropShape(shape));
  BRISK_ASSIGN_OR_RETURN(auto axes, CropAxes(ctx.attrs(), x->rank(), shape.size()));
  std::vector<int64_t> out_dims = x->shape().dims();
  for (size_t i = 0; i < axes.size(); ++i) out_dims[size_t(axes[i])] = shape[i];
  BRISK_ASSIGN_OR_RETURN(Tensor y, Tensor::Zeros(x->dtype(), Shape(out_dims)));
  const std::vector<int64_t> src_strides = ContiguousStrides(x->shape());
  const std::vector<int64_t> dst_strides = ContiguousStrides(y.shape());
  std::vector<int64_t> extent(static_cast<size_t>(x->rank()));
  int64_t src_off = 0, dst_off = 0;
  for (int i = 0; i < x->rank(); ++i) {
    const int64_t n = x->dim(i), t = out_dims[size_t(i)];
    extent[size_t(i)] = std::min(n, t);
    if (n > t) src_off += (n - t) / 2 * src_strides[size_t(i)];
    if (t > n) dst_off += (t - n) / 2 * dst_strides[size_t(i)];
  }
  if (x->num_elements() > 0 && y.num_elements() > 0) {
    shape_ops::CopyStrided(x->dtype(), shape_ops::ElementPtr(*x, src_off), src_strides,
                           shape_ops::ElementPtr(y, dst_off), dst_strides, extent);
  }
  ctx.set_output(0, std::move(y));
  return Status::Ok();
}

}  // namespace

BRISK_REGISTER_OPS(shape_ops_slice_pad) {
  Op("Slice").Since(1).Until(9).Infer(InferSlice).Compute(SliceCompute);
  Op("Slice").Since(10).Infer(InferSlice).Compute(SliceCompute);
  Op("Pad").Since(2).Infer(InferPad).Compute(PadCompute);
  Op("CenterCropPad").Since(18).Infer(InferCenterCropPad).Compute(CenterCropPadCompute);
}

}  // namespace brisk
