// InferenceService: request checks, the hand-off to the model's batcher, and metrics.
#include "server/inference.h"

#include <algorithm>
#include <chrono>

#include "server/metrics.h"
#include "server/model_repository.h"

namespace brisk::server {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<int64_t> MetadataShape(const TensorInfo& t) {
  std::vector<int64_t> shape;
  if (!t.shape) return shape;
  for (const Dim& d : t.shape->dims) shape.push_back(d.is_known() ? d.value : -1);
  return shape;
}

std::string Names(const std::vector<TensorInfo>& tensors) {
  std::string names;
  for (const TensorInfo& t : tensors) names += (names.empty() ? "'" : ", '") + t.name + "'";
  return names;
}

// Indices into the model's outputs of the requested ones (all, in model order, when none is
// named), or the error naming the unknown output.
StatusOr<std::vector<size_t>> SelectOutputs(const ServedModel& model,
                                            const std::vector<std::string>& requested) {
  const std::vector<TensorInfo>& outputs = model.outputs();
  std::vector<size_t> selected;
  if (requested.empty()) {
    for (size_t i = 0; i < outputs.size(); ++i) selected.push_back(i);
    return selected;
  }
  for (const std::string& name : requested) {
    auto it = std::find_if(outputs.begin(), outputs.end(),
                           [&](const TensorInfo& t) { return t.name == name; });
    if (it == outputs.end()) {
      return InvalidArgument("model '" + model.name() + "' has no output '" + name +
                             "' (outputs: " + Names(outputs) + ")");
    }
    selected.push_back(size_t(it - outputs.begin()));
  }
  return selected;
}

}  // namespace

std::string_view ProtocolName(Protocol protocol) {
  switch (protocol) {
    case Protocol::kKServeRest: return "kserve_rest";
    case Protocol::kKServeGrpc: return "kserve_grpc";
    case Protocol::kTfServingRest: return "tfserving_rest";
  }
  return "unknown";
}

InferenceService::InferenceService(std::shared_ptr<ModelRepository> repository,
                                   std::shared_ptr<Metrics> metrics)
    : repository_(std::move(repository)), metrics_(std::move(metrics)) {}

InferenceService::~InferenceService() = default;

bool InferenceService::Live() const { return !shutting_down_.load(); }

bool InferenceService::Ready() const { return Live() && repository_->AllReady(); }

StatusOr<ModelMetadata> InferenceService::Metadata(const std::string& model,
                                                   const std::string& version) const {
  BRISK_ASSIGN_OR_RETURN(std::shared_ptr<ServedModel> served, repository_->Find(model, version));
  ModelMetadata m;
  m.name = served->name();
  m.version = served->version();
  m.versions = repository_->Versions(model);
  m.max_batch_size = served->config().max_batch_size;
  for (const TensorInfo& t : served->inputs()) m.inputs.push_back({t.name, t.dtype, MetadataShape(t)});
  for (const TensorInfo& t : served->outputs()) {
    m.outputs.push_back({t.name, t.dtype, MetadataShape(t)});
  }
  return m;
}

Status InferenceService::ModelReady(const std::string& model, const std::string& version) const {
  if (!Live()) return Status(StatusCode::kCancelled, "the server is shutting down");
  return repository_->Find(model, version).status();
}

void InferenceService::Infer(InferRequest request, InferDone done) {
  const Clock::time_point start = Clock::now();
  const Protocol protocol = request.protocol;
  auto fail = [&](const Status& status, int64_t version) {
    metrics_->RecordInference(request.model, version, protocol, status.code(), 0);
    done(status);
  };
  if (shutting_down_.load()) {
    fail(Status(StatusCode::kCancelled, "the server is shutting down"), 0);
    return;
  }
  StatusOr<std::shared_ptr<ServedModel>> found = repository_->Find(request.model, request.version);
  if (!found.ok()) {
    fail(found.status(), 0);
    return;
  }
  std::shared_ptr<ServedModel> model = std::move(found).value();
  StatusOr<std::vector<size_t>> selected = SelectOutputs(*model, request.outputs);
  if (!selected.ok()) {
    fail(selected.status(), model->version());
    return;
  }
  // The callback holds what it needs by value, never the model: the model's last owner must not
  // be a callback running on the model's own batcher thread.
  auto result = std::make_shared<InferResult>();
  result->model = model->name();
  result->version = model->version();
  result->id = std::move(request.id);
  std::vector<std::string> output_names;
  for (size_t i : *selected) output_names.push_back(model->outputs()[i].name);
  metrics_->AddInflight(1);
  Metrics* metrics = metrics_.get();
  Status queued = model->Submit(
      request.inputs,
      [metrics, protocol, start, result, output_names, selected = *selected,
       done](StatusOr<std::vector<Tensor>> outputs) mutable {
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        metrics->AddInflight(-1);
        metrics->RecordInference(result->model, result->version, protocol,
                                 outputs.ok() ? StatusCode::kOk : outputs.status().code(), seconds);
        if (!outputs.ok()) {
          done(Status(outputs.status().code(),
                      "model '" + result->model + "': " + outputs.status().message()));
          return;
        }
        for (size_t i = 0; i < selected.size(); ++i) {
          result->outputs.emplace_back(output_names[i], std::move((*outputs)[selected[i]]));
        }
        done(std::move(*result));
      },
      request.timeout_us);
  if (!queued.ok()) {
    metrics_->AddInflight(-1);
    fail(Status(queued.code(), "model '" + model->name() + "': " + queued.message()),
         model->version());
  }
}

std::vector<ModelIndexEntry> InferenceService::Index() const { return repository_->Index(); }

Status InferenceService::Load(const std::string& model) {
  if (shutting_down_.load()) return Status(StatusCode::kCancelled, "the server is shutting down");
  return repository_->Load(model);
}

Status InferenceService::Unload(const std::string& model) { return repository_->Unload(model); }

void InferenceService::BeginShutdown() { shutting_down_ = true; }

}  // namespace brisk::server
