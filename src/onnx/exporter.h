// ONNX export: brisk::ir::Model -> .onnx bytes/file that onnxruntime loads. Inferred types are
// written as value_info so other tools see them.
#pragma once

#include <string>

#include "brisk/status.h"
#include "ir/graph.h"

namespace brisk::onnx_io {

StatusOr<std::string> SerializeModel(const ir::Model& model);
Status SaveModel(const ir::Model& model, const std::string& path);

}  // namespace brisk::onnx_io
