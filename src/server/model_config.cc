// config.pbtxt parsing (protobuf text format against proto/model_config.proto) and resolution
// against the loaded model.
#include "server/model_config.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <algorithm>

#include "model_config.pb.h"

namespace brisk::server {
namespace {

// Collects the text parser's errors and warnings with the file name and position.
class ConfigErrors : public google::protobuf::io::ErrorCollector {
 public:
  explicit ConfigErrors(const std::string& file) : file_(file) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (error_.empty()) error_ = Where(line, column) + message;
  }
  void AddWarning(int line, google::protobuf::io::ColumnNumber column,
                  const std::string& message) override {
    warnings_.push_back(Where(line, column) + message + " (ignored)");
  }
  const std::string& error() const { return error_; }
  std::vector<std::string>& warnings() { return warnings_; }

 private:
  std::string Where(int line, int column) const {
    return file_ + ":" + std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": ";
  }
  std::string file_;
  std::string error_;
  std::vector<std::string> warnings_;
};

struct DTypeName {
  DType dtype;
  std::string_view triton;
  config::DataType config;
};
constexpr DTypeName kDTypes[] = {
    {DType::kBool, "BOOL", config::TYPE_BOOL},       {DType::kUInt8, "UINT8", config::TYPE_UINT8},
    {DType::kUInt16, "UINT16", config::TYPE_UINT16}, {DType::kUInt32, "UINT32", config::TYPE_UINT32},
    {DType::kUInt64, "UINT64", config::TYPE_UINT64}, {DType::kInt8, "INT8", config::TYPE_INT8},
    {DType::kInt16, "INT16", config::TYPE_INT16},    {DType::kInt32, "INT32", config::TYPE_INT32},
    {DType::kInt64, "INT64", config::TYPE_INT64},    {DType::kFloat16, "FP16", config::TYPE_FP16},
    {DType::kFloat32, "FP32", config::TYPE_FP32},    {DType::kFloat64, "FP64", config::TYPE_FP64},
    {DType::kString, "BYTES", config::TYPE_STRING},  {DType::kBFloat16, "BF16", config::TYPE_BF16},
};

StatusOr<ConfigTensor> ToConfigTensor(const config::ModelTensor& t, const std::string& file,
                                      const char* kind) {
  if (t.name().empty()) return InvalidArgument(file + ": an " + kind + " without a name");
  ConfigTensor out{t.name(), std::nullopt, {t.dims().begin(), t.dims().end()}};
  if (t.data_type() != config::TYPE_INVALID) {
    for (const DTypeName& d : kDTypes) {
      if (d.config == t.data_type()) out.dtype = d.dtype;
    }
  }
  return out;
}

std::string DimsString(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

// Checks a config-declared tensor against the model's: same dtype, same rank and compatible
// dims (the config's dims exclude the batch dim when batching).
Status CheckDeclared(const std::vector<ConfigTensor>& declared,
                     const std::vector<TensorInfo>& model, bool batched, const char* kind) {
  for (const ConfigTensor& c : declared) {
    auto it = std::find_if(model.begin(), model.end(),
                           [&](const TensorInfo& t) { return t.name == c.name; });
    if (it == model.end()) {
      return InvalidArgument(std::string("config ") + kind + " '" + c.name +
                             "' is not an " + kind + " of the model");
    }
    if (c.dtype && *c.dtype != it->dtype) {
      return InvalidArgument(std::string("config ") + kind + " '" + c.name + "': data_type " +
                             std::string(TritonDTypeName(*c.dtype)) + " but the model has " +
                             std::string(TritonDTypeName(it->dtype)));
    }
    if (!it->shape || c.dims.empty()) continue;
    const int offset = batched ? 1 : 0;
    const SymbolicShape& shape = *it->shape;
    bool ok = shape.rank() == int(c.dims.size()) + offset;
    for (size_t i = 0; ok && i < c.dims.size(); ++i) {
      const Dim& dim = shape.dims[i + offset];
      ok = c.dims[i] == -1 || !dim.is_known() || dim.value == c.dims[i];
    }
    if (!ok) {
      return InvalidArgument(std::string("config ") + kind + " '" + c.name + "': dims " +
                             DimsString(c.dims) + (batched ? " (plus the batch dim)" : "") +
                             " do not match the model's " + shape.ToString());
    }
  }
  return Status::Ok();
}

bool HasVariableBatchDim(const TensorInfo& t) {
  return !t.shape || (t.shape->rank() > 0 && !t.shape->dims[0].is_known());
}

}  // namespace

std::vector<int64_t> VersionPolicy::Select(std::vector<int64_t> available) const {
  std::sort(available.begin(), available.end());
  std::vector<int64_t> selected;
  switch (kind) {
    case Kind::kAll:
      return available;
    case Kind::kLatest: {
      const size_t n = std::min(available.size(), size_t(std::max(latest, 1)));
      return {available.end() - n, available.end()};
    }
    case Kind::kSpecific:
      for (int64_t v : available) {
        if (std::find(versions.begin(), versions.end(), v) != versions.end()) selected.push_back(v);
      }
      return selected;
  }
  return selected;
}

StatusOr<ModelConfig> ParseModelConfig(std::string_view text, const std::string& file,
                                       std::vector<std::string>* warnings) {
  config::ModelConfig proto;
  ConfigErrors errors(file);
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  parser.AllowUnknownField(true);  // Triton's other fields (optimization, model_warmup, ...)
  if (!parser.ParseFromString(std::string(text), &proto)) {
    return InvalidArgument(errors.error().empty() ? file + ": not a valid model config"
                                                  : errors.error());
  }
  if (warnings) {
    for (std::string& w : errors.warnings()) warnings->push_back(std::move(w));
  }
  ModelConfig c;
  c.name = proto.name();
  if (proto.max_batch_size() < 0) {
    return InvalidArgument(file + ": max_batch_size must be >= 0, got " +
                           std::to_string(proto.max_batch_size()));
  }
  if (proto.has_max_batch_size()) c.max_batch_size = proto.max_batch_size();
  if (proto.has_dynamic_batching()) {
    const config::ModelDynamicBatching& db = proto.dynamic_batching();
    c.has_dynamic_batching = true;
    c.preferred_batch_sizes.assign(db.preferred_batch_size().begin(),
                                   db.preferred_batch_size().end());
    std::sort(c.preferred_batch_sizes.begin(), c.preferred_batch_sizes.end());
    for (int size : c.preferred_batch_sizes) {
      if (size < 1) return InvalidArgument(file + ": preferred_batch_size must be >= 1");
    }
    c.max_queue_delay_us = int64_t(db.max_queue_delay_microseconds());
    c.max_queue_size = db.default_queue_policy().max_queue_size();
    c.default_timeout_us = int64_t(db.default_queue_policy().default_timeout_microseconds());
  }
  c.instance_count = 0;
  for (const config::ModelInstanceGroup& group : proto.instance_group()) {
    if (group.kind() == config::ModelInstanceGroup::KIND_GPU) {
      return InvalidArgument(file + ": instance_group kind KIND_GPU: brisk runs on the CPU only");
    }
    c.instance_count += std::max(group.count(), 1);
  }
  c.instance_count = std::max(c.instance_count, 1);
  for (const auto& [key, value] : proto.parameters()) {
    if (key == "intra_op_thread_count") {
      try {
        c.intra_op_threads = std::stoi(value.string_value());
      } catch (...) {
        c.intra_op_threads = -1;
      }
      if (c.intra_op_threads < 0) {
        return InvalidArgument(file + ": parameter intra_op_thread_count must be a number >= 0, "
                               "got '" + value.string_value() + "'");
      }
    } else if (warnings) {
      warnings->push_back(file + ": parameter '" + key + "' is not used by brisk (ignored)");
    }
  }
  if (!proto.default_model_filename().empty()) c.model_filename = proto.default_model_filename();
  if (proto.has_version_policy()) {
    const config::ModelVersionPolicy& vp = proto.version_policy();
    if (vp.has_all()) {
      c.version_policy.kind = VersionPolicy::Kind::kAll;
    } else if (vp.has_specific()) {
      c.version_policy.kind = VersionPolicy::Kind::kSpecific;
      c.version_policy.versions.assign(vp.specific().versions().begin(),
                                       vp.specific().versions().end());
    } else if (vp.has_latest()) {
      c.version_policy.latest = std::max<int>(int(vp.latest().num_versions()), 1);
    }
  }
  for (const config::ModelTensor& t : proto.input()) {
    BRISK_ASSIGN_OR_RETURN(ConfigTensor ct, ToConfigTensor(t, file, "input"));
    c.inputs.push_back(std::move(ct));
  }
  for (const config::ModelTensor& t : proto.output()) {
    BRISK_ASSIGN_OR_RETURN(ConfigTensor ct, ToConfigTensor(t, file, "output"));
    c.outputs.push_back(std::move(ct));
  }
  return c;
}

StatusOr<ResolvedConfig> ResolveModelConfig(const ModelConfig& config,
                                            const std::vector<TensorInfo>& inputs,
                                            const std::vector<TensorInfo>& outputs,
                                            int64_t default_max_queue_size) {
  ResolvedConfig r;
  const bool batchable = !inputs.empty() && std::all_of(inputs.begin(), inputs.end(),
                                                        HasVariableBatchDim);
  if (config.max_batch_size) {
    r.max_batch_size = *config.max_batch_size;
    if (r.max_batch_size > 0 && !batchable) {
      for (const TensorInfo& t : inputs) {
        if (!HasVariableBatchDim(t)) {
          return InvalidArgument("max_batch_size " + std::to_string(r.max_batch_size) +
                                 " needs a variable dim 0 on every input, but input '" + t.name +
                                 "' is " + t.ToString() + " (set max_batch_size: 0)");
        }
      }
    }
  } else {
    r.max_batch_size = batchable ? 32 : 0;
  }
  // As Triton's ONNX auto-complete: a batching model without a scheduler gets the dynamic one.
  r.dynamic_batching = r.max_batch_size > 0;
  r.preferred_batch_sizes = config.preferred_batch_sizes;
  for (int size : r.preferred_batch_sizes) {
    if (size > r.max_batch_size) {
      return InvalidArgument("preferred_batch_size " + std::to_string(size) +
                             " is larger than max_batch_size " +
                             std::to_string(r.max_batch_size));
    }
  }
  r.max_queue_delay_us = config.max_queue_delay_us;
  r.max_queue_size = config.max_queue_size > 0 ? config.max_queue_size : default_max_queue_size;
  r.default_timeout_us = config.default_timeout_us;
  r.instance_count = config.instance_count;
  BRISK_RETURN_IF_ERROR(CheckDeclared(config.inputs, inputs, r.max_batch_size > 0, "input"));
  BRISK_RETURN_IF_ERROR(CheckDeclared(config.outputs, outputs, r.max_batch_size > 0, "output"));
  return r;
}

std::string_view TritonDTypeName(DType dtype) {
  for (const DTypeName& d : kDTypes) {
    if (d.dtype == dtype) return d.triton;
  }
  return "INVALID";
}

StatusOr<DType> ParseTritonDType(std::string_view name) {
  for (const DTypeName& d : kDTypes) {
    if (d.triton == name) return d.dtype;
  }
  return InvalidArgument("unknown datatype '" + std::string(name) +
                         "' (expected one of BOOL, UINT8, ..., INT64, FP16, BF16, FP32, FP64, "
                         "BYTES)");
}

}  // namespace brisk::server
