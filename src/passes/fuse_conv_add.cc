// FuseConvAdd: a residual Add after a Conv (constant W) -> FusedConv with Sum.
//
//   Y = Add(Conv(X, W, B), R)  or  Add(R, Conv(X, W, B))  ->  Y = FusedConv(X, W, B, Sum=R)
//
// R must have exactly the Conv output's static shape (a broadcasting Add is not a residual), and
// the Conv output must have no other use. Runs before activation fusion (Y = act(conv + Sum)).
//
// The matching and the rewrite are shared with the other epilogue passes: passes/fusion_util.h.
#include "passes/fusion_util.h"
#include "passes/pass.h"
#include "passes/pass_list.h"

namespace brisk::passes {
namespace {

class FuseConvAdd final : public Pass {
 public:
  std::string_view name() const override { return "FuseConvAdd"; }
  OptimizationLevel level() const override { return OptimizationLevel::kExtended; }
  StatusOr<int> Run(ir::Graph& graph) override {
    return FuseResidualAdds(graph, FusedFamily::kConv);
  }
};

BRISK_REGISTER_PASS(FuseConvAdd, 510);

}  // namespace
}  // namespace brisk::passes
