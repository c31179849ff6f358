// KServe v2 REST: routing, the infer request/response codec (JSON and binary), metadata.
#include "server/kserve_rest.h"

#include <charconv>

#include "server/json_tensors.h"
#include "server/model_config.h"
#include "server/model_repository.h"
#include "server/rest_common.h"

namespace brisk::server {
namespace {

using json = nlohmann::json;
constexpr char kHeaderLength[] = "inference-header-content-length";

// "application/octet-stream" answers carry the JSON header first and its length in a header.
struct Body {
  std::string_view json_text;
  std::string_view binary;
};

StatusOr<Body> SplitBody(const HttpRequest& request) {
  const std::string& header = request.Header(kHeaderLength);
  if (header.empty()) return Body{request.body, {}};
  size_t length = 0;
  const auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), length);
  if (ec != std::errc() || end != header.data() + header.size()) {
    return InvalidArgument("Inference-Header-Content-Length '" + header + "' is not a number");
  }
  if (length > request.body.size()) {
    return InvalidArgument("Inference-Header-Content-Length " + header + " is larger than the "
                           "body (" + std::to_string(request.body.size()) + " bytes)");
  }
  std::string_view body = request.body;
  return Body{body.substr(0, length), body.substr(length)};
}

StatusOr<int64_t> GetInt(const json& object, const char* key, const std::string& where) {
  const json& value = object.at(key);
  if (!value.is_number_integer()) {
    return InvalidArgument(where + ": '" + key + "' must be an integer");
  }
  return value.get<int64_t>();
}

// One "inputs" entry -> a named tensor; binary data comes from `binary` at `*offset`.
StatusOr<std::pair<std::string, Tensor>> ParseInput(const json& input, std::string_view binary,
                                                    size_t* offset) {
  if (!input.is_object()) return InvalidArgument("each of 'inputs' must be an object");
  if (!input.contains("name") || !input["name"].is_string()) {
    return InvalidArgument("an input has no 'name'");
  }
  const std::string name = input["name"].get<std::string>();
  const std::string what = "input '" + name + "'";
  if (!input.contains("datatype") || !input["datatype"].is_string()) {
    return InvalidArgument(what + ": no 'datatype'");
  }
  StatusOr<DType> dtype = ParseTritonDType(input["datatype"].get<std::string>());
  if (!dtype.ok()) return InvalidArgument(what + ": " + dtype.status().message());
  if (!input.contains("shape") || !input["shape"].is_array()) {
    return InvalidArgument(what + ": no 'shape' list");
  }
  std::vector<int64_t> dims;
  for (const json& d : input["shape"]) {
    if (!d.is_number_integer()) return InvalidArgument(what + ": 'shape' must list integers");
    dims.push_back(d.get<int64_t>());
  }
  const Shape shape(dims);
  const json* parameters = input.contains("parameters") ? &input["parameters"] : nullptr;
  if (parameters && parameters->is_object() && parameters->contains("binary_data_size")) {
    BRISK_ASSIGN_OR_RETURN(int64_t size, GetInt(*parameters, "binary_data_size", what));
    if (size < 0 || size_t(size) > binary.size() - *offset) {
      return InvalidArgument(what + ": binary_data_size " + std::to_string(size) +
                             " is beyond the binary part of the body (" +
                             std::to_string(binary.size() - *offset) + " bytes left)");
    }
    std::string_view bytes = binary.substr(*offset, size_t(size));
    *offset += size_t(size);
    BRISK_ASSIGN_OR_RETURN(Tensor tensor, TensorFromBytes(bytes, *dtype, shape, what));
    return std::pair{name, std::move(tensor)};
  }
  if (!input.contains("data")) return InvalidArgument(what + ": no 'data' (and no binary data)");
  BRISK_ASSIGN_OR_RETURN(Tensor tensor, TensorFromJson(input["data"], *dtype, shape, what));
  return std::pair{name, std::move(tensor)};
}

bool WantsBinary(const json& object) {
  if (!object.is_object() || !object.contains("parameters")) return false;
  const json& p = object["parameters"];
  for (const char* key : {"binary_data", "binary_data_output"}) {
    if (p.is_object() && p.contains(key) && p[key].is_boolean() && p[key].get<bool>()) return true;
  }
  return false;
}

}  // namespace

