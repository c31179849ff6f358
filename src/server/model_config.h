// A served model's configuration: `<repository>/<model>/config.pbtxt` (Triton's text format and
// field names, proto/model_config.proto) resolved against the loaded model into the settings the
// server uses. Without a config file every setting has a default derived from the model.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "brisk/session.h"
#include "brisk/status.h"

namespace brisk::server {

// A declared input/output in the config: checked against the model at load.
struct ConfigTensor {
  std::string name;
  std::optional<DType> dtype;
  std::vector<int64_t> dims;  // without the batch dim when max_batch_size > 0; -1 = any
};

struct VersionPolicy {
  enum class Kind { kLatest, kAll, kSpecific };
  Kind kind = Kind::kLatest;
  int latest = 1;                 // kLatest: how many of the newest versions
  std::vector<int64_t> versions;  // kSpecific
  // The versions to serve out of those present in the folder (ascending).
  std::vector<int64_t> Select(std::vector<int64_t> available) const;
};

// The config as written (nothing resolved against the model yet).
struct ModelConfig {
  std::string name;      // must match the folder when given
  std::optional<int> max_batch_size;  // unset: derived from the model
  bool has_dynamic_batching = false;  // a dynamic_batching block was given
  std::vector<int> preferred_batch_sizes;
  int64_t max_queue_delay_us = 0;     // Triton's default: batch what has arrived
  int64_t max_queue_size = 0;         // 0: the server's default
  int64_t default_timeout_us = 0;     // 0: none
  int instance_count = 1;
  int intra_op_threads = 0;           // parameters { key: "intra_op_thread_count" }
  std::string model_filename = "model.onnx";
  VersionPolicy version_policy;
  std::vector<ConfigTensor> inputs;
  std::vector<ConfigTensor> outputs;
};

// Parses config.pbtxt text. `file` names the file in errors ("models/digits/config.pbtxt:3:5:
// ..."). Fields brisk does not know (Triton has many) are skipped and listed in `warnings`.
StatusOr<ModelConfig> ParseModelConfig(std::string_view text, const std::string& file,
                                       std::vector<std::string>* warnings);

// The settings the server runs a loaded model with.
struct ResolvedConfig {
  int max_batch_size = 0;  // 0: requests are never merged; shapes are the model's own
  bool dynamic_batching = false;
  std::vector<int> preferred_batch_sizes;
  int64_t max_queue_delay_us = 0;
  int64_t max_queue_size = 1024;
  int64_t default_timeout_us = 0;
  int instance_count = 1;
};

// Resolves `config` against the model's declared inputs/outputs: checks the declared tensors
// (names, dtypes, dims) and derives what was left unset. Without max_batch_size, a model whose
// inputs all have a variable dim 0 is batched (max 32, dynamic batching on); otherwise not.
// With max_batch_size > 0, every input must have a variable dim 0.
StatusOr<ResolvedConfig> ResolveModelConfig(const ModelConfig& config,
                                            const std::vector<TensorInfo>& inputs,
                                            const std::vector<TensorInfo>& outputs,
                                            int64_t default_max_queue_size);

// Triton's datatype names: "FP32", "INT64", "BOOL", "BYTES", ... and back.
std::string_view TritonDTypeName(DType dtype);
StatusOr<DType> ParseTritonDType(std::string_view name);

}  // namespace brisk::server
