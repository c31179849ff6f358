// FuseMatMulBias, FuseGemm, FuseMatMulAdd, FuseMatMulActivation -> FusedMatMul.
#include <gtest/gtest.h>

#include "kernels/activation.h"
#include "passes/pass_test_util.h"

namespace brisk::testing {
namespace {

constexpr int kFloat = onnx::TensorProto::FLOAT;

TEST(FuseMatMulTest, BiasResidualAndGelu) {
  // Transformer MLP: Gelu(x @ W + b) and a residual Add, 3-D activations.
  for (int bias_first = 0; bias_first < 2; ++bias_first) {
    ModelBuilder b(20);
    b.Input("x", kFloat, {2, 5, 8});
    b.Input("r", kFloat, {2, 5, 6});
    b.Initializer("w", RandomFloat(Shape{8, 6}, 1));
    b.Initializer("bias", RandomFloat(Shape{6}, 2));
    b.Node("MatMul", {"x", "w"}, {"m"}, "fc");
    b.Node("Add", bias_first ? std::vector<std::string>{"bias", "m"}
                             : std::vector<std::string>{"m", "bias"},
           {"mb"}, "fc_bias");
    b.Node("Add", {"r", "mb"}, {"s"}, "residual");
    b.Node("Gelu", {"s"}, {"y"}, "gelu");
    b.Output("y", kFloat);
    ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kExtended));
    ASSERT_EQ(OpList(opt.graph()), "FusedMatMul");
    const ir::Node* fused = FindOp(opt.graph(), "FusedMatMul");
    EXPECT_EQ(fused->name, "fc+fc_bias+residual+gelu");
    ASSERT_EQ(fused->num_inputs(), 4);
    EXPECT_EQ(fused->inputs[2]->name(), "bias");
    EXPECT_EQ(fused->inputs[3]->name(), "r");
    EXPECT_EQ(fused->attrs.Find("activation")->s, "Gelu");
    ExpectSameOutputs(b.Serialize(), OptimizationLevel::kExtended);
  }
}

TEST(FuseMatMulTest, RowBiasOfRank2IsFlattened) {
  ModelBuilder b(17);
  b.Input("x", kFloat, {3, 4});
  b.Initializer("w", RandomFloat(Shape{4, 5}, 1));
  b.Initializer("bias", RandomFloat(Shape{1, 5}, 2));
  b.Node("MatMul", {"x", "w"}, {"m"}, "fc");
  b.Node("Add", {"m", "bias"}, {"y"}, "add");
  b.Output("y", kFloat);
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kExtended));
  ASSERT_EQ(OpList(opt.graph()), "FusedMatMul");
  EXPECT_EQ(FindOp(opt.graph(), "FusedMatMul")->inputs[2]->type.ToString(), "float32[5]");
  ExpectSameOutputs(b.Serialize(), OptimizationLevel::kExtended);
}

TEST(FuseMatMulTest, NotFired) {
  // Per-row bias [3, 1] broadcasts over columns: not a bias over the last dim.
  {
    ModelBuilder b(17);
    b.Input("x", kFloat, {3, 4});
    b.Initializer("w", RandomFloat(Shape{4, 5}, 1));
    b.Initializer("bias", RandomFloat(Shape{3, 1}, 2));
    b.Node("MatMul", {"x", "w"}, {"m"}, "fc");
    b.Node("Add", {"m", "bias"}, {"y"}, "add");
    b.Output("y", kFloat);
    ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kExtended));
    EXPECT_EQ(OpList(opt.graph()), "MatMul,Add");
    ExpectSameOutputs(b.Serialize(), OptimizationLevel::kExtended);
  }
  // Non-constant weights (attention's Q @ K^T).
  {
    ModelBuilder b(17);
    b.Input("x", kFloat, {3, 4});
    b.Input("w", kFloat, {4, 5});
    b.Initializer("bias", RandomFloat(Shape{5}, 2));
    b.Node("MatMul", {"x", "w"}, {"m"}, "fc");
    b.Node("Add", {"m", "bias"}, {"a"}, "add");
    b.Node("Relu", {"a"}, {"y"}, "relu");
    b.Output("y", kFloat);
    ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kExtended));
    EXPECT_EQ(OpList(opt.graph()), "MatMul,Add,Relu");
  }
  // Product used twice.
  {
    ModelBuilder b(17);
    b.Input("x", kFloat, {3, 4});
    b.Initializer("w", RandomFloat(Shape{4, 5}, 1));
    b.Initializer("bias", RandomFloat(Shape{5}, 2));
    b.Node("MatMul", {"x", "w"}, {"m"}, "fc");
    b.Node("Add", {"m", "bias"}, {"y"}, "add");
    b.Node("Relu", {"m"}, {"z"}, "relu");
    b.Output("y", kFloat).Output("z", kFloat);
    ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kExtended));
    EXPECT_EQ(OpList(opt.graph()), "MatMul,Add,Relu");
  }
}

TEST(FuseMatMulTest, GemmVariants) {
  struct Case {
    int64_t trans_b;
    Shape c_shape;  // rank 0 = no C
    float beta;
    std::string expected;
  };
  const Case cases[] = {
      {1, Shape{6}, 1.f, "FusedMatMul"},     {0, Shape{1, 6}, 1.f, "FusedMatMul"},
      {0, Shape{}, 1.f, "FusedMatMul"},      {1, Shape{3, 6}, 1.f, "FusedMatMul"},
      {0, Shape{6}, 0.5f, "Gemm"},           {0, Shape{3, 1}, 1.f, "Gemm"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("transB=" + std::to_string(c.trans_b) + " C" + c.c_shape.ToString() +
                 " beta=" + std::to_string(c.beta));
    ModelBuilder b(17);
    b.Input("a", kFloat, {3, 4});
    b.Initializer("w", RandomFloat(c.trans_b ? Shape{6, 4} : Shape{4, 6}, 1));
    std::vector<std::string> in = {"a", "w"};
    if (c.c_shape.rank() > 0) {
      b.Initializer("c", RandomFloat(c.c_shape, 2));
      in.push_back("c");
    }
    auto& gemm = b.Node("Gemm", in, {"g"}, "fc");
    AddIntAttr(gemm, "transB", c.trans_b);
    AddFloatAttr(gemm, "beta", c.beta);
    b.Node("Relu", {"g"}, {"y"}, "relu");
    b.Output("y", kFloat);
    ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kExtended));
    EXPECT_EQ(CountOps(opt.graph(), c.expected), 1) << OpList(opt.graph());
    if (c.expected == "FusedMatMul") {
      EXPECT_EQ(opt.graph().nodes().size(), 1u) << OpList(opt.graph());
      const ir::Node* fused = FindOp(opt.graph(), "FusedMatMul");
      const ir::Attribute* t = fused->attrs.Find("transB");
      EXPECT_EQ(t != nullptr ? t->i : 0, c.trans_b);
    }
    ExpectSameOutputs(b.Serialize(), OptimizationLevel::kExtended);
  }
}

TEST(FuseMatMulTest, TransposedAIsNotFused) {
  ModelBuilder b(17);
  b.Input("a", kFloat, {4, 3});
  b.Initializer("w", RandomFloat(Shape{4, 6}, 1));
  auto& gemm = b.Node("Gemm", {"a", "w"}, {"y"}, "fc");
  AddIntAttr(gemm, "transA", 1);
  b.Output("y", kFloat);
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kExtended));
  EXPECT_EQ(OpList(opt.graph()), "Gemm");
}

}  // namespace
}  // namespace brisk::testing
