#include <cmath>
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

int64_t Prod(const Shape& s, int b, int e) {
  int64_t p = 1;
  for (int i = b; i < e; ++i) p *= s[i];
  return p;
}

// ---- BatchNormalization --------------------------------------------------------------------

Tensor NaiveBatchNorm(const Tensor& x, const Tensor& sc, const Tensor& b, const Tensor& m,
                      const Tensor& v, double eps) {
  const int64_t n = x.dim(0), c = x.dim(1), sp = Prod(x.shape(), 2, x.rank());
  auto xv = ToDoubles(x), s = ToDoubles(sc), bv = ToDoubles(b), mv = ToDoubles(m),
       vv = ToDoubles(v);
  std::vector<double> y(xv.size());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < c; ++j)
      for (int64_t k = 0; k < sp; ++k) {
        const size_t at = size_t((i * c + j) * sp + k);
        y[at] = s[size_t(j)] * (xv[at] - mv[size_t(j)]) / std::sqrt(vv[size_t(j)] + eps) +
                bv[size_t(j)];
      }
  return FromDoubles(x.dtype(), x.shape(), y);
}

void CheckBatchNorm(Shape xs, int opset, DType dtype = DType::kFloat32) {
  const int64_t c = xs[1];
  Tensor x = CastTo(RandomFloat(xs, 1), dtype), s = CastTo(RandomFloat({c}, 2), dtype),
         b = CastTo(RandomFloat({c}, 3), dtype), m = CastTo(RandomFloat({c}, 4), dtype),
         v = CastTo(RandomFloat({c}, 5, 0.1f, 2.f), dtype);
  auto y = RunOp({.op_type = "BatchNormalization", .opset = opset,
                  .attrs = Attrs().Float("epsilon", 1e-3f)},
                 {x, s, b, m, v});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  const double tol = dtype == DType::kFloat32 || dtype == DType::kFloat64 ? 1e-5 : 3e-2;
  EXPECT_TENSOR_NEAR((*y)[0], NaiveBatchNorm(x, s, b, m, v, 1e-3), tol, tol);
}

TEST(BatchNormTest, AllOpsets) {
  for (int opset : {7, 9, 14, 15}) {
    CheckBatchNorm({2, 3, 4, 5}, opset);
    CheckBatchNorm({1, 5}, opset);
    CheckBatchNorm({3, 2, 7}, opset);
  }
}

TEST(BatchNormTest, Dtypes) {
  for (DType d : {DType::kFloat16, DType::kBFloat16, DType::kFloat64})
    CheckBatchNorm({2, 3, 2, 2}, 15, d);
}

TEST(BatchNormTest, EmptyBatch) { CheckBatchNorm({0, 3, 2}, 15); }

TEST(BatchNormTest, MixedParamDtypesOpset15) {
  Tensor x = CastTo(RandomFloat({2, 2, 3}, 1), DType::kFloat16);
  Tensor s = RandomFloat({2}, 2), b = RandomFloat({2}, 3);
  Tensor m = CastTo(RandomFloat({2}, 4), DType::kFloat64);
  Tensor v = CastTo(RandomFloat({2}, 5, 0.5f, 1.f), DType::kFloat64);
  auto y = RunOp({.op_type = "BatchNormalization", .opset = 15}, {x, s, b, m, v});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_NEAR((*y)[0], NaiveBatchNorm(x, s, b, m, v, 1e-5), 2e-2, 2e-2);
}

TEST(BatchNormTest, SpatialZeroOpset7) {
  Tensor x = RandomFloat({2, 3, 2}, 1);
  Tensor s = RandomFloat({3, 2}, 2), b = RandomFloat({3, 2}, 3), m = RandomFloat({3, 2}, 4),
         v = RandomFloat({3, 2}, 5, 0.5f, 1.f);
  auto y = RunOp({.op_type = "BatchNormalization", .opset = 7, .attrs = Attrs().Int("spatial", 0)},
                 {x, s, b, m, v});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  auto xv = ToDoubles(x), sv = ToDoubles(s), bv = ToDoubles(b), mv = ToDoubles(m),
       vv = ToDoubles(v);
  std::vector<double> e(xv.size());
  for (size_t i = 0; i < xv.size(); ++i) {
    const size_t f = i % 6;
    e[i] = sv[f] * (xv[i] - mv[f]) / std::sqrt(vv[f] + 1e-5) + bv[f];
  }
  EXPECT_TENSOR_NEAR((*y)[0], FromDoubles(DType::kFloat32, x.shape(), e), 1e-5, 1e-5);
}

