// Fuzzes the server's REST request parsing: a KServe v2 infer body (the first byte picks
// whether the rest is split into a JSON header and binary tensors by
// Inference-Header-Content-Length) and a TF Serving :predict body against a two-input model.
// Any input must give a request or a Status, never a crash or a read out of bounds.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "server/kserve_rest.h"
#include "server/tfserving_rest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace brisk::server;
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  std::string body(reinterpret_cast<const char*>(data + 1), size - 1);

  HttpRequest http;
  http.method = "POST";
  http.path = "/v2/models/m/infer";
  http.body = body;
  if (mode & 1) {
    // A header length somewhere inside (or past) the body.
    http.headers.emplace_back("inference-header-content-length",
                              std::to_string((mode >> 1) * body.size() / 64));
  }
  (void)ParseKServeInfer(http, "m", "");

  ModelMetadata model;
  model.name = "m";
  model.version = 1;
  model.inputs = {{"x", brisk::DType::kFloat32, {-1, 3}}, {"ids", brisk::DType::kInt64, {-1}}};
  model.outputs = {{"y", brisk::DType::kFloat32, {-1, 3}}};
  nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_object()) {
    (void)ParseTfServingPredict(json, model);
    model.inputs.resize(1);  // the single-input forms
    (void)ParseTfServingPredict(json, model);
  }
  return 0;
}
