// Cache in a file: the first complete pass writes every element to `filename`; later iterators
// (in this process or the next) read them back without touching the input.
//
// Files: `filename` holds the elements, `filename.index` is written last and marks the cache
// complete (element count and data size), `filename.lockfile` exists while a pass writes. A
// second writer finds the lockfile and fails (tf.data does the same); a pass that stops early
// or hits an error deletes its partial data. Reading checks every length against the file, so
// a damaged cache is an error naming the file, never a wrong element.
//
// Element record: origin, component count, then per component: name, dtype, rank, dims, byte
// count and bytes (strings: per element length + bytes). Integers are little-endian uint64.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "brisk/logging.h"
#include "data/cache_writer.h"
#include "data/pipeline.h"

namespace brisk::data::internal {
namespace {

constexpr char kMagic[8] = {'B', 'R', 'I', 'S', 'K', 'C', 'A', '1'};

void PutU64(std::string& out, uint64_t v) { out.append(reinterpret_cast<const char*>(&v), 8); }
void PutString(std::string& out, const std::string& s) {
  PutU64(out, s.size());
  out += s;
}

std::string Encode(const Element& e) {
  std::string out;
  PutString(out, e.origin);
  PutU64(out, e.components.size());
  for (const auto& [name, t] : e.components) {
    PutString(out, name);
    PutU64(out, uint64_t(t.dtype()));
    PutU64(out, uint64_t(t.rank()));
    for (int64_t d : t.shape().dims()) PutU64(out, uint64_t(d));
    if (t.dtype() == DType::kString) {
      for (const std::string& s : t.span<std::string>()) PutString(out, s);
    } else {
      out.append(static_cast<const char*>(t.raw_data()), t.byte_size());
    }
  }
  return out;
}

// Streams records from the data file, checking every length against the bytes left.
class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)), in_(path_, std::ios::binary) {
    std::error_code error;
    size_ = std::filesystem::file_size(path_, error);
    if (error) size_ = 0;
  }
  bool open() const { return bool(in_); }

  StatusOr<uint64_t> U64() {
    uint64_t v;
    if (size_ - pos_ < 8 || !in_.read(reinterpret_cast<char*>(&v), 8)) return Corrupt();
    pos_ += 8;
    return v;
  }
  Status Read(void* out, uint64_t n) {
    if (n > size_ - pos_ || !in_.read(static_cast<char*>(out), std::streamsize(n))) {
      return Corrupt();
    }
    pos_ += n;
    return Status::Ok();
  }
  StatusOr<std::string> String() {
    BRISK_ASSIGN_OR_RETURN(uint64_t n, U64());
    if (n > size_ - pos_) return Corrupt();
    std::string s(n, '\0');
    BRISK_RETURN_IF_ERROR(Read(s.data(), n));
    return s;
  }

  StatusOr<Element> ReadElement() {
    Element e;
    BRISK_ASSIGN_OR_RETURN(e.origin, String());
    BRISK_ASSIGN_OR_RETURN(uint64_t count, U64());
    if (count > 4096) return Corrupt();
    for (uint64_t c = 0; c < count; ++c) {
      BRISK_ASSIGN_OR_RETURN(std::string name, String());
      BRISK_ASSIGN_OR_RETURN(uint64_t dtype, U64());
      BRISK_ASSIGN_OR_RETURN(uint64_t rank, U64());
      if (dtype == 0 || dtype > uint64_t(DType::kString) || rank > 32) return Corrupt();
      DimVector dims;
      uint64_t elements = 1;
      for (uint64_t d = 0; d < rank; ++d) {
        BRISK_ASSIGN_OR_RETURN(uint64_t dim, U64());
        if (dim > size_) return Corrupt();  // no dimension is larger than the file
        elements *= std::max<uint64_t>(dim, 1);
        if (elements > size_ * 8 + 8) return Corrupt();
        dims.push_back(int64_t(dim));
      }
      StatusOr<Tensor> t = Tensor::Allocate(DType(dtype), Shape(std::move(dims)));
      if (!t.ok()) return Corrupt();
      if (t->dtype() == DType::kString) {
        for (std::string& s : t->span<std::string>()) {
          BRISK_ASSIGN_OR_RETURN(s, String());
        }
      } else {
        BRISK_RETURN_IF_ERROR(Read(t->raw_data(), t->byte_size()));
      }
      e.components.emplace_back(std::move(name), std::move(t).value());
    }
    return e;
  }

  Status Corrupt() const {
    return InvalidArgument("cache file " + path_ + " is damaged at byte " + std::to_string(pos_) +
                           "; delete it and " + path_ + ".index to rebuild the cache");
  }

 private:
  std::string path_;
  std::ifstream in_;
  uint64_t size_ = 0;
  uint64_t pos_ = 0;
};

