// QuantizeLinear, DequantizeLinear (per-tensor from 10, per-axis from 13, blocked from 21) and
// DynamicQuantizeLinear (11).
//
// Quantize: y = saturate(round_half_even(x / scale) + zero_point), computed in float.
// Dequantize: y = (x - zero_point) * scale, computed in float.
#include <string>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/reference/quant_util.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

using quant::RoundSaturate;

// How scale/zero-point elements map onto the data, seen as [outer, axis_dim, inner].
struct QuantLayout {
  enum class Mode { kTensor, kAxis, kBlock };
  Mode mode = Mode::kTensor;
  int64_t outer = 1, axis_dim = 1, inner = 1;
  int64_t block = 0;       // block size in kBlock mode
  int64_t num_blocks = 1;  // ceil(axis_dim / block)

  template <typename F>
  void ForEach(F&& f) const {  // f(element index, parameter index)
    int64_t e = 0;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t a = 0; a < axis_dim; ++a)
        for (int64_t i = 0; i < inner; ++i, ++e) {
          int64_t p = 0;
          if (mode == Mode::kAxis) p = a;
          if (mode == Mode::kBlock) p = (o * num_blocks + a / block) * inner + i;
          f(e, p);
        }
  }
};

// Validates scale (input 1) and zero point (input 2) against x and the axis/block_size
// attributes. `scale_name`/`zp_name` name the inputs in errors.
StatusOr<QuantLayout> ResolveLayout(const KernelContext& ctx, const std::string& scale_name,
                                    const std::string& zp_name) {
  const Tensor& x = *ctx.input(0);
  const Tensor& scale = *ctx.input(1);
  const Tensor* zp = ctx.input(2);
  BRISK_ASSIGN_OR_RETURN(int64_t axis_attr, ctx.attrs().GetInt("axis", 1));
  BRISK_ASSIGN_OR_RETURN(int64_t block, ctx.attrs().GetInt("block_size", 0));
  if (block < 0) {
    return InvalidArgument("attribute 'block_size' must be >= 0, got " + std::to_string(block));
  }
  if (zp != nullptr && zp->shape() != scale.shape() &&
      !(zp->num_elements() == 1 && scale.num_elements() == 1 && zp->rank() <= 1 &&
        scale.rank() <= 1)) {
    return InvalidArgument(zp_name + ": shape " + zp->shape().ToString() + " differs from " +
                           scale_name + "'s " + scale.shape().ToString());
  }
  QuantLayout l;
  l.outer = x.num_elements();
  if (scale.rank() == 0 || (scale.rank() == 1 && scale.dim(0) == 1 && block == 0)) {
    return l;
  }
  if (ctx.opset() < 13) {
    return InvalidArgument(scale_name + ": must be a scalar before opset 13, got shape " +
                           scale.shape().ToString());
  }
  BRISK_ASSIGN_OR_RETURN(int axis, NormalizeAxis(axis_attr, x.rank(), "attribute 'axis'"));
  if (x.rank() == 0) return InvalidArgument("attribute 'axis': the input is a scalar");
  l.outer = x.shape().NumElements(0, axis);
  l.axis_dim = x.dim(axis);
  l.inner = x.shape().NumElements(axis + 1, x.rank());
  if (block == 0) {
    if (scale.rank() != 1 || scale.dim(0) != x.dim(axis)) {
      return InvalidArgument(scale_name + ": per-axis scale must have shape [" +
                             std::to_string(x.dim(axis)) + "] (axis " + std::to_string(axis) +
                             "), got " + scale.shape().ToString());
    }
    l.mode = QuantLayout::Mode::kAxis;
    return l;
  }
  l.mode = QuantLayout::Mode::kBlock;
  l.block = block;
  l.num_blocks = (l.axis_dim + block - 1) / block;
  Shape expected = x.shape();
  expected[axis] = l.num_blocks;
  if (scale.shape() != expected) {
    return InvalidArgument(scale_name + ": with block_size " + std::to_string(block) +
                           " expected shape " + expected.ToString() + ", got " +
                           scale.shape().ToString());
  }
  return l;
}

Status CheckRequired(const KernelContext& ctx, int n, const char* const* names) {
  for (int i = 0; i < n; ++i) {
    if (ctx.input(i) == nullptr) {
      return InvalidArgument("input " + std::to_string(i) + " '" + names[i] + "' is required");
    }
  }
  return Status::Ok();
}

// ---- QuantizeLinear ------------------------------------------------------------------------

