#include "kernels/reference/conv_pool_util.h"

#include <algorithm>

namespace brisk::conv_pool {
namespace {

// Attribute values above this are rejected (they would overflow size arithmetic).
constexpr int64_t kMaxAttrValue = int64_t(1) << 32;

Status CheckAll(const std::vector<int64_t>& v, int64_t min, std::string_view name) {
  for (int64_t x : v) {
    if (x > kMaxAttrValue) {
      return InvalidArgument("attribute '" + std::string(name) + "': value " + std::to_string(x) +
                             " is too large");
    }
    if (x < min) {
      return InvalidArgument("attribute '" + std::string(name) + "': values must be >= " +
                             std::to_string(min) + ", got [" + JoinInts(v) + "]");
    }
  }
  return Status::Ok();
}

Status CheckLength(const std::vector<int64_t>& v, size_t want, std::string_view name) {
  if (!v.empty() && v.size() != want) {
    return InvalidArgument("attribute '" + std::string(name) + "': expected " +
                           std::to_string(want) + " values for " +
                           std::to_string(want / (name == "pads" ? 2 : 1)) +
                           " spatial axes, got " + std::to_string(v.size()));
  }
  return Status::Ok();
}

}  // namespace

std::string JoinInts(std::span<const int64_t> v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s;
}

StatusOr<SpatialAttrs> ParseSpatialAttrs(const ir::AttributeMap& attrs, bool allow_dilations,
                                         bool allow_ceil) {
  SpatialAttrs a;
  BRISK_ASSIGN_OR_RETURN(a.kernel_shape, attrs.GetInts("kernel_shape", std::vector<int64_t>{}));
  BRISK_ASSIGN_OR_RETURN(a.strides, attrs.GetInts("strides", std::vector<int64_t>{}));
  BRISK_ASSIGN_OR_RETURN(a.pads, attrs.GetInts("pads", std::vector<int64_t>{}));
  if (allow_dilations) {
    BRISK_ASSIGN_OR_RETURN(a.dilations, attrs.GetInts("dilations", std::vector<int64_t>{}));
  }
  if (allow_ceil) {
    BRISK_ASSIGN_OR_RETURN(int64_t ceil, attrs.GetInt("ceil_mode", 0));
    if (ceil != 0 && ceil != 1) {
      return InvalidArgument("attribute 'ceil_mode': expected 0 or 1, got " +
                             std::to_string(ceil));
    }
    a.ceil_mode = ceil == 1;
  }
  BRISK_ASSIGN_OR_RETURN(std::string auto_pad, attrs.GetString("auto_pad", "NOTSET"));
  if (auto_pad == "NOTSET" || auto_pad.empty()) {
    a.auto_pad = AutoPad::kNotSet;
  } else if (auto_pad == "SAME_UPPER") {
    a.auto_pad = AutoPad::kSameUpper;
  } else if (auto_pad == "SAME_LOWER") {
    a.auto_pad = AutoPad::kSameLower;
  } else if (auto_pad == "VALID") {
    a.auto_pad = AutoPad::kValid;
  } else {
    return InvalidArgument("attribute 'auto_pad': expected NOTSET, SAME_UPPER, SAME_LOWER or "
                           "VALID, got '" + auto_pad + "'");
  }
  BRISK_RETURN_IF_ERROR(CheckAll(a.kernel_shape, 1, "kernel_shape"));
  BRISK_RETURN_IF_ERROR(CheckAll(a.strides, 1, "strides"));
  BRISK_RETURN_IF_ERROR(CheckAll(a.dilations, 1, "dilations"));
  BRISK_RETURN_IF_ERROR(CheckAll(a.pads, 0, "pads"));
  return a;
}

StatusOr<std::vector<AxisGeometry>> AxesFromAttrs(const SpatialAttrs& attrs, int n,
                                                  std::span<const int64_t> kernel) {
  const size_t un = size_t(n);
  if (kernel.empty()) {
    if (attrs.kernel_shape.empty()) {
      return InvalidArgument("attribute 'kernel_shape' is required");
    }
    BRISK_RETURN_IF_ERROR(CheckLength(attrs.kernel_shape, un, "kernel_shape"));
    kernel = attrs.kernel_shape;
  }
  if (kernel.size() != un) {
    return InvalidArgument("kernel has " + std::to_string(kernel.size()) +
                           " spatial dims but the input has " + std::to_string(n));
  }
  BRISK_RETURN_IF_ERROR(CheckLength(attrs.strides, un, "strides"));
  BRISK_RETURN_IF_ERROR(CheckLength(attrs.dilations, un, "dilations"));
  BRISK_RETURN_IF_ERROR(CheckLength(attrs.pads, 2 * un, "pads"));
  std::vector<AxisGeometry> geo(un);
  for (size_t i = 0; i < un; ++i) {
    AxisGeometry& g = geo[i];
    g.kernel = kernel[i];
    if (g.kernel < 1) {
      return InvalidArgument("kernel size must be >= 1, got [" + JoinInts(kernel) + "]");
    }
    if (!attrs.strides.empty()) g.stride = attrs.strides[i];
    if (!attrs.dilations.empty()) g.dilation = attrs.dilations[i];
    if (!attrs.pads.empty()) {
      g.pad_begin = attrs.pads[i];
      g.pad_end = attrs.pads[i + un];
    }
  }
  return geo;
}

Status ResolveForwardAxis(AxisGeometry& g, AutoPad auto_pad, bool ceil_mode, int axis) {
  const int64_t ek = g.EffectiveKernel();
  switch (auto_pad) {
    case AutoPad::kSameUpper:
    case AutoPad::kSameLower: {
      g.out = (g.in + g.stride - 1) / g.stride;
      const int64_t total = std::max<int64_t>(0, (g.out - 1) * g.stride + ek - g.in);
      const int64_t small = total / 2;
      g.pad_begin = auto_pad == AutoPad::kSameUpper ? small : total - small;
      g.pad_end = total - g.pad_begin;
      return Status::Ok();
    }
    case AutoPad::kValid:
      g.pad_begin = g.pad_end = 0;
      break;
    case AutoPad::kNotSet:
      break;
  }
  const int64_t span = g.in + g.pad_begin + g.pad_end - ek;
  if (span < 0) {
    return InvalidArgument("kernel (effective size " + std::to_string(ek) + " with dilation " +
                           std::to_string(g.dilation) + ") is larger than the padded input (" +
                           std::to_string(g.in + g.pad_begin + g.pad_end) + ") on spatial axis " +
                           std::to_string(axis));
  }
  g.out = (ceil_mode ? (span + g.stride - 1) / g.stride : span / g.stride) + 1;
  // With ceil_mode, a window that would start in the end padding is dropped.
  if (ceil_mode && (g.out - 1) * g.stride >= g.in + g.pad_begin) --g.out;
  return Status::Ok();
}

StatusOr<std::vector<AxisGeometry>> ForwardGeometry(const SpatialAttrs& attrs,
                                                    std::span<const int64_t> in_spatial,
                                                    std::span<const int64_t> kernel) {
  BRISK_ASSIGN_OR_RETURN(std::vector<AxisGeometry> geo,
                         AxesFromAttrs(attrs, int(in_spatial.size()), kernel));
  for (size_t i = 0; i < geo.size(); ++i) {
    geo[i].in = in_spatial[i];
    BRISK_RETURN_IF_ERROR(ResolveForwardAxis(geo[i], attrs.auto_pad, attrs.ceil_mode, int(i)));
  }
  return geo;
}

StatusOr<std::vector<Dim>> ForwardSymbolicDims(const SpatialAttrs& attrs,
                                               std::span<const Dim> in_spatial,
                                               std::span<const int64_t> kernel) {
  BRISK_ASSIGN_OR_RETURN(std::vector<AxisGeometry> geo,
                         AxesFromAttrs(attrs, int(in_spatial.size()), kernel));
  std::vector<Dim> out;
  for (size_t i = 0; i < geo.size(); ++i) {
    if (!in_spatial[i].is_known()) {
      out.push_back(Dim::Unknown());
      continue;
    }
    geo[i].in = in_spatial[i].value;
    BRISK_RETURN_IF_ERROR(ResolveForwardAxis(geo[i], attrs.auto_pad, attrs.ceil_mode, int(i)));
    out.push_back(Dim::Known(geo[i].out));
  }
  return out;
}

std::vector<int64_t> SpatialDims(const Shape& s) {
  return std::vector<int64_t>(s.dims().begin() + std::min(2, s.rank()), s.dims().end());
}

Status CheckRankAtLeast(const Shape& s, int min_rank, int index, std::string_view name) {
  if (s.rank() < min_rank) {
    return InvalidArgument("input " + std::to_string(index) + " '" + std::string(name) +
                           "': expected rank >= " + std::to_string(min_rank) + ", got " +
                           std::to_string(s.rank()));
  }
  return Status::Ok();
}

}  // namespace brisk::conv_pool