TEST(BatchNormTest, TrainingModeOpset15) {
  Tensor x = RandomFloat({3, 2, 4}, 1);
  Tensor s = RandomFloat({2}, 2), b = RandomFloat({2}, 3), m = RandomFloat({2}, 4),
         v = RandomFloat({2}, 5, 0.5f, 1.f);
  auto y = RunOp({.op_type = "BatchNormalization", .opset = 15,
                  .attrs = Attrs().Int("training_mode", 1).Float("momentum", 0.8f),
                  .num_outputs = 3},
                 {x, s, b, m, v});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  auto xv = ToDoubles(x), mv = ToDoubles(m), vv = ToDoubles(v);
  std::vector<double> bm(2, 0), bvar(2, 0);
  for (size_t i = 0; i < xv.size(); ++i) bm[(i / 4) % 2] += xv[i] / 12;
  for (size_t i = 0; i < xv.size(); ++i)
    bvar[(i / 4) % 2] += (xv[i] - bm[(i / 4) % 2]) * (xv[i] - bm[(i / 4) % 2]) / 12;
  Tensor bm_t = FromDoubles(DType::kFloat32, {2}, bm), bv_t = FromDoubles(DType::kFloat32, {2},
                                                                          bvar);
  EXPECT_TENSOR_NEAR((*y)[0], NaiveBatchNorm(x, s, b, bm_t, bv_t, 1e-5), 1e-4, 1e-4);
  EXPECT_TENSOR_NEAR((*y)[1],
                     FromDoubles(DType::kFloat32, {2}, {mv[0] * 0.8 + bm[0] * 0.2,
                                                        mv[1] * 0.8 + bm[1] * 0.2}),
                     1e-5, 1e-5);
  EXPECT_TENSOR_NEAR((*y)[2],
                     FromDoubles(DType::kFloat32, {2}, {vv[0] * 0.8 + bvar[0] * 0.2,
                                                        vv[1] * 0.8 + bvar[1] * 0.2}),
                     1e-5, 1e-5);
}

TEST(BatchNormTest, BadParamShapeIsAnError) {
  Tensor x = RandomFloat({2, 3, 4}, 1);
  Tensor p = RandomFloat({3}, 2), bad = RandomFloat({4}, 3);
  auto y = RunOp({.op_type = "BatchNormalization", .opset = 15}, {x, p, p, bad, p});
  EXPECT_TRUE(ErrorContains(y.status(), "input 3 'input_mean'")) << y.status().ToString();
  y = RunOp({.op_type = "BatchNormalization", .opset = 15}, {RandomFloat({3}, 1), p, p, p, p});
  EXPECT_TRUE(ErrorContains(y.status(), "input 0 'X'")) << y.status().ToString();
}

