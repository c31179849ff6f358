#include "unit/model_builder.h"

#include <atomic>
#include <fstream>
#include <stdexcept>

#include <unistd.h>

#include "onnx/tensor_proto.h"

namespace brisk::testing {
namespace {

namespace fs = std::filesystem;

void FillValueInfo(onnx::ValueInfoProto* vi, const std::string& name, int elem_type,
                   const std::vector<DimSpec>* dims) {
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(elem_type);
  if (dims == nullptr) return;
  auto* shape = tt->mutable_shape();
  for (const DimSpec& d : *dims) {
    auto* dim = shape->add_dim();
    if (const auto* v = std::get_if<int64_t>(&d)) {
      dim->set_dim_value(*v);
    } else if (const auto& s = std::get<std::string>(d); !s.empty()) {
      dim->set_dim_param(s);
    }
  }
}

}  // namespace

ModelBuilder::ModelBuilder(int64_t opset, std::string graph_name) {
  model_.set_ir_version(8);
  model_.set_producer_name("brisk-tests");
  auto* op = model_.add_opset_import();
  op->set_domain("");
  op->set_version(opset);
  model_.mutable_graph()->set_name(std::move(graph_name));
}

ModelBuilder& ModelBuilder::Input(const std::string& name, int elem_type,
                                  std::vector<DimSpec> dims) {
  FillValueInfo(graph().add_input(), name, elem_type, &dims);
  return *this;
}

ModelBuilder& ModelBuilder::Input(const std::string& name, int elem_type) {
  FillValueInfo(graph().add_input(), name, elem_type, nullptr);
  return *this;
}

ModelBuilder& ModelBuilder::Output(const std::string& name, int elem_type,
                                   std::vector<DimSpec> dims) {
  FillValueInfo(graph().add_output(), name, elem_type, &dims);
  return *this;
}

ModelBuilder& ModelBuilder::Output(const std::string& name, int elem_type) {
  FillValueInfo(graph().add_output(), name, elem_type, nullptr);
  return *this;
}

ModelBuilder& ModelBuilder::Initializer(const std::string& name, const Tensor& value) {
  onnx::TensorProto proto;
  onnx_io::TensorToProto(value, &proto);
  return Initializer(name, std::move(proto));
}

ModelBuilder& ModelBuilder::Initializer(const std::string& name, onnx::TensorProto proto) {
  proto.set_name(name);
  *graph().add_initializer() = std::move(proto);
  return *this;
}

onnx::NodeProto& ModelBuilder::Node(const std::string& op_type,
                                    const std::vector<std::string>& inputs,
                                    const std::vector<std::string>& outputs,
                                    const std::string& name) {
  onnx::NodeProto* node = graph().add_node();
  node->set_op_type(op_type);
  if (!name.empty()) node->set_name(name);
  for (const auto& in : inputs) node->add_input(in);
  for (const auto& out : outputs) node->add_output(out);
  return *node;
}

std::string ModelBuilder::Serialize() const {
  std::string bytes;
  if (!model_.SerializeToString(&bytes)) throw std::runtime_error("cannot serialize the model");
  return bytes;
}

std::string ModelBuilder::WriteTo(const fs::path& dir, const std::string& file_name) const {
  const fs::path path = dir / file_name;
  std::ofstream out(path, std::ios::binary);
  const std::string bytes = Serialize();
  out.write(bytes.data(), std::streamsize(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
  return path.string();
}

void AddIntAttr(onnx::NodeProto& node, const std::string& name, int64_t value) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

void AddIntsAttr(onnx::NodeProto& node, const std::string& name, std::vector<int64_t> values) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values) a->add_ints(v);
}

void AddGraphAttr(onnx::NodeProto& node, const std::string& name, onnx::GraphProto graph) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::GRAPH);
  *a->mutable_g() = std::move(graph);
}

onnx::TensorProto TensorProtoWithDims(int elem_type, std::vector<int64_t> dims) {
  onnx::TensorProto proto;
  proto.set_data_type(elem_type);
  for (int64_t d : dims) proto.add_dims(d);
  return proto;
}

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  path_ = fs::temp_directory_path() / ("brisk_test_" + std::to_string(::getpid()) + "_" +
                                       std::to_string(counter++));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string TempDir::WriteFile(const std::string& name, const std::string& contents) const {
  const fs::path path = path_ / name;
  std::ofstream out(path, std::ios::binary);
  out.write(contents.data(), std::streamsize(contents.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
  return path.string();
}

}  // namespace brisk::testing
