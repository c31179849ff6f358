#include <cstdint>
#include <vector>

#include "kernels/op_runner.h"
#include "linalg_norm_test_util.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using testing::Attrs;
using testing::ErrorContains;
using testing::FromDoubles;
using testing::InferOnly;
using testing::MakeTensor;
using testing::RandomFloat;
using testing::ToDoubles;
using testing::SpecType;

// Naive numpy matmul in double: promotes 1-D operands and broadcasts batch dims.
Tensor NaiveMatMul(const Tensor& a, const Tensor& b, DType out_dtype) {
  std::vector<int64_t> ad = a.shape().dims(), bd = b.shape().dims();
  const bool av = ad.size() == 1, bv = bd.size() == 1;
  if (av) ad.insert(ad.begin(), 1);
  if (bv) bd.push_back(1);
  const int64_t m = ad[ad.size() - 2], k = ad.back(), n = bd.back();
  const size_t rank = std::max(ad.size(), bd.size());
  while (ad.size() < rank) ad.insert(ad.begin(), 1);
  while (bd.size() < rank) bd.insert(bd.begin(), 1);
  std::vector<int64_t> batch(rank - 2);
  for (size_t i = 0; i + 2 < rank; ++i) batch[i] = ad[i] == 1 ? bd[i] : ad[i];
  std::vector<int64_t> od = batch;
  if (!av) od.push_back(m);
  if (!bv) od.push_back(n);
  const std::vector<double> x = ToDoubles(a), w = ToDoubles(b);
  int64_t nb = 1;
  for (int64_t d : batch) nb *= d;
  std::vector<double> out(size_t(nb * m * n));
  for (int64_t bi = 0; bi < nb; ++bi) {
    int64_t rem = bi, aoff = 0, boff = 0, as = 1, bs = 1;
    for (int d = int(batch.size()) - 1; d >= 0; --d) {
      const int64_t i = rem % batch[size_t(d)];
      rem /= batch[size_t(d)];
      aoff += (ad[size_t(d)] == 1 ? 0 : i) * as;
      boff += (bd[size_t(d)] == 1 ? 0 : i) * bs;
      as *= ad[size_t(d)];
      bs *= bd[size_t(d)];
    }
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double s = 0;
        for (int64_t p = 0; p < k; ++p)
          s += x[size_t(aoff * m * k + i * k + p)] * w[size_t(boff * k * n + p * n + j)];
        out[size_t(bi * m * n + i * n + j)] = s;
      }
  }
  return FromDoubles(out_dtype, Shape(od), out);
}

StatusOr<Tensor> MatMul(const Tensor& a, const Tensor& b, int opset = 13) {
  auto out = RunOp({.op_type = "MatMul", .opset = opset}, {a, b});
  if (!out.ok()) return out.status();
  return (*out)[0];
}

void CheckFloat(Shape as, Shape bs, uint64_t seed = 1) {
  Tensor a = RandomFloat(as, seed), b = RandomFloat(bs, seed + 1);
  auto y = MatMul(a, b);
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_NEAR(*y, NaiveMatMul(a, b, DType::kFloat32), 1e-5, 1e-5);
}

TEST(MatMulTest, SmallKnownValues) {
  Tensor a = MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor b = MakeTensor<float>({3, 2}, {7, 8, 9, 10, 11, 12});
  auto y = MatMul(a, b);
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<float>({2, 2}, {58, 64, 139, 154}));
}

TEST(MatMulTest, OddSizes) { CheckFloat({7, 13}, {13, 5}); }
TEST(MatMulTest, BatchOne) { CheckFloat({1, 3, 4}, {1, 4, 5}); }
TEST(MatMulTest, BatchedBothSides) { CheckFloat({3, 2, 4}, {3, 4, 6}); }
TEST(MatMulTest, BroadcastBatchDims) { CheckFloat({2, 1, 3, 4}, {5, 4, 2}); }
TEST(MatMulTest, BroadcastTwoDToBatch) { CheckFloat({4, 3, 5}, {5, 7}); }
TEST(MatMulTest, BroadcastBatchOfB) { CheckFloat({3, 5}, {2, 3, 5, 2}); }
TEST(MatMulTest, VectorTimesMatrix) { CheckFloat({4}, {4, 3}); }
TEST(MatMulTest, MatrixTimesVector) { CheckFloat({2, 3, 4}, {4}); }
TEST(MatMulTest, VectorTimesBatchedMatrix) { CheckFloat({4}, {2, 4, 3}); }
TEST(MatMulTest, VectorDotVector) {
  Tensor a = MakeTensor<float>({3}, {1, 2, 3});
  Tensor b = MakeTensor<float>({3}, {4, 5, 6});
  auto y = MatMul(a, b);
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<float>({}, {32}));
}
TEST(MatMulTest, BertSized) { CheckFloat({2, 16, 64}, {64, 96}, 7); }

TEST(MatMulTest, EmptyM) { CheckFloat({0, 3}, {3, 4}); }
TEST(MatMulTest, EmptyBatch) { CheckFloat({0, 2, 3}, {3, 4}); }
TEST(MatMulTest, EmptyInnerGivesZeros) {
  auto y = MatMul(RandomFloat({2, 0}, 1), RandomFloat({0, 3}, 2));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<float>({2, 3}, {0, 0, 0, 0, 0, 0}));
}

