#include "io/npy.h"

#include <cstring>
#include <fstream>
#include <optional>

namespace brisk::io {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMaxHeaderBytes = 1 << 20;

struct DescrEntry {
  const char* descr;
  DType dtype;
};
// Little-endian (or byte-order-free) descriptors brisk reads and writes.
constexpr DescrEntry kDescrs[] = {
    {"<f4", DType::kFloat32}, {"<f8", DType::kFloat64}, {"<f2", DType::kFloat16},
    {"|i1", DType::kInt8},    {"|u1", DType::kUInt8},   {"<i2", DType::kInt16},
    {"<u2", DType::kUInt16},  {"<i4", DType::kInt32},   {"<u4", DType::kUInt32},
    {"<i8", DType::kInt64},   {"<u8", DType::kUInt64},  {"|b1", DType::kBool},
};

StatusOr<DType> DTypeFromDescr(const std::string& descr, const std::string& label) {
  std::string d = descr;
  if (d.size() == 3 && d[0] == '=') d[0] = '<';  // native order is little-endian on x86-64
  if (d == "<i1" || d == "i1") d = "|i1";
  if (d == "<u1" || d == "u1") d = "|u1";
  if (d == "<b1" || d == "b1" || d == "?") d = "|b1";
  for (const auto& e : kDescrs)
    if (d == e.descr) return e.dtype;
  if (!d.empty() && d[0] == '>') {
    return Unimplemented(label + ": big-endian arrays ('" + descr + "') are not supported");
  }
  const std::string shown = descr.size() > 32 ? descr.substr(0, 32) + "..." : descr;
  return Unimplemented(label + ": NumPy dtype '" + shown + "' is not supported");
}

// Where the value of 'key' starts in the header dict ("{'key': value, ...}"), or npos. Hand
// parsed: std::regex matching recurses per character and overflows the stack on long headers.
size_t FindHeaderValue(const std::string& header, const std::string& key) {
  size_t pos = header.find("'" + key + "'");
  if (pos == std::string::npos) return pos;
  pos += key.size() + 2;
  auto skip_spaces = [&] {
    while (pos < header.size() && std::isspace(uint8_t(header[pos]))) ++pos;
  };
  skip_spaces();
  if (pos >= header.size() || header[pos] != ':') return std::string::npos;
  ++pos;
  skip_spaces();
  return pos;
}

// The text between `open` at `pos` and the next `close`, or nullopt.
std::optional<std::string> Delimited(const std::string& header, size_t pos, char open,
                                     char close) {
  if (pos >= header.size() || header[pos] != open) return std::nullopt;
  const size_t end = header.find(close, pos + 1);
  if (end == std::string::npos) return std::nullopt;
  return header.substr(pos + 1, end - pos - 1);
}

}  // namespace

StatusOr<size_t> NpyHeaderSize(std::string_view bytes, const std::string& label) {
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, 6) != 0) {
    return InvalidArgument(label + ": not a .npy file (bad magic)");
  }
  const uint8_t major = uint8_t(bytes[6]);
  size_t header_len = 0;
  size_t offset = 0;
  if (major == 1) {
    header_len = uint8_t(bytes[8]) | size_t(uint8_t(bytes[9])) << 8;
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) return InvalidArgument(label + ": truncated .npy header");
    header_len = 0;
    for (int i = 3; i >= 0; --i) header_len = header_len << 8 | uint8_t(bytes[size_t(8 + i)]);
    offset = 12;
  } else {
    return Unimplemented(label + ": .npy format version " + std::to_string(major) +
                         " is not supported");
  }
  if (header_len > kMaxHeaderBytes) {
    return InvalidArgument(label + ": truncated or oversized .npy header");
  }
  return offset + header_len;
}

