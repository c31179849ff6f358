// .npz archives through libzip.
#include <zip.h>

#include <memory>

#include "io/npy.h"
#include "io/npz_archive.h"

namespace brisk::io {
namespace {

constexpr zip_uint64_t kMaxMemberBytes = zip_uint64_t(1) << 36;  // 64 GiB

}  // namespace

StatusOr<ZipArchive> OpenNpzArchive(const std::string& path) {
  int err = 0;
  ZipArchive archive(zip_open(path.c_str(), ZIP_RDONLY, &err));
  if (!archive) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    std::string msg = path + ": not a readable .npz archive (" + zip_error_strerror(&ze) + ")";
    zip_error_fini(&ze);
    return err == ZIP_ER_NOENT || err == ZIP_ER_OPEN ? NotFound(msg) : InvalidArgument(msg);
  }
  return archive;
}

StatusOr<NamedTensors> ReadNpz(const std::string& path) {
  BRISK_ASSIGN_OR_RETURN(ZipArchive archive, OpenNpzArchive(path));
  NamedTensors arrays;
  const zip_int64_t n = zip_get_num_entries(archive.get(), 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    if (zip_stat_index(archive.get(), zip_uint64_t(i), 0, &st) != 0) {
      return InvalidArgument(path + ": cannot read archive entry " + std::to_string(i));
    }
    std::string name = st.name;
    const std::string label = path + "[" + name + "]";
    if (name.size() < 4 || name.substr(name.size() - 4) != ".npy") {
      return InvalidArgument(label + ": .npz members must be .npy files");
    }
    if (st.size > kMaxMemberBytes) return ResourceExhausted(label + ": member is too large");
    std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> file(
        zip_fopen_index(archive.get(), zip_uint64_t(i), 0), zip_fclose);
    if (!file) return InvalidArgument(label + ": cannot open member (" + zip_strerror(archive.get()) + ")");
    std::string bytes(size_t(st.size), '\0');
    const zip_int64_t got = zip_fread(file.get(), bytes.data(), st.size);
    if (got < 0 || zip_uint64_t(got) != st.size) {
      return InvalidArgument(label + ": member is truncated or corrupt");
    }
    BRISK_ASSIGN_OR_RETURN(Tensor t, ParseNpy(bytes, label));
    arrays.emplace_back(name.substr(0, name.size() - 4), std::move(t));
  }
  return arrays;
}

Status WriteNpz(const std::string& path, const NamedTensors& arrays) {
  int err = 0;
  ZipArchive archive(zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err));
  if (!archive) return InvalidArgument(path + ": cannot create the archive");
  std::vector<std::string> buffers;  // libzip reads them at close time
  buffers.reserve(arrays.size());
  for (const auto& [name, tensor] : arrays) {
    auto bytes = SerializeNpy(tensor);
    if (!bytes.ok()) return bytes.status().WithContext(path + "[" + name + "]");
    buffers.push_back(std::move(bytes).value());
    zip_source_t* src =
        zip_source_buffer(archive.get(), buffers.back().data(), buffers.back().size(), 0);
    if (src == nullptr ||
        zip_file_add(archive.get(), (name + ".npy").c_str(), src, ZIP_FL_OVERWRITE) < 0) {
      if (src) zip_source_free(src);
      return Internal(path + ": cannot add '" + name + "' (" + zip_strerror(archive.get()) + ")");
    }
  }
  if (zip_close(archive.get()) != 0) {
    return Internal(path + ": writing the archive failed (" + zip_strerror(archive.get()) + ")");
  }
  archive.release();
  return Status::Ok();
}

}  // namespace brisk::io
