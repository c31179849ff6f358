// FoldConstants: evaluates at load time a node whose inputs are all constants, replacing it by
// initializers holding its outputs.
//
//   y = Add(c1, c2)  ->  y := constant c1 + c2
//   y = Constant()   ->  y := initializer
//
// The value is computed by the op's reference kernel through RunOp: one evaluator for run time
// and load time. Skipped: ops of other domains, nondeterministic ops (RandomNormal, ...), nodes
// with subgraphs, outputs over kMaxElements elements (folding would trade a cheap op for a big
// initializer; Constant nodes are exempt), graph outputs and values read by subgraphs (they keep
// their producer), and any node whose evaluation fails (left for run time, where the error is
// reported as usual).
#include <optional>
#include <unordered_set>
#include <vector>

#include "kernels/op_runner.h"
#include "passes/pass.h"
#include "passes/pass_list.h"
#include "passes/rewrite_util.h"

namespace brisk::passes {
namespace {

constexpr int64_t kMaxElements = int64_t(1) << 20;

bool SmallEnough(const ir::Value* v) {
  if (v == nullptr || !v->type.shape || !v->type.shape->IsFullyKnown()) return true;  // ask later
  return v->type.shape->ToShape()->NumElements() <= kMaxElements;
}

class FoldConstants final : public Pass {
 public:
  std::string_view name() const override { return "FoldConstants"; }
  OptimizationLevel level() const override { return OptimizationLevel::kBasic; }

  StatusOr<int> Run(ir::Graph& graph) override {
    GraphUses uses(graph);
    std::unordered_set<const ir::Node*> dead;
    for (const auto& n : graph.nodes()) {
      ir::Node& node = *n;
      if (!node.domain.empty() || !IsDeterministic(node) || node.num_outputs() < 1) continue;
      bool ok = true;
      std::vector<std::optional<Tensor>> inputs;
      for (const ir::Value* v : node.inputs) {
        if (v == nullptr) {
          inputs.emplace_back();
          continue;
        }
        const Tensor* c = ConstantOf(v);
        ok = ok && c != nullptr && c->num_elements() <= kMaxElements;
        if (!ok) break;
        inputs.emplace_back(*c);
      }
      for (const ir::Value* v : node.outputs) ok = ok && (v == nullptr || !uses.pinned(v));
      // A Constant node's data exists anyway: as an initializer it is the same size, and the
      // weights some exporters put in Constant nodes become visible to the fusion passes.
      const bool any_size = node.op_type == "Constant";
      for (const ir::Value* v : node.outputs) ok = ok && (any_size || SmallEnough(v));
      if (!ok) continue;
      OpSpec spec{node.op_type, node.opset, node.domain, node.attrs, node.num_outputs()};
      auto out = RunOp(spec, std::move(inputs));
      if (!out.ok() || out->size() != node.outputs.size()) continue;
      for (const Tensor& t : *out) ok = ok && (any_size || t.num_elements() <= kMaxElements);
      if (!ok) continue;
      for (size_t i = 0; i < node.outputs.size(); ++i) {
        ir::Value* v = node.outputs[i];
        if (v == nullptr) continue;
        // A fresh copy: the kernel's output may share storage with an input view.
        BRISK_ASSIGN_OR_RETURN(Tensor copy, (*out)[i].Clone());
        v->type = {copy.dtype(), SymbolicShape::FromShape(copy.shape())};
        v->constant = std::move(copy);
        v->producer = nullptr;
      }
      node.outputs.clear();
      dead.insert(&node);
    }
    if (dead.empty()) return 0;
    graph.RemoveNodesIf([&](const ir::Node& n) { return dead.count(&n) != 0; });
    DropUnusedInitializers(graph);
    return int(dead.size());
  }
};

BRISK_REGISTER_PASS(FoldConstants, 100);

}  // namespace
}  // namespace brisk::passes
