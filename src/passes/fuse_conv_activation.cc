// FuseConvActivation: an activation after a Conv (constant W) or a FusedConv without one ->
// FusedConv with activation/activation_params (Relu, LeakyRelu, Clip with constant bounds,
// Sigmoid, Tanh, HardSigmoid, HardSwish, Gelu, Silu written as Mul(x, Sigmoid(x)), and GELU
// written out with Erf (gelu_pattern.h)).
//
//   Y = Relu(Conv(X, W, B))                ->  Y = FusedConv(X, W, B, activation="Relu")
//   Y = Relu(FusedConv(X, W, B, Sum))      ->  Y = FusedConv(X, W, B, Sum, activation="Relu")
//   Y = Mul(C, Sigmoid(C)), C = Conv(...)  ->  Y = FusedConv(..., activation="Silu")
//
// The Conv output must be float32 and have no other use (for Silu: exactly the Sigmoid and the
// Mul).
//
// The matching and the rewrite are shared with the other epilogue passes: passes/fusion_util.h.
#include "passes/fusion_util.h"
#include "passes/pass.h"
#include "passes/pass_list.h"

namespace brisk::passes {
namespace {

class FuseConvActivation final : public Pass {
 public:
  std::string_view name() const override { return "FuseConvActivation"; }
  OptimizationLevel level() const override { return OptimizationLevel::kExtended; }
  StatusOr<int> Run(ir::Graph& graph) override {
    return FuseActivations(graph, FusedFamily::kConv);
  }
};

BRISK_REGISTER_PASS(FuseConvActivation, 520);

}  // namespace
}  // namespace brisk::passes
