// Reading the repository folder, loading versions, and swapping them into service.
#include "server/model_repository.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "brisk/logging.h"

namespace brisk::server {
namespace fs = std::filesystem;
namespace {

// Batch sizes a batching model is compiled for: the preferred sizes when configured, else powers
// of two up to max_batch_size (and max_batch_size itself). Merged batches are padded up to the
// next of them, so the session keeps a small, fixed set of compiled plans instead of compiling
// one per distinct batch size.
std::vector<int> BatchSizes(const ResolvedConfig& config) {
  std::vector<int> sizes = config.preferred_batch_sizes;
  if (sizes.empty()) {
    for (int size = 1; size < config.max_batch_size; size *= 2) sizes.push_back(size);
  }
  if (sizes.empty() || sizes.back() != config.max_batch_size) sizes.push_back(config.max_batch_size);
  return sizes;
}

// Input shapes for a warm-up run of `rows` rows, or nullopt when an input has a symbolic dim
// other than the batch dim (its sizes are only known from requests).
std::optional<std::vector<Shape>> WarmupShapes(const std::vector<TensorInfo>& inputs, int rows,
                                               bool batched) {
  std::vector<Shape> shapes;
  for (const TensorInfo& input : inputs) {
    if (!input.shape) return std::nullopt;
    DimVector dims;
    for (int d = 0; d < input.shape->rank(); ++d) {
      const Dim& dim = input.shape->dims[d];
      if (d == 0 && batched) {
        dims.push_back(rows);
      } else if (dim.is_known()) {
        dims.push_back(dim.value);
      } else {
        return std::nullopt;
      }
    }
    shapes.emplace_back(dims);
  }
  return shapes;
}

StatusOr<ModelConfig> ReadConfig(const fs::path& dir) {
  const fs::path file = dir / "config.pbtxt";
  std::error_code ec;
  if (!fs::exists(file, ec)) return ModelConfig{};
  std::ifstream in(file);
  if (!in) return InvalidArgument(file.string() + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  std::vector<std::string> warnings;
  BRISK_ASSIGN_OR_RETURN(ModelConfig config,
                         ParseModelConfig(text.str(), file.string(), &warnings));
  for (const std::string& w : warnings) Log(LogLevel::kWarning, w);
  if (!config.name.empty() && config.name != dir.filename().string()) {
    return InvalidArgument(file.string() + ": name '" + config.name +
                           "' differs from the model's folder '" + dir.filename().string() + "'");
  }
  return config;
}

// Numbered version folders that hold the model file.
std::vector<int64_t> VersionFolders(const fs::path& dir, const std::string& model_file) {
  std::vector<int64_t> versions;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || name.empty() || name.size() > 18 ||
        !std::all_of(name.begin(), name.end(), ::isdigit)) {
      continue;
    }
    if (fs::exists(entry.path() / model_file, ec)) versions.push_back(std::stoll(name));
  }
  std::sort(versions.begin(), versions.end());
  return versions;
}

bool ValidModelName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\\') == std::string::npos && name[0] != '.';
}

}  // namespace

