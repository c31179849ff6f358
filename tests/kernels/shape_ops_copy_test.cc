// Tests of Transpose, DepthToSpace, SpaceToDepth, Tile, Concat, Split (kernels and inference).
#include "kernels/op_runner.h"
#include "kernels/reference/shape_ops_util.h"
#include "shape_ops_test_util.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using namespace testing;  // NOLINT

using SS = SymbolicShape;

Tensor Ints(Shape shape, std::vector<int> v) {
  return F32(std::move(shape), std::vector<float>(v.begin(), v.end()));
}

// ---- The strided-copy helper ---------------------------------------------------------------

TEST(CopyStridedTest, NegativeZeroStridesAndStrings) {
  // Reverse rows and broadcast a column: dst[i][j] = src[2 - i][0].
  Tensor src = Iota({3, 2});
  Tensor dst = *Tensor::Allocate(DType::kFloat32, Shape{3, 4});
  const int64_t src_strides[] = {-2, 0};
  const int64_t dst_strides[] = {4, 1};
  const int64_t extents[] = {3, 4};
  shape_ops::CopyStrided(DType::kFloat32, src.data<float>() + 4, src_strides, dst.raw_data(),
                         dst_strides, extents);
  EXPECT_TENSOR_EQ(dst, Ints({3, 4}, {4, 4, 4, 4, 2, 2, 2, 2, 0, 0, 0, 0}));
  Tensor s = Strings({2, 2}, {"a", "b", "c", "d"});
  auto t = shape_ops::MaterializeView(s, 1, std::vector<int64_t>{2, -1}, Shape{2, 2});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_TENSOR_EQ(*t, Strings({2, 2}, {"b", "a", "d", "c"}));
  // Contiguous runs merge into one memcpy; an empty extent copies nothing.
  Tensor big = RandomFloat({4, 5, 6}, 3);
  auto same = shape_ops::MaterializeView(big, 0, ContiguousStrides(big.shape()), big.shape());
  ASSERT_TRUE(same.ok());
  EXPECT_TENSOR_EQ(*same, big);
  auto empty = shape_ops::MaterializeView(big, 0, std::vector<int64_t>{1, 1}, Shape{0, 3});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->shape(), Shape({0, 3}));
}

// ---- Transpose -----------------------------------------------------------------------------

TEST(TransposeTest, DefaultReversesDims) {
  auto out = RunOp({.op_type = "Transpose", .opset = 13}, {Iota({2, 3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Ints({3, 2}, {0, 3, 1, 4, 2, 5}));
}

TEST(TransposeTest, PermAndDtypes) {
  auto out = RunOp({.op_type = "Transpose", .opset = 7, .attrs = Attrs().Ints("perm", {1, 2, 0})},
                   {Iota({2, 2, 3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0],
                   Ints({2, 3, 2}, {0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11}));
  out = RunOp({.op_type = "Transpose", .opset = 21, .attrs = Attrs().Ints("perm", {1, 0})},
              {Strings({2, 2}, {"a", "b", "c", "d"})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Strings({2, 2}, {"a", "c", "b", "d"}));
  Tensor h = *Tensor::Allocate(DType::kFloat16, Shape{2, 3});
  for (int i = 0; i < 6; ++i) h.data<Float16>()[i] = Float16(float(i));
  Tensor ht = *Tensor::Allocate(DType::kFloat16, Shape{3, 2});
  const float want[] = {0, 3, 1, 4, 2, 5};
  for (int i = 0; i < 6; ++i) ht.data<Float16>()[i] = Float16(want[i]);
  out = RunOp({.op_type = "Transpose"}, {h});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], ht);
  Tensor i64 = I64({2, 1}, {7, 8});
  out = RunOp({.op_type = "Transpose"}, {i64});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], I64({1, 2}, {7, 8}));
}

TEST(TransposeTest, LargerMatchesNaive) {
  Tensor x = RandomFloat({3, 4, 5, 6}, 1);
  auto out = RunOp({.op_type = "Transpose", .attrs = Attrs().Ints("perm", {2, 0, 3, 1})}, {x});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const Tensor& y = (*out)[0];
  ASSERT_EQ(y.shape(), Shape({5, 3, 6, 4}));
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 4; ++b)
      for (int c = 0; c < 5; ++c)
        for (int d = 0; d < 6; ++d)
          ASSERT_EQ(y.data<float>()[((c * 3 + a) * 6 + d) * 4 + b],
                    x.data<float>()[((a * 4 + b) * 5 + c) * 6 + d]);
}

TEST(TransposeTest, EmptyScalarAndErrors) {
  auto out = RunOp({.op_type = "Transpose"}, {Iota({0, 3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({3, 0}));
  out = RunOp({.op_type = "Transpose"}, {Iota({})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Iota({}));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Transpose", .attrs = Attrs().Ints("perm", {0, 0})}, {Iota({2, 2})})
          .status(),
      "'perm'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Transpose", .attrs = Attrs().Ints("perm", {0})}, {Iota({2, 2})})
          .status(),
      "'perm'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Transpose", .attrs = Attrs().Ints("perm", {0, 2})}, {Iota({2, 2})})
          .status(),
      "'perm'"));
}

