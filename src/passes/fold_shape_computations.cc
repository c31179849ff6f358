// FoldShapeComputations: Shape/Size of a value whose static shape is fully known becomes a
// constant; FoldConstants (the next round) then folds the Gather/Concat/... arithmetic that
// exporters build on it, and Reshape/Expand get constant shape inputs.
//
//   s = Shape(x[2, 3, 4], start=1)  ->  s := int64 constant [3, 4]
//   n = Size(x[2, 3, 4])            ->  n := int64 constant 24
//
// With a symbolic batch dim the Shape itself stays, but type inference tracks the elements of
// such small integer tensors (runtime/symbolic_values.h): a value derived from it whose elements
// are all known numbers (Gather(Shape(x[N, 12, 64]), 2) = 64) becomes a constant too.
//
// Not fired for graph outputs or values read by subgraphs, or when any needed dim is symbolic.
#include <algorithm>
#include <optional>
#include <vector>
#include <unordered_set>

#include "passes/pass.h"
#include "passes/pass_list.h"
#include "passes/rewrite_util.h"
#include "runtime/type_inference.h"

namespace brisk::passes {
namespace {

StatusOr<Tensor> ShapeConstant(const ir::Node& node, const Shape& shape) {
  if (node.op_type == "Size") return Tensor::Scalar<int64_t>(shape.NumElements());
  const int64_t rank = shape.rank();
  BRISK_ASSIGN_OR_RETURN(int64_t start, node.attrs.GetInt("start", 0));
  BRISK_ASSIGN_OR_RETURN(int64_t end, node.attrs.GetInt("end", rank));
  auto clamp = [&](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank); };
  start = clamp(start);
  end = std::max(clamp(end), start);
  BRISK_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(DType::kInt64, Shape{end - start}));
  for (int64_t i = start; i < end; ++i) t.data<int64_t>()[i - start] = shape[int(i)];
  return t;
}

// An int64/int32 tensor of `type`'s (fully known, rank <= 1) shape holding `value`'s elements
// when every one is a known number.
std::optional<Tensor> KnownValue(const SymbolicValue& value, const ir::TypeInfo& type) {
  if (type.dtype != DType::kInt64 && type.dtype != DType::kInt32) return std::nullopt;
  if (!type.shape || !type.shape->IsFullyKnown() || type.shape->rank() > 1) return std::nullopt;
  const Shape shape = *type.shape->ToShape();
  if (shape.NumElements() != int64_t(value.size())) return std::nullopt;
  for (const SymbolicInt& e : value)
    if (!e.value) return std::nullopt;
  auto t = Tensor::Allocate(type.dtype, shape);
  if (!t.ok()) return std::nullopt;
  for (size_t i = 0; i < value.size(); ++i) {
    if (type.dtype == DType::kInt64) t->data<int64_t>()[i] = *value[i].value;
    else t->data<int32_t>()[i] = int32_t(*value[i].value);
  }
  return *std::move(t);
}

// Nodes (not yet in `dead`) whose single output inference knows element by element.
StatusOr<int> FoldKnownSymbolicValues(ir::Graph& graph, const GraphUses& uses,
                                      std::unordered_set<const ir::Node*>& dead) {
  std::vector<ir::TypeInfo> input_types;
  for (const ir::Value* v : graph.inputs()) input_types.push_back(v->type);
  auto table = InferValueTable(graph, input_types);
  if (!table.ok()) return 0;  // leave it to the pass manager's inference to report
  int folded = 0;
  for (const auto& n : graph.nodes()) {
    ir::Node& node = *n;
    if (dead.count(&node) != 0 || node.num_outputs() != 1 || node.outputs[0] == nullptr ||
        !node.domain.empty() || !IsDeterministic(node) || uses.pinned(node.outputs[0]))
      continue;
    ir::Value* y = node.outputs[0];
    const size_t idx = size_t(y->index());
    const auto& sv = table->symbolic_values[idx];
    if (!sv) continue;
    auto value = KnownValue(*sv, table->types[idx]);
    if (!value) continue;
    y->type = {value->dtype(), SymbolicShape::FromShape(value->shape())};
    y->constant = *std::move(value);
    y->producer = nullptr;
    node.outputs.clear();
    dead.insert(&node);
    ++folded;
  }
  return folded;
}

class FoldShapeComputations final : public Pass {
 public:
  std::string_view name() const override { return "FoldShapeComputations"; }
  OptimizationLevel level() const override { return OptimizationLevel::kBasic; }

  StatusOr<int> Run(ir::Graph& graph) override {
    GraphUses uses(graph);
    std::unordered_set<const ir::Node*> dead;
    for (const auto& n : graph.nodes()) {
      ir::Node& node = *n;
      if ((node.op_type != "Shape" && node.op_type != "Size") || !node.domain.empty() ||
          node.num_inputs() != 1 || node.num_outputs() != 1 || node.outputs[0] == nullptr)
        continue;
      const ir::Value* x = node.inputs[0];
      ir::Value* y = node.outputs[0];
      if (x == nullptr || !x->type.shape || !x->type.shape->IsFullyKnown() || uses.pinned(y))
        continue;
      auto value = ShapeConstant(node, *x->type.shape->ToShape());
      if (!value.ok()) continue;
      y->type = {DType::kInt64, SymbolicShape::FromShape(value->shape())};
      y->constant = *std::move(value);
      y->producer = nullptr;
      node.outputs.clear();
      dead.insert(&node);
    }
    BRISK_ASSIGN_OR_RETURN(int known, FoldKnownSymbolicValues(graph, uses, dead));
    if (dead.empty()) return 0;
    (void)known;
    graph.RemoveNodesIf([&](const ir::Node& n) { return dead.count(&n) != 0; });
    DropUnusedInitializers(graph);
    return int(dead.size());
  }
};

BRISK_REGISTER_PASS(FoldShapeComputations, 105);

}  // namespace
}  // namespace brisk::passes
