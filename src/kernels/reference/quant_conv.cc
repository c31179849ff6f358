// ConvInteger (10) and QLinearConv (10): N-D grouped convolution of zero-point-shifted 8-bit
// integers as im2col + integer GEMM (accumulated exactly in int64, wrapped to int32).
// QLinearConv requantizes: y = saturate(round_half_even((acc + B) * x_scale * w_scale / y_scale)
// + y_zero_point), with w_scale / w_zero_point per tensor or per output channel.
#include <string>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/reference/quant_util.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

// Conv attributes resolved against concrete or symbolic spatial sizes.
struct ConvAttrs {
  std::string auto_pad = "NOTSET";
  std::vector<int64_t> kernel_shape;  // empty: from W
  std::vector<int64_t> strides, dilations, pads;
  int64_t group = 1;
};

StatusOr<ConvAttrs> ParseConvAttrs(const ir::AttributeMap& attrs) {
  ConvAttrs c;
  BRISK_ASSIGN_OR_RETURN(c.auto_pad, attrs.GetString("auto_pad", "NOTSET"));
  if (c.auto_pad != "NOTSET" && c.auto_pad != "SAME_UPPER" && c.auto_pad != "SAME_LOWER" &&
      c.auto_pad != "VALID") {
    return InvalidArgument("attribute 'auto_pad': unknown value '" + c.auto_pad + "'");
  }
  BRISK_ASSIGN_OR_RETURN(c.kernel_shape, attrs.GetInts("kernel_shape", {{}}));
  BRISK_ASSIGN_OR_RETURN(c.strides, attrs.GetInts("strides", {{}}));
  BRISK_ASSIGN_OR_RETURN(c.dilations, attrs.GetInts("dilations", {{}}));
  BRISK_ASSIGN_OR_RETURN(c.pads, attrs.GetInts("pads", {{}}));
  BRISK_ASSIGN_OR_RETURN(c.group, attrs.GetInt("group", 1));
  if (c.group <= 0) {
    return InvalidArgument("attribute 'group' must be positive, got " + std::to_string(c.group));
  }
  for (int64_t v : c.strides)
    if (v <= 0) return InvalidArgument("attribute 'strides': values must be positive");
  for (int64_t v : c.dilations)
    if (v <= 0) return InvalidArgument("attribute 'dilations': values must be positive");
  for (int64_t v : c.pads)
    if (v < 0) return InvalidArgument("attribute 'pads': values must be non-negative");
  for (int64_t v : c.kernel_shape)
    if (v <= 0) return InvalidArgument("attribute 'kernel_shape': values must be positive");
  return c;
}

// Per spatial dim: kernel, stride, dilation, pad begin/end (before auto_pad), checked sizes.
struct Geometry {
  int nsp = 0;
  std::vector<int64_t> kernel, stride, dilation, pad_begin, pad_end;
};

// Fills the geometry for `nsp` spatial dims given the kernel dims from W (-1 if unknown).
StatusOr<Geometry> MakeGeometry(const ConvAttrs& c, int nsp, const std::vector<int64_t>& w_kernel) {
  Geometry g;
  g.nsp = nsp;
  auto check = [&](const std::vector<int64_t>& v, size_t n, const char* name) -> Status {
    if (!v.empty() && v.size() != n) {
      return InvalidArgument("attribute '" + std::string(name) + "': expected " +
                             std::to_string(n) + " values, got " + std::to_string(v.size()));
    }
    return Status::Ok();
  };
  BRISK_RETURN_IF_ERROR(check(c.kernel_shape, size_t(nsp), "kernel_shape"));
  BRISK_RETURN_IF_ERROR(check(c.strides, size_t(nsp), "strides"));
  BRISK_RETURN_IF_ERROR(check(c.dilations, size_t(nsp), "dilations"));
  BRISK_RETURN_IF_ERROR(check(c.pads, size_t(2 * nsp), "pads"));
  g.kernel = c.kernel_shape.empty() ? w_kernel : c.kernel_shape;
  for (int i = 0; i < nsp; ++i) {
    if (!c.kernel_shape.empty() && w_kernel[size_t(i)] >= 0 &&
        w_kernel[size_t(i)] != c.kernel_shape[size_t(i)]) {
      return InvalidArgument("attribute 'kernel_shape' does not match the shape of input 'w'");
    }
  }
  g.stride = c.strides.empty() ? std::vector<int64_t>(size_t(nsp), 1) : c.strides;
  g.dilation = c.dilations.empty() ? std::vector<int64_t>(size_t(nsp), 1) : c.dilations;
  g.pad_begin.assign(size_t(nsp), 0);
  g.pad_end.assign(size_t(nsp), 0);
  if (c.auto_pad == "NOTSET" && !c.pads.empty()) {
    for (int i = 0; i < nsp; ++i) {
      g.pad_begin[size_t(i)] = c.pads[size_t(i)];
      g.pad_end[size_t(i)] = c.pads[size_t(nsp + i)];
    }
  }
  return g;
}