// The output dtype: y_zero_point's, else the output_dtype attribute (21+), else uint8.
StatusOr<DType> QuantizeOutputDType(const ir::AttributeMap& attrs, DType zp_dtype) {
  BRISK_ASSIGN_OR_RETURN(int64_t odt, attrs.GetInt("output_dtype", 0));
  DType from_attr = DType::kUndefined;
  if (odt != 0) {
    from_attr = quant::DTypeFromOnnx(odt);
    if (from_attr != DType::kUInt8 && from_attr != DType::kInt8 && from_attr != DType::kUInt16 &&
        from_attr != DType::kInt16) {
      return Unimplemented("attribute 'output_dtype': data type " + std::to_string(odt) +
                           " is not supported (expected uint8, int8, uint16 or int16)");
    }
  }
  if (zp_dtype != DType::kUndefined) {
    if (from_attr != DType::kUndefined && from_attr != zp_dtype) {
      return InvalidArgument("attribute 'output_dtype' (" + std::string(DTypeName(from_attr)) +
                             ") differs from input 2 'y_zero_point' dtype " +
                             std::string(DTypeName(zp_dtype)));
    }
    return zp_dtype;
  }
  return from_attr != DType::kUndefined ? from_attr : DType::kUInt8;
}

Status InferQuantize(InferenceContext& ctx) {
  const ir::TypeInfo& x = ctx.input_type(0);
  const DType zp = ctx.has_input(2) ? ctx.input_type(2).dtype : DType::kUndefined;
  if (ctx.has_input(2) && zp == DType::kUndefined) {
    ctx.set_output(0, DType::kUndefined, x.shape);
    return Status::Ok();
  }
  BRISK_ASSIGN_OR_RETURN(DType out, QuantizeOutputDType(ctx.attrs(), zp));
  ctx.set_output(0, out, x.shape);
  return Status::Ok();
}

Status QuantizeCompute(KernelContext& ctx) {
  static const char* const kNames[] = {"x", "y_scale"};
  BRISK_RETURN_IF_ERROR(CheckRequired(ctx, 2, kNames));
  const Tensor& x = *ctx.input(0);
  const Tensor& scale = *ctx.input(1);
  const Tensor* zp = ctx.input(2);
  if (!IsFloatingPoint(x.dtype()) && x.dtype() != DType::kInt32) {
    return Unimplemented("input 0 'x': dtype " + std::string(DTypeName(x.dtype())) +
                         " is not supported (expected float, float16, bfloat16 or int32)");
  }
  if (!IsFloatingPoint(scale.dtype())) {
    return InvalidArgument("input 1 'y_scale': expected a floating-point dtype, got " +
                           std::string(DTypeName(scale.dtype())));
  }
  BRISK_ASSIGN_OR_RETURN(DType out_dtype,
                         QuantizeOutputDType(ctx.attrs(), zp ? zp->dtype() : DType::kUndefined));
  BRISK_ASSIGN_OR_RETURN(QuantLayout layout,
                         ResolveLayout(ctx, "input 1 'y_scale'", "input 2 'y_zero_point'"));
  BRISK_ASSIGN_OR_RETURN(std::vector<double> scales,
                         quant::ReadAsDouble(scale, "input 1 'y_scale'"));
  std::vector<double> zps(scales.size(), 0.0);
  if (zp != nullptr) {
    BRISK_ASSIGN_OR_RETURN(zps, quant::ReadAsDouble(*zp, "input 2 'y_zero_point'"));
  }
  BRISK_ASSIGN_OR_RETURN(std::vector<double> xs, quant::ReadAsDouble(x, "input 0 'x'"));
  BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, out_dtype, x.shape()));
  return quant::DispatchQuant(out_dtype, "output 0 'y'", true, [&]<typename Q>() -> Status {
    Q* py = y->data<Q>();
    layout.ForEach([&](int64_t e, int64_t p) {
      const float q = std::nearbyint(float(xs[size_t(e)]) / float(scales[size_t(p)]));
      py[e] = RoundSaturate<Q>(double(q) + zps[size_t(p)]);
    });
    return Status::Ok();
  });
}

// ---- DequantizeLinear ----------------------------------------------------------------------

Status InferDequantize(InferenceContext& ctx) {
  const ir::TypeInfo& x = ctx.input_type(0);
  DType out = ctx.input_type(1).dtype;
  if (ctx.opset() < 19) out = DType::kFloat32;
  BRISK_ASSIGN_OR_RETURN(int64_t odt, ctx.attrs().GetInt("output_dtype", 0));
  if (odt != 0) out = quant::DTypeFromOnnx(odt);
  ctx.set_output(0, out, x.shape);
  return Status::Ok();
}

