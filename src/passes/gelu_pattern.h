// Matching of GELU written out with Erf, as PyTorch and TensorFlow export nn.GELU() before ONNX
// opset 20 had a Gelu op:
//
//   y = Mul(Mul(x, Add(Erf(Div(x, sqrt(2))), 1)), 0.5)     (torch.onnx)
//   y = Mul(Mul(x, 0.5), Add(Erf(Mul(x, 1/sqrt(2))), 1))   (other exporters)
//
// in any operand order of the commutative Add/Mul. Used by FuseGelu (-> a Gelu node at opset 20+)
// and by the epilogue fusion (-> activation "Gelu" on a FusedConv/FusedMatMul at any opset).
#pragma once

#include <optional>
#include <vector>

#include "ir/graph.h"
#include "passes/rewrite_util.h"

namespace brisk::passes {

struct GeluMatch {
  ir::Value* x = nullptr;              // the GELU input
  std::vector<ir::Node*> nodes;        // every node of the pattern, `last` included
  int x_uses_in_pattern = 0;           // how many input slots of `nodes` read x (2)
};

// Whether `last` is the final Mul of the pattern. Interior values must have no use outside the
// pattern (and not be pinned); `x` may have other uses (the caller decides).
std::optional<GeluMatch> MatchGeluErf(ir::Node& last, const GraphUses& uses);

}  // namespace brisk::passes
