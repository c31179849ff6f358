// Tests of ScatterElements, Scatter, ScatterND.
#include "kernels/op_runner.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using testing::Attrs;
using testing::ExpectErrorContains;
using testing::MakeTensor;

// ---- ScatterElements ----

TEST(ScatterElementsTest, Axis0) {
  Tensor data = MakeTensor<float>({3, 3}, {0, 0, 0, 0, 0, 0, 0, 0, 0});
  Tensor idx = MakeTensor<int64_t>({2, 3}, {1, 0, 2, 0, 2, 1});
  Tensor upd = MakeTensor<float>({2, 3}, {1.0, 1.1, 1.2, 2.0, 2.1, 2.2});
  auto out = RunOp({.op_type = "ScatterElements", .opset = 13}, {data, idx, upd});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0],
                   MakeTensor<float>({3, 3}, {2.0, 1.1, 0, 1.0, 0, 2.2, 0, 2.1, 1.2}));
}

TEST(ScatterElementsTest, NegativeAxisAndIndices) {
  Tensor data = MakeTensor<int32_t>({1, 5}, {1, 2, 3, 4, 5});
  Tensor idx = MakeTensor<int32_t>({1, 2}, {1, -2});
  Tensor upd = MakeTensor<int32_t>({1, 2}, {11, 21});
  auto out = RunOp({.op_type = "ScatterElements", .opset = 11, .attrs = Attrs().Int("axis", -1)},
                   {data, idx, upd});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<int32_t>({1, 5}, {1, 11, 3, 21, 5}));
}

TEST(ScatterElementsTest, Reductions) {
  Tensor data = MakeTensor<float>({1, 5}, {1, 2, 3, 4, 5});
  Tensor idx = MakeTensor<int64_t>({1, 2}, {1, 1});
  Tensor upd = MakeTensor<float>({1, 2}, {1.5, 3});
  struct Case {
    const char* reduction;
    int opset;
    float value;
  };
  for (const Case& c : {Case{"add", 16, 6.5f}, Case{"mul", 16, 9.f}, Case{"max", 18, 3.f},
                        Case{"min", 18, 1.5f}}) {
    auto out = RunOp({.op_type = "ScatterElements",
                      .opset = c.opset,
                      .attrs = Attrs().Int("axis", 1).String("reduction", c.reduction)},
                     {data, idx, upd});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    SCOPED_TRACE(c.reduction);
    EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({1, 5}, {1, c.value, 3, 4, 5}));
  }
}

TEST(ScatterElementsTest, ReductionNotInOpset) {
  Tensor data = MakeTensor<float>({2}, {1, 2});
  Tensor idx = MakeTensor<int64_t>({1}, {0});
  Tensor upd = MakeTensor<float>({1}, {5});
  auto out = RunOp({.op_type = "ScatterElements", .opset = 16,
                    .attrs = Attrs().String("reduction", "max")}, {data, idx, upd});
  ExpectErrorContains(out, StatusCode::kInvalidArgument, {"reduction", "max"});
  auto out2 = RunOp({.op_type = "ScatterElements", .opset = 18,
                     .attrs = Attrs().String("reduction", "avg")}, {data, idx, upd});
  ExpectErrorContains(out2, StatusCode::kInvalidArgument, {"reduction"});
}

TEST(ScatterElementsTest, StringsAndEmpty) {
  Tensor data = MakeTensor<std::string>({3}, {"a", "b", "c"});
  auto out = RunOp({.op_type = "ScatterElements", .opset = 18},
                   {data, MakeTensor<int64_t>({1}, {2}), MakeTensor<std::string>({1}, {"z"})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<std::string>({3}, {"a", "b", "z"}));
  auto empty = RunOp({.op_type = "ScatterElements", .opset = 18},
                     {MakeTensor<float>({0, 2}, {}), MakeTensor<int64_t>({0, 2}, {}),
                      MakeTensor<float>({0, 2}, {})});
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TENSOR_EQ((*empty)[0], MakeTensor<float>({0, 2}, {}));
}

TEST(ScatterElementsTest, Errors) {
  Tensor data = MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  auto range = RunOp({.op_type = "ScatterElements", .opset = 13, .attrs = Attrs().Int("axis", 1)},
                     {data, MakeTensor<int64_t>({1, 1}, {3}), MakeTensor<float>({1, 1}, {0})});
  ExpectErrorContains(range, StatusCode::kOutOfRange, {"'indices'", "index 3", "axis 1", "size 3"});
  auto shape = RunOp({.op_type = "ScatterElements", .opset = 13},
                     {data, MakeTensor<int64_t>({1, 1}, {0}), MakeTensor<float>({1, 2}, {0, 0})});
  ExpectErrorContains(shape, StatusCode::kInvalidArgument, {"updates"});
  auto dtype = RunOp({.op_type = "ScatterElements", .opset = 13},
                     {data, MakeTensor<int64_t>({1, 1}, {0}), MakeTensor<double>({1, 1}, {0})});
  ExpectErrorContains(dtype, StatusCode::kInvalidArgument, {"updates"});
  auto axis = RunOp({.op_type = "ScatterElements", .opset = 13, .attrs = Attrs().Int("axis", 2)},
                    {data, MakeTensor<int64_t>({1, 1}, {0}), MakeTensor<float>({1, 1}, {0})});
  ExpectErrorContains(axis, StatusCode::kInvalidArgument, {"axis"});
}

TEST(ScatterTest, Opset9And10) {
  Tensor data = MakeTensor<float>({1, 5}, {1, 2, 3, 4, 5});
  Tensor idx = MakeTensor<int64_t>({1, 2}, {1, 3});
  Tensor upd = MakeTensor<float>({1, 2}, {1.1f, 2.1f});
  for (int opset : {9, 10}) {
    auto out = RunOp({.op_type = "Scatter", .opset = opset, .attrs = Attrs().Int("axis", 1)},
                     {data, idx, upd});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({1, 5}, {1, 1.1f, 3, 2.1f, 5}));
  }
}

