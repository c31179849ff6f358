// MaxRoiPool and RoiAlign: compared against direct loops written here.
#include <cmath>
#include <limits>

#include "kernels/op_runner.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using testing::Attrs;
using testing::MakeTensor;
using testing::RandomFloat;

// Bilinear value at (y, x) per the RoiAlign convention (clamped; zero outside [-1, size]);
// in max mode returns the largest of the four weighted corner terms instead of their sum.
double Bilinear(const float* plane, int64_t h, int64_t w, double y, double x, bool max_mode) {
  if (y < -1.0 || y > double(h) || x < -1.0 || x > double(w)) return 0.0;
  y = std::max(y, 0.0);
  x = std::max(x, 0.0);
  int64_t y0 = int64_t(y), x0 = int64_t(x);
  int64_t y1 = y0 + 1, x1 = x0 + 1;
  if (y0 >= h - 1) y = double(y0 = y1 = h - 1);
  if (x0 >= w - 1) x = double(x0 = x1 = w - 1);
  const double ly = y - double(y0), lx = x - double(x0);
  const double t[4] = {(1 - ly) * (1 - lx) * plane[y0 * w + x0], (1 - ly) * lx * plane[y0 * w + x1],
                       ly * (1 - lx) * plane[y1 * w + x0], ly * lx * plane[y1 * w + x1]};
  if (max_mode) return std::max(std::max(t[0], t[1]), std::max(t[2], t[3]));
  return t[0] + t[1] + t[2] + t[3];
}

Tensor NaiveRoiAlign(const Tensor& x, const Tensor& rois, const std::vector<int64_t>& batch,
                     int64_t oh, int64_t ow, int64_t ratio, double scale, bool half_pixel,
                     bool max_mode) {
  const int64_t c = x.dim(1), h = x.dim(2), w = x.dim(3), n = rois.dim(0);
  Tensor y = *Tensor::Zeros(DType::kFloat32, {n, c, oh, ow});
  const double off = half_pixel ? 0.5 : 0.0;
  for (int64_t r = 0; r < n; ++r) {
    const float* roi = rois.data<float>() + r * 4;
    const double x1 = roi[0] * scale - off, y1 = roi[1] * scale - off;
    double rw = roi[2] * scale - off - x1, rh = roi[3] * scale - off - y1;
    if (!half_pixel) {
      rw = std::max(rw, 1.0);
      rh = std::max(rh, 1.0);
    }
    const double bh = rh / double(oh), bw = rw / double(ow);
    const int64_t gh = ratio > 0 ? ratio : int64_t(std::ceil(rh / double(oh)));
    const int64_t gw = ratio > 0 ? ratio : int64_t(std::ceil(rw / double(ow)));
    for (int64_t ch = 0; ch < c; ++ch) {
      const float* plane = x.data<float>() + (batch[size_t(r)] * c + ch) * h * w;
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          double acc = max_mode ? -1e300 : 0.0;
          for (int64_t iy = 0; iy < gh; ++iy)
            for (int64_t ix = 0; ix < gw; ++ix) {
              const double yy = y1 + double(i) * bh + (double(iy) + 0.5) * bh / double(gh);
              const double xx = x1 + double(j) * bw + (double(ix) + 0.5) * bw / double(gw);
              const double v = Bilinear(plane, h, w, yy, xx, max_mode);
              acc = max_mode ? std::max(acc, v) : acc + v;
            }
          if (!max_mode) acc /= double(std::max<int64_t>(gh * gw, 1));
          if (max_mode && gh * gw == 0) acc = 0;
          y.data<float>()[((r * c + ch) * oh + i) * ow + j] = float(acc);
        }
    }
  }
  return y;
}

