// MaxRoiPool (opset 1) and RoiAlign (opsets 10 and 16: avg/max, coordinate_transformation_mode).
#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/dispatch.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

// Roi coordinates (after scaling) must stay below this: larger ones would overflow int64 or
// need absurd sampling grids.
constexpr double kMaxCoord = double(int64_t(1) << 24);

Status CheckRank(const Tensor& t, int rank, int index, std::string_view name) {
  if (t.rank() != rank) {
    return InvalidArgument("input " + std::to_string(index) + " '" + std::string(name) +
                           "': expected rank " + std::to_string(rank) + ", got " +
                           std::to_string(t.rank()));
  }
  return Status::Ok();
}

// ---- MaxRoiPool ----------------------------------------------------------------------------

StatusOr<std::vector<int64_t>> PooledShape(const ir::AttributeMap& attrs) {
  BRISK_ASSIGN_OR_RETURN(std::vector<int64_t> pooled, attrs.GetInts("pooled_shape"));
  if (pooled.size() != 2 || pooled[0] < 1 || pooled[1] < 1) {
    return InvalidArgument("attribute 'pooled_shape': expected 2 positive values, got " +
                           std::to_string(pooled.size()) + " values");
  }
  return pooled;
}

Status InferMaxRoiPool(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(std::vector<int64_t> pooled, PooledShape(ctx.attrs()));
  const ir::TypeInfo& x = ctx.input_type(0);
  const ir::TypeInfo& rois = ctx.input_type(1);
  Dim num_rois = rois.shape && rois.shape->rank() == 2 ? rois.shape->dims[0] : Dim::Unknown();
  Dim channels = x.shape && x.shape->rank() == 4 ? x.shape->dims[1] : Dim::Unknown();
  ctx.set_output(0, x.dtype,
                 SymbolicShape({num_rois, channels, Dim::Known(pooled[0]), Dim::Known(pooled[1])}));
  return Status::Ok();
}

Status MaxRoiPoolCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(std::vector<int64_t> pooled, PooledShape(ctx.attrs()));
  BRISK_ASSIGN_OR_RETURN(float spatial_scale, ctx.attrs().GetFloat("spatial_scale", 1.f));
  if (ctx.input(1) == nullptr) return InvalidArgument("input 1 'rois' is required");
  const Tensor& x = *ctx.input(0);
  const Tensor& rois = *ctx.input(1);
  BRISK_RETURN_IF_ERROR(CheckRank(x, 4, 0, "X"));
  BRISK_RETURN_IF_ERROR(CheckRank(rois, 2, 1, "rois"));
  if (rois.dim(1) != 5) {
    return InvalidArgument("input 1 'rois': expected shape [num_rois, 5], got " +
                           rois.shape().ToString());
  }
  if (rois.dtype() != x.dtype()) {
    return InvalidArgument("input 1 'rois': dtype differs from input 0 'X'");
  }
  const int64_t num_rois = rois.dim(0), channels = x.dim(1), height = x.dim(2), width = x.dim(3);
  const int64_t ph = pooled[0], pw = pooled[1];
  BRISK_ASSIGN_OR_RETURN(Tensor * y,
                         ctx.AllocateOutput(0, x.dtype(), Shape{num_rois, channels, ph, pw}));
  return DispatchFloat(x.dtype(), "input 0 'X'", [&]<typename T>() -> Status {
    const T* xd = x.data<T>();
    const T* rd = rois.data<T>();
    T* yd = y->data<T>();
    for (int64_t r = 0; r < num_rois; ++r) {
      const T* roi = rd + r * 5;
      const double batch_f = ToDouble(roi[0]);
      const int64_t batch = int64_t(batch_f);
      if (!(batch_f >= 0) || batch >= x.dim(0)) {
        return OutOfRange("input 1 'rois': batch index " + std::to_string(batch_f) +
                          " of roi " + std::to_string(r) + " is out of range for batch size " +
                          std::to_string(x.dim(0)));
      }
      for (int q = 1; q < 5; ++q) {
        if (!(std::abs(ToDouble(roi[q]) * spatial_scale) < kMaxCoord)) {
          return InvalidArgument("input 1 'rois': coordinate " + std::to_string(ToDouble(roi[q])) +
                                 " of roi " + std::to_string(r) + " is not finite or too large");
        }
      }
      const int64_t x1 = int64_t(std::round(ToDouble(roi[1]) * spatial_scale));
      const int64_t y1 = int64_t(std::round(ToDouble(roi[2]) * spatial_scale));
      const int64_t x2 = int64_t(std::round(ToDouble(roi[3]) * spatial_scale));
      const int64_t y2 = int64_t(std::round(ToDouble(roi[4]) * spatial_scale));
      const int64_t roi_h = std::max<int64_t>(y2 - y1 + 1, 1);
      const int64_t roi_w = std::max<int64_t>(x2 - x1 + 1, 1);
      const double bin_h = double(roi_h) / double(ph);
      const double bin_w = double(roi_w) / double(pw);
      for (int64_t c = 0; c < channels; ++c) {
        const T* plane = xd + (batch * channels + c) * height * width;
        for (int64_t i = 0; i < ph; ++i) {
          const int64_t hs = std::clamp<int64_t>(int64_t(std::floor(double(i) * bin_h)) + y1, 0,
                                                 height);
          const int64_t he = std::clamp<int64_t>(
              int64_t(std::ceil(double(i + 1) * bin_h)) + y1, 0, height);
          for (int64_t j = 0; j < pw; ++j) {
            const int64_t ws = std::clamp<int64_t>(
                int64_t(std::floor(double(j) * bin_w)) + x1, 0, width);
            const int64_t we = std::clamp<int64_t>(
                int64_t(std::ceil(double(j + 1) * bin_w)) + x1, 0, width);
            double best = 0;
            if (he > hs && we > ws) {
              best = -std::numeric_limits<double>::infinity();
              for (int64_t h = hs; h < he; ++h)
                for (int64_t w = ws; w < we; ++w)
                  best = std::max(best, ToDouble(plane[h * width + w]));
            }
            yd[((r * channels + c) * ph + i) * pw + j] = FromDouble<T>(best);
          }
        }
      }
    }
    return Status::Ok();
  });
}

