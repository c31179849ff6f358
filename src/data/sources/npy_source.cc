// FromNpy / FromNpz: the header of each array is parsed when the source opens (src/io/npy.h),
// then each Next() reads one row's bytes: .npy with a plain file stream, .npz members through
// libzip's streaming reader (members may be deflated, so they are read in order, never seeked).
#include "data/sources/npy_source.h"

#include <zip.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "io/npy.h"
#include "io/npz_archive.h"

namespace brisk::data::sources {
namespace {

// Reads up to n bytes into dst; returns the count read (short at the end of the data).
using ReadFn = std::function<StatusOr<size_t>(char* dst, size_t n)>;

// One array: its header and how its rows are laid out.
struct ArrayRows {
  std::string label;  // "data.npy" or "data.npz[x.npy]"
  io::NpyHeader header;
  int64_t rows = 0;
  size_t row_bytes = 0;
  Shape row_shape;
};

// Reads the preamble and header through `read` and checks the array can be sliced into rows.
StatusOr<ArrayRows> ReadArrayHeader(const ReadFn& read, const std::string& label) {
  std::string head(12, '\0');
  BRISK_ASSIGN_OR_RETURN(size_t got, read(head.data(), head.size()));
  head.resize(got);
  BRISK_ASSIGN_OR_RETURN(const size_t header_size, io::NpyHeaderSize(head, label));
  if (header_size > head.size()) {
    const size_t have = head.size();
    head.resize(header_size);
    BRISK_ASSIGN_OR_RETURN(got, read(head.data() + have, header_size - have));
    head.resize(have + got);
  }
  ArrayRows a;
  a.label = label;
  BRISK_ASSIGN_OR_RETURN(a.header, io::ParseNpyHeader(head, label));
  if (a.header.dims.empty()) {
    return InvalidArgument(label + ": a 0-d array has no rows to slice");
  }
  a.rows = a.header.dims[0];
  a.row_shape = Shape(std::vector<int64_t>(a.header.dims.begin() + 1, a.header.dims.end()));
  a.row_bytes = size_t(a.row_shape.NumElements()) * DTypeSize(a.header.dtype);
  return a;
}

StatusOr<Tensor> ReadRow(const ArrayRows& a, const ReadFn& read, std::string& carry,
                         int64_t row) {
  BRISK_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(a.header.dtype, a.row_shape));
  char* dst = static_cast<char*>(t.raw_data());
  size_t have = std::min(carry.size(), a.row_bytes);
  std::memcpy(dst, carry.data(), have);
  carry.erase(0, have);
  if (have < a.row_bytes) {
    BRISK_ASSIGN_OR_RETURN(const size_t got, read(dst + have, a.row_bytes - have));
    have += got;
  }
  if (have != a.row_bytes) {
    return InvalidArgument(a.label + ": truncated: row " + std::to_string(row) + " of " +
                           std::to_string(a.rows) + " is missing (file shorter than shape " +
                           Shape(a.header.dims).ToString() + " needs)");
  }
  if (a.header.dtype == DType::kBool) {
    for (size_t i = 0; i < a.row_bytes; ++i) dst[i] = dst[i] != 0;
  }
  return t;
}

// ReadArrayHeader reads the first 12 bytes before it knows the header size; a (tiny) version-1
// header shorter than that leaves data bytes behind, kept as `carry` for row 0.
struct OpenedArray {
  ArrayRows rows;
  std::string carry;
};

StatusOr<OpenedArray> OpenArray(const ReadFn& read, const std::string& label) {
  std::string consumed;
  ReadFn recording = [&](char* dst, size_t n) -> StatusOr<size_t> {
    BRISK_ASSIGN_OR_RETURN(const size_t got, read(dst, n));
    consumed.append(dst, got);
    return got;
  };
  BRISK_ASSIGN_OR_RETURN(ArrayRows rows, ReadArrayHeader(recording, label));
  OpenedArray out;
  out.carry = consumed.substr(std::min(consumed.size(), rows.header.data_offset));
  out.rows = std::move(rows);
  return out;
}

// A file whose size disagrees with its header fails when it is opened, not rows later (and no
// row buffer is sized from a header that the data cannot back).
Status CheckDataSize(const ArrayRows& a, uintmax_t total_size) {
  const uintmax_t want = uintmax_t(a.header.data_offset) + a.header.data_bytes;
  if (total_size == want) return Status::Ok();
  const uintmax_t have = total_size - std::min(total_size, uintmax_t(a.header.data_offset));
  return InvalidArgument(a.label + ": " + (total_size < want ? "truncated: " : "") + "shape " +
                         Shape(a.header.dims).ToString() + " of " +
                         std::string(DTypeName(a.header.dtype)) + " needs " +
                         std::to_string(a.header.data_bytes) + " data bytes, the file has " +
                         std::to_string(have));
}

class NpySource final : public ElementSource {
 public:
  NpySource(std::string path, std::string component, std::ifstream in, OpenedArray array)
      : path_(std::move(path)),
        component_(std::move(component)),
        in_(std::move(in)),
        array_(std::move(array.rows)),
        carry_(std::move(array.carry)) {}

  StatusOr<std::optional<Element>> Next() override {
    if (next_row_ >= array_.rows) return std::optional<Element>();
    const int64_t row = next_row_++;
    auto t = ReadRow(array_, Reader(), carry_, row);
    if (!t.ok()) {
      next_row_ = array_.rows;  // a short file: nothing after this row can be read either
      return t.status();
    }
    Element e;
    e.components.emplace_back(component_, std::move(t).value());
    e.origin = path_ + " row " + std::to_string(row);
    return std::optional<Element>(std::move(e));
  }

