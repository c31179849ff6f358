// The model repository behind `brisk serve`: a folder in Triton's layout,
//
//   <root>/<model>/config.pbtxt          optional (model_config.h)
//   <root>/<model>/<version>/model.onnx  numbered version folders
//
// loaded into ServedModels: one Session per version (compiled and warmed up for the batch sizes
// it will run), fronted by a Batcher that queues requests and merges them when batching is on.
//
// Loading a model replaces its versions only once the new ones are ready; the old ones finish
// their queued requests first. Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "brisk/batcher.h"
#include "brisk/session.h"
#include "server/inference.h"
#include "server/model_config.h"

namespace brisk::server {

struct RepositoryOptions {
  std::string root;
  // Queue bound of models whose config does not set one (requests beyond it get 429).
  int64_t default_max_queue_size = 1024;
  // Compile (and run once) every batch size a model will be run with before it is ready.
  bool warmup = true;
};

// One loaded version of a model.
class ServedModel {
 public:
  static StatusOr<std::shared_ptr<ServedModel>> Load(const std::string& name, int64_t version,
                                                     const std::string& path,
                                                     const ModelConfig& config,
                                                     const RepositoryOptions& options);
  ~ServedModel();  // finishes the queued requests

  const std::string& name() const { return name_; }
  int64_t version() const { return version_; }
  const ResolvedConfig& config() const { return config_; }
  const std::vector<TensorInfo>& inputs() const { return session_->inputs(); }
  const std::vector<TensorInfo>& outputs() const { return session_->outputs(); }

  // Queues a request (see Batcher::Submit: refused at once -> the error, `done` not called).
  Status Submit(const NamedTensors& feeds, Batcher::Callback done, int64_t timeout_us);
  BatcherStats stats() const { return batcher_->stats(); }
  void Shutdown() { batcher_->Shutdown(/*drain=*/true); }

 private:
  ServedModel() = default;
  std::string name_;
  int64_t version_ = 0;
  ResolvedConfig config_;
  std::shared_ptr<Session> session_;
  std::unique_ptr<Batcher> batcher_;
};

class ModelRepository {
 public:
  // Fails when `options.root` is not a folder.
  static StatusOr<std::shared_ptr<ModelRepository>> Open(const RepositoryOptions& options);

  // Loads every model folder of the root. Stops at the first model that fails to load and
  // returns its error (a server should not come up half-configured).
  Status LoadAll();
  // (Re)loads one model folder; on failure the versions already loaded stay in service.
  Status Load(const std::string& name);
  // Removes a model from service; its queued requests finish first.
  Status Unload(const std::string& name);

  // `version` "" = the newest loaded version. NotFound names the model/version.
  StatusOr<std::shared_ptr<ServedModel>> Find(const std::string& name,
                                              const std::string& version) const;
  std::vector<int64_t> Versions(const std::string& name) const;  // loaded, ascending
  std::vector<std::shared_ptr<ServedModel>> Loaded() const;
  // Every model folder of the root, with the loaded versions and their state.
  std::vector<ModelIndexEntry> Index() const;
  // At least one model is loaded and none failed its last load.
  bool AllReady() const;
  // Unloads everything (queued requests finish).
  void ShutdownAll();

  const RepositoryOptions& options() const { return options_; }

 private:
  explicit ModelRepository(RepositoryOptions options) : options_(std::move(options)) {}
  struct Entry {
    std::vector<std::shared_ptr<ServedModel>> versions;  // ascending
    std::string error;  // the last load's error, "" when it succeeded
  };
  RepositoryOptions options_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> models_;
  std::mutex load_mutex_;  // one load/unload at a time
};

}  // namespace brisk::server
