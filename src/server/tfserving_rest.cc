// TF Serving REST: row ("instances") and columnar ("inputs") predict requests, status, metadata.
#include "server/tfserving_rest.h"

#include "server/json_tensors.h"
#include "server/rest_common.h"

namespace brisk::server {
namespace {

using json = nlohmann::json;

// Stacks per-row values (each a nested list without the batch dim) into one tensor.
StatusOr<Tensor> StackRows(const std::vector<const json*>& rows, DType dtype,
                           const std::string& what) {
  json stacked = json::array();
  for (const json* row : rows) stacked.push_back(*row);
  return TensorFromNestedJson(stacked, dtype, what);
}

}  // namespace

StatusOr<InferRequest> ParseTfServingPredict(const json& body, const ModelMetadata& model) {
  InferRequest r;
  r.model = model.name;
  r.version = std::to_string(model.version);
  r.protocol = Protocol::kTfServingRest;
  const bool rows = body.contains("instances");
  const bool columns = body.contains("inputs");
  if (rows == columns) {
    return InvalidArgument("the request must have exactly one of 'instances' (row format) or "
                           "'inputs' (columnar format)");
  }
  auto input_dtype = [&](const std::string& name) -> StatusOr<DType> {
    for (const auto& t : model.inputs) {
      if (t.name == name) return t.dtype;
    }
    std::string names;
    for (const auto& t : model.inputs) names += (names.empty() ? "'" : ", '") + t.name + "'";
    return InvalidArgument("model '" + model.name + "' has no input '" + name + "' (inputs: " +
                           names + ")");
  };
  if (rows) {
    const json& instances = body["instances"];
    if (!instances.is_array() || instances.empty()) {
      return InvalidArgument("'instances' must be a non-empty list (one item per row)");
    }
    const bool named = instances[0].is_object();
    if (!named && model.inputs.size() != 1) {
      return InvalidArgument("model '" + model.name + "' has " +
                             std::to_string(model.inputs.size()) + " inputs: each instance must "
                             "be an object naming them");
    }
    std::vector<std::string> names;
    if (named) {
      for (const auto& [key, value] : instances[0].items()) names.push_back(key);
    } else {
      names.push_back(model.inputs[0].name);
    }
    for (const std::string& name : names) {
      std::vector<const json*> values;
      for (size_t i = 0; i < instances.size(); ++i) {
        const json& instance = instances[i];
        if (named != instance.is_object() || (named && !instance.contains(name))) {
          return InvalidArgument("instance " + std::to_string(i) + " does not have input '" +
                                 name + "' like instance 0");
        }
        values.push_back(named ? &instance[name] : &instance);
      }
      BRISK_ASSIGN_OR_RETURN(DType dtype, input_dtype(name));
      BRISK_ASSIGN_OR_RETURN(Tensor t, StackRows(values, dtype, "input '" + name + "'"));
      r.inputs.emplace_back(name, std::move(t));
    }
    return r;
  }
  const json& inputs = body["inputs"];
  if (inputs.is_object()) {
    for (const auto& [name, value] : inputs.items()) {
      BRISK_ASSIGN_OR_RETURN(DType dtype, input_dtype(name));
      BRISK_ASSIGN_OR_RETURN(Tensor t, TensorFromNestedJson(value, dtype, "input '" + name + "'"));
      r.inputs.emplace_back(name, std::move(t));
    }
  } else {
    if (model.inputs.size() != 1) {
      return InvalidArgument("model '" + model.name + "' has " +
                             std::to_string(model.inputs.size()) + " inputs: 'inputs' must be an "
                             "object naming them");
    }
    const std::string& name = model.inputs[0].name;
    BRISK_ASSIGN_OR_RETURN(Tensor t,
                           TensorFromNestedJson(inputs, model.inputs[0].dtype, "input '" + name + "'"));
    r.inputs.emplace_back(name, std::move(t));
  }
  return r;
}

namespace {

json PredictResponse(const InferResult& result, bool rows) {
  if (!rows) {
    if (result.outputs.size() == 1) return {{"outputs", TensorToNestedJson(result.outputs[0].second)}};
    json outputs = json::object();
    for (const auto& [name, tensor] : result.outputs) outputs[name] = TensorToNestedJson(tensor);
    return {{"outputs", outputs}};
  }
  json predictions = json::array();
  const int64_t n = result.outputs.empty() || result.outputs[0].second.rank() == 0
                        ? 0
                        : result.outputs[0].second.dim(0);
  for (int64_t row = 0; row < n; ++row) {
    if (result.outputs.size() == 1) {
      predictions.push_back(RowToNestedJson(result.outputs[0].second, row));
      continue;
    }
    json item = json::object();
    for (const auto& [name, tensor] : result.outputs) {
      if (tensor.rank() > 0 && tensor.dim(0) == n) item[name] = RowToNestedJson(tensor, row);
    }
    predictions.push_back(std::move(item));
  }
  return {{"predictions", predictions}};
}

std::string TfDType(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: return "DT_FLOAT";
    case DType::kFloat64: return "DT_DOUBLE";
    case DType::kFloat16: return "DT_HALF";
    case DType::kBFloat16: return "DT_BFLOAT16";
    case DType::kInt8: return "DT_INT8";
    case DType::kUInt8: return "DT_UINT8";
    case DType::kInt16: return "DT_INT16";
    case DType::kUInt16: return "DT_UINT16";
    case DType::kInt32: return "DT_INT32";
    case DType::kUInt32: return "DT_UINT32";
    case DType::kInt64: return "DT_INT64";
    case DType::kUInt64: return "DT_UINT64";
    case DType::kBool: return "DT_BOOL";
    case DType::kString: return "DT_STRING";
    default: return "DT_INVALID";
  }
}

json SignatureJson(const ModelMetadata& m) {
  auto tensors = [](const std::vector<ModelMetadata::Tensor>& list) {
    json out = json::object();
    for (const auto& t : list) {
      json dims = json::array();
      for (int64_t d : t.shape) dims.push_back({{"size", std::to_string(d)}, {"name", ""}});
      out[t.name] = {{"dtype", TfDType(t.dtype)},
                     {"tensor_shape", {{"dim", dims}, {"unknown_rank", false}}},
                     {"name", t.name}};
    }
    return out;
  };
  return {{"model_spec",
           {{"name", m.name}, {"signature_name", ""}, {"version", std::to_string(m.version)}}},
          {"metadata",
           {{"signature_def",
             {{"signature_def",
               {{"serving_default",
                 {{"inputs", tensors(m.inputs)},
                  {"outputs", tensors(m.outputs)},
                  {"method_name", "tensorflow/serving/predict"}}}}}}}}}};
}

}  // namespace

