// Fuzzes config.pbtxt parsing and its resolution against a model: any text must give a config
// or a Status naming the file and position, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "server/model_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace brisk;
  using namespace brisk::server;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> warnings;
  StatusOr<ModelConfig> config = ParseModelConfig(text, "fuzz/config.pbtxt", &warnings);
  if (!config.ok()) return 0;
  SymbolicShape batched({Dim::Symbol("N"), Dim::Known(3)});
  SymbolicShape fixed({Dim::Known(1), Dim::Known(3)});
  const std::vector<TensorInfo> outputs = {{"y", DType::kFloat32, batched}};
  (void)ResolveModelConfig(*config, {{"x", DType::kFloat32, batched}}, outputs, 16);
  (void)ResolveModelConfig(*config, {{"x", DType::kInt64, fixed}}, outputs, 16);
  (void)config->version_policy.Select({1, 2, 3, 10});
  return 0;
}
