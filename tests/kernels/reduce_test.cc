#include <cmath>
#include <limits>
#include <random>

#include "kernels/op_runner.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using testing::Attrs;
using testing::MakeBoolTensor;
using testing::MakeTensor;
using testing::RandomFloat;

constexpr float kInf = std::numeric_limits<float>::infinity();

Tensor Axes(std::vector<int64_t> axes) {
  const int64_t n = int64_t(axes.size());
  return MakeTensor<int64_t>({n}, std::move(axes));
}

// Runs a Reduce op with axes as an input (opset 18, ReduceSum too).
StatusOr<std::vector<Tensor>> Reduce(const std::string& op, const Tensor& x,
                                     std::optional<std::vector<int64_t>> axes,
                                     int64_t keepdims = 1, int opset = 18,
                                     int64_t noop = 0) {
  Attrs attrs;
  attrs.Int("keepdims", keepdims);
  if (noop) attrs.Int("noop_with_empty_axes", noop);
  std::vector<std::optional<Tensor>> inputs{x};
  if (axes) inputs.push_back(Axes(*axes));
  return RunOp({.op_type = op, .opset = opset, .attrs = attrs}, inputs);
}

// Runs a Reduce op with the axes attribute (opset 11).
StatusOr<std::vector<Tensor>> ReduceAttr(const std::string& op, const Tensor& x,
                                         std::optional<std::vector<int64_t>> axes,
                                         int64_t keepdims = 1, int opset = 11) {
  Attrs attrs;
  attrs.Int("keepdims", keepdims);
  if (axes) attrs.Ints("axes", *axes);
  return RunOp({.op_type = op, .opset = opset, .attrs = attrs}, {x});
}

Tensor X234() {
  std::vector<float> v(24);
  for (int i = 0; i < 24; ++i) v[size_t(i)] = float(i + 1);
  return MakeTensor<float>({2, 3, 4}, v);
}

TEST(ReduceSumTest, AxesInputKeepdims) {
  Tensor x = MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  auto out = Reduce("ReduceSum", x, std::vector<int64_t>{1}, 1, 13);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({2, 1}, {6, 15}));
  out = Reduce("ReduceSum", x, std::vector<int64_t>{0}, 0, 13);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({3}, {5, 7, 9}));
}

TEST(ReduceSumTest, AxesAttributeBeforeOpset13) {
  Tensor x = MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  auto out = ReduceAttr("ReduceSum", x, std::vector<int64_t>{-1}, 0, 11);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({2}, {6, 15}));
  out = ReduceAttr("ReduceSum", x, std::nullopt, 1, 7);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({1, 1}, {21}));
}

TEST(ReduceSumTest, MultipleAndNegativeAxes) {
  auto out = Reduce("ReduceSum", X234(), std::vector<int64_t>{-1, 0}, 1);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  // sum over axis 0 and 2 of 1..24
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({1, 3, 1}, {68, 100, 132}));
  out = Reduce("ReduceSum", X234(), std::vector<int64_t>{2, 0}, 0);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({3}, {68, 100, 132}));
  out = Reduce("ReduceSum", X234(), std::vector<int64_t>{1}, 0);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0],
                   MakeTensor<float>({2, 4}, {15, 18, 21, 24, 51, 54, 57, 60}));
}

TEST(ReduceSumTest, DefaultAxesReduceAll) {
  auto out = Reduce("ReduceSum", X234(), std::nullopt, 1);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({1, 1, 1}, {300}));
  out = Reduce("ReduceSum", X234(), std::vector<int64_t>{}, 0);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({}, {300}));
}

TEST(ReduceSumTest, NoopWithEmptyAxes) {
  auto out = Reduce("ReduceSum", X234(), std::vector<int64_t>{}, 0, 13, 1);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], X234());
  out = Reduce("ReduceSum", X234(), std::nullopt, 1, 13, 1);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], X234());
}

