// Tests of Reshape, Flatten, Squeeze, Unsqueeze, Shape, Size, Expand (kernels and inference).
#include "kernels/op_runner.h"
#include "shape_ops_test_util.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using namespace testing;  // NOLINT

using SS = SymbolicShape;

// ---- Reshape -------------------------------------------------------------------------------

TEST(ReshapeTest, ZeroCopiesAndMinusOneInfers) {
  auto out = RunOp({.op_type = "Reshape", .opset = 13}, {Iota({2, 3, 4}), I64s({0, -1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Iota({2, 12}));
}

TEST(ReshapeTest, AllOpsets) {
  for (int opset : {5, 13, 14, 19, 21}) {
    auto out = RunOp({.op_type = "Reshape", .opset = opset}, {Iota({6}), I64s({3, 2})});
    ASSERT_TRUE(out.ok()) << opset << ": " << out.status().ToString();
    EXPECT_TENSOR_EQ((*out)[0], Iota({3, 2}));
  }
}

TEST(ReshapeTest, Int32ShapeAndStrings) {
  Tensor s = Strings({2, 2}, {"a", "b", "c", "d"});
  auto out = RunOp({.op_type = "Reshape"}, {s, MakeTensor<int32_t>({1}, {-1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Strings({4}, {"a", "b", "c", "d"}));
}

TEST(ReshapeTest, AllowZeroMakesEmpty) {
  auto out = RunOp({.op_type = "Reshape", .opset = 14, .attrs = Attrs().Int("allowzero", 1)},
                   {Iota({0, 3}), I64s({3, 0})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({3, 0}));
}

TEST(ReshapeTest, EmptyTensorWithZeroCopy) {
  auto out = RunOp({.op_type = "Reshape"}, {Iota({0, 4}), I64s({0, 2, 2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({0, 2, 2}));
}

TEST(ReshapeTest, Errors) {
  EXPECT_TRUE(ErrorContains(RunOp({.op_type = "Reshape"}, {Iota({6}), I64s({4, -1})}).status(),
                            "-1"));
  EXPECT_TRUE(ErrorContains(RunOp({.op_type = "Reshape"}, {Iota({6}), I64s({-1, -1})}).status(),
                            "at most one"));
  EXPECT_TRUE(ErrorContains(RunOp({.op_type = "Reshape"}, {Iota({6}), I64s({4})}).status(),
                            "'shape'"));
  EXPECT_TRUE(ErrorContains(RunOp({.op_type = "Reshape"}, {Iota({6}), I64s({-2, -3})}).status(),
                            "'shape'"));
  EXPECT_TRUE(ErrorContains(RunOp({.op_type = "Reshape"}, {Iota({6}), I64s({6, 0})}).status(),
                            "rank"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Reshape", .attrs = Attrs().Int("allowzero", 1)},
            {Iota({6}), I64s({0, -1})})
          .status(),
      "allowzero"));
  // Errors also when the shape is only known at run time.
  EXPECT_FALSE(RunOp({.op_type = "Reshape"}, {Iota({6}), I64s({4, -1})}, false).ok());
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Reshape"}, {Iota({6}), MakeTensor<float>({1}, {6})}).status(),
      "'shape'"));
}

TEST(ReshapeInferTest, KeepsSymbolicBatchThroughZero) {
  auto t = InferOnly("Reshape", 13,
                     {Sym(DType::kFloat32, {S("N"), K(3), K(4)}), Const(I64s({0, -1}))});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].dtype, DType::kFloat32);
  EXPECT_EQ(*(*t)[0].shape, SS({S("N"), K(12)}));
}

TEST(ReshapeInferTest, MinusOneResolvesToSymbol) {
  auto t = InferOnly("Reshape", 13,
                     {Sym(DType::kFloat32, {S("N"), K(3), K(4)}), Const(I64s({-1, 12}))});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*(*t)[0].shape, SS({S("N"), K(12)}));
  t = InferOnly("Reshape", 13,
                {Sym(DType::kFloat32, {S("N"), S("T"), K(4)}), Const(I64s({0, -1, 2, 2}))});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*(*t)[0].shape, SS({S("N"), S("T"), K(2), K(2)}));
  t = InferOnly("Reshape", 13,
                {Sym(DType::kFloat32, {S("N"), K(3), K(4)}), Const(I64s({2, -1}))});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*(*t)[0].shape, SS({K(2), U()}));
}

TEST(ReshapeInferTest, UnknownShapeInputGivesRank) {
  InferInput shape = Sym(DType::kInt64, {K(3)});
  auto t = InferOnly("Reshape", 13, {Sym(DType::kFloat32, {S("N"), K(3)}), shape});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*(*t)[0].shape, SS({U(), U(), U()}));
  t = InferOnly("Reshape", 13, {Sym(DType::kFloat32, {S("N")}), Sym(DType::kInt64, {S("R")})});
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE((*t)[0].shape.has_value());
  t = InferOnly("Reshape", 13, {UnknownRank(DType::kFloat32), Const(I64s({0, 5}))});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*(*t)[0].shape, SS({U(), K(5)}));
}

