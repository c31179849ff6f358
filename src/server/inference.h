// The protocol-independent core of `brisk serve`: what the REST front ends (KServe v2, TF
// Serving) and the gRPC front end (KServe v2 over gRPC) all call.
//
// A front end parses its wire format into an InferRequest (tensors owned by the request), calls
// InferenceService::Infer, and turns the InferResult or the error Status into its wire format.
// Status codes map to protocols in one place (http_status.h / the gRPC front end):
//   InvalidArgument -> 400 / INVALID_ARGUMENT     NotFound -> 404 / NOT_FOUND
//   ResourceExhausted -> 429 / RESOURCE_EXHAUSTED DeadlineExceeded -> 504 / DEADLINE_EXCEEDED
//   FailedPrecondition (not ready) -> 503 / UNAVAILABLE  Cancelled (shutting down) -> 503 / UNAVAILABLE
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "brisk/session.h"
#include "brisk/status.h"
#include "brisk/tensor.h"

namespace brisk::server {

class ModelRepository;
class Metrics;

// Which front end a request came through (a label of the metrics).
enum class Protocol { kKServeRest, kKServeGrpc, kTfServingRest };
std::string_view ProtocolName(Protocol protocol);  // "kserve_rest", "kserve_grpc", "tfserving_rest"

struct InferRequest {
  std::string model;
  std::string version;  // "" = the newest ready version
  std::string id;       // echoed in the result
  NamedTensors inputs;  // owned tensors (Tensor::Allocate), dim 0 = the request's rows
  // Outputs to return, by name; empty = all of the model's outputs in model order.
  std::vector<std::string> outputs;
  int64_t timeout_us = 0;  // 0 = the model's default (its config), else queue deadline
  Protocol protocol = Protocol::kKServeRest;
};

struct InferResult {
  std::string model;
  int64_t version = 0;
  std::string id;
  NamedTensors outputs;  // in the order asked for (or model order)
};

using InferDone = std::function<void(StatusOr<InferResult>)>;

// A model's (one version's) description, for the metadata endpoints.
struct ModelMetadata {
  std::string name;
  std::vector<int64_t> versions;  // ready versions, ascending
  int64_t version = 0;            // the version described
  std::string platform = "onnxruntime_onnx";  // what Triton reports for ONNX models
  int max_batch_size = 0;         // 0 = no batching: shapes are the model's own
  // Shapes with -1 for variable dims (Triton's convention); with max_batch_size > 0 they
  // include the leading batch dim as -1.
  struct Tensor {
    std::string name;
    DType dtype = DType::kUndefined;
    std::vector<int64_t> shape;
  };
  std::vector<Tensor> inputs;
  std::vector<Tensor> outputs;
};

// One entry of the repository index (loaded or not).
struct ModelIndexEntry {
  std::string name;
  std::string version;  // "" for a model that is not loaded
  std::string state;    // "READY", "UNAVAILABLE", "LOADING"
  std::string reason;   // why it is not ready (load error)
};

class InferenceService {
 public:
  InferenceService(std::shared_ptr<ModelRepository> repository, std::shared_ptr<Metrics> metrics);
  ~InferenceService();

  bool Live() const;   // the process is up and not shutting down
  bool Ready() const;  // live, and every model of the repository is loaded and warmed up
  StatusOr<ModelMetadata> Metadata(const std::string& model, const std::string& version) const;
  // OK when that model (version) is loaded and ready; NotFound otherwise (message says why).
  Status ModelReady(const std::string& model, const std::string& version) const;

  // Validates the request (model, version, input names, dtypes, shapes, output names) and
  // queues it; `done` is called exactly once, on any thread, possibly before Infer returns.
  // Errors found before queueing are also delivered through `done`.
  void Infer(InferRequest request, InferDone done);

  std::vector<ModelIndexEntry> Index() const;
  Status Load(const std::string& model);    // (re)load from the repository folder
  Status Unload(const std::string& model);  // waits for its queued requests

  // Stop accepting requests (Infer fails with Cancelled, Live()/Ready() turn false); queued
  // and running requests finish.
  void BeginShutdown();

  ModelRepository& repository() { return *repository_; }
  Metrics& metrics() { return *metrics_; }

 private:
  std::shared_ptr<ModelRepository> repository_;
  std::shared_ptr<Metrics> metrics_;
  std::atomic<bool> shutting_down_{false};
};

}  // namespace brisk::server
