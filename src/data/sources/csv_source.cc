// FromCsv: rows from CsvReader, converted column by column to scalar tensors of the requested
// dtypes with std::from_chars. Row errors (missing field, bad number) name file:line and the
// column and leave the source usable (IgnoreErrors can skip the row); parse errors end it.
#include "data/sources/csv_source.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <optional>
#include <utility>
#include <vector>

#include "data/sources/csv_reader.h"

namespace brisk::data::sources {
namespace {

struct Column {
  std::string name;
  DType dtype;
  std::optional<double> default_value;
  size_t index;  // field position in the row
};

std::string Shown(std::string_view text) {
  return "'" + std::string(text.substr(0, 40)) + (text.size() > 40 ? "...'" : "'");
}

// Parses all of `text` as T (a leading '+' allowed); nullopt if anything is left over.
template <typename T>
std::optional<T> ParseNumber(std::string_view text) {
  if (text.size() > 1 && text[0] == '+' && text[1] != '-') text.remove_prefix(1);
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<bool> ParseBool(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = char(std::tolower(uint8_t(c)));
  if (lower == "true" || lower == "1") return true;
  if (lower == "false" || lower == "0") return false;
  return std::nullopt;
}

bool IsCsvDType(DType d) {
  return d == DType::kFloat32 || d == DType::kFloat64 || d == DType::kInt32 ||
         d == DType::kInt64 || d == DType::kBool || d == DType::kString;
}

StatusOr<Tensor> FromDefault(const Column& c, double v) {
  switch (c.dtype) {
    case DType::kFloat32: return Tensor::Scalar(float(v));
    case DType::kFloat64: return Tensor::Scalar(v);
    case DType::kInt32: return Tensor::Scalar(int32_t(v));
    case DType::kInt64: return Tensor::Scalar(int64_t(v));
    case DType::kBool: return Tensor::Scalar(v != 0);
    default: return Tensor::Scalar(std::to_string(v));
  }
}

// One field -> a scalar of the column's dtype; the error message is the part after the column.
StatusOr<Tensor> Convert(const Column& c, const std::string& field) {
  if (c.dtype == DType::kString) return Tensor::Scalar(field);
  if (field.empty()) {
    if (c.default_value) return FromDefault(c, *c.default_value);
    return InvalidArgument("empty field (give the column a default_value to allow it)");
  }
  switch (c.dtype) {
    case DType::kFloat32:
      if (auto v = ParseNumber<float>(field)) return Tensor::Scalar(*v);
      return InvalidArgument(Shown(field) + " is not a number");
    case DType::kFloat64:
      if (auto v = ParseNumber<double>(field)) return Tensor::Scalar(*v);
      return InvalidArgument(Shown(field) + " is not a number");
    case DType::kInt32:
      if (auto v = ParseNumber<int32_t>(field)) return Tensor::Scalar(*v);
      return InvalidArgument(Shown(field) + " is not an int32");
    case DType::kInt64:
      if (auto v = ParseNumber<int64_t>(field)) return Tensor::Scalar(*v);
      return InvalidArgument(Shown(field) + " is not an int64");
    case DType::kBool:
      if (auto v = ParseBool(field)) return Tensor::Scalar(*v);
      return InvalidArgument(Shown(field) + " is not a boolean (true/false/1/0)");
    default:
      return Internal("unexpected CSV column dtype");
  }
}

class CsvSource final : public ElementSource {
 public:
  CsvSource(std::string label, std::unique_ptr<CsvReader> reader, std::vector<Column> columns,
            size_t expected_fields, std::optional<CsvRow> first_row)
      : label_(std::move(label)),
        reader_(std::move(reader)),
        columns_(std::move(columns)),
        expected_fields_(expected_fields),
        first_row_(std::move(first_row)) {}

  StatusOr<std::optional<Element>> Next() override {
    std::optional<CsvRow> row;
    if (first_row_) {
      row = std::exchange(first_row_, std::nullopt);
    } else {
      BRISK_ASSIGN_OR_RETURN(row, reader_->Next());
      if (!row) return std::optional<Element>();
    }
    const std::string where = label_ + ":" + std::to_string(row->line);
    Element e;
    e.origin = where;
    for (const Column& c : columns_) {
      if (c.index >= row->fields.size()) {
        return InvalidArgument(where + ": column '" + c.name + "': missing field (the row has " +
                               std::to_string(row->fields.size()) + " fields, " +
                               std::to_string(expected_fields_) + " expected)");
      }
      auto t = Convert(c, row->fields[c.index]);
      if (!t.ok()) return t.status().WithContext(where + ": column '" + c.name + "'");
      e.components.emplace_back(c.name, std::move(t).value());
    }
    if (row->fields.size() > expected_fields_) {
      return InvalidArgument(where + ": the row has " + std::to_string(row->fields.size()) +
                             " fields, " + std::to_string(expected_fields_) + " expected");
    }
    return std::optional<Element>(std::move(e));
  }

 private:
  std::string label_;
  std::unique_ptr<CsvReader> reader_;
  std::vector<Column> columns_;
  size_t expected_fields_;
  std::optional<CsvRow> first_row_;  // read at open (type guessing), returned first
};

StatusOr<std::unique_ptr<ElementSource>> Open(std::unique_ptr<CsvReader> reader,
                                              const std::string& label,
                                              const CsvOptions& options) {
  std::vector<std::string> names;
  if (options.header) {
    BRISK_ASSIGN_OR_RETURN(std::optional<CsvRow> header, reader->Next());
    if (!header) return InvalidArgument(label + ": the file is empty (no header row)");
    names = std::move(header->fields);
  }
  BRISK_ASSIGN_OR_RETURN(std::optional<CsvRow> first, reader->Next());
  if (!options.header) {
    const size_t n = first ? first->fields.size() : options.columns.size();
    for (size_t i = 0; i < n; ++i) {
      names.push_back(i < options.columns.size() ? options.columns[i].name
                                                 : "column_" + std::to_string(i));
    }
    if (options.columns.size() > n) {
      return InvalidArgument(label + ": " + std::to_string(options.columns.size()) +
                             " columns were given but the first row has " + std::to_string(n) +
                             " fields");
    }
  }
  std::vector<Column> columns;
  if (options.columns.empty()) {
    // Types from the first data row: a number -> float32, anything else -> string.
    for (size_t i = 0; i < names.size(); ++i) {
      const bool numeric = !first || (i < first->fields.size() &&
                                      ParseNumber<double>(first->fields[i]).has_value());
      columns.push_back({names[i], numeric ? DType::kFloat32 : DType::kString, std::nullopt, i});
    }
  } else {
    for (const CsvColumn& c : options.columns) {
      if (!IsCsvDType(c.dtype)) {
        return InvalidArgument(label + ": column '" + c.name + "': dtype " +
                               std::string(DTypeName(c.dtype)) +
                               " is not supported (float32, float64, int32, int64, bool, string)");
      }
      const auto it = std::find(names.begin(), names.end(), c.name);
      if (it == names.end()) {
        std::string known;
        for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
        return InvalidArgument(label + ": no column '" + c.name + "' (the header has: " + known +
                               ")");
      }
      columns.push_back({c.name, c.dtype, c.default_value, size_t(it - names.begin())});
    }
  }
  // Component names must be unique (an element is a dict in Python).
  for (size_t i = 0; i < columns.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (columns[i].name == columns[j].name) {
        return InvalidArgument(label + ": column '" + columns[i].name + "' appears twice" +
                               (options.columns.empty() ? " in the header (select columns by name)"
                                                        : " in the options"));
      }
    }
  }
  return std::unique_ptr<ElementSource>(new CsvSource(label, std::move(reader),
                                                      std::move(columns), names.size(),
                                                      std::move(first)));
}

}  // namespace

StatusOr<std::unique_ptr<ElementSource>> OpenCsvSource(const std::string& path,
                                                       const CsvOptions& options) {
  auto in = std::make_shared<std::ifstream>(path, std::ios::binary);
  if (!*in) return NotFound(path + ": cannot open the file");
  auto read = [in, path](char* dst, size_t n) -> StatusOr<size_t> {
    in->read(dst, std::streamsize(n));
    if (in->bad()) return Internal(path + ": read error");
    return size_t(in->gcount());
  };
  return Open(std::make_unique<CsvReader>(read, path, options.delimiter), path, options);
}

StatusOr<std::unique_ptr<ElementSource>> OpenCsvBytes(std::string text, const std::string& label,
                                                      const CsvOptions& options) {
  auto data = std::make_shared<std::string>(std::move(text));
  auto offset = std::make_shared<size_t>(0);
  auto read = [data, offset](char* dst, size_t n) -> StatusOr<size_t> {
    const size_t count = std::min(n, data->size() - *offset);
    std::copy_n(data->data() + *offset, count, dst);
    *offset += count;
    return count;
  };
  return Open(std::make_unique<CsvReader>(read, label, options.delimiter), label, options);
}

}  // namespace brisk::data::sources

namespace brisk::data {

StatusOr<Dataset> FromCsv(const std::string& path, CsvOptions options) {
  // Opening reads the header and first row: a missing file or an unknown column fails here.
  BRISK_RETURN_IF_ERROR(sources::OpenCsvSource(path, options).status());
  return Dataset::FromSource("csv(" + path + ")", [path, options = std::move(options)] {
    return sources::OpenCsvSource(path, options);
  });
}

}  // namespace brisk::data
