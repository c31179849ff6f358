// Shape inference of the indexing ops on symbolic shapes (RunOp only sees concrete shapes).
#include "ir/graph.h"
#include "kernels/registry.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using testing::Attrs;
using testing::MakeTensor;

Dim S(const char* s) { return Dim::Symbol(s); }
Dim K(int64_t v) { return Dim::Known(v); }
Dim U() { return Dim::Unknown(); }

struct Result {
  Status status;
  std::vector<ir::TypeInfo> outputs;
};

// Runs the inference function of op_type at opset on the given input types / constants.
Result Infer(const std::string& op_type, int opset, std::vector<ir::TypeInfo> inputs,
             ir::AttributeMap attrs = {}, int num_outputs = 1,
             std::vector<const Tensor*> constants = {}) {
  ir::Graph graph("g");
  ir::Node* node = graph.AddNode(op_type, op_type);
  node->opset = opset;
  node->attrs = std::move(attrs);
  for (size_t i = 0; i < inputs.size(); ++i) {
    ir::Value* v = *graph.AddValue("in" + std::to_string(i));
    v->type = inputs[i];
    node->inputs.push_back(v);
  }
  for (int i = 0; i < num_outputs; ++i)
    node->outputs.push_back(*graph.AddValue("out" + std::to_string(i)));
  constants.resize(inputs.size(), nullptr);
  const OpDef* def = OpRegistry::Global().Find("", op_type, opset);
  if (def == nullptr) return {NotFound("no op"), {}};
  InferenceContext ctx(*node, inputs, constants);
  Status s = def->infer(ctx);
  return {s, ctx.output_types()};
}

ir::TypeInfo T(DType d, std::vector<Dim> dims) { return {d, SymbolicShape(std::move(dims))}; }

TEST(IndexingInferTest, GatherKeepsSymbols) {
  auto r = Infer("Gather", 13, {T(DType::kFloat32, {S("N"), K(5), S("C")}),
                                T(DType::kInt64, {S("B"), K(2)})},
                 Attrs().Int("axis", 1));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.outputs[0].dtype, DType::kFloat32);
  EXPECT_EQ(*r.outputs[0].shape, SymbolicShape({S("N"), S("B"), K(2), S("C")}));
}

TEST(IndexingInferTest, GatherNDAndElements) {
  auto nd = Infer("GatherND", 13, {T(DType::kFloat32, {S("N"), K(4), K(5), S("W")}),
                                   T(DType::kInt64, {U(), S("Q"), K(2)})},
                  Attrs().Int("batch_dims", 1));
  ASSERT_TRUE(nd.status.ok()) << nd.status.ToString();
  EXPECT_EQ(*nd.outputs[0].shape, SymbolicShape({S("N"), S("Q"), S("W")}));
  auto el = Infer("GatherElements", 13, {T(DType::kInt32, {S("N"), K(4)}),
                                         T(DType::kInt64, {S("N"), K(7)})},
                  Attrs().Int("axis", 1));
  ASSERT_TRUE(el.status.ok()) << el.status.ToString();
  EXPECT_EQ(*el.outputs[0].shape, SymbolicShape({S("N"), K(7)}));
  auto bad = Infer("GatherND", 13, {T(DType::kFloat32, {K(2), K(3)}),
                                    T(DType::kInt64, {K(3), K(1)})},
                   Attrs().Int("batch_dims", 1));
  EXPECT_FALSE(bad.status.ok());
}

TEST(IndexingInferTest, ScatterSameAsData) {
  auto r = Infer("ScatterND", 18, {T(DType::kFloat16, {S("N"), K(3)}),
                                   T(DType::kInt64, {S("M"), K(1)}),
                                   T(DType::kFloat16, {S("M"), K(3)})},
                 Attrs().String("reduction", "max"));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.outputs[0].dtype, DType::kFloat16);
  EXPECT_EQ(*r.outputs[0].shape, SymbolicShape({S("N"), K(3)}));
}

TEST(IndexingInferTest, TopKArgMaxCumSum) {
  Tensor k = MakeTensor<int64_t>({1}, {3});
  auto top = Infer("TopK", 11, {T(DType::kFloat32, {S("N"), K(10)}), T(DType::kInt64, {K(1)})},
                   {}, 2, {nullptr, &k});
  ASSERT_TRUE(top.status.ok()) << top.status.ToString();
  EXPECT_EQ(*top.outputs[0].shape, SymbolicShape({S("N"), K(3)}));
  EXPECT_EQ(top.outputs[1].dtype, DType::kInt64);
  auto top_unknown = Infer("TopK", 11, {T(DType::kFloat32, {S("N"), K(10)}),
                                        T(DType::kInt64, {K(1)})}, {}, 2);
  ASSERT_TRUE(top_unknown.status.ok());
  EXPECT_EQ(*top_unknown.outputs[0].shape, SymbolicShape({S("N"), U()}));
  auto arg = Infer("ArgMax", 13, {T(DType::kFloat32, {S("N"), S("C"), K(4)})},
                   Attrs().Int("axis", -2).Int("keepdims", 0));
  ASSERT_TRUE(arg.status.ok());
  EXPECT_EQ(arg.outputs[0].dtype, DType::kInt64);
  EXPECT_EQ(*arg.outputs[0].shape, SymbolicShape({S("N"), K(4)}));
  auto cs = Infer("CumSum", 14, {T(DType::kInt32, {S("N")}), T(DType::kInt64, {})});
  ASSERT_TRUE(cs.status.ok());
  EXPECT_EQ(*cs.outputs[0].shape, SymbolicShape({S("N")}));
}

TEST(IndexingInferTest, DataDependentShapes) {
  auto nz = Infer("NonZero", 13, {T(DType::kFloat32, {S("N"), K(3), K(2)})});
  ASSERT_TRUE(nz.status.ok());
  EXPECT_EQ(*nz.outputs[0].shape, SymbolicShape({K(3), U()}));
  auto oh = Infer("OneHot", 11, {T(DType::kInt64, {S("N")}), T(DType::kInt64, {}),
                                 T(DType::kFloat32, {K(2)})});
  ASSERT_TRUE(oh.status.ok());
  EXPECT_EQ(*oh.outputs[0].shape, SymbolicShape({S("N"), U()}));
  auto cp = Infer("Compress", 11, {T(DType::kFloat32, {S("N"), K(3)}), T(DType::kBool, {U()})},
                  Attrs().Int("axis", 0));
  ASSERT_TRUE(cp.status.ok());
  EXPECT_EQ(*cp.outputs[0].shape, SymbolicShape({U(), K(3)}));
  auto un = Infer("Unique", 11, {T(DType::kFloat32, {S("N"), K(3)})}, Attrs().Int("axis", 0), 4);
  ASSERT_TRUE(un.status.ok());
  EXPECT_EQ(*un.outputs[0].shape, SymbolicShape({U(), K(3)}));
  EXPECT_EQ(un.outputs[3].dtype, DType::kInt64);
  auto gs = Infer("GridSample", 16, {T(DType::kFloat32, {S("N"), K(3), S("H"), S("W")}),
                                     T(DType::kFloat32, {S("N"), K(5), K(6), K(2)})});
  ASSERT_TRUE(gs.status.ok()) << gs.status.ToString();
  EXPECT_EQ(*gs.outputs[0].shape, SymbolicShape({S("N"), K(3), K(5), K(6)}));
}

}  // namespace
}  // namespace brisk
