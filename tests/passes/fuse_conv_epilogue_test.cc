// FuseConvAdd + FuseConvActivation: Conv [+ residual Add] [+ activation] -> FusedConv.
#include <gtest/gtest.h>

#include "kernels/activation.h"
#include "passes/pass_test_util.h"

namespace brisk::testing {
namespace {

constexpr int kFloat = onnx::TensorProto::FLOAT;

// x[1,3,6,5] -> Conv(W[4,3,3,3], B, pads 1) -> c[1,4,6,5]
ModelBuilder ConvModel(int64_t opset = 17) {
  ModelBuilder b(opset);
  b.Input("x", kFloat, {1, 3, 6, 5});
  b.Initializer("w", RandomFloat(Shape{4, 3, 3, 3}, 1));
  b.Initializer("b", RandomFloat(Shape{4}, 2));
  auto& conv = b.Node("Conv", {"x", "w", "b"}, {"c"}, "conv1");
  AddIntsAttr(conv, "pads", {1, 1, 1, 1});
  return b;
}

std::string ActivationOf(const ir::Node& node) {
  auto act = Activation::FromAttributes(node.attrs);
  if (!act.ok()) return "error: " + act.status().ToString();
  std::string s = act->name();
  for (float p : act->params) s += " " + std::to_string(p);
  return s;
}

struct ActivationCase {
  std::string op;
  int64_t opset;
  std::string expected;  // ActivationOf the fused node
};

class FuseConvActivationTest : public ::testing::TestWithParam<ActivationCase> {};

TEST_P(FuseConvActivationTest, FusesAndKeepsOutputs) {
  const ActivationCase& c = GetParam();
  ModelBuilder b = ConvModel(c.opset);
  std::vector<std::string> inputs = {"c"};
  if (c.op == "Clip" && c.opset >= 11) {
    b.Initializer("lo", Tensor::Scalar<float>(-0.5f));
    b.Initializer("hi", Tensor::Scalar<float>(0.75f));
    inputs = {"c", "lo", "hi"};
  }
  auto& act = b.Node(c.op, inputs, {"y"}, "act1");
  if (c.op == "LeakyRelu") AddFloatAttr(act, "alpha", 0.2f);
  if (c.op == "Clip" && c.opset < 11) {
    AddFloatAttr(act, "min", -0.5f);
    AddFloatAttr(act, "max", 0.75f);
  }
  if (c.op == "Gelu" && c.expected == "GeluTanh") AddStringAttr(act, "approximate", "tanh");
  b.Output("y", kFloat);
  const std::string bytes = b.Serialize();
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(bytes, OptimizationLevel::kExtended));
  ASSERT_EQ(OpList(opt.graph()), "FusedConv");
  const ir::Node* fused = FindOp(opt.graph(), "FusedConv");
  EXPECT_EQ(fused->name, "conv1+act1");
  EXPECT_EQ(ActivationOf(*fused), c.expected);
  EXPECT_EQ(fused->outputs[0]->name(), "y");
  ExpectSameOutputs(bytes, OptimizationLevel::kExtended);
  // kBasic keeps plain ONNX.
  ASSERT_OK_AND_ASSIGN(auto basic, OptimizeBytes(bytes, OptimizationLevel::kBasic));
  EXPECT_EQ(CountOps(basic.graph(), "FusedConv"), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Activations, FuseConvActivationTest,
    ::testing::Values(ActivationCase{"Relu", 17, "Relu"},
                      ActivationCase{"LeakyRelu", 17, "LeakyRelu 0.200000"},
                      ActivationCase{"Clip", 17, "Clip -0.500000 0.750000"},
                      ActivationCase{"Clip", 6, "Clip -0.500000 0.750000"},
                      ActivationCase{"Sigmoid", 17, "Sigmoid"}, ActivationCase{"Tanh", 17, "Tanh"},
                      ActivationCase{"HardSigmoid", 17, "HardSigmoid 0.200000 0.500000"},
                      ActivationCase{"HardSwish", 17, "HardSwish"},
                      ActivationCase{"Gelu", 20, "Gelu"}, ActivationCase{"Gelu", 20, "GeluTanh"}),
    [](const auto& info) {
      return info.param.op + std::to_string(info.param.opset) + "_" + std::to_string(info.index);
    });

TEST(FuseConvEpilogueTest, SiluPattern) {
  for (int order = 0; order < 2; ++order) {
    ModelBuilder b = ConvModel();
    b.Node("Sigmoid", {"c"}, {"s"}, "sig");
    const std::vector<std::string> in = order == 0 ? std::vector<std::string>{"c", "s"}
                                                   : std::vector<std::string>{"s", "c"};
    b.Node("Mul", in, {"y"}, "mul");
    b.Output("y", kFloat);
    ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kExtended));
    ASSERT_EQ(OpList(opt.graph()), "FusedConv");
    EXPECT_EQ(ActivationOf(*FindOp(opt.graph(), "FusedConv")), "Silu");
    ExpectSameOutputs(b.Serialize(), OptimizationLevel::kExtended);
  }
}

TEST(FuseConvEpilogueTest, SigmoidAlsoUsedElsewhereIsNotSilu) {
  ModelBuilder b = ConvModel();
  b.Node("Sigmoid", {"c"}, {"s"}, "sig");
  b.Node("Mul", {"c", "s"}, {"y"}, "mul");
  b.Output("y", kFloat).Output("s", kFloat);
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kExtended));
  EXPECT_EQ(OpList(opt.graph()), "Conv,Sigmoid,Mul");
  ExpectSameOutputs(b.Serialize(), OptimizationLevel::kExtended);
}

