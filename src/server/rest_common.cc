// Shared REST helpers: status mapping, JSON bodies, path segments.
#include "server/rest_common.h"

namespace brisk::server {

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange: return 400;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kResourceExhausted: return 429;
    case StatusCode::kDeadlineExceeded: return 504;
    case StatusCode::kCancelled:
    case StatusCode::kFailedPrecondition: return 503;
    case StatusCode::kUnimplemented: return 501;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

HttpResponse JsonResponse(const nlohmann::json& body, int status) {
  HttpResponse response;
  response.status = status;
  // Invalid UTF-8 (e.g. a model name echoed from a request) is replaced, never thrown on.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

HttpResponse ErrorResponse(int http_status, const std::string& message) {
  return JsonResponse({{"error", message}}, http_status);
}

HttpResponse ErrorResponse(const Status& status) {
  return ErrorResponse(HttpStatusFor(status.code()), status.message());
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> segments;
  std::string current;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      if (!current.empty()) segments.push_back(std::move(current));
      current.clear();
    } else if (path[i] == '%' && i + 2 < path.size() + 0 && hex(path[i + 1]) >= 0 &&
               hex(path[i + 2]) >= 0) {
      current += char(hex(path[i + 1]) * 16 + hex(path[i + 2]));
      i += 2;
    } else {
      current += path[i];
    }
  }
  return segments;
}

StatusOr<nlohmann::json> ParseJsonBody(std::string_view body) {
  if (body.empty()) return InvalidArgument("empty request body (expected a JSON object)");
  nlohmann::json json;
  try {  // nlohmann reports where the JSON is malformed only through its exception
    json = nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("malformed JSON: ") + e.what());
  }
  if (!json.is_object()) return InvalidArgument("the request body must be a JSON object");
  return json;
}

}  // namespace brisk::server
