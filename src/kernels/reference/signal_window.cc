// HannWindow, HammingWindow, BlackmanWindow and MelWeightMatrix (opset 17).
//
// Windows: `size` (int32/int64 scalar) samples w[n], n in [0, size), with N = size when
// `periodic` (default 1) else size - 1 (a symmetric window of size 1 is [1], as in PyTorch):
//   Hann     sin^2(pi n / N)
//   Hamming  25/46 - 21/46 cos(2 pi n / N)
//   Blackman 0.42 - 0.5 cos(2 pi n / N) + 0.08 cos(4 pi n / N)
// MelWeightMatrix: [dft_length / 2 + 1, num_mel_bins] triangular filters between mel-spaced
// bin edges (the formula of the ONNX reference: num_mel_bins + 2 points spaced by
// (mel(upper) - mel(lower)) / (num_mel_bins + 2), mapped to bins floor((dft_length + 1) * hz /
// sample_rate)). Values are computed in double and cast to `output_datatype` (default float).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

// ONNX TensorProto data types the window ops may produce.
StatusOr<DType> OutputDatatype(const ir::AttributeMap& attrs) {
  BRISK_ASSIGN_OR_RETURN(int64_t t, attrs.GetInt("output_datatype", 1));
  switch (t) {
    case 1: return DType::kFloat32;
    case 2: return DType::kUInt8;
    case 3: return DType::kInt8;
    case 4: return DType::kUInt16;
    case 5: return DType::kInt16;
    case 6: return DType::kInt32;
    case 7: return DType::kInt64;
    case 10: return DType::kFloat16;
    case 11: return DType::kFloat64;
    case 12: return DType::kUInt32;
    case 13: return DType::kUInt64;
    case 16: return DType::kBFloat16;
    default:
      return InvalidArgument("attribute 'output_datatype': " + std::to_string(t) +
                             " is not a supported ONNX data type (expected a numeric type)");
  }
}

// Reads a scalar int input (int32/int64).
StatusOr<int64_t> RequiredScalarInt(const Tensor* t, const std::string& what) {
  if (t == nullptr) return InvalidArgument(what + " is required");
  BRISK_ASSIGN_OR_RETURN(std::vector<int64_t> v, ReadInts(*t, what));
  if (v.size() != 1) {
    return InvalidArgument(what + ": expected a scalar, got shape " + t->shape().ToString());
  }
  return v[0];
}

StatusOr<double> RequiredScalarFloat(const Tensor* t, const std::string& what) {
  if (t == nullptr) return InvalidArgument(what + " is required");
  if (t->num_elements() != 1) {
    return InvalidArgument(what + ": expected a scalar, got shape " + t->shape().ToString());
  }
  double v = 0;
  BRISK_RETURN_IF_ERROR(DispatchFloat(t->dtype(), what, [&]<typename T>() -> Status {
    v = ToDouble(t->data<T>()[0]);
    return Status::Ok();
  }));
  return v;
}

