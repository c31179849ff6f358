// JSON <-> Tensor conversions with exact checks (no silent truncation or wrap-around).
#include "server/json_tensors.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace brisk::server {
namespace {

using json = nlohmann::json;

// Writes one JSON value as element `index` of `out` (of dtype T); the error names the element.
template <typename T>
Status StoreElement(const json& value, T* out, int64_t index, const std::string& what) {
  auto bad = [&](const std::string& why) {
    return InvalidArgument(what + ": element " + std::to_string(index) + " (" +
                           value.dump(-1, ' ', false, json::error_handler_t::replace) + ") " + why);
  };
  if constexpr (std::is_same_v<T, bool>) {
    if (value.is_boolean()) {
      out[index] = value.get<bool>();
    } else if (value.is_number_integer() && (value.get<int64_t>() == 0 || value.get<int64_t>() == 1)) {
      out[index] = value.get<int64_t>() != 0;
    } else {
      return bad("is not a boolean");
    }
  } else if constexpr (std::is_floating_point_v<T> || std::is_same_v<T, Float16> ||
                       std::is_same_v<T, BFloat16>) {
    if (!value.is_number()) return bad("is not a number");
    const double d = value.get<double>();
    if constexpr (std::is_same_v<T, double>) {
      out[index] = d;
    } else {
      out[index] = T(float(d));
    }
  } else {
    if (value.is_number_unsigned()) {
      const uint64_t u = value.get<uint64_t>();
      if (u > uint64_t(std::numeric_limits<T>::max())) return bad("is out of range");
      out[index] = T(u);
    } else if (value.is_number_integer()) {
      const int64_t i = value.get<int64_t>();
      if constexpr (std::is_unsigned_v<T>) {
        if (i < 0) return bad("is out of range");
      } else {
        if (i < int64_t(std::numeric_limits<T>::min()) ||
            i > int64_t(std::numeric_limits<T>::max())) {
          return bad("is out of range");
        }
      }
      out[index] = T(i);
    } else if (value.is_number_float()) {
      const double d = value.get<double>();
      if (d != std::floor(d)) return bad("is not an integer");
      if (d < double(std::numeric_limits<T>::lowest()) || d > double(std::numeric_limits<T>::max())) {
        return bad("is out of range");
      }
      out[index] = T(d);
    } else {
      return bad("is not a number");
    }
  }
  return Status::Ok();
}

// Depth-first over nested lists, storing leaves in order.
template <typename T>
Status Flatten(const json& value, T* out, int64_t count, int64_t* next, const std::string& what) {
  if (value.is_array()) {
    for (const json& item : value) BRISK_RETURN_IF_ERROR(Flatten(item, out, count, next, what));
    return Status::Ok();
  }
  if (*next >= count) {
    return InvalidArgument(what + ": more values than its shape holds (" + std::to_string(count) +
                           ")");
  }
  BRISK_RETURN_IF_ERROR(StoreElement(value, out, *next, what));
  ++*next;
  return Status::Ok();
}

template <typename Fn>
auto VisitDType(DType dtype, Fn&& fn) {
  switch (dtype) {
    case DType::kFloat32: return fn(float{});
    case DType::kFloat64: return fn(double{});
    case DType::kFloat16: return fn(Float16{});
    case DType::kBFloat16: return fn(BFloat16{});
    case DType::kInt8: return fn(int8_t{});
    case DType::kUInt8: return fn(uint8_t{});
    case DType::kInt16: return fn(int16_t{});
    case DType::kUInt16: return fn(uint16_t{});
    case DType::kInt32: return fn(int32_t{});
    case DType::kUInt32: return fn(uint32_t{});
    case DType::kInt64: return fn(int64_t{});
    case DType::kUInt64: return fn(uint64_t{});
    case DType::kBool: return fn(bool{});
    default: return fn(nullptr);
  }
}

template <typename T>
json ElementToJson(const T& v) {
  if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) {
    return float(v);
  } else {
    return v;
  }
}

template <typename T>
json Nested(const T* data, const Shape& shape, int dim, int64_t* next) {
  if (dim == shape.rank()) return ElementToJson(data[(*next)++]);
  json list = json::array();
  for (int64_t i = 0; i < shape[dim]; ++i) list.push_back(Nested(data, shape, dim + 1, next));
  return list;
}

Status CheckShape(const Shape& shape, const std::string& what) {
  for (int i = 0; i < shape.rank(); ++i) {
    if (shape[i] < 0) return InvalidArgument(what + ": negative dimension in shape " + shape.ToString());
  }
  Status valid = shape.Validate();
  if (!valid.ok()) return InvalidArgument(what + ": " + valid.message());
  return Status::Ok();
}

}  // namespace

