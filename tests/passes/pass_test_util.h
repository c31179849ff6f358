// Helpers for the graph-pass tests: build a model with ModelBuilder, optimize it and look at the
// rewritten graph, and check that the optimized model computes what the original computes
// (both run with the reference kernels only, on seeded random inputs).
#pragma once

#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

#include "brisk/session.h"
#include "ir/graph.h"
#include "passes/pass.h"
#include "testing/tensor_testing.h"
#include "unit/model_builder.h"

namespace brisk::testing {

struct OptimizedModel {
  ir::Model model;
  passes::OptimizeReport report;
  const ir::Graph& graph() const { return *model.graph; }
};

// Imports `bytes`, infers types and runs the passes up to `level`.
StatusOr<OptimizedModel> OptimizeBytes(const std::string& bytes, OptimizationLevel level);

// How many nodes of `op_type` the graph has.
int CountOps(const ir::Graph& graph, const std::string& op_type);
// The first node of `op_type`, or nullptr.
const ir::Node* FindOp(const ir::Graph& graph, const std::string& op_type);
// "Conv,Relu,Add": the graph's op types in order.
std::string OpList(const ir::Graph& graph);
// How many rewrites `pass` made per the report (0 when it did not appear).
int Rewrites(const passes::OptimizeReport& report, const std::string& pass);

// Runs the model with the reference kernels at kNone and at `level` on the same seeded random
// float inputs (declared shapes must be fixed) and expects every output to agree.
void ExpectSameOutputs(const std::string& bytes, OptimizationLevel level, double rtol = 1e-4,
                       double atol = 1e-5, uint64_t seed = 7);

// Attribute helpers ModelBuilder does not have.
void AddFloatAttr(onnx::NodeProto& node, const std::string& name, float value);
void AddStringAttr(onnx::NodeProto& node, const std::string& name, const std::string& value);

}  // namespace brisk::testing
