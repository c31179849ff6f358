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

std::vector<double> Linspace(int64_t n, bool align) {
  std::vector<double> v;
  for (int64_t i = 0; i < n; ++i) {
    if (align) v.push_back(n == 1 ? -1.0 : -1.0 + 2.0 * double(i) / double(n - 1));
    else v.push_back((2.0 * double(i) + 1.0) / double(n) - 1.0);
  }
  return v;
}

// Naive: dims = {D, H, W} (D = 1 for 2-D), r = 2 or 3.
Tensor Naive(const Tensor& theta, std::vector<int64_t> size, bool align) {
  const int r = int(size.size()) - 2;
  const int64_t n = size[0];
  const int64_t d = r == 3 ? size[2] : 1, h = size[size_t(r)], w = size[size_t(r + 1)];
  const std::vector<double> th = ToDoubles(theta);
  const std::vector<double> zs = Linspace(d, align), ys = Linspace(h, align),
                            xs = Linspace(w, align);
  std::vector<double> out;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t k = 0; k < d; ++k)
      for (int64_t i = 0; i < h; ++i)
        for (int64_t j = 0; j < w; ++j) {
          std::vector<double> p{xs[size_t(j)], ys[size_t(i)]};
          if (r == 3) p.push_back(zs[size_t(k)]);
          p.push_back(1.0);
          for (int row = 0; row < r; ++row) {
            double acc = 0;
            for (int c = 0; c <= r; ++c)
              acc += th[size_t((b * r + row) * (r + 1) + c)] * p[size_t(c)];
            out.push_back(acc);
          }
        }
  std::vector<int64_t> dims{n};
  for (int i = 0; i < r; ++i) dims.push_back(size[size_t(2 + i)]);
  dims.push_back(r);
  return FromDoubles(theta.dtype(), Shape(dims), out);
}

void Check(std::vector<int64_t> size, bool align, DType dtype = DType::kFloat32) {
  SCOPED_TRACE(Shape(size).ToString() + (align ? " align" : ""));
  const int64_t r = int64_t(size.size()) - 2;
  Tensor theta = CastTo(RandomFloat({size[0], r, r + 1}, 4), dtype);
  auto y = RunOp({.op_type = "AffineGrid", .opset = 20,
                  .attrs = Attrs().Int("align_corners", align)},
                 {theta, MakeTensor<int64_t>({int64_t(size.size())}, size)});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  const double tol = dtype == DType::kFloat32 || dtype == DType::kFloat64 ? 1e-5 : 2e-2;
  EXPECT_TENSOR_NEAR((*y)[0], Naive(theta, size, align), tol, tol);
}

TEST(AffineGridTest, TwoD) {
  for (bool align : {false, true}) {
    Check({2, 3, 4, 5}, align);
    Check({1, 1, 1, 3}, align);
  }
}

TEST(AffineGridTest, ThreeD) {
  for (bool align : {false, true}) {
    Check({2, 1, 3, 4, 2}, align);
    Check({1, 2, 1, 1, 1}, align);
  }
}

TEST(AffineGridTest, Dtypes) {
  for (DType d : {DType::kFloat64, DType::kFloat16, DType::kBFloat16}) Check({1, 1, 2, 3}, true, d);
}

TEST(AffineGridTest, IdentityKnownValues) {
  Tensor theta = MakeTensor<float>({1, 2, 3}, {1, 0, 0, 0, 1, 0});
  auto y = RunOp({.op_type = "AffineGrid", .opset = 20, .attrs = Attrs().Int("align_corners", 1)},
                 {theta, MakeTensor<int64_t>({4}, {1, 1, 2, 3})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_NEAR((*y)[0],
                     MakeTensor<float>({1, 2, 3, 2}, {-1, -1, 0, -1, 1, -1, -1, 1, 0, 1, 1, 1}),
                     1e-6, 1e-6);
}

TEST(AffineGridTest, EmptyOutputs) {
  auto y = RunOp({.op_type = "AffineGrid", .opset = 20},
                 {*Tensor::Allocate(DType::kFloat32, {0, 2, 3}),
                  MakeTensor<int64_t>({4}, {0, 1, 2, 3})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ((*y)[0].shape(), Shape({0, 2, 3, 2}));
  y = RunOp({.op_type = "AffineGrid", .opset = 20},
            {RandomFloat({1, 2, 3}, 1), MakeTensor<int64_t>({4}, {1, 1, 0, 3})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ((*y)[0].shape(), Shape({1, 0, 3, 2}));
}

TEST(AffineGridTest, BadInputsAreErrors) {
  auto y = RunOp({.op_type = "AffineGrid", .opset = 20},
                 {RandomFloat({1, 2, 3}, 1), MakeTensor<int64_t>({3}, {1, 2, 3})});
  EXPECT_TRUE(ErrorContains(y.status(), "'size'")) << y.status().ToString();
  y = RunOp({.op_type = "AffineGrid", .opset = 20},
            {RandomFloat({1, 3, 4}, 1), MakeTensor<int64_t>({4}, {1, 1, 2, 3})});
  EXPECT_TRUE(ErrorContains(y.status(), "'theta'")) << y.status().ToString();
  y = RunOp({.op_type = "AffineGrid", .opset = 20},
            {RandomFloat({2, 2, 3}, 1), MakeTensor<int64_t>({4}, {1, 1, 2, 3})});
  EXPECT_TRUE(ErrorContains(y.status(), "batch")) << y.status().ToString();
  y = RunOp({.op_type = "AffineGrid", .opset = 20},
            {RandomFloat({1, 2, 3}, 1), MakeTensor<int64_t>({4}, {1, 1, -2, 3})});
  EXPECT_TRUE(ErrorContains(y.status(), "'size'")) << y.status().ToString();
  y = RunOp({.op_type = "AffineGrid", .opset = 20, .attrs = Attrs().Int("align_corners", 3)},
            {RandomFloat({1, 2, 3}, 1), MakeTensor<int64_t>({4}, {1, 1, 2, 3})});
  EXPECT_TRUE(ErrorContains(y.status(), "align_corners")) << y.status().ToString();
  y = RunOp({.op_type = "AffineGrid", .opset = 20},
            {RandomFloat({1, 2, 3}, 1), MakeTensor<int32_t>({4}, {1, 1, 2, 3})});
  EXPECT_TRUE(ErrorContains(y.status(), "'size'")) << y.status().ToString();
}

TEST(AffineGridInferenceTest, SymbolicBatch) {
  auto t = InferOnly("AffineGrid", 20, {},
                     {SpecType(DType::kFloat32, {"N", "3", "4"}), SpecType(DType::kInt64, {"5"})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[N, ?, ?, ?, 3]");
  t = InferOnly("AffineGrid", 20, {},
                {SpecType(DType::kFloat32, {"N", "2", "3"}), SpecType(DType::kInt64, {"?"})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[N, ?, ?, 2]");
  t = InferOnly("AffineGrid", 20, {},
                {SpecType(DType::kFloat32, {"N", "2", "3"}), SpecType(DType::kInt64, {"5"})});
  EXPECT_TRUE(ErrorContains(t.status(), "'theta'")) << t.status().ToString();
}

}  // namespace
}  // namespace brisk
