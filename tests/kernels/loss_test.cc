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

constexpr char kNll[] = "NegativeLogLikelihoodLoss";
constexpr char kSce[] = "SoftmaxCrossEntropyLoss";

// Naive loss on [N, C, D] log-probabilities; returns per-element losses and the weight sum.
struct NaiveResult {
  std::vector<double> loss;
  double weight_sum = 0;
};

NaiveResult NaiveNll(const std::vector<double>& lp, const std::vector<int64_t>& target,
                     const std::vector<double>* weight, int64_t n, int64_t c, int64_t d,
                     std::optional<int64_t> ignore) {
  NaiveResult r;
  r.loss.assign(size_t(n * d), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < d; ++k) {
      const int64_t t = target[size_t(i * d + k)];
      if (ignore && t == *ignore) continue;
      const double w = weight ? (*weight)[size_t(t)] : 1.0;
      r.loss[size_t(i * d + k)] = -lp[size_t((i * c + t) * d + k)] * w;
      r.weight_sum += w;
    }
  return r;
}

std::vector<double> LogSoftmaxAxis1(const std::vector<double>& x, int64_t n, int64_t c, int64_t d) {
  std::vector<double> y(x.size());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < d; ++k) {
      double mx = -INFINITY, s = 0;
      for (int64_t j = 0; j < c; ++j) mx = std::max(mx, x[size_t((i * c + j) * d + k)]);
      for (int64_t j = 0; j < c; ++j) s += std::exp(x[size_t((i * c + j) * d + k)] - mx);
      for (int64_t j = 0; j < c; ++j)
        y[size_t((i * c + j) * d + k)] = x[size_t((i * c + j) * d + k)] - mx - std::log(s);
    }
  return y;
}

Tensor Labels(Shape shape, int64_t c, uint64_t seed, std::optional<int64_t> ignore) {
  Tensor t = *Tensor::Allocate(DType::kInt64, shape);
  uint64_t s = seed * 2654435761u + 1;
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    int64_t v = int64_t((s >> 33) % uint64_t(c));
    if (ignore && i % 3 == 1) v = *ignore;
    t.data<int64_t>()[i] = v;
  }
  return t;
}

void Check(const std::string& op, Shape xshape, const std::string& reduction, bool weighted,
           std::optional<int64_t> ignore, DType dtype = DType::kFloat32, int opset = 13) {
  SCOPED_TRACE(op + " " + xshape.ToString() + " " + reduction + (weighted ? " weighted" : "") +
               (ignore ? " ii=" + std::to_string(*ignore) : ""));
  const int64_t n = xshape[0], c = xshape[1];
  const int64_t d = xshape.NumElements(2, xshape.rank());
  std::vector<int64_t> tdims{n};
  for (int i = 2; i < xshape.rank(); ++i) tdims.push_back(xshape[i]);
  Tensor x = CastTo(RandomFloat(xshape, 3, -2, 2), dtype);
  Tensor t = Labels(Shape(tdims), c, 7, ignore);
  Tensor w = CastTo(RandomFloat({c}, 9, 0.2f, 1.5f), dtype);
  Attrs attrs;
  attrs.String("reduction", reduction);
  if (ignore) attrs.Int("ignore_index", *ignore);
  const bool sce = op == kSce;
  auto out = RunOp({.op_type = op, .opset = opset, .attrs = attrs, .num_outputs = sce ? 2 : 1},
                   {x, t, weighted ? std::optional<Tensor>(w) : std::nullopt});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  std::vector<double> lp = ToDoubles(x);
  if (sce) lp = LogSoftmaxAxis1(lp, n, c, d);
  const std::vector<double> wv = ToDoubles(w);
  std::vector<int64_t> tv(t.data<int64_t>(), t.data<int64_t>() + t.num_elements());
  NaiveResult r = NaiveNll(lp, tv, weighted ? &wv : nullptr, n, c, d, ignore);
  const double tol = dtype == DType::kFloat32 || dtype == DType::kFloat64 ? 1e-5 : 2e-2;
  if (reduction == "none") {
    EXPECT_TENSOR_NEAR((*out)[0], FromDoubles(dtype, Shape(tdims), r.loss), tol, tol);
  } else {
    double s = 0;
    for (double v : r.loss) s += v;
    if (reduction == "mean") s /= r.weight_sum;
    EXPECT_TENSOR_NEAR((*out)[0], FromDoubles(dtype, Shape{}, {s}), tol, tol);
  }
  if (sce) EXPECT_TENSOR_NEAR((*out)[1], FromDoubles(dtype, xshape, lp), tol, tol);
}

