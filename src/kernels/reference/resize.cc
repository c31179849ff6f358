// Resize (opsets 10, 11, 13, 18, 19) and Upsample (7, 9).
//
// Every axis is resized independently: for each output coordinate x along an axis, the coordinate
// transformation gives x_original in the input, and the mode gives the input indices and weights
// that contribute (one index for nearest; 2 for linear and 4 for cubic, or more when antialias
// stretches the filter on downscaling). Nearest is a gather (any dtype); linear and cubic are
// separable passes, one axis at a time, in double. Matches onnx.reference (which generated the
// ONNX node tests): align_corners and tf_crop_and_resize use the fractional output width
// in * scale when scales are given; the output size is floor(in * scale), roi not included.
// Resize-10 and Upsample use asymmetric coordinates, and for nearest floor when upscaling and
// ceil when downscaling (as onnxruntime does).
#include <algorithm>
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

enum class ResizeMode { kNearest, kLinear, kCubic };
enum class CoordMode {
  kHalfPixel,
  kHalfPixelSymmetric,
  kPytorchHalfPixel,
  kAlignCorners,
  kAsymmetric,
  kTfHalfPixelForNn,
  kTfCropAndResize,
};
enum class NearestMode { kRoundPreferFloor, kRoundPreferCeil, kFloor, kCeil, kSimple };
enum class AspectPolicy { kStretch, kNotLarger, kNotSmaller };

// Attributes and input layout of one Resize/Upsample node.
struct ResizeAttrs {
  ResizeMode mode = ResizeMode::kNearest;
  CoordMode coord = CoordMode::kHalfPixel;
  NearestMode nearest = NearestMode::kRoundPreferFloor;
  double cubic_a = -0.75;
  bool exclude_outside = false;
  double extrapolation_value = 0;
  bool antialias = false;
  std::optional<std::vector<int64_t>> axes;
  AspectPolicy policy = AspectPolicy::kStretch;
  int roi_input = -1;
  int scales_input = -1;
  int sizes_input = -1;
  std::optional<std::vector<double>> scales_attr;  // Upsample-7
  bool upsample = false;
};

StatusOr<int64_t> GetBoolAttr(const ir::AttributeMap& attrs, const std::string& name) {
  BRISK_ASSIGN_OR_RETURN(int64_t v, attrs.GetInt(name, 0));
  if (v != 0 && v != 1) {
    return InvalidArgument("attribute '" + name + "' must be 0 or 1, got " + std::to_string(v));
  }
  return v;
}

