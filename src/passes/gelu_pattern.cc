// Erf-form GELU matching (see gelu_pattern.h).
#include "passes/gelu_pattern.h"

#include <cmath>

namespace brisk::passes {
namespace {

bool IsScalar(const ir::Value* v, double expected) {
  const float* p = FloatConstant(v);
  if (p == nullptr || ConstantOf(v)->num_elements() != 1) return false;
  return std::abs(double(*p) - expected) <= 1e-4 * std::abs(expected);
}

bool IsOp(const ir::Node* n, const char* op) {
  return n != nullptr && n->op_type == op && n->domain.empty() && n->num_outputs() >= 1 &&
         n->outputs[0] != nullptr;
}

// The producer of `v` when it is an `op` node whose output is used only by `user`.
ir::Node* Interior(const ir::Value* v, const char* op, const ir::Node* user,
                   const GraphUses& uses) {
  if (v == nullptr || !IsOp(v->producer, op) || v->producer->num_outputs() != 1) return nullptr;
  if (uses.pinned(v) || uses.sole_consumer(v) != user) return nullptr;
  return v->producer;
}

// For a binary node, the operand that is a scalar constant `c` and the other one.
ir::Value* OtherThanScalar(const ir::Node& n, double c) {
  if (n.num_inputs() != 2) return nullptr;
  if (IsScalar(n.inputs[1], c)) return n.inputs[0];
  if (IsScalar(n.inputs[0], c)) return n.inputs[1];
  return nullptr;
}

// p = Add(Erf(x / sqrt2), 1) used only by `user`: fills x and the three nodes.
bool MatchErfPlusOne(ir::Value* p, const ir::Node* user, const GraphUses& uses, GeluMatch& m) {
  ir::Node* add = Interior(p, "Add", user, uses);
  if (add == nullptr) return false;
  ir::Value* e = OtherThanScalar(*add, 1.0);
  ir::Node* erf = Interior(e, "Erf", add, uses);
  if (erf == nullptr) return false;
  ir::Node* scale = Interior(erf->inputs[0], "Div", erf, uses);
  ir::Value* x = nullptr;
  if (scale != nullptr) {
    x = scale->inputs[1] != nullptr && IsScalar(scale->inputs[1], std::sqrt(2.0))
            ? scale->inputs[0]
            : nullptr;
  } else if ((scale = Interior(erf->inputs[0], "Mul", erf, uses)) != nullptr) {
    x = OtherThanScalar(*scale, std::sqrt(0.5));
  }
  if (x == nullptr) return false;
  m.x = x;
  m.nodes.insert(m.nodes.end(), {scale, erf, add});
  return true;
}

}  // namespace

std::optional<GeluMatch> MatchGeluErf(ir::Node& last, const GraphUses& uses) {
  if (!IsOp(&last, "Mul") || last.num_inputs() != 2) return std::nullopt;
  // torch.onnx: last = Mul(Mul(x, p), 0.5).
  if (ir::Value* a = OtherThanScalar(last, 0.5)) {
    ir::Node* mul = Interior(a, "Mul", &last, uses);
    if (mul != nullptr && mul->num_inputs() == 2) {
      for (int side = 0; side < 2; ++side) {
        GeluMatch m;
        if (!MatchErfPlusOne(mul->inputs[size_t(1 - side)], mul, uses, m)) continue;
        if (mul->inputs[size_t(side)] != m.x) continue;
        m.nodes.push_back(mul);
        m.nodes.push_back(&last);
        m.x_uses_in_pattern = 2;
        return m;
      }
    }
  }
  // Other order: last = Mul(Mul(x, 0.5), p).
  for (int side = 0; side < 2; ++side) {
    ir::Node* half = Interior(last.inputs[size_t(side)], "Mul", &last, uses);
    if (half == nullptr) continue;
    ir::Value* x = OtherThanScalar(*half, 0.5);
    GeluMatch m;
    if (x == nullptr || !MatchErfPlusOne(last.inputs[size_t(1 - side)], &last, uses, m)) continue;
    if (m.x != x) continue;
    m.nodes.push_back(half);
    m.nodes.push_back(&last);
    m.x_uses_in_pattern = 2;
    return m;
  }
  return std::nullopt;
}

}  // namespace brisk::passes