void HandleTfServingRest(InferenceService& service, HttpRequest&& request, HttpReply reply) {
  // /v1/models/{m}[/versions/{v}][:predict | /metadata]; ":predict" ends the last segment.
  std::vector<std::string> seg = SplitPath(request.path);
  std::string verb;
  if (!seg.empty()) {
    const size_t colon = seg.back().rfind(':');
    if (colon != std::string::npos) {
      verb = seg.back().substr(colon + 1);
      seg.back().resize(colon);
    }
  }
  if (seg.size() < 3 || seg[1] != "models") {
    reply(ErrorResponse(404, "no route " + request.method + " " + request.path));
    return;
  }
  const std::string model = seg[2];
  std::string version;
  size_t next = 3;
  if (seg.size() >= 5 && seg[3] == "versions") {
    version = seg[4];
    next = 5;
  }
  const std::string tail = next < seg.size() ? seg[next] : "";
  if (next + 1 < seg.size() || (!tail.empty() && tail != "metadata") ||
      (!verb.empty() && (verb != "predict" || !tail.empty()))) {
    reply(ErrorResponse(404, "no route " + request.method + " " + request.path +
                                 (verb.empty() || verb == "predict" ? "" : " (only :predict is "
                                                                           "supported)")));
    return;
  }
  StatusOr<ModelMetadata> metadata = service.Metadata(model, version);
  if (verb == "predict") {
    if (request.method != "POST") {
      reply(ErrorResponse(405, "use POST for " + request.path));
      return;
    }
    if (!metadata.ok()) {
      reply(ErrorResponse(metadata.status()));
      return;
    }
    StatusOr<json> body = ParseJsonBody(request.body);
    if (!body.ok()) {
      reply(ErrorResponse(body.status()));
      return;
    }
    const bool rows = body->contains("instances");
    StatusOr<InferRequest> infer = ParseTfServingPredict(*body, *metadata);
    if (!infer.ok()) {
      reply(ErrorResponse(infer.status()));
      return;
    }
    service.Infer(std::move(infer).value(), [rows, reply](StatusOr<InferResult> result) {
      reply(result.ok() ? JsonResponse(PredictResponse(*result, rows))
                        : ErrorResponse(result.status()));
    });
    return;
  }
  if (request.method != "GET") {
    reply(ErrorResponse(405, "use GET for " + request.path));
    return;
  }
  if (!metadata.ok()) {
    reply(ErrorResponse(metadata.status()));
    return;
  }
  if (tail == "metadata") {
    reply(JsonResponse(SignatureJson(*metadata)));
    return;
  }
  json status = json::array();
  for (int64_t v : metadata->versions) {
    if (!version.empty() && std::to_string(v) != version) continue;
    status.push_back({{"version", std::to_string(v)},
                      {"state", "AVAILABLE"},
                      {"status", {{"error_code", "OK"}, {"error_message", ""}}}});
  }
  reply(JsonResponse({{"model_version_status", status}}));
}

}  // namespace brisk::server
