#include "onnx/exporter.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <fstream>
#include <map>

#include "onnx/tensor_proto.h"

namespace brisk::onnx_io {
namespace {

void SetType(const ir::TypeInfo& type, onnx::ValueInfoProto* vi) {
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(DTypeToOnnx(type.dtype));
  if (!type.shape) return;
  auto* shape = tt->mutable_shape();
  for (const Dim& d : type.shape->dims) {
    auto* dim = shape->add_dim();
    if (d.is_known()) dim->set_dim_value(d.value);
    else if (d.is_symbol()) dim->set_dim_param(d.symbol);
  }
}

Status ExportGraph(const ir::Graph& graph, onnx::GraphProto* proto);

Status ExportAttribute(const std::string& name, const ir::Attribute& a,
                       onnx::AttributeProto* p) {
  using AP = onnx::AttributeProto;
  using K = ir::Attribute::Kind;
  p->set_name(name);
  switch (a.kind) {
    case K::kFloat: p->set_type(AP::FLOAT); p->set_f(a.f); break;
    case K::kInt: p->set_type(AP::INT); p->set_i(a.i); break;
    case K::kString: p->set_type(AP::STRING); p->set_s(a.s); break;
    case K::kTensor: p->set_type(AP::TENSOR); TensorToProto(a.t, p->mutable_t()); break;
    case K::kGraph:
      p->set_type(AP::GRAPH);
      BRISK_RETURN_IF_ERROR(ExportGraph(*a.g, p->mutable_g()));
      break;
    case K::kFloats:
      p->set_type(AP::FLOATS);
      for (float f : a.floats) p->add_floats(f);
      break;
    case K::kInts:
      p->set_type(AP::INTS);
      for (int64_t i : a.ints) p->add_ints(i);
      break;
    case K::kStrings:
      p->set_type(AP::STRINGS);
      for (const auto& s : a.strings) p->add_strings(s);
      break;
    case K::kTensors:
      p->set_type(AP::TENSORS);
      for (const auto& t : a.tensors) TensorToProto(t, p->add_tensors());
      break;
  }
  return Status::Ok();
}

Status ExportGraph(const ir::Graph& graph, onnx::GraphProto* proto) {
  proto->set_name(graph.name());
  for (const ir::Value* v : graph.inputs()) {
    auto* vi = proto->add_input();
    vi->set_name(v->name());
    SetType(v->type, vi);
  }
  for (const auto& v : graph.values()) {
    if (!v->constant || v->producer != nullptr || v->outer != nullptr) continue;
    auto* t = proto->add_initializer();
    TensorToProto(*v->constant, t);
    t->set_name(v->name());
  }
  for (const auto& node : graph.nodes()) {
    auto* n = proto->add_node();
    n->set_name(node->name);
    n->set_op_type(node->op_type);
    n->set_domain(node->domain);
    for (const ir::Value* v : node->inputs) n->add_input(v ? v->name() : "");
    for (const ir::Value* v : node->outputs) n->add_output(v ? v->name() : "");
    for (const auto& [name, a] : node->attrs.all())
      BRISK_RETURN_IF_ERROR(ExportAttribute(name, a, n->add_attribute()));
    for (const ir::Value* v : node->outputs) {
      if (v == nullptr || v->type.dtype == DType::kUndefined) continue;
      bool is_output = false;
      for (const ir::Value* o : graph.outputs()) is_output |= o == v;
      if (is_output) continue;
      auto* vi = proto->add_value_info();
      vi->set_name(v->name());
      SetType(v->type, vi);
    }
  }
  for (const ir::Value* v : graph.outputs()) {
    auto* vi = proto->add_output();
    vi->set_name(v->name());
    SetType(v->type, vi);
  }
  return Status::Ok();
}

// Adds an import for each node domain `declared` lacks, at the highest opset its nodes carry.
void AddUsedDomains(const ir::Graph& graph, const std::map<std::string, int64_t>& declared,
                    std::map<std::string, int64_t>& imports) {
  for (const auto& node : graph.nodes()) {
    const std::string domain = node->domain == "ai.onnx" ? "" : node->domain;
    const bool known = declared.count(domain) || (domain.empty() && declared.count("ai.onnx"));
    if (!known) imports[domain] = std::max<int64_t>(imports[domain], node->opset);
    for (const ir::Graph* sub : node->Subgraphs()) AddUsedDomains(*sub, declared, imports);
  }
}

}  // namespace

StatusOr<std::string> SerializeModel(const ir::Model& model) {
  onnx::ModelProto proto;
  proto.set_ir_version(model.ir_version > 0 ? model.ir_version : 8);
  proto.set_producer_name(model.producer_name.empty() ? "brisk" : model.producer_name);
  proto.set_producer_version(model.producer_version);
  proto.set_domain(model.domain);
  proto.set_model_version(model.model_version);
  proto.set_doc_string(model.doc_string);
  // Domains used by nodes but not imported (brisk's fused ops after graph passes) get an
  // import of the highest opset their nodes carry.
  std::map<std::string, int64_t> imports = model.opset_imports;
  AddUsedDomains(*model.graph, model.opset_imports, imports);
  for (const auto& [domain, version] : imports) {
    auto* op = proto.add_opset_import();
    op->set_domain(domain);
    op->set_version(version);
  }
  for (const auto& [k, v] : model.metadata) {
    auto* kv = proto.add_metadata_props();
    kv->set_key(k);
    kv->set_value(v);
  }
  BRISK_RETURN_IF_ERROR(ExportGraph(*model.graph, proto.mutable_graph()));
  std::string bytes;
  if (!proto.SerializeToString(&bytes)) {
    return ResourceExhausted("the model cannot be serialized (over protobuf's 2 GiB limit?)");
  }
  return bytes;
}

Status SaveModel(const ir::Model& model, const std::string& path) {
  BRISK_ASSIGN_OR_RETURN(std::string bytes, SerializeModel(model));
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  if (!out) return Internal(path + ": writing failed");
  return Status::Ok();
}

}  // namespace brisk::onnx_io
