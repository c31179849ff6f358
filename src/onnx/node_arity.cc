#include "onnx/node_arity.h"

#include <onnx/defs/schema.h>

namespace brisk::onnx_io {

Status CheckNodeArity(const ir::Node& node) {
  const std::string domain = node.domain.empty() ? onnx::ONNX_DOMAIN : node.domain;
  const auto& ranges = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  auto range = ranges.find(domain);
  if (range == ranges.end() || node.opset > range->second.second) return Status::Ok();
  const onnx::OpSchema* schema =
      onnx::OpSchemaRegistry::Schema(node.op_type, node.opset, domain);
  if (schema == nullptr) return Status::Ok();

  const int given = node.num_inputs();
  if (given > schema->max_input()) {
    return InvalidArgument(node.Describe() + ": has " + std::to_string(given) +
                           " inputs, the op takes at most " +
                           std::to_string(schema->max_input()));
  }
  const auto& formals = schema->inputs();
  for (int i = 0; i < schema->min_input(); ++i) {
    if (node.has_input(i)) continue;
    const bool optional =
        i < int(formals.size()) &&
        formals[size_t(i)].GetOption() == onnx::OpSchema::FormalParameterOption::Optional;
    if (optional) continue;
    const std::string name = i < int(formals.size()) ? formals[size_t(i)].GetName() : "";
    return InvalidArgument(node.Describe() + ": required input " + std::to_string(i) +
                           (name.empty() ? "" : " '" + name + "'") + " is missing (the op takes " +
                           std::to_string(schema->min_input()) + " to " +
                           std::to_string(schema->max_input()) + " inputs)");
  }
  if (node.num_outputs() < schema->min_output() || node.num_outputs() > schema->max_output()) {
    return InvalidArgument(node.Describe() + ": has " + std::to_string(node.num_outputs()) +
                           " outputs, the op produces " + std::to_string(schema->min_output()) +
                           " to " + std::to_string(schema->max_output()));
  }
  return Status::Ok();
}

}  // namespace brisk::onnx_io
