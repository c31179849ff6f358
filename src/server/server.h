// `brisk serve`: the model repository, the InferenceService, the HTTP front ends (KServe v2 and
// TF Serving REST, /metrics) and the gRPC front end (KServe v2), started and stopped together.
//
// Start() loads every model (compiled and warmed up) before it binds the ports, so a client that
// can connect finds the server ready. Shutdown() is graceful: new requests get 503/UNAVAILABLE,
// requests already received are answered (up to the grace period), then the models' queues
// drain and everything stops.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "brisk/status.h"

namespace brisk::server {

class InferenceService;

struct ServeOptions {
  std::string model_repository;
  std::string host = "0.0.0.0";
  int http_port = 8000;  // 0 = any free port; -1 = no HTTP
  int grpc_port = 8001;  // 0 = any free port; -1 = no gRPC
  int http_threads = 2;
  uint64_t max_body_bytes = uint64_t(64) << 20;
  int64_t max_queue_size = 1024;  // per model version, unless its config sets one
  std::chrono::milliseconds shutdown_grace{30000};
  // Access log, one JSON object per HTTP response: "" = off, "-" = stderr, else a file path.
  std::string access_log;
};

class Server {
 public:
  static StatusOr<std::unique_ptr<Server>> Start(const ServeOptions& options);
  ~Server();  // Shutdown()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int http_port() const;  // the bound ports (-1 when off)
  int grpc_port() const;
  InferenceService& service();
  void Shutdown();  // graceful; idempotent

  class Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace brisk::server
