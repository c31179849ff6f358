#include "onnx/tensor_proto.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace brisk::onnx_io {
namespace {

namespace fs = std::filesystem;
using TP = onnx::TensorProto;

std::string TensorLabel(const TP& proto) {
  return proto.name().empty() ? "tensor" : "tensor '" + proto.name() + "'";
}

// Resolves an external-data location strictly inside model_dir.
StatusOr<fs::path> ResolveExternalPath(const std::string& location, const std::string& model_dir) {
  if (model_dir.empty()) {
    return InvalidArgument("external data '" + location +
                           "' cannot be resolved: the model was not loaded from a file");
  }
  const fs::path rel(location);
  if (location.empty() || rel.is_absolute() || rel.has_root_name() || rel.has_root_directory()) {
    return InvalidArgument("external data location '" + location +
                           "' must be a relative path inside the model's folder");
  }
  for (const auto& part : rel)
    if (part == "..") {
      return InvalidArgument("external data location '" + location +
                             "' escapes the model's folder ('..' is not allowed)");
    }
  std::error_code ec;
  const fs::path dir = fs::canonical(model_dir, ec);
  if (ec) return NotFound("model folder '" + model_dir + "' cannot be resolved: " + ec.message());
  const fs::path full = fs::canonical(dir / rel, ec);
  if (ec) {
    return NotFound("external data file '" + location + "' not found in '" + dir.string() +
                    "': " + ec.message());
  }
  // canonical() resolved symlinks: the target must still be inside the model's folder.
  auto [dir_end, full_it] = std::mismatch(dir.begin(), dir.end(), full.begin(), full.end());
  if (dir_end != dir.end()) {
    return InvalidArgument("external data location '" + location +
                           "' resolves (through a symlink) outside the model's folder, to '" +
                           full.string() + "'");
  }
  if (!fs::is_regular_file(full, ec)) {
    return InvalidArgument("external data location '" + location + "' is not a regular file");
  }
  return full;
}

StatusOr<std::string> ReadExternalData(const TP& proto, const std::string& model_dir,
                                       size_t expected_bytes) {
  std::string location;
  int64_t offset = 0;
  int64_t length = -1;
  for (const auto& kv : proto.external_data()) {
    if (kv.key() == "location") {
      location = kv.value();
    } else if (kv.key() == "offset" || kv.key() == "length") {
      int64_t v = 0;
      try {
        size_t used = 0;
        v = std::stoll(kv.value(), &used);
        if (used != kv.value().size() || v < 0) throw std::invalid_argument("bad");
      } catch (const std::exception&) {
        return InvalidArgument(TensorLabel(proto) + ": external data " + kv.key() + " '" +
                               kv.value() + "' is not a non-negative integer");
      }
      (kv.key() == "offset" ? offset : length) = v;
    }
  }
  if (location.empty()) {
    return InvalidArgument(TensorLabel(proto) + ": external data has no 'location'");
  }
  auto path = ResolveExternalPath(location, model_dir);
  if (!path.ok()) return path.status().WithContext(TensorLabel(proto));
  std::error_code ec;
  const uintmax_t file_size = fs::file_size(*path, ec);
  if (ec) return NotFound(TensorLabel(proto) + ": cannot stat '" + location + "'");
  if (length < 0) length = int64_t(expected_bytes);
  if (uint64_t(length) != expected_bytes) {
    return InvalidArgument(TensorLabel(proto) + ": external data length " +
                           std::to_string(length) + " does not match its shape (" +
                           std::to_string(expected_bytes) + " bytes)");
  }
  if (uint64_t(offset) > file_size || uint64_t(length) > file_size - uint64_t(offset)) {
    return OutOfRange(TensorLabel(proto) + ": external data [" + std::to_string(offset) + ", +" +
                      std::to_string(length) + ") lies beyond the end of '" + location + "' (" +
                      std::to_string(file_size) + " bytes)");
  }
  std::ifstream in(*path, std::ios::binary);
  std::string data(size_t(length), '\0');
  in.seekg(offset);
  in.read(data.data(), length);
  if (!in) return Internal(TensorLabel(proto) + ": reading '" + location + "' failed");
  return data;
}

template <typename Field>
Status CheckCount(const TP& proto, const Field& field, int64_t n, const char* field_name) {
  if (int64_t(field.size()) != n) {
    return InvalidArgument(TensorLabel(proto) + ": " + field_name + " has " +
                           std::to_string(field.size()) + " values but the shape needs " +
                           std::to_string(n));
  }
  return Status::Ok();
}

// Checks the typed field (float_data, int32_data, ...) that holds `dtype` values.
Status CheckTypedCount(const TP& proto, DType dtype, int64_t n) {
  switch (dtype) {
    case DType::kFloat32: return CheckCount(proto, proto.float_data(), n, "float_data");
    case DType::kFloat64: return CheckCount(proto, proto.double_data(), n, "double_data");
    case DType::kInt64: return CheckCount(proto, proto.int64_data(), n, "int64_data");
    case DType::kUInt32:
    case DType::kUInt64: return CheckCount(proto, proto.uint64_data(), n, "uint64_data");
    default: return CheckCount(proto, proto.int32_data(), n, "int32_data");
  }
}

}  // namespace

