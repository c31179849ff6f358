// DeformConv (opset 19), 2-D: a grouped convolution whose kernel taps are sampled at learned
// fractional offsets. X [N, C, H, W], W [M, C/group, kH, kW], offset [N, offset_group*2*kH*kW,
// oH, oW] (per offset group and tap (i, j): dh then dw), optional B [M], optional mask
// [N, offset_group*kH*kW, oH, oW] (multiplies each sampled value; default 1). Tap (i, j) of
// output (y, x) samples X at (y*sH - padH + i*dH + dh, x*sW - padW + j*dW + dw) bilinearly,
// with zeros outside the image. Channels are split into offset_group contiguous blocks, each
// using its own offsets and mask. Computed as sampled im2col followed by a per-group GEMM.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

constexpr char kX[] = "input 0 'X'";
constexpr char kW[] = "input 1 'W'";
constexpr char kOffset[] = "input 2 'offset'";
constexpr char kB[] = "input 3 'B'";
constexpr char kMask[] = "input 4 'mask'";

std::string Str(int64_t v) { return std::to_string(v); }

struct DeformAttrs {
  std::vector<int64_t> kernel_shape;  // empty: from W
  std::vector<int64_t> strides{1, 1}, dilations{1, 1}, pads{0, 0, 0, 0};
  int64_t group = 1, offset_group = 1;
};

StatusOr<DeformAttrs> ParseDeformAttrs(const ir::AttributeMap& attrs) {
  DeformAttrs a;
  BRISK_ASSIGN_OR_RETURN(a.kernel_shape, attrs.GetInts("kernel_shape", std::vector<int64_t>{}));
  BRISK_ASSIGN_OR_RETURN(a.strides, attrs.GetInts("strides", std::vector<int64_t>{1, 1}));
  BRISK_ASSIGN_OR_RETURN(a.dilations, attrs.GetInts("dilations", std::vector<int64_t>{1, 1}));
  BRISK_ASSIGN_OR_RETURN(a.pads, attrs.GetInts("pads", std::vector<int64_t>{0, 0, 0, 0}));
  BRISK_ASSIGN_OR_RETURN(a.group, attrs.GetInt("group", 1));
  BRISK_ASSIGN_OR_RETURN(a.offset_group, attrs.GetInt("offset_group", 1));
  if (!a.kernel_shape.empty() && a.kernel_shape.size() != 2)
    return Unimplemented("attribute 'kernel_shape': only 2-D DeformConv is supported, got " +
                         Str(int64_t(a.kernel_shape.size())) + " dims");
  for (int64_t k : a.kernel_shape)
    if (k < 1) return InvalidArgument("attribute 'kernel_shape': values must be >= 1");
  if (a.strides.size() != 2 || a.strides[0] < 1 || a.strides[1] < 1)
    return InvalidArgument("attribute 'strides': expected 2 values >= 1");
  if (a.dilations.size() != 2 || a.dilations[0] < 1 || a.dilations[1] < 1)
    return InvalidArgument("attribute 'dilations': expected 2 values >= 1");
  if (a.pads.size() != 4 || *std::min_element(a.pads.begin(), a.pads.end()) < 0)
    return InvalidArgument("attribute 'pads': expected 4 values >= 0");
  if (a.group < 1) return InvalidArgument("attribute 'group' must be >= 1, got " + Str(a.group));
  if (a.offset_group < 1)
    return InvalidArgument("attribute 'offset_group' must be >= 1, got " + Str(a.offset_group));
  return a;
}

// Output extent of one spatial axis, or an error when the kernel does not fit.
StatusOr<int64_t> OutExtent(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe,
                            int axis) {
  const int64_t span = (k - 1) * d + 1;
  const int64_t padded = in + pb + pe;
  if (padded < span) {
    return InvalidArgument(std::string(kX) + ": spatial dim " + Str(axis) + " of size " +
                           Str(in) + " (padded " + Str(padded) + ") is smaller than the dilated "
                           "kernel extent " + Str(span));
  }
  return (padded - span) / s + 1;
}

bool Conflict(const Dim& a, const Dim& b) {
  return a.is_known() && b.is_known() && a.value != b.value;
}

