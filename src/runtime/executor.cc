#include "runtime/executor.h"

#include "kernels/op_runner.h"
#include "runtime/model_stats.h"

namespace brisk {
namespace {

// Kernels do not throw, but the standard library may (bad_alloc, length_error): turn that into
// an error for this node instead of ending the process.
Status RunGuarded(const Kernel& kernel, KernelContext& ctx) {
  try {
    return kernel.Run(ctx);
  } catch (const std::bad_alloc&) {
    return ResourceExhausted("out of memory");
  } catch (const std::exception& e) {
    return Internal(std::string("unexpected exception: ") + e.what());
  }
}

}  // namespace

StatusOr<std::shared_ptr<const CompiledGraph>> CompiledGraph::Compile(
    const ir::Graph& graph, ValueTable table, const CompileOptions& options) {
  std::shared_ptr<CompiledGraph> compiled(new CompiledGraph(graph, std::move(table), options));
  BRISK_RETURN_IF_ERROR(compiled->Build());
  return std::shared_ptr<const CompiledGraph>(std::move(compiled));
}

StatusOr<std::shared_ptr<const CompiledGraph>> CompiledGraph::CompileSubgraph(
    const ir::Graph& graph, const CompileOptions& options) {
  ValueTable table;
  table.types.resize(size_t(graph.num_values()));
  table.constants.resize(size_t(graph.num_values()));
  for (const auto& v : graph.values()) {
    table.types[size_t(v->index())] = v->type;
    if (v->constant && !v->is_graph_input) table.constants[size_t(v->index())] = *v->constant;
  }
  return Compile(graph, std::move(table), options);
}

Status CompiledGraph::Build() {
  const int num_values = graph_.num_values();
  std::vector<int> last_use(size_t(num_values), -1);
  std::vector<bool> keep(size_t(num_values), false);  // outputs and constants are never released
  for (const ir::Value* v : graph_.outputs()) keep[size_t(v->index())] = true;
  for (const auto& v : graph_.values()) {
    if (table_.constants[size_t(v->index())]) keep[size_t(v->index())] = true;
    if (v->outer != nullptr) outer_values_.push_back(v->index());
  }

  auto compile_subgraph =
      [this](const ir::Graph& sub) -> StatusOr<std::shared_ptr<const CompiledSubgraph>> {
    BRISK_ASSIGN_OR_RETURN(auto compiled, CompileSubgraph(sub, options_));
    return std::shared_ptr<const CompiledSubgraph>(std::move(compiled));
  };
  for (const auto& node : graph_.nodes()) {
    const std::vector<const OpDef*> candidates = OpRegistry::Global().FindKernels(
        node->domain, node->op_type, node->opset, options_.reference_kernels_only);
    if (candidates.empty()) {
      return Unimplemented(node->Describe() + ": no kernel for this op");
    }
    Step step;
    step.node = node.get();
    std::vector<ir::TypeInfo> in_types;
    std::vector<const Tensor*> in_constants;
    for (const ir::Value* v : node->inputs) {
      step.inputs.push_back(v ? v->index() : -1);
      in_types.push_back(v ? table_.types[size_t(v->index())] : ir::TypeInfo{});
      const std::optional<Tensor>* c = v ? &table_.constants[size_t(v->index())] : nullptr;
      in_constants.push_back(c != nullptr && c->has_value() ? &**c : nullptr);
    }
    for (const ir::Value* v : node->outputs) step.outputs.push_back(v ? v->index() : -1);
    KernelInit init{*node, std::move(in_types), std::move(in_constants), compile_subgraph};
    // Fast kernels first; one may decline the node (null kernel) and the next is tried, ending
    // with the reference kernel, which accepts everything its op defines.
    for (const OpDef* def : candidates) {
      auto kernel = def->create(init);
      if (!kernel.ok()) return kernel.status().WithContext(node->Describe());
      if (*kernel == nullptr) continue;
      step.kernel = std::move(kernel).value();
      step.backend = def->backend;
      break;
    }
    if (step.kernel == nullptr) {
      return Internal(node->Describe() + ": every kernel declined the node");
    }
    step.description = step.kernel->Describe();
    step.flops = NodeFlops(*node, table_).value_or(0.0);
    if (!node->outputs.empty() && node->outputs[0] != nullptr) {
      const ir::TypeInfo& out = table_.types[size_t(node->outputs[0]->index())];
      step.output_shape = out.shape ? out.shape->ToString() : "?";
    }
    const int step_index = int(steps_.size());
    for (int idx : step.inputs)
      if (idx >= 0) last_use[size_t(idx)] = step_index;
    for (const ir::Value* v : node->implicit_inputs) last_use[size_t(v->index())] = step_index;
    steps_.push_back(std::move(step));
  }
  for (int idx = 0; idx < num_values; ++idx) {
    if (keep[size_t(idx)] || last_use[size_t(idx)] < 0) continue;
    steps_[size_t(last_use[size_t(idx)])].release.push_back(idx);
  }
  return Status::Ok();
}

StatusOr<std::vector<Tensor>> CompiledGraph::Execute(std::vector<Tensor> inputs,
                                                     const Frame* parent,
                                                     Profile* profile) const {
  if (inputs.size() != graph_.inputs().size()) {
    return InvalidArgument("graph '" + graph_.name() + "' takes " +
                           std::to_string(graph_.inputs().size()) + " inputs, got " +
                           std::to_string(inputs.size()));
  }
  Frame frame;
  frame.graph = this;
  frame.parent = parent;
  frame.slots.resize(size_t(graph_.num_values()));
  for (size_t i = 0; i < table_.constants.size(); ++i)
    if (table_.constants[i]) frame.slots[i] = *table_.constants[i];
  for (int idx : outer_values_) {
    const ir::Value* outer = graph_.values()[size_t(idx)]->outer;
    if (parent == nullptr || &parent->graph->graph() != outer->graph()) {
      return Internal("graph '" + graph_.name() + "' reads outer value '" + outer->name() +
                      "' but runs without its enclosing frame");
    }
    frame.slots[size_t(idx)] = parent->slots[size_t(outer->index())];
  }
  for (size_t i = 0; i < inputs.size(); ++i)
    frame.slots[size_t(graph_.inputs()[i]->index())] = std::move(inputs[i]);

  std::vector<const Tensor*> in_ptrs;
  for (const Step& step : steps_) {
    in_ptrs.clear();
    for (size_t i = 0; i < step.inputs.size(); ++i) {
      const int idx = step.inputs[i];
      if (idx < 0) {
        in_ptrs.push_back(nullptr);
        continue;
      }
      const Tensor& t = frame.slots[size_t(idx)];
      if (!t.defined()) {
        return Internal(step.node->Describe() + ": input " + std::to_string(i) + " '" +
                        step.node->inputs[i]->name() + "' has not been computed");
      }
      in_ptrs.push_back(&t);
    }
    std::vector<Tensor> outputs(step.outputs.size());
    KernelContext ctx(*step.node, in_ptrs, &outputs, &frame);
    const int64_t start_ns = profile != nullptr ? profile->NowNs() : 0;
    Status s = RunGuarded(*step.kernel, ctx);
    if (profile != nullptr) {
      profile->Add({step.node->name, step.node->op_type, step.description, step.output_shape,
                    step.flops, start_ns, profile->NowNs() - start_ns, profile->runs() - 1});
    }
    if (!s.ok()) return s.WithContext(step.node->Describe());
    for (size_t i = 0; i < step.outputs.size(); ++i) {
      const int idx = step.outputs[i];
      if (idx < 0) continue;
      if (!outputs[i].defined()) {
        return Internal(step.node->Describe() + ": the kernel did not produce output " +
                        std::to_string(i) + " '" + step.node->outputs[i]->name() + "'");
      }
      if (options_.check_inferred_types) {
        const ir::TypeInfo& type = table_.types[size_t(idx)];
        BRISK_RETURN_IF_ERROR(CheckAgainstInferred(
            outputs[i], type.dtype, type.shape,
            step.node->Describe() + " output '" + step.node->outputs[i]->name() + "'"));
      }
      frame.slots[size_t(idx)] = std::move(outputs[i]);
    }
    for (int idx : step.release) frame.slots[size_t(idx)] = Tensor();
  }
  std::vector<Tensor> results;
  results.reserve(graph_.outputs().size());
  for (const ir::Value* v : graph_.outputs()) {
    const Tensor& t = frame.slots[size_t(v->index())];
    if (!t.defined()) {
      return Internal("graph '" + graph_.name() + "': output '" + v->name() +
                      "' was not computed");
    }
    results.push_back(t);
  }
  return results;
}

StatusOr<std::vector<Tensor>> CompiledGraph::Run(const KernelContext& ctx,
                                                 std::span<const Tensor> inputs) const {
  return Execute(std::vector<Tensor>(inputs.begin(), inputs.end()),
                 static_cast<const Frame*>(ctx.frame()));
}

}  // namespace brisk
