// FuseGelu (Erf-form GELU -> Gelu at opset 20+) and the same pattern fused as an activation.
#include <gtest/gtest.h>

#include <cmath>

#include "passes/pass_test_util.h"

namespace brisk::testing {
namespace {

constexpr int kFloat = onnx::TensorProto::FLOAT;

// x -> [Relu or MatMul(w)] -> h -> erf-GELU(h) -> y. `variant` 0: torch.onnx's order,
// 1: Mul(Mul(h, 0.5), Add(1, Erf(Mul(h, 1/sqrt2)))).
ModelBuilder GeluModel(int64_t opset, int variant, bool matmul, bool extra_use = false) {
  ModelBuilder b(opset);
  b.Input("x", kFloat, {3, 8});
  if (matmul) {
    b.Initializer("w", RandomFloat(Shape{8, 5}, 1));
    b.Node("MatMul", {"x", "w"}, {"h"}, "fc");
  } else {
    b.Node("Relu", {"x"}, {"h"}, "relu");
  }
  b.Initializer("half", Tensor::Scalar<float>(0.5f));
  b.Initializer("one", Tensor::Scalar<float>(1.f));
  if (variant == 0) {
    b.Initializer("sqrt2", Tensor::Scalar<float>(float(std::sqrt(2.0))));
    b.Node("Div", {"h", "sqrt2"}, {"d"}, "div");
    b.Node("Erf", {"d"}, {"e"}, "erf");
    b.Node("Add", {"e", "one"}, {"p"}, "add");
    b.Node("Mul", {"h", "p"}, {"m"}, "mul");
    b.Node("Mul", {"m", "half"}, {"y"}, "mul_half");
  } else {
    b.Initializer("rsqrt2", Tensor::Scalar<float>(float(std::sqrt(0.5))));
    b.Node("Mul", {"rsqrt2", "h"}, {"d"}, "scale");
    b.Node("Erf", {"d"}, {"e"}, "erf");
    b.Node("Add", {"one", "e"}, {"p"}, "add");
    b.Node("Mul", {"half", "h"}, {"m"}, "mul_half");
    b.Node("Mul", {"p", "m"}, {"y"}, "mul");
  }
  b.Output("y", kFloat);
  if (extra_use) {
    b.Node("Neg", {"h"}, {"z"}, "neg");
    b.Output("z", kFloat);
  }
  return b;
}

TEST(FuseGeluTest, BecomesGeluAtOpset20) {
  for (int variant = 0; variant < 2; ++variant) {
    SCOPED_TRACE("variant " + std::to_string(variant));
    const std::string bytes = GeluModel(20, variant, /*matmul=*/false).Serialize();
    ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(bytes, OptimizationLevel::kBasic));
    EXPECT_EQ(OpList(opt.graph()), "Relu,Gelu");
    EXPECT_EQ(Rewrites(opt.report, "FuseGelu"), 1);
    EXPECT_EQ(opt.graph().outputs()[0]->name(), "y");
    ExpectSameOutputs(bytes, OptimizationLevel::kBasic);
  }
}

TEST(FuseGeluTest, BelowOpset20StaysDecomposedAtBasic) {
  const std::string bytes = GeluModel(17, 0, /*matmul=*/false).Serialize();
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(bytes, OptimizationLevel::kExtended));
  EXPECT_EQ(OpList(opt.graph()), "Relu,Div,Erf,Add,Mul,Mul");
}

TEST(FuseGeluTest, FusedIntoMatMulAtAnyOpset) {
  for (int variant = 0; variant < 2; ++variant) {
    SCOPED_TRACE("variant " + std::to_string(variant));
    const std::string bytes = GeluModel(17, variant, /*matmul=*/true).Serialize();
    ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(bytes, OptimizationLevel::kExtended));
    ASSERT_EQ(OpList(opt.graph()), "FusedMatMul");
    EXPECT_EQ(FindOp(opt.graph(), "FusedMatMul")->attrs.Find("activation")->s, "Gelu");
    ExpectSameOutputs(bytes, OptimizationLevel::kExtended);
  }
}

TEST(FuseGeluTest, InputWithAnotherUseIsNotFusedIntoMatMul) {
  const std::string bytes = GeluModel(17, 0, /*matmul=*/true, /*extra_use=*/true).Serialize();
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(bytes, OptimizationLevel::kExtended));
  EXPECT_EQ(CountOps(opt.graph(), "Erf"), 1);
  ExpectSameOutputs(bytes, OptimizationLevel::kExtended);
  // At opset 20 the Gelu node is made all the same (x may have other uses).
  const std::string bytes20 = GeluModel(20, 0, true, true).Serialize();
  ASSERT_OK_AND_ASSIGN(auto opt20, OptimizeBytes(bytes20, OptimizationLevel::kBasic));
  EXPECT_EQ(CountOps(opt20.graph(), "Gelu"), 1);
  EXPECT_EQ(opt20.graph().nodes().size(), 3u) << OpList(opt20.graph());
  ExpectSameOutputs(bytes20, OptimizationLevel::kExtended);
}

TEST(FuseGeluTest, WrongConstantIsNotGelu) {
  ModelBuilder b = GeluModel(20, 0, false);
  // half = 0.6: not GELU.
  for (auto& init : *b.graph().mutable_initializer()) {
    if (init.name() == "half") {
      init.clear_raw_data();
      init.clear_float_data();
      init.add_float_data(0.6f);
    }
  }
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kExtended));
  EXPECT_EQ(CountOps(opt.graph(), "Gelu"), 0);
}

}  // namespace
}  // namespace brisk::testing
