// Graph-level inference: symbolic dims flow through, and exporter shape chains
// (Shape -> Gather -> Concat -> Reshape) fold to concrete shapes per signature.
#include "runtime/type_inference.h"

#include <gtest/gtest.h>

#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using ir::Graph;
using ir::Node;
using ir::Value;

Value* Input(Graph& g, const std::string& name, DType dtype, SymbolicShape shape) {
  Value* v = *g.AddValue(name);
  v->is_graph_input = true;
  v->type = {dtype, std::move(shape)};
  g.inputs().push_back(v);
  return v;
}

Value* Const(Graph& g, const std::string& name, Tensor t) {
  Value* v = *g.AddValue(name);
  v->type = {t.dtype(), SymbolicShape::FromShape(t.shape())};
  v->constant = std::move(t);
  return v;
}

Value* AddNode(Graph& g, const std::string& op, std::vector<Value*> inputs, const std::string& out,
               ir::AttributeMap attrs = {}) {
  Node* n = g.AddNode(op, op + "_" + out);
  n->opset = 17;
  n->inputs = std::move(inputs);
  n->attrs = std::move(attrs);
  Value* v = *g.AddValue(out);
  v->producer = n;
  n->outputs = {v};
  return v;
}

// x: [N, 3, 4] -> Reshape(x, Concat(Gather(Shape(x), 0), [-1])) -> [N, 12]
struct FlattenChain {
  Graph g;
  Value* out;
  FlattenChain() {
    Value* x = Input(g, "x", DType::kFloat32, SymbolicShape({Dim::Symbol("N"), Dim::Known(3), Dim::Known(4)}));
    Value* shape = AddNode(g, "Shape", {x}, "shape");
    Value* zero = Const(g, "zero", testing::MakeTensor<int64_t>({1}, {0}));
    Value* batch = AddNode(g, "Gather", {shape, zero}, "batch", testing::Attrs().Int("axis", 0));
    Value* minus1 = Const(g, "minus1", testing::MakeTensor<int64_t>({1}, {-1}));
    Value* target = AddNode(g, "Concat", {batch, minus1}, "target", testing::Attrs().Int("axis", 0));
    out = AddNode(g, "Reshape", {x, target}, "y");
    g.outputs().push_back(out);
  }
};

TEST(TypeInferenceTest, ShapeChainFoldsToConcreteShapePerSignature) {
  FlattenChain c;
  auto table = InferValueTable(c.g, {{DType::kFloat32, SymbolicShape::FromShape(Shape{5, 3, 4})}});
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  const ir::TypeInfo& y = table->types[size_t(c.out->index())];
  EXPECT_EQ(y.dtype, DType::kFloat32);
  ASSERT_TRUE(y.shape.has_value());
  EXPECT_EQ(y.shape->ToString(), "[5, 12]");
}

TEST(TypeInferenceTest, SymbolicBatchKeepsRankWhenChainCannotFold) {
  FlattenChain c;
  ASSERT_TRUE(InferModelTypes(c.g).ok());
  ASSERT_TRUE(c.out->type.shape.has_value());
  EXPECT_EQ(c.out->type.shape->rank(), 2);
  EXPECT_EQ(c.out->type.shape->dims[1].ToString(), "12") << c.out->type.ToString();
}

TEST(TypeInferenceTest, SymbolicDimFlowsThroughElementwise) {
  Graph g;
  Value* x = Input(g, "x", DType::kFloat32, SymbolicShape({Dim::Symbol("N"), Dim::Known(3)}));
  Value* b = Const(g, "b", testing::MakeTensor<float>({3}, {1, 2, 3}));
  Value* y = AddNode(g, "Add", {x, b}, "y");
  Value* z = AddNode(g, "Relu", {y}, "z");
  g.outputs().push_back(z);
  ASSERT_TRUE(InferModelTypes(g).ok());
  EXPECT_EQ(z->type.ToString(), "float32[N, 3]");
}

TEST(TypeInferenceTest, UnknownOpIsUnimplementedNamingTheNode) {
  Graph g;
  Value* x = Input(g, "x", DType::kFloat32, SymbolicShape::FromShape(Shape{2}));
  Value* y = AddNode(g, "FrobnicateTensor", {x}, "y");
  g.outputs().push_back(y);
  Status s = InferModelTypes(g);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_NE(s.message().find("FrobnicateTensor"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("node 'FrobnicateTensor_y'"), std::string::npos) << s.message();
}

TEST(TypeInferenceTest, ContradictoryShapesFailAtLoad) {
  Graph g;
  Value* a = Input(g, "a", DType::kFloat32, SymbolicShape::FromShape(Shape{2, 3}));
  Value* b = Input(g, "b", DType::kFloat32, SymbolicShape::FromShape(Shape{4, 3}));
  Value* y = AddNode(g, "Add", {a, b}, "y");
  g.outputs().push_back(y);
  Status s = InferModelTypes(g);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("broadcast"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace brisk
