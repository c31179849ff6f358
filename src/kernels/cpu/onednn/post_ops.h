// Fused epilogues as oneDNN post-ops: brisk's Activation (kernels/activation.h) as eltwise
// post-ops, and a residual addend as a binary-add post-op.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include "kernels/activation.h"

namespace brisk::onednn {

// Appends `activation` as eltwise post-ops (none for kNone). False when oneDNN 2.6 has no exact
// equivalent (the caller declines the node): Clip with min > max.
//   Relu -> relu(0), LeakyRelu -> relu(alpha), Clip -> clip(min, max), Sigmoid -> logistic,
//   Tanh -> tanh, HardSigmoid -> linear(alpha, beta) then clip(0, 1) (2.6 has no hardsigmoid),
//   HardSwish -> hardswish, Silu -> swish(1), Gelu -> gelu_erf, GeluTanh -> gelu_tanh.
bool AppendActivation(const Activation& activation, dnnl::post_ops& ops);

}  // namespace brisk::onednn