DType DTypeFromOnnx(int t) {
  switch (t) {
    case TP::FLOAT: return DType::kFloat32;
    case TP::UINT8: return DType::kUInt8;
    case TP::INT8: return DType::kInt8;
    case TP::UINT16: return DType::kUInt16;
    case TP::INT16: return DType::kInt16;
    case TP::INT32: return DType::kInt32;
    case TP::INT64: return DType::kInt64;
    case TP::STRING: return DType::kString;
    case TP::BOOL: return DType::kBool;
    case TP::FLOAT16: return DType::kFloat16;
    case TP::DOUBLE: return DType::kFloat64;
    case TP::UINT32: return DType::kUInt32;
    case TP::UINT64: return DType::kUInt64;
    case TP::BFLOAT16: return DType::kBFloat16;
    default: return DType::kUndefined;
  }
}

int DTypeToOnnx(DType d) {
  switch (d) {
    case DType::kFloat32: return TP::FLOAT;
    case DType::kUInt8: return TP::UINT8;
    case DType::kInt8: return TP::INT8;
    case DType::kUInt16: return TP::UINT16;
    case DType::kInt16: return TP::INT16;
    case DType::kInt32: return TP::INT32;
    case DType::kInt64: return TP::INT64;
    case DType::kString: return TP::STRING;
    case DType::kBool: return TP::BOOL;
    case DType::kFloat16: return TP::FLOAT16;
    case DType::kFloat64: return TP::DOUBLE;
    case DType::kUInt32: return TP::UINT32;
    case DType::kUInt64: return TP::UINT64;
    case DType::kBFloat16: return TP::BFLOAT16;
    case DType::kUndefined: return TP::UNDEFINED;
  }
  return TP::UNDEFINED;
}

std::string OnnxTypeName(int t) {
  switch (t) {
    case 14: return "COMPLEX64";
    case 15: return "COMPLEX128";
    case 17: return "FLOAT8E4M3FN";
    case 18: return "FLOAT8E4M3FNUZ";
    case 19: return "FLOAT8E5M2";
    case 20: return "FLOAT8E5M2FNUZ";
    case 21: return "UINT4";
    case 22: return "INT4";
    default: break;
  }
  const DType d = DTypeFromOnnx(t);
  if (d != DType::kUndefined) return std::string(DTypeName(d));
  return "type " + std::to_string(t);
}

