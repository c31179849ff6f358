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

// Index helpers for naive loops over a row-major shape.
std::vector<int64_t> Unravel(int64_t i, const Shape& s) {
  std::vector<int64_t> idx(size_t(s.rank()));
  for (int d = s.rank() - 1; d >= 0; --d) {
    idx[size_t(d)] = i % s[d];
    i /= s[d];
  }
  return idx;
}

// ---- LpNormalization -----------------------------------------------------------------------

Tensor NaiveLp(const Tensor& x, int axis, int p) {
  auto v = ToDoubles(x);
  std::vector<double> y(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    auto idx = Unravel(int64_t(i), x.shape());
    double norm = 0;
    for (int64_t k = 0; k < x.dim(axis); ++k) {
      auto j = idx;
      j[size_t(axis)] = k;
      int64_t flat = 0;
      for (int d = 0; d < x.rank(); ++d) flat = flat * x.dim(d) + j[size_t(d)];
      norm += p == 1 ? std::fabs(v[size_t(flat)]) : v[size_t(flat)] * v[size_t(flat)];
    }
    if (p == 2) norm = std::sqrt(norm);
    y[i] = v[i] / norm;
  }
  return FromDoubles(x.dtype(), x.shape(), y);
}

TEST(LpNormalizationTest, AxesAndP) {
  Tensor x = RandomFloat({2, 3, 4}, 1);
  for (int p : {1, 2})
    for (int axis : {-1, 0, 1, 2, -3}) {
      auto y = RunOp({.op_type = "LpNormalization", .opset = 1,
                      .attrs = Attrs().Int("axis", axis).Int("p", p)},
                     {x});
      ASSERT_TRUE(y.ok()) << y.status().ToString();
      EXPECT_TENSOR_NEAR((*y)[0], NaiveLp(x, axis < 0 ? axis + 3 : axis, p), 1e-5, 1e-6);
    }
}

TEST(LpNormalizationTest, DefaultsDtypesAndZeroVector) {
  Tensor x = MakeTensor<double>({2, 2}, {3, 4, 0, 0});
  auto y = RunOp({.op_type = "LpNormalization", .opset = 1}, {x});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_NEAR((*y)[0], MakeTensor<double>({2, 2}, {0.6, 0.8, 0, 0}), 1e-12, 1e-12);
  Tensor h = CastTo(RandomFloat({3, 5}, 2), DType::kFloat16);
  y = RunOp({.op_type = "LpNormalization", .opset = 1}, {h});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_NEAR((*y)[0], NaiveLp(h, 1, 2), 1e-2, 1e-2);
  y = RunOp({.op_type = "LpNormalization", .opset = 1}, {RandomFloat({0, 3}, 1)});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
}

TEST(LpNormalizationTest, Errors) {
  auto y = RunOp({.op_type = "LpNormalization", .opset = 1, .attrs = Attrs().Int("p", 3)},
                 {RandomFloat({2}, 1)});
  EXPECT_TRUE(ErrorContains(y.status(), "'p'")) << y.status().ToString();
  y = RunOp({.op_type = "LpNormalization", .opset = 1, .attrs = Attrs().Int("axis", 2)},
            {RandomFloat({2, 2}, 1)});
  EXPECT_TRUE(ErrorContains(y.status(), "axis")) << y.status().ToString();
}

// ---- MeanVarianceNormalization -------------------------------------------------------------

Tensor NaiveMvn(const Tensor& x, std::vector<int> axes) {
  auto v = ToDoubles(x);
  std::vector<double> y(v.size());
  std::vector<bool> red(size_t(x.rank()), false);
  for (int a : axes) red[size_t(a < 0 ? a + x.rank() : a)] = true;
  for (size_t i = 0; i < v.size(); ++i) {
    auto ii = Unravel(int64_t(i), x.shape());
    double s = 0, s2 = 0, cnt = 0;
    for (size_t j = 0; j < v.size(); ++j) {
      auto jj = Unravel(int64_t(j), x.shape());
      bool same = true;
      for (int d = 0; d < x.rank(); ++d)
        if (!red[size_t(d)] && ii[size_t(d)] != jj[size_t(d)]) same = false;
      if (!same) continue;
      s += v[j];
      s2 += v[j] * v[j];
      cnt += 1;
    }
    const double m = s / cnt;
    y[i] = (v[i] - m) / (std::sqrt(s2 / cnt - m * m) + 1e-9);
  }
  return FromDoubles(x.dtype(), x.shape(), y);
}

TEST(MvnTest, DefaultAxes) {
  Tensor x = RandomFloat({2, 3, 2, 3}, 1);
  for (int opset : {9, 13}) {
    auto y = RunOp({.op_type = "MeanVarianceNormalization", .opset = opset}, {x});
    ASSERT_TRUE(y.ok()) << y.status().ToString();
    EXPECT_TENSOR_NEAR((*y)[0], NaiveMvn(x, {0, 2, 3}), 1e-4, 1e-4);
  }
}

