#include <cmath>
#include <string>
#include <vector>

#include "kernels/op_runner.h"
#include "linalg_norm_test_util.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using testing::Attrs;
using testing::CastTo;
using testing::ErrorContains;
using testing::FromDoubles;
using testing::InferOnly;
using testing::MakeTensor;
using testing::RandomFloat;
using testing::ToDoubles;
using testing::SpecType;

struct Params {
  int64_t n = 1, c = 2, h = 5, w = 6, m = 2, kh = 3, kw = 2;
  int64_t group = 1, offset_group = 1;
  std::vector<int64_t> strides{1, 1}, dilations{1, 1}, pads{0, 0, 0, 0};
  bool bias = false, mask = false;
  float offset_scale = 1.5f;
};

int64_t OutDim(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe) {
  return (in + pb + pe - ((k - 1) * d + 1)) / s + 1;
}

// Bilinear value written as a sum over all pixels of max(0, 1-|dy|) * max(0, 1-|dx|).
double Bilinear(const std::vector<double>& x, size_t base, int64_t h, int64_t w, double y,
                double xx) {
  double v = 0;
  for (int64_t i = 0; i < h; ++i)
    for (int64_t j = 0; j < w; ++j) {
      const double wy = std::max(0.0, 1 - std::abs(y - double(i)));
      const double wx = std::max(0.0, 1 - std::abs(xx - double(j)));
      v += wy * wx * x[base + size_t(i * w + j)];
    }
  return v;
}

Attrs MakeAttrs(const Params& p) {
  Attrs a;
  a.Ints("strides", p.strides).Ints("dilations", p.dilations).Ints("pads", p.pads);
  a.Int("group", p.group).Int("offset_group", p.offset_group);
  return a;
}

void Check(const Params& p, DType dtype = DType::kFloat32) {
  const int64_t oh = OutDim(p.h, p.kh, p.strides[0], p.dilations[0], p.pads[0], p.pads[2]);
  const int64_t ow = OutDim(p.w, p.kw, p.strides[1], p.dilations[1], p.pads[1], p.pads[3]);
  const int64_t taps = p.kh * p.kw;
  Tensor x = CastTo(RandomFloat({p.n, p.c, p.h, p.w}, 1), dtype);
  Tensor wt = CastTo(RandomFloat({p.m, p.c / p.group, p.kh, p.kw}, 2), dtype);
  Tensor off = CastTo(RandomFloat({p.n, p.offset_group * 2 * taps, oh, ow}, 3, -p.offset_scale,
                                  p.offset_scale), dtype);
  Tensor b = CastTo(RandomFloat({p.m}, 4), dtype);
  Tensor mk = CastTo(RandomFloat({p.n, p.offset_group * taps, oh, ow}, 5, 0, 1), dtype);
  auto y = RunOp({.op_type = "DeformConv", .opset = 19, .attrs = MakeAttrs(p)},
                 {x, wt, off, p.bias ? std::optional<Tensor>(b) : std::nullopt,
                  p.mask ? std::optional<Tensor>(mk) : std::nullopt});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  const std::vector<double> xv = ToDoubles(x), wv = ToDoubles(wt), ov = ToDoubles(off),
                            bv = ToDoubles(b), mv = ToDoubles(mk);
  std::vector<double> e;
  const int64_t icg = p.c / p.group, ocg = p.m / p.group, cpo = p.c / p.offset_group;
  for (int64_t n = 0; n < p.n; ++n)
    for (int64_t o = 0; o < p.m; ++o)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          double acc = p.bias ? bv[size_t(o)] : 0.0;
          const int64_t g = o / ocg;
          for (int64_t ci = 0; ci < icg; ++ci) {
            const int64_t c = g * icg + ci, og = c / cpo;
            for (int64_t a = 0; a < p.kh; ++a)
              for (int64_t bb = 0; bb < p.kw; ++bb) {
                const int64_t tap = a * p.kw + bb;
                auto at = [&](int64_t ch) {
                  return size_t(((n * p.offset_group * 2 * taps + ch) * oh + i) * ow + j);
                };
                const double dy = ov[at(og * 2 * taps + 2 * tap)];
                const double dx = ov[at(og * 2 * taps + 2 * tap + 1)];
                const double sy = double(i * p.strides[0] - p.pads[0] + a * p.dilations[0]) + dy;
                const double sx = double(j * p.strides[1] - p.pads[1] + bb * p.dilations[1]) + dx;
                double v = Bilinear(xv, size_t((n * p.c + c) * p.h * p.w), p.h, p.w, sy, sx);
                const int64_t mch = n * p.offset_group * taps + og * taps + tap;
                if (p.mask) v *= mv[size_t((mch * oh + i) * ow + j)];
                acc += v * wv[size_t(((o * icg + ci) * p.kh + a) * p.kw + bb)];
              }
          }
          e.push_back(acc);
        }
  const double tol = dtype == DType::kFloat32 || dtype == DType::kFloat64 ? 1e-5 : 3e-2;
  EXPECT_TENSOR_NEAR((*y)[0], FromDoubles(dtype, Shape{p.n, p.m, oh, ow}, e), tol, tol);
}

TEST(DeformConvTest, Basic) { Check({}); }

TEST(DeformConvTest, PadsStridesDilations) {
  Params p;
  p.pads = {1, 2, 1, 0};
  p.strides = {2, 1};
  p.dilations = {1, 2};
  p.n = 2;
  Check(p);
}