TEST(LossTest, AllReductions2D) {
  for (const char* op : {kNll, kSce})
    for (const char* red : {"none", "sum", "mean"}) {
      Check(op, {5, 4}, red, false, std::nullopt);
      Check(op, {5, 4}, red, true, std::nullopt);
    }
}

TEST(LossTest, NdInputs) {
  for (const char* op : {kNll, kSce})
    for (const char* red : {"none", "sum", "mean"}) {
      Check(op, {2, 3, 4}, red, true, std::nullopt);
      Check(op, {2, 3, 2, 3, 2}, red, false, std::nullopt);
    }
}

TEST(LossTest, IgnoreIndexIncludingNegative) {
  for (const char* op : {kNll, kSce})
    for (const char* red : {"none", "sum", "mean"})
      for (int64_t ii : {int64_t(-1), int64_t(2), int64_t(-100)}) {
        Check(op, {4, 3, 2}, red, true, ii);
        Check(op, {4, 3, 2}, red, false, ii);
      }
}

TEST(LossTest, OpsetTwelveAndOtherDtypes) {
  Check(kNll, {3, 4}, "mean", true, std::nullopt, DType::kFloat32, 12);
  Check(kSce, {3, 4}, "sum", false, 1, DType::kFloat32, 12);
  for (DType dt : {DType::kFloat64, DType::kFloat16, DType::kBFloat16}) {
    Check(kNll, {3, 4, 2}, "mean", true, 0, dt);
    Check(kSce, {3, 4, 2}, "none", true, std::nullopt, dt);
  }
}

