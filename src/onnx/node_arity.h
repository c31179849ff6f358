// Checks a node's input/output counts against the ONNX operator schemas (libonnx's
// OpSchemaRegistry), so a node missing a required input is rejected when the model is loaded,
// before any kernel could dereference it.
#pragma once

#include "brisk/status.h"
#include "ir/graph.h"

namespace brisk::onnx_io {

// OK when the op is unknown to the schema library or the node's opset is newer than the
// library's schemas (their arity may have changed since): the kernels check those themselves.
Status CheckNodeArity(const ir::Node& node);

}  // namespace brisk::onnx_io