StatusOr<KServeInferRequest> ParseKServeInfer(const HttpRequest& http, std::string model,
                                              std::string version) {
  if (!http.Header("content-encoding").empty() && http.Header("content-encoding") != "identity") {
    return Status(StatusCode::kUnimplemented,
                  "Content-Encoding '" + http.Header("content-encoding") + "' is not supported");
  }
  BRISK_ASSIGN_OR_RETURN(Body body, SplitBody(http));
  BRISK_ASSIGN_OR_RETURN(json j, ParseJsonBody(body.json_text));
  KServeInferRequest parsed;
  InferRequest& r = parsed.request;
  r.model = std::move(model);
  r.version = std::move(version);
  r.protocol = Protocol::kKServeRest;
  if (j.contains("id")) {
    if (!j["id"].is_string()) return InvalidArgument("'id' must be a string");
    r.id = j["id"].get<std::string>();
  }
  if (j.contains("parameters") && j["parameters"].is_object()) {
    const json& p = j["parameters"];
    parsed.all_binary = WantsBinary(j);
    if (p.contains("timeout")) {
      BRISK_ASSIGN_OR_RETURN(r.timeout_us, GetInt(p, "timeout", "parameters"));
    }
  }
  if (!j.contains("inputs") || !j["inputs"].is_array() || j["inputs"].empty()) {
    return InvalidArgument("the request has no 'inputs' list");
  }
  size_t offset = 0;
  for (const json& input : j["inputs"]) {
    BRISK_ASSIGN_OR_RETURN(auto named, ParseInput(input, body.binary, &offset));
    for (const auto& [name, tensor] : r.inputs) {
      if (name == named.first) return InvalidArgument("input '" + name + "' given twice");
    }
    r.inputs.push_back(std::move(named));
  }
  if (offset != body.binary.size()) {
    return InvalidArgument(std::to_string(body.binary.size() - offset) + " bytes of binary data "
                           "after the inputs that no input's binary_data_size accounts for");
  }
  if (j.contains("outputs")) {
    if (!j["outputs"].is_array()) return InvalidArgument("'outputs' must be a list");
    for (const json& output : j["outputs"]) {
      if (!output.is_object() || !output.contains("name") || !output["name"].is_string()) {
        return InvalidArgument("each of 'outputs' must be an object with a 'name'");
      }
      r.outputs.push_back(output["name"].get<std::string>());
      parsed.output_binary.push_back(WantsBinary(output) || parsed.all_binary);
    }
  }
  return parsed;
}

