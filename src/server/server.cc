// Start-up, request routing across the front ends, access logs, graceful shutdown.
#include "server/server.h"

#include <cstdio>
#include <ctime>
#include <mutex>

#include "brisk/logging.h"
#include "server/grpc_frontend.h"
#include "server/http_server.h"
#include "server/inference.h"
#include "server/kserve_rest.h"
#include "server/metrics.h"
#include "server/model_repository.h"
#include "server/rest_common.h"
#include "server/tfserving_rest.h"

namespace brisk::server {
namespace {

// One JSON line per response, written whole under a lock.
class AccessLog {
 public:
  static StatusOr<std::unique_ptr<AccessLog>> Open(const std::string& target) {
    if (target == "-") return std::unique_ptr<AccessLog>(new AccessLog(stderr, false));
    FILE* file = std::fopen(target.c_str(), "a");
    if (!file) return InvalidArgument("cannot open the access log '" + target + "'");
    return std::unique_ptr<AccessLog>(new AccessLog(file, true));
  }
  ~AccessLog() {
    if (owned_) std::fclose(file_);
  }
  void Write(const HttpRequest& request, int status, size_t bytes, double seconds) {
    char time[32];
    const std::time_t now = std::time(nullptr);
    std::tm utc;
    gmtime_r(&now, &utc);
    std::strftime(time, sizeof time, "%Y-%m-%dT%H:%M:%SZ", &utc);
    const nlohmann::json line = {{"time", time},          {"peer", request.peer},
                                 {"method", request.method}, {"path", request.path},
                                 {"status", status},      {"bytes", bytes},
                                 {"duration_ms", seconds * 1e3}};
    const std::string text =
        line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::lock_guard lock(mutex_);
    std::fwrite(text.data(), 1, text.size(), file_);
    std::fflush(file_);
  }

 private:
  AccessLog(FILE* file, bool owned) : file_(file), owned_(owned) {}
  FILE* file_;
  bool owned_;
  std::mutex mutex_;
};

}  // namespace

class Server::Impl {
 public:
  ServeOptions options;
  std::shared_ptr<ModelRepository> repository;
  std::shared_ptr<Metrics> metrics;
  std::unique_ptr<InferenceService> service;
  std::unique_ptr<AccessLog> access_log;
  std::unique_ptr<HttpServer> http;
  std::unique_ptr<GrpcFrontend> grpc;
  std::mutex shutdown_mutex;
  bool shut_down = false;

  void Route(HttpRequest&& request, HttpReply reply) {
    const std::string& path = request.path;
    if (path == "/metrics") {
      HttpResponse response;
      response.content_type = "text/plain; version=0.0.4";
      response.body = metrics->Render(*repository);
      reply(std::move(response));
    } else if (path == "/v2" || path.rfind("/v2/", 0) == 0) {
      HandleKServeRest(*service, std::move(request), std::move(reply));
    } else if (path.rfind("/v1/", 0) == 0) {
      HandleTfServingRest(*service, std::move(request), std::move(reply));
    } else {
      reply(ErrorResponse(404, "no route " + request.method + " " + path +
                                   " (the server answers /v2/..., /v1/models/... and /metrics)"));
    }
  }

  void Shutdown() {
    std::lock_guard lock(shutdown_mutex);
    if (shut_down) return;
    shut_down = true;
    Log(LogLevel::kInfo, "brisk serve: shutting down (finishing requests in flight)");
    service->BeginShutdown();
    if (grpc) grpc->Shutdown(options.shutdown_grace);
    if (http) http->Shutdown(options.shutdown_grace);
    repository->ShutdownAll();
  }
};

StatusOr<std::unique_ptr<Server>> Server::Start(const ServeOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  RepositoryOptions repository_options;
  repository_options.root = options.model_repository;
  repository_options.default_max_queue_size = options.max_queue_size;
  BRISK_ASSIGN_OR_RETURN(impl->repository, ModelRepository::Open(repository_options));
  BRISK_RETURN_IF_ERROR(impl->repository->LoadAll());
  impl->metrics = std::make_shared<Metrics>();
  impl->service = std::make_unique<InferenceService>(impl->repository, impl->metrics);
  if (!options.access_log.empty()) {
    BRISK_ASSIGN_OR_RETURN(impl->access_log, AccessLog::Open(options.access_log));
  }
  Impl* self = impl.get();
  if (options.http_port >= 0) {
    HttpServerOptions http;
    http.host = options.host;
    http.port = options.http_port;
    http.io_threads = options.http_threads;
    http.max_body_bytes = options.max_body_bytes;
    BRISK_ASSIGN_OR_RETURN(
        impl->http,
        HttpServer::Start(
            http, [self](HttpRequest&& r, HttpReply reply) { self->Route(std::move(r), reply); },
            [self](const HttpRequest& r, int status, size_t bytes, double seconds) {
              self->metrics->RecordHttpResponse(status);
              if (self->access_log) self->access_log->Write(r, status, bytes, seconds);
            }));
  }
  if (options.grpc_port >= 0) {
    GrpcFrontendOptions grpc;
    grpc.address = options.host + ":" + std::to_string(options.grpc_port);
    grpc.max_message_bytes = int64_t(options.max_body_bytes);
    BRISK_ASSIGN_OR_RETURN(impl->grpc, GrpcFrontend::Start(*impl->service, grpc));
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() { Shutdown(); }

int Server::http_port() const { return impl_->http ? impl_->http->port() : -1; }
int Server::grpc_port() const { return impl_->grpc ? impl_->grpc->port() : -1; }
InferenceService& Server::service() { return *impl_->service; }
void Server::Shutdown() { impl_->Shutdown(); }

}  // namespace brisk::server
