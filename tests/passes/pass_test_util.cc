// Helpers for the graph-pass tests (see pass_test_util.h).
#include "passes/pass_test_util.h"

#include "onnx/importer.h"
#include "runtime/type_inference.h"

namespace brisk::testing {

StatusOr<OptimizedModel> OptimizeBytes(const std::string& bytes, OptimizationLevel level) {
  OptimizedModel out;
  BRISK_ASSIGN_OR_RETURN(out.model, onnx_io::LoadModelFromBytes(bytes, ""));
  BRISK_RETURN_IF_ERROR(InferModelTypes(*out.model.graph));
  BRISK_ASSIGN_OR_RETURN(out.report, passes::OptimizeGraph(*out.model.graph, level));
  return out;
}

int CountOps(const ir::Graph& graph, const std::string& op_type) {
  int n = 0;
  for (const auto& node : graph.nodes()) n += node->op_type == op_type ? 1 : 0;
  return n;
}

const ir::Node* FindOp(const ir::Graph& graph, const std::string& op_type) {
  for (const auto& node : graph.nodes())
    if (node->op_type == op_type) return node.get();
  return nullptr;
}

std::string OpList(const ir::Graph& graph) {
  std::string s;
  for (const auto& node : graph.nodes()) s += (s.empty() ? "" : ",") + node->op_type;
  return s;
}

int Rewrites(const passes::OptimizeReport& report, const std::string& pass) {
  int n = 0;
  for (const auto& r : report.records) n += r.pass == pass ? r.changes : 0;
  return n;
}

void ExpectSameOutputs(const std::string& bytes, OptimizationLevel level, double rtol,
                       double atol, uint64_t seed) {
  SessionOptions base_options;
  base_options.reference_kernels_only = true;
  base_options.optimization_level = OptimizationLevel::kNone;
  base_options.intra_op_threads = 1;
  SessionOptions opt_options = base_options;
  opt_options.optimization_level = level;
  opt_options.check_inferred_types = true;
  ASSERT_OK_AND_ASSIGN(auto base, Session::LoadFromBytes(bytes, base_options));
  ASSERT_OK_AND_ASSIGN(auto optimized, Session::LoadFromBytes(bytes, opt_options));
  std::vector<Tensor> inputs;
  for (const TensorInfo& info : base->inputs()) {
    ASSERT_TRUE(info.shape && info.shape->IsFullyKnown()) << info.ToString();
    ASSERT_EQ(info.dtype, DType::kFloat32) << info.ToString();
    inputs.push_back(RandomFloat(*info.shape->ToShape(), seed++));
  }
  ASSERT_OK_AND_ASSIGN(std::vector<Tensor> expected, base->Run(inputs));
  ASSERT_OK_AND_ASSIGN(std::vector<Tensor> actual, optimized->Run(inputs));
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    SCOPED_TRACE("output " + base->outputs()[i].name);
    EXPECT_TENSOR_NEAR(actual[i], expected[i], rtol, atol);
  }
}

void AddFloatAttr(onnx::NodeProto& node, const std::string& name, float value) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(value);
}

void AddStringAttr(onnx::NodeProto& node, const std::string& name, const std::string& value) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(value);
}

}  // namespace brisk::testing
