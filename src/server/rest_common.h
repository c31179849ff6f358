// What the REST front ends share: Status -> HTTP status, JSON answers and errors, URL paths.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "brisk/status.h"
#include "server/http_server.h"

namespace brisk::server {

// InvalidArgument 400, NotFound 404, ResourceExhausted 429, DeadlineExceeded 504,
// Cancelled/FailedPrecondition 503 (shutting down, not ready), Unimplemented 501, others 500.
int HttpStatusFor(StatusCode code);

HttpResponse JsonResponse(const nlohmann::json& body, int status = 200);
// {"error": "<message>"} with the status for `status.code()`.
HttpResponse ErrorResponse(const Status& status);
HttpResponse ErrorResponse(int http_status, const std::string& message);

// "/v2/models/a%2Fb/infer" -> {"v2", "models", "a/b", "infer"} (percent-decoded segments; empty
// segments dropped).
std::vector<std::string> SplitPath(std::string_view path);

// Parses a request body as JSON; the error says where the JSON is malformed.
StatusOr<nlohmann::json> ParseJsonBody(std::string_view body);

}  // namespace brisk::server
