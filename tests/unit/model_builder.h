// ModelBuilder: builds small ONNX models in C++ for tests, without files checked into the repo.
//
//   ModelBuilder b;
//   b.Input("x", onnx::TensorProto::FLOAT, {"N", 4}).Output("y", onnx::TensorProto::FLOAT);
//   b.Initializer("w", MakeTensor<float>({4, 2}, {...}));
//   b.Node("MatMul", {"x", "w"}, {"y"}, "mm");
//   std::string bytes = b.Serialize();
//
// Every method returns *this; proto() exposes the ModelProto for edits the builder does not
// cover (breaking a model on purpose is what most tests do).
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "brisk/tensor.h"

namespace brisk::testing {

// A declared dim: a number, or a symbol ("N"); an empty string is an unknown dim.
using DimSpec = std::variant<int64_t, std::string>;

class ModelBuilder {
 public:
  // Starts a model with ir_version 8 and the default-domain opset `opset`.
  explicit ModelBuilder(int64_t opset = 17, std::string graph_name = "test_graph");

  // Declares a graph input/output. Without `dims` the shape is left undeclared.
  ModelBuilder& Input(const std::string& name, int elem_type, std::vector<DimSpec> dims);
  ModelBuilder& Input(const std::string& name, int elem_type);
  ModelBuilder& Output(const std::string& name, int elem_type, std::vector<DimSpec> dims);
  ModelBuilder& Output(const std::string& name, int elem_type);
  // An initializer holding `value` as raw_data.
  ModelBuilder& Initializer(const std::string& name, const Tensor& value);
  // An initializer from a hand-made TensorProto (its name is set to `name`).
  ModelBuilder& Initializer(const std::string& name, onnx::TensorProto proto);
  // Adds a node; returns it so attributes can be added with the helpers below.
  onnx::NodeProto& Node(const std::string& op_type, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs, const std::string& name = "");

  onnx::ModelProto& proto() { return model_; }
  onnx::GraphProto& graph() { return *model_.mutable_graph(); }

  std::string Serialize() const;
  // Writes the model to `dir`/`file_name` and returns the path.
  std::string WriteTo(const std::filesystem::path& dir,
                      const std::string& file_name = "model.onnx") const;

 private:
  onnx::ModelProto model_;
};

// Attribute helpers for NodeProtos.
void AddIntAttr(onnx::NodeProto& node, const std::string& name, int64_t value);
void AddIntsAttr(onnx::NodeProto& node, const std::string& name, std::vector<int64_t> values);
void AddGraphAttr(onnx::NodeProto& node, const std::string& name, onnx::GraphProto graph);

// A TensorProto with `dims` and `elem_type` and no data.
onnx::TensorProto TensorProtoWithDims(int elem_type, std::vector<int64_t> dims);

// A fresh, empty directory under the system temp dir, removed when this object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  // Writes `contents` to path()/`name` and returns the full path.
  std::string WriteFile(const std::string& name, const std::string& contents) const;

 private:
  std::filesystem::path path_;
};

}  // namespace brisk::testing
