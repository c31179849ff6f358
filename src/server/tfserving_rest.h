// TensorFlow Serving's REST API:
//   POST /v1/models/{m}[/versions/{v}]:predict   {"instances": [...]} (row) or {"inputs": ...}
//                                                 (columnar) -> {"predictions"} / {"outputs"}
//   GET  /v1/models/{m}[/versions/{v}]            model status
//   GET  /v1/models/{m}[/versions/{v}]/metadata   signature (serving_default)
// Values are JSON numbers in nested lists; their dtype is the model input's.
#pragma once

#include <nlohmann/json.hpp>

#include "server/http_server.h"
#include "server/inference.h"

namespace brisk::server {

// Parses a :predict body ("instances" or "inputs") against the model's inputs.
StatusOr<InferRequest> ParseTfServingPredict(const nlohmann::json& body,
                                             const ModelMetadata& model);

// Answers a request whose path starts with /v1 (404 JSON for unknown routes).
void HandleTfServingRest(InferenceService& service, HttpRequest&& request, HttpReply reply);

}  // namespace brisk::server
