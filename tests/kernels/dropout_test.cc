#include <vector>

#include "kernels/op_runner.h"
#include "linalg_norm_test_util.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using testing::Attrs;
using testing::CastTo;
using testing::ErrorContains;
using testing::InferOnly;
using testing::MakeBoolTensor;
using testing::MakeTensor;
using testing::RandomFloat;
using testing::SpecType;

TEST(DropoutTest, InferenceIsIdentityWithTrueMask) {
  Tensor x = RandomFloat({2, 3}, 1);
  for (int opset : {10, 12, 13}) {
    auto y = RunOp({.op_type = "Dropout", .opset = opset, .num_outputs = 2}, {x});
    ASSERT_TRUE(y.ok()) << y.status().ToString();
    EXPECT_TENSOR_EQ((*y)[0], x);
    EXPECT_TENSOR_EQ((*y)[1], MakeBoolTensor({2, 3}, {1, 1, 1, 1, 1, 1}));
  }
}

TEST(DropoutTest, Opset7MaskHasInputDtype) {
  Tensor x = RandomFloat({3}, 1);
  auto y = RunOp({.op_type = "Dropout", .opset = 7, .attrs = Attrs().Float("ratio", 0.3f),
                  .num_outputs = 2},
                 {x});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ((*y)[0], x);
  EXPECT_TENSOR_EQ((*y)[1], MakeTensor<float>({3}, {1, 1, 1}));
}

TEST(DropoutTest, OnlyOutputRequested) {
  Tensor x = CastTo(RandomFloat({4, 1}, 2), DType::kFloat16);
  auto y = RunOp({.op_type = "Dropout", .opset = 13}, {x, MakeTensor<float>({}, {0.2f})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ((*y)[0], x);
}

TEST(DropoutTest, TrainingModeFalseInput) {
  Tensor x = RandomFloat({5}, 3);
  auto y = RunOp({.op_type = "Dropout", .opset = 13, .num_outputs = 2},
                 {x, MakeTensor<double>({}, {0.7}), MakeBoolTensor({}, {0})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ((*y)[0], x);
}

TEST(DropoutTest, TrainingZeroRatioIsIdentity) {
  Tensor x = RandomFloat({5}, 3);
  auto y = RunOp({.op_type = "Dropout", .opset = 13, .num_outputs = 2},
                 {x, MakeTensor<float>({}, {0.f}), MakeBoolTensor({}, {1})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ((*y)[0], x);
  EXPECT_TENSOR_EQ((*y)[1], MakeBoolTensor({5}, {1, 1, 1, 1, 1}));
}

TEST(DropoutTest, TrainingDropsAndScales) {
  Tensor x = RandomFloat({1000}, 4, 1.f, 2.f);
  auto y = RunOp({.op_type = "Dropout", .opset = 13, .attrs = Attrs().Int("seed", 3),
                  .num_outputs = 2},
                 {x, MakeTensor<float>({}, {0.25f}), MakeBoolTensor({}, {1})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  int kept = 0;
  for (int i = 0; i < 1000; ++i) {
    const bool k = (*y)[1].data<bool>()[i];
    kept += k;
    const float expect = k ? x.data<float>()[i] / 0.75f : 0.f;
    EXPECT_NEAR((*y)[0].data<float>()[i], expect, 1e-5);
  }
  EXPECT_GT(kept, 650);
  EXPECT_LT(kept, 850);
}

TEST(DropoutTest, EmptyInput) {
  Tensor x = RandomFloat({0, 3}, 1);
  auto y = RunOp({.op_type = "Dropout", .opset = 13, .num_outputs = 2}, {x});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ((*y)[1].shape(), Shape({0, 3}));
}

TEST(DropoutTest, BadRatioIsAnError) {
  auto y = RunOp({.op_type = "Dropout", .opset = 13},
                 {RandomFloat({2}, 1), MakeTensor<float>({}, {1.5f}), MakeBoolTensor({}, {1})});
  EXPECT_TRUE(ErrorContains(y.status(), "input 1 'ratio'")) << y.status().ToString();
  y = RunOp({.op_type = "Dropout", .opset = 7, .attrs = Attrs().Float("ratio", -1)},
            {RandomFloat({2}, 1)});
  EXPECT_TRUE(ErrorContains(y.status(), "ratio")) << y.status().ToString();
  y = RunOp({.op_type = "Dropout", .opset = 13},
            {RandomFloat({2}, 1), MakeTensor<float>({}, {0.5f}), MakeTensor<float>({}, {1})});
  EXPECT_TRUE(ErrorContains(y.status(), "training_mode")) << y.status().ToString();
}

TEST(DropoutInferenceTest, SymbolicShapes) {
  auto t = InferOnly("Dropout", 13, {}, {SpecType(DType::kFloat32, {"N", "128"})}, 2);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[N, 128]");
  EXPECT_EQ((*t)[1].shape->ToString(), "[N, 128]");
  EXPECT_EQ((*t)[1].dtype, DType::kBool);
}

}  // namespace
}  // namespace brisk