TEST(TransposeInferTest, Symbolic) {
  auto t = InferOnly("Transpose", 13, {Sym(DType::kFloat32, {S("N"), K(3), U()})},
                     Attrs().Ints("perm", {2, 0, 1}));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*(*t)[0].shape, SS({U(), S("N"), K(3)}));
  t = InferOnly("Transpose", 13, {UnknownRank(DType::kFloat32)}, Attrs().Ints("perm", {1, 0}));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)[0].shape->rank(), 2);
}

// ---- DepthToSpace / SpaceToDepth -----------------------------------------------------------

TEST(DepthToSpaceTest, DcrAndCrd) {
  auto out = RunOp({.op_type = "DepthToSpace", .opset = 13, .attrs = Attrs().Int("blocksize", 2)},
                   {Iota({1, 8, 2, 3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0],
                   Ints({1, 2, 4, 6},
                        {0,  12, 1,  13, 2,  14, 24, 36, 25, 37, 26, 38, 3,  15, 4,  16,
                         5,  17, 27, 39, 28, 40, 29, 41, 6,  18, 7,  19, 8,  20, 30, 42,
                         31, 43, 32, 44, 9,  21, 10, 22, 11, 23, 33, 45, 34, 46, 35, 47}));
  out = RunOp({.op_type = "DepthToSpace",
               .opset = 11,
               .attrs = Attrs().Int("blocksize", 2).String("mode", "CRD")},
              {Iota({1, 8, 2, 3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0],
                   Ints({1, 2, 4, 6},
                        {0,  6,  1,  7,  2,  8,  12, 18, 13, 19, 14, 20, 3,  9,  4,  10,
                         5,  11, 15, 21, 16, 22, 17, 23, 24, 30, 25, 31, 26, 32, 36, 42,
                         37, 43, 38, 44, 27, 33, 28, 34, 29, 35, 39, 45, 40, 46, 41, 47}));
}

TEST(DepthToSpaceTest, Errors) {
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "DepthToSpace", .attrs = Attrs().Int("blocksize", 3)},
            {Iota({1, 8, 2, 3})})
          .status(),
      "divisible"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "DepthToSpace", .attrs = Attrs().Int("blocksize", 0)},
            {Iota({1, 8, 2, 3})})
          .status(),
      "'blocksize'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "DepthToSpace", .attrs = Attrs().Int("blocksize", 2).String("mode", "X")},
            {Iota({1, 8, 2, 3})})
          .status(),
      "'mode'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "DepthToSpace", .attrs = Attrs().Int("blocksize", 2)}, {Iota({8, 2, 3})})
          .status(),
      "rank 4"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "DepthToSpace"}, {Iota({1, 8, 2, 3})}).status(), "'blocksize'"));
}

TEST(SpaceToDepthTest, Values) {
  auto out = RunOp({.op_type = "SpaceToDepth", .opset = 13, .attrs = Attrs().Int("blocksize", 2)},
                   {Iota({1, 2, 4, 6})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0],
                   Ints({1, 8, 2, 3},
                        {0, 2,  4,  12, 14, 16, 24, 26, 28, 36, 38, 40, 1, 3,  5,  13,
                         15, 17, 25, 27, 29, 37, 39, 41, 6, 8,  10, 18, 20, 22, 30, 32,
                         34, 42, 44, 46, 7,  9,  11, 19, 21, 23, 31, 33, 35, 43, 45, 47}));
  // Round trip with DepthToSpace (DCR) is the identity.
  auto back = RunOp({.op_type = "DepthToSpace", .attrs = Attrs().Int("blocksize", 2)},
                    {(*out)[0]});
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TENSOR_EQ((*back)[0], Iota({1, 2, 4, 6}));
  out = RunOp({.op_type = "SpaceToDepth", .attrs = Attrs().Int("blocksize", 2)},
              {Iota({0, 2, 4, 6})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({0, 8, 2, 3}));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "SpaceToDepth", .attrs = Attrs().Int("blocksize", 4)},
            {Iota({1, 2, 4, 6})})
          .status(),
      "divisible"));
}

