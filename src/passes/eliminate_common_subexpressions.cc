// EliminateCommonSubexpressions: of two nodes computing the same thing — same op, domain,
// opset, attributes and the very same input values — the later one is removed and its uses read
// the earlier one's outputs.
//
//   a = Transpose(x, perm); b = Transpose(x, perm)  ->  b's uses read a
//
// Small identical constants (<= kMaxConstantElements) are merged first, so duplicated exporter
// constants ([-1], axes lists) make their consumers equal too. Not fired for nondeterministic
// ops, nodes with subgraphs, or when the later node's output is pinned (a graph output or read
// by a subgraph: its name must survive).
#include <cstring>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "passes/pass.h"
#include "passes/pass_list.h"
#include "passes/rewrite_util.h"

namespace brisk::passes {
namespace {

constexpr int64_t kMaxConstantElements = 64;

// Bytes identifying a tensor's dtype, shape and contents; empty for strings (not compared).
std::string TensorKey(const Tensor& t) {
  if (t.dtype() == DType::kString) return {};
  std::string key = t.TypeString() + ":";
  key.append(static_cast<const char*>(t.raw_data()), t.byte_size());
  return key;
}

// A canonical text of a node's attributes; nullopt when one cannot be compared (graphs,
// string tensors).
std::optional<std::string> AttributesKey(const ir::AttributeMap& attrs) {
  std::string key;
  for (const auto& [name, a] : attrs.all()) {
    key += name + "=" + std::to_string(int(a.kind)) + ":";
    switch (a.kind) {
      case ir::Attribute::Kind::kFloat: key.append(reinterpret_cast<const char*>(&a.f), 4); break;
      case ir::Attribute::Kind::kInt: key += std::to_string(a.i); break;
      case ir::Attribute::Kind::kString: key += std::to_string(a.s.size()) + ":" + a.s; break;
      case ir::Attribute::Kind::kFloats:
        key.append(reinterpret_cast<const char*>(a.floats.data()), a.floats.size() * 4);
        break;
      case ir::Attribute::Kind::kInts:
        for (int64_t i : a.ints) key += std::to_string(i) + ",";
        break;
      case ir::Attribute::Kind::kStrings:
        for (const auto& s : a.strings) key += std::to_string(s.size()) + ":" + s;
        break;
      case ir::Attribute::Kind::kTensor: {
        std::string t = TensorKey(a.t);
        if (t.empty()) return std::nullopt;
        key += t;
        break;
      }
      case ir::Attribute::Kind::kGraph:
      case ir::Attribute::Kind::kTensors: return std::nullopt;
    }
    key += ";";
  }
  return key;
}

class EliminateCommonSubexpressions final : public Pass {
 public:
  std::string_view name() const override { return "EliminateCommonSubexpressions"; }
  OptimizationLevel level() const override { return OptimizationLevel::kBasic; }

  StatusOr<int> Run(ir::Graph& graph) override {
    int rewrites = 0;
    BRISK_ASSIGN_OR_RETURN(int merged, MergeConstants(graph));
    rewrites += merged;
    GraphUses uses(graph);
    std::unordered_map<std::string, ir::Node*> seen;
    std::unordered_set<const ir::Node*> dead;
    for (const auto& n : graph.nodes()) {
      ir::Node& node = *n;
      if (!IsDeterministic(node)) continue;
      auto attrs = AttributesKey(node.attrs);
      if (!attrs) continue;
      std::string key = node.domain + "|" + node.op_type + "|" + std::to_string(node.opset) + "|" +
                        std::to_string(node.num_outputs()) + "|" + *attrs + "|";
      for (const ir::Value* v : node.inputs) key += std::to_string(v ? v->index() : -1) + ",";
      auto [it, inserted] = seen.emplace(key, &node);
      if (inserted) continue;
      ir::Node& first = *it->second;
      bool ok = true;
      for (size_t i = 0; i < node.outputs.size(); ++i) {
        const ir::Value* v = node.outputs[i];
        if (v == nullptr) continue;
        ok = ok && !uses.pinned(v) && first.outputs[i] != nullptr;
      }
      if (!ok) continue;
      for (size_t i = 0; i < node.outputs.size(); ++i) {
        if (node.outputs[i] == nullptr) continue;
        BRISK_RETURN_IF_ERROR(ReplaceAllUses(graph, node.outputs[i], first.outputs[i]));
      }
      // Uses that `node`'s outputs had now belong to `first`'s; later duplicates are keyed on
      // value indices, which is why a rewrite here needs no rebuild of `uses` for them.
      dead.insert(&node);
      ++rewrites;
    }
    if (!dead.empty()) {
      graph.RemoveNodesIf([&](const ir::Node& n) { return dead.count(&n) != 0; });
      DropUnusedInitializers(graph);
    }
    return rewrites;
  }

 private:
  // Rewires readers of a small constant to the first identical one; returns how many constants
  // were merged.
  static StatusOr<int> MergeConstants(ir::Graph& graph) {
    GraphUses uses(graph);
    std::unordered_map<std::string, ir::Value*> seen;
    int merged = 0;
    for (ir::Value* v : graph.Initializers()) {
      if (v->constant->num_elements() > kMaxConstantElements || uses.pinned(v)) continue;
      if (uses.consumers(v).empty()) continue;
      std::string key = TensorKey(*v->constant);
      if (key.empty()) continue;
      auto [it, inserted] = seen.emplace(key, v);
      if (inserted) continue;
      BRISK_RETURN_IF_ERROR(ReplaceAllUses(graph, v, it->second));
      ++merged;
    }
    if (merged > 0) DropUnusedInitializers(graph);
    return merged;
  }
};

BRISK_REGISTER_PASS(EliminateCommonSubexpressions, 120);

}  // namespace
}  // namespace brisk::passes
