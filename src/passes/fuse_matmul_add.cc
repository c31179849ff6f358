// FuseMatMulAdd: a residual Add after a MatMul (constant 2-D weights) or a FusedMatMul -> Sum.
//
//   Y = Add(FusedMatMul(A, B, Bias), R)  ->  Y = FusedMatMul(A, B, Bias, Sum=R)
//
// R must have exactly the product's static shape; the product must have no other use. Bias Adds
// (a constant over the last dim) are folded before this by FuseMatMulBias (order 500).
//
// The matching and the rewrite are shared with the other epilogue passes: passes/fusion_util.h.
#include "passes/fusion_util.h"
#include "passes/pass.h"
#include "passes/pass_list.h"

namespace brisk::passes {
namespace {

class FuseMatMulAdd final : public Pass {
 public:
  std::string_view name() const override { return "FuseMatMulAdd"; }
  OptimizationLevel level() const override { return OptimizationLevel::kExtended; }
  StatusOr<int> Run(ir::Graph& graph) override {
    return FuseResidualAdds(graph, FusedFamily::kMatMul);
  }
};

BRISK_REGISTER_PASS(FuseMatMulAdd, 510);

}  // namespace
}  // namespace brisk::passes
