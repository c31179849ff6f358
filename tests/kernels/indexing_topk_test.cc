// Tests of TopK, ArgMax, ArgMin, CumSum.
#include <cmath>

#include "kernels/op_runner.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using testing::Attrs;
using testing::ExpectErrorContains;
using testing::MakeTensor;

Tensor K(int64_t k) { return MakeTensor<int64_t>({1}, {k}); }

// ---- TopK ----

TEST(TopKTest, LargestDefaultAxisTiesKeepLowerIndex) {
  Tensor x = MakeTensor<float>({2, 4}, {1, 3, 3, 2, 5, 5, 5, 0});
  auto out = RunOp({.op_type = "TopK", .opset = 11, .num_outputs = 2}, {x, K(2)});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({2, 2}, {3, 3, 5, 5}));
  EXPECT_TENSOR_EQ((*out)[1], MakeTensor<int64_t>({2, 2}, {1, 2, 0, 1}));
}

TEST(TopKTest, SmallestAxis0) {
  Tensor x = MakeTensor<int32_t>({3, 2}, {4, 1, 2, 1, 3, 0});
  auto out = RunOp({.op_type = "TopK", .opset = 11,
                    .attrs = Attrs().Int("axis", 0).Int("largest", 0), .num_outputs = 2},
                   {x, K(2)});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<int32_t>({2, 2}, {2, 0, 3, 1}));
  EXPECT_TENSOR_EQ((*out)[1], MakeTensor<int64_t>({2, 2}, {1, 2, 2, 0}));
}

TEST(TopKTest, Opset1AttributeAndOpset10Input) {
  Tensor x = MakeTensor<float>({4}, {0.5f, 2.f, -1.f, 3.f});
  auto v1 = RunOp({.op_type = "TopK", .opset = 1, .attrs = Attrs().Int("k", 3), .num_outputs = 2},
                  {x});
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_TENSOR_EQ((*v1)[0], MakeTensor<float>({3}, {3, 2, 0.5f}));
  EXPECT_TENSOR_EQ((*v1)[1], MakeTensor<int64_t>({3}, {3, 1, 0}));
  auto v10 = RunOp({.op_type = "TopK", .opset = 10, .attrs = Attrs().Int("axis", -1),
                    .num_outputs = 2}, {x, K(1)}, /*inputs_are_constant=*/false);
  ASSERT_TRUE(v10.ok()) << v10.status().ToString();
  EXPECT_TENSOR_EQ((*v10)[0], MakeTensor<float>({1}, {3}));
  EXPECT_TENSOR_EQ((*v10)[1], MakeTensor<int64_t>({1}, {3}));
}

TEST(TopKTest, ZeroKAndEmpty) {
  Tensor x = MakeTensor<double>({2, 3}, {1, 2, 3, 4, 5, 6});
  auto out = RunOp({.op_type = "TopK", .opset = 13, .num_outputs = 2}, {x, K(0)});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<double>({2, 0}, {}));
  auto empty = RunOp({.op_type = "TopK", .opset = 13, .num_outputs = 2},
                     {MakeTensor<float>({0, 3}, {}), K(2)});
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TENSOR_EQ((*empty)[1], MakeTensor<int64_t>({0, 2}, {}));
}

TEST(TopKTest, NaNIsLargest) {
  Tensor x = MakeTensor<float>({3}, {1.f, NAN, 2.f});
  auto out = RunOp({.op_type = "TopK", .opset = 13, .num_outputs = 2}, {x, K(2)});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[1], MakeTensor<int64_t>({2}, {1, 2}));
}