TEST(DepthToSpaceInferTest, Symbolic) {
  auto t = InferOnly("DepthToSpace", 13, {Sym(DType::kFloat32, {S("N"), K(16), S("H"), K(5)})},
                     Attrs().Int("blocksize", 2));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*(*t)[0].shape, SS({S("N"), K(4), U(), K(10)}));
  t = InferOnly("SpaceToDepth", 13, {Sym(DType::kFloat32, {S("N"), K(3), K(8), S("W")})},
                Attrs().Int("blocksize", 2));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*(*t)[0].shape, SS({S("N"), K(12), K(4), U()}));
}

// ---- Tile ----------------------------------------------------------------------------------

TEST(TileTest, Values) {
  auto out = RunOp({.op_type = "Tile", .opset = 13}, {Iota({2, 3}), I64s({2, 2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Ints({4, 6}, {0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5,
                                            0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5}));
  out = RunOp({.op_type = "Tile", .opset = 6}, {Strings({2}, {"a", "b"}), I64s({3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Strings({6}, {"a", "b", "a", "b", "a", "b"}));
  out = RunOp({.op_type = "Tile"}, {Iota({2, 3}), I64s({0, 1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({0, 3}));
  out = RunOp({.op_type = "Tile"}, {Iota({}), I64s({})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Iota({}));
}

TEST(TileTest, Errors) {
  EXPECT_TRUE(ErrorContains(RunOp({.op_type = "Tile"}, {Iota({2, 3}), I64s({2})}).status(),
                            "'repeats'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Tile"}, {Iota({2, 3}), I64s({2, -1})}, false).status(), "'repeats'"));
}

TEST(TileInferTest, Symbolic) {
  auto t = InferOnly("Tile", 13, {Sym(DType::kFloat32, {S("N"), K(3)}), Const(I64s({1, 2}))});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*(*t)[0].shape, SS({S("N"), K(6)}));
  t = InferOnly("Tile", 13, {Sym(DType::kFloat32, {S("N"), K(3)}), Sym(DType::kInt64, {K(2)})});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*(*t)[0].shape, SS({U(), U()}));
}

// ---- Concat --------------------------------------------------------------------------------

TEST(ConcatTest, Axes) {
  auto out = RunOp({.op_type = "Concat", .opset = 13, .attrs = Attrs().Int("axis", 1)},
                   {Iota({2, 2}), Iota({2, 1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Ints({2, 3}, {0, 1, 0, 2, 3, 1}));
  out = RunOp({.op_type = "Concat", .opset = 11, .attrs = Attrs().Int("axis", -2)},
              {Iota({1, 2}), Iota({2, 2}), Iota({0, 2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Ints({3, 2}, {0, 1, 0, 1, 2, 3}));
  out = RunOp({.op_type = "Concat", .opset = 4, .attrs = Attrs().Int("axis", 0)},
              {Strings({1}, {"x"}), Strings({2}, {"y", "z"})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Strings({3}, {"x", "y", "z"}));
  out = RunOp({.op_type = "Concat", .attrs = Attrs().Int("axis", 0)}, {I64s({}), I64s({})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], I64s({}));
}

TEST(ConcatTest, Errors) {
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Concat", .attrs = Attrs().Int("axis", 0)}, {Iota({2, 2}), Iota({2, 1})})
          .status(),
      "input 1"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Concat", .attrs = Attrs().Int("axis", 0)},
            {Iota({2, 2}), Iota({2, 1})}, false)
          .status(),
      "input 1"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Concat", .attrs = Attrs().Int("axis", 2)}, {Iota({2, 2}), Iota({2, 2})})
          .status(),
      "'axis'"));
  EXPECT_TRUE(ErrorContains(RunOp({.op_type = "Concat"}, {Iota({2}), Iota({2})}).status(),
                            "'axis'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Concat", .attrs = Attrs().Int("axis", 0)}, {Iota({2}), I64s({2, 3})})
          .status(),
      "dtype"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Concat", .attrs = Attrs().Int("axis", 0)}, {Iota({}), Iota({})})
          .status(),
      "rank"));
}

TEST(ConcatInferTest, SymbolicBatchAndSums) {
  auto t = InferOnly("Concat", 13,
                     {Sym(DType::kFloat32, {S("N"), K(2)}), Sym(DType::kFloat32, {U(), K(3)})},
                     Attrs().Int("axis", 1));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*(*t)[0].shape, SS({S("N"), K(5)}));
  t = InferOnly("Concat", 13,
                {Sym(DType::kFloat32, {S("N"), K(2)}), Sym(DType::kFloat32, {K(1), K(2)})},
                Attrs().Int("axis", 0));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*(*t)[0].shape, SS({U(), K(2)}));
  // A typical shape computation: Concat of int64 vectors of known lengths.
  t = InferOnly("Concat", 13, {Sym(DType::kInt64, {K(1)}), Const(I64s({-1, 4}))},
                Attrs().Int("axis", 0));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*(*t)[0].shape, SS({K(3)}));
}

// ---- Split ---------------------------------------------------------------------------------

TEST(SplitTest, EqualDefault) {
  for (int opset : {2, 11, 13, 18}) {
    auto out = RunOp({.op_type = "Split", .opset = opset, .num_outputs = 3}, {Iota({6})});
    ASSERT_TRUE(out.ok()) << opset << ": " << out.status().ToString();
    EXPECT_TENSOR_EQ((*out)[0], Ints({2}, {0, 1}));
    EXPECT_TENSOR_EQ((*out)[1], Ints({2}, {2, 3}));
    EXPECT_TENSOR_EQ((*out)[2], Ints({2}, {4, 5}));
  }
}

TEST(SplitTest, AttributeBefore13InputAfter) {
  auto out = RunOp({.op_type = "Split",
                    .opset = 11,
                    .attrs = Attrs().Int("axis", 1).Ints("split", {1, 2}),
                    .num_outputs = 2},
                   {Iota({2, 3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Ints({2, 1}, {0, 3}));
  EXPECT_TENSOR_EQ((*out)[1], Ints({2, 2}, {1, 2, 4, 5}));
  out = RunOp({.op_type = "Split", .opset = 13, .attrs = Attrs().Int("axis", -1), .num_outputs = 3},
              {Iota({2, 3}), I64s({0, 3, 0})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({2, 0}));
  EXPECT_TENSOR_EQ((*out)[1], Iota({2, 3}));
  EXPECT_EQ((*out)[2].shape(), Shape({2, 0}));
}

TEST(SplitTest, EmptySplitMeansEqualParts) {
  auto out = RunOp({.op_type = "Split", .opset = 13, .num_outputs = 2}, {Iota({4}), I64s({})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Ints({2}, {0, 1}));
  EXPECT_TENSOR_EQ((*out)[1], Ints({2}, {2, 3}));
}

TEST(SplitTest, NumOutputsUnevenLastChunk) {
  auto out = RunOp({.op_type = "Split",
                    .opset = 18,
                    .attrs = Attrs().Int("num_outputs", 3),
                    .num_outputs = 3},
                   {Strings({7}, {"a", "b", "c", "d", "e", "f", "g"})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], Strings({3}, {"a", "b", "c"}));
  EXPECT_TENSOR_EQ((*out)[1], Strings({3}, {"d", "e", "f"}));
  EXPECT_TENSOR_EQ((*out)[2], Strings({1}, {"g"}));
}

TEST(SplitTest, Errors) {
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Split", .opset = 13, .num_outputs = 2}, {Iota({5}), I64s({2, 2})})
          .status(),
      "'split'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Split", .opset = 13, .num_outputs = 2}, {Iota({5}), I64s({2, 2})},
            false)
          .status(),
      "'split'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Split", .opset = 13, .num_outputs = 2}, {Iota({5}), I64s({6, -1})})
          .status(),
      "negative"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Split", .opset = 13, .num_outputs = 2}, {Iota({5})}).status(),
      "evenly"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Split",
             .opset = 18,
             .attrs = Attrs().Int("num_outputs", 3),
             .num_outputs = 2},
            {Iota({6})})
          .status(),
      "'num_outputs'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Split", .opset = 13, .attrs = Attrs().Int("axis", 3), .num_outputs = 2},
            {Iota({6})})
          .status(),
      "'axis'"));
  EXPECT_TRUE(ErrorContains(
      RunOp({.op_type = "Split",
             .opset = 11,
             .attrs = Attrs().Ints("split", {1, 2, 3}),
             .num_outputs = 2},
            {Iota({6})})
          .status(),
      "'split'"));
}

TEST(SplitInferTest, Symbolic) {
  auto t = InferOnly("Split", 13, {Sym(DType::kFloat32, {S("N"), K(6)})}, Attrs().Int("axis", 1),
                     2);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*(*t)[0].shape, SS({S("N"), K(3)}));
  EXPECT_EQ(*(*t)[1].shape, SS({S("N"), K(3)}));
  t = InferOnly("Split", 13, {Sym(DType::kFloat32, {S("N"), K(6)}), Const(I64s({1, 1}))},
                Attrs().Int("axis", 0), 2);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*(*t)[1].shape, SS({K(1), K(6)}));
  t = InferOnly("Split", 13, {Sym(DType::kFloat32, {S("N"), K(6)})}, Attrs().Int("axis", 0), 2);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*(*t)[0].shape, SS({U(), K(6)}));
}

}  // namespace
}  // namespace brisk