TEST(ReshapeInferTest, CertainContradictionIsAnError) {
  auto t = InferOnly("Reshape", 13, {Sym(DType::kFloat32, {K(2), K(3)}), Const(I64s({4, 2}))});
  EXPECT_TRUE(ErrorContains(t.status(), "'shape'"));
  // With a symbol the element count is unknown: no error, dims as given.
  t = InferOnly("Reshape", 13, {Sym(DType::kFloat32, {S("N"), K(3)}), Const(I64s({4, 2}))});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*(*t)[0].shape, SS({K(4), K(2)}));
}

// ---- Flatten -------------------------------------------------------------------------------

TEST(FlattenTest, Axes) {
  for (auto [axis, a, b] : {std::tuple{0, 1, 24}, {1, 2, 12}, {2, 6, 4}, {3, 24, 1},
                            {-1, 6, 4}, {-3, 1, 24}}) {
    auto out = RunOp({.op_type = "Flatten", .opset = 13, .attrs = Attrs().Int("axis", axis)},
                     {Iota({2, 3, 4})});
    ASSERT_TRUE(out.ok()) << axis << ": " << out.status().ToString();
    EXPECT_TENSOR_EQ((*out)[0], Iota({a, b}));
  }
}

TEST(FlattenTest, ErrorsAndEmpty) {
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Flatten", .attrs = Attrs().Int("axis", 4)}, {Iota({2, 3, 4})}).status(),
      "'axis'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Flatten", .opset = 9, .attrs = Attrs().Int("axis", -1)},
            {Iota({2, 3})})
          .status(),
      "'axis'"));
  auto out = RunOp({.op_type = "Flatten"}, {Iota({0, 3, 2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({0, 6}));
  out = RunOp({.op_type = "Flatten", .attrs = Attrs().Int("axis", 0)}, {Iota({})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({1, 1}));
}

TEST(FlattenInferTest, Symbolic) {
  auto t = InferOnly("Flatten", 13, {Sym(DType::kFloat16, {S("N"), K(3), K(4)})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*(*t)[0].shape, SS({S("N"), K(12)}));
  t = InferOnly("Flatten", 13, {Sym(DType::kFloat16, {S("N"), K(3), K(4)})},
                Attrs().Int("axis", 2));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*(*t)[0].shape, SS({U(), K(4)}));
}

// ---- Squeeze / Unsqueeze -------------------------------------------------------------------

TEST(SqueezeTest, AxesAttributeAndInput) {
  auto out = RunOp({.op_type = "Squeeze", .opset = 11, .attrs = Attrs().Ints("axes", {0, -1})},
                   {Iota({1, 3, 1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Iota({3}));
  out = RunOp({.op_type = "Squeeze", .opset = 13}, {Iota({1, 3, 1}), I64s({2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Iota({1, 3}));
  out = RunOp({.op_type = "Squeeze", .opset = 21}, {Iota({1, 3, 1, 2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Iota({3, 2}));
  out = RunOp({.op_type = "Squeeze", .opset = 13}, {Iota({1, 0, 1}), std::nullopt});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({0}));
}

TEST(SqueezeTest, Errors) {
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Squeeze", .opset = 13}, {Iota({1, 3}), I64s({1})}).status(),
      "cannot squeeze axis 1"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Squeeze", .opset = 13}, {Iota({1, 3}), I64s({1})}, false).status(),
      "'axes'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Squeeze", .opset = 11, .attrs = Attrs().Ints("axes", {5})},
            {Iota({1, 3})})
          .status(),
      "'axes'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Squeeze", .opset = 13}, {Iota({1, 3}), I64s({0, -2})}).status(),
      "more than once"));
}

TEST(SqueezeInferTest, Symbolic) {
  auto t = InferOnly("Squeeze", 13,
                     {Sym(DType::kFloat32, {S("N"), K(1), K(4)}), Const(I64s({1}))});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*(*t)[0].shape, SS({S("N"), K(4)}));
  t = InferOnly("Squeeze", 13, {Sym(DType::kFloat32, {S("N"), K(1)})});
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE((*t)[0].shape.has_value());  // N might be 1
  t = InferOnly("Squeeze", 13,
                {Sym(DType::kFloat32, {S("N"), K(1), K(4)}), Sym(DType::kInt64, {K(1)})});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*(*t)[0].shape, SS({U(), U()}));
}

TEST(UnsqueezeTest, AttributeAndInput) {
  auto out = RunOp({.op_type = "Unsqueeze", .opset = 11, .attrs = Attrs().Ints("axes", {0, -1})},
                   {Iota({3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Iota({1, 3, 1}));
  out = RunOp({.op_type = "Unsqueeze", .opset = 13}, {Iota({2, 3}), I64s({1, 3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Iota({2, 1, 3, 1}));
  out = RunOp({.op_type = "Unsqueeze", .opset = 21}, {Iota({}), I64s({0})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Iota({1}));
  out = RunOp({.op_type = "Unsqueeze", .opset = 7, .attrs = Attrs().Ints("axes", {2})},
              {Iota({0, 2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({0, 2, 1}));
}

TEST(UnsqueezeTest, Errors) {
  EXPECT_TRUE(ErrorContains(RunOp({.op_type = "Unsqueeze", .opset = 11}, {Iota({3})}).status(),
                            "'axes'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Unsqueeze", .opset = 13}, {Iota({3}), std::nullopt}).status(), "'axes'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Unsqueeze", .opset = 13}, {Iota({3}), I64s({2})}).status(), "'axes'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Unsqueeze", .opset = 13}, {Iota({3}), I64s({0, 0})}, false).status(),
      "more than once"));
}

TEST(UnsqueezeInferTest, Symbolic) {
  auto t = InferOnly("Unsqueeze", 13, {Sym(DType::kInt8, {S("N"), K(4)}), Const(I64s({-1}))});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*(*t)[0].shape, SS({S("N"), K(4), K(1)}));
  t = InferOnly("Unsqueeze", 13, {Sym(DType::kInt8, {S("N"), K(4)}), Sym(DType::kInt64, {K(2)})});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)[0].shape->rank(), 4);
}

// ---- Shape / Size --------------------------------------------------------------------------

TEST(ShapeTest, FullAndStartEnd) {
  auto out = RunOp({.op_type = "Shape", .opset = 13}, {Iota({2, 3, 4})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], I64s({2, 3, 4}));
  out = RunOp({.op_type = "Shape", .opset = 15, .attrs = Attrs().Int("start", 1)},
              {Iota({2, 3, 4})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], I64s({3, 4}));
  out = RunOp({.op_type = "Shape", .opset = 21, .attrs = Attrs().Int("start", -10).Int("end", -1)},
              {Iota({2, 3, 4})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], I64s({2, 3}));
  out = RunOp({.op_type = "Shape", .opset = 15, .attrs = Attrs().Int("start", 2).Int("end", 1)},
              {Iota({2, 3, 4})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({0}));
  out = RunOp({.op_type = "Shape"}, {Iota({})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({0}));
  out = RunOp({.op_type = "Shape"}, {Strings({0, 2}, {})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], I64s({0, 2}));
}

TEST(ShapeInferTest, RankOnly) {
  auto t = InferOnly("Shape", 15, {Sym(DType::kFloat32, {S("N"), K(3), U()})},
                     Attrs().Int("start", 1));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].dtype, DType::kInt64);
  EXPECT_EQ(*(*t)[0].shape, SS({K(2)}));
}

TEST(SizeTest, Counts) {
  auto out = RunOp({.op_type = "Size", .opset = 13}, {Iota({2, 3, 4})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Tensor::Scalar<int64_t>(24));
  out = RunOp({.op_type = "Size", .opset = 21}, {Iota({2, 0})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Tensor::Scalar<int64_t>(0));
  out = RunOp({.op_type = "Size", .opset = 7}, {MakeBoolTensor({}, {1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Tensor::Scalar<int64_t>(1));
}

// ---- Expand --------------------------------------------------------------------------------

TEST(ExpandTest, Broadcasts) {
  auto out = RunOp({.op_type = "Expand", .opset = 13}, {F32({3, 1}, {1, 2, 3}), I64s({2, 1, 2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], F32({2, 3, 2}, {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}));
  // The shape may be smaller than the input's (bidirectional broadcast).
  out = RunOp({.op_type = "Expand", .opset = 8}, {Iota({2, 3}), I64s({3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Iota({2, 3}));
  out = RunOp({.op_type = "Expand"}, {Strings({1, 2}, {"x", "y"}), I64s({2, 1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Strings({2, 2}, {"x", "y", "x", "y"}));
  out = RunOp({.op_type = "Expand"}, {Iota({1, 3}), I64s({0, 1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({0, 3}));
}

TEST(ExpandTest, Errors) {
  EXPECT_TRUE(ErrorContains(RunOp({.op_type = "Expand"}, {Iota({2, 3}), I64s({4, 3})}).status(),
                            "broadcast"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Expand"}, {Iota({2, 3}), I64s({4, 3})}, false).status(), "'shape'"));
  EXPECT_TRUE(ErrorContains(RunOp({.op_type = "Expand"}, {Iota({2, 3}), I64s({-1, 3})}).status(),
                            "negative"));
}

TEST(ExpandInferTest, Symbolic) {
  auto t = InferOnly("Expand", 13, {Sym(DType::kFloat32, {S("N"), K(1)}), Const(I64s({1, 5}))});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*(*t)[0].shape, SS({S("N"), K(5)}));
  t = InferOnly("Expand", 13, {Sym(DType::kFloat32, {K(3), K(1)}), Sym(DType::kInt64, {K(3)})});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*(*t)[0].shape, SS({U(), K(3), U()}));
}

}  // namespace
}  // namespace brisk
