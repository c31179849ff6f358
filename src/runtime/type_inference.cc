#include "runtime/type_inference.h"

#include <algorithm>

#include "kernels/op_runner.h"
#include "kernels/registry.h"
#include "runtime/symbolic_values.h"

namespace brisk {
namespace {

// Constant folding during inference is for shape arithmetic: keep it to small tensors.
constexpr int64_t kMaxFoldElements = 4096;

// Combines an inferred type with a declared one: inferred wins where it knows something.
ir::TypeInfo Merge(const ir::TypeInfo& inferred, const ir::TypeInfo& declared) {
  ir::TypeInfo out = inferred;
  if (out.dtype == DType::kUndefined) out.dtype = declared.dtype;
  if (!out.shape) {
    out.shape = declared.shape;
  } else if (declared.shape && declared.shape->rank() == out.shape->rank()) {
    for (int i = 0; i < out.shape->rank(); ++i) {
      Dim& d = out.shape->dims[size_t(i)];
      const Dim& dd = declared.shape->dims[size_t(i)];
      if (!d.is_known() && !d.is_symbol() && (dd.is_known() || dd.is_symbol())) d = dd;
    }
  }
  return out;
}

Status UnsupportedOp(const ir::Node& node) {
  const OpRegistry& reg = OpRegistry::Global();
  if (reg.Knows(node.domain, node.op_type)) {
    return Unimplemented(node.Describe() + ": brisk does not implement this op at opset " +
                         std::to_string(node.opset));
  }
  if (!node.domain.empty()) {
    return Unimplemented(node.Describe() + ": op domain '" + node.domain +
                         "' is not supported by brisk");
  }
  return Unimplemented(node.Describe() + ": op '" + node.op_type + "' is not supported by brisk");
}

// Shape/Size of an input whose shape is fully known, as a constant.
std::optional<Tensor> FoldShapeOp(const ir::Node& node, const ir::TypeInfo& in) {
  if (!in.shape || !in.shape->IsFullyKnown()) return std::nullopt;
  const Shape shape = *in.shape->ToShape();
  if (node.op_type == "Size") return Tensor::Scalar<int64_t>(shape.NumElements());
  const int rank = shape.rank();
  int64_t start = *node.attrs.GetInt("start", 0);
  int64_t end = *node.attrs.GetInt("end", rank);
  auto clamp = [&](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank); };
  start = clamp(start);
  end = std::max(clamp(end), start);
  auto t = Tensor::Allocate(DType::kInt64, Shape{end - start});
  if (!t.ok()) return std::nullopt;
  for (int64_t i = start; i < end; ++i) t->data<int64_t>()[i - start] = shape[int(i)];
  return *std::move(t);
}

std::optional<Tensor> TryFold(const ir::Node& node, const std::vector<ir::TypeInfo>& in_types,
                              const std::vector<const Tensor*>& in_constants) {
  if ((node.op_type == "Shape" || node.op_type == "Size") && node.domain.empty() &&
      !in_types.empty()) {
    return FoldShapeOp(node, in_types[0]);
  }
  if (!IsFoldable(node) || node.outputs.size() != 1) return std::nullopt;
  std::vector<std::optional<Tensor>> inputs;
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    if (node.inputs[i] == nullptr) {
      inputs.emplace_back();
      continue;
    }
    if (in_constants[i] == nullptr || in_constants[i]->num_elements() > kMaxFoldElements)
      return std::nullopt;
    inputs.emplace_back(*in_constants[i]);
  }
  OpSpec spec{node.op_type, node.opset, node.domain, node.attrs, 1};
  auto out = RunOp(spec, std::move(inputs));
  if (!out.ok() || (*out)[0].num_elements() > kMaxFoldElements) return std::nullopt;
  return std::move((*out)[0]);
}

Status InferGuarded(const InferFn& infer, InferenceContext& ctx) {
  try {
    return infer(ctx);
  } catch (const std::bad_alloc&) {
    return ResourceExhausted("out of memory during shape inference");
  } catch (const std::exception& e) {
    return Internal(std::string("unexpected exception in shape inference: ") + e.what());
  }
}

