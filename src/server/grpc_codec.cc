// Decoding ModelInferRequest (raw or typed contents) and encoding ModelInferResponse.
#include "server/grpc_codec.h"

#include <cstring>

#include "server/json_tensors.h"
#include "server/model_config.h"

namespace brisk::server {
namespace {

// Copies a typed-contents list into a new tensor, converting (with range checks) to `dtype`.
template <typename T, typename List>
StatusOr<Tensor> FromList(const List& values, DType dtype, const Shape& shape,
                          const std::string& what) {
  BRISK_ASSIGN_OR_RETURN(Tensor tensor, Tensor::Allocate(dtype, shape));
  if (int64_t(values.size()) != tensor.num_elements()) {
    return InvalidArgument(what + ": " + std::to_string(values.size()) + " values in 'contents' "
                           "for shape " + shape.ToString() + ", which holds " +
                           std::to_string(tensor.num_elements()));
  }
  T* out = tensor.data<T>();
  for (int i = 0; i < values.size(); ++i) {
    const auto v = values.Get(i);
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      if (v < decltype(v)(std::numeric_limits<T>::min()) ||
          v > decltype(v)(std::numeric_limits<T>::max())) {
        return InvalidArgument(what + ": element " + std::to_string(i) + " (" + std::to_string(v) +
                               ") is out of range for " + std::string(DTypeName(dtype)));
      }
    }
    out[i] = T(v);
  }
  return tensor;
}

StatusOr<Tensor> FromContents(const inference::InferTensorContents& c, DType dtype,
                              const Shape& shape, const std::string& what) {
  switch (dtype) {
    case DType::kBool: return FromList<bool>(c.bool_contents(), dtype, shape, what);
    case DType::kInt8: return FromList<int8_t>(c.int_contents(), dtype, shape, what);
    case DType::kInt16: return FromList<int16_t>(c.int_contents(), dtype, shape, what);
    case DType::kInt32: return FromList<int32_t>(c.int_contents(), dtype, shape, what);
    case DType::kInt64: return FromList<int64_t>(c.int64_contents(), dtype, shape, what);
    case DType::kUInt8: return FromList<uint8_t>(c.uint_contents(), dtype, shape, what);
    case DType::kUInt16: return FromList<uint16_t>(c.uint_contents(), dtype, shape, what);
    case DType::kUInt32: return FromList<uint32_t>(c.uint_contents(), dtype, shape, what);
    case DType::kUInt64: return FromList<uint64_t>(c.uint64_contents(), dtype, shape, what);
    case DType::kFloat32: return FromList<float>(c.fp32_contents(), dtype, shape, what);
    case DType::kFloat64: return FromList<double>(c.fp64_contents(), dtype, shape, what);
    default:
      return InvalidArgument(what + ": datatype " + std::string(TritonDTypeName(dtype)) +
                             " has no typed 'contents' field; send raw_input_contents");
  }
}

bool HasContents(const inference::InferTensorContents& c) {
  return c.bool_contents_size() || c.int_contents_size() || c.int64_contents_size() ||
         c.uint_contents_size() || c.uint64_contents_size() || c.fp32_contents_size() ||
         c.fp64_contents_size() || c.bytes_contents_size();
}

}  // namespace

StatusOr<InferRequest> InferRequestFromGrpc(const inference::ModelInferRequest& request) {
  InferRequest r;
  r.model = request.model_name();
  r.version = request.model_version();
  r.id = request.id();
  r.protocol = Protocol::kKServeGrpc;
  auto timeout = request.parameters().find("timeout");
  if (timeout != request.parameters().end()) {
    if (timeout->second.parameter_choice_case() != inference::InferParameter::kInt64Param) {
      return InvalidArgument("parameter 'timeout' must be an int64 (microseconds)");
    }
    r.timeout_us = timeout->second.int64_param();
  }
  const bool raw = request.raw_input_contents_size() > 0;
  if (raw && request.raw_input_contents_size() != request.inputs_size()) {
    return InvalidArgument(std::to_string(request.raw_input_contents_size()) +
                           " raw_input_contents for " + std::to_string(request.inputs_size()) +
                           " inputs (one per input, in order)");
  }
  if (request.inputs_size() == 0) return InvalidArgument("the request has no inputs");
  for (int i = 0; i < request.inputs_size(); ++i) {
    const auto& input = request.inputs(i);
    const std::string what = "input '" + input.name() + "'";
    StatusOr<DType> dtype = ParseTritonDType(input.datatype());
    if (!dtype.ok()) return InvalidArgument(what + ": " + dtype.status().message());
    const Shape shape(std::vector<int64_t>(input.shape().begin(), input.shape().end()));
    const bool typed = HasContents(input.contents());
    if (raw && typed) {
      return InvalidArgument(what + ": has both 'contents' and raw_input_contents");
    }
    StatusOr<Tensor> tensor =
        raw ? TensorFromBytes(request.raw_input_contents(i), *dtype, shape, what)
            : typed ? FromContents(input.contents(), *dtype, shape, what)
                    : StatusOr<Tensor>(InvalidArgument(what + ": no data (neither 'contents' nor "
                                                       "raw_input_contents)"));
    if (!tensor.ok()) return tensor.status();
    for (const auto& [name, t] : r.inputs) {
      if (name == input.name()) return InvalidArgument(what + " given twice");
    }
    r.inputs.emplace_back(input.name(), std::move(tensor).value());
  }
  for (const auto& output : request.outputs()) r.outputs.push_back(output.name());
  return r;
}

void InferResultToGrpc(const InferResult& result, inference::ModelInferResponse* response) {
  response->set_model_name(result.model);
  response->set_model_version(std::to_string(result.version));
  response->set_id(result.id);
  for (const auto& [name, tensor] : result.outputs) {
    auto* out = response->add_outputs();
    out->set_name(name);
    out->set_datatype(std::string(TritonDTypeName(tensor.dtype())));
    for (int64_t d : tensor.shape().dims()) out->add_shape(d);
    response->add_raw_output_contents(static_cast<const char*>(tensor.raw_data()),
                                      tensor.byte_size());
  }
}

grpc::Status ToGrpcStatus(const Status& status) {
  grpc::StatusCode code = grpc::StatusCode::INTERNAL;
  switch (status.code()) {
    case StatusCode::kOk: return grpc::Status::OK;
    case StatusCode::kInvalidArgument: code = grpc::StatusCode::INVALID_ARGUMENT; break;
    case StatusCode::kNotFound: code = grpc::StatusCode::NOT_FOUND; break;
    case StatusCode::kUnimplemented: code = grpc::StatusCode::UNIMPLEMENTED; break;
    case StatusCode::kOutOfRange: code = grpc::StatusCode::OUT_OF_RANGE; break;
    case StatusCode::kResourceExhausted: code = grpc::StatusCode::RESOURCE_EXHAUSTED; break;
    case StatusCode::kDeadlineExceeded: code = grpc::StatusCode::DEADLINE_EXCEEDED; break;
    case StatusCode::kFailedPrecondition:
    case StatusCode::kCancelled: code = grpc::StatusCode::UNAVAILABLE; break;
    case StatusCode::kInternal: code = grpc::StatusCode::INTERNAL; break;
  }
  return grpc::Status(code, status.message());
}

}  // namespace brisk::server