StatusOr<std::shared_ptr<ServedModel>> ServedModel::Load(const std::string& name,
                                                         int64_t version,
                                                         const std::string& path,
                                                         const ModelConfig& config,
                                                         const RepositoryOptions& options) {
  const std::string where = "model '" + name + "' version " + std::to_string(version);
  std::shared_ptr<ServedModel> model(new ServedModel());
  model->name_ = name;
  model->version_ = version;
  SessionOptions session_options;
  // The batcher runs a fixed set of padded batch sizes (BatchSizes: at most ~8), all compiled at
  // warm-up: keep them all cached and do not warn about them as "changing shapes".
  session_options.plan_cache_capacity = 16;
  session_options.replan_warning_threshold = 16;
  // Instances share the CPU: each gets an even share of the cores unless the config says.
  const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  session_options.intra_op_threads =
      config.intra_op_threads > 0
          ? config.intra_op_threads
          : (config.instance_count > 1 ? std::max(1, cores / config.instance_count) : 0);
  StatusOr<std::unique_ptr<Session>> session = Session::Load(path, session_options);
  if (!session.ok()) {
    return Status(session.status().code(), where + ": " + session.status().message());
  }
  model->session_ = std::shared_ptr<Session>(std::move(session).value());
  StatusOr<ResolvedConfig> resolved =
      ResolveModelConfig(config, model->session_->inputs(), model->session_->outputs(),
                         options.default_max_queue_size);
  if (!resolved.ok()) {
    return Status(resolved.status().code(), where + ": " + resolved.status().message());
  }
  model->config_ = *resolved;
  const ResolvedConfig& rc = model->config_;

  BatcherOptions batcher;
  batcher.max_queue_size = rc.max_queue_size;
  batcher.workers = rc.instance_count;
  std::vector<int> warm_sizes = {1};
  if (rc.max_batch_size > 0) {
    batcher.max_batch_size = rc.max_batch_size;
    batcher.max_delay_us = rc.max_queue_delay_us;
    batcher.allowed_batch_sizes = BatchSizes(rc);
    warm_sizes = batcher.allowed_batch_sizes;
  } else {
    batcher.merge_requests = false;
  }
  StatusOr<std::unique_ptr<Batcher>> created = Batcher::Create(model->session_, batcher);
  if (!created.ok()) {
    return Status(created.status().code(), where + ": " + created.status().message());
  }
  model->batcher_ = std::move(created).value();

  if (options.warmup) {
    for (int rows : warm_sizes) {
      std::optional<std::vector<Shape>> shapes =
          WarmupShapes(model->session_->inputs(), rows, rc.max_batch_size > 0);
      if (!shapes) break;
      Status warmed = model->session_->Warmup(*shapes);
      if (!warmed.ok()) {
        return Status(warmed.code(), where + ": warm-up at batch " + std::to_string(rows) +
                                         " failed: " + warmed.message());
      }
    }
  }
  return model;
}

ServedModel::~ServedModel() {
  if (batcher_) batcher_->Shutdown(/*drain=*/true);
}

Status ServedModel::Submit(const NamedTensors& feeds, Batcher::Callback done,
                           int64_t timeout_us) {
  if (timeout_us <= 0) timeout_us = config_.default_timeout_us;
  return batcher_->Submit(feeds, std::move(done), timeout_us);
}

StatusOr<std::shared_ptr<ModelRepository>> ModelRepository::Open(
    const RepositoryOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(options.root, ec)) {
    return NotFound("model repository '" + options.root + "' is not a folder");
  }
  return std::shared_ptr<ModelRepository>(new ModelRepository(options));
}

Status ModelRepository::LoadAll() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(options_.root, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && ValidModelName(name)) names.push_back(name);
  }
  if (ec) return InvalidArgument("model repository '" + options_.root + "': " + ec.message());
  std::sort(names.begin(), names.end());
  if (names.empty()) {
    return NotFound("model repository '" + options_.root + "' has no model folders (expected "
                    "<model>/<version>/model.onnx)");
  }
  for (const std::string& name : names) BRISK_RETURN_IF_ERROR(Load(name));
  return Status::Ok();
}

Status ModelRepository::Load(const std::string& name) {
  std::lock_guard one_at_a_time(load_mutex_);
  const fs::path dir = fs::path(options_.root) / name;
  std::error_code ec;
  if (!ValidModelName(name) || !fs::is_directory(dir, ec)) {
    return NotFound("model '" + name + "' is not a folder of the model repository '" +
                    options_.root + "'");
  }
  auto record_error = [&](const Status& status) {
    std::lock_guard lock(mutex_);
    models_[name].error = status.message();
    return status;
  };
  StatusOr<ModelConfig> config = ReadConfig(dir);
  if (!config.ok()) return record_error(config.status());
  const std::vector<int64_t> present = VersionFolders(dir, config->model_filename);
  const std::vector<int64_t> selected = config->version_policy.Select(present);
  if (selected.empty()) {
    return record_error(NotFound(
        "model '" + name + "': no version folder to serve in " + dir.string() + " (expected " +
        "<version>/" + config->model_filename + (present.empty() ? "" : "; the version policy "
        "selects none of the folders present") + ")"));
  }
  std::vector<std::shared_ptr<ServedModel>> loaded;
  for (int64_t version : selected) {
    const std::string path = (dir / std::to_string(version) / config->model_filename).string();
    StatusOr<std::shared_ptr<ServedModel>> model =
        ServedModel::Load(name, version, path, *config, options_);
    if (!model.ok()) return record_error(model.status());
    loaded.push_back(std::move(model).value());
  }
  std::vector<std::shared_ptr<ServedModel>> previous;
  {
    std::lock_guard lock(mutex_);
    Entry& entry = models_[name];
    previous.swap(entry.versions);
    entry.versions = std::move(loaded);
    entry.error.clear();
  }
  for (auto& old : previous) old->Shutdown();  // finishes what was queued on the old versions
  Log(LogLevel::kInfo, "model '" + name + "' loaded (" + std::to_string(selected.size()) +
                           " version(s), newest " + std::to_string(selected.back()) + ")");
  return Status::Ok();
}

