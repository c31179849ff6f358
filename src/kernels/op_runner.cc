#include "kernels/op_runner.h"

#include "ir/graph.h"
#include "kernels/registry.h"

namespace brisk {

Status CheckAgainstInferred(const Tensor& actual, DType dtype,
                            const std::optional<SymbolicShape>& shape, std::string_view what) {
  if (dtype != DType::kUndefined && actual.dtype() != dtype) {
    return Internal(std::string(what) + ": shape inference said dtype " +
                    std::string(DTypeName(dtype)) + " but the kernel produced " +
                    actual.TypeString());
  }
  if (!shape) return Status::Ok();
  bool ok = shape->rank() == actual.rank();
  for (int i = 0; ok && i < shape->rank(); ++i) {
    const Dim& d = shape->dims[size_t(i)];
    if (d.is_known() && d.value != actual.dim(i)) ok = false;
  }
  if (!ok) {
    return Internal(std::string(what) + ": shape inference said " + shape->ToString() +
                    " but the kernel produced " + actual.TypeString());
  }
  return Status::Ok();
}

StatusOr<std::vector<ir::TypeInfo>> InferOp(const OpSpec& spec,
                                            std::vector<ir::TypeInfo> input_types,
                                            std::vector<std::optional<Tensor>> constants) {
  ir::Graph graph("op");
  ir::Node* node = graph.AddNode(spec.op_type, spec.op_type, spec.domain);
  node->opset = spec.opset;
  node->attrs = spec.attrs;
  constants.resize(input_types.size());
  std::vector<const Tensor*> constant_ptrs;
  for (size_t i = 0; i < input_types.size(); ++i) {
    const bool absent = input_types[i].dtype == DType::kUndefined && !input_types[i].shape;
    constant_ptrs.push_back(constants[i] ? &*constants[i] : nullptr);
    if (absent) {
      node->inputs.push_back(nullptr);
      continue;
    }
    BRISK_ASSIGN_OR_RETURN(ir::Value * v, graph.AddValue("input" + std::to_string(i)));
    v->type = input_types[i];
    node->inputs.push_back(v);
  }
  for (int i = 0; i < spec.num_outputs; ++i) {
    BRISK_ASSIGN_OR_RETURN(ir::Value * v, graph.AddValue("output" + std::to_string(i)));
    v->producer = node;
    node->outputs.push_back(v);
  }
  const OpDef* def = OpRegistry::Global().Find(spec.domain, spec.op_type, spec.opset);
  if (def == nullptr) {
    return Unimplemented(node->Describe() + ": no kernel registered for this op and opset");
  }
  InferenceContext ctx(*node, std::move(input_types), std::move(constant_ptrs));
  if (def->infer) BRISK_RETURN_IF_ERROR(def->infer(ctx).WithContext(node->Describe()));
  return ctx.output_types();
}

StatusOr<std::vector<Tensor>> RunOp(const OpSpec& spec, std::vector<std::optional<Tensor>> inputs,
                                    bool inputs_are_constant) {
  ir::Graph graph("op");
  ir::Node* node = graph.AddNode(spec.op_type, spec.op_type, spec.domain);
  node->opset = spec.opset;
  node->attrs = spec.attrs;
  std::vector<ir::TypeInfo> types;
  std::vector<const Tensor*> constants;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i]) {
      node->inputs.push_back(nullptr);
      types.emplace_back();
      constants.push_back(nullptr);
      continue;
    }
    BRISK_ASSIGN_OR_RETURN(ir::Value * v, graph.AddValue("input" + std::to_string(i)));
    v->is_graph_input = true;
    v->type = {inputs[i]->dtype(), SymbolicShape::FromShape(inputs[i]->shape())};
    node->inputs.push_back(v);
    types.push_back(v->type);
    constants.push_back(inputs_are_constant ? &*inputs[i] : nullptr);
  }
  for (int i = 0; i < spec.num_outputs; ++i) {
    BRISK_ASSIGN_OR_RETURN(ir::Value * v, graph.AddValue("output" + std::to_string(i)));
    v->producer = node;
    node->outputs.push_back(v);
  }

  const OpDef* def = OpRegistry::Global().Find(spec.domain, spec.op_type, spec.opset);
  if (def == nullptr) {
    return Unimplemented(node->Describe() + ": no kernel registered for this op and opset");
  }
  InferenceContext infer(*node, types, constants);
  if (def->infer) BRISK_RETURN_IF_ERROR(def->infer(infer).WithContext(node->Describe()));

  KernelInit init{*node, types, constants, nullptr};
  const OpDef* kernel_def = def;
  if (!spec.backend.empty()) {
    kernel_def = nullptr;
    for (const OpDef* d : OpRegistry::Global().FindKernels(spec.domain, spec.op_type, spec.opset))
      if (d->backend == spec.backend) kernel_def = d;
    if (kernel_def == nullptr) {
      return FailedPrecondition(node->Describe() + ": no " + spec.backend + " kernel");
    }
  }
  auto created = kernel_def->create(init);
  if (!created.ok()) return created.status().WithContext(node->Describe());
  std::unique_ptr<Kernel> kernel = std::move(created).value();
  if (kernel == nullptr) {
    return FailedPrecondition(node->Describe() + ": the " + spec.backend +
                              " kernel declined these inputs/attributes");
  }
  std::vector<const Tensor*> in_ptrs;
  for (auto& t : inputs) in_ptrs.push_back(t ? &*t : nullptr);
  std::vector<Tensor> outputs(size_t(spec.num_outputs));
  KernelContext ctx(*node, in_ptrs, &outputs);
  BRISK_RETURN_IF_ERROR(kernel->Run(ctx).WithContext(node->Describe()));
  for (int i = 0; i < spec.num_outputs; ++i) {
    if (!outputs[size_t(i)].defined()) {
      return Internal(node->Describe() + ": kernel did not produce output " + std::to_string(i));
    }
    const ir::TypeInfo& t = infer.output_types()[size_t(i)];
    BRISK_RETURN_IF_ERROR(CheckAgainstInferred(outputs[size_t(i)], t.dtype, t.shape,
                                               node->Describe() + " output " + std::to_string(i)));
  }
  return outputs;
}

}  // namespace brisk
