// libFuzzer target: arbitrary bytes -> io::ParseNpy; what parses must serialize and parse back
// to the same bytes' tensor.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "io/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto t = brisk::io::ParseNpy(std::string_view(reinterpret_cast<const char*>(data), size),
                               "fuzz.npy");
  if (!t.ok()) return 0;
  auto bytes = brisk::io::SerializeNpy(*t);
  if (!bytes.ok()) return 0;
  auto back = brisk::io::ParseNpy(*bytes, "reserialized.npy");
  if (!back.ok() || back->dtype() != t->dtype() || back->shape() != t->shape() ||
      std::memcmp(back->raw_data(), t->raw_data(), t->byte_size()) != 0) {
    std::abort();  // a file brisk wrote that brisk cannot read back identically
  }
  return 0;
}