TEST(TopKTest, Errors) {
  Tensor x = MakeTensor<float>({3}, {1, 2, 3});
  ExpectErrorContains(RunOp({.op_type = "TopK", .opset = 13, .num_outputs = 2}, {x, K(4)}),
                      StatusCode::kInvalidArgument, {"k 4", "size 3"});
  ExpectErrorContains(RunOp({.op_type = "TopK", .opset = 13, .num_outputs = 2}, {x, K(-1)}),
                      StatusCode::kInvalidArgument, {"'K'"});
  ExpectErrorContains(RunOp({.op_type = "TopK", .opset = 13, .num_outputs = 2},
                            {x, MakeTensor<int64_t>({2}, {1, 1})}),
                      StatusCode::kInvalidArgument, {"'K'"});
  ExpectErrorContains(RunOp({.op_type = "TopK", .opset = 13, .attrs = Attrs().Int("axis", 1),
                             .num_outputs = 2}, {x, K(1)}),
                      StatusCode::kInvalidArgument, {"axis"});
  ExpectErrorContains(RunOp({.op_type = "TopK", .opset = 13, .attrs = Attrs().Int("largest", 3),
                             .num_outputs = 2}, {x, K(1)}),
                      StatusCode::kInvalidArgument, {"largest"});
}

TEST(TopKTest, ScalarIsAnError) {
  ExpectErrorContains(RunOp({.op_type = "TopK", .opset = 13, .attrs = Attrs().Int("axis", 0),
                             .num_outputs = 2}, {MakeTensor<float>({}, {1}), K(1)}),
                      StatusCode::kInvalidArgument, {"axis"});
}

// ---- ArgMax / ArgMin ----

