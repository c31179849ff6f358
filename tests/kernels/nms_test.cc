#include <string>
#include <vector>

#include "kernels/op_runner.h"
#include "linalg_norm_test_util.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using testing::Attrs;
using testing::ErrorContains;
using testing::InferOnly;
using testing::MakeTensor;
using testing::SpecType;

constexpr char kNms[] = "NonMaxSuppression";

// Six boxes of the ONNX example: three overlapping near the origin, two near y=10, one at y=100.
Tensor Boxes() {
  return MakeTensor<float>({1, 6, 4}, {0, 0, 1, 1, 0, 0.1f, 1, 1.1f, 0, -0.1f, 1, 0.9f,
                                       0, 10, 1, 11, 0, 10.1f, 1, 11.1f, 0, 100, 1, 101});
}
Tensor Scores() { return MakeTensor<float>({1, 1, 6}, {0.9f, 0.75f, 0.6f, 0.95f, 0.5f, 0.3f}); }

StatusOr<Tensor> Nms(std::vector<std::optional<Tensor>> in, int64_t center = 0) {
  auto r = RunOp({.op_type = kNms, .opset = 11, .attrs = Attrs().Int("center_point_box", center)},
                 std::move(in));
  if (!r.ok()) return r.status();
  return (*r)[0];
}

Tensor I64(int64_t v) { return MakeTensor<int64_t>({1}, {v}); }
Tensor F32(float v) { return MakeTensor<float>({1}, {v}); }

TEST(NmsTest, SuppressByIou) {
  auto y = Nms({Boxes(), Scores(), I64(3), F32(0.5f), F32(0.f)});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<int64_t>({3, 3}, {0, 0, 3, 0, 0, 0, 0, 0, 5}));
}

TEST(NmsTest, ScoreThresholdAndLimit) {
  auto y = Nms({Boxes(), Scores(), I64(3), F32(0.5f), F32(0.4f)});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<int64_t>({2, 3}, {0, 0, 3, 0, 0, 0}));
  y = Nms({Boxes(), Scores(), I64(2), F32(0.5f), F32(0.f)});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<int64_t>({2, 3}, {0, 0, 3, 0, 0, 0}));
}

TEST(NmsTest, CenterPointBoxAndFlippedCorners) {
  Tensor c = MakeTensor<float>({1, 6, 4}, {0.5f, 0.5f,  1, 1, 0.5f, 0.6f,  1, 1,
                                           0.5f, 0.4f,  1, 1, 0.5f, 10.5f, 1, 1,
                                           0.5f, 10.6f, 1, 1, 0.5f, 100.5f, 1, 1});
  auto y = Nms({c, Scores(), I64(3), F32(0.5f), F32(0.f)}, 1);
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<int64_t>({3, 3}, {0, 0, 3, 0, 0, 0, 0, 0, 5}));
  Tensor f = MakeTensor<float>({1, 6, 4}, {1, 1, 0, 0, 0, 0.1f, 1, 1.1f, 0, 0.9f, 1, -0.1f,
                                           0, 10, 1, 11, 1, 10.1f, 0, 11.1f, 1, 101, 0, 100});
  y = Nms({f, Scores(), I64(3), F32(0.5f), F32(0.f)});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<int64_t>({3, 3}, {0, 0, 3, 0, 0, 0, 0, 0, 5}));
}

TEST(NmsTest, BatchesClassesAndTies) {
  Tensor b = MakeTensor<float>({2, 2, 4}, {0, 0, 1, 1, 5, 5, 6, 6, 0, 0, 1, 1, 0, 0, 1, 1});
  Tensor s = MakeTensor<float>({2, 2, 2}, {0.5f, 0.5f, 0.1f, 0.7f, 0.3f, 0.3f, 0.9f, 0.8f});
  auto y = Nms({b, s, I64(5), F32(0.5f)});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  // batch 0: disjoint boxes, equal scores -> lower index first; batch 1: identical boxes.
  EXPECT_TENSOR_EQ(*y, MakeTensor<int64_t>({6, 3}, {0, 0, 0, 0, 0, 1, 0, 1, 1, 0, 1, 0,
                                                     1, 0, 0, 1, 1, 0}));
}

TEST(NmsTest, OptionalInputsAbsentOrZero) {
  auto y = Nms({Boxes(), Scores()});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ(y->shape(), Shape({0, 3}));
  y = Nms({Boxes(), Scores(), I64(0)});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ(y->shape(), Shape({0, 3}));
  // iou_threshold 0 (default): any overlap suppresses.
  y = Nms({Boxes(), Scores(), I64(10)});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<int64_t>({3, 3}, {0, 0, 3, 0, 0, 0, 0, 0, 5}));
  y = Nms({*Tensor::Allocate(DType::kFloat32, {0, 0, 4}),
           *Tensor::Allocate(DType::kFloat32, {0, 3, 0}), I64(4)});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ(y->shape(), Shape({0, 3}));
}

TEST(NmsTest, BadInputsAreErrors) {
  auto y = Nms({MakeTensor<float>({1, 2, 3}, {0, 0, 1, 0, 0, 1}),
                MakeTensor<float>({1, 1, 2}, {1, 1}), I64(1)});
  EXPECT_TRUE(ErrorContains(y.status(), "'boxes'")) << y.status().ToString();
  y = Nms({Boxes(), MakeTensor<float>({1, 1, 5}, {1, 1, 1, 1, 1}), I64(1)});
  EXPECT_TRUE(ErrorContains(y.status(), "'scores'")) << y.status().ToString();
  y = Nms({Boxes(), Scores(), I64(1), F32(1.5f)});
  EXPECT_TRUE(ErrorContains(y.status(), "'iou_threshold'")) << y.status().ToString();
  y = Nms({Boxes(), Scores(), MakeTensor<int64_t>({2}, {1, 2})});
  EXPECT_TRUE(ErrorContains(y.status(), "'max_output_boxes_per_class'")) << y.status().ToString();
  y = Nms({Boxes(), Scores()}, 2);
  EXPECT_TRUE(ErrorContains(y.status(), "center_point_box")) << y.status().ToString();
}

TEST(NmsInferenceTest, OutputType) {
  auto t = InferOnly(kNms, 11, {},
                     {SpecType(DType::kFloat32, {"B", "S", "4"}),
                      SpecType(DType::kFloat32, {"B", "C", "S"})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].dtype, DType::kInt64);
  EXPECT_EQ((*t)[0].shape->ToString(), "[?, 3]");
  t = InferOnly(kNms, 11, {},
                {SpecType(DType::kFloat32, {"1", "6", "4"}), SpecType(DType::kFloat32, {"1", "2", "5"})});
  EXPECT_TRUE(ErrorContains(t.status(), "'scores'")) << t.status().ToString();
}

}  // namespace
}  // namespace brisk
