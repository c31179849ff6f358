// Tests of OneHot, NonZero, Compress, Unique.
#include "kernels/op_runner.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using testing::Attrs;
using testing::ExpectErrorContains;
using testing::MakeBoolTensor;
using testing::MakeTensor;

// ---- OneHot ----

TEST(OneHotTest, DefaultAxisWithNegativeAndOutOfRange) {
  Tensor idx = MakeTensor<int64_t>({4}, {0, 2, -1, 5});
  Tensor depth = MakeTensor<int64_t>({}, {3});
  Tensor values = MakeTensor<float>({2}, {0, 1});
  auto out = RunOp({.op_type = "OneHot", .opset = 11}, {idx, depth, values});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0],
                   MakeTensor<float>({4, 3}, {1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0}));
}

TEST(OneHotTest, Axis0FloatIndicesAndDepth) {
  Tensor idx = MakeTensor<float>({2}, {1.f, 0.f});
  Tensor depth = MakeTensor<float>({1}, {3.f});
  Tensor values = MakeTensor<int32_t>({2}, {-1, 7});
  auto out = RunOp({.op_type = "OneHot", .opset = 9, .attrs = Attrs().Int("axis", 0)},
                   {idx, depth, values});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<int32_t>({3, 2}, {-1, 7, 7, -1, -1, -1}));
}

TEST(OneHotTest, MiddleAxisNonConstantDepth) {
  Tensor idx = MakeTensor<int32_t>({2, 2}, {0, 1, 1, 0});
  Tensor depth = MakeTensor<int32_t>({}, {2});
  Tensor values = MakeTensor<std::string>({2}, {"off", "on"});
  auto out = RunOp({.op_type = "OneHot", .opset = 11, .attrs = Attrs().Int("axis", -2)},
                   {idx, depth, values}, /*inputs_are_constant=*/false);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<std::string>({2, 2, 2}, {"on", "off", "off", "on",
                                                                   "off", "on", "on", "off"}));
}

TEST(OneHotTest, EmptyAndErrors) {
  Tensor values = MakeTensor<float>({2}, {0, 1});
  auto empty = RunOp({.op_type = "OneHot", .opset = 11},
                     {MakeTensor<int64_t>({0}, {}), MakeTensor<int64_t>({}, {4}), values});
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TENSOR_EQ((*empty)[0], MakeTensor<float>({0, 4}, {}));
  auto bad_values = RunOp({.op_type = "OneHot", .opset = 11},
                          {MakeTensor<int64_t>({1}, {0}), MakeTensor<int64_t>({}, {4}),
                           MakeTensor<float>({3}, {0, 1, 2})});
  ExpectErrorContains(bad_values, StatusCode::kInvalidArgument, {"values"});
  auto bad_depth = RunOp({.op_type = "OneHot", .opset = 11},
                         {MakeTensor<int64_t>({1}, {0}), MakeTensor<int64_t>({}, {-2}), values});
  ExpectErrorContains(bad_depth, StatusCode::kInvalidArgument, {"depth"});
  auto bad_axis = RunOp({.op_type = "OneHot", .opset = 11, .attrs = Attrs().Int("axis", 2)},
                        {MakeTensor<int64_t>({1}, {0}), MakeTensor<int64_t>({}, {4}), values});
  ExpectErrorContains(bad_axis, StatusCode::kInvalidArgument, {"axis"});
}

// ---- NonZero ----

TEST(NonZeroTest, Matrix) {
  Tensor x = MakeTensor<float>({2, 2}, {1, 0, 1, 1});
  auto out = RunOp({.op_type = "NonZero", .opset = 13}, {x});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<int64_t>({2, 3}, {0, 1, 1, 0, 0, 1}));
}

TEST(NonZeroTest, BoolScalarEmptyAndStrings) {
  auto b = RunOp({.op_type = "NonZero", .opset = 9}, {MakeBoolTensor({3}, {0, 1, 1})});
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_TENSOR_EQ((*b)[0], MakeTensor<int64_t>({1, 2}, {1, 2}));
  auto s = RunOp({.op_type = "NonZero", .opset = 13}, {MakeTensor<int32_t>({}, {5})});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TENSOR_EQ((*s)[0], MakeTensor<int64_t>({1, 1}, {0}));
  auto e = RunOp({.op_type = "NonZero", .opset = 13}, {MakeTensor<float>({0, 3}, {})});
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_TENSOR_EQ((*e)[0], MakeTensor<int64_t>({2, 0}, {}));
  auto z = RunOp({.op_type = "NonZero", .opset = 13}, {MakeTensor<uint8_t>({2}, {0, 0})});
  ASSERT_TRUE(z.ok()) << z.status().ToString();
  EXPECT_TENSOR_EQ((*z)[0], MakeTensor<int64_t>({1, 0}, {}));
  auto str = RunOp({.op_type = "NonZero", .opset = 13},
                   {MakeTensor<std::string>({3}, {"", "a", ""})});
  ASSERT_TRUE(str.ok()) << str.status().ToString();
  EXPECT_TENSOR_EQ((*str)[0], MakeTensor<int64_t>({1, 1}, {1}));
}