StatusOr<NpyHeader> ParseNpyHeader(std::string_view bytes, const std::string& label) {
  BRISK_ASSIGN_OR_RETURN(const size_t header_end, NpyHeaderSize(bytes, label));
  if (header_end > bytes.size()) {
    return InvalidArgument(label + ": truncated or oversized .npy header");
  }
  const size_t offset = uint8_t(bytes[6]) == 1 ? 10 : 12;
  const std::string header(bytes.substr(offset, header_end - offset));
  const auto descr = Delimited(header, FindHeaderValue(header, "descr"), '\'', '\'');
  if (!descr) return InvalidArgument(label + ": .npy header has no 'descr'");
  BRISK_ASSIGN_OR_RETURN(DType dtype, DTypeFromDescr(*descr, label));
  const size_t fortran = FindHeaderValue(header, "fortran_order");
  const bool is_true = fortran != std::string::npos && header.compare(fortran, 4, "True") == 0;
  if (!is_true && (fortran == std::string::npos || header.compare(fortran, 5, "False") != 0)) {
    return InvalidArgument(label + ": .npy header has no 'fortran_order'");
  }
  if (is_true) {
    return Unimplemented(label + ": Fortran-ordered arrays are not supported "
                         "(save with np.ascontiguousarray)");
  }
  const auto shape_value = Delimited(header, FindHeaderValue(header, "shape"), '(', ')');
  if (!shape_value) return InvalidArgument(label + ": .npy header has no 'shape'");
  std::vector<int64_t> dims;
  const std::string& shape_text = *shape_value;
  size_t pos = 0;
  while (pos < shape_text.size()) {
    while (pos < shape_text.size() && (shape_text[pos] == ' ' || shape_text[pos] == ',')) ++pos;
    if (pos >= shape_text.size()) break;
    size_t end = pos;
    while (end < shape_text.size() && std::isdigit(uint8_t(shape_text[end]))) ++end;
    if (end == pos || end - pos > 15) {
      return InvalidArgument(label + ": bad shape '(" + shape_text + ")' in .npy header");
    }
    dims.push_back(std::stoll(shape_text.substr(pos, end - pos)));
    pos = end;
    while (pos < shape_text.size() && shape_text[pos] == 'L') ++pos;  // Python 2 longs
  }
  auto count = CheckedNumElements(dims);
  if (!count.ok()) return count.status().WithContext(label);
  NpyHeader result;
  result.dtype = dtype;
  result.dims = std::move(dims);
  result.data_offset = header_end;
  result.data_bytes = size_t(*count) * DTypeSize(dtype);
  return result;
}

StatusOr<Tensor> ParseNpy(std::string_view bytes, const std::string& label) {
  BRISK_ASSIGN_OR_RETURN(const NpyHeader h, ParseNpyHeader(bytes, label));
  const size_t data_offset = h.data_offset;
  const size_t need = h.data_bytes;
  const DType dtype = h.dtype;
  if (bytes.size() - data_offset != need) {
    return InvalidArgument(label + ": .npy data has " + std::to_string(bytes.size() - data_offset) +
                           " bytes but shape " + Shape(h.dims).ToString() + " of " +
                           std::string(DTypeName(dtype)) + " needs " + std::to_string(need));
  }
  BRISK_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, Shape(h.dims)));
  if (need) std::memcpy(t.raw_data(), bytes.data() + data_offset, need);
  if (dtype == DType::kBool) {
    for (size_t i = 0; i < need; ++i) t.data<uint8_t>()[i] = t.data<uint8_t>()[i] != 0;
  }
  return t;
}

StatusOr<std::string> SerializeNpy(const Tensor& t) {
  const char* descr = nullptr;
  for (const auto& e : kDescrs)
    if (e.dtype == t.dtype()) descr = e.descr;
  if (descr == nullptr) {
    return Unimplemented("dtype " + std::string(DTypeName(t.dtype())) +
                         " cannot be written to .npy");
  }
  std::string shape = "(";
  for (int i = 0; i < t.rank(); ++i) shape += std::to_string(t.dim(i)) + (t.rank() == 1 ? "," : i + 1 < t.rank() ? ", " : "");
  shape += ")";
  std::string header = "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': " +
                       shape + ", }";
  // Pad with spaces so data starts on a 64-byte boundary; the header ends with '\n'.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out(kMagic, 6);
  out += char(1);
  out += char(0);
  out += char(header.size() & 0xff);
  out += char(header.size() >> 8);
  out += header;
  out.append(static_cast<const char*>(t.raw_data()), t.byte_size());
  return out;
}

StatusOr<Tensor> ReadNpy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot open the file");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return ParseNpy(bytes, path);
}

Status WriteNpy(const std::string& path, const Tensor& tensor) {
  BRISK_ASSIGN_OR_RETURN(std::string bytes, SerializeNpy(tensor));
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  if (!out) return Internal(path + ": writing failed");
  return Status::Ok();
}

}  // namespace brisk::io