StatusOr<Tensor> TensorFromProto(const TP& proto, const std::string& model_dir) {
  const DType dtype = DTypeFromOnnx(proto.data_type());
  if (dtype == DType::kUndefined) {
    return Unimplemented(TensorLabel(proto) + ": element type " +
                         OnnxTypeName(proto.data_type()) + " is not supported by brisk");
  }
  std::vector<int64_t> dims(proto.dims().begin(), proto.dims().end());
  auto count = CheckedNumElements(dims);
  if (!count.ok()) return count.status().WithContext(TensorLabel(proto));
  const int64_t n = *count;
  // Check what the file stores against the shape before allocating: a few bytes of protobuf can
  // declare a huge shape with no data behind it.
  const size_t bytes = dtype == DType::kString ? 0 : size_t(n) * DTypeSize(dtype);
  std::string external;
  if (dtype == DType::kString) {
    if (proto.data_location() == TP::EXTERNAL) {
      return Unimplemented(TensorLabel(proto) + ": string tensors cannot use external data");
    }
    BRISK_RETURN_IF_ERROR(CheckCount(proto, proto.string_data(), n, "string_data"));
  } else if (proto.data_location() == TP::EXTERNAL) {
    BRISK_ASSIGN_OR_RETURN(external, ReadExternalData(proto, model_dir, bytes));
  } else if (proto.has_raw_data()) {
    if (proto.raw_data().size() != bytes) {
      return InvalidArgument(TensorLabel(proto) + ": raw data has " +
                             std::to_string(proto.raw_data().size()) + " bytes but shape " +
                             Shape(dims).ToString() + " of " + std::string(DTypeName(dtype)) +
                             " needs " + std::to_string(bytes));
    }
  } else {
    BRISK_RETURN_IF_ERROR(CheckTypedCount(proto, dtype, n));
  }
  auto allocated = Tensor::Allocate(dtype, Shape(dims));
  if (!allocated.ok()) return allocated.status().WithContext(TensorLabel(proto));
  Tensor t = std::move(allocated).value();

  if (dtype == DType::kString) {
    for (int64_t i = 0; i < n; ++i) t.data<std::string>()[i] = proto.string_data(int(i));
    return t;
  }
  auto copy_raw = [&](const std::string& raw) {
    if (bytes) std::memcpy(t.raw_data(), raw.data(), bytes);
    if (dtype == DType::kBool) {  // normalise to 0/1 so bool reads are well-defined
      for (int64_t i = 0; i < n; ++i) t.data<uint8_t>()[i] = t.data<uint8_t>()[i] != 0;
    }
  };
  if (proto.data_location() == TP::EXTERNAL) {
    copy_raw(external);
    return t;
  }
  if (proto.has_raw_data()) {
    copy_raw(proto.raw_data());
    return t;
  }
  switch (dtype) {
    case DType::kFloat32:
      for (int64_t i = 0; i < n; ++i) t.data<float>()[i] = proto.float_data(int(i));
      break;
    case DType::kFloat64:
      for (int64_t i = 0; i < n; ++i) t.data<double>()[i] = proto.double_data(int(i));
      break;
    case DType::kInt64:
      for (int64_t i = 0; i < n; ++i) t.data<int64_t>()[i] = proto.int64_data(int(i));
      break;
    case DType::kUInt32:
    case DType::kUInt64:
      for (int64_t i = 0; i < n; ++i) {
        if (dtype == DType::kUInt32) t.data<uint32_t>()[i] = uint32_t(proto.uint64_data(int(i)));
        else t.data<uint64_t>()[i] = proto.uint64_data(int(i));
      }
      break;
    default: {  // types stored in int32_data
      for (int64_t i = 0; i < n; ++i) {
        const int32_t v = proto.int32_data(int(i));
        switch (dtype) {
          case DType::kInt32: t.data<int32_t>()[i] = v; break;
          case DType::kInt16: t.data<int16_t>()[i] = int16_t(v); break;
          case DType::kUInt16: t.data<uint16_t>()[i] = uint16_t(v); break;
          case DType::kInt8: t.data<int8_t>()[i] = int8_t(v); break;
          case DType::kUInt8: t.data<uint8_t>()[i] = uint8_t(v); break;
          case DType::kBool: t.data<bool>()[i] = v != 0; break;
          case DType::kFloat16: t.data<Float16>()[i].bits = uint16_t(v); break;
          case DType::kBFloat16: t.data<BFloat16>()[i].bits = uint16_t(v); break;
          default: return Internal("unhandled dtype in TensorFromProto");
        }
      }
    }
  }
  return t;
}

void TensorToProto(const Tensor& tensor, TP* proto) {
  proto->clear_dims();
  for (int64_t d : tensor.shape().dims()) proto->add_dims(d);
  proto->set_data_type(DTypeToOnnx(tensor.dtype()));
  if (tensor.dtype() == DType::kString) {
    for (const std::string& s : tensor.span<std::string>()) proto->add_string_data(s);
    return;
  }
  proto->set_raw_data(std::string(static_cast<const char*>(tensor.raw_data()), tensor.byte_size()));
}

StatusOr<Tensor> ReadTensorProtoFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open '" + path + "'");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  TP proto;
  if (!proto.ParseFromString(bytes)) {
    return InvalidArgument("'" + path + "' is not a serialized ONNX TensorProto");
  }
  auto t = TensorFromProto(proto, fs::path(path).parent_path().string());
  if (!t.ok()) return t.status().WithContext(path);
  return t;
}

}  // namespace brisk::onnx_io
