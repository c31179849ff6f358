#include <cstdint>
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

StatusOr<Tensor> Einsum(const std::string& eq, std::vector<std::optional<Tensor>> ins) {
  auto out = RunOp({.op_type = "Einsum", .opset = 12, .attrs = Attrs().String("equation", eq)},
                   std::move(ins));
  if (!out.ok()) return out.status();
  return (*out)[0];
}

void ExpectEinsum(const std::string& eq, std::vector<std::optional<Tensor>> ins,
                  const Tensor& expected, double tol = 1e-5) {
  SCOPED_TRACE(eq);
  auto y = Einsum(eq, std::move(ins));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_NEAR(*y, expected, tol, tol);
}

// Naive batched matmul [B, M, K] x [B, K, N] on doubles (B may be 1 on either side).
std::vector<double> Bmm(const std::vector<double>& a, const std::vector<double>& b, int64_t ba,
                        int64_t bb, int64_t m, int64_t k, int64_t n) {
  const int64_t nb = std::max(ba, bb);
  std::vector<double> y(size_t(nb * m * n), 0.0);
  for (int64_t t = 0; t < nb; ++t)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j)
        for (int64_t p = 0; p < k; ++p)
          y[size_t((t * m + i) * n + j)] += a[size_t(((ba == 1 ? 0 : t) * m + i) * k + p)] *
                                             b[size_t(((bb == 1 ? 0 : t) * k + p) * n + j)];
  return y;
}

TEST(EinsumTest, MatMulExplicitAndImplicit) {
  Tensor a = RandomFloat({3, 4}, 1), b = RandomFloat({4, 5}, 2);
  Tensor e = FromDoubles(DType::kFloat32, {3, 5}, Bmm(ToDoubles(a), ToDoubles(b), 1, 1, 3, 4, 5));
  ExpectEinsum("ij,jk->ik", {a, b}, e);
  ExpectEinsum("ij,jk", {a, b}, e);
  ExpectEinsum(" ij , jk -> ik ", {a, b}, e);
}

TEST(EinsumTest, BatchedAttentionScores) {
  Tensor q = RandomFloat({2, 3, 5, 4}, 1), k = RandomFloat({2, 3, 6, 4}, 2);
  // Transpose k to [b, h, d, k] then batched matmul.
  auto kv = ToDoubles(k);
  std::vector<double> kt(kv.size());
  for (int64_t t = 0; t < 6; ++t)
    for (int64_t s = 0; s < 6; ++s)
      for (int64_t d = 0; d < 4; ++d)
        kt[size_t((t * 4 + d) * 6 + s)] = kv[size_t((t * 6 + s) * 4 + d)];
  Tensor e = FromDoubles(DType::kFloat32, {2, 3, 5, 6}, Bmm(ToDoubles(q), kt, 6, 6, 5, 4, 6));
  ExpectEinsum("bhqd,bhkd->bhqk", {q, k}, e);
}

TEST(EinsumTest, TransposeAndImplicitOrder) {
  Tensor a = MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor t = MakeTensor<float>({3, 2}, {1, 4, 2, 5, 3, 6});
  ExpectEinsum("ij->ji", {a}, t);
  ExpectEinsum("ba", {a}, t);  // implicit output is alphabetical: "ab"
  ExpectEinsum("ij", {a}, a);
}