// ---- ScatterND ----

TEST(ScatterNDTest, Elements) {
  Tensor data = MakeTensor<int64_t>({8}, {1, 2, 3, 4, 5, 6, 7, 8});
  Tensor idx = MakeTensor<int64_t>({4, 1}, {4, 3, 1, -1});
  Tensor upd = MakeTensor<int64_t>({4}, {9, 10, 11, 12});
  auto out = RunOp({.op_type = "ScatterND", .opset = 13}, {data, idx, upd});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<int64_t>({8}, {1, 11, 3, 10, 9, 6, 7, 12}));
}

TEST(ScatterNDTest, SlicesAndReductions) {
  Tensor data = MakeTensor<float>({2, 2}, {1, 2, 3, 4});
  Tensor idx = MakeTensor<int64_t>({2, 1}, {1, 1});
  Tensor upd = MakeTensor<float>({2, 2}, {10, 20, 30, 40});
  auto none = RunOp({.op_type = "ScatterND", .opset = 11}, {data, idx, upd});
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TENSOR_EQ((*none)[0], MakeTensor<float>({2, 2}, {1, 2, 30, 40}));
  auto add = RunOp({.op_type = "ScatterND", .opset = 16,
                    .attrs = Attrs().String("reduction", "add")}, {data, idx, upd});
  ASSERT_TRUE(add.ok()) << add.status().ToString();
  EXPECT_TENSOR_EQ((*add)[0], MakeTensor<float>({2, 2}, {1, 2, 43, 64}));
  auto mul = RunOp({.op_type = "ScatterND", .opset = 16,
                    .attrs = Attrs().String("reduction", "mul")}, {data, idx, upd});
  ASSERT_TRUE(mul.ok()) << mul.status().ToString();
  EXPECT_TENSOR_EQ((*mul)[0], MakeTensor<float>({2, 2}, {1, 2, 900, 3200}));
  auto mx = RunOp({.op_type = "ScatterND", .opset = 18,
                   .attrs = Attrs().String("reduction", "max")},
                  {data, idx, MakeTensor<float>({2, 2}, {0, 5, 2, 1})});
  ASSERT_TRUE(mx.ok()) << mx.status().ToString();
  EXPECT_TENSOR_EQ((*mx)[0], MakeTensor<float>({2, 2}, {1, 2, 3, 5}));
  auto mn = RunOp({.op_type = "ScatterND", .opset = 18,
                   .attrs = Attrs().String("reduction", "min")},
                  {data, idx, MakeTensor<float>({2, 2}, {0, 5, 2, 1})});
  ASSERT_TRUE(mn.ok()) << mn.status().ToString();
  EXPECT_TENSOR_EQ((*mn)[0], MakeTensor<float>({2, 2}, {1, 2, 0, 1}));
}

TEST(ScatterNDTest, EmptyIndices) {
  Tensor data = MakeTensor<float>({2, 2}, {1, 2, 3, 4});
  auto out = RunOp({.op_type = "ScatterND", .opset = 13},
                   {data, MakeTensor<int64_t>({0, 2}, {}), MakeTensor<float>({0}, {})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], data);
}

TEST(ScatterNDTest, Errors) {
  Tensor data = MakeTensor<float>({2, 2}, {1, 2, 3, 4});
  auto range = RunOp({.op_type = "ScatterND", .opset = 13},
                     {data, MakeTensor<int64_t>({1, 2}, {0, -3}), MakeTensor<float>({1}, {0})});
  ExpectErrorContains(range, StatusCode::kOutOfRange,
                      {"'indices'", "index -3", "axis 1", "size 2"});
  auto shape = RunOp({.op_type = "ScatterND", .opset = 13},
                     {data, MakeTensor<int64_t>({1, 1}, {0}),
                      MakeTensor<float>({1, 3}, {0, 0, 0})});
  ExpectErrorContains(shape, StatusCode::kInvalidArgument, {"updates"});
  auto deep = RunOp({.op_type = "ScatterND", .opset = 13},
                    {data, MakeTensor<int64_t>({1, 3}, {0, 0, 0}), MakeTensor<float>({1}, {0})});
  ExpectErrorContains(deep, StatusCode::kInvalidArgument, {"indices"});
}

}  // namespace
}  // namespace brisk
