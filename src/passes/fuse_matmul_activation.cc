// FuseMatMulActivation: an activation after a MatMul with constant 2-D weights, or after a
// FusedMatMul without one -> FusedMatMul with activation (same activations as FuseConvActivation).
//
//   Y = Relu(FusedMatMul(A, B, Bias))  ->  Y = FusedMatMul(A, B, Bias, activation="Relu")
//   Y = Gelu(MatMul(A, B))             ->  Y = FusedMatMul(A, B, activation="Gelu")
//
// The matching and the rewrite are shared with the other epilogue passes: passes/fusion_util.h.
#include "passes/fusion_util.h"
#include "passes/pass.h"
#include "passes/pass_list.h"

namespace brisk::passes {
namespace {

class FuseMatMulActivation final : public Pass {
 public:
  std::string_view name() const override { return "FuseMatMulActivation"; }
  OptimizationLevel level() const override { return OptimizationLevel::kExtended; }
  StatusOr<int> Run(ir::Graph& graph) override {
    return FuseActivations(graph, FusedFamily::kMatMul);
  }
};

BRISK_REGISTER_PASS(FuseMatMulActivation, 520);

}  // namespace
}  // namespace brisk::passes