namespace {

HttpResponse InferResponse(const InferResult& result, const KServeInferRequest& parsed) {
  json j;
  j["model_name"] = result.model;
  j["model_version"] = std::to_string(result.version);
  if (!result.id.empty()) j["id"] = result.id;
  json outputs = json::array();
  std::string binary;
  bool any_binary = false;
  for (size_t i = 0; i < result.outputs.size(); ++i) {
    const auto& [name, tensor] = result.outputs[i];
    json o = {{"name", name},
              {"datatype", TritonDTypeName(tensor.dtype())},
              {"shape", std::vector<int64_t>(tensor.shape().dims().begin(),
                                             tensor.shape().dims().end())}};
    const bool as_binary =
        i < parsed.output_binary.size() ? parsed.output_binary[i] : parsed.all_binary;
    if (as_binary) {
      any_binary = true;
      o["parameters"] = {{"binary_data_size", tensor.byte_size()}};
      binary.append(static_cast<const char*>(tensor.raw_data()), tensor.byte_size());
    } else {
      o["data"] = TensorToFlatJson(tensor);
    }
    outputs.push_back(std::move(o));
  }
  j["outputs"] = std::move(outputs);
  HttpResponse response = JsonResponse(j);
  if (any_binary) {
    response.headers.emplace_back("Inference-Header-Content-Length",
                                  std::to_string(response.body.size()));
    response.content_type = "application/octet-stream";
    response.body += binary;
  }
  return response;
}

json MetadataJson(const ModelMetadata& m) {
  auto tensors = [](const std::vector<ModelMetadata::Tensor>& list) {
    json out = json::array();
    for (const auto& t : list) {
      out.push_back({{"name", t.name}, {"datatype", TritonDTypeName(t.dtype)}, {"shape", t.shape}});
    }
    return out;
  };
  json versions = json::array();
  for (int64_t v : m.versions) versions.push_back(std::to_string(v));
  return {{"name", m.name},
          {"versions", versions},
          {"platform", m.platform},
          {"inputs", tensors(m.inputs)},
          {"outputs", tensors(m.outputs)}};
}

// Triton's model configuration JSON (what tritonclient's get_model_config reads).
json ConfigJson(const ModelMetadata& m, const ResolvedConfig& c) {
  auto tensors = [&](const std::vector<ModelMetadata::Tensor>& list) {
    json out = json::array();
    for (const auto& t : list) {
      std::vector<int64_t> dims = t.shape;
      if (c.max_batch_size > 0 && !dims.empty()) dims.erase(dims.begin());
      std::string type = "TYPE_" + std::string(TritonDTypeName(t.dtype));
      if (t.dtype == DType::kString) type = "TYPE_STRING";
      out.push_back({{"name", t.name}, {"data_type", type}, {"dims", dims}});
    }
    return out;
  };
  json j = {{"name", m.name},
            {"platform", m.platform},
            {"max_batch_size", c.max_batch_size},
            {"input", tensors(m.inputs)},
            {"output", tensors(m.outputs)},
            {"instance_group", json::array({{{"count", c.instance_count}, {"kind", "KIND_CPU"}}})}};
  if (c.dynamic_batching) {
    j["dynamic_batching"] = {{"preferred_batch_size", c.preferred_batch_sizes},
                             {"max_queue_delay_microseconds", c.max_queue_delay_us},
                             {"default_queue_policy", {{"max_queue_size", c.max_queue_size}}}};
  }
  return j;
}

void HandleModel(InferenceService& service, HttpRequest&& request,
                 const std::vector<std::string>& seg, HttpReply& reply) {
  // seg: v2 models {m} [versions {v}] [action]
  const std::string& model = seg[2];
  size_t next = 3;
  std::string version;
  if (seg.size() >= 5 && seg[3] == "versions") {
    version = seg[4];
    next = 5;
  }
  const std::string action = next < seg.size() ? seg[next] : "";
  if (next + 1 < seg.size() || (action != "" && action != "ready" && action != "infer" &&
                                action != "config")) {
    reply(ErrorResponse(404, "no route " + request.method + " " + request.path));
    return;
  }
  const bool post = request.method == "POST";
  if (action == "infer") {
    if (!post) {
      reply(ErrorResponse(405, "use POST for " + request.path));
      return;
    }
    StatusOr<KServeInferRequest> parsed = ParseKServeInfer(request, model, version);
    if (!parsed.ok()) {
      reply(ErrorResponse(parsed.status()));
      return;
    }
    auto shared = std::make_shared<KServeInferRequest>(std::move(parsed).value());
    InferRequest infer = std::move(shared->request);
    service.Infer(std::move(infer), [shared, reply](StatusOr<InferResult> result) {
      reply(result.ok() ? InferResponse(*result, *shared) : ErrorResponse(result.status()));
    });
    return;
  }
  if (post) {
    reply(ErrorResponse(405, "use GET for " + request.path));
    return;
  }
  if (action == "ready") {
    Status ready = service.ModelReady(model, version);
    reply(ready.ok() ? JsonResponse({{"name", model}, {"ready", true}})
                     : ErrorResponse(ready));
    return;
  }
  StatusOr<ModelMetadata> metadata = service.Metadata(model, version);
  if (!metadata.ok()) {
    reply(ErrorResponse(metadata.status()));
    return;
  }
  if (action == "config") {
    StatusOr<std::shared_ptr<ServedModel>> served = service.repository().Find(model, version);
    if (!served.ok()) {
      reply(ErrorResponse(served.status()));
      return;
    }
    reply(JsonResponse(ConfigJson(*metadata, (*served)->config())));
    return;
  }
  reply(JsonResponse(MetadataJson(*metadata)));
}

void HandleRepository(InferenceService& service, const HttpRequest& request,
                      const std::vector<std::string>& seg, HttpReply& reply) {
  if (request.method != "POST") {
    reply(ErrorResponse(405, "use POST for " + request.path));
    return;
  }
  if (seg.size() == 3 && seg[2] == "index") {
    json index = json::array();
    for (const ModelIndexEntry& e : service.Index()) {
      json entry = {{"name", e.name}, {"state", e.state}};
      if (!e.version.empty()) entry["version"] = e.version;
      if (!e.reason.empty()) entry["reason"] = e.reason;
      index.push_back(std::move(entry));
    }
    reply(JsonResponse(index));
    return;
  }
  if (seg.size() == 5 && seg[2] == "models" && (seg[4] == "load" || seg[4] == "unload")) {
    Status status = seg[4] == "load" ? service.Load(seg[3]) : service.Unload(seg[3]);
    reply(status.ok() ? JsonResponse(json::object()) : ErrorResponse(status));
    return;
  }
  reply(ErrorResponse(404, "no route " + request.method + " " + request.path));
}

}  // namespace

void HandleKServeRest(InferenceService& service, HttpRequest&& request, HttpReply reply) {
  const std::vector<std::string> seg = SplitPath(request.path);
  const bool get = request.method == "GET" || request.method == "HEAD";
  if (seg.size() == 1) {  // GET /v2
    reply(JsonResponse({{"name", "brisk"},
                        {"version", "0.1.0"},
                        {"extensions", {"binary_tensor_data", "model_repository"}}}));
    return;
  }
  if (seg.size() == 3 && seg[1] == "health" && get) {
    const bool ok = seg[2] == "live" ? service.Live() : seg[2] == "ready" ? service.Ready() : false;
    if (seg[2] != "live" && seg[2] != "ready") {
      reply(ErrorResponse(404, "no route " + request.method + " " + request.path));
      return;
    }
    reply(JsonResponse({{seg[2], ok}}, ok ? 200 : 503));
    return;
  }
  if (seg.size() >= 3 && seg[1] == "models") {
    HandleModel(service, std::move(request), seg, reply);
    return;
  }
  if (seg.size() >= 3 && seg[1] == "repository") {
    HandleRepository(service, request, seg, reply);
    return;
  }
  reply(ErrorResponse(404, "no route " + request.method + " " + request.path));
}

}  // namespace brisk::server
