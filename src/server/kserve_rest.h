// The KServe Open Inference Protocol v2 over REST (what Triton serves on /v2), with the binary
// tensor data extension:
//   GET  /v2/health/live, /v2/health/ready, /v2
//   GET  /v2/models/{m}[/versions/{v}], .../ready, .../config
//   POST /v2/models/{m}[/versions/{v}]/infer
//   POST /v2/repository/index, /v2/repository/models/{m}/load, .../unload
#pragma once

#include "server/http_server.h"
#include "server/inference.h"

namespace brisk::server {

// A parsed infer request and how each output should be returned.
struct KServeInferRequest {
  InferRequest request;
  bool all_binary = false;          // parameters.binary_data_output
  std::vector<bool> output_binary;  // per requested output: binary_data
};
// Parses POST .../infer: JSON, or JSON + binary tensors split by Inference-Header-Content-Length.
StatusOr<KServeInferRequest> ParseKServeInfer(const HttpRequest& http, std::string model,
                                              std::string version);

// Answers a request whose path starts with /v2 (404 JSON for unknown routes).
void HandleKServeRest(InferenceService& service, HttpRequest&& request, HttpReply reply);

}  // namespace brisk::server
