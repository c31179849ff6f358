// The activation a fused op applies to its result: what the fusion passes fold into FusedConv /
// FusedMatMul, what the reference fused kernels apply element by element, and what the oneDNN
// kernels turn into post-ops. Stored on the node as the attributes `activation` (the ONNX op
// name, "" for none) and `activation_params` (its float attributes, in the order below).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "brisk/status.h"
#include "ir/attribute.h"

namespace brisk {

enum class ActivationKind {
  kNone,
  kRelu,
  kLeakyRelu,    // params: alpha
  kClip,         // params: min, max
  kSigmoid,
  kTanh,
  kHardSigmoid,  // params: alpha, beta
  kHardSwish,
  kSilu,         // x * sigmoid(x): Sigmoid followed by Mul in exports, Swish in some
  kGelu,         // exact (erf) form
  kGeluTanh,     // tanh approximation
};

struct Activation {
  ActivationKind kind = ActivationKind::kNone;
  std::vector<float> params;

  bool is_none() const { return kind == ActivationKind::kNone; }
  // The attribute value: "Relu", "Clip", ..., "" for none.
  std::string name() const;
  // From `activation` / `activation_params`; an unknown name or wrong parameter count is an
  // InvalidArgument naming it.
  static StatusOr<Activation> FromAttributes(const ir::AttributeMap& attrs);
  static StatusOr<Activation> FromName(const std::string& name, std::vector<float> params);
  void ToAttributes(ir::AttributeMap& attrs) const;

  // Scalar reference semantics (the ONNX op's definition).
  float Apply(float x) const;
  void ApplyInPlace(float* data, int64_t n) const;
};

}  // namespace brisk
