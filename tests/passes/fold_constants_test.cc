// FoldConstants and FoldShapeComputations: constant subgraphs evaluated at load time.
#include <gtest/gtest.h>

#include "passes/pass_test_util.h"

namespace brisk::testing {
namespace {

constexpr int kFloat = onnx::TensorProto::FLOAT;

TEST(FoldConstantsTest, FoldsConstantArithmeticIntoAnInitializer) {
  ModelBuilder b(17);
  b.Input("x", kFloat, {2, 3});
  b.Initializer("c1", RandomFloat(Shape{2, 3}, 1));
  b.Initializer("c2", RandomFloat(Shape{3}, 2));
  b.Node("Mul", {"c1", "c2"}, {"m"}, "mul");
  b.Node("Exp", {"m"}, {"e"}, "exp");
  b.Node("Add", {"x", "e"}, {"y"}, "add");
  b.Output("y", kFloat);
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kBasic));
  EXPECT_EQ(OpList(opt.graph()), "Add");
  EXPECT_EQ(Rewrites(opt.report, "FoldConstants"), 2);
  const ir::Value* e = FindOp(opt.graph(), "Add")->inputs[1];
  ASSERT_TRUE(e->constant.has_value());
  EXPECT_EQ(e->name(), "e");
  // c1 and c2 are no longer read: dropped.
  EXPECT_EQ(opt.graph().Initializers().size(), 1u);
  ExpectSameOutputs(b.Serialize(), OptimizationLevel::kBasic, 1e-6, 1e-7);
}

TEST(FoldConstantsTest, ConstantNodeBecomesInitializer) {
  ModelBuilder b(17);
  b.Input("x", kFloat, {2});
  auto& c = b.Node("Constant", {}, {"k"}, "const");
  auto* a = c.add_attribute();
  a->set_name("value_float");
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(2.5f);
  b.Node("Mul", {"x", "k"}, {"y"}, "mul");
  b.Output("y", kFloat);
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kBasic));
  EXPECT_EQ(OpList(opt.graph()), "Mul");
  ExpectSameOutputs(b.Serialize(), OptimizationLevel::kBasic);
}

TEST(FoldConstantsTest, NotFired) {
  ModelBuilder b(17);
  b.Input("x", kFloat, {2, 3});
  b.Initializer("c1", RandomFloat(Shape{2, 3}, 1));
  b.Initializer("shape", MakeTensor<int64_t>(Shape{2}, {2, 3}));
  b.Node("Neg", {"c1"}, {"out_const"}, "neg_graph_output");  // graph output keeps its producer
  auto& r = b.Node("RandomUniformLike", {"c1"}, {"r"}, "random");  // nondeterministic
  AddIntAttr(r, "seed", 1);
  b.Node("Add", {"x", "r"}, {"y"}, "add");
  b.Output("y", kFloat).Output("out_const", kFloat);
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kBasic));
  EXPECT_EQ(CountOps(opt.graph(), "Neg"), 1);
  EXPECT_EQ(CountOps(opt.graph(), "RandomUniformLike"), 1);
}

TEST(FoldShapeComputationsTest, ShapeChainBecomesConstantReshape) {
  // The exporter pattern: Reshape(x, Concat(Gather(Shape(x), 0), [-1])).
  ModelBuilder b(17);
  b.Input("x", kFloat, {2, 3, 4});
  b.Initializer("zero", Tensor::Scalar<int64_t>(0));
  b.Initializer("minus1", MakeTensor<int64_t>(Shape{1}, {-1}));
  b.Initializer("axes", MakeTensor<int64_t>(Shape{1}, {0}));
  b.Node("Shape", {"x"}, {"s"}, "shape");
  b.Node("Gather", {"s", "zero"}, {"n"}, "gather");
  b.Node("Unsqueeze", {"n", "axes"}, {"n1"}, "unsqueeze");
  auto& cat = b.Node("Concat", {"n1", "minus1"}, {"target"}, "concat");
  AddIntAttr(cat, "axis", 0);
  b.Node("Reshape", {"x", "target"}, {"y"}, "reshape");
  b.Node("Size", {"x"}, {"count"}, "size");
  b.Node("Cast", {"count"}, {"countf"}, "cast");
  AddIntAttr(*b.graph().mutable_node(b.graph().node_size() - 1), "to", onnx::TensorProto::FLOAT);
  b.Node("Mul", {"y", "countf"}, {"z"}, "mul");
  b.Output("z", kFloat);
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kBasic));
  EXPECT_EQ(OpList(opt.graph()), "Reshape,Mul");
  EXPECT_GE(Rewrites(opt.report, "FoldShapeComputations"), 2);
  ExpectSameOutputs(b.Serialize(), OptimizationLevel::kBasic, 1e-6, 1e-6);
}