Status ModelRepository::Unload(const std::string& name) {
  std::lock_guard one_at_a_time(load_mutex_);
  std::vector<std::shared_ptr<ServedModel>> previous;
  {
    std::lock_guard lock(mutex_);
    auto it = models_.find(name);
    if (it == models_.end() || it->second.versions.empty()) {
      return NotFound("model '" + name + "' is not loaded");
    }
    previous.swap(it->second.versions);
    models_.erase(it);
  }
  for (auto& old : previous) old->Shutdown();
  Log(LogLevel::kInfo, "model '" + name + "' unloaded");
  return Status::Ok();
}

StatusOr<std::shared_ptr<ServedModel>> ModelRepository::Find(const std::string& name,
                                                             const std::string& version) const {
  std::lock_guard lock(mutex_);
  auto it = models_.find(name);
  if (it == models_.end() || it->second.versions.empty()) {
    std::string why = it != models_.end() && !it->second.error.empty()
                          ? ": its last load failed: " + it->second.error
                          : "";
    return NotFound("unknown model '" + name + "'" + why);
  }
  const auto& versions = it->second.versions;
  if (version.empty()) return versions.back();
  for (const auto& v : versions) {
    if (std::to_string(v->version()) == version) return v;
  }
  std::string loaded;
  for (const auto& v : versions) loaded += (loaded.empty() ? "" : ", ") + std::to_string(v->version());
  return NotFound("model '" + name + "' has no version '" + version + "' (loaded: " + loaded +
                  ")");
}

std::vector<int64_t> ModelRepository::Versions(const std::string& name) const {
  std::lock_guard lock(mutex_);
  std::vector<int64_t> versions;
  auto it = models_.find(name);
  if (it != models_.end()) {
    for (const auto& v : it->second.versions) versions.push_back(v->version());
  }
  return versions;
}

std::vector<std::shared_ptr<ServedModel>> ModelRepository::Loaded() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<ServedModel>> all;
  for (const auto& [name, entry] : models_) {
    all.insert(all.end(), entry.versions.begin(), entry.versions.end());
  }
  return all;
}

std::vector<ModelIndexEntry> ModelRepository::Index() const {
  std::set<std::string> folders;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(options_.root, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && ValidModelName(name)) folders.insert(name);
  }
  std::lock_guard lock(mutex_);
  std::vector<ModelIndexEntry> index;
  for (const auto& [name, entry] : models_) folders.insert(name);
  for (const std::string& name : folders) {
    auto it = models_.find(name);
    if (it == models_.end() || it->second.versions.empty()) {
      index.push_back({name, "", "UNAVAILABLE",
                       it == models_.end() ? "unloaded" : it->second.error});
      continue;
    }
    for (const auto& v : it->second.versions) {
      index.push_back({name, std::to_string(v->version()), "READY", ""});
    }
  }
  return index;
}

bool ModelRepository::AllReady() const {
  std::lock_guard lock(mutex_);
  if (models_.empty()) return false;
  return std::all_of(models_.begin(), models_.end(), [](const auto& m) {
    return !m.second.versions.empty() && m.second.error.empty();
  });
}

void ModelRepository::ShutdownAll() {
  std::map<std::string, Entry> all;
  {
    std::lock_guard lock(mutex_);
    all.swap(models_);
  }
  for (auto& [name, entry] : all) {
    for (auto& v : entry.versions) v->Shutdown();
  }
}

}  // namespace brisk::server