 private:
  ReadFn Reader() {
    return [this](char* dst, size_t n) -> StatusOr<size_t> {
      in_.read(dst, std::streamsize(n));
      if (in_.bad()) return Internal(path_ + ": read error");
      return size_t(in_.gcount());
    };
  }

  std::string path_;
  std::string component_;
  std::ifstream in_;
  ArrayRows array_;
  std::string carry_;
  int64_t next_row_ = 0;
};

struct ZipFileClose {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

class NpzSource final : public ElementSource {
 public:
  struct Member {
    std::string name;  // component name
    std::unique_ptr<zip_file_t, ZipFileClose> file;
    ArrayRows array;
    std::string carry;
  };

  NpzSource(std::string path, io::ZipArchive archive,
            std::vector<Member> members, int64_t rows)
      : path_(std::move(path)),
        archive_(std::move(archive)),
        members_(std::move(members)),
        rows_(rows) {}

  StatusOr<std::optional<Element>> Next() override {
    if (next_row_ >= rows_) return std::optional<Element>();
    const int64_t row = next_row_++;
    Element e;
    for (Member& m : members_) {
      auto t = ReadRow(m.array, ZipReader(m.file.get(), m.array.label), m.carry, row);
      if (!t.ok()) {
        next_row_ = rows_;
        return t.status();
      }
      e.components.emplace_back(m.name, std::move(t).value());
    }
    e.origin = path_ + " row " + std::to_string(row);
    return std::optional<Element>(std::move(e));
  }

  static ReadFn ZipReader(zip_file_t* file, const std::string& label) {
    return [file, label](char* dst, size_t n) -> StatusOr<size_t> {
      size_t done = 0;
      while (done < n) {
        const zip_int64_t got = zip_fread(file, dst + done, n - done);
        if (got < 0) return InvalidArgument(label + ": member is corrupt");
        if (got == 0) break;
        done += size_t(got);
      }
      return done;
    };
  }

 private:
  std::string path_;
  io::ZipArchive archive_;  // outlives the member streams (declared first)
  std::vector<Member> members_;
  int64_t rows_;
  int64_t next_row_ = 0;
};

}  // namespace

StatusOr<std::unique_ptr<ElementSource>> OpenNpySource(const std::string& path,
                                                       const std::string& component) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot open the file");
  ReadFn read = [&](char* dst, size_t n) -> StatusOr<size_t> {
    in.read(dst, std::streamsize(n));
    if (in.bad()) return Internal(path + ": read error");
    return size_t(in.gcount());
  };
  BRISK_ASSIGN_OR_RETURN(OpenedArray array, OpenArray(read, path));
  std::error_code ec;
  const uintmax_t file_size = std::filesystem::file_size(path, ec);
  if (!ec) BRISK_RETURN_IF_ERROR(CheckDataSize(array.rows, file_size));
  in.clear();  // a short read set eofbit; the row reader reports truncation itself
  return std::unique_ptr<ElementSource>(
      new NpySource(path, component, std::move(in), std::move(array)));
}

StatusOr<std::unique_ptr<ElementSource>> OpenNpzSource(const std::string& path) {
  BRISK_ASSIGN_OR_RETURN(io::ZipArchive archive, io::OpenNpzArchive(path));
  std::vector<NpzSource::Member> members;
  int64_t rows = -1;
  const zip_int64_t n = zip_get_num_entries(archive.get(), 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    const char* raw_name = zip_get_name(archive.get(), zip_uint64_t(i), 0);
    if (raw_name == nullptr) {
      return InvalidArgument(path + ": cannot read archive entry " + std::to_string(i));
    }
    const std::string name = raw_name;
    const std::string label = path + "[" + name + "]";
    if (name.size() < 4 || name.substr(name.size() - 4) != ".npy") {
      return InvalidArgument(label + ": .npz members must be .npy files");
    }
    NpzSource::Member m;
    m.name = name.substr(0, name.size() - 4);
    m.file.reset(zip_fopen_index(archive.get(), zip_uint64_t(i), 0));
    if (!m.file) {
      return InvalidArgument(label + ": cannot open member (" + zip_strerror(archive.get()) + ")");
    }
    BRISK_ASSIGN_OR_RETURN(OpenedArray array,
                           OpenArray(NpzSource::ZipReader(m.file.get(), label), label));
    zip_stat_t st;
    if (zip_stat_index(archive.get(), zip_uint64_t(i), 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE)) {
      BRISK_RETURN_IF_ERROR(CheckDataSize(array.rows, st.size));
    }
    if (rows >= 0 && array.rows.rows != rows) {
      return InvalidArgument(label + ": has " + std::to_string(array.rows.rows) +
                             " rows but '" + members.front().name + "' has " +
                             std::to_string(rows) + " (every array needs the same row count)");
    }
    rows = array.rows.rows;
    m.array = std::move(array.rows);
    m.carry = std::move(array.carry);
    members.push_back(std::move(m));
  }
  if (members.empty()) return InvalidArgument(path + ": the .npz archive has no arrays");
  return std::unique_ptr<ElementSource>(
      new NpzSource(path, std::move(archive), std::move(members), rows));
}

}  // namespace brisk::data::sources

namespace brisk::data {

StatusOr<Dataset> FromNpy(const std::string& path, const std::string& component) {
  // Open once now so a missing file or a bad header fails here, not at the first Next().
  BRISK_RETURN_IF_ERROR(sources::OpenNpySource(path, component).status());
  return Dataset::FromSource("npy(" + path + ")", [path, component] {
    return sources::OpenNpySource(path, component);
  });
}

StatusOr<Dataset> FromNpz(const std::string& path) {
  BRISK_RETURN_IF_ERROR(sources::OpenNpzSource(path).status());
  return Dataset::FromSource("npz(" + path + ")",
                             [path] { return sources::OpenNpzSource(path); });
}

}  // namespace brisk::data