StatusOr<ResizeAttrs> ParseResizeAttrs(const ir::AttributeMap& attrs, int opset, bool upsample) {
  ResizeAttrs a;
  a.upsample = upsample;
  BRISK_ASSIGN_OR_RETURN(std::string mode, attrs.GetString("mode", "nearest"));
  const bool old_style = upsample || opset < 11;
  if (mode == "nearest") {
    a.mode = ResizeMode::kNearest;
  } else if (mode == "linear" || (upsample && mode == "bilinear")) {
    a.mode = ResizeMode::kLinear;
  } else if (mode == "cubic" && !old_style) {
    a.mode = ResizeMode::kCubic;
  } else {
    return InvalidArgument("attribute 'mode': unsupported value '" + mode + "'");
  }
  if (old_style) {
    a.coord = CoordMode::kAsymmetric;
    a.nearest = NearestMode::kSimple;
    if (upsample && opset < 9) {
      BRISK_ASSIGN_OR_RETURN(std::vector<float> scales, attrs.GetFloats("scales"));
      a.scales_attr = std::vector<double>(scales.begin(), scales.end());
    } else {
      a.scales_input = 1;
    }
    return a;
  }
  a.roi_input = 1;
  a.scales_input = 2;
  a.sizes_input = 3;
  BRISK_ASSIGN_OR_RETURN(std::string coord,
                         attrs.GetString("coordinate_transformation_mode", "half_pixel"));
  if (coord == "half_pixel") {
    a.coord = CoordMode::kHalfPixel;
  } else if (coord == "half_pixel_symmetric" && opset >= 19) {
    a.coord = CoordMode::kHalfPixelSymmetric;
  } else if (coord == "pytorch_half_pixel") {
    a.coord = CoordMode::kPytorchHalfPixel;
  } else if (coord == "align_corners") {
    a.coord = CoordMode::kAlignCorners;
  } else if (coord == "asymmetric") {
    a.coord = CoordMode::kAsymmetric;
  } else if (coord == "tf_half_pixel_for_nn" && opset < 13) {
    a.coord = CoordMode::kTfHalfPixelForNn;
  } else if (coord == "tf_crop_and_resize") {
    a.coord = CoordMode::kTfCropAndResize;
  } else {
    return InvalidArgument("attribute 'coordinate_transformation_mode': unsupported value '" +
                           coord + "' at opset " + std::to_string(opset));
  }
  BRISK_ASSIGN_OR_RETURN(std::string nearest,
                         attrs.GetString("nearest_mode", "round_prefer_floor"));
  if (nearest == "round_prefer_floor") {
    a.nearest = NearestMode::kRoundPreferFloor;
  } else if (nearest == "round_prefer_ceil") {
    a.nearest = NearestMode::kRoundPreferCeil;
  } else if (nearest == "floor") {
    a.nearest = NearestMode::kFloor;
  } else if (nearest == "ceil") {
    a.nearest = NearestMode::kCeil;
  } else {
    return InvalidArgument("attribute 'nearest_mode': unsupported value '" + nearest + "'");
  }
  BRISK_ASSIGN_OR_RETURN(float cubic_a, attrs.GetFloat("cubic_coeff_a", -0.75f));
  a.cubic_a = cubic_a;
  BRISK_ASSIGN_OR_RETURN(int64_t exclude, GetBoolAttr(attrs, "exclude_outside"));
  a.exclude_outside = exclude == 1;
  BRISK_ASSIGN_OR_RETURN(float extrapolation, attrs.GetFloat("extrapolation_value", 0.f));
  a.extrapolation_value = extrapolation;
  if (opset >= 18) {
    BRISK_ASSIGN_OR_RETURN(int64_t antialias, GetBoolAttr(attrs, "antialias"));
    a.antialias = antialias == 1;
    if (attrs.Has("axes")) {
      BRISK_ASSIGN_OR_RETURN(a.axes, attrs.GetInts("axes"));
    }
    BRISK_ASSIGN_OR_RETURN(std::string policy,
                           attrs.GetString("keep_aspect_ratio_policy", "stretch"));
    if (policy == "stretch") {
      a.policy = AspectPolicy::kStretch;
    } else if (policy == "not_larger") {
      a.policy = AspectPolicy::kNotLarger;
    } else if (policy == "not_smaller") {
      a.policy = AspectPolicy::kNotSmaller;
    } else {
      return InvalidArgument("attribute 'keep_aspect_ratio_policy': unsupported value '" +
                             policy + "'");
    }
  }
  return a;
}

// The resized axes: `axes` normalised (all axes when absent).
StatusOr<std::vector<int>> ResizedAxes(const ResizeAttrs& a, int rank) {
  std::vector<int> out;
  if (!a.axes) {
    for (int i = 0; i < rank; ++i) out.push_back(i);
    return out;
  }
  std::vector<bool> seen(size_t(rank), false);
  for (int64_t v : *a.axes) {
    BRISK_ASSIGN_OR_RETURN(int axis, NormalizeAxis(v, rank, "attribute 'axes': axis"));
    if (rank == 0 || seen[size_t(axis)]) {
      return InvalidArgument("attribute 'axes': axis " + std::to_string(v) +
                             (rank == 0 ? " is out of range for rank 0"
                                        : " appears more than once"));
    }
    seen[size_t(axis)] = true;
    out.push_back(axis);
  }
  return out;
}

