// EliminateDeadNodes: removes nodes none of whose outputs reaches a graph output (directly or
// through other nodes, including as a value read by an If/Loop/Scan body), and forgets
// initializers that nothing reads any more so they are neither compiled nor exported.
//
// Other passes leave such nodes behind on purpose (a rewrite rewires the uses and lets this pass
// sweep); models exported from training code often carry them too.
#include "passes/pass.h"
#include "passes/pass_list.h"
#include "passes/rewrite_util.h"

namespace brisk::passes {
namespace {

class EliminateDeadNodes final : public Pass {
 public:
  std::string_view name() const override { return "EliminateDeadNodes"; }
  OptimizationLevel level() const override { return OptimizationLevel::kBasic; }
  StatusOr<int> Run(ir::Graph& graph) override {
    const int removed = RemoveDeadNodes(graph);
    DropUnusedInitializers(graph);
    return removed;
  }
};

BRISK_REGISTER_PASS(EliminateDeadNodes, 190);

}  // namespace
}  // namespace brisk::passes