// Output size of spatial dim i for input size `in` (also fixes SAME pads); -1 if unknown.
StatusOr<int64_t> OutputDim(const ConvAttrs& c, Geometry& g, int i, int64_t in) {
  const int64_t k = g.kernel[size_t(i)];
  if (in < 0 || k < 0) return int64_t(-1);
  const int64_t s = g.stride[size_t(i)], d = g.dilation[size_t(i)];
  const int64_t dk = (k - 1) * d + 1;
  if (c.auto_pad == "SAME_UPPER" || c.auto_pad == "SAME_LOWER") {
    const int64_t out = (in + s - 1) / s;
    const int64_t total = std::max<int64_t>(0, (out - 1) * s + dk - in);
    const int64_t small = total / 2;
    g.pad_begin[size_t(i)] = c.auto_pad == "SAME_UPPER" ? small : total - small;
    g.pad_end[size_t(i)] = total - g.pad_begin[size_t(i)];
    return out;
  }
  const int64_t span = in + g.pad_begin[size_t(i)] + g.pad_end[size_t(i)] - dk;
  if (span < 0) {
    return InvalidArgument("input 'x': spatial dim " + std::to_string(i) + " of size " +
                           std::to_string(in) + " (padded) is smaller than the dilated kernel " +
                           std::to_string(dk));
  }
  return span / s + 1;
}

// Shared inference: x is input 0, w is input `w_index`; the output dtype is given.
Status InferConv(InferenceContext& ctx, int w_index, DType out_dtype) {
  BRISK_ASSIGN_OR_RETURN(ConvAttrs c, ParseConvAttrs(ctx.attrs()));
  const auto& xs = ctx.input_type(0).shape;
  const auto& ws = ctx.input_type(w_index).shape;
  if (!xs) {
    ctx.set_output(0, out_dtype, std::nullopt);
    return Status::Ok();
  }
  if (xs->rank() < 3) {
    return InvalidArgument("input 0 'x': expected rank >= 3, got " + xs->ToString());
  }
  if (ws && ws->rank() != xs->rank()) {
    return InvalidArgument("input " + std::to_string(w_index) + " 'w': rank " +
                           std::to_string(ws->rank()) + " differs from input 0 'x' rank " +
                           std::to_string(xs->rank()));
  }
  const int nsp = xs->rank() - 2;
  std::vector<int64_t> wk(size_t(nsp), -1);
  if (ws) {
    for (int i = 0; i < nsp; ++i) wk[size_t(i)] = ws->dims[size_t(i + 2)].value;
  }
  BRISK_ASSIGN_OR_RETURN(Geometry g, MakeGeometry(c, nsp, wk));
  SymbolicShape out;
  out.dims.push_back(xs->dims[0]);
  out.dims.push_back(ws ? ws->dims[0] : Dim::Unknown());
  for (int i = 0; i < nsp; ++i) {
    const Dim& in = xs->dims[size_t(i + 2)];
    BRISK_ASSIGN_OR_RETURN(int64_t o, OutputDim(c, g, i, in.is_known() ? in.value : -1));
    out.dims.push_back(o >= 0 ? Dim::Known(o) : Dim::Unknown());
  }
  ctx.set_output(0, out_dtype, out);
  return Status::Ok();
}

// acc[N, M, out...] (int32) = conv(x - x_zp, w - w_zp) + bias[m].
struct ConvResult {
  Shape shape;
  std::vector<int32_t> acc;
};