StatusOr<std::vector<double>> ReadReals(const Tensor& t, std::string_view what) {
  std::vector<double> out;
  BRISK_RETURN_IF_ERROR(DispatchFloat(t.dtype(), what, [&]<typename T>() -> Status {
    for (const T& v : t.span<T>()) out.push_back(ToDouble(v));
    return Status::Ok();
  }));
  return out;
}

// ---- Output size ----------------------------------------------------------------------------

// Per-axis geometry of a resize on a concrete shape.
struct ResizePlan {
  std::vector<int64_t> out_dims;
  std::vector<double> scales;     // per axis of X
  std::vector<double> out_width;  // fractional output length (scale * in) per axis
  std::vector<double> roi_start, roi_end;
};

StatusOr<ResizePlan> MakePlan(const ResizeAttrs& a, const Shape& in,
                              const std::optional<std::vector<double>>& scales,
                              const std::optional<std::vector<int64_t>>& sizes,
                              const std::vector<double>& roi) {
  const int rank = in.rank();
  BRISK_ASSIGN_OR_RETURN(std::vector<int> axes, ResizedAxes(a, rank));
  const size_t n = axes.size();
  ResizePlan p;
  p.out_dims = in.dims();
  p.scales.assign(size_t(rank), 1.0);
  p.roi_start.assign(size_t(rank), 0.0);
  p.roi_end.assign(size_t(rank), 1.0);
  if (a.coord == CoordMode::kTfCropAndResize && !roi.empty()) {
    if (roi.size() != 2 * n) {
      return InvalidArgument("input 1 'roi' must have " + std::to_string(2 * n) +
                             " values (2 per resized axis), got " + std::to_string(roi.size()));
    }
    for (size_t i = 0; i < n; ++i) {
      p.roi_start[size_t(axes[i])] = roi[i];
      p.roi_end[size_t(axes[i])] = roi[n + i];
    }
  }
  const std::string scales_what =
      a.scales_attr ? std::string("attribute 'scales'")
                    : "input " + std::to_string(a.scales_input) + " 'scales'";
  if (sizes && scales) {
    return InvalidArgument("only one of input 2 'scales' and input 3 'sizes' may be given");
  }
  if (sizes) {
    if (sizes->size() != n) {
      return InvalidArgument("input 3 'sizes' must have " + std::to_string(n) +
                             " values, got " + std::to_string(sizes->size()));
    }
    for (size_t i = 0; i < n; ++i) {
      if ((*sizes)[i] < 0 || (*sizes)[i] > kMaxElements) {
        return InvalidArgument("input 3 'sizes': invalid size " + std::to_string((*sizes)[i]));
      }
    }
    if (a.policy == AspectPolicy::kStretch) {
      for (size_t i = 0; i < n; ++i) {
        const int d = axes[i];
        p.out_dims[size_t(d)] = (*sizes)[i];
        p.scales[size_t(d)] = in[d] == 0 ? 1.0 : double((*sizes)[i]) / double(in[d]);
      }
    } else {
      double scale = a.policy == AspectPolicy::kNotLarger ? std::numeric_limits<double>::infinity()
                                                          : 0.0;
      for (size_t i = 0; i < n; ++i) {
        const int d = axes[i];
        if (in[d] == 0) continue;
        const double s = double((*sizes)[i]) / double(in[d]);
        scale = a.policy == AspectPolicy::kNotLarger ? std::min(scale, s) : std::max(scale, s);
      }
      if (!std::isfinite(scale)) scale = 1.0;
      for (int d : axes) {
        p.out_dims[size_t(d)] = int64_t(std::floor(scale * double(in[d]) + 0.5));
        p.scales[size_t(d)] = scale;
      }
    }
    p.out_width.resize(size_t(rank));
    for (int d = 0; d < rank; ++d) p.out_width[size_t(d)] = double(p.out_dims[size_t(d)]);
    // With keep_aspect_ratio the scale is the common one, as in the reference.
    if (a.policy != AspectPolicy::kStretch) {
      for (int d : axes) p.out_width[size_t(d)] = p.scales[size_t(d)] * double(in[d]);
    }
    return p;
  }
  if (!scales) {
    return InvalidArgument("one of input 2 'scales' and input 3 'sizes' must be given");
  }
  if (scales->size() != n) {
    return InvalidArgument(scales_what + " must have " + std::to_string(n) + " values, got " +
                           std::to_string(scales->size()));
  }
  for (size_t i = 0; i < n; ++i) {
    const double s = (*scales)[i];
    if (!(s > 0) || !std::isfinite(s)) {
      return InvalidArgument(scales_what + ": scale " + std::to_string(s) + " for axis " +
                             std::to_string(axes[i]) + " must be positive and finite");
    }
    if (a.upsample && s < 1) {
      return InvalidArgument(scales_what + ": Upsample scale " + std::to_string(s) +
                             " must be >= 1");
    }
    const int d = axes[i];
    const double out = std::floor(s * double(in[d]));
    if (out > double(kMaxElements)) {
      return InvalidArgument(scales_what + ": scale " + std::to_string(s) + " makes axis " +
                             std::to_string(d) + " too large");
    }
    p.out_dims[size_t(d)] = int64_t(out);
    p.scales[size_t(d)] = s;
  }
  p.out_width.resize(size_t(rank));
  for (int d = 0; d < rank; ++d) p.out_width[size_t(d)] = p.scales[size_t(d)] * double(in[d]);
  return p;
}