// ---- Compress ----

TEST(CompressTest, Axis0And1AndNegative) {
  Tensor x = MakeTensor<float>({3, 2}, {1, 2, 3, 4, 5, 6});
  auto a0 = RunOp({.op_type = "Compress", .opset = 11, .attrs = Attrs().Int("axis", 0)},
                  {x, MakeBoolTensor({3}, {0, 1, 1})});
  ASSERT_TRUE(a0.ok()) << a0.status().ToString();
  EXPECT_TENSOR_EQ((*a0)[0], MakeTensor<float>({2, 2}, {3, 4, 5, 6}));
  auto a1 = RunOp({.op_type = "Compress", .opset = 11, .attrs = Attrs().Int("axis", -1)},
                  {x, MakeBoolTensor({2}, {0, 1})});
  ASSERT_TRUE(a1.ok()) << a1.status().ToString();
  EXPECT_TENSOR_EQ((*a1)[0], MakeTensor<float>({3, 1}, {2, 4, 6}));
  // Shorter condition: the rest counts as false.
  auto shorter = RunOp({.op_type = "Compress", .opset = 9, .attrs = Attrs().Int("axis", 0)},
                       {x, MakeBoolTensor({1}, {1})}, /*inputs_are_constant=*/false);
  ASSERT_TRUE(shorter.ok()) << shorter.status().ToString();
  EXPECT_TENSOR_EQ((*shorter)[0], MakeTensor<float>({1, 2}, {1, 2}));
}

