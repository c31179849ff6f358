// The KServe v2 gRPC front end (`inference.GRPCInferenceService`, proto/inference_grpc.proto) on
// gRPC's callback API: ModelInfer hands the request to the InferenceService and finishes the RPC
// from the result callback, so no thread waits while a request sits in a batching queue.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "brisk/status.h"
#include "server/inference.h"

namespace brisk::server {

struct GrpcFrontendOptions {
  std::string address = "0.0.0.0:8001";  // port 0 = any free port (see port())
  int64_t max_message_bytes = int64_t(64) << 20;
};

class GrpcFrontend {
 public:
  // Binds and starts serving; fails (naming the address) when it cannot bind.
  static StatusOr<std::unique_ptr<GrpcFrontend>> Start(InferenceService& service,
                                                       const GrpcFrontendOptions& options);
  ~GrpcFrontend();  // Shutdown(0)
  GrpcFrontend(const GrpcFrontend&) = delete;
  GrpcFrontend& operator=(const GrpcFrontend&) = delete;

  int port() const;
  // Stops accepting calls; calls in flight may finish within `grace`, then are cancelled.
  void Shutdown(std::chrono::milliseconds grace);

  class Impl;

 private:
  explicit GrpcFrontend(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace brisk::server
