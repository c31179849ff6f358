// DFT (opset 17: axis attribute, default 1; opset 20: axis input, default -2) and STFT (opset 17).
//
// Signals are real ([..., 1]) or complex ([..., 2]: real, imaginary) in the last dim; the output
// is always complex ([..., 2]). DFT: y[k] = sum_n x[n] e^{-2 pi i k n / L} over `axis`, with L =
// dft_length (default the axis length; the signal is truncated or zero-padded to L); the inverse
// divides by L and uses e^{+...}. onesided keeps bins [0, L/2] (like the ONNX reference, the
// inverse and complex inputs are sliced the same way). STFT: signal [B, T, 1|2] cut into
// frames of frame_length every frame_step samples, each multiplied by `window` and transformed.
// The transforms are computed in double with an exact twiddle table (index k*n mod L): O(L^2)
// per line, radix-2 FFT when L is a power of two.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

std::string DTypeStr(DType d) { return std::string(DTypeName(d)); }

Status CheckFloatDtype(DType d, const char* what) {
  if (d == DType::kUndefined || IsFloatingPoint(d)) return Status::Ok();
  return InvalidArgument(std::string(what) + ": dtype " + DTypeStr(d) +
                         " is not supported (expected a floating-point type)");
}

// Reads an optional scalar integer input (int32/int64); nullopt when absent or empty.
StatusOr<std::optional<int64_t>> ScalarInt(const Tensor* t, const char* what) {
  if (t == nullptr || (t->rank() > 0 && t->num_elements() == 0)) return std::optional<int64_t>();
  BRISK_ASSIGN_OR_RETURN(std::vector<int64_t> v, ReadInts(*t, what));
  if (v.size() != 1) {
    return InvalidArgument(std::string(what) + ": expected a scalar, got shape " +
                           t->shape().ToString());
  }
  return std::optional<int64_t>(v[0]);
}

// The same at inference time: value if the input is a known constant.
std::optional<int64_t> ConstantScalar(const InferenceContext& ctx, int i) {
  if (!ctx.has_input(i)) return std::nullopt;
  std::optional<std::vector<int64_t>> v = ConstantInts(ctx, i);
  if (!v || v->size() != 1) return std::nullopt;
  return (*v)[0];
}

StatusOr<int> NormalizeSignalAxis(int64_t axis, int rank, const char* what) {
  // Accepted: [-r, -2] U [0, r-2].
  if (axis < -rank || axis > rank - 2 || axis == -1) {
    return InvalidArgument(std::string(what) + " " + std::to_string(axis) +
                           " is out of range for an input of rank " + std::to_string(rank) +
                           " (the last dim holds the real/imaginary parts)");
  }
  return int(axis < 0 ? axis + rank : axis);
}

// ---- 1-D complex transform -----------------------------------------------------------------

// Computes out[k] = scale * sum_n in[n] * e^{sign * 2 pi i k n / L}, k in [0, L), where `in`
// holds L complex values (re, im interleaved). `tw` is the twiddle table for L.
class Transform {
 public:
  Transform(int64_t length, bool inverse) : len_(length), inverse_(inverse) {
    const double sign = inverse ? 1.0 : -1.0;
    tw_re_.resize(static_cast<size_t>(len_));
    tw_im_.resize(static_cast<size_t>(len_));
    for (int64_t k = 0; k < len_; ++k) {
      const double a = sign * 2.0 * std::numbers::pi * double(k) / double(len_);
      tw_re_[size_t(k)] = std::cos(a);
      tw_im_[size_t(k)] = std::sin(a);
    }
    pow2_ = len_ > 0 && (len_ & (len_ - 1)) == 0;
  }

  // in/out: 2*L doubles each (interleaved).
  void Run(const std::vector<double>& in, std::vector<double>& out) const {
    out.assign(static_cast<size_t>(2 * len_), 0.0);
    if (pow2_) {
      Fft(in, out);
    } else {
      for (int64_t k = 0; k < len_; ++k) {
        double re = 0, im = 0;
        int64_t idx = 0;  // k*n mod L
        for (int64_t n = 0; n < len_; ++n) {
          const double xr = in[size_t(2 * n)], xi = in[size_t(2 * n + 1)];
          const double wr = tw_re_[size_t(idx)], wi = tw_im_[size_t(idx)];
          re += xr * wr - xi * wi;
          im += xr * wi + xi * wr;
          idx += k;
          if (idx >= len_) idx -= len_;
        }
        out[size_t(2 * k)] = re;
        out[size_t(2 * k + 1)] = im;
      }
    }
    if (inverse_) {
      for (double& v : out) v /= double(len_);
    }
  }