class FileCacheReader final : public StageIterator {
 public:
  FileCacheReader(std::shared_ptr<StageCounters> c, std::string path, uint64_t count)
      : StageIterator(std::move(c), nullptr), path_(std::move(path)), count_(count) {}

 protected:
  NextResult DoNext() override {
    if (!reader_) {
      reader_ = std::make_unique<Reader>(path_);
      char magic[sizeof(kMagic)] = {};
      if (!reader_->open() || !reader_->Read(magic, sizeof(magic)).ok() ||
          std::memcmp(magic, kMagic, sizeof(kMagic)) != 0) {
        read_ = count_;
        return InvalidArgument("cache file " + path_ + " is missing or not a brisk cache file; "
                               "delete " + path_ + ".index to rebuild the cache");
      }
    }
    if (read_ >= count_) return std::optional<Element>();
    StatusOr<Element> e = reader_->ReadElement();
    if (!e.ok()) {
      read_ = count_;  // nothing after a damaged record can be trusted
      return e.status();
    }
    ++read_;
    return std::optional<Element>(std::move(e).value());
  }

 private:
  std::string path_;
  uint64_t count_;
  uint64_t read_ = 0;
  std::unique_ptr<Reader> reader_;
};

class FileCacheWriter final : public CacheWriter {
 public:
  FileCacheWriter(std::shared_ptr<StageCounters> c, std::unique_ptr<StageIterator> in,
                  std::string path, int lock_fd)
      : CacheWriter(std::move(c), std::move(in)), path_(std::move(path)), lock_fd_(lock_fd) {
    out_.open(path_, std::ios::binary | std::ios::trunc);
    out_.write(kMagic, sizeof(kMagic));
  }

  ~FileCacheWriter() override {
    if (!finished_) {
      out_.close();
      std::remove(path_.c_str());
      Log(LogLevel::kWarning, "cache(" + path_ + "): the pass stopped before the end of the "
                              "input, so the partial cache was discarded; to cache part of a "
                              "dataset use take(k).cache(...)");
    }
    ::close(lock_fd_);
    std::remove((path_ + ".lockfile").c_str());
  }

 protected:
  Status Store(const Element& element) override {
    if (!out_) {
      return Status(StatusCode::kInternal, "cache(" + path_ + "): cannot write the cache file");
    }
    std::string record = Encode(element);
    out_.write(record.data(), std::streamsize(record.size()));
    ++count_;
    return Status::Ok();
  }

  void Finish(bool complete) override {
    out_.close();
    if (complete && out_) {
      std::ofstream index(path_ + ".index", std::ios::trunc);
      index << count_ << "\n";
      finished_ = bool(index);
    }
    if (!finished_) std::remove(path_.c_str());  // nothing partial is left behind
    finished_ = true;
  }

 private:
  std::string path_;
  int lock_fd_;
  std::ofstream out_;
  uint64_t count_ = 0;
  bool finished_ = false;
};

class FileCacheNode final : public DatasetNode {
 public:
  FileCacheNode(std::shared_ptr<const DatasetNode> input, std::string path)
      : DatasetNode(std::move(input)), path_(std::move(path)) {}
  std::string Describe() const override { return "cache(" + path_ + ")"; }

  StatusOr<std::unique_ptr<StageIterator>> MakeIterator(PipelineContext& context) const override {
    std::ifstream index(path_ + ".index");
    uint64_t count = 0;
    if (index >> count) {
      return std::unique_ptr<StageIterator>(new FileCacheReader(Counters(context), path_, count));
    }
    const std::string lock = path_ + ".lockfile";
    int fd = ::open(lock.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
    if (fd < 0) {
      return FailedPrecondition(
          "cache(" + path_ + "): " + lock + " exists: another iterator appears to be writing "
          "this cache right now; wait for it, or delete the lockfile if no process is");
    }
    StatusOr<std::unique_ptr<StageIterator>> input = StartInput(context);
    if (!input.ok()) {
      ::close(fd);
      std::remove(lock.c_str());
      return input.status();
    }
    return std::unique_ptr<StageIterator>(
        new FileCacheWriter(Counters(context), std::move(input).value(), path_, fd));
  }

 private:
  std::string path_;
};

}  // namespace

std::shared_ptr<const DatasetNode> MakeFileCacheNode(std::shared_ptr<const DatasetNode> input,
                                                     std::string filename) {
  return std::make_shared<FileCacheNode>(std::move(input), std::move(filename));
}

}  // namespace brisk::data::internal
