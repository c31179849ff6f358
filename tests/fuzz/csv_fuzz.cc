// libFuzzer target: arbitrary bytes -> the CSV source (libcsv + brisk's typed conversion), read
// to the end three ways: header with guessed types, no header with typed columns, and a ';'
// delimiter. Every outcome must be elements or a Status; errors and origins name the file.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "data/sources/csv_source.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

void ReadAll(const std::string& text, const brisk::data::CsvOptions& options) {
  auto source = brisk::data::sources::OpenCsvBytes(text, "fuzz.csv", options);
  if (!source.ok()) {
    Check(source.status().message().rfind("fuzz.csv", 0) == 0);
    return;
  }
  // Row errors leave the source usable: keep reading past them, as IgnoreErrors() would.
  for (int i = 0; i < 100000; ++i) {
    auto next = (*source)->Next();
    if (!next.ok()) {
      Check(next.status().message().rfind("fuzz.csv:", 0) == 0);
      continue;
    }
    if (!next->has_value()) return;
    Check((*next)->origin.rfind("fuzz.csv:", 0) == 0);
  }
  std::abort();  // more rows than the input could hold
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  brisk::data::CsvOptions guessed;
  ReadAll(text, guessed);

  brisk::data::CsvOptions typed;
  typed.header = false;
  typed.columns = {{"a", brisk::DType::kInt64},
                   {"b", brisk::DType::kFloat32, 0.5},
                   {"c", brisk::DType::kBool},
                   {"d", brisk::DType::kString}};
  ReadAll(text, typed);

  brisk::data::CsvOptions semicolon;
  semicolon.delimiter = ';';
  semicolon.columns = {{"x", brisk::DType::kInt32}};
  ReadAll(text, semicolon);
  return 0;
}
