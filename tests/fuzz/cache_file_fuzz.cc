// libFuzzer target: arbitrary bytes as a pipeline cache file (Dataset::Cache(filename)), read to
// the end. The file is untrusted (it may be truncated, edited or from another version): every
// outcome must be elements or a Status naming the cache file, never a crash or a huge
// allocation. The first byte of the input picks the element count the index claims.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "brisk/data.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const std::string path = "/tmp/brisk_cache_fuzz_" + std::to_string(::getpid());
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write("BRISKCA1", 8);  // the magic, so the fuzzer explores the records
    out.write(reinterpret_cast<const char*>(data) + 1, std::streamsize(size - 1));
    std::ofstream index(path + ".index", std::ios::trunc);
    index << int(data[0] % 8) << "\n";
  }
  // The input must never be read: the index says the cache is complete.
  auto never = brisk::data::Dataset::FromSource(
      "never", []() -> brisk::StatusOr<std::unique_ptr<brisk::data::ElementSource>> {
        std::abort();
      });
  auto iterator = never.Cache(path).MakeIterator();
  Check(iterator.ok());
  for (int i = 0; i < 16; ++i) {
    auto next = (*iterator)->Next();
    if (!next.ok()) {
      Check(next.status().message().find(path) != std::string::npos);
      break;
    }
    if (!next->has_value()) break;
  }
  return 0;
}