StatusOr<ConvResult> ConvInt(const KernelContext& ctx, int xi, int xzi, int wi, int wzi,
                             const Tensor* bias) {
  BRISK_ASSIGN_OR_RETURN(ConvAttrs c, ParseConvAttrs(ctx.attrs()));
  const Tensor& x = *ctx.input(xi);
  const Tensor& w = *ctx.input(wi);
  const std::string w_what = "input " + std::to_string(wi) + " 'w'";
  if (x.rank() < 3) {
    return InvalidArgument("input 0 'x': expected rank >= 3, got " + x.shape().ToString());
  }
  if (w.rank() != x.rank()) {
    return InvalidArgument(w_what + ": expected rank " + std::to_string(x.rank()) + ", got " +
                           w.shape().ToString());
  }
  const int nsp = x.rank() - 2;
  const int64_t N = x.dim(0), C = x.dim(1), M = w.dim(0), G = c.group;
  if (C != w.dim(1) * G) {
    return InvalidArgument(w_what + ": " + std::to_string(w.dim(1)) + " input channels x group " +
                           std::to_string(G) + " differ from input 0 'x' channels " +
                           std::to_string(C));
  }
  if (M % G != 0) {
    return InvalidArgument(w_what + ": " + std::to_string(M) +
                           " output channels are not divisible by group " + std::to_string(G));
  }
  std::vector<int64_t> wk(w.shape().dims().begin() + 2, w.shape().dims().end());
  for (int64_t k : wk)
    if (k == 0) return InvalidArgument(w_what + ": kernel dims must be positive");
  BRISK_ASSIGN_OR_RETURN(Geometry g, MakeGeometry(c, nsp, wk));
  std::vector<int64_t> out_dims = {N, M};
  for (int i = 0; i < nsp; ++i) {
    BRISK_ASSIGN_OR_RETURN(int64_t o, OutputDim(c, g, i, x.dim(i + 2)));
    out_dims.push_back(o);
  }
  ConvResult r{Shape(out_dims), {}};
  BRISK_RETURN_IF_ERROR(r.shape.Validate());

  // Zero points: x per tensor; w per tensor or per output channel.
  const Tensor* xzp = ctx.input(xzi);
  const Tensor* wzp = ctx.input(wzi);
  const std::string xz_what = "input " + std::to_string(xzi) + " 'x_zero_point'";
  const std::string wz_what = "input " + std::to_string(wzi) + " 'w_zero_point'";
  if (xzp != nullptr && xzp->num_elements() != 1) {
    return InvalidArgument(xz_what + ": expected a scalar, got " + xzp->shape().ToString());
  }
  Shape wz_shape{};
  if (wzp != nullptr && wzp->num_elements() != 1) {
    if (wzp->rank() != 1 || wzp->dim(0) != M) {
      return InvalidArgument(wz_what + ": expected a scalar or shape [" + std::to_string(M) +
                             "], got " + wzp->shape().ToString());
    }
    std::vector<int64_t> d(size_t(w.rank()), 1);
    d[0] = M;
    wz_shape = Shape(d);
  }
  std::vector<int32_t> xs, ws;
  BRISK_RETURN_IF_ERROR(quant::SubtractZeroPoint(x, xzp, Shape{}, xz_what, xs));
  BRISK_RETURN_IF_ERROR(quant::SubtractZeroPoint(w, wzp, wz_shape, wz_what, ws));
  std::vector<int32_t> bias_v;
  if (bias != nullptr) {
    if (bias->dtype() != DType::kInt32 || bias->rank() != 1 || bias->dim(0) != M) {
      return InvalidArgument("input 8 'B': expected int32[" + std::to_string(M) + "], got " +
                             bias->TypeString());
    }
    bias_v.assign(bias->data<int32_t>(), bias->data<int32_t>() + M);
  }

  const int64_t Cg = C / G, Mg = M / G;
  int64_t kprod = 1, out_sp = 1, in_sp = 1;
  for (int i = 0; i < nsp; ++i) {
    kprod *= wk[size_t(i)];
    out_sp *= out_dims[size_t(i + 2)];
    in_sp *= x.dim(i + 2);
  }
  r.acc.assign(size_t(r.shape.NumElements()), 0);
  if (r.acc.empty()) return r;
  const int64_t rows = Cg * kprod;
  std::vector<int32_t> col(static_cast<size_t>(rows * out_sp));
  std::vector<int64_t> kidx(static_cast<size_t>(nsp)), oidx(static_cast<size_t>(nsp));
  std::vector<int64_t> in_strides(size_t(nsp), 1);
  for (int i = nsp - 2; i >= 0; --i) {
    in_strides[size_t(i)] = in_strides[size_t(i + 1)] * x.dim(i + 3);
  }
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t gi = 0; gi < G; ++gi) {
      // im2col: col[(c, k...), (o...)] = xs[n, gi*Cg + c, o*s - pb + k*d] (0 outside).
      for (int64_t row = 0; row < rows; ++row) {
        const int64_t cc = row / kprod;
        int64_t rem = row % kprod;
        for (int i = nsp - 1; i >= 0; --i) {
          kidx[size_t(i)] = rem % wk[size_t(i)];
          rem /= wk[size_t(i)];
        }
        const int32_t* src = xs.data() + (n * C + gi * Cg + cc) * in_sp;
        int32_t* dst = col.data() + row * out_sp;
        // Walk the output positions of all but the last spatial dim; the last is a strided run.
        const int last = nsp - 1;
        const int64_t out_last = out_dims[size_t(last + 2)], in_last = x.dim(last + 2);
        const int64_t s_last = g.stride[size_t(last)];
        const int64_t base_last =
            kidx[size_t(last)] * g.dilation[size_t(last)] - g.pad_begin[size_t(last)];
        std::fill(oidx.begin(), oidx.end(), 0);
        for (int64_t o = 0; o < out_sp; o += out_last) {
          int64_t off = 0;
          bool inside = true;
          for (int i = 0; i < last; ++i) {
            const int64_t p = oidx[size_t(i)] * g.stride[size_t(i)] - g.pad_begin[size_t(i)] +
                              kidx[size_t(i)] * g.dilation[size_t(i)];
            if (p < 0 || p >= x.dim(i + 2)) inside = false;
            off += p * in_strides[size_t(i)];
          }
          int32_t* d = dst + o;
          if (!inside) {
            std::fill(d, d + out_last, 0);
          } else {
            const int32_t* srow = src + off;
            for (int64_t ol = 0; ol < out_last; ++ol) {
              const int64_t p = ol * s_last + base_last;
              d[ol] = (p >= 0 && p < in_last) ? srow[p] : 0;
            }
          }
          for (int i = last - 1; i >= 0; --i) {
            if (++oidx[size_t(i)] < out_dims[size_t(i + 2)]) break;
            oidx[size_t(i)] = 0;
          }
        }
      }
      int32_t* out = r.acc.data() + (n * M + gi * Mg) * out_sp;
      quant::IntGemm(ws.data() + gi * Mg * rows, col.data(), out, Mg, rows, out_sp);
      if (!bias_v.empty()) {
        for (int64_t m = 0; m < Mg; ++m) {
          const int64_t bv = bias_v[size_t(gi * Mg + m)];
          for (int64_t o = 0; o < out_sp; ++o) {
            out[m * out_sp + o] = int32_t(int64_t(out[m * out_sp + o]) + bv);
          }
        }
      }
    }
  }
  return r;
}

