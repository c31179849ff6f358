#include "kernels/activation.h"

#include <algorithm>
#include <cmath>

namespace brisk {
namespace {

struct KindInfo {
  ActivationKind kind;
  const char* name;
  size_t num_params;
};

constexpr KindInfo kKinds[] = {
    {ActivationKind::kRelu, "Relu", 0},          {ActivationKind::kLeakyRelu, "LeakyRelu", 1},
    {ActivationKind::kClip, "Clip", 2},          {ActivationKind::kSigmoid, "Sigmoid", 0},
    {ActivationKind::kTanh, "Tanh", 0},          {ActivationKind::kHardSigmoid, "HardSigmoid", 2},
    {ActivationKind::kHardSwish, "HardSwish", 0}, {ActivationKind::kSilu, "Silu", 0},
    {ActivationKind::kGelu, "Gelu", 0},          {ActivationKind::kGeluTanh, "GeluTanh", 0},
};

}  // namespace

std::string Activation::name() const {
  for (const KindInfo& k : kKinds)
    if (k.kind == kind) return k.name;
  return "";
}

StatusOr<Activation> Activation::FromName(const std::string& name, std::vector<float> params) {
  if (name.empty()) return Activation{};
  for (const KindInfo& k : kKinds) {
    if (name != k.name) continue;
    if (params.size() != k.num_params) {
      return InvalidArgument("activation '" + name + "' takes " + std::to_string(k.num_params) +
                             " activation_params, got " + std::to_string(params.size()));
    }
    return Activation{k.kind, std::move(params)};
  }
  return InvalidArgument("unknown activation '" + name + "'");
}

StatusOr<Activation> Activation::FromAttributes(const ir::AttributeMap& attrs) {
  BRISK_ASSIGN_OR_RETURN(std::string name, attrs.GetString("activation", std::string()));
  BRISK_ASSIGN_OR_RETURN(std::vector<float> params,
                         attrs.GetFloats("activation_params", std::vector<float>()));
  return FromName(name, std::move(params));
}

void Activation::ToAttributes(ir::AttributeMap& attrs) const {
  if (is_none()) return;
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kString;
  a.s = name();
  attrs.Set("activation", a);
  if (!params.empty()) {
    ir::Attribute p;
    p.kind = ir::Attribute::Kind::kFloats;
    p.floats = params;
    attrs.Set("activation_params", p);
  }
}

float Activation::Apply(float x) const {
  switch (kind) {
    case ActivationKind::kNone: return x;
    case ActivationKind::kRelu: return x > 0 ? x : 0.0f;
    case ActivationKind::kLeakyRelu: return x >= 0 ? x : params[0] * x;
    case ActivationKind::kClip: return std::min(std::max(x, params[0]), params[1]);
    case ActivationKind::kSigmoid: return 1.0f / (1.0f + std::exp(-x));
    case ActivationKind::kTanh: return std::tanh(x);
    case ActivationKind::kHardSigmoid:
      return std::max(0.0f, std::min(1.0f, params[0] * x + params[1]));
    case ActivationKind::kHardSwish: return x * std::max(0.0f, std::min(1.0f, x / 6.0f + 0.5f));
    case ActivationKind::kSilu: return x / (1.0f + std::exp(-x));
    case ActivationKind::kGelu: return 0.5f * x * (1.0f + std::erf(x * float(M_SQRT1_2)));
    case ActivationKind::kGeluTanh: {
      const float k = std::sqrt(2.0f / float(M_PI));
      return 0.5f * x * (1.0f + std::tanh(k * (x + 0.044715f * x * x * x)));
    }
  }
  return x;
}

void Activation::ApplyInPlace(float* data, int64_t n) const {
  if (is_none()) return;
  for (int64_t i = 0; i < n; ++i) data[i] = Apply(data[i]);
}

}  // namespace brisk
