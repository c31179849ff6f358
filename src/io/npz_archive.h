// Opening an .npz file as a libzip archive, shared by io::ReadNpz and the pipeline's NPZ source.
#pragma once

#include <zip.h>

#include <memory>
#include <string>

#include "brisk/status.h"

namespace brisk::io {

struct ZipCloser {
  void operator()(zip_t* z) const {
    if (z != nullptr) zip_discard(z);
  }
};
using ZipArchive = std::unique_ptr<zip_t, ZipCloser>;

// Opens `path` read-only. NotFound when it does not exist or cannot be opened, InvalidArgument
// when it is not a zip archive; the message names the file.
StatusOr<ZipArchive> OpenNpzArchive(const std::string& path);

}  // namespace brisk::io
