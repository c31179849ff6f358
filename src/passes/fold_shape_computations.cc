// FoldShapeComputations: Shape/Size of a value whose static shape is fully known becomes a
// constant; FoldConstants (the next round) then folds the Gather/Concat/... arithmetic that
// exporters build on it, and Reshape/Expand get constant shape inputs.
//
//   s = Shape(x[2, 3, 4], start=1)  ->  s := int64 constant [3, 4]
//   n = Size(x[2, 3, 4])            ->  n := int64 constant 24
//
// Not fired for graph outputs or values read by subgraphs, or when any dim is symbolic.
#include <algorithm>
#include <unordered_set>

#include "passes/pass.h"
#include "passes/pass_list.h"
#include "passes/rewrite_util.h"

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
    if (dead.empty()) return 0;
    graph.RemoveNodesIf([&](const ir::Node& n) { return dead.count(&n) != 0; });
    DropUnusedInitializers(graph);
    return int(dead.size());
  }
};

BRISK_REGISTER_PASS(FoldShapeComputations, 105);

}  // namespace
}  // namespace brisk::passes
