#include <cstdint>
#include <optional>
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

Tensor NaiveGemm(const Tensor& a, const Tensor& b, const std::optional<Tensor>& c, bool ta,
                 bool tb, double alpha, double beta) {
  const int64_t m = ta ? a.dim(1) : a.dim(0), k = ta ? a.dim(0) : a.dim(1);
  const int64_t n = tb ? b.dim(0) : b.dim(1);
  const std::vector<double> av = ToDoubles(a), bv = ToDoubles(b);
  std::vector<double> cv;
  std::vector<int64_t> cd;
  if (c) {
    cv = ToDoubles(*c);
    cd = c->shape().dims();
    while (cd.size() < 2) cd.insert(cd.begin(), 1);
  }
  std::vector<double> y(size_t(m * n));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (int64_t p = 0; p < k; ++p) {
        const double x = ta ? av[size_t(p * m + i)] : av[size_t(i * k + p)];
        const double w = tb ? bv[size_t(j * k + p)] : bv[size_t(p * n + j)];
        s += x * w;
      }
      s *= alpha;
      if (c) {
        const int64_t ci = cd[0] == 1 ? 0 : i, cj = cd[1] == 1 ? 0 : j;
        s += beta * cv[size_t(ci * cd[1] + cj)];
      }
      y[size_t(i * n + j)] = s;
    }
  return FromDoubles(a.dtype(), {m, n}, y);
}

void Check(Shape as, Shape bs, std::optional<Shape> cs, bool ta, bool tb, float alpha = 1,
           float beta = 1, int opset = 13, DType dtype = DType::kFloat32) {
  Tensor a = CastTo(RandomFloat(as, 1), dtype), b = CastTo(RandomFloat(bs, 2), dtype);
  std::optional<Tensor> c;
  if (cs) c = CastTo(RandomFloat(*cs, 3), dtype);
  Attrs attrs;
  attrs.Int("transA", ta).Int("transB", tb).Float("alpha", alpha).Float("beta", beta);
  auto y = RunOp({.op_type = "Gemm", .opset = opset, .attrs = attrs}, {a, b, c});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  const double tol = dtype == DType::kFloat16 || dtype == DType::kBFloat16 ? 3e-2 : 1e-5;
  EXPECT_TENSOR_NEAR((*y)[0], NaiveGemm(a, b, c, ta, tb, alpha, beta), tol, tol);
}

TEST(GemmTest, Plain) { Check({3, 4}, {4, 5}, Shape{3, 5}, false, false); }
TEST(GemmTest, TransA) { Check({4, 3}, {4, 5}, Shape{3, 5}, true, false); }
TEST(GemmTest, TransB) { Check({3, 4}, {5, 4}, Shape{3, 5}, false, true); }
TEST(GemmTest, TransBoth) { Check({4, 3}, {5, 4}, Shape{3, 5}, true, true, 0.5f, 2.f); }
TEST(GemmTest, AlphaBeta) { Check({2, 7}, {7, 3}, Shape{2, 3}, false, false, 0.25f, 0.35f); }
TEST(GemmTest, BroadcastCScalar) { Check({3, 4}, {4, 5}, Shape{}, false, false); }
TEST(GemmTest, BroadcastCRow) { Check({3, 4}, {4, 5}, Shape{5}, false, false); }
TEST(GemmTest, BroadcastCColumn) { Check({3, 4}, {4, 5}, Shape{3, 1}, false, false); }
TEST(GemmTest, BroadcastCOneByOne) { Check({3, 4}, {5, 4}, Shape{1, 1}, false, true); }
TEST(GemmTest, NoC) { Check({3, 4}, {4, 5}, std::nullopt, false, false); }
TEST(GemmTest, BatchOneOddSizes) { Check({1, 13}, {13, 7}, Shape{7}, false, false); }
TEST(GemmTest, EmptyM) { Check({0, 4}, {4, 5}, Shape{5}, false, false); }
TEST(GemmTest, EmptyK) { Check({3, 0}, {0, 5}, Shape{3, 5}, false, false); }
TEST(GemmTest, OldOpsets) {
  for (int opset : {7, 9, 11}) Check({4, 3}, {4, 5}, Shape{3, 5}, true, false, 1, 1, opset);
}
TEST(GemmTest, HalfAndDouble) {
  for (DType d : {DType::kFloat16, DType::kBFloat16, DType::kFloat64})
    Check({3, 4}, {5, 4}, Shape{5}, false, true, 1.5f, 0.5f, 13, d);
}

TEST(GemmTest, Integers) {
  Tensor a = MakeTensor<int32_t>({2, 2}, {1, 2, 3, 4});
  Tensor b = MakeTensor<int32_t>({2, 2}, {5, 6, 7, 8});
  Tensor c = MakeTensor<int32_t>({2}, {1, -1});
  auto y = RunOp({.op_type = "Gemm", .opset = 13, .attrs = Attrs().Float("alpha", 2)}, {a, b, c});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ((*y)[0], MakeTensor<int32_t>({2, 2}, {39, 43, 87, 99}));
  Tensor ul = MakeTensor<uint64_t>({1, 1}, {3});
  auto z = RunOp({.op_type = "Gemm", .opset = 13}, {ul, ul, std::nullopt});
  ASSERT_TRUE(z.ok()) << z.status().ToString();
  EXPECT_TENSOR_EQ((*z)[0], MakeTensor<uint64_t>({1, 1}, {9}));
}

TEST(GemmTest, MissingCBeforeOpset11IsAnError) {
  auto y = RunOp({.op_type = "Gemm", .opset = 9}, {RandomFloat({2, 2}, 1), RandomFloat({2, 2}, 2),
                                                    std::nullopt});
  EXPECT_TRUE(ErrorContains(y.status(), "input 2 'C'")) << y.status().ToString();
}

TEST(GemmTest, BadShapesAreErrors) {
  auto y = RunOp({.op_type = "Gemm"}, {RandomFloat({2, 3}, 1), RandomFloat({4, 5}, 2)});
  EXPECT_TRUE(ErrorContains(y.status(), "input 1 'B': inner dimensions differ"))
      << y.status().ToString();
  y = RunOp({.op_type = "Gemm"}, {RandomFloat({2, 3, 1}, 1), RandomFloat({3, 5}, 2)});
  EXPECT_TRUE(ErrorContains(y.status(), "input 0 'A': expected rank 2")) << y.status().ToString();
  y = RunOp({.op_type = "Gemm"},
            {RandomFloat({2, 3}, 1), RandomFloat({3, 5}, 2), RandomFloat({3, 5}, 3)});
  EXPECT_TRUE(ErrorContains(y.status(), "input 2 'C'")) << y.status().ToString();
  y = RunOp({.op_type = "Gemm", .attrs = Attrs().Int("transA", 2)},
            {RandomFloat({2, 3}, 1), RandomFloat({3, 5}, 2)});
  EXPECT_TRUE(ErrorContains(y.status(), "transA")) << y.status().ToString();
}

TEST(GemmInferenceTest, SymbolicDims) {
  auto t = InferOnly("Gemm", 13, Attrs().Int("transB", 1),
                     {SpecType(DType::kFloat32, {"N", "768"}), SpecType(DType::kFloat32, {"3072", "768"}),
                      SpecType(DType::kFloat32, {"3072"})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[N, 3072]");
  EXPECT_EQ((*t)[0].dtype, DType::kFloat32);
}

}  // namespace
}  // namespace brisk