Status DequantizeCompute(KernelContext& ctx) {
  static const char* const kNames[] = {"x", "x_scale"};
  BRISK_RETURN_IF_ERROR(CheckRequired(ctx, 2, kNames));
  const Tensor& x = *ctx.input(0);
  const Tensor& scale = *ctx.input(1);
  const Tensor* zp = ctx.input(2);
  const DType xd = x.dtype();
  if (xd != DType::kInt8 && xd != DType::kUInt8 && xd != DType::kInt16 && xd != DType::kUInt16 &&
      xd != DType::kInt32) {
    return Unimplemented("input 0 'x': dtype " + std::string(DTypeName(xd)) +
                         " is not supported (expected int8, uint8, int16, uint16 or int32)");
  }
  if (!IsFloatingPoint(scale.dtype())) {
    return InvalidArgument("input 1 'x_scale': expected a floating-point dtype, got " +
                           std::string(DTypeName(scale.dtype())));
  }
  if (zp != nullptr && zp->dtype() != xd) {
    return InvalidArgument("input 2 'x_zero_point': dtype " + std::string(DTypeName(zp->dtype())) +
                           " differs from input 0 'x' dtype " + std::string(DTypeName(xd)));
  }
  BRISK_ASSIGN_OR_RETURN(int64_t odt, ctx.attrs().GetInt("output_dtype", 0));
  DType out_dtype = scale.dtype();
  if (odt != 0 && quant::DTypeFromOnnx(odt) != out_dtype) {
    return InvalidArgument("attribute 'output_dtype' must equal input 1 'x_scale' dtype " +
                           std::string(DTypeName(out_dtype)));
  }
  BRISK_ASSIGN_OR_RETURN(QuantLayout layout,
                         ResolveLayout(ctx, "input 1 'x_scale'", "input 2 'x_zero_point'"));
  BRISK_ASSIGN_OR_RETURN(std::vector<double> scales,
                         quant::ReadAsDouble(scale, "input 1 'x_scale'"));
  std::vector<double> zps(scales.size(), 0.0);
  if (zp != nullptr) {
    BRISK_ASSIGN_OR_RETURN(zps, quant::ReadAsDouble(*zp, "input 2 'x_zero_point'"));
  }
  BRISK_ASSIGN_OR_RETURN(std::vector<double> xs, quant::ReadAsDouble(x, "input 0 'x'"));
  BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, out_dtype, x.shape()));
  return DispatchFloat(out_dtype, "input 1 'x_scale'", [&]<typename T>() -> Status {
    T* py = y->data<T>();
    layout.ForEach([&](int64_t e, int64_t p) {
      const double diff = xs[size_t(e)] - zps[size_t(p)];
      if constexpr (std::is_same_v<T, double>) {
        py[e] = diff * scales[size_t(p)];
      } else {
        py[e] = FromDouble<T>(double(float(diff) * float(scales[size_t(p)])));
      }
    });
    return Status::Ok();
  });
}

// ---- DynamicQuantizeLinear -----------------------------------------------------------------

Status InferDynamicQuantize(InferenceContext& ctx) {
  const ir::TypeInfo& x = ctx.input_type(0);
  if (x.dtype != DType::kUndefined && x.dtype != DType::kFloat32) {
    return InvalidArgument("input 0 'x': expected float32, got " +
                           std::string(DTypeName(x.dtype)));
  }
  ctx.set_output(0, DType::kUInt8, x.shape);
  if (ctx.num_outputs() > 1) ctx.set_output(1, DType::kFloat32, SymbolicShape());
  if (ctx.num_outputs() > 2) ctx.set_output(2, DType::kUInt8, SymbolicShape());
  return Status::Ok();
}

Status DynamicQuantizeCompute(KernelContext& ctx) {
  const Tensor* xp = ctx.input(0);
  if (xp == nullptr) return InvalidArgument("input 0 'x' is required");
  const Tensor& x = *xp;
  if (x.dtype() != DType::kFloat32) {
    return Unimplemented("input 0 'x': dtype " + std::string(DTypeName(x.dtype())) +
                         " is not supported (expected float32)");
  }
  const float* px = x.data<float>();
  const int64_t n = x.num_elements();
  float lo = 0, hi = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (std::isnan(px[i])) continue;
    lo = std::min(lo, px[i]);
    hi = std::max(hi, px[i]);
  }
  // As onnxruntime: a constant (all-zero) input gets scale 1.
  const float scale = hi == lo ? 1.0f : (hi - lo) / 255.0f;
  const float zp_f = std::clamp(0.0f - lo / scale, 0.0f, 255.0f);
  const uint8_t zp = RoundSaturate<uint8_t>(zp_f);
  BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kUInt8, x.shape()));
  uint8_t* py = y->data<uint8_t>();
  for (int64_t i = 0; i < n; ++i) {
    py[i] = RoundSaturate<uint8_t>(std::nearbyint(px[i] / scale) + float(zp));
  }
  if (ctx.output_requested(1)) {
    BRISK_ASSIGN_OR_RETURN(Tensor * s, ctx.AllocateOutput(1, DType::kFloat32, Shape{}));
    *s->data<float>() = scale;
  }
  if (ctx.output_requested(2)) {
    BRISK_ASSIGN_OR_RETURN(Tensor * z, ctx.AllocateOutput(2, DType::kUInt8, Shape{}));
    *z->data<uint8_t>() = zp;
  }
  return Status::Ok();
}

}  // namespace

BRISK_REGISTER_OPS(quant_linear) {
  Op("QuantizeLinear").Since(10).Infer(InferQuantize).Compute(QuantizeCompute);
  Op("DequantizeLinear").Since(10).Infer(InferDequantize).Compute(DequantizeCompute);
  Op("DynamicQuantizeLinear").Since(11).Infer(InferDynamicQuantize).Compute(DynamicQuantizeCompute);
}

}  // namespace brisk