TEST(LossTest, KnownValues) {
  // NLL: -(x[0,1]*w1 + x[1,0]*w0) / (w1 + w0)
  Tensor x = MakeTensor<float>({2, 2}, {-0.5f, -1.f, -2.f, -0.25f});
  Tensor t = MakeTensor<int64_t>({2}, {1, 0});
  Tensor w = MakeTensor<float>({2}, {2.f, 1.f});
  auto out = RunOp({.op_type = kNll}, {x, t, w});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_NEAR((*out)[0], Tensor::Scalar<float>((1.f * 1 + 2.f * 2) / 3.f), 1e-6, 1e-6);
  // SCE with equal scores: loss = log(C).
  Tensor s = MakeTensor<float>({1, 4}, {3, 3, 3, 3});
  out = RunOp({.op_type = kSce}, {s, MakeTensor<int32_t>({1}, {2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_NEAR((*out)[0], Tensor::Scalar<float>(std::log(4.f)), 1e-6, 1e-6);
}

TEST(LossTest, AllIgnoredMeanIsNaNAndEmptyBatchWorks) {
  Tensor x = MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  auto out = RunOp({.op_type = kNll, .attrs = Attrs().Int("ignore_index", 1)},
                   {x, MakeTensor<int64_t>({2}, {1, 1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(std::isnan((*out)[0].data<float>()[0]));
  out = RunOp({.op_type = kSce, .attrs = Attrs().String("reduction", "none")},
              {*Tensor::Allocate(DType::kFloat32, {0, 3}), *Tensor::Allocate(DType::kInt64, {0})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({0}));
  out = RunOp({.op_type = kSce, .attrs = Attrs().String("reduction", "sum")},
              {*Tensor::Allocate(DType::kFloat32, {0, 3}), *Tensor::Allocate(DType::kInt64, {0})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].data<float>()[0], 0.f);
}

TEST(LossTest, BadInputsAreErrors) {
  Tensor x = RandomFloat({2, 3}, 1);
  for (const char* op : {kNll, kSce}) {
    const std::string tname = op == std::string(kNll) ? "'target'" : "'labels'";
    auto r = RunOp({.op_type = op}, {x, MakeTensor<int64_t>({2}, {0, 3})});
    EXPECT_TRUE(ErrorContains(r.status(), tname)) << r.status().ToString();
    EXPECT_TRUE(ErrorContains(r.status(), "out of range")) << r.status().ToString();
    r = RunOp({.op_type = op}, {x, MakeTensor<int64_t>({2}, {-1, 0})});
    EXPECT_TRUE(ErrorContains(r.status(), "out of range")) << r.status().ToString();
    r = RunOp({.op_type = op}, {x, MakeTensor<int64_t>({3}, {0, 0, 0})});
    EXPECT_TRUE(ErrorContains(r.status(), tname)) << r.status().ToString();
    r = RunOp({.op_type = op}, {x, MakeTensor<float>({2}, {0, 0})});
    EXPECT_TRUE(ErrorContains(r.status(), tname)) << r.status().ToString();
    r = RunOp({.op_type = op}, {x, MakeTensor<int64_t>({2}, {0, 0}), RandomFloat({2}, 1)});
    EXPECT_TRUE(ErrorContains(r.status(), "input 2")) << r.status().ToString();
    r = RunOp({.op_type = op}, {RandomFloat({3}, 1), MakeTensor<int64_t>({}, {0})});
    EXPECT_TRUE(ErrorContains(r.status(), "input 0")) << r.status().ToString();
    r = RunOp({.op_type = op, .attrs = Attrs().String("reduction", "max")},
              {x, MakeTensor<int64_t>({2}, {0, 0})});
    EXPECT_TRUE(ErrorContains(r.status(), "reduction")) << r.status().ToString();
    r = RunOp({.op_type = op},
              {MakeTensor<int32_t>({1, 2}, {0, 0}), MakeTensor<int64_t>({1}, {0})});
    EXPECT_TRUE(ErrorContains(r.status(), "input 0")) << r.status().ToString();
  }
}

TEST(LossInferenceTest, SymbolicShapes) {
  auto t = InferOnly(kSce, 13, Attrs().String("reduction", "none"),
                     {SpecType(DType::kFloat32, {"N", "C", "H"}), SpecType(DType::kInt64, {"N", "?"})}, 2);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[N, H]");
  EXPECT_EQ((*t)[1].shape->ToString(), "[N, C, H]");
  t = InferOnly(kNll, 13, {}, {SpecType(DType::kFloat16, {"N", "C"}), SpecType(DType::kInt32, {"N"})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[]");
  EXPECT_EQ((*t)[0].dtype, DType::kFloat16);
  t = InferOnly(kNll, 13, Attrs().String("reduction", "none"),
                {SpecType(DType::kFloat32, {"N", "5", "7"}), std::nullopt});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[N, 7]");
  t = InferOnly(kNll, 13, {},
                {SpecType(DType::kFloat32, {"2", "5", "7"}), SpecType(DType::kInt64, {"2", "6"})});
  EXPECT_TRUE(ErrorContains(t.status(), "'target'")) << t.status().ToString();
  t = InferOnly(kNll, 13, {},
                {SpecType(DType::kFloat32, {"2", "5"}), SpecType(DType::kInt64, {"2"}),
                 SpecType(DType::kFloat32, {"4"})});
  EXPECT_TRUE(ErrorContains(t.status(), "'weight'")) << t.status().ToString();
}

}  // namespace
}  // namespace brisk