TEST(ReduceSumSquareTest, NoopAppliesTheOpPerElement) {
  Tensor x = MakeTensor<float>({2}, {-2, 3});
  auto out = Reduce("ReduceSumSquare", x, std::nullopt, 1, 18, 1);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({2}, {4, 9}));
  out = Reduce("ReduceL1", x, std::vector<int64_t>{}, 1, 18, 1);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({2}, {2, 3}));
}

TEST(ReduceTest, ScalarInput) {
  Tensor x = MakeTensor<float>({}, {5});
  auto out = Reduce("ReduceMax", x, std::nullopt, 1);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], x);
  out = Reduce("ReduceMax", x, std::vector<int64_t>{0}, 1);
  EXPECT_FALSE(out.ok());
}

TEST(ReduceTest, EachOpOnAnExample) {
  Tensor x = MakeTensor<float>({2, 2}, {1, -2, 3, 4});
  struct Case {
    const char* op;
    std::vector<float> expected;  // reduce axis 1
  };
  const Case cases[] = {
      {"ReduceSum", {-1, 7}},
      {"ReduceMean", {-0.5f, 3.5f}},
      {"ReduceMax", {1, 4}},
      {"ReduceMin", {-2, 3}},
      {"ReduceProd", {-2, 12}},
      {"ReduceL1", {3, 7}},
      {"ReduceL2", {std::sqrt(5.f), 5}},
      {"ReduceSumSquare", {5, 25}},
      {"ReduceLogSumExp", {std::log(std::exp(1.f) + std::exp(-2.f)),
                           std::log(std::exp(3.f) + std::exp(4.f))}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.op);
    auto out = Reduce(c.op, x, std::vector<int64_t>{1}, 0);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_TENSOR_NEAR((*out)[0], MakeTensor<float>({2}, c.expected), 1e-6, 1e-6);
    // The attribute form at opset 13 agrees.
    const int attr_opset = c.op == std::string("ReduceSum") ? 11 : 13;
    out = ReduceAttr(c.op, x, std::vector<int64_t>{1}, 0, attr_opset);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_TENSOR_NEAR((*out)[0], MakeTensor<float>({2}, c.expected), 1e-6, 1e-6);
  }
  auto out = Reduce("ReduceLogSum", MakeTensor<float>({2, 2}, {1, 2, 3, 4}),
                    std::vector<int64_t>{0}, 1);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_NEAR((*out)[0], MakeTensor<float>({1, 2}, {std::log(4.f), std::log(6.f)}), 1e-6,
                     1e-6);
}

TEST(ReduceTest, EmptyReductionSetGivesIdentity) {
  Tensor x = *Tensor::Allocate(DType::kFloat32, Shape{2, 0, 3});
  const float nan = std::numeric_limits<float>::quiet_NaN();
  struct Case {
    const char* op;
    float value;
  };
  const Case cases[] = {
      {"ReduceSum", 0},        {"ReduceMean", nan},     {"ReduceMax", -kInf},
      {"ReduceMin", kInf},     {"ReduceProd", 1},       {"ReduceL1", 0},
      {"ReduceL2", 0},         {"ReduceLogSum", -kInf}, {"ReduceLogSumExp", -kInf},
      {"ReduceSumSquare", 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.op);
    auto out = Reduce(c.op, x, std::vector<int64_t>{1}, 1);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({2, 1, 3}, std::vector<float>(6, c.value)));
    out = Reduce(c.op, x, std::vector<int64_t>{1}, 0);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({2, 3}, std::vector<float>(6, c.value)));
  }
}

TEST(ReduceTest, EmptySetIntegerLimits) {
  auto out = Reduce("ReduceMax", *Tensor::Allocate(DType::kInt8, Shape{0, 2}),
                    std::vector<int64_t>{0}, 0);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<int8_t>({2}, {-128, -128}));
  out = Reduce("ReduceMin", *Tensor::Allocate(DType::kUInt8, Shape{0, 2}), std::vector<int64_t>{0},
               0);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<uint8_t>({2}, {255, 255}));
  out = Reduce("ReduceProd", *Tensor::Allocate(DType::kInt32, Shape{0}), std::nullopt, 0);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<int32_t>({}, {1}));
}