Status InferDeformConv(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(DeformAttrs a, ParseDeformAttrs(ctx.attrs()));
  const ir::TypeInfo& x = ctx.input_type(0);
  const ir::TypeInfo& w = ctx.input_type(1);
  const ir::TypeInfo& off = ctx.input_type(2);
  const char* names[] = {kX, kW, kOffset, kB, kMask};
  for (int i = 0; i < 5; ++i) {
    if (!ctx.has_input(i)) continue;
    const DType d = ctx.input_type(i).dtype;
    if (d != DType::kUndefined && !IsFloatingPoint(d)) {
      return InvalidArgument(std::string(names[i]) + ": dtype " + std::string(DTypeName(d)) +
                             " is not supported (expected a floating-point type)");
    }
    if (i > 0 && d != DType::kUndefined && x.dtype != DType::kUndefined && d != x.dtype) {
      return InvalidArgument(std::string(names[i]) + ": dtype " + std::string(DTypeName(d)) +
                             " differs from " + kX + " dtype " +
                             std::string(DTypeName(x.dtype)));
    }
  }
  const int want_rank[] = {4, 4, 4, 1, 4};
  for (int i = 0; i < 5; ++i) {
    if (!ctx.has_input(i) || !ctx.input_type(i).shape) continue;
    if (ctx.input_type(i).shape->rank() != want_rank[i]) {
      return InvalidArgument(std::string(names[i]) + ": expected rank " + Str(want_rank[i]) +
                             " (2-D DeformConv), got " + ctx.input_type(i).shape->ToString());
    }
  }
  SymbolicShape out({Dim::Unknown(), Dim::Unknown(), Dim::Unknown(), Dim::Unknown()});
  if (x.shape) out.dims[0] = x.shape->dims[0];
  if (w.shape) out.dims[1] = w.shape->dims[0];
  if (off.shape) {
    if (x.shape && Conflict(off.shape->dims[0], x.shape->dims[0])) {
      return InvalidArgument(std::string(kOffset) + ": batch " + off.shape->dims[0].ToString() +
                             " differs from " + kX + " batch " + x.shape->dims[0].ToString());
    }
    out.dims[2] = off.shape->dims[2];
    out.dims[3] = off.shape->dims[3];
  }
  if (w.shape && !a.kernel_shape.empty()) {
    for (int i = 0; i < 2; ++i) {
      if (Conflict(w.shape->dims[size_t(2 + i)], Dim::Known(a.kernel_shape[size_t(i)]))) {
        return InvalidArgument("attribute 'kernel_shape' differs from the spatial dims of " +
                               std::string(kW) + " " + w.shape->ToString());
      }
    }
  }
  if (x.shape && w.shape) {
    for (int i = 0; i < 2; ++i) {
      const Dim& in = x.shape->dims[size_t(2 + i)];
      Dim k = a.kernel_shape.empty() ? w.shape->dims[size_t(2 + i)]
                                     : Dim::Known(a.kernel_shape[size_t(i)]);
      if (!in.is_known() || !k.is_known()) continue;
      BRISK_ASSIGN_OR_RETURN(int64_t o, OutExtent(in.value, k.value, a.strides[size_t(i)],
                                                  a.dilations[size_t(i)], a.pads[size_t(i)],
                                                  a.pads[size_t(i + 2)], i));
      if (Conflict(out.dims[size_t(2 + i)], Dim::Known(o))) {
        return InvalidArgument(std::string(kOffset) + ": spatial dim " + Str(i) + " is " +
                               out.dims[size_t(2 + i)].ToString() + ", expected " + Str(o));
      }
      out.dims[size_t(2 + i)] = Dim::Known(o);
    }
    if (Conflict(x.shape->dims[1], w.shape->dims[1].is_known()
                                      ? Dim::Known(w.shape->dims[1].value * a.group)
                                      : Dim::Unknown())) {
      return InvalidArgument(std::string(kW) + ": expected C/group = " +
                             x.shape->dims[1].ToString() + "/" + Str(a.group) +
                             " input channels, got shape " + w.shape->ToString());
    }
  }
  ctx.set_output(0, x.dtype, out);
  return Status::Ok();
}

