// GridSample (opset 16: 4-D, modes bilinear/nearest/bicubic; opset 20: N-D, modes
// linear/nearest/cubic): samples X [N, C, D1..Dr] at the normalized coordinates of
// grid [N, O1..Or, r] (grid[..., 0] indexes the last spatial dim) into Y [N, C, O1..Or].
#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/reference/indexing_util.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

using indexing::RequiredInput;

constexpr char kX[] = "input 0 'X'";
constexpr char kGrid[] = "input 1 'grid'";

enum class Mode { kLinear, kNearest, kCubic };
enum class Padding { kZeros, kBorder, kReflection };

struct GridSampleParams {
  Mode mode = Mode::kLinear;
  Padding padding = Padding::kZeros;
  bool align_corners = false;
};

StatusOr<GridSampleParams> ParseParams(const ir::AttributeMap& attrs, int opset) {
  GridSampleParams p;
  const bool v20 = opset >= 20;
  BRISK_ASSIGN_OR_RETURN(std::string mode, attrs.GetString("mode", v20 ? "linear" : "bilinear"));
  if (mode == "nearest") p.mode = Mode::kNearest;
  else if (mode == (v20 ? "linear" : "bilinear")) p.mode = Mode::kLinear;
  else if (mode == (v20 ? "cubic" : "bicubic")) p.mode = Mode::kCubic;
  else
    return InvalidArgument("attribute 'mode': unsupported value '" + mode + "' at opset " +
                           std::to_string(opset) +
                           (v20 ? " (expected linear, nearest, cubic)"
                                : " (expected bilinear, nearest, bicubic)"));
  BRISK_ASSIGN_OR_RETURN(std::string padding, attrs.GetString("padding_mode", "zeros"));
  if (padding == "zeros") p.padding = Padding::kZeros;
  else if (padding == "border") p.padding = Padding::kBorder;
  else if (padding == "reflection") p.padding = Padding::kReflection;
  else
    return InvalidArgument("attribute 'padding_mode': unsupported value '" + padding +
                           "' (expected zeros, border, reflection)");
  BRISK_ASSIGN_OR_RETURN(int64_t align, attrs.GetInt("align_corners", 0));
  if (align != 0 && align != 1) {
    return InvalidArgument("attribute 'align_corners' must be 0 or 1, got " +
                           std::to_string(align));
  }
  p.align_corners = align == 1;
  return p;
}

Status InferGridSample(InferenceContext& ctx) {
  const ir::TypeInfo& x = ctx.input_type(0);
  const ir::TypeInfo& grid = ctx.input_type(1);
  BRISK_RETURN_IF_ERROR(ParseParams(ctx.attrs(), ctx.opset()).status());
  if (!x.shape || !grid.shape) {
    ctx.set_output(0, x.dtype, std::nullopt);
    return Status::Ok();
  }
  const int r = x.shape->rank() - 2;
  if (r < 1 || (ctx.opset() < 20 && r != 2)) {
    return InvalidArgument(std::string(kX) + " must have rank " +
                           (ctx.opset() < 20 ? "4" : ">= 3") + ", got rank " +
                           std::to_string(x.shape->rank()));
  }
  if (grid.shape->rank() != r + 2) {
    return InvalidArgument(std::string(kGrid) + " must have rank " + std::to_string(r + 2) +
                           ", got rank " + std::to_string(grid.shape->rank()));
  }
  BRISK_RETURN_IF_ERROR(indexing::CheckDimsCompatible(x.shape->dims[0], grid.shape->dims[0],
                                                      "batch of 'X' and 'grid'"));
  BRISK_RETURN_IF_ERROR(indexing::CheckDimsCompatible(grid.shape->dims.back(), Dim::Known(r),
                                                      "last dim of 'grid'"));
  SymbolicShape out;
  out.dims.push_back(indexing::MergeDims(x.shape->dims[0], grid.shape->dims[0]));
  out.dims.push_back(x.shape->dims[1]);
  for (int i = 1; i <= r; ++i) out.dims.push_back(grid.shape->dims[size_t(i)]);
  ctx.set_output(0, x.dtype, std::move(out));
  return Status::Ok();
}

