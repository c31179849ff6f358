// FuseMatMulBias: a bias Add after a MatMul with constant 2-D weights -> FusedMatMul with Bias.
//
//   Y = Add(MatMul(A, B), bias)  or  Add(bias, MatMul(A, B))  ->  Y = FusedMatMul(A, B, bias)
//
// bias is a float32 constant over the last output dim: shape [N] or [1, ..., 1, N] of rank at
// most the product's, so the Add broadcasts it over rows and keeps the product's shape. It is
// stored 1-D. The product must have no other use. Order 500: before the residual (510) and
// activation (520) steps, which build on the FusedMatMul made here.
#include <unordered_set>
#include <vector>

#include "passes/fusion_util.h"
#include "passes/pass.h"
#include "passes/pass_list.h"

namespace brisk::passes {
namespace {

// The bias as a 1-D tensor when `v` is a row-broadcast constant over `n` columns of an output of
// rank `out_rank`.
std::optional<Tensor> RowBias(const ir::Value* v, int64_t n, int out_rank) {
  const Tensor* t = ConstantOf(v);
  if (t == nullptr || t->dtype() != DType::kFloat32 || t->rank() < 1 || t->rank() > out_rank ||
      t->num_elements() != n || t->dim(t->rank() - 1) != n)
    return std::nullopt;
  if (t->rank() == 1) return *t;
  auto flat = t->Reshaped(Shape{n});
  if (!flat.ok()) return std::nullopt;
  return *flat;
}

class FuseMatMulBias final : public Pass {
 public:
  std::string_view name() const override { return "FuseMatMulBias"; }
  OptimizationLevel level() const override { return OptimizationLevel::kExtended; }

  StatusOr<int> Run(ir::Graph& graph) override {
    GraphUses uses(graph);
    std::unordered_set<const ir::Node*> dead;
    std::vector<ir::Node*> adds;
    for (const auto& n : graph.nodes())
      if (n->op_type == "Add" && n->domain.empty() && n->num_inputs() == 2) adds.push_back(n.get());
    int rewrites = 0;
    for (ir::Node* add : adds) {
      for (int side = 0; side < 2; ++side) {
        ir::Value* p = add->inputs[size_t(side)];
        if (uses.sole_consumer(p) != add || !SameStaticShape(p, add->outputs[0])) continue;
        ir::Node* mm = EpilogueProducer(p, FusedFamily::kMatMul, /*need_free_sum=*/true);
        if (mm == nullptr || mm->has_input(2) || dead.count(mm) != 0) continue;
        const SymbolicShape& shape = *p->type.shape;
        if (shape.rank() < 1 || !shape.dims.back().is_known()) continue;
        auto bias = RowBias(add->inputs[size_t(1 - side)], shape.dims.back().value, shape.rank());
        if (!bias) continue;
        ir::Value* bias_value = add->inputs[size_t(1 - side)];
        if (bias->rank() != ConstantOf(bias_value)->rank()) {
          BRISK_ASSIGN_OR_RETURN(bias_value, AddConstant(graph, bias_value->name() + "_1d", *bias));
        }
        ConvertToFused(*mm);
        mm->inputs.resize(3);
        mm->inputs[2] = bias_value;
        Absorb(*mm, *add);
        dead.insert(add);
        ++rewrites;
        break;
      }
    }
    if (rewrites == 0) return 0;
    graph.RemoveNodesIf([&](const ir::Node& n) { return dead.count(&n) != 0; });
    DropUnusedInitializers(graph);
    return rewrites;
  }
};

BRISK_REGISTER_PASS(FuseMatMulBias, 500);

}  // namespace
}  // namespace brisk::passes