TEST(RoiAlignTest, AvgHalfPixelOpset16) {
  Tensor x = RandomFloat({2, 3, 10, 12}, 1, 0.f, 1.f);
  Tensor rois = MakeTensor<float>({3, 4}, {0, 0, 9, 9, 0.5f, 1.5f, 6.2f, 4.1f, 2, 3, 11, 12});
  auto out = RunOp({.op_type = "RoiAlign", .opset = 16,
                    .attrs = Attrs().Int("output_height", 4).Int("output_width", 3)
                                 .Int("sampling_ratio", 2)},
                   {x, rois, MakeTensor<int64_t>({3}, {0, 1, 1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_NEAR((*out)[0], NaiveRoiAlign(x, rois, {0, 1, 1}, 4, 3, 2, 1.0, true, false),
                     1e-5, 1e-5);
}

TEST(RoiAlignTest, OutputHalfPixelAdaptiveSamplingAndScale) {
  Tensor x = RandomFloat({1, 2, 8, 8}, 2, 0.f, 1.f);
  Tensor rois = MakeTensor<float>({2, 4}, {0, 0, 14, 14, 4, 2, 9, 15});
  auto out = RunOp({.op_type = "RoiAlign", .opset = 16,
                    .attrs = Attrs().Int("output_height", 3).Int("output_width", 3)
                                 .Float("spatial_scale", 0.5f)
                                 .String("coordinate_transformation_mode", "output_half_pixel")},
                   {x, rois, MakeTensor<int64_t>({2}, {0, 0})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_NEAR((*out)[0], NaiveRoiAlign(x, rois, {0, 0}, 3, 3, 0, 0.5, false, false),
                     1e-5, 1e-5);
}

TEST(RoiAlignTest, Opset10IsOutputHalfPixelAndMaxMode) {
  Tensor x = RandomFloat({1, 2, 6, 7}, 3, 0.f, 1.f);
  Tensor rois = MakeTensor<float>({1, 4}, {1, 1, 5, 4});
  auto out = RunOp({.op_type = "RoiAlign", .opset = 10,
                    .attrs = Attrs().Int("output_height", 2).Int("output_width", 2)
                                 .String("mode", "max")},
                   {x, rois, MakeTensor<int64_t>({1}, {0})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_NEAR((*out)[0], NaiveRoiAlign(x, rois, {0}, 2, 2, 0, 1.0, false, true), 1e-5,
                     1e-5);
}

TEST(RoiAlignTest, Errors) {
  Tensor x = RandomFloat({1, 1, 4, 4}, 1);
  auto bad_batch = RunOp({.op_type = "RoiAlign", .opset = 16},
                         {x, MakeTensor<float>({1, 4}, {0, 0, 1, 1}),
                          MakeTensor<int64_t>({1}, {3})});
  ASSERT_FALSE(bad_batch.ok());
  EXPECT_NE(bad_batch.status().message().find("batch_indices"), std::string::npos);
  auto bad_rois = RunOp({.op_type = "RoiAlign", .opset = 16},
                        {x, MakeTensor<float>({1, 3}, {0, 0, 1}), MakeTensor<int64_t>({1}, {0})});
  ASSERT_FALSE(bad_rois.ok());
  EXPECT_NE(bad_rois.status().message().find("input 1 'rois'"), std::string::npos);
  auto bad_mode = RunOp({.op_type = "RoiAlign", .opset = 16,
                         .attrs = Attrs().String("mode", "min")},
                        {x, MakeTensor<float>({1, 4}, {0, 0, 1, 1}),
                         MakeTensor<int64_t>({1}, {0})});
  ASSERT_FALSE(bad_mode.ok());
  EXPECT_NE(bad_mode.status().message().find("'mode'"), std::string::npos);
  auto bad_count = RunOp({.op_type = "RoiAlign", .opset = 16},
                         {x, MakeTensor<float>({2, 4}, {0, 0, 1, 1, 0, 0, 1, 1}),
                          MakeTensor<int64_t>({1}, {0})});
  ASSERT_FALSE(bad_count.ok());
}

TEST(RoiAlignTest, NonFiniteOrHugeRoisAreErrors) {
  Tensor x = RandomFloat({1, 1, 4, 4}, 1);
  auto inf = RunOp({.op_type = "RoiAlign", .opset = 16},
                   {x, MakeTensor<float>({1, 4}, {0, 0, std::numeric_limits<float>::infinity(), 1}),
                    MakeTensor<int64_t>({1}, {0})});
  ASSERT_FALSE(inf.ok());
  EXPECT_NE(inf.status().message().find("input 1 'rois'"), std::string::npos);
  auto grid = RunOp({.op_type = "RoiAlign", .opset = 16,
                     .attrs = Attrs().Int("sampling_ratio", 1 << 20)},
                    {x, MakeTensor<float>({1, 4}, {0, 0, 1, 1}), MakeTensor<int64_t>({1}, {0})});
  ASSERT_FALSE(grid.ok());
  auto nan = RunOp({.op_type = "MaxRoiPool", .attrs = Attrs().Ints("pooled_shape", {1, 1})},
                   {x, MakeTensor<float>({1, 5}, {0, std::nanf(""), 0, 1, 1})});
  ASSERT_FALSE(nan.ok());
}

TEST(RoiAlignTest, NoRois) {
  auto out = RunOp({.op_type = "RoiAlign", .opset = 16},
                   {RandomFloat({1, 3, 4, 4}, 1), *Tensor::Zeros(DType::kFloat32, {0, 4}),
                    *Tensor::Zeros(DType::kInt64, {0})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({0, 3, 1, 1}));
}

// ---- MaxRoiPool ----------------------------------------------------------------------------

Tensor NaiveMaxRoiPool(const Tensor& x, const Tensor& rois, int64_t ph, int64_t pw,
                       double scale) {
  const int64_t c = x.dim(1), h = x.dim(2), w = x.dim(3), n = rois.dim(0);
  Tensor y = *Tensor::Zeros(DType::kFloat32, {n, c, ph, pw});
  for (int64_t r = 0; r < n; ++r) {
    const float* roi = rois.data<float>() + r * 5;
    const int64_t b = int64_t(roi[0]);
    const int64_t x1 = std::llround(roi[1] * scale), y1 = std::llround(roi[2] * scale);
    const int64_t x2 = std::llround(roi[3] * scale), y2 = std::llround(roi[4] * scale);
    const double bh = double(std::max<int64_t>(y2 - y1 + 1, 1)) / double(ph);
    const double bw = double(std::max<int64_t>(x2 - x1 + 1, 1)) / double(pw);
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t i = 0; i < ph; ++i)
        for (int64_t j = 0; j < pw; ++j) {
          double best = -1e300;
          bool any = false;
          for (int64_t yy = 0; yy < h; ++yy)
            for (int64_t xx = 0; xx < w; ++xx) {
              const bool in_y = yy >= int64_t(std::floor(double(i) * bh)) + y1 &&
                                yy < int64_t(std::ceil(double(i + 1) * bh)) + y1;
              const bool in_x = xx >= int64_t(std::floor(double(j) * bw)) + x1 &&
                                xx < int64_t(std::ceil(double(j + 1) * bw)) + x1;
              if (!in_y || !in_x) continue;
              any = true;
              best = std::max(best, double(x.data<float>()[((b * c + ch) * h + yy) * w + xx]));
            }
          y.data<float>()[((r * c + ch) * ph + i) * pw + j] = any ? float(best) : 0.f;
        }
  }
  return y;
}

TEST(MaxRoiPoolTest, MatchesDirectLoop) {
  Tensor x = RandomFloat({2, 3, 9, 11}, 4);
  Tensor rois = MakeTensor<float>({3, 5}, {0, 0, 0, 10, 8, 1, 2.4f, 1.6f, 7, 5, 1, 8, 7, 30, 30});
  auto out = RunOp({.op_type = "MaxRoiPool", .opset = 1,
                    .attrs = Attrs().Ints("pooled_shape", {3, 2})},
                   {x, rois});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], NaiveMaxRoiPool(x, rois, 3, 2, 1.0));
  auto scaled = RunOp({.op_type = "MaxRoiPool", .opset = 13,
                       .attrs = Attrs().Ints("pooled_shape", {2, 2}).Float("spatial_scale", 0.5f)},
                      {x, rois});
  ASSERT_TRUE(scaled.ok()) << scaled.status().ToString();
  EXPECT_TENSOR_EQ((*scaled)[0], NaiveMaxRoiPool(x, rois, 2, 2, 0.5));
}

TEST(MaxRoiPoolTest, Errors) {
  Tensor x = RandomFloat({1, 1, 4, 4}, 1);
  auto no_shape = RunOp({.op_type = "MaxRoiPool"}, {x, MakeTensor<float>({1, 5}, {0, 0, 0, 1, 1})});
  ASSERT_FALSE(no_shape.ok());
  EXPECT_NE(no_shape.status().message().find("pooled_shape"), std::string::npos);
  auto bad_batch = RunOp({.op_type = "MaxRoiPool", .attrs = Attrs().Ints("pooled_shape", {1, 1})},
                         {x, MakeTensor<float>({1, 5}, {4, 0, 0, 1, 1})});
  ASSERT_FALSE(bad_batch.ok());
  EXPECT_NE(bad_batch.status().message().find("input 1 'rois'"), std::string::npos);
  auto bad_rois = RunOp({.op_type = "MaxRoiPool", .attrs = Attrs().Ints("pooled_shape", {1, 1})},
                        {x, MakeTensor<float>({1, 4}, {0, 0, 1, 1})});
  ASSERT_FALSE(bad_rois.ok());
}

}  // namespace
}  // namespace brisk