// Reflects x into [lo, hi] by bouncing off the borders.
double Reflect(double x, double lo, double hi) {
  const double range = hi - lo;
  if (range <= 0) return lo;
  if (x < lo) {
    const double dx = lo - x;
    const int64_t n = int64_t(dx / range);
    const double rem = dx - double(n) * range;
    return n % 2 == 0 ? lo + rem : hi - rem;
  }
  if (x > hi) {
    const double dx = x - hi;
    const int64_t n = int64_t(dx / range);
    const double rem = dx - double(n) * range;
    return n % 2 == 0 ? hi - rem : lo + rem;
  }
  return x;
}

void CubicCoeffs(double t, double c[4]) {
  constexpr double a = -0.75;
  const double x = std::fabs(t);
  c[0] = ((a * (x + 1) - 5 * a) * (x + 1) + 8 * a) * (x + 1) - 4 * a;
  c[1] = ((a + 2) * x - (a + 3)) * x * x + 1;
  c[2] = ((a + 2) * (1 - x) - (a + 3)) * (1 - x) * (1 - x) + 1;
  c[3] = ((a * (2 - x) - 5 * a) * (2 - x) + 8 * a) * (2 - x) - 4 * a;
}

class GridSampleKernel final : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(GridSampleParams p, ParseParams(init.attrs(), init.opset()));
    return MakeKernel<GridSampleKernel>(p, init.opset());
  }
  GridSampleKernel(GridSampleParams p, int opset) : p_(p), opset_(opset) {}

  Status Run(KernelContext& ctx) const override {
    BRISK_ASSIGN_OR_RETURN(const Tensor* x, RequiredInput(ctx, 0, "X"));
    BRISK_ASSIGN_OR_RETURN(const Tensor* grid, RequiredInput(ctx, 1, "grid"));
    const int r = x->rank() - 2;
    if (r < 1 || (opset_ < 20 && r != 2)) {
      return InvalidArgument(std::string(kX) + " must have rank " + (opset_ < 20 ? "4" : ">= 3") +
                             ", got " + x->TypeString());
    }
    if (grid->rank() != r + 2 || grid->dim(0) != x->dim(0) || grid->dim(r + 1) != r) {
      return InvalidArgument(std::string(kGrid) + " must have shape [" +
                             std::to_string(x->dim(0)) + ", ..., " + std::to_string(r) +
                             "] with " + std::to_string(r) + " spatial dims, got " +
                             grid->TypeString());
    }
    const int64_t n_batch = x->dim(0);
    const int64_t channels = x->dim(1);
    std::vector<int64_t> dims(x->shape().dims().begin() + 2, x->shape().dims().end());
    std::vector<int64_t> out_dims = {n_batch, channels};
    for (int i = 1; i <= r; ++i) out_dims.push_back(grid->dim(i));
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), Shape(out_dims)));
    const int64_t n_out = grid->shape().NumElements(1, r + 1);
    const int64_t in_spatial = x->shape().NumElements(2, r + 2);

    // Grid coordinates as double.
    std::vector<double> g(static_cast<size_t>(grid->num_elements()));
    BRISK_RETURN_IF_ERROR(DispatchFloat(grid->dtype(), kGrid, [&]<typename G>() -> Status {
      const G* src = grid->data<G>();
      for (size_t i = 0; i < g.size(); ++i) g[i] = ToDouble(src[i]);
      return Status::Ok();
    }));
    const std::vector<int64_t> strides = ContiguousStrides(Shape(dims));

    // For one output point: per spatial dim, the taps (flat offset contribution or -1 when the
    // tap reads padding zeros) and their weights.
    const int taps = p_.mode == Mode::kNearest ? 1 : (p_.mode == Mode::kLinear ? 2 : 4);
    std::vector<int64_t> tap_off(size_t(r * taps));
    std::vector<double> tap_w(size_t(r * taps));
    auto resolve = [&](int64_t i, int d) -> int64_t {  // index along dim d, or -1 for zero
      const int64_t size = dims[size_t(d)];
      if (size == 0) return -1;
      switch (p_.padding) {
        case Padding::kZeros: break;
        case Padding::kBorder: i = std::clamp<int64_t>(i, 0, size - 1); break;
        case Padding::kReflection: {
          const double lo = p_.align_corners ? 0.0 : -0.5;
          const double hi = p_.align_corners ? double(size - 1) : double(size) - 0.5;
          i = int64_t(Reflect(double(i), lo, hi));
          break;
        }
      }
      return (i >= 0 && i < size) ? i * strides[size_t(d)] : -1;
    };
    auto prepare = [&](int64_t n, int64_t o) -> Status {
      for (int d = 0; d < r; ++d) {
        const double nx = g[size_t((n * n_out + o) * r + (r - 1 - d))];
        const double size = double(dims[size_t(d)]);
        double v = p_.align_corners ? (nx + 1) / 2.0 * (size - 1) : ((nx + 1) * size - 1) / 2.0;
        if (!std::isfinite(v)) {
          return InvalidArgument(std::string(kGrid) + ": coordinate " + std::to_string(nx) +
                                 " is not finite");
        }
        if (p_.mode == Mode::kNearest) v = std::nearbyint(v);
        const double lo = p_.align_corners ? 0.0 : -0.5;
        const double hi = p_.align_corners ? size - 1 : size - 0.5;
        if (v < lo || v > hi) {
          if (p_.padding == Padding::kBorder) v = std::clamp(v, 0.0, std::max(size - 1, 0.0));
          else if (p_.padding == Padding::kReflection) v = Reflect(v, lo, hi);
        }
        // Keep far-away coordinates (zeros padding) representable as int64.
        v = std::clamp(v, -1e15, 1e15);
        const size_t base = size_t(d * taps);
        if (p_.mode == Mode::kNearest) {
          tap_off[base] = resolve(int64_t(v), d);
          tap_w[base] = 1.0;
        } else if (p_.mode == Mode::kLinear) {
          const double f = std::floor(v);
          const double t = v - f;
          tap_off[base] = resolve(int64_t(f), d);
          tap_off[base + 1] = resolve(int64_t(f) + 1, d);
          tap_w[base] = 1.0 - t;
          tap_w[base + 1] = t;
        } else {
          const double f = std::floor(v);
          double c[4];
          CubicCoeffs(v - f, c);
          for (int k = 0; k < 4; ++k) {
            tap_off[base + size_t(k)] = resolve(int64_t(f) - 1 + k, d);
            tap_w[base + size_t(k)] = c[k];
          }
        }
      }
      return Status::Ok();
    };

    if (p_.mode == Mode::kNearest) {
      return DispatchAll(x->dtype(), kX, [&]<typename T>() -> Status {
        const T* src = x->data<T>();
        T* dst = y->data<T>();
        for (int64_t n = 0; n < n_batch; ++n) {
          for (int64_t o = 0; o < n_out; ++o) {
            BRISK_RETURN_IF_ERROR(prepare(n, o));
            int64_t off = 0;
            for (int d = 0; d < r && off >= 0; ++d)
              off = tap_off[size_t(d)] < 0 ? -1 : off + tap_off[size_t(d)];
            for (int64_t c = 0; c < channels; ++c) {
              dst[(n * channels + c) * n_out + o] =
                  off < 0 ? T{} : src[(n * channels + c) * in_spatial + off];
            }
          }
        }
        return Status::Ok();
      });
    }
    return DispatchNumeric(x->dtype(), kX, [&]<typename T>() -> Status {
      const T* src = x->data<T>();
      T* dst = y->data<T>();
      // Enumerate the taps^r corners with an odometer over dims.
      std::vector<int> corner(static_cast<size_t>(r));
      for (int64_t n = 0; n < n_batch; ++n) {
        for (int64_t o = 0; o < n_out; ++o) {
          BRISK_RETURN_IF_ERROR(prepare(n, o));
          for (int64_t c = 0; c < channels; ++c) {
            const T* plane = src + (n * channels + c) * in_spatial;
            double sum = 0;
            std::fill(corner.begin(), corner.end(), 0);
            while (true) {
              int64_t off = 0;
              double w = 1;
              for (int d = 0; d < r; ++d) {
                const size_t k = size_t(d * taps + corner[size_t(d)]);
                if (tap_off[k] < 0) {
                  off = -1;
                  break;
                }
                off += tap_off[k];
                w *= tap_w[k];
              }
              if (off >= 0) sum += w * ToDouble(plane[off]);
              int d = r - 1;
              while (d >= 0 && ++corner[size_t(d)] == taps) corner[size_t(d--)] = 0;
              if (d < 0) break;
            }
            dst[(n * channels + c) * n_out + o] = FromDouble<T>(sum);
          }
        }
      }
      return Status::Ok();
    });
  }

 private:
  GridSampleParams p_;
  int opset_;
};

}  // namespace

BRISK_REGISTER_OPS(indexing_grid_sample) {
  Op("GridSample").Since(16).Infer(InferGridSample).Kernel<GridSampleKernel>();
}

}  // namespace brisk