template <typename T>
T CastOut(double v) {
  if constexpr (std::is_integral_v<T>) {
    if (std::isnan(v)) return T(0);
    if (v <= double(std::numeric_limits<T>::lowest())) return std::numeric_limits<T>::lowest();
    if (v >= double(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
    return static_cast<T>(v);
  } else {
    return FromDouble<T>(v);
  }
}

Status WriteDoubles(Tensor* out, const std::vector<double>& v) {
  return DispatchNumeric(out->dtype(), "attribute 'output_datatype'", [&]<typename T>() -> Status {
    for (size_t i = 0; i < v.size(); ++i) out->data<T>()[i] = CastOut<T>(v[i]);
    return Status::Ok();
  });
}

Status CheckIntScalarType(const InferenceContext& ctx, int i, const std::string& what) {
  const ir::TypeInfo& t = ctx.input_type(i);
  if (t.dtype != DType::kUndefined && t.dtype != DType::kInt32 && t.dtype != DType::kInt64) {
    return InvalidArgument(what + ": dtype " + std::string(DTypeName(t.dtype)) +
                           " is not supported (expected int32 or int64)");
  }
  if (t.shape && t.shape->rank() > 1) {
    return InvalidArgument(what + ": expected a scalar, got shape " + t.shape->ToString());
  }
  return Status::Ok();
}

std::optional<int64_t> ConstantScalar(const InferenceContext& ctx, int i) {
  if (!ctx.has_input(i)) return std::nullopt;
  std::optional<std::vector<int64_t>> v = ConstantInts(ctx, i);
  if (!v || v->size() != 1) return std::nullopt;
  return (*v)[0];
}

// ---- Windows -------------------------------------------------------------------------------

enum class Window { kHann, kHamming, kBlackman };

constexpr char kSize[] = "input 0 'size'";

StatusOr<bool> ParsePeriodic(const ir::AttributeMap& attrs) {
  BRISK_ASSIGN_OR_RETURN(int64_t p, attrs.GetInt("periodic", 1));
  if (p != 0 && p != 1) {
    return InvalidArgument("attribute 'periodic' must be 0 or 1, got " + std::to_string(p));
  }
  return p == 1;
}

Status InferWindow(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(DType dtype, OutputDatatype(ctx.attrs()));
  BRISK_RETURN_IF_ERROR(ParsePeriodic(ctx.attrs()).status());
  BRISK_RETURN_IF_ERROR(CheckIntScalarType(ctx, 0, kSize));
  Dim d = Dim::Unknown();
  if (std::optional<int64_t> n = ConstantScalar(ctx, 0)) {
    if (*n < 0) {
      return InvalidArgument(std::string(kSize) + ": must be non-negative, got " +
                             std::to_string(*n));
    }
    d = Dim::Known(*n);
  }
  ctx.set_output(0, dtype, SymbolicShape({d}));
  return Status::Ok();
}

template <Window kWindow>
class WindowKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(DType dtype, OutputDatatype(init.attrs()));
    BRISK_ASSIGN_OR_RETURN(bool periodic, ParsePeriodic(init.attrs()));
    return MakeKernel<WindowKernel>(dtype, periodic);
  }
  WindowKernel(DType dtype, bool periodic) : dtype_(dtype), periodic_(periodic) {}

  Status Run(KernelContext& ctx) const override {
    BRISK_ASSIGN_OR_RETURN(int64_t size, RequiredScalarInt(ctx.input(0), kSize));
    if (size < 0) {
      return InvalidArgument(std::string(kSize) + ": must be non-negative, got " +
                             std::to_string(size));
    }
    BRISK_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, dtype_, Shape{size}));
    const double n_1 = double(periodic_ ? size : size - 1);
    std::vector<double> v(static_cast<size_t>(size));
    for (int64_t i = 0; i < size; ++i) {
      if (n_1 <= 0) {
        v[size_t(i)] = 1.0;
        continue;
      }
      const double a = 2.0 * std::numbers::pi * double(i) / n_1;
      switch (kWindow) {
        case Window::kHann: {
          const double s = std::sin(std::numbers::pi * double(i) / n_1);
          v[size_t(i)] = s * s;
          break;
        }
        case Window::kHamming:
          v[size_t(i)] = 25.0 / 46.0 - (1.0 - 25.0 / 46.0) * std::cos(a);
          break;
        case Window::kBlackman:
          v[size_t(i)] = 0.42 - 0.5 * std::cos(a) + 0.08 * std::cos(2 * a);
          break;
      }
    }
    return WriteDoubles(out, v);
  }

 private:
  DType dtype_;
  bool periodic_;
};

// ---- MelWeightMatrix -----------------------------------------------------------------------

constexpr char kNumMelBins[] = "input 0 'num_mel_bins'";
constexpr char kDftLength[] = "input 1 'dft_length'";
constexpr char kSampleRate[] = "input 2 'sample_rate'";
constexpr char kLower[] = "input 3 'lower_edge_hertz'";
constexpr char kUpper[] = "input 4 'upper_edge_hertz'";

Status InferMel(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(DType dtype, OutputDatatype(ctx.attrs()));
  BRISK_RETURN_IF_ERROR(CheckIntScalarType(ctx, 0, kNumMelBins));
  BRISK_RETURN_IF_ERROR(CheckIntScalarType(ctx, 1, kDftLength));
  BRISK_RETURN_IF_ERROR(CheckIntScalarType(ctx, 2, kSampleRate));
  for (int i : {3, 4}) {
    const DType d = ctx.input_type(i).dtype;
    if (d != DType::kUndefined && !IsFloatingPoint(d)) {
      return InvalidArgument(std::string(i == 3 ? kLower : kUpper) + ": dtype " +
                             std::string(DTypeName(d)) +
                             " is not supported (expected a floating-point type)");
    }
  }
  Dim bins = Dim::Unknown(), mels = Dim::Unknown();
  if (std::optional<int64_t> m = ConstantScalar(ctx, 0)) {
    if (*m < 0) {
      return InvalidArgument(std::string(kNumMelBins) + ": must be non-negative, got " +
                             std::to_string(*m));
    }
    mels = Dim::Known(*m);
  }
  if (std::optional<int64_t> l = ConstantScalar(ctx, 1)) {
    if (*l < 1) {
      return InvalidArgument(std::string(kDftLength) + ": must be positive, got " +
                             std::to_string(*l));
    }
    bins = Dim::Known(*l / 2 + 1);
  }
  ctx.set_output(0, dtype, SymbolicShape({bins, mels}));
  return Status::Ok();
}

class MelKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(DType dtype, OutputDatatype(init.attrs()));
    return MakeKernel<MelKernel>(dtype);
  }
  explicit MelKernel(DType dtype) : dtype_(dtype) {}

  Status Run(KernelContext& ctx) const override {
    BRISK_ASSIGN_OR_RETURN(int64_t mels, RequiredScalarInt(ctx.input(0), kNumMelBins));
    BRISK_ASSIGN_OR_RETURN(int64_t dft_length, RequiredScalarInt(ctx.input(1), kDftLength));
    BRISK_ASSIGN_OR_RETURN(int64_t rate, RequiredScalarInt(ctx.input(2), kSampleRate));
    BRISK_ASSIGN_OR_RETURN(double lower, RequiredScalarFloat(ctx.input(3), kLower));
    BRISK_ASSIGN_OR_RETURN(double upper, RequiredScalarFloat(ctx.input(4), kUpper));
    if (mels < 0) {
      return InvalidArgument(std::string(kNumMelBins) + ": must be non-negative, got " +
                             std::to_string(mels));
    }
    if (dft_length < 1) {
      return InvalidArgument(std::string(kDftLength) + ": must be positive, got " +
                             std::to_string(dft_length));
    }
    if (rate < 1) {
      return InvalidArgument(std::string(kSampleRate) + ": must be positive, got " +
                             std::to_string(rate));
    }
    if (!(lower >= 0) || !(upper > lower) || !std::isfinite(upper)) {
      return InvalidArgument(std::string(kLower) + " and " + kUpper +
                             ": expected 0 <= lower < upper, got " + std::to_string(lower) +
                             " and " + std::to_string(upper));
    }
    const int64_t bins = dft_length / 2 + 1;
    BRISK_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, dtype_, Shape{bins, mels}));
    std::vector<double> v(static_cast<size_t>(bins * mels), 0.0);
    const double low_mel = 2595.0 * std::log10(1.0 + lower / 700.0);
    const double high_mel = 2595.0 * std::log10(1.0 + upper / 700.0);
    const double step = (high_mel - low_mel) / double(mels + 2);
    std::vector<int64_t> edge(static_cast<size_t>(mels + 2));
    for (int64_t i = 0; i < mels + 2; ++i) {
      const double hz = 700.0 * (std::pow(10.0, (double(i) * step + low_mel) / 2595.0) - 1.0);
      const double e = std::floor(double(dft_length + 1) * hz / double(rate));
      edge[size_t(i)] = int64_t(std::clamp(e, -1e15, 1e15));  // no UB on absurd edges
    }
    // Writes that fall outside [0, bins) (upper edge above the Nyquist frequency) are dropped.
    auto set = [&](int64_t j, int64_t i, double val) {
      if (j >= 0 && j < bins) v[size_t(j * mels + i)] = val;
    };
    for (int64_t i = 0; i < mels; ++i) {
      const int64_t lo = edge[size_t(i)], center = edge[size_t(i + 1)], hi = edge[size_t(i + 2)];
      if (center == lo) {
        set(center, i, 1.0);
      } else {
        for (int64_t j = std::max<int64_t>(lo, 0); j <= std::min(center, bins - 1); ++j)
          set(j, i, double(j - lo) / double(center - lo));
      }
      if (hi > center) {
        for (int64_t j = std::max<int64_t>(center, 0); j < std::min(hi, bins); ++j)
          set(j, i, double(hi - j) / double(hi - center));
      }
    }
    return WriteDoubles(out, v);
  }

 private:
  DType dtype_;
};

}  // namespace

BRISK_REGISTER_OPS(signal_window) {
  Op("HannWindow").Since(17).Infer(InferWindow).Kernel<WindowKernel<Window::kHann>>();
  Op("HammingWindow").Since(17).Infer(InferWindow).Kernel<WindowKernel<Window::kHamming>>();
  Op("BlackmanWindow").Since(17).Infer(InferWindow).Kernel<WindowKernel<Window::kBlackman>>();
  Op("MelWeightMatrix").Since(17).Infer(InferMel).Kernel<MelKernel>();
}

}  // namespace brisk
