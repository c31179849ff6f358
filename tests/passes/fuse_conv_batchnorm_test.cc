// FuseConvBatchNorm: BatchNormalization folded into Conv / Gemm / MatMul weights.
#include <gtest/gtest.h>

#include "passes/pass_test_util.h"

namespace brisk::testing {
namespace {

constexpr int kFloat = onnx::TensorProto::FLOAT;

void AddBatchNormParams(ModelBuilder& b, const std::string& prefix, int64_t c, uint64_t seed) {
  b.Initializer(prefix + "scale", RandomFloat(Shape{c}, seed, 0.5f, 1.5f));
  b.Initializer(prefix + "bias", RandomFloat(Shape{c}, seed + 1));
  b.Initializer(prefix + "mean", RandomFloat(Shape{c}, seed + 2));
  b.Initializer(prefix + "var", RandomFloat(Shape{c}, seed + 3, 0.1f, 2.f));
}

// X[2,3,7,9] -> Conv(W[4,3,3,3], B?) -> BatchNormalization -> Y (+ optional extra consumer).
std::string ConvBnModel(bool with_bias, bool extra_consumer = false, bool const_weights = true,
                        int64_t training_mode = 0, int64_t group = 1) {
  ModelBuilder b(15);
  b.Input("x", kFloat, {2, 4, 7, 9});
  if (const_weights) {
    b.Initializer("w", RandomFloat(Shape{6, 4 / group, 3, 3}, 1));
  } else {
    b.Input("w", kFloat, {6, 4 / group, 3, 3});
  }
  std::vector<std::string> conv_in = {"x", "w"};
  if (with_bias) {
    b.Initializer("cb", RandomFloat(Shape{6}, 2));
    conv_in.push_back("cb");
  }
  auto& conv = b.Node("Conv", conv_in, {"c"}, "conv1");
  AddIntsAttr(conv, "pads", {1, 0, 1, 2});
  AddIntAttr(conv, "group", group);
  AddBatchNormParams(b, "bn_", 6, 10);
  auto& bn = b.Node("BatchNormalization", {"c", "bn_scale", "bn_bias", "bn_mean", "bn_var"}, {"y"},
                    "bn1");
  AddFloatAttr(bn, "epsilon", 1e-3f);
  if (training_mode != 0) AddIntAttr(bn, "training_mode", training_mode);
  b.Output("y", kFloat);
  if (extra_consumer) {
    b.Node("Relu", {"c"}, {"r"}, "relu");
    b.Output("r", kFloat);
  }
  return b.Serialize();
}

TEST(FuseConvBatchNormTest, FoldsIntoConvWithBias) {
  const std::string bytes = ConvBnModel(/*with_bias=*/true);
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(bytes, OptimizationLevel::kBasic));
  EXPECT_EQ(OpList(opt.graph()), "Conv");
  EXPECT_EQ(Rewrites(opt.report, "FuseConvBatchNorm"), 1);
  EXPECT_EQ(FindOp(opt.graph(), "Conv")->name, "conv1+bn1");
  EXPECT_EQ(opt.graph().outputs()[0]->name(), "y");
  // The BatchNormalization parameters and the old weights are no longer initializers.
  EXPECT_EQ(opt.graph().Initializers().size(), 2u);
  ExpectSameOutputs(bytes, OptimizationLevel::kBasic);
}

TEST(FuseConvBatchNormTest, FoldsIntoConvWithoutBiasAndGroups) {
  const std::string bytes = ConvBnModel(/*with_bias=*/false, false, true, 0, /*group=*/2);
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(bytes, OptimizationLevel::kBasic));
  EXPECT_EQ(OpList(opt.graph()), "Conv");
  EXPECT_EQ(FindOp(opt.graph(), "Conv")->num_inputs(), 3);
  ExpectSameOutputs(bytes, OptimizationLevel::kBasic);
  ExpectSameOutputs(bytes, OptimizationLevel::kExtended);
}

TEST(FuseConvBatchNormTest, ConvOutputWithTwoConsumersIsKept) {
  const std::string bytes = ConvBnModel(true, /*extra_consumer=*/true);
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(bytes, OptimizationLevel::kBasic));
  EXPECT_EQ(CountOps(opt.graph(), "BatchNormalization"), 1);
  EXPECT_EQ(Rewrites(opt.report, "FuseConvBatchNorm"), 0);
  ExpectSameOutputs(bytes, OptimizationLevel::kExtended);
}