TEST(ReduceTest, EmptyKeptAxis) {
  Tensor x = *Tensor::Allocate(DType::kFloat32, Shape{0, 3});
  auto out = Reduce("ReduceSum", x, std::vector<int64_t>{1}, 1);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{0, 1}));
  out = Reduce("ReduceLogSumExp", x, std::vector<int64_t>{1}, 0);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{0}));
}

TEST(ReduceTest, IntegerTypes) {
  Tensor x = MakeTensor<int32_t>({2, 2}, {1, 2, 3, 6});
  auto out = Reduce("ReduceSum", x, std::vector<int64_t>{1}, 0);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<int32_t>({2}, {3, 9}));
  out = Reduce("ReduceMean", x, std::vector<int64_t>{1}, 0);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<int32_t>({2}, {1, 4}));
  out = Reduce("ReduceMean", MakeTensor<int64_t>({2}, {-1, -2}), std::nullopt, 0);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<int64_t>({}, {-1}));
  out = Reduce("ReduceProd", MakeTensor<uint64_t>({3}, {2, 3, 4}), std::nullopt, 1);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<uint64_t>({1}, {24}));
  out = Reduce("ReduceL1", MakeTensor<int8_t>({3}, {-2, 3, -4}), std::nullopt, 0);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<int8_t>({}, {9}));
  out = Reduce("ReduceMax", MakeTensor<int64_t>({3}, {-5, 7, 2}), std::nullopt, 0);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<int64_t>({}, {7}));
}

TEST(ReduceTest, BoolMaxMin) {
  Tensor x = MakeBoolTensor({2, 2}, {1, 0, 0, 0});
  auto out = Reduce("ReduceMax", x, std::vector<int64_t>{1}, 0, 20);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeBoolTensor({2}, {1, 0}));
  out = Reduce("ReduceMin", MakeBoolTensor({2, 2}, {1, 1, 1, 0}), std::vector<int64_t>{1}, 0, 20);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeBoolTensor({2}, {1, 0}));
  // Sum of bools is not defined.
  EXPECT_FALSE(Reduce("ReduceSum", x, std::nullopt, 0).ok());
}

TEST(ReduceTest, HalfTypes) {
  Tensor x = MakeTensor<Float16>({3}, {Float16(1.5f), Float16(2.f), Float16(-0.5f)});
  auto out = Reduce("ReduceSum", x, std::nullopt, 0);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<Float16>({}, {Float16(3.f)}));
  Tensor b = MakeTensor<BFloat16>({2}, {BFloat16(2.f), BFloat16(4.f)});
  out = Reduce("ReduceMean", b, std::nullopt, 1);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<BFloat16>({1}, {BFloat16(3.f)}));
  Tensor d = MakeTensor<double>({2}, {3, 4});
  out = Reduce("ReduceL2", d, std::nullopt, 0);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<double>({}, {5}));
}

TEST(ReduceTest, NanPropagatesThroughMaxMin) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor x = MakeTensor<float>({3}, {1, nan, 3});
  for (const char* op : {"ReduceMax", "ReduceMin"}) {
    auto out = Reduce(op, x, std::nullopt, 0);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_TRUE(std::isnan((*out)[0].data<float>()[0])) << op;
  }
}

TEST(ReduceTest, LogSumExpIsStable) {
  Tensor x = MakeTensor<float>({2, 2}, {1000, 1000, -kInf, -kInf});
  auto out = Reduce("ReduceLogSumExp", x, std::vector<int64_t>{1}, 0);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_NEAR((*out)[0], MakeTensor<float>({2}, {1000 + std::log(2.f), -kInf}), 1e-6, 0);
}