// ---- Coordinates and weights ----------------------------------------------------------------

double OriginalCoord(const ResizeAttrs& a, double x, int64_t in, int64_t out, double scale,
                     double out_width, double roi_start, double roi_end) {
  switch (a.coord) {
    case CoordMode::kHalfPixel: return (x + 0.5) / scale - 0.5;
    case CoordMode::kHalfPixelSymmetric: {
      const double adjustment = double(out) / out_width;
      const double center = double(in) / 2;
      return center * (1 - adjustment) + (x + 0.5) / scale - 0.5;
    }
    case CoordMode::kPytorchHalfPixel: return out > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
    case CoordMode::kAlignCorners:
      return out_width == 1 ? 0.0 : x * double(in - 1) / (out_width - 1);
    case CoordMode::kAsymmetric: return x / scale;
    case CoordMode::kTfHalfPixelForNn: return (x + 0.5) / scale;
    case CoordMode::kTfCropAndResize: {
      const double span = (roi_end - roi_start) * double(in - 1);
      const double base = roi_start * double(in - 1);
      return out_width == 1 ? base + span / 2 : base + x * span / (out_width - 1);
    }
  }
  return x;
}

int64_t NearestIndex(NearestMode m, double x, double scale) {
  switch (m) {
    case NearestMode::kRoundPreferFloor: return int64_t(std::ceil(x - 0.5));
    case NearestMode::kRoundPreferCeil: return int64_t(std::floor(x + 0.5));
    case NearestMode::kFloor: return int64_t(std::floor(x));
    case NearestMode::kCeil: return int64_t(std::ceil(x));
    case NearestMode::kSimple: return int64_t(scale < 1 ? std::ceil(x) : std::floor(x));
  }
  return int64_t(std::floor(x));
}

double CubicKernel(double t, double a) {
  t = std::fabs(t);
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  return 0;
}

// How one axis maps output coordinates to input elements. Output j reads
// idx[begin[j] .. begin[j+1]) with the matching weights; extrapolate[j] means it takes
// extrapolation_value instead.
struct AxisMap {
  std::vector<int64_t> begin;
  std::vector<int64_t> idx;
  std::vector<double> weight;
  std::vector<uint8_t> extrapolate;
  bool identity = true;
};