TEST(ArgMaxTest, Scalar) {
  auto out = RunOp({.op_type = "ArgMax", .opset = 13}, {MakeTensor<float>({}, {3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<int64_t>({}, {0}));
}

TEST(ArgMaxTest, KeepdimsAndNot) {
  Tensor x = MakeTensor<float>({2, 3}, {1, 5, 5, 7, 2, 7});
  auto k = RunOp({.op_type = "ArgMax", .opset = 13, .attrs = Attrs().Int("axis", 1)}, {x});
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_TENSOR_EQ((*k)[0], MakeTensor<int64_t>({2, 1}, {1, 0}));
  auto nk = RunOp({.op_type = "ArgMax", .opset = 13,
                   .attrs = Attrs().Int("axis", -2).Int("keepdims", 0)}, {x});
  ASSERT_TRUE(nk.ok()) << nk.status().ToString();
  EXPECT_TENSOR_EQ((*nk)[0], MakeTensor<int64_t>({3}, {1, 0, 1}));
}

TEST(ArgMaxTest, SelectLastIndex) {
  Tensor x = MakeTensor<int32_t>({2, 3}, {1, 5, 5, 7, 2, 7});
  auto out = RunOp({.op_type = "ArgMax", .opset = 12,
                    .attrs = Attrs().Int("axis", 1).Int("select_last_index", 1)}, {x});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<int64_t>({2, 1}, {2, 2}));
}

TEST(ArgMinTest, DefaultAxisAndSelectLast) {
  Tensor x = MakeTensor<double>({3, 2}, {2, 1, 0, 4, 0, 1});
  auto first = RunOp({.op_type = "ArgMin", .opset = 11}, {x});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TENSOR_EQ((*first)[0], MakeTensor<int64_t>({1, 2}, {1, 0}));
  auto last = RunOp({.op_type = "ArgMin", .opset = 13,
                     .attrs = Attrs().Int("select_last_index", 1).Int("keepdims", 0)}, {x});
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  EXPECT_TENSOR_EQ((*last)[0], MakeTensor<int64_t>({2}, {2, 2}));
}

TEST(ArgMaxTest, EmptyOuterAndErrors) {
  auto empty = RunOp({.op_type = "ArgMax", .opset = 13, .attrs = Attrs().Int("axis", 1)},
                     {MakeTensor<float>({0, 3}, {})});
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TENSOR_EQ((*empty)[0], MakeTensor<int64_t>({0, 1}, {}));
  ExpectErrorContains(RunOp({.op_type = "ArgMax", .opset = 13}, {MakeTensor<float>({0, 3}, {})}),
                      StatusCode::kInvalidArgument, {"size 0"});
  ExpectErrorContains(RunOp({.op_type = "ArgMin", .opset = 13, .attrs = Attrs().Int("axis", 2)},
                            {MakeTensor<float>({1, 3}, {1, 2, 3})}),
                      StatusCode::kInvalidArgument, {"axis"});
  ExpectErrorContains(RunOp({.op_type = "ArgMin", .opset = 13},
                            {MakeTensor<std::string>({1}, {"a"})}),
                      StatusCode::kUnimplemented, {"data"});
}

// ---- CumSum ----

TEST(CumSumTest, Basic) {
  Tensor x = MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  auto out = RunOp({.op_type = "CumSum", .opset = 14}, {x, MakeTensor<int32_t>({}, {1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({2, 3}, {1, 3, 6, 4, 9, 15}));
  auto neg = RunOp({.op_type = "CumSum", .opset = 11}, {x, MakeTensor<int64_t>({1}, {-2})});
  ASSERT_TRUE(neg.ok()) << neg.status().ToString();
  EXPECT_TENSOR_EQ((*neg)[0], MakeTensor<float>({2, 3}, {1, 2, 3, 5, 7, 9}));
}

TEST(CumSumTest, ExclusiveReverse) {
  Tensor x = MakeTensor<int64_t>({5}, {1, 2, 3, 4, 5});
  auto ex = RunOp({.op_type = "CumSum", .opset = 14, .attrs = Attrs().Int("exclusive", 1)},
                  {x, MakeTensor<int64_t>({}, {0})});
  ASSERT_TRUE(ex.ok()) << ex.status().ToString();
  EXPECT_TENSOR_EQ((*ex)[0], MakeTensor<int64_t>({5}, {0, 1, 3, 6, 10}));
  auto rev = RunOp({.op_type = "CumSum", .opset = 14, .attrs = Attrs().Int("reverse", 1)},
                   {x, MakeTensor<int64_t>({}, {0})});
  ASSERT_TRUE(rev.ok()) << rev.status().ToString();
  EXPECT_TENSOR_EQ((*rev)[0], MakeTensor<int64_t>({5}, {15, 14, 12, 9, 5}));
  auto both = RunOp({.op_type = "CumSum", .opset = 14,
                     .attrs = Attrs().Int("reverse", 1).Int("exclusive", 1)},
                    {x, MakeTensor<int64_t>({}, {0})});
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  EXPECT_TENSOR_EQ((*both)[0], MakeTensor<int64_t>({5}, {14, 12, 9, 5, 0}));
}

TEST(CumSumTest, HalfEmptyAndErrors) {
  Tensor h = MakeTensor<Float16>({3}, {Float16(1.f), Float16(2.f), Float16(3.f)});
  auto out = RunOp({.op_type = "CumSum", .opset = 14}, {h, MakeTensor<int64_t>({}, {0})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<Float16>({3}, {Float16(1.f), Float16(3.f),
                                                         Float16(6.f)}));
  auto empty = RunOp({.op_type = "CumSum", .opset = 14},
                     {MakeTensor<float>({0, 2}, {}), MakeTensor<int64_t>({}, {0})});
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TENSOR_EQ((*empty)[0], MakeTensor<float>({0, 2}, {}));
  Tensor x = MakeTensor<float>({2}, {1, 2});
  ExpectErrorContains(RunOp({.op_type = "CumSum", .opset = 14}, {x, MakeTensor<int64_t>({}, {1})}),
                      StatusCode::kInvalidArgument, {"'axis'"});
  ExpectErrorContains(RunOp({.op_type = "CumSum", .opset = 14}, {x, MakeTensor<float>({}, {0})}),
                      StatusCode::kInvalidArgument, {"'axis'"});
  ExpectErrorContains(RunOp({.op_type = "CumSum", .opset = 14},
                            {x, MakeTensor<int64_t>({2}, {0, 0})}),
                      StatusCode::kInvalidArgument, {"'axis'"});
}

}  // namespace
}  // namespace brisk