TEST(ReduceTest, MatchesBruteForceOnRandomData) {
  Tensor x = RandomFloat({3, 4, 5, 2}, 7);
  const std::vector<std::vector<int64_t>> axes_sets = {{0}, {1}, {3}, {0, 2}, {1, 3}, {0, 1, 2, 3}};
  for (const auto& axes : axes_sets) {
    auto out = Reduce("ReduceSum", x, axes, 1);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    const Tensor& y = (*out)[0];
    std::vector<double> expected(size_t(y.num_elements()), 0.0);
    const int64_t d[4] = {3, 4, 5, 2};
    bool red[4] = {false, false, false, false};
    for (int64_t a : axes) red[a] = true;
    int64_t od[4];
    for (int k = 0; k < 4; ++k) od[k] = red[k] ? 1 : d[k];
    for (int64_t i0 = 0; i0 < 3; ++i0)
      for (int64_t i1 = 0; i1 < 4; ++i1)
        for (int64_t i2 = 0; i2 < 5; ++i2)
          for (int64_t i3 = 0; i3 < 2; ++i3) {
            const int64_t idx[4] = {i0, i1, i2, i3};
            int64_t o = 0;
            for (int k = 0; k < 4; ++k) o = o * od[k] + (red[k] ? 0 : idx[k]);
            expected[size_t(o)] += x.data<float>()[((i0 * 4 + i1) * 5 + i2) * 2 + i3];
          }
    std::vector<float> e(expected.begin(), expected.end());
    EXPECT_TENSOR_NEAR(y, MakeTensor<float>(Shape(std::vector<int64_t>(od, od + 4)), e), 1e-5,
                       1e-5);
  }
}

TEST(ReduceTest, NonConstantAxesInference) {
  Attrs attrs;
  attrs.Int("keepdims", 0);
  auto out = RunOp({.op_type = "ReduceMean", .opset = 18, .attrs = attrs},
                   {X234(), Axes({0, 2})}, /*inputs_are_constant=*/false);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({3}, {8.5f, 12.5f, 16.5f}));
  attrs.Int("keepdims", 1);
  out = RunOp({.op_type = "ReduceMean", .opset = 18, .attrs = attrs}, {X234(), Axes({1})},
              /*inputs_are_constant=*/false);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 1, 4}));
}

TEST(ReduceTest, Errors) {
  // Duplicate axes, as input and as attribute.
  auto out = Reduce("ReduceSum", X234(), std::vector<int64_t>{1, -2}, 1);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("more than once"), std::string::npos)
      << out.status().ToString();
  EXPECT_NE(out.status().message().find("axes"), std::string::npos);
  out = ReduceAttr("ReduceMax", X234(), std::vector<int64_t>{0, 0}, 1, 13);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("attribute 'axes'"), std::string::npos);
  // Out of range.
  out = Reduce("ReduceMin", X234(), std::vector<int64_t>{3}, 1);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("out of range"), std::string::npos);
  out = Reduce("ReduceMin", X234(), std::vector<int64_t>{-4}, 1);
  EXPECT_FALSE(out.ok());
  // Bad keepdims / noop.
  out = Reduce("ReduceProd", X234(), std::nullopt, 2);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("keepdims"), std::string::npos);
  out = Reduce("ReduceProd", X234(), std::nullopt, 1, 18, 3);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("noop_with_empty_axes"), std::string::npos);
  // axes attribute where it became an input.
  out = ReduceAttr("ReduceL1", X234(), std::vector<int64_t>{0}, 1, 18);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("axes"), std::string::npos);
  // axes of the wrong dtype / rank.
  out = RunOp({.op_type = "ReduceSum", .opset = 13},
              {X234(), MakeTensor<float>({1}, {0})});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("axes"), std::string::npos);
  out = RunOp({.op_type = "ReduceSum", .opset = 13},
              {X234(), MakeTensor<int64_t>({1, 1}, {0})}, false);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("axes"), std::string::npos);
  // String data.
  Tensor s = *Tensor::Allocate(DType::kString, Shape{2});
  EXPECT_FALSE(Reduce("ReduceMax", s, std::nullopt, 1).ok());
}

}  // namespace
}  // namespace brisk