AxisMap BuildAxisMap(const ResizeAttrs& a, int64_t in, int64_t out, double scale,
                     double out_width, double roi_start, double roi_end) {
  AxisMap m;
  m.begin.reserve(size_t(out) + 1);
  m.extrapolate.assign(size_t(out), 0);
  m.identity = in == out;
  const double radius = a.mode == ResizeMode::kCubic ? 2.0 : 1.0;
  const double filter_scale = a.antialias ? std::min(scale, 1.0) : 1.0;
  const int64_t half = int64_t(std::ceil(radius / filter_scale - 1e-9));
  for (int64_t j = 0; j < out; ++j) {
    m.begin.push_back(int64_t(m.idx.size()));
    const double x =
        OriginalCoord(a, double(j), in, out, scale, out_width, roi_start, roi_end);
    if (a.coord == CoordMode::kTfCropAndResize && (x < 0 || x > double(in - 1))) {
      m.extrapolate[size_t(j)] = 1;
      m.identity = false;
      continue;
    }
    if (a.mode == ResizeMode::kNearest) {
      const int64_t i = std::clamp<int64_t>(NearestIndex(a.nearest, x, scale), 0, in - 1);
      m.idx.push_back(i);
      m.weight.push_back(1.0);
      if (i != j) m.identity = false;
      continue;
    }
    // Indices base-half+1 .. base+half around x, where base = ceil(x) - 1 (so x - base is in
    // (0, 1]), weighted by the (stretched) filter; edge indices are clamped.
    const int64_t base = int64_t(std::ceil(x)) - 1;
    const size_t first = m.idx.size();
    double sum = 0;
    for (int64_t i = base - half + 1; i <= base + half; ++i) {
      const double t = (double(i) - x) * filter_scale;
      double w = a.mode == ResizeMode::kCubic ? CubicKernel(t, a.cubic_a)
                                              : std::clamp(1 - std::fabs(t), 0.0, 1.0);
      if (a.exclude_outside && (i < 0 || i >= in)) w = 0;
      sum += w;
      m.idx.push_back(std::clamp<int64_t>(i, 0, in - 1));
      m.weight.push_back(w);
    }
    if ((a.antialias || a.exclude_outside) && sum != 0) {
      for (size_t k = first; k < m.idx.size(); ++k) m.weight[k] /= sum;
    }
    if (m.identity) {
      // Identity here: all weight on index j, and it adds up to exactly 1.
      double on_j = 0;
      for (size_t k = first; k < m.idx.size(); ++k) {
        if (m.idx[k] == j) {
          on_j += m.weight[k];
        } else if (m.weight[k] != 0) {
          m.identity = false;
        }
      }
      if (on_j != 1.0) m.identity = false;
    }
  }
  m.begin.push_back(int64_t(m.idx.size()));
  return m;
}

