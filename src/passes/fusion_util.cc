// Epilogue fusion into FusedConv/FusedMatMul (see fusion_util.h).
#include "passes/fusion_util.h"

#include <algorithm>
#include <limits>
#include <unordered_set>
#include <vector>

#include "kernels/registry.h"
#include "passes/gelu_pattern.h"

namespace brisk::passes {
namespace {

bool IsFloat32(const ir::Value* v) { return v != nullptr && v->type.dtype == DType::kFloat32; }

const char* BaseOpType(FusedFamily family) {
  return family == FusedFamily::kConv ? "Conv" : "MatMul";
}

bool HasActivation(const ir::Node& node) {
  const ir::Attribute* a = node.attrs.Find("activation");
  return a != nullptr && !a->s.empty();
}

// A scalar float constant input (Clip's min/max), nullopt when absent or not constant.
std::optional<float> ScalarInput(const ir::Node& node, int i, bool& ok) {
  if (!node.has_input(i)) return std::nullopt;
  const float* p = FloatConstant(node.inputs[size_t(i)]);
  if (p == nullptr || ConstantOf(node.inputs[size_t(i)])->num_elements() != 1) ok = false;
  return p != nullptr ? std::optional<float>(*p) : std::nullopt;
}

void RemoveNodes(ir::Graph& graph, const std::unordered_set<const ir::Node*>& dead) {
  if (!dead.empty()) graph.RemoveNodesIf([&](const ir::Node& n) { return dead.count(&n) != 0; });
}

// The value `x` when `mul` is Mul(x, Sigmoid(x)) (either order), with the Sigmoid node.
ir::Node* SiluSigmoid(const ir::Node& mul, ir::Value*& x) {
  if (mul.op_type != "Mul" || !mul.domain.empty() || mul.num_inputs() != 2) return nullptr;
  for (int s = 0; s < 2; ++s) {
    ir::Value* sig_out = mul.inputs[size_t(s)];
    ir::Value* other = mul.inputs[size_t(1 - s)];
    if (sig_out == nullptr || other == nullptr || sig_out->producer == nullptr) continue;
    ir::Node* sig = sig_out->producer;
    if (sig->op_type == "Sigmoid" && sig->domain.empty() && sig->inputs[0] == other) {
      x = other;
      return sig;
    }
  }
  return nullptr;
}

}  // namespace

const char* FusedOpType(FusedFamily family) {
  return family == FusedFamily::kConv ? "FusedConv" : "FusedMatMul";
}

ir::Node* EpilogueProducer(const ir::Value* v, FusedFamily family, bool need_free_sum) {
  if (v == nullptr || v->producer == nullptr || !IsFloat32(v)) return nullptr;
  ir::Node* p = v->producer;
  if (p->num_outputs() != 1 || p->outputs[0] != v) return nullptr;
  if (p->domain == kBriskDomain && p->op_type == FusedOpType(family)) {
    if (HasActivation(*p)) return nullptr;
    if (need_free_sum && p->has_input(3)) return nullptr;
    return p;
  }
  if (!p->domain.empty() || p->op_type != BaseOpType(family)) return nullptr;
  const Tensor* w = p->num_inputs() > 1 ? ConstantOf(p->inputs[1]) : nullptr;
  if (w == nullptr || w->dtype() != DType::kFloat32 || !IsFloat32(p->inputs[0])) return nullptr;
  if (family == FusedFamily::kMatMul && w->rank() != 2) return nullptr;
  if (family == FusedFamily::kConv && p->has_input(2) && !IsFloat32(p->inputs[2])) return nullptr;
  return p;
}

void ConvertToFused(ir::Node& node) {
  if (node.domain == kBriskDomain) return;
  const bool conv = node.op_type == "Conv";
  node.op_type = conv ? "FusedConv" : "FusedMatMul";
  node.domain = std::string(kBriskDomain);
  node.opset = 1;
  node.inputs.resize(conv ? 3 : 2);
}

void Absorb(ir::Node& fused, ir::Node& absorbed) {
  ir::Value* out = absorbed.outputs[0];
  fused.outputs[0] = out;
  out->producer = &fused;
  absorbed.outputs.clear();
  fused.name += "+" + absorbed.name;
}

std::optional<Activation> MatchActivationNode(const ir::Node& node) {
  if (!node.domain.empty() || node.num_outputs() < 1 || node.outputs[0] == nullptr ||
      node.num_inputs() < 1)
    return std::nullopt;
  const std::string& op = node.op_type;
  auto make = [](ActivationKind kind, std::vector<float> params = {}) {
    return std::optional<Activation>(Activation{kind, std::move(params)});
  };
  if (op == "Relu") return make(ActivationKind::kRelu);
  if (op == "Sigmoid") return make(ActivationKind::kSigmoid);
  if (op == "Tanh") return make(ActivationKind::kTanh);
  if (op == "HardSwish") return make(ActivationKind::kHardSwish);
  if (op == "LeakyRelu") {
    auto alpha = node.attrs.GetFloat("alpha", 0.01f);
    return alpha.ok() ? make(ActivationKind::kLeakyRelu, {*alpha}) : std::nullopt;
  }
  if (op == "HardSigmoid") {
    auto alpha = node.attrs.GetFloat("alpha", 0.2f);
    auto beta = node.attrs.GetFloat("beta", 0.5f);
    if (!alpha.ok() || !beta.ok()) return std::nullopt;
    return make(ActivationKind::kHardSigmoid, {*alpha, *beta});
  }
  if (op == "Gelu") {
    auto approximate = node.attrs.GetString("approximate", std::string("none"));
    if (!approximate.ok()) return std::nullopt;
    if (*approximate == "none") return make(ActivationKind::kGelu);
    if (*approximate == "tanh") return make(ActivationKind::kGeluTanh);
    return std::nullopt;
  }
  if (op == "Clip") {
    float lo = std::numeric_limits<float>::lowest();
    float hi = std::numeric_limits<float>::max();
    if (node.opset < 11) {
      auto min = node.attrs.GetFloat("min", lo);
      auto max = node.attrs.GetFloat("max", hi);
      if (!min.ok() || !max.ok()) return std::nullopt;
      lo = *min;
      hi = *max;
    } else {
      bool ok = true;
      auto min = ScalarInput(node, 1, ok);
      auto max = ScalarInput(node, 2, ok);
      if (!ok) return std::nullopt;
      lo = min.value_or(lo);
      hi = max.value_or(hi);
    }
    return make(ActivationKind::kClip, {lo, hi});
  }
  return std::nullopt;
}

StatusOr<int> FuseActivations(ir::Graph& graph, FusedFamily family) {
  GraphUses uses(graph);
  std::unordered_set<const ir::Node*> dead;
  int rewrites = 0;
  std::vector<ir::Node*> nodes;
  for (const auto& n : graph.nodes()) nodes.push_back(n.get());
  for (ir::Node* node : nodes) {
    if (dead.count(node) != 0) continue;
    ir::Value* x = nullptr;
    std::optional<Activation> act;
    ir::Node* sigmoid = nullptr;
    std::vector<ir::Node*> interior;  // nodes of a multi-node activation besides `node`
    if (auto gelu = MatchGeluErf(*node, uses)) {
      // Erf-form GELU: x feeds exactly the pattern's two reads of it.
      x = gelu->x;
      if (uses.pinned(x) || int(uses.consumers(x).size()) != gelu->x_uses_in_pattern) continue;
      bool taken = false;
      for (ir::Node* n : gelu->nodes) taken |= dead.count(n) != 0;
      if (taken) continue;
      for (ir::Node* n : gelu->nodes)
        if (n != node) interior.push_back(n);
      act = Activation{ActivationKind::kGelu, {}};
    } else if ((sigmoid = SiluSigmoid(*node, x)) != nullptr) {
      // Silu: x feeds exactly the Sigmoid and the Mul; the Sigmoid's output only the Mul.
      const auto& users = uses.consumers(x);
      if (uses.pinned(x) || users.size() != 2 || dead.count(sigmoid) != 0 ||
          uses.sole_consumer(sigmoid->outputs[0]) != node)
        continue;
      act = Activation{ActivationKind::kSilu, {}};
    } else {
      act = MatchActivationNode(*node);
      if (!act) continue;
      x = node->inputs[0];
      if (uses.sole_consumer(x) != node) continue;
    }
    if (!IsFloat32(node->outputs[0])) continue;
    ir::Node* producer = EpilogueProducer(x, family, /*need_free_sum=*/false);
    if (producer == nullptr || dead.count(producer) != 0) continue;
    ConvertToFused(*producer);
    act->ToAttributes(producer->attrs);
    Absorb(*producer, *node);
    dead.insert(node);
    if (sigmoid != nullptr) interior.push_back(sigmoid);
    for (ir::Node* n : interior) {
      n->outputs.clear();
      dead.insert(n);
    }
    ++rewrites;
  }
  RemoveNodes(graph, dead);
  return rewrites;
}

StatusOr<int> FuseResidualAdds(ir::Graph& graph, FusedFamily family) {
  GraphUses uses(graph);
  std::unordered_set<const ir::Node*> dead;
  int rewrites = 0;
  std::vector<ir::Node*> nodes;
  for (const auto& n : graph.nodes()) nodes.push_back(n.get());
  for (ir::Node* add : nodes) {
    if (add->op_type != "Add" || !add->domain.empty() || add->num_inputs() != 2 ||
        dead.count(add) != 0 || !IsFloat32(add->outputs[0]))
      continue;
    for (int side = 0; side < 2; ++side) {
      ir::Value* p = add->inputs[size_t(side)];
      ir::Value* r = add->inputs[size_t(1 - side)];
      if (p == r || !IsFloat32(r) || uses.sole_consumer(p) != add) continue;
      // A residual has exactly the fused output's shape: no broadcasting either way.
      if (!SameStaticShape(p, r) || !SameStaticShape(p, add->outputs[0])) continue;
      ir::Node* producer = EpilogueProducer(p, family, /*need_free_sum=*/true);
      if (producer == nullptr || dead.count(producer) != 0) continue;
      // The residual must not be computed from the fused node itself (it cannot be here: p's
      // only use is this Add), nor may it be the node's own input slot reuse; nothing to check.
      ConvertToFused(*producer);
      producer->inputs.resize(4);
      producer->inputs[3] = r;
      Absorb(*producer, *add);
      dead.insert(add);
      ++rewrites;
      break;
    }
  }
  RemoveNodes(graph, dead);
  return rewrites;
}

}  // namespace brisk::passes
