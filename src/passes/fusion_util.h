// Shared matching/rewriting for the passes that fold epilogues into brisk's fused ops
// (FusedConv, FusedMatMul; kernels/reference/fused.cc):
//
//   Conv/MatMul -> FusedConv/FusedMatMul (converted in place, the node keeps its inputs)
//   Y = Add(P, R), R of P's exact shape        -> fused node with Sum = R      (residual)
//   Y = act(P), act one of kernels/activation.h -> fused node with activation  (activation)
//
// P is the output of a Conv/MatMul that may be converted, or of a fused node whose epilogue
// does not yet contain the step (a Sum is added before the activation: Y = act(base + Sum)).
// P must have the Add/activation as its only use (not a graph output, not read by a subgraph),
// be float32, and the fused node takes over the final value, so names of values the model
// exposes survive. The fused node's name joins the original names ("conv1+add1+relu1") so the
// profiler can attribute time to the model's nodes.
#pragma once

#include <optional>
#include <string>

#include "brisk/status.h"
#include "ir/graph.h"
#include "kernels/activation.h"
#include "passes/rewrite_util.h"

namespace brisk::passes {

enum class FusedFamily { kConv, kMatMul };

// "FusedConv" / "FusedMatMul".
const char* FusedOpType(FusedFamily family);

// The node producing `v` when it may take an epilogue step: a float32 Conv with constant W (or
// MatMul with constant 2-D B) or an already fused node of the family without an activation
// (and, if `need_free_sum`, without a Sum). nullptr otherwise. Does not check the uses of `v`.
ir::Node* EpilogueProducer(const ir::Value* v, FusedFamily family, bool need_free_sum);

// Turns a Conv/MatMul into the fused op of its family in place (no-op for a fused node).
void ConvertToFused(ir::Node& node);

// Makes `fused` compute `absorbed`'s first output instead of its own: the final value keeps its
// producer identity and name. `absorbed` is left without outputs, to be removed by the caller.
void Absorb(ir::Node& fused, ir::Node& absorbed);

// The activation computed by a single-input node (Relu, LeakyRelu, Clip with constant bounds,
// Sigmoid, Tanh, HardSigmoid, HardSwish, Gelu), or nullopt. (Multi-node forms — Silu as
// Mul(x, Sigmoid(x)), GELU written with Erf — are matched by FuseActivations itself.)
std::optional<Activation> MatchActivationNode(const ir::Node& node);

// Passes' bodies, shared by the two families. Each returns the number of rewrites.
StatusOr<int> FuseActivations(ir::Graph& graph, FusedFamily family);
StatusOr<int> FuseResidualAdds(ir::Graph& graph, FusedFamily family);

}  // namespace brisk::passes