// Converts a computed value to the element type (truncating and saturating for integers).
template <typename T>
T FromResult(double v) {
  if constexpr (std::is_same_v<T, std::string>) {
    return std::string();
  } else if constexpr (std::is_same_v<T, bool>) {
    return v != 0;
  } else if constexpr (std::is_integral_v<T>) {
    if (std::isnan(v)) return T(0);
    if (v <= double(std::numeric_limits<T>::lowest())) return std::numeric_limits<T>::lowest();
    if (v >= double(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
    return T(v);
  } else {
    return FromDouble<T>(v);
  }
}

// Nearest: a gather over the output, any dtype.
template <typename T>
void ResizeNearest(const Tensor& x, const std::vector<AxisMap>& maps, double extrapolation,
                   Tensor& y) {
  const int rank = x.rank();
  const T* in = x.data<T>();
  T* out = y.data<T>();
  const int64_t n_out = y.num_elements();
  if (n_out == 0) return;
  const T extrap = FromResult<T>(extrapolation);
  if (rank == 0) {
    out[0] = in[0];
    return;
  }
  const std::vector<int64_t> in_strides = ContiguousStrides(x.shape());
  // For each axis and output coordinate, the input offset, or -1 to extrapolate.
  std::vector<std::vector<int64_t>> offsets(static_cast<size_t>(rank));
  for (int d = 0; d < rank; ++d) {
    const AxisMap& m = maps[size_t(d)];
    for (int64_t j = 0; j < y.dim(d); ++j) {
      offsets[size_t(d)].push_back(m.extrapolate[size_t(j)]
                                       ? -1
                                       : m.idx[size_t(m.begin[size_t(j)])] * in_strides[size_t(d)]);
    }
  }
  const int64_t inner = y.dim(rank - 1);
  const std::vector<int64_t>& last = offsets[size_t(rank - 1)];
  std::vector<int64_t> counter(size_t(rank), 0);
  for (int64_t o = 0; o < n_out; o += inner) {
    int64_t base = 0;
    bool outside = false;
    for (int d = 0; d < rank - 1; ++d) {
      const int64_t off = offsets[size_t(d)][size_t(counter[size_t(d)])];
      if (off < 0) outside = true;
      base += off;
    }
    for (int64_t k = 0; k < inner; ++k) {
      out[o + k] = outside || last[size_t(k)] < 0 ? extrap : in[base + last[size_t(k)]];
    }
    for (int d = rank - 2; d >= 0; --d) {
      if (++counter[size_t(d)] < y.dim(d)) break;
      counter[size_t(d)] = 0;
    }
  }
}

// Linear and cubic: one separable pass per axis that is not an identity, in double.
template <typename T>
void ResizeInterpolate(const Tensor& x, const std::vector<AxisMap>& maps, double extrapolation,
                       Tensor& y) {
  const int rank = x.rank();
  std::vector<int64_t> dims = x.shape().dims();
  std::vector<double> cur(size_t(x.num_elements()));
  const T* in = x.data<T>();
  for (size_t i = 0; i < cur.size(); ++i) cur[i] = ToDouble(in[i]);
  for (int d = 0; d < rank; ++d) {
    const AxisMap& m = maps[size_t(d)];
    if (m.identity) continue;
    const int64_t out_d = y.dim(d);
    int64_t outer = 1, inner = 1;
    for (int k = 0; k < d; ++k) outer *= dims[size_t(k)];
    for (int k = d + 1; k < rank; ++k) inner *= dims[size_t(k)];
    const int64_t in_d = dims[size_t(d)];
    std::vector<double> next(size_t(outer * out_d * inner), 0.0);
    for (int64_t o = 0; o < outer; ++o) {
      const double* src = cur.data() + o * in_d * inner;
      for (int64_t j = 0; j < out_d; ++j) {
        double* dst = next.data() + (o * out_d + j) * inner;
        if (m.extrapolate[size_t(j)]) {
          std::fill(dst, dst + inner, extrapolation);
          continue;
        }
        for (int64_t k = m.begin[size_t(j)]; k < m.begin[size_t(j) + 1]; ++k) {
          const double w = m.weight[size_t(k)];
          if (w == 0) continue;
          const double* row = src + m.idx[size_t(k)] * inner;
          for (int64_t i = 0; i < inner; ++i) dst[i] += w * row[i];
        }
      }
    }
    dims[size_t(d)] = out_d;
    cur = std::move(next);
  }
  T* out = y.data<T>();
  for (size_t i = 0; i < cur.size(); ++i) out[i] = FromResult<T>(cur[i]);
}

// ---- Inference ------------------------------------------------------------------------------

Status InferResizeWith(InferenceContext& ctx, const ResizeAttrs& a) {
  const ir::TypeInfo& in = ctx.input_type(0);
  if (!in.shape) {
    ctx.set_output(0, in.dtype, std::nullopt);
    return Status::Ok();
  }
  const int rank = in.shape->rank();
  BRISK_ASSIGN_OR_RETURN(std::vector<int> axes, ResizedAxes(a, rank));
  std::optional<std::vector<double>> scales = a.scales_attr;
  bool scales_unknown = false;
  if (a.scales_input >= 0 && ctx.has_input(a.scales_input)) {
    if (const Tensor* t = ctx.input_constant(a.scales_input)) {
      if (t->defined() && t->num_elements() > 0) {
        BRISK_ASSIGN_OR_RETURN(scales, ReadReals(*t, "input 'scales'"));
      }
    } else {
      scales_unknown = true;
    }
  }
  std::optional<std::vector<int64_t>> sizes;
  bool sizes_unknown = false;
  const Tensor* sizes_constant =
      a.sizes_input >= 0 ? ctx.input_constant(a.sizes_input) : nullptr;
  if (sizes_constant != nullptr &&
      (!sizes_constant->defined() || sizes_constant->num_elements() == 0)) {
    // An empty sizes is as good as none.
  } else if (a.sizes_input >= 0 && ctx.has_input(a.sizes_input)) {
    sizes = ConstantInts(ctx, a.sizes_input);
    if (!sizes) {
      sizes_unknown = true;
    } else if (sizes->empty()) {
      sizes.reset();
    }
  }
  SymbolicShape out = *in.shape;
  const size_t n = axes.size();
  auto unknown_resized = [&] {
    for (int d : axes) out.dims[size_t(d)] = Dim::Unknown();
  };
  if (sizes) {
    if (sizes->size() != n) {
      return InvalidArgument("input 3 'sizes' must have " + std::to_string(n) + " values, got " +
                             std::to_string(sizes->size()));
    }
    if (a.policy == AspectPolicy::kStretch) {
      for (size_t i = 0; i < n; ++i) out.dims[size_t(axes[i])] = Dim::Known((*sizes)[i]);
    } else {
      // Needs the concrete input dims of the resized axes.
      std::vector<int64_t> concrete(size_t(rank), 1);
      bool known = true;
      for (int d : axes) {
        known = known && in.shape->dims[size_t(d)].is_known();
        concrete[size_t(d)] = in.shape->dims[size_t(d)].value;
      }
      if (known) {
        BRISK_ASSIGN_OR_RETURN(ResizePlan plan,
                               MakePlan(a, Shape(concrete), std::nullopt, sizes, {}));
        for (int d : axes) out.dims[size_t(d)] = Dim::Known(plan.out_dims[size_t(d)]);
      } else {
        unknown_resized();
      }
    }
  } else if (scales) {
    if (scales->size() != n) {
      return InvalidArgument("'scales' must have " + std::to_string(n) + " values, got " +
                             std::to_string(scales->size()));
    }
    for (size_t i = 0; i < n; ++i) {
      const double s = (*scales)[i];
      if (!(s > 0) || !std::isfinite(s)) {
        return InvalidArgument("'scales': scale " + std::to_string(s) +
                               " must be positive and finite");
      }
      Dim& dim = out.dims[size_t(axes[i])];
      if (s == 1.0) continue;  // keeps a symbolic dim
      dim = dim.is_known() ? Dim::Known(int64_t(std::floor(s * double(dim.value))))
                           : Dim::Unknown();
    }
  } else if (scales_unknown || sizes_unknown) {
    unknown_resized();
  } else {
    return InvalidArgument("one of input 'scales' and input 'sizes' must be given");
  }
  ctx.set_output(0, in.dtype, std::move(out));
  return Status::Ok();
}

// An optional input that is given and not empty (an undefined tensor counts as empty).
bool IsPresent(const Tensor* t) { return t != nullptr && t->defined() && t->num_elements() > 0; }

// ---- Kernel ---------------------------------------------------------------------------------

class ResizeKernel : public Kernel {
 public:
  explicit ResizeKernel(ResizeAttrs a) : a_(std::move(a)) {}

  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init, bool upsample) {
    BRISK_ASSIGN_OR_RETURN(ResizeAttrs a, ParseResizeAttrs(init.attrs(), init.opset(), upsample));
    return MakeKernel<ResizeKernel>(std::move(a));
  }

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (x == nullptr) return InvalidArgument("input 0 'X' is required");
    std::vector<double> roi;
    // Empty roi/scales/sizes count as absent (whatever dtype an empty initializer came with).
    if (a_.roi_input >= 0 && IsPresent(ctx.input(a_.roi_input)) &&
        a_.coord == CoordMode::kTfCropAndResize) {
      BRISK_ASSIGN_OR_RETURN(roi, ReadReals(*ctx.input(a_.roi_input), "input 1 'roi'"));
    }
    std::optional<std::vector<double>> scales = a_.scales_attr;
    if (a_.scales_input >= 0 && IsPresent(ctx.input(a_.scales_input))) {
      const std::string what = "input " + std::to_string(a_.scales_input) + " 'scales'";
      BRISK_ASSIGN_OR_RETURN(scales, ReadReals(*ctx.input(a_.scales_input), what));
    }
    std::optional<std::vector<int64_t>> sizes;
    if (a_.sizes_input >= 0 && IsPresent(ctx.input(a_.sizes_input))) {
      BRISK_ASSIGN_OR_RETURN(sizes, ReadInts(*ctx.input(a_.sizes_input), "input 3 'sizes'"));
    }
    BRISK_ASSIGN_OR_RETURN(ResizePlan plan, MakePlan(a_, x->shape(), scales, sizes, roi));
    BRISK_ASSIGN_OR_RETURN(Tensor * y,
                           ctx.AllocateOutput(0, x->dtype(), Shape(plan.out_dims)));
    if (y->num_elements() == 0) return Status::Ok();
    const int rank = x->rank();
    std::vector<AxisMap> maps;
    for (int d = 0; d < rank; ++d) {
      if (x->dim(d) == 0) {
        return InvalidArgument("input 0 'X': cannot resize axis " + std::to_string(d) +
                               " of size 0 to size " + std::to_string(plan.out_dims[size_t(d)]));
      }
      maps.push_back(BuildAxisMap(a_, x->dim(d), plan.out_dims[size_t(d)],
                                  plan.scales[size_t(d)], plan.out_width[size_t(d)],
                                  plan.roi_start[size_t(d)], plan.roi_end[size_t(d)]));
    }
    if (a_.mode == ResizeMode::kNearest) {
      return DispatchAll(x->dtype(), "input 0 'X'", [&]<typename T>() -> Status {
        ResizeNearest<T>(*x, maps, a_.extrapolation_value, *y);
        return Status::Ok();
      });
    }
    return DispatchNumeric(x->dtype(), "input 0 'X'", [&]<typename T>() -> Status {
      ResizeInterpolate<T>(*x, maps, a_.extrapolation_value, *y);
      return Status::Ok();
    });
  }

 private:
  ResizeAttrs a_;
};