 private:
  void Fft(const std::vector<double>& in, std::vector<double>& out) const {
    int bits = 0;
    while ((int64_t(1) << bits) < len_) ++bits;
    for (int64_t i = 0; i < len_; ++i) {  // bit-reversed copy
      int64_t r = 0;
      for (int b = 0; b < bits; ++b)
        if (i & (int64_t(1) << b)) r |= int64_t(1) << (bits - 1 - b);
      out[size_t(2 * r)] = in[size_t(2 * i)];
      out[size_t(2 * r + 1)] = in[size_t(2 * i + 1)];
    }
    for (int64_t size = 2; size <= len_; size *= 2) {
      const int64_t half = size / 2, step = len_ / size;
      for (int64_t start = 0; start < len_; start += size) {
        for (int64_t j = 0; j < half; ++j) {
          const double wr = tw_re_[size_t(j * step)], wi = tw_im_[size_t(j * step)];
          const size_t a = size_t(2 * (start + j)), b = size_t(2 * (start + j + half));
          const double tr = out[b] * wr - out[b + 1] * wi;
          const double ti = out[b] * wi + out[b + 1] * wr;
          out[b] = out[a] - tr;
          out[b + 1] = out[a + 1] - ti;
          out[a] += tr;
          out[a + 1] += ti;
        }
      }
    }
  }

  int64_t len_;
  bool inverse_;
  bool pow2_ = false;
  std::vector<double> tw_re_, tw_im_;
};

// ---- DFT -----------------------------------------------------------------------------------

constexpr char kInput[] = "input 0 'input'";
constexpr char kDftLength[] = "input 1 'dft_length'";
constexpr char kAxisInput[] = "input 2 'axis'";

struct DftAttrs {
  bool inverse = false;
  bool onesided = false;
  int64_t axis_attr = 1;  // opset 17
};

StatusOr<DftAttrs> ParseDftAttrs(const ir::AttributeMap& attrs, int opset) {
  DftAttrs a;
  BRISK_ASSIGN_OR_RETURN(int64_t inverse, attrs.GetInt("inverse", 0));
  BRISK_ASSIGN_OR_RETURN(int64_t onesided, attrs.GetInt("onesided", 0));
  if (inverse != 0 && inverse != 1)
    return InvalidArgument("attribute 'inverse' must be 0 or 1, got " + std::to_string(inverse));
  if (onesided != 0 && onesided != 1) {
    return InvalidArgument("attribute 'onesided' must be 0 or 1, got " +
                           std::to_string(onesided));
  }
  a.inverse = inverse == 1;
  a.onesided = onesided == 1;
  if (opset < 20) {
    BRISK_ASSIGN_OR_RETURN(a.axis_attr, attrs.GetInt("axis", 1));
  }
  return a;
}

