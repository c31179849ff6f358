// EliminateIdentity: removes nodes that pass their input through unchanged.
//
//   y = Identity(x)                                   ->  uses of y read x
//   y = Dropout(x) in inference, mask output unused   ->  uses of y read x
//   y = Cast(x, to = dtype of x)                      ->  uses of y read x
//   y = Reshape(x, s) with y's static shape = x's     ->  uses of y read x
//
// When y is pinned (a graph output, or read by a subgraph) its name must survive, so instead
// x's producer is made to write y — possible only when x is produced by a node in this graph
// and has no other use. Otherwise the node stays.
#include <optional>
#include <unordered_set>

#include "passes/pass.h"
#include "passes/pass_list.h"
#include "passes/rewrite_util.h"

namespace brisk::passes {
namespace {

bool DropoutIsIdentity(const ir::Node& node, const GraphUses& uses) {
  for (int i = 1; i < node.num_outputs(); ++i) {
    const ir::Value* mask = node.outputs[size_t(i)];
    if (mask != nullptr && uses.num_uses(mask) > 0) return false;
  }
  if (node.opset < 7 && ValueOr(node.attrs.GetInt("is_test", 0), int64_t{0}) == 0) return false;
  if (node.has_input(2)) {  // training_mode (opset 12+): must be a constant false
    const Tensor* t = ConstantOf(node.inputs[2]);
    if (t == nullptr || t->dtype() != DType::kBool || t->num_elements() != 1) return false;
    if (*t->data<bool>()) return false;
  }
  return true;
}

bool IsPassThrough(const ir::Node& node, const GraphUses& uses) {
  if (!node.domain.empty() || node.num_inputs() < 1 || node.inputs[0] == nullptr ||
      node.num_outputs() < 1 || node.outputs[0] == nullptr)
    return false;
  const ir::Value* x = node.inputs[0];
  const ir::Value* y = node.outputs[0];
  if (node.op_type == "Identity") return true;
  if (node.op_type == "Dropout") return DropoutIsIdentity(node, uses);
  if (node.op_type == "Cast") {
    return x->type.dtype != DType::kUndefined && x->type.dtype == y->type.dtype &&
           node.attrs.Find("saturate") == nullptr;
  }
  if (node.op_type == "Reshape") {
    return x->type.dtype == y->type.dtype && SameStaticShape(x, y);
  }
  return false;
}

class EliminateIdentity final : public Pass {
 public:
  std::string_view name() const override { return "EliminateIdentity"; }
  OptimizationLevel level() const override { return OptimizationLevel::kBasic; }

  StatusOr<int> Run(ir::Graph& graph) override {
    std::unordered_set<const ir::Node*> dead;
    std::vector<ir::Node*> nodes;
    for (const auto& n : graph.nodes()) nodes.push_back(n.get());
    std::optional<GraphUses> uses_now;
    for (ir::Node* node : nodes) {
      if (!uses_now) uses_now.emplace(graph);  // a rewrite changes the uses of its neighbours
      const GraphUses& uses = *uses_now;
      if (!IsPassThrough(*node, uses)) continue;
      ir::Value* x = node->inputs[0];
      ir::Value* y = node->outputs[0];
      if (!uses.pinned(y)) {
        BRISK_RETURN_IF_ERROR(ReplaceAllUses(graph, y, x));
      } else if (x->producer != nullptr && x->graph() == &graph && !uses.pinned(x) &&
                 uses.sole_consumer(x) == node) {
        ir::Node* producer = x->producer;
        for (ir::Value*& out : producer->outputs)
          if (out == x) out = y;
        y->producer = producer;
        x->producer = nullptr;
      } else {
        continue;
      }
      node->outputs.clear();
      node->inputs.clear();
      dead.insert(node);
      uses_now.reset();
    }
    if (dead.empty()) return 0;
    graph.RemoveNodesIf([&](const ir::Node& n) { return dead.count(&n) != 0; });
    DropUnusedInitializers(graph);
    return int(dead.size());
  }
};

BRISK_REGISTER_PASS(EliminateIdentity, 110);

}  // namespace
}  // namespace brisk::passes