// `on_subgraphs` is called for nodes with subgraphs before their own inference.
template <typename OnSubgraphs>
StatusOr<ValueTable> Infer(const ir::Graph& graph, const std::vector<ir::TypeInfo>& input_types,
                           OnSubgraphs on_subgraphs) {
  ValueTable table;
  const size_t n = size_t(graph.num_values());
  table.types.resize(n);
  table.constants.resize(n);
  table.symbolic_values.resize(n);
  for (const auto& v : graph.values()) {
    table.types[size_t(v->index())] = v->type;
    if (v->constant && !v->is_graph_input) {
      table.constants[size_t(v->index())] = *v->constant;
      table.symbolic_values[size_t(v->index())] = SymbolicValueOfConstant(*v->constant);
    }
  }
  for (size_t i = 0; i < graph.inputs().size() && i < input_types.size(); ++i) {
    const ir::Value* v = graph.inputs()[i];
    table.types[size_t(v->index())] = input_types[i];
  }
  for (const auto& node : graph.nodes()) {
    const OpDef* def = OpRegistry::Global().Find(node->domain, node->op_type, node->opset);
    if (def == nullptr) return UnsupportedOp(*node);
    BRISK_RETURN_IF_ERROR(on_subgraphs(*node, table));
    std::vector<ir::TypeInfo> in_types;
    std::vector<const Tensor*> in_constants;
    std::vector<const SymbolicValue*> in_values;
    for (const ir::Value* v : node->inputs) {
      in_types.push_back(v ? table.types[size_t(v->index())] : ir::TypeInfo{});
      const std::optional<Tensor>* c = v ? &table.constants[size_t(v->index())] : nullptr;
      in_constants.push_back(c != nullptr && c->has_value() ? &**c : nullptr);
      const auto* sv = v ? &table.symbolic_values[size_t(v->index())] : nullptr;
      in_values.push_back(sv != nullptr && sv->has_value() ? &**sv : nullptr);
    }
    InferenceContext ctx(*node, in_types, in_constants);
    ctx.set_input_symbolic_values(in_values);
    if (def->infer) BRISK_RETURN_IF_ERROR(InferGuarded(def->infer, ctx).WithContext(node->Describe()));
    for (size_t i = 0; i < node->outputs.size(); ++i) {
      const ir::Value* out = node->outputs[i];
      if (out == nullptr) continue;
      const ir::TypeInfo inferred =
          i < ctx.output_types().size() ? ctx.output_types()[i] : ir::TypeInfo{};
      table.types[size_t(out->index())] = Merge(inferred, out->type);
    }
    if (node->outputs.size() == 1 && node->outputs[0] != nullptr) {
      const size_t idx = size_t(node->outputs[0]->index());
      if (auto folded = TryFold(*node, in_types, in_constants)) {
        table.types[idx] = {folded->dtype(), SymbolicShape::FromShape(folded->shape())};
        table.symbolic_values[idx] = SymbolicValueOfConstant(*folded);
        table.constants[idx] = std::move(folded);
      } else {
        table.symbolic_values[idx] = PropagateSymbolicValue(*node, in_types, in_values);
      }
    }
  }
  return table;
}

}  // namespace

bool IsFoldable(const ir::Node& node) {
  static const char* kNonDeterministic[] = {"RandomNormal",     "RandomUniform",
                                            "RandomNormalLike", "RandomUniformLike",
                                            "Multinomial",      "Bernoulli"};
  if (!node.domain.empty()) return false;
  for (const char* op : kNonDeterministic)
    if (node.op_type == op) return false;
  return node.Subgraphs().empty();
}

StatusOr<ValueTable> InferValueTable(const ir::Graph& graph,
                                     const std::vector<ir::TypeInfo>& input_types) {
  return Infer(graph, input_types, [](const ir::Node&, const ValueTable&) { return Status(); });
}

Status InferModelTypes(ir::Graph& graph) {
  std::vector<ir::TypeInfo> input_types;
  for (const ir::Value* v : graph.inputs()) input_types.push_back(v->type);
  auto infer_subgraphs = [](const ir::Node& node, const ValueTable& table) -> Status {
    for (ir::Graph* sub : node.Subgraphs()) {
      // Placeholders for outer values take what is known of them by now.
      for (const auto& v : sub->values())
        if (v->outer != nullptr && v->outer->graph() == sub->parent())
          v->type = table.types[size_t(v->outer->index())];
      BRISK_RETURN_IF_ERROR(InferModelTypes(*sub).WithContext(node.Describe()));
    }
    return Status::Ok();
  };
  BRISK_ASSIGN_OR_RETURN(ValueTable table, Infer(graph, input_types, infer_subgraphs));
  for (const auto& v : graph.values()) v->type = table.types[size_t(v->index())];
  return Status::Ok();
}

}  // namespace brisk
