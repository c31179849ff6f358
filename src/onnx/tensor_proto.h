// Conversions between onnx::TensorProto and brisk::Tensor. Protobuf types stay inside src/onnx/.
#pragma once

#include <string>

#include "brisk/tensor.h"

namespace onnx {
class TensorProto;
}

namespace brisk::onnx_io {

// DType for an ONNX TensorProto.DataType value; kUndefined when brisk has no such type.
DType DTypeFromOnnx(int onnx_type);
int DTypeToOnnx(DType dtype);
// "FLOAT8E4M3FN" etc. for messages about unsupported ONNX types.
std::string OnnxTypeName(int onnx_type);

// Converts a TensorProto. External data is read from files under `model_dir`, which must be
// non-empty for that; a location that is absolute, contains "..", or resolves (through symlinks)
// outside `model_dir` is rejected. Sizes are checked against the shape before anything is read.
StatusOr<Tensor> TensorFromProto(const onnx::TensorProto& proto, const std::string& model_dir);

// Fills `proto` (dims, data_type, raw_data or string_data). Does not set the name.
void TensorToProto(const Tensor& tensor, onnx::TensorProto* proto);

// Reads a serialized TensorProto file (the ONNX test-data format input_0.pb).
StatusOr<Tensor> ReadTensorProtoFile(const std::string& path);

}  // namespace brisk::onnx_io
