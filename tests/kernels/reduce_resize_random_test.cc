// Det and the random generators (shape, dtype, range, seeding and rough statistics).
#include <cmath>

#include "kernels/op_runner.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using testing::Attrs;
using testing::MakeTensor;

TEST(DetTest, SquareMatricesAndBatches) {
  auto out = RunOp({.op_type = "Det", .opset = 11}, {MakeTensor<float>({2, 2}, {1, 2, 3, 4})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_NEAR((*out)[0], MakeTensor<float>({}, {-2}), 1e-6, 1e-6);
  // A batch of 3x3 matrices: one needing a pivot, one singular.
  out = RunOp({.op_type = "Det", .opset = 11},
              {MakeTensor<double>({2, 3, 3}, {0, 1, 2, 1, 0, 3, 4, -3, 8,  //
                                              1, 2, 3, 2, 4, 6, 7, 8, 9})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_NEAR((*out)[0], MakeTensor<double>({2}, {-2, 0}), 1e-12, 1e-12);
}

TEST(DetTest, EmptyAndErrors) {
  auto out = RunOp({.op_type = "Det", .opset = 11},
                   {*Tensor::Allocate(DType::kFloat32, Shape{0, 3, 3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{0}));
  out = RunOp({.op_type = "Det", .opset = 11},
              {*Tensor::Allocate(DType::kFloat32, Shape{2, 0, 0})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({2}, {1, 1}));
  out = RunOp({.op_type = "Det", .opset = 11}, {MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6})});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("square"), std::string::npos);
  out = RunOp({.op_type = "Det", .opset = 11}, {MakeTensor<float>({2}, {1, 2})});
  EXPECT_FALSE(out.ok());
  out = RunOp({.op_type = "Det", .opset = 11}, {MakeTensor<int32_t>({1, 1}, {1})});
  EXPECT_FALSE(out.ok());
}

TEST(RandomTest, UniformShapeRangeAndSeed) {
  Attrs attrs;
  attrs.Ints("shape", {100, 50}).Float("low", -2).Float("high", 3).Float("seed", 5);
  auto a = RunOp({.op_type = "RandomUniform", .opset = 21, .attrs = attrs}, {});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  const Tensor& t = (*a)[0];
  EXPECT_EQ(t.dtype(), DType::kFloat32);
  EXPECT_EQ(t.shape(), (Shape{100, 50}));
  double sum = 0;
  for (float v : t.span<float>()) {
    EXPECT_GE(v, -2);
    EXPECT_LE(v, 3);
    sum += v;
  }
  EXPECT_NEAR(sum / 5000, 0.5, 0.1);
  auto b = RunOp({.op_type = "RandomUniform", .opset = 21, .attrs = attrs}, {});
  ASSERT_TRUE(b.ok());
  EXPECT_TENSOR_EQ((*b)[0], t);  // same seed, same values
  attrs.Float("low", 4);
  EXPECT_FALSE(RunOp({.op_type = "RandomUniform", .opset = 21, .attrs = attrs}, {}).ok());
}

TEST(RandomTest, NormalStatisticsAndDtype) {
  Attrs attrs;
  attrs.Ints("shape", {20000}).Float("mean", 1).Float("scale", 2).Int("dtype", 11);
  auto out = RunOp({.op_type = "RandomNormal", .opset = 21, .attrs = attrs}, {});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const Tensor& t = (*out)[0];
  ASSERT_EQ(t.dtype(), DType::kFloat64);
  double sum = 0, sq = 0;
  for (double v : t.span<double>()) {
    sum += v;
    sq += v * v;
  }
  const double mean = sum / 20000, var = sq / 20000 - mean * mean;
  EXPECT_NEAR(mean, 1, 0.1);
  EXPECT_NEAR(var, 4, 0.3);
  // Missing shape, integer dtype, negative scale.
  EXPECT_FALSE(RunOp({.op_type = "RandomNormal", .opset = 21}, {}).ok());
  auto bad = RunOp({.op_type = "RandomNormal",
                    .opset = 21,
                    .attrs = Attrs().Ints("shape", {2}).Int("dtype", 7)},
                   {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("dtype"), std::string::npos);
  EXPECT_FALSE(RunOp({.op_type = "RandomNormal",
                      .opset = 21,
                      .attrs = Attrs().Ints("shape", {2}).Float("scale", -1)},
                     {})
                   .ok());
  EXPECT_FALSE(
      RunOp({.op_type = "RandomNormal", .opset = 21, .attrs = Attrs().Ints("shape", {-1})}, {})
          .ok());
}

TEST(RandomTest, LikeVariants) {
  Tensor x = *Tensor::Allocate(DType::kFloat16, Shape{3, 0});
  auto out = RunOp({.op_type = "RandomUniformLike", .opset = 21}, {x});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].dtype(), DType::kFloat16);
  EXPECT_EQ((*out)[0].shape(), (Shape{3, 0}));
  Tensor i = MakeTensor<int32_t>({2, 2}, {1, 2, 3, 4});
  out = RunOp({.op_type = "RandomNormalLike", .opset = 21, .attrs = Attrs().Int("dtype", 1)}, {i});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].dtype(), DType::kFloat32);
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 2}));
  // An integer input without dtype cannot give an integer output.
  EXPECT_FALSE(RunOp({.op_type = "RandomNormalLike", .opset = 21}, {i}).ok());
}