TEST(DeformConvTest, MaskAndBias) {
  Params p;
  p.mask = true;
  p.bias = true;
  Check(p);
}

TEST(DeformConvTest, GroupsAndOffsetGroups) {
  Params p;
  p.c = 4;
  p.m = 6;
  p.group = 2;
  p.offset_group = 2;
  p.mask = true;
  Check(p);
  p.group = 1;
  p.offset_group = 4;
  Check(p);
  p.group = 2;
  p.offset_group = 1;
  Check(p);
}

TEST(DeformConvTest, LargeOffsetsSampleZeros) {
  Params p;
  p.offset_scale = 8;
  Check(p);
}

TEST(DeformConvTest, Dtypes) {
  Check({}, DType::kFloat64);
  Check({}, DType::kFloat16);
}

TEST(DeformConvTest, ZeroOffsetsMatchConv) {
  Tensor x = RandomFloat({1, 2, 4, 4}, 1);
  Tensor w = RandomFloat({3, 2, 3, 3}, 2);
  Tensor b = RandomFloat({3}, 3);
  Tensor off = *Tensor::Zeros(DType::kFloat32, {1, 18, 4, 4});
  Attrs a;
  a.Ints("pads", {1, 1, 1, 1});
  auto y = RunOp({.op_type = "DeformConv", .opset = 19, .attrs = a}, {x, w, off, b});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  auto c = RunOp({.op_type = "Conv", .opset = 11, .attrs = a}, {x, w, b});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TENSOR_NEAR((*y)[0], (*c)[0], 1e-5, 1e-5);
}

TEST(DeformConvTest, EmptyBatch) {
  auto y = RunOp({.op_type = "DeformConv", .opset = 19},
                 {*Tensor::Allocate(DType::kFloat32, {0, 1, 3, 3}), RandomFloat({2, 1, 2, 2}, 1),
                  *Tensor::Allocate(DType::kFloat32, {0, 8, 2, 2})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ((*y)[0].shape(), Shape({0, 2, 2, 2}));
}

TEST(DeformConvTest, BadInputsAreErrors) {
  Tensor x = RandomFloat({1, 2, 4, 4}, 1);
  Tensor w = RandomFloat({2, 2, 2, 2}, 2);
  Tensor off = RandomFloat({1, 8, 3, 3}, 3);
  auto run = [&](std::vector<std::optional<Tensor>> in, Attrs a = Attrs()) {
    return RunOp({.op_type = "DeformConv", .opset = 19, .attrs = a}, std::move(in)).status();
  };
  EXPECT_TRUE(run({x, w, off}).ok());
  Status s = run({x, w, RandomFloat({1, 8, 2, 3}, 3)});
  EXPECT_TRUE(ErrorContains(s, "'offset'")) << s.ToString();
  s = run({x, w, RandomFloat({1, 6, 3, 3}, 3)});
  EXPECT_TRUE(ErrorContains(s, "'offset'")) << s.ToString();
  s = run({x, RandomFloat({2, 3, 2, 2}, 2), off});
  EXPECT_TRUE(ErrorContains(s, "'W'")) << s.ToString();
  s = run({x, w, off, RandomFloat({3}, 1)});
  EXPECT_TRUE(ErrorContains(s, "'B'")) << s.ToString();
  s = run({x, w, off, std::nullopt, RandomFloat({1, 4, 3, 2}, 1)});
  EXPECT_TRUE(ErrorContains(s, "'mask'")) << s.ToString();
  s = run({x, w, RandomFloat({1, 16, 3, 3}, 3)}, Attrs().Int("offset_group", 3));
  EXPECT_TRUE(ErrorContains(s, "offset_group")) << s.ToString();
  s = run({x, w, off}, Attrs().Int("group", 0));
  EXPECT_TRUE(ErrorContains(s, "'group'")) << s.ToString();
  s = run({x, w, off}, Attrs().Ints("strides", {0, 1}));
  EXPECT_TRUE(ErrorContains(s, "'strides'")) << s.ToString();
  s = run({RandomFloat({1, 2, 1, 1}, 1), w, off});
  EXPECT_TRUE(ErrorContains(s, "'X'")) << s.ToString();
  s = run({RandomFloat({1, 2, 4}, 1), w, off});
  EXPECT_TRUE(ErrorContains(s, "'X'")) << s.ToString();
  s = run({x, w, off, std::nullopt, std::nullopt}, Attrs().Ints("kernel_shape", {3, 3}));
  EXPECT_TRUE(ErrorContains(s, "kernel_shape")) << s.ToString();
}

TEST(DeformConvInferenceTest, Shapes) {
  auto t = InferOnly("DeformConv", 19, Attrs().Ints("pads", {1, 1, 1, 1}),
                     {SpecType(DType::kFloat32, {"N", "4", "8", "8"}),
                      SpecType(DType::kFloat32, {"16", "4", "3", "3"}),
                      SpecType(DType::kFloat32, {"N", "18", "?", "?"})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[N, 16, 8, 8]");
  t = InferOnly("DeformConv", 19, {},
                {SpecType(DType::kFloat32, {"N", "4", "H", "W"}),
                 SpecType(DType::kFloat32, {"16", "4", "3", "3"}),
                 SpecType(DType::kFloat32, {"N", "18", "OH", "OW"})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[N, 16, OH, OW]");
}

}  // namespace
}  // namespace brisk
