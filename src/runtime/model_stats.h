// Static facts about a model for `brisk inspect`: op histogram, parameters, FLOPs per sample.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "brisk/status.h"
#include "ir/graph.h"
#include "runtime/type_inference.h"

namespace brisk {

struct ModelStats {
  std::map<std::string, int> op_histogram;  // op type -> node count (subgraphs included)
  int64_t parameters = 0;                   // elements in initializers
  int64_t weight_bytes = 0;
  // Floating-point operations for one sample (symbolic dims bound to 1), by op type; a
  // multiply-add counts as 2. Ops whose shapes stay unknown are not counted.
  std::map<std::string, double> flops_by_op;
  double flops = 0;
  std::vector<std::string> uncounted_nodes;  // nodes whose shapes could not be resolved
};

// `model.graph` must have been type-inferred (InferModelTypes).
StatusOr<ModelStats> ComputeModelStats(const ir::Model& model);

// FLOPs of one node with the value types in `table` (a multiply-add counts 2), or nullopt when
// its shapes are unknown. brisk's fused ops count as their base op.
std::optional<double> NodeFlops(const ir::Node& node, const ValueTable& table);

}  // namespace brisk