TEST(BatchNormInferenceTest, SymbolicBatch) {
  auto t = InferOnly("BatchNormalization", 15, {},
                     {SpecType(DType::kFloat32, {"N", "3", "H", "W"}), SpecType(DType::kFloat32, {"3"}),
                      SpecType(DType::kFloat32, {"3"}), SpecType(DType::kFloat32, {"3"}),
                      SpecType(DType::kFloat32, {"3"})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[N, 3, H, W]");
}

// ---- InstanceNormalization -----------------------------------------------------------------

Tensor NaiveGroupLike(const Tensor& x, const std::vector<double>& scale,
                      const std::vector<double>& bias, int64_t groups, bool per_channel,
                      double eps) {
  const int64_t n = x.dim(0), c = x.dim(1), sp = Prod(x.shape(), 2, x.rank());
  const int64_t cpg = c / groups, block = cpg * sp;
  auto xv = ToDoubles(x);
  std::vector<double> y(xv.size());
  for (int64_t i = 0; i < n * groups; ++i) {
    double mean = 0, var = 0;
    for (int64_t j = 0; j < block; ++j) mean += xv[size_t(i * block + j)] / double(block);
    for (int64_t j = 0; j < block; ++j) {
      const double d = xv[size_t(i * block + j)] - mean;
      var += d * d / double(block);
    }
    for (int64_t j = 0; j < block; ++j) {
      const int64_t g = i % groups, ch = g * cpg + j / sp;
      const size_t p = size_t(per_channel ? ch : g);
      y[size_t(i * block + j)] =
          (xv[size_t(i * block + j)] - mean) / std::sqrt(var + eps) * scale[p] + bias[p];
    }
  }
  return FromDoubles(x.dtype(), x.shape(), y);
}

void CheckInstanceNorm(Shape xs, DType dtype = DType::kFloat32) {
  const int64_t c = xs[1];
  Tensor x = CastTo(RandomFloat(xs, 1), dtype), s = CastTo(RandomFloat({c}, 2), dtype),
         b = CastTo(RandomFloat({c}, 3), dtype);
  auto y = RunOp({.op_type = "InstanceNormalization", .opset = 6,
                  .attrs = Attrs().Float("epsilon", 1e-2f)},
                 {x, s, b});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  const double tol = dtype == DType::kFloat32 || dtype == DType::kFloat64 ? 1e-5 : 3e-2;
  EXPECT_TENSOR_NEAR((*y)[0], NaiveGroupLike(x, ToDoubles(s), ToDoubles(b), c, true, 1e-2), tol,
                     tol);
}

TEST(InstanceNormTest, Shapes) {
  CheckInstanceNorm({2, 3, 4, 5});
  CheckInstanceNorm({1, 2, 7});
  CheckInstanceNorm({2, 3, 2, 2, 2});
  CheckInstanceNorm({0, 3, 4});
  CheckInstanceNorm({2, 3, 0});
}

TEST(InstanceNormTest, Dtypes) {
  for (DType d : {DType::kFloat16, DType::kFloat64}) CheckInstanceNorm({2, 3, 5}, d);
}

TEST(InstanceNormTest, BadScaleIsAnError) {
  auto y = RunOp({.op_type = "InstanceNormalization", .opset = 6},
                 {RandomFloat({2, 3, 4}, 1), RandomFloat({2}, 2), RandomFloat({3}, 3)});
  EXPECT_TRUE(ErrorContains(y.status(), "input 1 'scale'")) << y.status().ToString();
}

// ---- GroupNormalization --------------------------------------------------------------------

TEST(GroupNormTest, Opset21PerChannel) {
  Tensor x = RandomFloat({2, 6, 3, 2}, 1), s = RandomFloat({6}, 2), b = RandomFloat({6}, 3);
  for (int64_t g : {1, 2, 3, 6}) {
    auto y = RunOp({.op_type = "GroupNormalization", .opset = 21,
                    .attrs = Attrs().Int("num_groups", g)},
                   {x, s, b});
    ASSERT_TRUE(y.ok()) << y.status().ToString();
    EXPECT_TENSOR_NEAR((*y)[0], NaiveGroupLike(x, ToDoubles(s), ToDoubles(b), g, true, 1e-5),
                       1e-5, 1e-5);
  }
}

TEST(GroupNormTest, Opset18PerGroup) {
  Tensor x = RandomFloat({2, 4, 5}, 1), s = RandomFloat({2}, 2), b = RandomFloat({2}, 3);
  auto y = RunOp({.op_type = "GroupNormalization", .opset = 18,
                  .attrs = Attrs().Int("num_groups", 2).Float("epsilon", 1e-3f)},
                 {x, s, b});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_NEAR((*y)[0], NaiveGroupLike(x, ToDoubles(s), ToDoubles(b), 2, false, 1e-3),
                     1e-5, 1e-5);
}

TEST(GroupNormTest, ErrorsNameTheProblem) {
  auto y = RunOp({.op_type = "GroupNormalization", .opset = 21,
                  .attrs = Attrs().Int("num_groups", 4)},
                 {RandomFloat({2, 6, 3}, 1), RandomFloat({6}, 2), RandomFloat({6}, 3)});
  EXPECT_TRUE(ErrorContains(y.status(), "num_groups")) << y.status().ToString();
  y = RunOp({.op_type = "GroupNormalization", .opset = 18, .attrs = Attrs().Int("num_groups", 2)},
            {RandomFloat({2, 6, 3}, 1), RandomFloat({6}, 2), RandomFloat({6}, 3)});
  EXPECT_TRUE(ErrorContains(y.status(), "input 1 'scale'")) << y.status().ToString();
  y = RunOp({.op_type = "GroupNormalization", .opset = 21},
            {RandomFloat({2, 6, 3}, 1), RandomFloat({6}, 2), RandomFloat({6}, 3)});
  EXPECT_FALSE(y.ok());
}

// ---- LayerNormalization --------------------------------------------------------------------

struct LayerNormResult {
  Tensor y, mean, inv;
};

LayerNormResult NaiveLayerNorm(const Tensor& x, const Tensor& s, const Tensor* b, int axis,
                               double eps) {
  const int64_t rows = Prod(x.shape(), 0, axis), cols = Prod(x.shape(), axis, x.rank());
  auto xv = ToDoubles(x), sv = ToDoubles(s);
  std::vector<double> bv = b ? ToDoubles(*b) : std::vector<double>(size_t(cols), 0.0);
  std::vector<double> y(xv.size());
  std::vector<double> mean(static_cast<size_t>(rows)), inv(static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r) {
    double m = 0, v = 0;
    for (int64_t j = 0; j < cols; ++j) m += xv[size_t(r * cols + j)] / double(cols);
    for (int64_t j = 0; j < cols; ++j)
      v += (xv[size_t(r * cols + j)] - m) * (xv[size_t(r * cols + j)] - m) / double(cols);
    mean[size_t(r)] = m;
    inv[size_t(r)] = 1 / std::sqrt(v + eps);
    for (int64_t j = 0; j < cols; ++j)
      y[size_t(r * cols + j)] = (xv[size_t(r * cols + j)] - m) * inv[size_t(r)] *
                                    sv[size_t(j) % sv.size()] +
                                bv[size_t(j) % bv.size()];
  }
  std::vector<int64_t> sd = x.shape().dims();
  for (int i = axis; i < x.rank(); ++i) sd[size_t(i)] = 1;
  return {FromDoubles(x.dtype(), x.shape(), y), FromDoubles(DType::kFloat32, Shape(sd), mean),
          FromDoubles(DType::kFloat32, Shape(sd), inv)};
}

void CheckLayerNorm(Shape xs, int64_t axis, bool with_bias, DType dtype = DType::kFloat32) {
  SCOPED_TRACE(xs.ToString() + " axis " + std::to_string(axis));
  const int a = int(axis < 0 ? axis + xs.rank() : axis);
  Shape ps(std::vector<int64_t>(xs.dims().begin() + a, xs.dims().end()));
  Tensor x = CastTo(RandomFloat(xs, 1), dtype), s = CastTo(RandomFloat(ps, 2), dtype),
         b = CastTo(RandomFloat(ps, 3), dtype);
  std::optional<Tensor> bias;
  if (with_bias) bias = b;
  auto y = RunOp({.op_type = "LayerNormalization", .opset = 17,
                  .attrs = Attrs().Int("axis", axis), .num_outputs = 3},
                 {x, s, bias});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  LayerNormResult e = NaiveLayerNorm(x, s, with_bias ? &b : nullptr, a, 1e-5);
  const double tol = dtype == DType::kFloat32 || dtype == DType::kFloat64 ? 1e-4 : 3e-2;
  EXPECT_TENSOR_NEAR((*y)[0], e.y, tol, tol);
  EXPECT_TENSOR_NEAR((*y)[1], e.mean, 1e-5, 1e-5);
  EXPECT_TENSOR_NEAR((*y)[2], e.inv, 1e-4, 1e-4);
}

TEST(LayerNormTest, Axes) {
  CheckLayerNorm({2, 3, 8}, -1, true);
  CheckLayerNorm({2, 3, 8}, 1, true);
  CheckLayerNorm({2, 3, 8}, 0, false);
  CheckLayerNorm({2, 3, 8}, -2, false);
  CheckLayerNorm({5}, 0, true);
  CheckLayerNorm({1, 1, 7}, -1, true);
}

TEST(LayerNormTest, Dtypes) {
  for (DType d : {DType::kFloat16, DType::kBFloat16, DType::kFloat64})
    CheckLayerNorm({3, 16}, -1, true, d);
}

TEST(LayerNormTest, EmptyRows) { CheckLayerNorm({0, 4}, -1, true); }

TEST(LayerNormTest, BroadcastScale) {
  Tensor x = RandomFloat({2, 3, 4}, 1), s = RandomFloat({4}, 2);
  auto y = RunOp({.op_type = "LayerNormalization", .opset = 17, .attrs = Attrs().Int("axis", 1)},
                 {x, s});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_NEAR((*y)[0], NaiveLayerNorm(x, s, nullptr, 1, 1e-5).y, 1e-4, 1e-4);
}

TEST(LayerNormTest, Errors) {
  auto y = RunOp({.op_type = "LayerNormalization", .opset = 17},
                 {RandomFloat({2, 3}, 1), RandomFloat({4}, 2)});
  EXPECT_TRUE(ErrorContains(y.status(), "input 1 'Scale'")) << y.status().ToString();
  y = RunOp({.op_type = "LayerNormalization", .opset = 17, .attrs = Attrs().Int("axis", 2)},
            {RandomFloat({2, 3}, 1), RandomFloat({3}, 2)});
  EXPECT_TRUE(ErrorContains(y.status(), "axis")) << y.status().ToString();
  y = RunOp({.op_type = "LayerNormalization", .opset = 17,
             .attrs = Attrs().Int("stash_type", 7)},
            {RandomFloat({2, 3}, 1), RandomFloat({3}, 2)});
  EXPECT_TRUE(ErrorContains(y.status(), "stash_type")) << y.status().ToString();
}

TEST(LayerNormInferenceTest, SymbolicDims) {
  auto t = InferOnly("LayerNormalization", 17, {},
                     {SpecType(DType::kFloat16, {"N", "S", "768"}), SpecType(DType::kFloat16, {"768"})},
                     3);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[N, S, 768]");
  EXPECT_EQ((*t)[0].dtype, DType::kFloat16);
  EXPECT_EQ((*t)[1].shape->ToString(), "[N, S, 1]");
  EXPECT_EQ((*t)[1].dtype, DType::kFloat32);
}

}  // namespace
}  // namespace brisk