Status RequireInt8(const KernelContext& ctx, int i, const char* name) {
  const Tensor* t = ctx.input(i);
  if (t == nullptr) {
    return InvalidArgument("input " + std::to_string(i) + " '" + name + "' is required");
  }
  if (!quant::IsQuant8(t->dtype())) {
    return Unimplemented("input " + std::to_string(i) + " '" + name + "': dtype " +
                         std::string(DTypeName(t->dtype())) +
                         " is not supported (expected int8 or uint8)");
  }
  return Status::Ok();
}

// ---- ConvInteger ---------------------------------------------------------------------------

Status ConvIntegerCompute(KernelContext& ctx) {
  BRISK_RETURN_IF_ERROR(RequireInt8(ctx, 0, "x"));
  BRISK_RETURN_IF_ERROR(RequireInt8(ctx, 1, "w"));
  BRISK_ASSIGN_OR_RETURN(ConvResult r, ConvInt(ctx, 0, 2, 1, 3, nullptr));
  BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kInt32, r.shape));
  std::copy(r.acc.begin(), r.acc.end(), y->data<int32_t>());
  return Status::Ok();
}

// ---- QLinearConv ---------------------------------------------------------------------------

StatusOr<std::vector<double>> ReadScale(const KernelContext& ctx, int i, const char* name,
                                        int64_t per_channel) {
  const Tensor* t = ctx.input(i);
  const std::string what = "input " + std::to_string(i) + " '" + name + "'";
  if (t == nullptr) return InvalidArgument(what + " is required");
  if (!IsFloatingPoint(t->dtype())) {
    return InvalidArgument(what + ": expected a floating-point dtype, got " +
                           std::string(DTypeName(t->dtype())));
  }
  const bool scalar = t->num_elements() == 1 && t->rank() <= 1;
  const bool vec = per_channel > 0 && t->rank() == 1 && t->dim(0) == per_channel;
  if (!scalar && !vec) {
    return InvalidArgument(what + ": expected a scalar" +
                           (per_channel > 0 ? " or shape [" + std::to_string(per_channel) + "]"
                                            : std::string()) +
                           ", got " + t->shape().ToString());
  }
  return quant::ReadAsDouble(*t, what);
}