TEST(EinsumTest, TraceDiagonalAndSums) {
  Tensor a = MakeTensor<float>({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  ExpectEinsum("ii->", {a}, MakeTensor<float>({}, {15}));
  ExpectEinsum("ii", {a}, MakeTensor<float>({}, {15}));
  ExpectEinsum("ii->i", {a}, MakeTensor<float>({3}, {1, 5, 9}));
  ExpectEinsum("ij->", {a}, MakeTensor<float>({}, {45}));
  ExpectEinsum("ij->i", {a}, MakeTensor<float>({3}, {6, 15, 24}));
  ExpectEinsum("ij->j", {a}, MakeTensor<float>({3}, {12, 15, 18}));
}

TEST(EinsumTest, OuterAndDotProducts) {
  Tensor u = MakeTensor<float>({2}, {1, 2}), v = MakeTensor<float>({3}, {3, 4, 5});
  ExpectEinsum("i,j->ij", {u, v}, MakeTensor<float>({2, 3}, {3, 4, 5, 6, 8, 10}));
  ExpectEinsum("i,j", {u, v}, MakeTensor<float>({2, 3}, {3, 4, 5, 6, 8, 10}));
  ExpectEinsum("i,i", {v, v}, MakeTensor<float>({}, {50}));
  ExpectEinsum("i,i->i", {v, v}, MakeTensor<float>({3}, {9, 16, 25}));
}

TEST(EinsumTest, ThreeOperands) {
  Tensor a = RandomFloat({2, 3}, 1), b = RandomFloat({3, 4}, 2), c = RandomFloat({4, 5}, 3);
  auto ab = Bmm(ToDoubles(a), ToDoubles(b), 1, 1, 2, 3, 4);
  Tensor e = FromDoubles(DType::kFloat32, {2, 5}, Bmm(ab, ToDoubles(c), 1, 1, 2, 4, 5));
  ExpectEinsum("ij,jk,kl->il", {a, b, c}, e);
}

TEST(EinsumTest, EllipsisBroadcasting) {
  Tensor a = RandomFloat({2, 3, 4}, 1), b = RandomFloat({4, 5}, 2);
  Tensor e = FromDoubles(DType::kFloat32, {2, 3, 5},
                         Bmm(ToDoubles(a), ToDoubles(b), 1, 1, 6, 4, 5));
  ExpectEinsum("...ij,...jk->...ik", {a, b}, e);
  ExpectEinsum("...ij,jk", {a, b}, e);
  Tensor c = RandomFloat({1, 4, 5}, 3), d = RandomFloat({3, 2, 4}, 4);
  Tensor e2 = FromDoubles(DType::kFloat32, {3, 2, 5},
                          Bmm(ToDoubles(d), ToDoubles(c), 3, 1, 2, 4, 5));
  ExpectEinsum("...ij,...jk->...ik", {d, c}, e2);
  // Sum over the ellipsis dims when the output omits them.
  Tensor f = MakeTensor<float>({2, 2}, {1, 2, 3, 4});
  ExpectEinsum("...i->i", {f}, MakeTensor<float>({2}, {4, 6}));
  ExpectEinsum("i...->...", {f}, MakeTensor<float>({2}, {4, 6}));
  ExpectEinsum("...->...", {f}, f);
}

TEST(EinsumTest, BatchDiagonalWithEllipsis) {
  Tensor a = MakeTensor<float>({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  ExpectEinsum("...ii->...i", {a}, MakeTensor<float>({2, 2}, {1, 4, 5, 8}));
}

TEST(EinsumTest, UppercaseLabels) {
  Tensor a = RandomFloat({2, 3}, 1), b = RandomFloat({3, 4}, 2);
  Tensor e = FromDoubles(DType::kFloat32, {2, 4}, Bmm(ToDoubles(a), ToDoubles(b), 1, 1, 2, 3, 4));
  ExpectEinsum("Ij,jK->IK", {a, b}, e);
}

TEST(EinsumTest, IntegerAndHalfDtypes) {
  Tensor a = MakeTensor<int64_t>({2, 2}, {1, 2, 3, 4}), b = MakeTensor<int64_t>({2}, {5, 6});
  ExpectEinsum("ij,j->i", {a, b}, MakeTensor<int64_t>({2}, {17, 39}));
  Tensor c = MakeTensor<int32_t>({2, 2}, {1, 2, 3, 4});
  ExpectEinsum("ii", {c}, MakeTensor<int32_t>({}, {5}));
  Tensor h = CastTo(RandomFloat({3, 4}, 1), DType::kFloat16);
  Tensor g = CastTo(RandomFloat({4, 2}, 2), DType::kFloat16);
  ExpectEinsum("ij,jk->ik", {h, g},
               FromDoubles(DType::kFloat16, {3, 2}, Bmm(ToDoubles(h), ToDoubles(g), 1, 1, 3, 4, 2)),
               2e-2);
  Tensor d = CastTo(RandomFloat({3, 4}, 1), DType::kFloat64);
  ExpectEinsum("ij->ji", {d}, CastTo(FromDoubles(DType::kFloat32, {4, 3}, [&] {
                                       auto v = ToDoubles(d);
                                       std::vector<double> t(12);
                                       for (int i = 0; i < 3; ++i)
                                         for (int j = 0; j < 4; ++j) t[j * 3 + i] = v[i * 4 + j];
                                       return t;
                                     }()),
                                     DType::kFloat64));
}

TEST(EinsumTest, EmptyDims) {
  ExpectEinsum("ij,jk->ik", {RandomFloat({2, 0}, 1), RandomFloat({0, 3}, 2)},
               MakeTensor<float>({2, 3}, {0, 0, 0, 0, 0, 0}));
  auto y = Einsum("ij,jk->ik", {RandomFloat({0, 2}, 1), RandomFloat({2, 3}, 2)});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ(y->shape(), Shape({0, 3}));
}

TEST(EinsumTest, Errors) {
  auto y = Einsum("ij,jk->ik", {RandomFloat({2, 3}, 1), RandomFloat({4, 5}, 2)});
  EXPECT_TRUE(ErrorContains(y.status(), "label 'j'")) << y.status().ToString();
  y = Einsum("ijk,jk->ik", {RandomFloat({2, 3}, 1), RandomFloat({3, 5}, 2)});
  EXPECT_TRUE(ErrorContains(y.status(), "input 0")) << y.status().ToString();
  y = Einsum("ij->iz", {RandomFloat({2, 3}, 1)});
  EXPECT_TRUE(ErrorContains(y.status(), "'z'")) << y.status().ToString();
  y = Einsum("ij->ii", {RandomFloat({2, 2}, 1)});
  EXPECT_TRUE(ErrorContains(y.status(), "repeated")) << y.status().ToString();
  y = Einsum("i1->i", {RandomFloat({2, 2}, 1)});
  EXPECT_TRUE(ErrorContains(y.status(), "equation")) << y.status().ToString();
  y = Einsum("ij,jk->ik", {RandomFloat({2, 2}, 1)});
  EXPECT_TRUE(ErrorContains(y.status(), "equation")) << y.status().ToString();
  y = Einsum("i..j->i", {RandomFloat({2, 2}, 1)});
  EXPECT_TRUE(ErrorContains(y.status(), "ellipsis")) << y.status().ToString();
  y = Einsum("ij,jk->ik", {RandomFloat({2, 2}, 1), MakeTensor<double>({2, 1}, {1, 2})});
  EXPECT_TRUE(ErrorContains(y.status(), "input 1")) << y.status().ToString();
  auto z = RunOp({.op_type = "Einsum", .opset = 12}, {RandomFloat({2}, 1)});
  EXPECT_TRUE(ErrorContains(z.status(), "equation")) << z.status().ToString();
}

TEST(EinsumInferenceTest, SymbolicDims) {
  auto t = InferOnly("Einsum", 12, Attrs().String("equation", "bsh,hd->bsd"),
                     {SpecType(DType::kFloat32, {"N", "S", "64"}), SpecType(DType::kFloat32, {"64", "8"})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[N, S, 8]");
  t = InferOnly("Einsum", 12, Attrs().String("equation", "...ij,...jk"),
                {SpecType(DType::kFloat32, {"N", "1", "3", "4"}),
                 SpecType(DType::kFloat32, {"H", "4", "5"})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[N, H, 3, 5]");
  t = InferOnly("Einsum", 12, Attrs().String("equation", "ij,jk"),
                {SpecType(DType::kFloat32, {"2", "3"}), SpecType(DType::kFloat32, {"4", "5"})});
  EXPECT_FALSE(t.ok());
}

}  // namespace
}  // namespace brisk