// ---- RoiAlign ------------------------------------------------------------------------------

struct RoiAlignAttrs {
  bool max_mode = false;
  int64_t out_h = 1, out_w = 1, sampling_ratio = 0;
  float spatial_scale = 1.f;
  bool half_pixel = false;
};

StatusOr<RoiAlignAttrs> ParseRoiAlign(const ir::AttributeMap& attrs, int opset) {
  RoiAlignAttrs a;
  BRISK_ASSIGN_OR_RETURN(std::string mode, attrs.GetString("mode", "avg"));
  if (mode != "avg" && mode != "max") {
    return InvalidArgument("attribute 'mode': expected 'avg' or 'max', got '" + mode + "'");
  }
  a.max_mode = mode == "max";
  BRISK_ASSIGN_OR_RETURN(a.out_h, attrs.GetInt("output_height", 1));
  BRISK_ASSIGN_OR_RETURN(a.out_w, attrs.GetInt("output_width", 1));
  BRISK_ASSIGN_OR_RETURN(a.sampling_ratio, attrs.GetInt("sampling_ratio", 0));
  BRISK_ASSIGN_OR_RETURN(a.spatial_scale, attrs.GetFloat("spatial_scale", 1.f));
  if (a.out_h < 1 || a.out_w < 1) {
    return InvalidArgument("attributes 'output_height'/'output_width' must be >= 1, got " +
                           std::to_string(a.out_h) + "/" + std::to_string(a.out_w));
  }
  if (a.sampling_ratio < 0) {
    return InvalidArgument("attribute 'sampling_ratio': must be >= 0, got " +
                           std::to_string(a.sampling_ratio));
  }
  if (opset >= 16) {
    BRISK_ASSIGN_OR_RETURN(std::string ctm,
                           attrs.GetString("coordinate_transformation_mode", "half_pixel"));
    if (ctm != "half_pixel" && ctm != "output_half_pixel") {
      return InvalidArgument("attribute 'coordinate_transformation_mode': expected "
                             "'half_pixel' or 'output_half_pixel', got '" + ctm + "'");
    }
    a.half_pixel = ctm == "half_pixel";
  }
  return a;
}

Status InferRoiAlign(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(RoiAlignAttrs a, ParseRoiAlign(ctx.attrs(), ctx.opset()));
  const ir::TypeInfo& x = ctx.input_type(0);
  const ir::TypeInfo& rois = ctx.input_type(1);
  const ir::TypeInfo& bi = ctx.input_type(2);
  Dim num_rois = Dim::Unknown();
  if (rois.shape && rois.shape->rank() == 2) num_rois = rois.shape->dims[0];
  if (!num_rois.is_known() && bi.shape && bi.shape->rank() == 1) num_rois = bi.shape->dims[0];
  Dim channels = x.shape && x.shape->rank() == 4 ? x.shape->dims[1] : Dim::Unknown();
  ctx.set_output(0, x.dtype,
                 SymbolicShape({num_rois, channels, Dim::Known(a.out_h), Dim::Known(a.out_w)}));
  return Status::Ok();
}

class RoiAlignKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(RoiAlignAttrs a, ParseRoiAlign(init.attrs(), init.opset()));
    return MakeKernel<RoiAlignKernel>(a);
  }
  explicit RoiAlignKernel(RoiAlignAttrs a) : a_(a) {}

  Status Run(KernelContext& ctx) const override {
    if (ctx.input(1) == nullptr || ctx.input(2) == nullptr) {
      return InvalidArgument("inputs 1 'rois' and 2 'batch_indices' are required");
    }
    const Tensor& x = *ctx.input(0);
    const Tensor& rois = *ctx.input(1);
    BRISK_RETURN_IF_ERROR(CheckRank(x, 4, 0, "X"));
    BRISK_RETURN_IF_ERROR(CheckRank(rois, 2, 1, "rois"));
    BRISK_RETURN_IF_ERROR(CheckRank(*ctx.input(2), 1, 2, "batch_indices"));
    if (rois.dim(1) != 4) {
      return InvalidArgument("input 1 'rois': expected shape [num_rois, 4], got " +
                             rois.shape().ToString());
    }
    if (rois.dtype() != x.dtype()) {
      return InvalidArgument("input 1 'rois': dtype differs from input 0 'X'");
    }
    BRISK_ASSIGN_OR_RETURN(std::vector<int64_t> batch_indices,
                           ReadInts(*ctx.input(2), "input 2 'batch_indices'"));
    const int64_t num_rois = rois.dim(0);
    if (int64_t(batch_indices.size()) != num_rois) {
      return InvalidArgument("input 2 'batch_indices': expected " + std::to_string(num_rois) +
                             " values (one per roi), got " + std::to_string(batch_indices.size()));
    }
    const Tensor& rois_t = rois;
    Status coords = DispatchFloat(rois_t.dtype(), "input 1 'rois'", [&]<typename T>() -> Status {
      for (int64_t i = 0; i < rois_t.num_elements(); ++i) {
        if (!(std::abs(ToDouble(rois_t.data<T>()[i]) * a_.spatial_scale) < kMaxCoord)) {
          return InvalidArgument("input 1 'rois': coordinate " +
                                 std::to_string(ToDouble(rois_t.data<T>()[i])) +
                                 " is not finite or too large");
        }
      }
      return Status::Ok();
    });
    BRISK_RETURN_IF_ERROR(coords);
    for (int64_t b : batch_indices) {
      if (b < 0 || b >= x.dim(0)) {
        return OutOfRange("input 2 'batch_indices': index " + std::to_string(b) +
                          " is out of range for batch size " + std::to_string(x.dim(0)));
      }
    }
    const int64_t channels = x.dim(1);
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x.dtype(),
                                                          Shape{num_rois, channels, a_.out_h,
                                                                a_.out_w}));
    return DispatchFloat(x.dtype(), "input 0 'X'", [&]<typename T>() -> Status {
      return Compute<T>(x, rois, batch_indices, *y);
    });
  }

 private:
  // Bilinear sample weights of one sample point: four positions and weights (all zero outside).
  struct Sample {
    int64_t pos[4] = {0, 0, 0, 0};
    double w[4] = {0, 0, 0, 0};
  };

  static Sample MakeSample(double yy, double xx, int64_t height, int64_t width) {
    Sample s;
    if (yy < -1.0 || yy > double(height) || xx < -1.0 || xx > double(width)) return s;
    yy = std::max(yy, 0.0);
    xx = std::max(xx, 0.0);
    int64_t y_low = int64_t(yy), x_low = int64_t(xx), y_high, x_high;
    if (y_low >= height - 1) {
      y_high = y_low = height - 1;
      yy = double(y_low);
    } else {
      y_high = y_low + 1;
    }
    if (x_low >= width - 1) {
      x_high = x_low = width - 1;
      xx = double(x_low);
    } else {
      x_high = x_low + 1;
    }
    const double ly = yy - double(y_low), lx = xx - double(x_low);
    const double hy = 1.0 - ly, hx = 1.0 - lx;
    s.pos[0] = y_low * width + x_low;
    s.pos[1] = y_low * width + x_high;
    s.pos[2] = y_high * width + x_low;
    s.pos[3] = y_high * width + x_high;
    s.w[0] = hy * hx;
    s.w[1] = hy * lx;
    s.w[2] = ly * hx;
    s.w[3] = ly * lx;
    return s;
  }

  template <typename T>
  Status Compute(const Tensor& x, const Tensor& rois, const std::vector<int64_t>& batch_indices,
               Tensor& y) const {
    const int64_t channels = x.dim(1), height = x.dim(2), width = x.dim(3);
    const int64_t ph = a_.out_h, pw = a_.out_w;
    const T* xd = x.data<T>();
    const T* rd = rois.data<T>();
    T* yd = y.data<T>();
    if (height == 0 || width == 0) {
      std::fill(yd, yd + y.num_elements(), T(0.f));
      return Status::Ok();
    }
    const double offset = a_.half_pixel ? 0.5 : 0.0;
    std::vector<Sample> samples;
    for (int64_t r = 0; r < rois.dim(0); ++r) {
      const double scale = a_.spatial_scale;
      const double x1 = ToDouble(rd[r * 4 + 0]) * scale - offset;
      const double y1 = ToDouble(rd[r * 4 + 1]) * scale - offset;
      const double x2 = ToDouble(rd[r * 4 + 2]) * scale - offset;
      const double y2 = ToDouble(rd[r * 4 + 3]) * scale - offset;
      double roi_w = x2 - x1, roi_h = y2 - y1;
      if (!a_.half_pixel) {
        roi_w = std::max(roi_w, 1.0);
        roi_h = std::max(roi_h, 1.0);
      }
      const double bin_h = roi_h / double(ph), bin_w = roi_w / double(pw);
      const int64_t grid_h =
          a_.sampling_ratio > 0 ? a_.sampling_ratio : int64_t(std::ceil(roi_h / double(ph)));
      const int64_t grid_w =
          a_.sampling_ratio > 0 ? a_.sampling_ratio : int64_t(std::ceil(roi_w / double(pw)));
      const int64_t gh = std::max<int64_t>(grid_h, 0), gw = std::max<int64_t>(grid_w, 0);
      if (double(gh) * double(gw) * double(ph) * double(pw) > double(int64_t(1) << 28)) {
        return InvalidArgument("roi " + std::to_string(r) + " needs a " + std::to_string(gh) +
                               "x" + std::to_string(gw) +
                               " sampling grid per bin: too large (check 'sampling_ratio' and "
                               "input 1 'rois')");
      }
      const double count = double(std::max<int64_t>(gh * gw, 1));
      // Sample points shared by all channels: [ph][pw][gh][gw].
      samples.clear();
      for (int64_t i = 0; i < ph; ++i)
        for (int64_t j = 0; j < pw; ++j)
          for (int64_t iy = 0; iy < gh; ++iy) {
            const double yy = y1 + double(i) * bin_h + (double(iy) + 0.5) * bin_h / double(gh);
            for (int64_t ix = 0; ix < gw; ++ix) {
              const double xx = x1 + double(j) * bin_w + (double(ix) + 0.5) * bin_w / double(gw);
              samples.push_back(MakeSample(yy, xx, height, width));
            }
          }
      const int64_t per_bin = gh * gw;
      for (int64_t c = 0; c < channels; ++c) {
        const T* plane = xd + (batch_indices[size_t(r)] * channels + c) * height * width;
        for (int64_t bin = 0; bin < ph * pw; ++bin) {
          double acc = 0;
          bool first = true;
          for (int64_t s = 0; s < per_bin; ++s) {
            const Sample& sm = samples[size_t(bin * per_bin + s)];
            double v[4];
            for (int q = 0; q < 4; ++q) v[q] = sm.w[q] * ToDouble(plane[sm.pos[q]]);
            if (a_.max_mode) {
              const double m = std::max(std::max(v[0], v[1]), std::max(v[2], v[3]));
              acc = first ? m : std::max(acc, m);
              first = false;
            } else {
              acc += v[0] + v[1] + v[2] + v[3];
            }
          }
          if (!a_.max_mode) acc /= count;
          yd[(r * channels + c) * ph * pw + bin] = FromDouble<T>(acc);
        }
      }
    }
    return Status::Ok();
  }

  RoiAlignAttrs a_;
};

}  // namespace

BRISK_REGISTER_OPS(pool_roi) {
  Op("MaxRoiPool").Since(1).Infer(InferMaxRoiPool).Compute(MaxRoiPoolCompute);
  Op("RoiAlign").Since(10).Infer(InferRoiAlign).Kernel<RoiAlignKernel>();
}

}  // namespace brisk