TEST(BernoulliTest, ZeroOneAndDtype) {
  Tensor p = MakeTensor<float>({4}, {0, 1, 0, 1});
  auto out = RunOp({.op_type = "Bernoulli", .opset = 15}, {p});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], p);
  out = RunOp({.op_type = "Bernoulli", .opset = 15, .attrs = Attrs().Int("dtype", 9)}, {p});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], testing::MakeBoolTensor({4}, {0, 1, 0, 1}));
  Tensor half = MakeTensor<double>({10000}, std::vector<double>(10000, 0.5));
  out = RunOp(
      {.op_type = "Bernoulli", .opset = 15, .attrs = Attrs().Int("dtype", 7).Float("seed", 1)},
      {half});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  int64_t ones = 0;
  for (int64_t v : (*out)[0].span<int64_t>()) {
    EXPECT_TRUE(v == 0 || v == 1);
    ones += v;
  }
  EXPECT_NEAR(double(ones) / 10000, 0.5, 0.05);
  auto bad = RunOp({.op_type = "Bernoulli", .opset = 15}, {MakeTensor<float>({1}, {1.5f})});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("probability"), std::string::npos);
}

TEST(MultinomialTest, SamplesFollowLogits) {
  // Class 1 has all the mass in row 0; row 1 is uniform over 2 classes.
  const float ninf = -INFINITY;
  Tensor logits = MakeTensor<float>({2, 3}, {ninf, 0, ninf, 0, 0, ninf});
  auto out = RunOp({.op_type = "Multinomial",
                    .opset = 7,
                    .attrs = Attrs().Int("sample_size", 1000).Float("seed", 3)},
                   {logits});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const Tensor& y = (*out)[0];
  ASSERT_EQ(y.dtype(), DType::kInt32);
  ASSERT_EQ(y.shape(), (Shape{2, 1000}));
  int zeros = 0;
  for (int64_t s = 0; s < 1000; ++s) {
    EXPECT_EQ(y.data<int32_t>()[s], 1);
    const int32_t v = y.data<int32_t>()[1000 + s];
    EXPECT_TRUE(v == 0 || v == 1);
    zeros += v == 0;
  }
  EXPECT_NEAR(zeros / 1000.0, 0.5, 0.08);
  out = RunOp({.op_type = "Multinomial", .opset = 7, .attrs = Attrs().Int("dtype", 7)}, {logits});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].dtype(), DType::kInt64);
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 1}));
  // Bad rank, dtype, sample_size.
  EXPECT_FALSE(
      RunOp({.op_type = "Multinomial", .opset = 7}, {MakeTensor<float>({2}, {0, 0})}).ok());
  EXPECT_FALSE(
      RunOp({.op_type = "Multinomial", .opset = 7, .attrs = Attrs().Int("dtype", 1)}, {logits})
          .ok());
  EXPECT_FALSE(RunOp({.op_type = "Multinomial",
                      .opset = 7,
                      .attrs = Attrs().Int("sample_size", -1)},
                     {logits})
                   .ok());
}

}  // namespace
}  // namespace brisk
