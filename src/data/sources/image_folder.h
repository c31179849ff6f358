// Element source over the image files of a folder tree (Keras' image_dataset_from_directory
// layout: one subfolder per class). Internal: ImageFolder wraps it in a Dataset; tests use it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "brisk/data.h"

namespace brisk::data::sources {

struct ImageFile {
  std::string path;   // directory + "/" + relative path, the element's origin
  int64_t label = -1;
};

// The files ImageFolder yields, in order (listing only: no file is opened).
StatusOr<std::vector<ImageFile>> ListImageFiles(const std::string& directory,
                                                const ImageFolderOptions& options);
// Reads each file's bytes when its element is produced.
std::unique_ptr<ElementSource> MakeImageFileSource(
    std::shared_ptr<const std::vector<ImageFile>> files);

}  // namespace brisk::data::sources