Status InferDft(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(DftAttrs a, ParseDftAttrs(ctx.attrs(), ctx.opset()));
  const ir::TypeInfo& x = ctx.input_type(0);
  BRISK_RETURN_IF_ERROR(CheckFloatDtype(x.dtype, kInput));
  if (!x.shape) {
    ctx.set_output(0, x.dtype, std::nullopt);
    return Status::Ok();
  }
  const int rank = x.shape->rank();
  if (rank < 2) {
    return InvalidArgument(std::string(kInput) + ": expected rank >= 2 ([..., 1 or 2]), got " +
                           std::to_string(rank));
  }
  const Dim& last = x.shape->dims.back();
  if (last.is_known() && last.value != 1 && last.value != 2) {
    return InvalidArgument(std::string(kInput) +
                           ": last dim must be 1 (real) or 2 (complex), got " +
                           std::to_string(last.value));
  }
  SymbolicShape out = *x.shape;
  out.dims.back() = Dim::Known(2);
  std::optional<int64_t> axis = a.axis_attr;
  if (ctx.opset() >= 20) {
    axis = ctx.has_input(2) ? ConstantScalar(ctx, 2) : std::optional<int64_t>(-2);
  }
  if (!axis) {  // the transformed axis is not known: every signal dim may change
    for (int i = 0; i + 1 < rank; ++i) out.dims[size_t(i)] = Dim::Unknown();
    ctx.set_output(0, x.dtype, out);
    return Status::Ok();
  }
  const char* axis_what = ctx.opset() >= 20 ? kAxisInput : "attribute 'axis'";
  BRISK_ASSIGN_OR_RETURN(int ax, NormalizeSignalAxis(*axis, rank, axis_what));
  Dim len = x.shape->dims[size_t(ax)];
  if (ctx.has_input(1)) {
    std::optional<int64_t> l = ConstantScalar(ctx, 1);
    if (l && *l < 1) {
      return InvalidArgument(std::string(kDftLength) + ": must be positive, got " +
                             std::to_string(*l));
    }
    len = l ? Dim::Known(*l) : Dim::Unknown();
  }
  if (a.onesided) len = len.is_known() ? Dim::Known(len.value / 2 + 1) : Dim::Unknown();
  out.dims[size_t(ax)] = len;
  ctx.set_output(0, x.dtype, out);
  return Status::Ok();
}

class DftKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(DftAttrs a, ParseDftAttrs(init.attrs(), init.opset()));
    return MakeKernel<DftKernel>(a);
  }
  explicit DftKernel(DftAttrs a) : a_(a) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (x == nullptr) return InvalidArgument(std::string(kInput) + " is required");
    const int rank = x->rank();
    if (rank < 2 || (x->shape().dims().back() != 1 && x->shape().dims().back() != 2)) {
      return InvalidArgument(std::string(kInput) +
                             ": expected shape [..., 1] (real) or [..., 2] (complex), got " +
                             x->shape().ToString());
    }
    int64_t axis = a_.axis_attr;
    const char* axis_what = "attribute 'axis'";
    if (ctx.opset() >= 20) {
      axis_what = kAxisInput;
      BRISK_ASSIGN_OR_RETURN(std::optional<int64_t> ax, ScalarInt(ctx.input(2), kAxisInput));
      axis = ax.value_or(-2);
    }
    BRISK_ASSIGN_OR_RETURN(int ax, NormalizeSignalAxis(axis, rank, axis_what));
    const int64_t n = x->dim(ax);
    BRISK_ASSIGN_OR_RETURN(std::optional<int64_t> dl, ScalarInt(ctx.input(1), kDftLength));
    const int64_t length = dl.value_or(n);
    if (length < 1) {
      return InvalidArgument(std::string(kDftLength) + ": must be positive, got " +
                             std::to_string(length));
    }
    const int64_t out_len = a_.onesided ? length / 2 + 1 : length;
    Shape out_shape = x->shape();
    out_shape[ax] = out_len;
    out_shape[rank - 1] = 2;
    BRISK_RETURN_IF_ERROR(out_shape.Validate());
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), out_shape));
    const int64_t comps = x->dim(rank - 1);
    const int64_t outer = x->shape().NumElements(0, ax);
    const int64_t inner = x->shape().NumElements(ax + 1, rank - 1);
    if (y->num_elements() == 0) return Status::Ok();
    const Transform tr(length, a_.inverse);
    return DispatchFloat(x->dtype(), kInput, [&]<typename T>() -> Status {
      const T* xs = x->data<T>();
      T* ys = y->data<T>();
      std::vector<double> in(static_cast<size_t>(2 * length)), res;
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i = 0; i < inner; ++i) {
          std::fill(in.begin(), in.end(), 0.0);
          for (int64_t j = 0; j < std::min(n, length); ++j) {
            const T* e = xs + ((o * n + j) * inner + i) * comps;
            in[size_t(2 * j)] = ToDouble(e[0]);
            if (comps == 2) in[size_t(2 * j + 1)] = ToDouble(e[1]);
          }
          tr.Run(in, res);
          for (int64_t k = 0; k < out_len; ++k) {
            T* e = ys + ((o * out_len + k) * inner + i) * 2;
            e[0] = FromDouble<T>(res[size_t(2 * k)]);
            e[1] = FromDouble<T>(res[size_t(2 * k + 1)]);
          }
        }
      }
      return Status::Ok();
    });
  }

 private:
  DftAttrs a_;
};

