// Graph-level shape and dtype inference: walks a graph in topological order calling each op's
// inference function, and folds small constant computations (Shape of a known shape, arithmetic
// on constant shape tensors) so Shape -> Gather -> Concat -> Reshape chains from exporters
// resolve to concrete or symbolic shapes.
#pragma once

#include <optional>
#include <vector>

#include "brisk/status.h"
#include "ir/graph.h"
#include "kernels/registry.h"

namespace brisk {

// What is known of every value of one graph, indexed by Value::index().
struct ValueTable {
  std::vector<ir::TypeInfo> types;
  std::vector<std::optional<Tensor>> constants;
  // Elements of small integer values known symbolically (see symbolic_values.h).
  std::vector<std::optional<SymbolicValue>> symbolic_values;
};

// Infers the types of all values of `graph` given `input_types` for its graph inputs (in
// order). Declared types (value_info, outputs) are kept where inference knows less. Fails on an
// unsupported op or a certain contradiction, naming the node.
StatusOr<ValueTable> InferValueTable(const ir::Graph& graph,
                                     const std::vector<ir::TypeInfo>& input_types);

// Infers symbolic types for `graph` and every subgraph from the declared input types and stores
// them in Value::type. Run once when a model is loaded.
Status InferModelTypes(ir::Graph& graph);

// Whether an op's output may be computed at compile time from constant inputs.
bool IsFoldable(const ir::Node& node);

}  // namespace brisk
