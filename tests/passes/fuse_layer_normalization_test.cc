// FuseLayerNormalization: the decomposed pattern -> LayerNormalization (opset 17+).
#include <gtest/gtest.h>

#include "passes/pass_test_util.h"

namespace brisk::testing {
namespace {

constexpr int kFloat = onnx::TensorProto::FLOAT;

struct Options {
  int64_t opset = 17;
  bool gamma = true;
  bool beta = true;
  bool square_as_mul = false;
  std::vector<int64_t> axes = {-1};
  bool mean_is_output = false;
};

std::string LayerNormModel(const Options& o) {
  ModelBuilder b(o.opset);
  b.Input("x", kFloat, {2, 3, 8});
  auto reduce = [&](const std::string& in, const std::string& out, const std::string& name) {
    if (o.opset >= 18) {
      b.Initializer(name + "_axes", MakeTensor<int64_t>(Shape{int64_t(o.axes.size())}, o.axes));
      b.Node("ReduceMean", {in, name + "_axes"}, {out}, name);
    } else {
      AddIntsAttr(b.Node("ReduceMean", {in}, {out}, name), "axes", o.axes);
    }
  };
  reduce("x", "mean", "mean");
  b.Node("Sub", {"x", "mean"}, {"d"}, "sub");
  if (o.square_as_mul) {
    b.Node("Mul", {"d", "d"}, {"sq"}, "square");
  } else {
    b.Initializer("two", Tensor::Scalar<float>(2.f));
    b.Node("Pow", {"d", "two"}, {"sq"}, "square");
  }
  reduce("sq", "var", "var");
  b.Initializer("eps", Tensor::Scalar<float>(1e-5f));
  b.Node("Add", {"var", "eps"}, {"ve"}, "add_eps");
  b.Node("Sqrt", {"ve"}, {"std"}, "sqrt");
  std::string out = "n";
  b.Node("Div", {"d", "std"}, {out}, "div");
  const Shape norm = o.axes.size() == 2 ? Shape{3, 8} : Shape{8};
  if (o.gamma) {
    b.Initializer("gamma", RandomFloat(norm, 1, 0.5f, 1.5f));
    b.Node("Mul", {"gamma", out}, {"g"}, "mul_gamma");
    out = "g";
  }
  if (o.beta) {
    b.Initializer("beta", RandomFloat(norm, 2));
    b.Node("Add", {out, "beta"}, {"y"}, "add_beta");
    out = "y";
  }
  b.Output(out, kFloat);
  if (o.mean_is_output) b.Output("mean", kFloat);
  return b.Serialize();
}

TEST(FuseLayerNormalizationTest, Fuses) {
  std::vector<Options> cases(5);
  cases[1].opset = 18;  // axes as an input
  cases[2].square_as_mul = true;
  cases[3].gamma = false;
  cases[3].beta = false;
  cases[4].axes = {1, 2};
  for (const Options& o : cases) {
    SCOPED_TRACE("opset " + std::to_string(o.opset) + " gamma " + std::to_string(o.gamma) +
                 " axes " + std::to_string(o.axes.size()));
    const std::string bytes = LayerNormModel(o);
    ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(bytes, OptimizationLevel::kBasic));
    ASSERT_EQ(OpList(opt.graph()), "LayerNormalization");
    const ir::Node* ln = FindOp(opt.graph(), "LayerNormalization");
    EXPECT_EQ(ln->attrs.Find("axis")->i, -int64_t(o.axes.size()));
    EXPECT_FLOAT_EQ(ln->attrs.Find("epsilon")->f, 1e-5f);
    ExpectSameOutputs(bytes, OptimizationLevel::kBasic);
  }
}

TEST(FuseLayerNormalizationTest, NotFired) {
  Options old_opset;
  old_opset.opset = 16;  // no LayerNormalization op
  Options pinned;
  pinned.mean_is_output = true;
  Options middle_axis;
  middle_axis.axes = {1};
  for (const Options& o : {old_opset, pinned, middle_axis}) {
    const std::string bytes = LayerNormModel(o);
    ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(bytes, OptimizationLevel::kExtended));
    EXPECT_EQ(CountOps(opt.graph(), "LayerNormalization"), 0) << OpList(opt.graph());
    ExpectSameOutputs(bytes, OptimizationLevel::kExtended);
  }
}

}  // namespace
}  // namespace brisk::testing