// ---- STFT ----------------------------------------------------------------------------------

constexpr char kSignal[] = "input 0 'signal'";
constexpr char kFrameStep[] = "input 1 'frame_step'";
constexpr char kWindow[] = "input 2 'window'";
constexpr char kFrameLength[] = "input 3 'frame_length'";

StatusOr<bool> ParseOnesided(const ir::AttributeMap& attrs) {
  BRISK_ASSIGN_OR_RETURN(int64_t onesided, attrs.GetInt("onesided", 1));
  if (onesided != 0 && onesided != 1) {
    return InvalidArgument("attribute 'onesided' must be 0 or 1, got " +
                           std::to_string(onesided));
  }
  return onesided == 1;
}

Status InferStft(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(bool onesided, ParseOnesided(ctx.attrs()));
  const ir::TypeInfo& x = ctx.input_type(0);
  BRISK_RETURN_IF_ERROR(CheckFloatDtype(x.dtype, kSignal));
  if (ctx.has_input(2)) {
    const ir::TypeInfo& w = ctx.input_type(2);
    BRISK_RETURN_IF_ERROR(CheckFloatDtype(w.dtype, kWindow));
    if (w.shape && w.shape->rank() != 1) {
      return InvalidArgument(std::string(kWindow) + ": expected rank 1, got " +
                             w.shape->ToString());
    }
  }
  if (x.shape && x.shape->rank() != 3) {
    return InvalidArgument(std::string(kSignal) +
                           ": expected rank 3 [batch, length, 1 or 2], got " +
                           x.shape->ToString());
  }
  if (x.shape && x.shape->dims[2].is_known() && x.shape->dims[2].value != 1 &&
      x.shape->dims[2].value != 2) {
    return InvalidArgument(std::string(kSignal) +
                           ": last dim must be 1 (real) or 2 (complex), got " +
                           x.shape->ToString());
  }
  Dim frame_len = Dim::Unknown();
  if (ctx.has_input(3)) {
    if (std::optional<int64_t> l = ConstantScalar(ctx, 3)) frame_len = Dim::Known(*l);
  } else if (ctx.has_input(2) && ctx.input_type(2).shape) {
    frame_len = ctx.input_type(2).shape->dims[0];
  } else if (!ctx.has_input(2) && x.shape) {
    frame_len = x.shape->dims[1];
  }
  if (frame_len.is_known() && frame_len.value < 1) {
    return InvalidArgument(std::string(kFrameLength) + ": must be positive, got " +
                           std::to_string(frame_len.value));
  }
  std::optional<int64_t> step = ConstantScalar(ctx, 1);
  if (step && *step < 1) {
    return InvalidArgument(std::string(kFrameStep) + ": must be positive, got " +
                           std::to_string(*step));
  }
  Dim frames = Dim::Unknown();
  if (x.shape && x.shape->dims[1].is_known() && frame_len.is_known() && step) {
    const int64_t len = x.shape->dims[1].value;
    if (len < frame_len.value) {
      return InvalidArgument(std::string(kSignal) + ": length " + std::to_string(len) +
                             " is shorter than the frame length " +
                             std::to_string(frame_len.value));
    }
    frames = Dim::Known(1 + (len - frame_len.value) / *step);
  }
  Dim bins = frame_len;
  if (onesided) bins = frame_len.is_known() ? Dim::Known(frame_len.value / 2 + 1) : Dim::Unknown();
  const Dim batch = x.shape ? x.shape->dims[0] : Dim::Unknown();
  ctx.set_output(0, x.dtype, SymbolicShape({batch, frames, bins, Dim::Known(2)}));
  return Status::Ok();
}

class StftKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(bool onesided, ParseOnesided(init.attrs()));
    return MakeKernel<StftKernel>(onesided);
  }
  explicit StftKernel(bool onesided) : onesided_(onesided) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (x == nullptr) return InvalidArgument(std::string(kSignal) + " is required");
    if (x->rank() != 3 || (x->dim(2) != 1 && x->dim(2) != 2)) {
      return InvalidArgument(std::string(kSignal) +
                             ": expected shape [batch, length, 1 or 2], got " +
                             x->shape().ToString());
    }
    if (ctx.input(1) == nullptr) return InvalidArgument(std::string(kFrameStep) + " is required");
    BRISK_ASSIGN_OR_RETURN(std::optional<int64_t> step_opt, ScalarInt(ctx.input(1), kFrameStep));
    if (!step_opt || *step_opt < 1) {
      return InvalidArgument(std::string(kFrameStep) + ": must be a positive scalar");
    }
    const int64_t step = *step_opt;
    const Tensor* w = ctx.input(2);
    if (w != nullptr && w->rank() != 1) {
      return InvalidArgument(std::string(kWindow) + ": expected rank 1, got " +
                             w->shape().ToString());
    }
    BRISK_ASSIGN_OR_RETURN(std::optional<int64_t> fl, ScalarInt(ctx.input(3), kFrameLength));
    if (fl && w != nullptr && *fl != w->dim(0)) {
      return InvalidArgument(std::string(kFrameLength) + " " + std::to_string(*fl) +
                             " differs from the length " + std::to_string(w->dim(0)) + " of " +
                             kWindow);
    }
    const int64_t frame_len = fl ? *fl : (w != nullptr ? w->dim(0) : x->dim(1));
    if (frame_len < 1) {
      return InvalidArgument(std::string(kFrameLength) + ": must be positive, got " +
                             std::to_string(frame_len));
    }
    const int64_t batch = x->dim(0), len = x->dim(1), comps = x->dim(2);
    if (len < frame_len) {
      return InvalidArgument(std::string(kSignal) + ": length " + std::to_string(len) +
                             " is shorter than the frame length " + std::to_string(frame_len));
    }
    const int64_t frames = 1 + (len - frame_len) / step;
    const int64_t bins = onesided_ ? frame_len / 2 + 1 : frame_len;
    BRISK_ASSIGN_OR_RETURN(Tensor * y,
                           ctx.AllocateOutput(0, x->dtype(), Shape{batch, frames, bins, 2}));
    std::vector<double> window(static_cast<size_t>(frame_len), 1.0);
    if (w != nullptr) {
      BRISK_RETURN_IF_ERROR(DispatchFloat(w->dtype(), kWindow, [&]<typename W>() -> Status {
        for (int64_t i = 0; i < frame_len; ++i) window[size_t(i)] = ToDouble(w->data<W>()[i]);
        return Status::Ok();
      }));
    }
    if (y->num_elements() == 0) return Status::Ok();
    const Transform tr(frame_len, false);
    return DispatchFloat(x->dtype(), kSignal, [&]<typename T>() -> Status {
      const T* xs = x->data<T>();
      T* ys = y->data<T>();
      std::vector<double> in(static_cast<size_t>(2 * frame_len)), res;
      for (int64_t b = 0; b < batch; ++b) {
        for (int64_t f = 0; f < frames; ++f) {
          for (int64_t j = 0; j < frame_len; ++j) {
            const T* e = xs + (b * len + f * step + j) * comps;
            in[size_t(2 * j)] = ToDouble(e[0]) * window[size_t(j)];
            in[size_t(2 * j + 1)] = comps == 2 ? ToDouble(e[1]) * window[size_t(j)] : 0.0;
          }
          tr.Run(in, res);
          T* out = ys + (b * frames + f) * bins * 2;
          for (int64_t k = 0; k < 2 * bins; ++k) out[k] = FromDouble<T>(res[size_t(k)]);
        }
      }
      return Status::Ok();
    });
  }

 private:
  bool onesided_;
};

}  // namespace

BRISK_REGISTER_OPS(signal_dft) {
  Op("DFT").Since(17).Infer(InferDft).Kernel<DftKernel>();
  Op("STFT").Since(17).Infer(InferStft).Kernel<StftKernel>();
}

}  // namespace brisk