TEST(MatMulTest, AllDtypes) {
  for (DType d : {DType::kFloat64, DType::kFloat16, DType::kBFloat16, DType::kInt32,
                  DType::kInt64, DType::kUInt32, DType::kUInt64}) {
    SCOPED_TRACE(DTypeName(d));
    std::vector<double> av, bv;
    for (int i = 0; i < 2 * 3 * 4; ++i) av.push_back((i * 7) % 5);
    for (int i = 0; i < 4 * 5; ++i) bv.push_back((i * 3) % 4);
    Tensor a = FromDoubles(d, {2, 3, 4}, av), b = FromDoubles(d, {4, 5}, bv);
    for (int opset : {9, 13}) {
      auto y = MatMul(a, b, opset);
      ASSERT_TRUE(y.ok()) << y.status().ToString();
      EXPECT_TENSOR_NEAR(*y, NaiveMatMul(a, b, d), 1e-2, 1e-2);
    }
  }
}

TEST(MatMulTest, IntegerWrapsAround) {
  Tensor a = MakeTensor<int32_t>({1, 2}, {INT32_MAX, 1});
  Tensor b = MakeTensor<int32_t>({2, 1}, {2, 3});
  auto y = MatMul(a, b);
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ(y->data<int32_t>()[0], int32_t(uint32_t(INT32_MAX) * 2u + 3u));
}

TEST(MatMulTest, InnerDimensionMismatchIsAnError) {
  auto y = MatMul(RandomFloat({2, 3}, 1), RandomFloat({4, 5}, 2));
  ASSERT_FALSE(y.ok());
  EXPECT_TRUE(ErrorContains(y.status(), "input 1 'B': inner dimensions differ: A is [2, 3], B is "
                                        "[4, 5]"))
      << y.status().ToString();
}

TEST(MatMulTest, BatchMismatchIsAnError) {
  auto y = MatMul(RandomFloat({2, 3, 4}, 1), RandomFloat({3, 4, 5}, 2));
  ASSERT_FALSE(y.ok());
  EXPECT_TRUE(ErrorContains(y.status(), "batch dimensions")) << y.status().ToString();
}

TEST(MatMulTest, ScalarIsAnError) {
  auto y = MatMul(MakeTensor<float>({}, {1}), RandomFloat({2, 2}, 2));
  EXPECT_TRUE(ErrorContains(y.status(), "input 0 'A'")) << y.status().ToString();
}

TEST(MatMulTest, DtypeMismatchIsAnError) {
  auto y = MatMul(RandomFloat({2, 2}, 1), MakeTensor<double>({2, 2}, {1, 2, 3, 4}));
  EXPECT_TRUE(ErrorContains(y.status(), "input 1 'B'")) << y.status().ToString();
}

TEST(MatMulTest, UnsupportedDtypeIsAnError) {
  auto y = MatMul(MakeTensor<int8_t>({1, 1}, {1}), MakeTensor<int8_t>({1, 1}, {1}));
  EXPECT_FALSE(y.ok());
}

TEST(MatMulInferenceTest, SymbolicBatchFlowsThrough) {
  auto t = InferOnly("MatMul", 13, {},
                     {SpecType(DType::kFloat32, {"N", "S", "64"}),
                      SpecType(DType::kFloat32, {"64", "96"})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].dtype, DType::kFloat32);
  EXPECT_EQ((*t)[0].shape->ToString(), "[N, S, 96]");
}

TEST(MatMulInferenceTest, BroadcastSymbolicAndVectors) {
  auto t = InferOnly("MatMul", 13, {},
                     {SpecType(DType::kFloat16, {"1", "3", "4"}),
                      SpecType(DType::kFloat16, {"B", "4", "5"})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[B, 3, 5]");
  EXPECT_EQ((*t)[0].dtype, DType::kFloat16);
  auto v = InferOnly("MatMul", 13, {},
                     {SpecType(DType::kFloat32, {"K"}), SpecType(DType::kFloat32, {"N", "K", "M"})});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ((*v)[0].shape->ToString(), "[N, M]");
}

TEST(MatMulInferenceTest, KnownMismatchFails) {
  auto t = InferOnly("MatMul", 13, {},
                     {SpecType(DType::kFloat32, {"N", "3"}), SpecType(DType::kFloat32, {"4", "5"})});
  EXPECT_TRUE(ErrorContains(t.status(), "inner dimensions differ")) << t.status().ToString();
  auto u = InferOnly("MatMul", 13, {},
                     {SpecType(DType::kFloat32, {"N", "K"}), SpecType(DType::kFloat32, {"4", "5"})});
  EXPECT_TRUE(u.ok());
}

TEST(MatMulInferenceTest, UnknownRank) {
  auto t = InferOnly("MatMul", 13, {},
                     {ir::TypeInfo{DType::kFloat32, std::nullopt}, SpecType(DType::kFloat32, {"4"})});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)[0].dtype, DType::kFloat32);
  EXPECT_FALSE((*t)[0].shape.has_value());
}

}  // namespace
}  // namespace brisk