Status InferResize(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(ResizeAttrs a, ParseResizeAttrs(ctx.attrs(), ctx.opset(), false));
  return InferResizeWith(ctx, a);
}

Status InferUpsample(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(ResizeAttrs a, ParseResizeAttrs(ctx.attrs(), ctx.opset(), true));
  return InferResizeWith(ctx, a);
}

StatusOr<std::unique_ptr<Kernel>> CreateResize(const KernelInit& init) {
  return ResizeKernel::Create(init, false);
}

StatusOr<std::unique_ptr<Kernel>> CreateUpsample(const KernelInit& init) {
  return ResizeKernel::Create(init, true);
}

}  // namespace

BRISK_REGISTER_OPS(resize) {
  Op("Resize").Since(10).Until(10).Infer(InferResize).Create(CreateResize);
  Op("Resize").Since(11).Until(12).Infer(InferResize).Create(CreateResize);
  Op("Resize").Since(13).Until(17).Infer(InferResize).Create(CreateResize);
  Op("Resize").Since(18).Until(18).Infer(InferResize).Create(CreateResize);
  Op("Resize").Since(19).Infer(InferResize).Create(CreateResize);
  Op("Upsample").Since(7).Until(8).Infer(InferUpsample).Create(CreateUpsample);
  Op("Upsample").Since(9).Until(9).Infer(InferUpsample).Create(CreateUpsample);
}

}  // namespace brisk
