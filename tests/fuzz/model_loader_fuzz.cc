// libFuzzer target: arbitrary bytes -> Session::LoadFromBytes, and when a model loads and every
// input has a small, fully known shape, one Run with zero-filled inputs. Any crash, sanitizer
// report, leak or abort is a bug: bad models must come back as a Status.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "brisk/logging.h"
#include "brisk/session.h"

namespace {

// Inputs larger than this are not run (keeps each execution fast; loading is still fuzzed).
constexpr int64_t kMaxRunElements = 1 << 12;

bool ZeroInputs(const brisk::Session& session, std::vector<brisk::Tensor>& inputs) {
  for (const brisk::TensorInfo& info : session.inputs()) {
    if (info.dtype == brisk::DType::kUndefined || !info.shape || !info.shape->IsFullyKnown()) {
      return false;
    }
    const brisk::Shape shape = *info.shape->ToShape();
    auto count = brisk::CheckedNumElements(shape.dims());
    if (!count.ok() || *count > kMaxRunElements) return false;
    auto t = brisk::Tensor::Zeros(info.dtype, shape);
    if (!t.ok()) return false;
    inputs.push_back(std::move(t).value());
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  brisk::SetLogLevel(brisk::LogLevel::kOff);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  brisk::SessionOptions options;
  options.intra_op_threads = 1;
  options.check_inferred_types = true;  // also fuzzes inference against the kernels
  auto session = brisk::Session::LoadFromBytes(
      std::string_view(reinterpret_cast<const char*>(data), size), options);
  if (!session.ok()) return 0;
  std::vector<brisk::Tensor> inputs;
  if (!ZeroInputs(**session, inputs)) return 0;
  (void)(*session)->Run(inputs);
  return 0;
}