TEST(FuseConvBatchNormTest, NonConstantWeightsAreKept) {
  const std::string bytes = ConvBnModel(true, false, /*const_weights=*/false);
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(bytes, OptimizationLevel::kExtended));
  EXPECT_EQ(CountOps(opt.graph(), "BatchNormalization"), 1);
  EXPECT_EQ(CountOps(opt.graph(), "Conv"), 1);
}

TEST(FuseConvBatchNormTest, TrainingModeIsKept) {
  // training_mode=1 computes batch statistics: not a fixed affine map.
  const std::string bytes = ConvBnModel(true, false, true, /*training_mode=*/1);
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(bytes, OptimizationLevel::kBasic));
  EXPECT_EQ(CountOps(opt.graph(), "BatchNormalization"), 1);
}

TEST(FuseConvBatchNormTest, ConvOutputThatIsAGraphOutputIsKept) {
  ModelBuilder b(15);
  b.Input("x", kFloat, {1, 2, 5, 5});
  b.Initializer("w", RandomFloat(Shape{3, 2, 1, 1}, 1));
  b.Node("Conv", {"x", "w"}, {"c"}, "conv");
  AddBatchNormParams(b, "", 3, 4);
  b.Node("BatchNormalization", {"c", "scale", "bias", "mean", "var"}, {"y"}, "bn");
  b.Output("c", kFloat).Output("y", kFloat);
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kExtended));
  EXPECT_EQ(CountOps(opt.graph(), "BatchNormalization"), 1);
  ExpectSameOutputs(b.Serialize(), OptimizationLevel::kExtended);
}

TEST(FuseConvBatchNormTest, FoldsIntoGemmBothLayouts) {
  for (int64_t trans_b : {0, 1}) {
    SCOPED_TRACE("transB=" + std::to_string(trans_b));
    ModelBuilder b(15);
    b.Input("a", kFloat, {3, 5});
    b.Initializer("w", RandomFloat(trans_b ? Shape{7, 5} : Shape{5, 7}, 1));
    b.Initializer("c", RandomFloat(Shape{7}, 2));
    auto& gemm = b.Node("Gemm", {"a", "w", "c"}, {"g"}, "fc");
    AddIntAttr(gemm, "transB", trans_b);
    AddFloatAttr(gemm, "alpha", 0.5f);
    AddFloatAttr(gemm, "beta", 2.f);
    AddBatchNormParams(b, "", 7, 3);
    b.Node("BatchNormalization", {"g", "scale", "bias", "mean", "var"}, {"y"}, "bn");
    b.Output("y", kFloat);
    ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kBasic));
    EXPECT_EQ(OpList(opt.graph()), "Gemm");
    ExpectSameOutputs(b.Serialize(), OptimizationLevel::kBasic);
  }
}

TEST(FuseConvBatchNormTest, FoldsIntoMatMulAsBiasAdd) {
  ModelBuilder b(15);
  b.Input("a", kFloat, {4, 6});
  b.Initializer("w", RandomFloat(Shape{6, 5}, 1));
  b.Node("MatMul", {"a", "w"}, {"m"}, "mm");
  AddBatchNormParams(b, "", 5, 3);
  b.Node("BatchNormalization", {"m", "scale", "bias", "mean", "var"}, {"y"}, "bn");
  b.Output("y", kFloat);
  ASSERT_OK_AND_ASSIGN(auto basic, OptimizeBytes(b.Serialize(), OptimizationLevel::kBasic));
  EXPECT_EQ(OpList(basic.graph()), "MatMul,Add");
  ASSERT_OK_AND_ASSIGN(auto ext, OptimizeBytes(b.Serialize(), OptimizationLevel::kExtended));
  EXPECT_EQ(OpList(ext.graph()), "FusedMatMul");
  ExpectSameOutputs(b.Serialize(), OptimizationLevel::kBasic);
  ExpectSameOutputs(b.Serialize(), OptimizationLevel::kExtended);
}

TEST(FuseConvBatchNormTest, MatMulWith3DOutputIsKept) {
  // BatchNormalization's channel dim is 1 (rows here), not the weight's output column.
  ModelBuilder b(15);
  b.Input("a", kFloat, {2, 5, 6});
  b.Initializer("w", RandomFloat(Shape{6, 5}, 1));
  b.Node("MatMul", {"a", "w"}, {"m"}, "mm");
  AddBatchNormParams(b, "", 5, 3);
  b.Node("BatchNormalization", {"m", "scale", "bias", "mean", "var"}, {"y"}, "bn");
  b.Output("y", kFloat);
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kBasic));
  EXPECT_EQ(CountOps(opt.graph(), "BatchNormalization"), 1);
  ExpectSameOutputs(b.Serialize(), OptimizationLevel::kExtended);
}

}  // namespace
}  // namespace brisk::testing