TEST(FuseConvEpilogueTest, ResidualAddThenRelu) {
  for (int order = 0; order < 2; ++order) {
    ModelBuilder b = ConvModel();
    b.Input("r", kFloat, {1, 4, 6, 5});
    const std::vector<std::string> in = order == 0 ? std::vector<std::string>{"c", "r"}
                                                   : std::vector<std::string>{"r", "c"};
    b.Node("Add", in, {"s"}, "add1");
    b.Node("Relu", {"s"}, {"y"}, "relu1");
    b.Output("y", kFloat);
    ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kExtended));
    ASSERT_EQ(OpList(opt.graph()), "FusedConv");
    const ir::Node* fused = FindOp(opt.graph(), "FusedConv");
    EXPECT_EQ(fused->name, "conv1+add1+relu1");
    ASSERT_EQ(fused->num_inputs(), 4);
    EXPECT_EQ(fused->inputs[3]->name(), "r");
    EXPECT_EQ(ActivationOf(*fused), "Relu");
    EXPECT_EQ(Rewrites(opt.report, "FuseConvAdd"), 1);
    EXPECT_EQ(Rewrites(opt.report, "FuseConvActivation"), 1);
    ExpectSameOutputs(b.Serialize(), OptimizationLevel::kExtended);
  }
}

TEST(FuseConvEpilogueTest, ResidualFromAnotherConv) {
  // ResNet's downsample block: Add(conv_a(x), conv_b(x)) fuses one of them.
  ModelBuilder b = ConvModel();
  b.Initializer("w2", RandomFloat(Shape{4, 3, 1, 1}, 5));
  b.Node("Conv", {"x", "w2"}, {"d"}, "down");
  b.Node("Add", {"c", "d"}, {"s"}, "add");
  b.Node("Relu", {"s"}, {"y"}, "relu");
  b.Output("y", kFloat);
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kExtended));
  EXPECT_EQ(CountOps(opt.graph(), "FusedConv"), 1);
  EXPECT_EQ(CountOps(opt.graph(), "Conv"), 1);
  EXPECT_EQ(opt.graph().nodes().size(), 2u);
  ExpectSameOutputs(b.Serialize(), OptimizationLevel::kExtended);
}

TEST(FuseConvEpilogueTest, BroadcastingAddIsNotAResidual) {
  ModelBuilder b = ConvModel();
  b.Input("r", kFloat, {1, 4, 1, 1});
  b.Node("Add", {"c", "r"}, {"y"}, "add");
  b.Output("y", kFloat);
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kExtended));
  EXPECT_EQ(OpList(opt.graph()), "Conv,Add");
  ExpectSameOutputs(b.Serialize(), OptimizationLevel::kExtended);
}

TEST(FuseConvEpilogueTest, AddAfterActivationIsNotFusedAsSum) {
  // act(conv) + r is not act(conv + r).
  ModelBuilder b = ConvModel();
  b.Input("r", kFloat, {1, 4, 6, 5});
  b.Node("Relu", {"c"}, {"a"}, "relu");
  b.Node("Add", {"a", "r"}, {"y"}, "add");
  b.Output("y", kFloat);
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kExtended));
  EXPECT_EQ(OpList(opt.graph()), "FusedConv,Add");
  ExpectSameOutputs(b.Serialize(), OptimizationLevel::kExtended);
}

TEST(FuseConvEpilogueTest, GraphOutputInTheMiddleIsKept) {
  ModelBuilder b = ConvModel();
  b.Node("Relu", {"c"}, {"y"}, "relu");
  b.Output("c", kFloat).Output("y", kFloat);
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kExtended));
  EXPECT_EQ(OpList(opt.graph()), "Conv,Relu");
}

TEST(FuseConvEpilogueTest, TwoConsumersAreKept) {
  ModelBuilder b = ConvModel();
  b.Node("Relu", {"c"}, {"y"}, "relu");
  b.Node("Tanh", {"c"}, {"z"}, "tanh");
  b.Output("y", kFloat).Output("z", kFloat);
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kExtended));
  EXPECT_EQ(OpList(opt.graph()), "Conv,Relu,Tanh");
}

TEST(FuseConvEpilogueTest, NonConstantClipBoundIsKept) {
  ModelBuilder b = ConvModel();
  b.Input("lo", kFloat, {});
  b.Node("Clip", {"c", "lo"}, {"y"}, "clip");
  b.Output("y", kFloat);
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kExtended));
  EXPECT_EQ(OpList(opt.graph()), "Conv,Clip");
}

TEST(FuseConvEpilogueTest, BatchNormThenRelu) {
  ModelBuilder b = ConvModel();
  b.Initializer("scale", RandomFloat(Shape{4}, 3, 0.5f, 1.5f));
  b.Initializer("bias", RandomFloat(Shape{4}, 4));
  b.Initializer("mean", RandomFloat(Shape{4}, 5));
  b.Initializer("var", RandomFloat(Shape{4}, 6, 0.5f, 1.5f));
  b.Node("BatchNormalization", {"c", "scale", "bias", "mean", "var"}, {"n"}, "bn");
  b.Node("Relu", {"n"}, {"y"}, "relu");
  b.Output("y", kFloat);
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kExtended));
  ASSERT_EQ(OpList(opt.graph()), "FusedConv");
  EXPECT_EQ(FindOp(opt.graph(), "FusedConv")->name, "conv1+bn+relu");
  ExpectSameOutputs(b.Serialize(), OptimizationLevel::kExtended);
}

}  // namespace
}  // namespace brisk::testing
