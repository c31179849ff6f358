// Splits CSV bytes into rows of raw fields with libcsv's push parser, reading its input in
// fixed-size chunks, and remembers the physical line each row starts on (quoted fields may
// span lines; blank lines are skipped but counted).
#pragma once

#include <csv.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "brisk/status.h"

namespace brisk::data::sources {

struct CsvRow {
  std::vector<std::string> fields;
  int64_t line = 0;  // 1-based physical line where the row starts
};

class CsvReader {
 public:
  // Reads up to n bytes into dst; 0 = end of input.
  using ReadFn = std::function<StatusOr<size_t>(char* dst, size_t n)>;

  CsvReader(ReadFn read, std::string label, char delimiter);
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // The next row, nullopt at the end. A parse error ends the input (later calls return nullopt).
  StatusOr<std::optional<CsvRow>> Next();

 private:
  static void OnField(void* data, size_t size, void* self);
  static void OnRowEnd(int terminator, void* self);
  // Reads and parses one chunk (or finishes the parser at the end of input).
  Status Feed();

  ReadFn read_;
  std::string label_;
  csv_parser parser_;
  std::string chunk_;
  std::deque<CsvRow> ready_;
  CsvRow current_;
  bool row_open_ = false;
  int64_t line_ = 1;           // line of the byte being parsed
  int64_t row_start_line_ = 1;  // where a row beginning now would start
  bool finished_ = false;
  bool first_chunk_ = true;
  Status error_;  // a parse error not yet returned
};

}  // namespace brisk::data::sources