// Bilinear sample of a [h, w] image at (y, x); zero outside.
inline double Sample(const double* img, int64_t h, int64_t w, double y, double x) {
  if (!(y > -1.0 && y < double(h) && x > -1.0 && x < double(w))) return 0.0;
  const double yf = std::floor(y), xf = std::floor(x);
  const int64_t y0 = int64_t(yf), x0 = int64_t(xf);
  const double ly = y - yf, lx = x - xf;
  double v = 0;
  auto at = [&](int64_t yy, int64_t xx, double wt) {
    if (wt != 0 && yy >= 0 && yy < h && xx >= 0 && xx < w) v += wt * img[yy * w + xx];
  };
  at(y0, x0, (1 - ly) * (1 - lx));
  at(y0, x0 + 1, (1 - ly) * lx);
  at(y0 + 1, x0, ly * (1 - lx));
  at(y0 + 1, x0 + 1, ly * lx);
  return v;
}

std::vector<double> ToDoubleVec(const Tensor& t) {
  std::vector<double> v(static_cast<size_t>(t.num_elements()));
  (void)DispatchFloat(t.dtype(), "t", [&]<typename T>() -> Status {
    for (size_t i = 0; i < v.size(); ++i) v[i] = ToDouble(t.data<T>()[i]);
    return Status::Ok();
  });
  return v;
}

class DeformConvKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(DeformAttrs a, ParseDeformAttrs(init.attrs()));
    return MakeKernel<DeformConvKernel>(std::move(a));
  }
  explicit DeformConvKernel(DeformAttrs a) : a_(std::move(a)) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    const Tensor* w = ctx.input(1);
    const Tensor* off = ctx.input(2);
    const Tensor* b = ctx.input(3);
    const Tensor* mask = ctx.input(4);
    if (x == nullptr) return InvalidArgument(std::string(kX) + " is required");
    if (w == nullptr) return InvalidArgument(std::string(kW) + " is required");
    if (off == nullptr) return InvalidArgument(std::string(kOffset) + " is required");
    if (x->rank() != 4) {
      return InvalidArgument(std::string(kX) +
                             ": expected rank 4 [N, C, H, W] (2-D DeformConv), got " +
                             x->shape().ToString());
    }
    if (!IsFloatingPoint(x->dtype())) {
      return InvalidArgument(std::string(kX) + ": dtype " + std::string(DTypeName(x->dtype())) +
                             " is not supported (expected a floating-point type)");
    }
    const Tensor* all[] = {x, w, off, b, mask};
    const char* names[] = {kX, kW, kOffset, kB, kMask};
    for (int i = 1; i < 5; ++i) {
      if (all[i] != nullptr && all[i]->dtype() != x->dtype()) {
        return InvalidArgument(std::string(names[i]) + ": dtype " +
                               std::string(DTypeName(all[i]->dtype())) + " differs from " + kX +
                               " dtype " + std::string(DTypeName(x->dtype())));
      }
    }
    const int64_t n = x->dim(0), c = x->dim(1), ih = x->dim(2), iw = x->dim(3);
    const int64_t g = a_.group, og = a_.offset_group;
    if (w->rank() != 4) {
      return InvalidArgument(std::string(kW) + ": expected rank 4 [M, C/group, kH, kW], got " +
                             w->shape().ToString());
    }
    const int64_t m = w->dim(0);
    if (w->dim(1) * g != c || m % g != 0) {
      return InvalidArgument(std::string(kW) + ": shape " + w->shape().ToString() +
                             " does not match " + Str(c) + " input channels and group " + Str(g) +
                             " (expected [M, C/group, kH, kW] with M divisible by group)");
    }
    if (c % og != 0) {
      return InvalidArgument("attribute 'offset_group' " + Str(og) +
                             " does not divide the input channel count " + Str(c));
    }
    const int64_t kh = w->dim(2), kw = w->dim(3);
    if (!a_.kernel_shape.empty() && (a_.kernel_shape[0] != kh || a_.kernel_shape[1] != kw)) {
      return InvalidArgument("attribute 'kernel_shape' differs from the spatial dims of " +
                             std::string(kW) + " " + w->shape().ToString());
    }
    BRISK_ASSIGN_OR_RETURN(int64_t oh, OutExtent(ih, kh, a_.strides[0], a_.dilations[0],
                                                 a_.pads[0], a_.pads[2], 0));
    BRISK_ASSIGN_OR_RETURN(int64_t ow, OutExtent(iw, kw, a_.strides[1], a_.dilations[1],
                                                 a_.pads[1], a_.pads[3], 1));
    const int64_t taps = kh * kw;
    const Shape want_off{n, og * 2 * taps, oh, ow};
    if (off->shape() != want_off) {
      return InvalidArgument(std::string(kOffset) + ": expected shape " + want_off.ToString() +
                             ", got " + off->shape().ToString());
    }
    if (b != nullptr && b->shape() != Shape{m}) {
      return InvalidArgument(std::string(kB) + ": expected shape [" + Str(m) + "], got " +
                             b->shape().ToString());
    }
    const Shape want_mask{n, og * taps, oh, ow};
    if (mask != nullptr && mask->shape() != want_mask) {
      return InvalidArgument(std::string(kMask) + ": expected shape " + want_mask.ToString() +
                             ", got " + mask->shape().ToString());
    }
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), Shape{n, m, oh, ow}));
    if (y->num_elements() == 0) return Status::Ok();

    const std::vector<double> xs = ToDoubleVec(*x), ws = ToDoubleVec(*w),
                              offs = ToDoubleVec(*off);
    const std::vector<double> bs = b ? ToDoubleVec(*b) : std::vector<double>();
    const std::vector<double> ms = mask ? ToDoubleVec(*mask) : std::vector<double>();
    const int64_t spatial = oh * ow, cpg = c / og, icg = c / g, ocg = m / g;
    const int64_t rows = c * taps;  // im2col rows: (channel, tap)
    std::vector<double> col(static_cast<size_t>(rows * spatial));
    std::vector<double> out(static_cast<size_t>(m * spatial));
    for (int64_t bi = 0; bi < n; ++bi) {
      for (int64_t ci = 0; ci < c; ++ci) {
        const int64_t gi = ci / cpg;
        const double* img = &xs[size_t((bi * c + ci) * ih * iw)];
        for (int64_t i = 0; i < kh; ++i) {
          for (int64_t j = 0; j < kw; ++j) {
            const int64_t tap = i * kw + j;
            const double* dy = &offs[size_t(((bi * og + gi) * taps + tap) * 2 * spatial)];
            const double* dx = dy + spatial;
            const double* mk =
                mask ? &ms[size_t(((bi * og + gi) * taps + tap) * spatial)] : nullptr;
            double* row = &col[size_t((ci * taps + tap) * spatial)];
            for (int64_t yo = 0; yo < oh; ++yo) {
              for (int64_t xo = 0; xo < ow; ++xo) {
                const int64_t p = yo * ow + xo;
                const double sy =
                    double(yo * a_.strides[0] - a_.pads[0] + i * a_.dilations[0]) + dy[p];
                const double sx =
                    double(xo * a_.strides[1] - a_.pads[1] + j * a_.dilations[1]) + dx[p];
                double v = Sample(img, ih, iw, sy, sx);
                if (mk) v *= mk[p];
                row[p] = v;
              }
            }
          }
        }
      }
      // out[mo, :] = sum_k W[mo, k] * col[group rows k, :]
      for (int64_t mo = 0; mo < m; ++mo) {
        const int64_t gi = mo / ocg;
        double* acc = &out[size_t(mo * spatial)];
        std::fill(acc, acc + spatial, bs.empty() ? 0.0 : bs[size_t(mo)]);
        for (int64_t k = 0; k < icg * taps; ++k) {
          const double wv = ws[size_t(mo * icg * taps + k)];
          const double* src = &col[size_t((gi * icg * taps + k) * spatial)];
          for (int64_t p = 0; p < spatial; ++p) acc[p] += wv * src[p];
        }
      }
      BRISK_RETURN_IF_ERROR(DispatchFloat(x->dtype(), kX, [&]<typename T>() -> Status {
        T* dst = y->data<T>() + bi * m * spatial;
        for (int64_t i = 0; i < m * spatial; ++i) dst[i] = FromDouble<T>(out[size_t(i)]);
        return Status::Ok();
      }));
    }
    return Status::Ok();
  }

 private:
  DeformAttrs a_;
};

}  // namespace

BRISK_REGISTER_OPS(deform_conv) {
  Op("DeformConv").Since(19).Infer(InferDeformConv).Kernel<DeformConvKernel>();
}

}  // namespace brisk