TEST(MvnTest, CustomAxes) {
  Tensor x = RandomFloat({3, 4, 5}, 2);
  for (std::vector<int> axes : std::vector<std::vector<int>>{{-1}, {0, 1}, {1}, {0, 1, 2}}) {
    auto y = RunOp({.op_type = "MeanVarianceNormalization", .opset = 13,
                    .attrs = Attrs().Ints("axes", {axes.begin(), axes.end()})},
                   {x});
    ASSERT_TRUE(y.ok()) << y.status().ToString();
    EXPECT_TENSOR_NEAR((*y)[0], NaiveMvn(x, axes), 1e-4, 1e-4);
  }
}

TEST(MvnTest, EmptyAndErrors) {
  auto y = RunOp({.op_type = "MeanVarianceNormalization", .opset = 13},
                 {RandomFloat({0, 2, 1, 1}, 1)});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  y = RunOp({.op_type = "MeanVarianceNormalization", .opset = 13}, {RandomFloat({2, 2}, 1)});
  EXPECT_TRUE(ErrorContains(y.status(), "axes")) << y.status().ToString();
}

// ---- LRN -----------------------------------------------------------------------------------

Tensor NaiveLrn(const Tensor& x, int64_t size, double alpha, double beta, double bias) {
  auto v = ToDoubles(x);
  const int64_t c = x.dim(1);
  int64_t sp = 1;
  for (int d = 2; d < x.rank(); ++d) sp *= x.dim(d);
  std::vector<double> y(v.size());
  const int64_t lo_off = int64_t(std::floor((size - 1) / 2.0));
  const int64_t hi_off = int64_t(std::ceil((size - 1) / 2.0));
  for (size_t i = 0; i < v.size(); ++i) {
    const int64_t ch = (int64_t(i) / sp) % c;
    double sq = 0;
    for (int64_t k = std::max<int64_t>(0, ch - lo_off); k <= std::min(c - 1, ch + hi_off); ++k) {
      const double w = v[size_t(int64_t(i) + (k - ch) * sp)];
      sq += w * w;
    }
    y[i] = v[i] / std::pow(bias + alpha / double(size) * sq, beta);
  }
  return FromDoubles(x.dtype(), x.shape(), y);
}

TEST(LrnTest, Sizes) {
  Tensor x = RandomFloat({2, 5, 3, 2}, 1, -3.f, 3.f);
  for (int64_t size : {1, 2, 3, 4, 5, 7}) {
    auto y = RunOp({.op_type = "LRN", .opset = 13,
                    .attrs = Attrs().Int("size", size).Float("alpha", 0.1f).Float("beta", 0.6f)
                                 .Float("bias", 2.f)},
                   {x});
    ASSERT_TRUE(y.ok()) << y.status().ToString();
    EXPECT_TENSOR_NEAR((*y)[0], NaiveLrn(x, size, 0.1, 0.6, 2.0), 1e-5, 1e-6);
  }
}

TEST(LrnTest, DefaultsOpset1AndDtypes) {
  Tensor x = RandomFloat({1, 3, 4}, 2);
  auto y = RunOp({.op_type = "LRN", .opset = 1, .attrs = Attrs().Int("size", 3)}, {x});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_NEAR((*y)[0], NaiveLrn(x, 3, 1e-4, 0.75, 1.0), 1e-5, 1e-6);
  Tensor h = CastTo(x, DType::kBFloat16);
  y = RunOp({.op_type = "LRN", .opset = 13, .attrs = Attrs().Int("size", 3)}, {h});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_NEAR((*y)[0], NaiveLrn(h, 3, 1e-4, 0.75, 1.0), 2e-2, 2e-2);
}

TEST(LrnTest, Errors) {
  auto y = RunOp({.op_type = "LRN", .opset = 13}, {RandomFloat({1, 3, 4}, 2)});
  EXPECT_TRUE(ErrorContains(y.status(), "size")) << y.status().ToString();
  y = RunOp({.op_type = "LRN", .opset = 13, .attrs = Attrs().Int("size", 0)},
            {RandomFloat({1, 3, 4}, 2)});
  EXPECT_TRUE(ErrorContains(y.status(), "size")) << y.status().ToString();
  y = RunOp({.op_type = "LRN", .opset = 13, .attrs = Attrs().Int("size", 3)},
            {RandomFloat({4}, 2)});
  EXPECT_TRUE(ErrorContains(y.status(), "input 0 'X'")) << y.status().ToString();
}

TEST(NormMiscInferenceTest, SymbolicShapes) {
  for (const char* op : {"LpNormalization", "MeanVarianceNormalization", "LRN"}) {
    Attrs a;
    if (std::string(op) == "LRN") a.Int("size", 3);
    auto t = InferOnly(op, 13, a, {SpecType(DType::kFloat32, {"N", "C", "H", "W"})});
    ASSERT_TRUE(t.ok()) << op << ": " << t.status().ToString();
    EXPECT_EQ((*t)[0].shape->ToString(), "[N, C, H, W]");
  }
}

}  // namespace
}  // namespace brisk
