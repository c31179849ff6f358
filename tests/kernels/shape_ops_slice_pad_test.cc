// Tests of Slice, Pad, CenterCropPad, Range, ConstantOfShape, EyeLike, Trilu, ReverseSequence.
#include <limits>

#include "kernels/op_runner.h"
#include "shape_ops_test_util.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using namespace testing;  // NOLINT

using SS = SymbolicShape;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

Tensor Ints(Shape shape, std::vector<int> v) {
  return F32(std::move(shape), std::vector<float>(v.begin(), v.end()));
}

// ---- Slice ---------------------------------------------------------------------------------

TEST(SliceTest, StepsAndNegativeSteps) {
  auto out = RunOp({.op_type = "Slice", .opset = 13},
                   {Iota({2, 3, 4}), I64s({-1, 1}), I64s({kMin, 3}), I64s({1, 2}), I64s({-1, 1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Ints({2, 3, 2}, {9, 10, 5, 6, 1, 2, 21, 22, 17, 18, 13, 14}));
  out = RunOp({.op_type = "Slice", .opset = 10},
              {Iota({2, 3, 4}), I64s({-1, 10, -100}), I64s({kMax, 0, 100}), std::nullopt,
               I64s({1, -2, 1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Ints({1, 1, 4}, {20, 21, 22, 23}));
  out = RunOp({.op_type = "Slice", .opset = 13},
              {Iota({3, 4}), I64s({2, kMax}), I64s({0, kMin}), I64s({0, 1}), I64s({-1, -2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Ints({2, 2}, {11, 9, 7, 5}));
}

TEST(SliceTest, AttributesBefore10) {
  auto out = RunOp({.op_type = "Slice",
                    .opset = 1,
                    .attrs = Attrs().Ints("starts", {1}).Ints("ends", {kMax}).Ints("axes", {1})},
                   {Iota({2, 3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Ints({2, 2}, {1, 2, 4, 5}));
  out = RunOp({.op_type = "Slice",
               .opset = 9,
               .attrs = Attrs().Ints("starts", {0, 1}).Ints("ends", {1, 1000})},
              {Strings({2, 3}, {"a", "b", "c", "d", "e", "f"})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Strings({1, 2}, {"b", "c"}));
}

TEST(SliceTest, EmptyResultsAndInputs) {
  auto out = RunOp({.op_type = "Slice"}, {Iota({4}), I64s({3}), I64s({1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({0}));
  out = RunOp({.op_type = "Slice"}, {Iota({0, 3}), I64s({0}), I64s({-1}), I64s({0}), I64s({-1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({0, 3}));
  out = RunOp({.op_type = "Slice"}, {Iota({2, 3}), I64s({}), I64s({})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Iota({2, 3}));
  out = RunOp({.op_type = "Slice"},
              {Iota({5}), MakeTensor<int32_t>({1}, {1}), MakeTensor<int32_t>({1}, {4}),
               std::nullopt, MakeTensor<int32_t>({1}, {100})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Ints({1}, {1}));
}

TEST(SliceTest, Errors) {
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Slice"}, {Iota({4}), I64s({0}), I64s({2}), I64s({0}), I64s({0})})
          .status(),
      "'steps'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Slice"}, {Iota({4}), I64s({0}), I64s({2}), I64s({0}), I64s({0})}, false)
          .status(),
      "step of 0"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Slice"}, {Iota({4}), I64s({0}), I64s({2, 3})}).status(), "'ends'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Slice"}, {Iota({4}), I64s({0}), I64s({2}), I64s({1})}).status(),
      "'axes'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Slice"}, {Iota({4, 4}), I64s({0, 0}), I64s({2, 2}), I64s({1, -1})})
          .status(),
      "more than once"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Slice"}, {Iota({4}), MakeTensor<float>({1}, {0}), I64s({2})}).status(),
      "'starts'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Slice", .opset = 9, .attrs = Attrs().Ints("starts", {0})}, {Iota({4})})
          .status(),
      "'ends'"));
}

TEST(SliceInferTest, Symbolic) {
  auto t = InferOnly("Slice", 13,
                     {Sym(DType::kFloat32, {S("N"), K(10), S("T")}), Const(I64s({0, 2})),
                      Const(I64s({kMax, -2})), Const(I64s({0, 1}))});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*(*t)[0].shape, SS({S("N"), K(6), S("T")}));
  t = InferOnly("Slice", 13,
                {Sym(DType::kFloat32, {S("N"), K(10), S("T")}), Sym(DType::kInt64, {K(1)}),
                 Sym(DType::kInt64, {K(1)}), Const(I64s({-1}))});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*(*t)[0].shape, SS({S("N"), K(10), U()}));
  t = InferOnly("Slice", 13,
                {Sym(DType::kFloat32, {S("N"), K(10)}), Sym(DType::kInt64, {K(1)}),
                 Sym(DType::kInt64, {K(1)})});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*(*t)[0].shape, SS({U(), U()}));
}

// ---- Pad -----------------------------------------------------------------------------------

TEST(PadTest, Modes) {
  const std::vector<int64_t> pads = {1, 2, 2, 3};
  const std::pair<const char*, std::vector<int>> cases[] = {
      {"reflect", {5, 4, 3, 4, 5, 4, 3, 4, 2, 1, 0, 1, 2, 1, 0, 1, 5, 4, 3, 4,
                   5, 4, 3, 4, 2, 1, 0, 1, 2, 1, 0, 1, 5, 4, 3, 4, 5, 4, 3, 4}},
      {"edge", {0, 0, 0, 1, 2, 2, 2, 2, 0, 0, 0, 1, 2, 2, 2, 2, 3, 3, 3, 4,
                5, 5, 5, 5, 3, 3, 3, 4, 5, 5, 5, 5, 3, 3, 3, 4, 5, 5, 5, 5}},
      {"wrap", {4, 5, 3, 4, 5, 3, 4, 5, 1, 2, 0, 1, 2, 0, 1, 2, 4, 5, 3, 4,
                5, 3, 4, 5, 1, 2, 0, 1, 2, 0, 1, 2, 4, 5, 3, 4, 5, 3, 4, 5}},
  };
  for (const auto& [mode, want] : cases) {
    auto out = RunOp({.op_type = "Pad", .opset = 19, .attrs = Attrs().String("mode", mode)},
                     {Iota({2, 3}), I64s(pads)});
    ASSERT_TRUE(out.ok()) << mode << ": " << out.status().ToString();
    SCOPED_TRACE(mode);
    EXPECT_TENSOR_EQ((*out)[0], Ints({5, 8}, want));
  }
}

TEST(PadTest, ConstantAttributeAndInputForms) {
  auto out = RunOp({.op_type = "Pad",
                    .opset = 2,
                    .attrs = Attrs().Ints("pads", {0, 1, 0, 1}).Float("value", 9)},
                   {Iota({2, 3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Ints({2, 5}, {9, 0, 1, 2, 9, 9, 3, 4, 5, 9}));
  out = RunOp({.op_type = "Pad", .opset = 11},
              {Iota({2, 3}), I64s({0, 1, 0, 1}), F32({}, {9})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Ints({2, 5}, {9, 0, 1, 2, 9, 9, 3, 4, 5, 9}));
  out = RunOp({.op_type = "Pad", .opset = 18},
              {Iota({2, 3}), I64s({1, 1}), F32({}, {9}), I64s({-1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Ints({2, 5}, {9, 0, 1, 2, 9, 9, 3, 4, 5, 9}));
  // Negative pads crop.
  out = RunOp({.op_type = "Pad", .opset = 13}, {Iota({2, 3}), I64s({0, -1, 0, 0})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Ints({2, 2}, {1, 2, 4, 5}));
  out = RunOp({.op_type = "Pad", .opset = 21},
              {Strings({1}, {"a"}), I64s({1, 1}), Strings({}, {"z"})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Strings({3}, {"z", "a", "z"}));
  out = RunOp({.op_type = "Pad", .opset = 13}, {I64({0, 2}, {}), I64s({1, 0, 1, 0})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], I64({2, 2}, {0, 0, 0, 0}));
  out = RunOp({.op_type = "Pad", .opset = 13}, {MakeBoolTensor({1}, {1}), I64s({0, 2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeBoolTensor({3}, {1, 0, 0}));
}

TEST(PadTest, Errors) {
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Pad", .opset = 13}, {Iota({2, 3}), I64s({1, 1})}).status(), "'pads'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Pad", .opset = 13}, {Iota({2, 3}), I64s({1, 1})}, false).status(),
      "'pads'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Pad", .opset = 13}, {Iota({2, 3}), I64s({-3, 0, 0, 0})}).status(),
      "'pads'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Pad", .opset = 13, .attrs = Attrs().String("mode", "wrap")},
            {Iota({2, 3}), I64s({1, 0, 0, 0})})
          .status(),
      "'mode'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Pad", .opset = 13, .attrs = Attrs().String("mode", "edge")},
            {Iota({0, 3}), I64s({1, 0, 0, 0})})
          .status(),
      "empty"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Pad", .opset = 13}, {Iota({2, 3}), I64s({1, 0, 0, 0}), I64s({1})})
          .status(),
      "'constant_value'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Pad", .opset = 18},
            {Iota({2, 3}), I64s({1, 1, 1, 1}), std::nullopt, I64s({0, 0})})
          .status(),
      "'axes'"));
}

TEST(PadInferTest, Symbolic) {
  auto t = InferOnly("Pad", 13,
                     {Sym(DType::kFloat32, {S("N"), K(3), S("W")}),
                      Const(I64s({0, 1, 2, 0, 1, 2}))});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*(*t)[0].shape, SS({S("N"), K(5), U()}));
  t = InferOnly("Pad", 18,
                {Sym(DType::kFloat32, {S("N"), K(3)}), Sym(DType::kInt64, {K(2)}), Absent(),
                 Const(I64s({1}))});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*(*t)[0].shape, SS({S("N"), U()}));
}

// ---- CenterCropPad -------------------------------------------------------------------------

TEST(CenterCropPadTest, CropAndPad) {
  auto out = RunOp({.op_type = "CenterCropPad", .opset = 18}, {Iota({5, 2}), I64s({2, 5})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  // Rows 1..2 (crop 5 -> 2 starts at 1), columns placed at 1..2 (pad 2 -> 5 starts at 1).
  EXPECT_TENSOR_EQ((*out)[0], Ints({2, 5}, {0, 2, 3, 0, 0, 0, 4, 5, 0, 0}));
  out = RunOp({.op_type = "CenterCropPad", .opset = 18, .attrs = Attrs().Ints("axes", {-1})},
              {Strings({1, 3}, {"a", "b", "c"}), I64s({1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Strings({1, 1}, {"b"}));
  out = RunOp({.op_type = "CenterCropPad", .opset = 18}, {Iota({2, 2}), I64s({0, 3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({0, 3}));
}

TEST(CenterCropPadTest, ErrorsAndInference) {
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "CenterCropPad", .opset = 18}, {Iota({2, 2}), I64s({1})}).status(),
      "'shape'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "CenterCropPad", .opset = 18}, {Iota({2, 2}), I64s({1, -1})}).status(),
      "negative"));
  auto t = InferOnly("CenterCropPad", 18,
                     {Sym(DType::kFloat32, {S("N"), K(7), K(7)}), Const(I64s({3, 3}))},
                     Attrs().Ints("axes", {1, 2}));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*(*t)[0].shape, SS({S("N"), K(3), K(3)}));
}

// ---- Range ---------------------------------------------------------------------------------

TEST(RangeTest, Values) {
  auto out = RunOp({.op_type = "Range", .opset = 11},
                   {Tensor::Scalar<int64_t>(3), Tensor::Scalar<int64_t>(9),
                    Tensor::Scalar<int64_t>(3)});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], I64s({3, 6}));
  out = RunOp({.op_type = "Range"}, {Tensor::Scalar<int32_t>(10), Tensor::Scalar<int32_t>(4),
                                     Tensor::Scalar<int32_t>(-2)});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<int32_t>({3}, {10, 8, 6}));
  out = RunOp({.op_type = "Range"},
              {Tensor::Scalar<float>(1), Tensor::Scalar<float>(2), Tensor::Scalar<float>(0.25f)});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], F32({4}, {1, 1.25f, 1.5f, 1.75f}));
  out = RunOp({.op_type = "Range"}, {Tensor::Scalar<int16_t>(5), Tensor::Scalar<int16_t>(5),
                                     Tensor::Scalar<int16_t>(1)});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({0}));
  out = RunOp({.op_type = "Range"},
              {Tensor::Scalar<double>(0), Tensor::Scalar<double>(1), Tensor::Scalar<double>(0.5)},
              false);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<double>({2}, {0, 0.5}));
}

TEST(RangeTest, Errors) {
  EXPECT_TRUE(ErrorContains(RunOp({.op_type = "Range"},
                                  {Tensor::Scalar<int64_t>(0), Tensor::Scalar<int64_t>(4),
                                   Tensor::Scalar<int64_t>(0)})
                                .status(),
                            "'delta'"));
  EXPECT_TRUE(ErrorContains(RunOp({.op_type = "Range"},
                                  {Tensor::Scalar<int64_t>(0), Tensor::Scalar<int32_t>(4),
                                   Tensor::Scalar<int64_t>(1)})
                                .status(),
                            "'limit'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Range"},
            {I64s({0, 1}), Tensor::Scalar<int64_t>(4), Tensor::Scalar<int64_t>(1)})
          .status(),
      "'start'"));
  EXPECT_FALSE(RunOp({.op_type = "Range"},
                     {Tensor::Scalar<int64_t>(kMin), Tensor::Scalar<int64_t>(kMax),
                      Tensor::Scalar<int64_t>(1)})
                   .ok());
  EXPECT_FALSE(RunOp({.op_type = "Range"}, {Tensor::Scalar<uint8_t>(0), Tensor::Scalar<uint8_t>(4),
                                            Tensor::Scalar<uint8_t>(1)})
                   .ok());
}

// ---- ConstantOfShape -----------------------------------------------------------------------

TEST(ConstantOfShapeTest, Values) {
  auto out = RunOp({.op_type = "ConstantOfShape", .opset = 9}, {I64s({2, 3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], F32({2, 3}, {0, 0, 0, 0, 0, 0}));
  out = RunOp({.op_type = "ConstantOfShape",
               .opset = 21,
               .attrs = Attrs().TensorAttr("value", I64s({7}))},
              {I64s({3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], I64s({7, 7, 7}));
  out = RunOp({.op_type = "ConstantOfShape",
               .attrs = Attrs().TensorAttr("value", MakeBoolTensor({1}, {1}))},
              {I64s({})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeBoolTensor({}, {1}));
  out = RunOp({.op_type = "ConstantOfShape"}, {I64s({4, 0})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({4, 0}));
}

TEST(ConstantOfShapeTest, ErrorsAndInference) {
  EXPECT_TRUE(ErrorContains(RunOp({.op_type = "ConstantOfShape"}, {I64s({-1})}).status(),
                            "negative"));
  EXPECT_TRUE(ErrorContains(RunOp({.op_type = "ConstantOfShape",
                                   .attrs = Attrs().TensorAttr("value", I64s({1, 2}))},
                                  {I64s({1})})
                                .status(),
                            "'value'"));
  auto t = InferOnly("ConstantOfShape", 21, {Sym(DType::kInt64, {K(3)})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].dtype, DType::kFloat32);
  EXPECT_EQ(*(*t)[0].shape, SS({U(), U(), U()}));
}

// ---- EyeLike -------------------------------------------------------------------------------

TEST(EyeLikeTest, Values) {
  auto out = RunOp({.op_type = "EyeLike", .opset = 9}, {Iota({2, 3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Ints({2, 3}, {1, 0, 0, 0, 1, 0}));
  out = RunOp({.op_type = "EyeLike", .attrs = Attrs().Int("k", 1).Int("dtype", 7)},
              {Iota({3, 3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], I64({3, 3}, {0, 1, 0, 0, 0, 1, 0, 0, 0}));
  out = RunOp({.op_type = "EyeLike", .attrs = Attrs().Int("k", -2).Int("dtype", 9)},
              {Iota({3, 2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeBoolTensor({3, 2}, {0, 0, 0, 0, 1, 0}));
  out = RunOp({.op_type = "EyeLike", .attrs = Attrs().Int("k", kMax)}, {Iota({2, 2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Ints({2, 2}, {0, 0, 0, 0}));
  out = RunOp({.op_type = "EyeLike"}, {Iota({0, 2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({0, 2}));
  EXPECT_TRUE(ErrorContains(RunOp({.op_type = "EyeLike"}, {Iota({2})}).status(), "rank 2"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "EyeLike", .attrs = Attrs().Int("dtype", 1000)}, {Iota({2, 2})}).status(),
      "'dtype'"));
}

// ---- Trilu ---------------------------------------------------------------------------------

TEST(TriluTest, UpperLowerAndK) {
  auto out = RunOp({.op_type = "Trilu", .opset = 14}, {Iota({3, 4}), I64s({1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Ints({3, 4}, {0, 1, 2, 3, 0, 0, 6, 7, 0, 0, 0, 11}));
  out = RunOp({.op_type = "Trilu", .attrs = Attrs().Int("upper", 0)},
              {Iota({3, 4}), Tensor::Scalar<int64_t>(-1)});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Ints({3, 4}, {0, 0, 0, 0, 4, 0, 0, 0, 8, 9, 0, 0}));
  out = RunOp({.op_type = "Trilu", .attrs = Attrs().Int("upper", 0)},
              {Strings({2, 2}, {"a", "b", "c", "d"})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Strings({2, 2}, {"a", "", "c", "d"}));
  out = RunOp({.op_type = "Trilu"}, {Iota({2, 2, 2}), I64s({kMin})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Iota({2, 2, 2}));
  out = RunOp({.op_type = "Trilu"}, {Iota({2, 0, 3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({2, 0, 3}));
  EXPECT_TRUE(ErrorContains(RunOp({.op_type = "Trilu"}, {Iota({3})}).status(), "rank"));
  EXPECT_TRUE(ErrorContains(RunOp({.op_type = "Trilu"}, {Iota({3, 3}), I64s({1, 2})}).status(),
                            "'k'"));
}

// ---- ReverseSequence -----------------------------------------------------------------------

TEST(ReverseSequenceTest, TimeMajorAndBatchMajor) {
  auto out = RunOp({.op_type = "ReverseSequence", .opset = 10},
                   {Iota({4, 4}), I64s({4, 3, 2, 1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0],
                   Ints({4, 4}, {12, 9, 6, 3, 8, 5, 2, 7, 4, 1, 10, 11, 0, 13, 14, 15}));
  out = RunOp({.op_type = "ReverseSequence",
               .attrs = Attrs().Int("batch_axis", 0).Int("time_axis", 1)},
              {Iota({4, 4}), I64s({1, 2, 3, 4})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0],
                   Ints({4, 4}, {0, 1, 2, 3, 5, 4, 6, 7, 10, 9, 8, 11, 15, 14, 13, 12}));
  out = RunOp({.op_type = "ReverseSequence",
               .attrs = Attrs().Int("batch_axis", 0).Int("time_axis", 1)},
              {Strings({1, 2, 2}, {"a", "b", "c", "d"}), I64s({2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Strings({1, 2, 2}, {"c", "d", "a", "b"}));
  out = RunOp({.op_type = "ReverseSequence"}, {Iota({0, 2}), I64s({0, 0})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({0, 2}));
}

TEST(ReverseSequenceTest, Errors) {
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "ReverseSequence"}, {Iota({4, 4}), I64s({5, 1, 1, 1})}).status(),
      "'sequence_lens'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "ReverseSequence"}, {Iota({4, 4}), I64s({1, 1})}).status(),
      "'sequence_lens'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "ReverseSequence", .attrs = Attrs().Int("batch_axis", 0)},
            {Iota({4, 4}), I64s({1, 1, 1, 1})})
          .status(),
      "'batch_axis'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "ReverseSequence"}, {Iota({4}), I64s({1})}).status(), "rank"));
}

}  // namespace
}  // namespace brisk