TEST(FoldShapeComputationsTest, SymbolicDimsAreKept) {
  ModelBuilder b(17);
  b.Input("x", kFloat, {"N", 3});
  b.Node("Shape", {"x"}, {"s"}, "shape");
  b.Node("Reshape", {"x", "s"}, {"y"}, "reshape");
  b.Output("y", kFloat);
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kBasic));
  EXPECT_EQ(CountOps(opt.graph(), "Shape"), 1);
}

}  // namespace
}  // namespace brisk::testing

namespace brisk::testing {
namespace {

TEST(FoldConstantsTest, WeightsInConstantNodesReachTheFusionPasses) {
  // Some exporters store weights as Constant nodes: once they are initializers, Conv + Relu fuse.
  ModelBuilder b(17);
  b.Input("x", onnx::TensorProto::FLOAT, {1, 2, 5, 5});
  auto& c = b.Node("Constant", {}, {"w"}, "weights");
  auto* a = c.add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  const Tensor w = RandomFloat(Shape{3, 2, 3, 3}, 4);
  a->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : w.shape().dims()) a->mutable_t()->add_dims(d);
  for (float f : w.span<float>()) a->mutable_t()->add_float_data(f);
  b.Node("Conv", {"x", "w"}, {"conv"}, "conv");
  b.Node("Relu", {"conv"}, {"y"}, "relu");
  b.Output("y", onnx::TensorProto::FLOAT);
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kExtended));
  EXPECT_EQ(OpList(opt.graph()), "FusedConv");
  ExpectSameOutputs(b.Serialize(), OptimizationLevel::kExtended);
}

}  // namespace
}  // namespace brisk::testing

namespace brisk::testing {
namespace {

TEST(FoldShapeComputationsTest, KnownElementsOfASymbolicShapeFold) {
  // x[N, 3, 4]: Shape(x) stays (N), Gather(Shape(x), 2) = 4 becomes a constant, and the
  // Concat([-1], [4]) after it folds too.
  ModelBuilder b(17);
  b.Input("x", onnx::TensorProto::FLOAT, {"N", 3, 4});
  b.Initializer("two", Tensor::Scalar<int64_t>(2));
  b.Initializer("zero", MakeTensor<int64_t>(Shape{1}, {0}));
  b.Initializer("minus1", MakeTensor<int64_t>(Shape{1}, {-1}));
  b.Node("Shape", {"x"}, {"s"}, "shape");
  b.Node("Gather", {"s", "two"}, {"last"}, "gather");
  b.Node("Unsqueeze", {"last", "zero"}, {"last1"}, "unsqueeze");
  AddIntAttr(b.Node("Concat", {"minus1", "last1"}, {"target"}, "concat"), "axis", 0);
  b.Node("Reshape", {"x", "target"}, {"y"}, "reshape");
  b.Output("y", onnx::TensorProto::FLOAT);
  ASSERT_OK_AND_ASSIGN(auto opt, OptimizeBytes(b.Serialize(), OptimizationLevel::kBasic));
  EXPECT_EQ(OpList(opt.graph()), "Reshape");
  const ir::Value* target = FindOp(opt.graph(), "Reshape")->inputs[1];
  ASSERT_TRUE(target->constant.has_value());
  EXPECT_TENSOR_EQ(*target->constant, MakeTensor<int64_t>(Shape{2}, {-1, 4}));
  for (int64_t n : {1, 3}) {
    SessionOptions options;
    options.reference_kernels_only = true;
    ASSERT_OK_AND_ASSIGN(auto session, Session::LoadFromBytes(b.Serialize(), options));
    const Tensor x = RandomFloat(Shape{n, 3, 4}, 9);
    ASSERT_OK_AND_ASSIGN(auto y, session->Run(std::vector<Tensor>{x}));
    EXPECT_EQ(y[0].shape(), (Shape{n * 3, 4}));
  }
}

}  // namespace
}  // namespace brisk::testing