Status QLinearConvCompute(KernelContext& ctx) {
  BRISK_RETURN_IF_ERROR(RequireInt8(ctx, 0, "x"));
  BRISK_RETURN_IF_ERROR(RequireInt8(ctx, 3, "w"));
  BRISK_RETURN_IF_ERROR(RequireInt8(ctx, 7, "y_zero_point"));
  const Tensor& w = *ctx.input(3);
  const Tensor& yzp = *ctx.input(7);
  if (yzp.num_elements() != 1) {
    return InvalidArgument("input 7 'y_zero_point': expected a scalar, got " +
                           yzp.shape().ToString());
  }
  const int64_t M = w.rank() > 0 ? w.dim(0) : 0;
  BRISK_ASSIGN_OR_RETURN(std::vector<double> x_scale, ReadScale(ctx, 1, "x_scale", 0));
  BRISK_ASSIGN_OR_RETURN(std::vector<double> w_scale, ReadScale(ctx, 4, "w_scale", M));
  BRISK_ASSIGN_OR_RETURN(std::vector<double> y_scale, ReadScale(ctx, 6, "y_scale", 0));
  BRISK_ASSIGN_OR_RETURN(ConvResult r, ConvInt(ctx, 0, 2, 3, 5, ctx.input(8)));
  BRISK_ASSIGN_OR_RETURN(std::vector<double> zp,
                         quant::ReadAsDouble(yzp, "input 7 'y_zero_point'"));
  BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, yzp.dtype(), r.shape));
  const int64_t out_sp = r.shape.NumElements(2, r.shape.rank());
  return quant::DispatchQuant(yzp.dtype(), "input 7 'y_zero_point'", false,
                              [&]<typename Q>() -> Status {
    Q* py = y->data<Q>();
    for (size_t e = 0; e < r.acc.size(); ++e) {
      const int64_t m = out_sp == 0 ? 0 : (int64_t(e) / out_sp) % M;
      const float ws = float(w_scale[w_scale.size() == 1 ? 0 : size_t(m)]);
      const float mult = float(x_scale[0]) * ws / float(y_scale[0]);
      py[e] = quant::RoundSaturate<Q>(double(r.acc[e]) * double(mult) + zp[0]);
    }
    return Status::Ok();
  });
}

}  // namespace

BRISK_REGISTER_OPS(quant_conv) {
  Op("ConvInteger")
      .Since(10)
      .Infer([](InferenceContext& ctx) { return InferConv(ctx, 1, DType::kInt32); })
      .Compute(ConvIntegerCompute);
  Op("QLinearConv")
      .Since(10)
      .Infer([](InferenceContext& ctx) { return InferConv(ctx, 3, ctx.input_type(7).dtype); })
      .Compute(QLinearConvCompute);
}

}  // namespace brisk
