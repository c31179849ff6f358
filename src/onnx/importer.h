// ONNX import: a .onnx file (or its bytes) -> brisk::ir::Model. Protobuf stays in src/onnx/.
//
// The file is untrusted input: parse failures, unknown types, dangling references, duplicate
// definitions, cycles, absurd sizes and external data escaping the model folder all come back as
// a Status naming the file, graph, node and input concerned.
#pragma once

#include <string>
#include <string_view>

#include "brisk/status.h"
#include "ir/graph.h"

namespace brisk::onnx_io {

// Newest default-domain opset brisk accepts.
inline constexpr int64_t kMaxSupportedOpset = 23;
// Deepest If/Loop/Scan nesting accepted.
inline constexpr int kMaxSubgraphDepth = 32;

StatusOr<ir::Model> LoadModel(const std::string& path);
// `model_dir` is where external data is looked up ("" = external data not allowed).
StatusOr<ir::Model> LoadModelFromBytes(std::string_view bytes, const std::string& model_dir,
                                       const std::string& label = "<memory>");

}  // namespace brisk::onnx_io