TEST(CompressTest, NoAxisFlattens) {
  Tensor x = MakeTensor<int64_t>({2, 2}, {1, 2, 3, 4});
  auto out = RunOp({.op_type = "Compress", .opset = 11},
                   {x, MakeBoolTensor({4}, {1, 0, 0, 1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<int64_t>({2}, {1, 4}));
  auto none = RunOp({.op_type = "Compress", .opset = 11}, {x, MakeBoolTensor({0}, {})});
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TENSOR_EQ((*none)[0], MakeTensor<int64_t>({0}, {}));
}

TEST(CompressTest, Errors) {
  Tensor x = MakeTensor<float>({2}, {1, 2});
  auto longer = RunOp({.op_type = "Compress", .opset = 11},
                      {x, MakeBoolTensor({3}, {0, 0, 1})});
  ExpectErrorContains(longer, StatusCode::kOutOfRange, {"condition", "index 2", "size 2"});
  auto dtype = RunOp({.op_type = "Compress", .opset = 11}, {x, MakeTensor<int64_t>({2}, {1, 0})});
  ExpectErrorContains(dtype, StatusCode::kInvalidArgument, {"condition"});
  auto axis = RunOp({.op_type = "Compress", .opset = 11, .attrs = Attrs().Int("axis", 1)},
                    {x, MakeBoolTensor({1}, {1})});
  ExpectErrorContains(axis, StatusCode::kInvalidArgument, {"axis"});
}

TEST(CompressTest, ScalarWithAxisIsAnError) {
  auto out = RunOp({.op_type = "Compress", .opset = 11, .attrs = Attrs().Int("axis", 0)},
                   {MakeTensor<float>({}, {1}), MakeBoolTensor({1}, {1})});
  ExpectErrorContains(out, StatusCode::kInvalidArgument, {"axis", "rank 0"});
}

// ---- Unique ----

TEST(UniqueTest, ScalarWithAxisIsAnErrorWithoutIsFine) {
  auto bad = RunOp({.op_type = "Unique", .opset = 11, .attrs = Attrs().Int("axis", 0)},
                   {MakeTensor<float>({}, {1})});
  ExpectErrorContains(bad, StatusCode::kInvalidArgument, {"axis", "rank 0"});
  auto ok = RunOp({.op_type = "Unique", .opset = 11}, {MakeTensor<float>({}, {1})});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TENSOR_EQ((*ok)[0], MakeTensor<float>({1}, {1}));
}

TEST(UniqueTest, SortedFlatAllOutputs) {
  Tensor x = MakeTensor<float>({6}, {2, 1, 1, 3, 4, 3});
  auto out = RunOp({.op_type = "Unique", .opset = 11, .num_outputs = 4}, {x});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({4}, {1, 2, 3, 4}));
  EXPECT_TENSOR_EQ((*out)[1], MakeTensor<int64_t>({4}, {1, 0, 3, 4}));
  EXPECT_TENSOR_EQ((*out)[2], MakeTensor<int64_t>({6}, {1, 0, 0, 2, 3, 2}));
  EXPECT_TENSOR_EQ((*out)[3], MakeTensor<int64_t>({4}, {2, 1, 2, 1}));
}

TEST(UniqueTest, UnsortedKeepsFirstOccurrenceOrder) {
  Tensor x = MakeTensor<int32_t>({2, 3}, {2, 1, 1, 3, 4, 3});
  auto out = RunOp({.op_type = "Unique", .opset = 11, .attrs = Attrs().Int("sorted", 0),
                    .num_outputs = 4}, {x});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<int32_t>({4}, {2, 1, 3, 4}));
  EXPECT_TENSOR_EQ((*out)[1], MakeTensor<int64_t>({4}, {0, 1, 3, 4}));
  EXPECT_TENSOR_EQ((*out)[2], MakeTensor<int64_t>({6}, {0, 1, 1, 2, 3, 2}));
  EXPECT_TENSOR_EQ((*out)[3], MakeTensor<int64_t>({4}, {1, 2, 2, 1}));
}

TEST(UniqueTest, Axis0AndNegativeAxis) {
  Tensor x = MakeTensor<float>({3, 3}, {1, 0, 0, 1, 0, 0, 2, 3, 4});
  auto out = RunOp({.op_type = "Unique", .opset = 11, .attrs = Attrs().Int("axis", 0),
                    .num_outputs = 4}, {x});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({2, 3}, {1, 0, 0, 2, 3, 4}));
  EXPECT_TENSOR_EQ((*out)[1], MakeTensor<int64_t>({2}, {0, 2}));
  EXPECT_TENSOR_EQ((*out)[2], MakeTensor<int64_t>({3}, {0, 0, 1}));
  EXPECT_TENSOR_EQ((*out)[3], MakeTensor<int64_t>({2}, {2, 1}));
  Tensor y = MakeTensor<int64_t>({3, 2}, {1, 1, 0, 0, 2, 1});
  auto out2 = RunOp({.op_type = "Unique", .opset = 11, .attrs = Attrs().Int("axis", -1),
                     .num_outputs = 4}, {y});
  ASSERT_TRUE(out2.ok()) << out2.status().ToString();
  EXPECT_TENSOR_EQ((*out2)[0], MakeTensor<int64_t>({3, 2}, {1, 1, 0, 0, 1, 2}));
  EXPECT_TENSOR_EQ((*out2)[1], MakeTensor<int64_t>({2}, {1, 0}));
  EXPECT_TENSOR_EQ((*out2)[2], MakeTensor<int64_t>({2}, {1, 0}));
  EXPECT_TENSOR_EQ((*out2)[3], MakeTensor<int64_t>({2}, {1, 1}));
}

TEST(UniqueTest, StringsEmptyAndErrors) {
  auto s = RunOp({.op_type = "Unique", .opset = 11},
                 {MakeTensor<std::string>({3}, {"b", "a", "b"})});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TENSOR_EQ((*s)[0], MakeTensor<std::string>({2}, {"a", "b"}));
  auto e = RunOp({.op_type = "Unique", .opset = 11, .num_outputs = 4},
                 {MakeTensor<float>({0}, {})});
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_TENSOR_EQ((*e)[0], MakeTensor<float>({0}, {}));
  EXPECT_TENSOR_EQ((*e)[3], MakeTensor<int64_t>({0}, {}));
  auto axis = RunOp({.op_type = "Unique", .opset = 11, .attrs = Attrs().Int("axis", 1)},
                    {MakeTensor<float>({2}, {1, 2})});
  ExpectErrorContains(axis, StatusCode::kInvalidArgument, {"axis"});
  auto sorted = RunOp({.op_type = "Unique", .opset = 11, .attrs = Attrs().Int("sorted", 2)},
                      {MakeTensor<float>({2}, {1, 2})});
  ExpectErrorContains(sorted, StatusCode::kInvalidArgument, {"sorted"});
}

}  // namespace
}  // namespace brisk