StatusOr<Tensor> TensorFromJson(const json& data, DType dtype, const Shape& shape,
                                const std::string& what) {
  BRISK_RETURN_IF_ERROR(CheckShape(shape, what));
  if (dtype == DType::kString) {
    return Status(StatusCode::kUnimplemented, what + ": BYTES tensors are not supported");
  }
  BRISK_ASSIGN_OR_RETURN(Tensor tensor, Tensor::Allocate(dtype, shape));
  const int64_t count = tensor.num_elements();
  int64_t next = 0;
  Status status = VisitDType(dtype, [&](auto tag) -> Status {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, std::nullptr_t>) {
      return InvalidArgument(what + ": unsupported datatype");
    } else {
      if (!data.is_array()) {
        if (count != 1) return InvalidArgument(what + ": 'data' must be a list");
      }
      return Flatten(data, tensor.data<T>(), count, &next, what);
    }
  });
  BRISK_RETURN_IF_ERROR(status);
  if (next != count) {
    return InvalidArgument(what + ": " + std::to_string(next) + " values for shape " +
                           shape.ToString() + ", which holds " + std::to_string(count));
  }
  return tensor;
}

StatusOr<Tensor> TensorFromNestedJson(const json& data, DType dtype, const std::string& what) {
  // The shape is the list lengths along the first element of each level; Flatten then checks
  // the count, and a ragged list is caught by comparing every sublist's length.
  std::vector<int64_t> dims;
  const json* level = &data;
  while (level->is_array()) {
    dims.push_back(int64_t(level->size()));
    if (level->empty()) break;
    level = &(*level)[0];
  }
  // Rectangularity: every list at depth d has dims[d] items.
  std::vector<const json*> frontier = {&data};
  for (size_t d = 0; d < dims.size(); ++d) {
    std::vector<const json*> next;
    for (const json* node : frontier) {
      if (!node->is_array() || int64_t(node->size()) != dims[d]) {
        return InvalidArgument(what + ": ragged nested list (a list at depth " + std::to_string(d) +
                               " has " + (node->is_array() ? std::to_string(node->size()) : "no") +
                               " items, expected " + std::to_string(dims[d]) + ")");
      }
      for (const json& child : *node) next.push_back(&child);
    }
    frontier.swap(next);
  }
  for (const json* leaf : frontier) {
    if (leaf->is_array()) return InvalidArgument(what + ": ragged nested list");
  }
  return TensorFromJson(data, dtype, Shape(dims), what);
}

StatusOr<Tensor> TensorFromBytes(std::string_view bytes, DType dtype, const Shape& shape,
                                 const std::string& what) {
  BRISK_RETURN_IF_ERROR(CheckShape(shape, what));
  if (dtype == DType::kString) {
    return Status(StatusCode::kUnimplemented, what + ": BYTES tensors are not supported");
  }
  BRISK_ASSIGN_OR_RETURN(Tensor tensor, Tensor::Allocate(dtype, shape));
  if (bytes.size() != tensor.byte_size()) {
    return InvalidArgument(what + ": " + std::to_string(bytes.size()) + " bytes of binary data "
                           "for shape " + shape.ToString() + " of " +
                           std::string(DTypeName(dtype)) + ", which needs " +
                           std::to_string(tensor.byte_size()));
  }
  if (dtype == DType::kBool) {
    for (size_t i = 0; i < bytes.size(); ++i) {
      if (static_cast<unsigned char>(bytes[i]) > 1) {
        return InvalidArgument(what + ": byte " + std::to_string(i) + " is not a boolean (0 or 1)");
      }
    }
  }
  if (!bytes.empty()) std::memcpy(tensor.raw_data(), bytes.data(), bytes.size());
  return tensor;
}

json TensorToFlatJson(const Tensor& tensor) {
  return VisitDType(tensor.dtype(), [&](auto tag) -> json {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, std::nullptr_t>) {
      return json::array();
    } else {
      json list = json::array();
      const T* data = tensor.data<T>();
      for (int64_t i = 0; i < tensor.num_elements(); ++i) list.push_back(ElementToJson(data[i]));
      return list;
    }
  });
}

json TensorToNestedJson(const Tensor& tensor) {
  return VisitDType(tensor.dtype(), [&](auto tag) -> json {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, std::nullptr_t>) {
      return json::array();
    } else {
      int64_t next = 0;
      return Nested(tensor.data<T>(), tensor.shape(), 0, &next);
    }
  });
}

json RowToNestedJson(const Tensor& tensor, int64_t row) {
  return VisitDType(tensor.dtype(), [&](auto tag) -> json {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, std::nullptr_t>) {
      return json::array();
    } else {
      const Shape& shape = tensor.shape();
      const int64_t row_elements = shape[0] == 0 ? 0 : tensor.num_elements() / shape[0];
      int64_t next = row * row_elements;
      return Nested(tensor.data<T>(), shape, 1, &next);
    }
  });
}

}  // namespace brisk::server
