// CsvReader: libcsv does the RFC 4180 quoting; this feeds it one physical line at a time so the
// line a row starts on is known exactly when its first field arrives.
#include "data/sources/csv_reader.h"

#include <cstring>
#include <utility>

namespace brisk::data::sources {
namespace {

constexpr size_t kChunkBytes = 64 * 1024;
constexpr int kRowNotBegun = 0;  // libcsv's parser state between rows (csv_parser::pstate)

}  // namespace

CsvReader::CsvReader(ReadFn read, std::string label, char delimiter)
    : read_(std::move(read)), label_(std::move(label)) {
  csv_init(&parser_, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
  csv_set_delim(&parser_, static_cast<unsigned char>(delimiter));
}

CsvReader::~CsvReader() { csv_free(&parser_); }

void CsvReader::OnField(void* data, size_t size, void* self_ptr) {
  auto* self = static_cast<CsvReader*>(self_ptr);
  if (!self->row_open_) {
    self->row_open_ = true;
    self->current_.line = self->row_start_line_;
  }
  self->current_.fields.emplace_back(data == nullptr ? "" : static_cast<const char*>(data), size);
}

void CsvReader::OnRowEnd(int /*terminator*/, void* self_ptr) {
  auto* self = static_cast<CsvReader*>(self_ptr);
  if (!self->row_open_) return;
  self->ready_.push_back(std::move(self->current_));
  self->current_ = CsvRow();
  self->row_open_ = false;
}

Status CsvReader::Feed() {
  chunk_.resize(kChunkBytes);
  BRISK_ASSIGN_OR_RETURN(const size_t got, read_(chunk_.data(), chunk_.size()));
  chunk_.resize(got);
  if (got == 0) {
    finished_ = true;
    if (csv_fini(&parser_, OnField, OnRowEnd, this) != 0) {
      return InvalidArgument(label_ + ":" + std::to_string(row_start_line_) + ": " +
                             csv_strerror(csv_error(&parser_)) + " (unterminated quoted field?)");
    }
    return Status::Ok();
  }
  size_t begin = 0;
  if (first_chunk_) {
    first_chunk_ = false;
    // A UTF-8 byte-order mark (Excel writes one) is not part of the first header name.
    if (chunk_.compare(0, 3, "\xEF\xBB\xBF") == 0) begin = 3;
  }
  while (begin < chunk_.size()) {
    const void* nl = std::memchr(chunk_.data() + begin, '\n', chunk_.size() - begin);
    const size_t end =
        nl ? size_t(static_cast<const char*>(nl) - chunk_.data()) + 1 : chunk_.size();
    if (parser_.pstate == kRowNotBegun && !row_open_) row_start_line_ = line_;
    const size_t parsed = csv_parse(&parser_, chunk_.data() + begin, end - begin, OnField,
                                    OnRowEnd, this);
    if (parsed != end - begin) {
      finished_ = true;
      return InvalidArgument(label_ + ":" + std::to_string(line_) + ": " +
                             csv_strerror(csv_error(&parser_)) +
                             " (a quote inside an unquoted field, or text after a closing quote)");
    }
    if (nl) ++line_;
    begin = end;
  }
  return Status::Ok();
}

StatusOr<std::optional<CsvRow>> CsvReader::Next() {
  while (ready_.empty() && !finished_) {
    Status s = Feed();
    if (!s.ok()) {
      finished_ = true;
      error_ = std::move(s);  // reported after the rows completed before it
    }
  }
  if (ready_.empty()) {
    if (!error_.ok()) return std::exchange(error_, Status::Ok());
    return std::optional<CsvRow>();
  }
  CsvRow row = std::move(ready_.front());
  ready_.pop_front();
  return std::optional<CsvRow>(std::move(row));
}

}  // namespace brisk::data::sources
