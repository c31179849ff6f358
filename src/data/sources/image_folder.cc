// ImageFolder: std::filesystem listing (sorted, labels = index of the class subfolder in sorted
// order, files straight in the folder get -1), file bytes read lazily by the source.
#include "data/sources/image_folder.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <system_error>
#include <utility>

namespace brisk::data::sources {
namespace fs = std::filesystem;
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = char(std::tolower(uint8_t(c)));
  return s;
}

bool Accepted(const fs::path& p, const std::vector<std::string>& extensions) {
  const std::string ext = Lower(p.extension().string());
  for (const auto& e : extensions) {
    std::string want = Lower(e);
    if (!want.empty() && want[0] != '.') want = "." + want;
    if (ext == want) return true;
  }
  return false;
}

Status CheckDirectory(const std::string& directory) {
  std::error_code ec;
  if (!fs::exists(directory, ec)) return NotFound(directory + ": no such directory");
  if (!fs::is_directory(directory, ec)) return InvalidArgument(directory + ": not a directory");
  return Status::Ok();
}

// Image files below `dir` (recursively), as paths relative to `root`.
Status CollectFiles(const fs::path& root, const fs::path& dir, bool recursive,
                    const std::vector<std::string>& extensions, std::vector<std::string>& out) {
  std::error_code ec;
  auto add = [&](const fs::directory_entry& entry) {
    std::error_code e2;
    if (entry.is_regular_file(e2) && Accepted(entry.path(), extensions)) {
      out.push_back(entry.path().lexically_relative(root).generic_string());
    }
  };
  if (recursive) {
    // Symlinked folders inside a class folder are not followed (no cycles); a class folder that
    // is itself a symlink is (the iteration starts at it).
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      add(*it);
    }
  } else {
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) add(*it);
  }
  if (ec) return InvalidArgument(dir.string() + ": cannot list (" + ec.message() + ")");
  return Status::Ok();
}

std::string Join(const std::string& directory, const std::string& relative) {
  if (!directory.empty() && directory.back() == '/') return directory + relative;
  return directory + "/" + relative;
}

class ImageFileSource final : public ElementSource {
 public:
  explicit ImageFileSource(std::shared_ptr<const std::vector<ImageFile>> files)
      : files_(std::move(files)) {}

  StatusOr<std::optional<Element>> Next() override {
    if (next_ >= files_->size()) return std::optional<Element>();
    const ImageFile& f = (*files_)[next_++];
    std::ifstream in(f.path, std::ios::binary | std::ios::ate);
    if (!in) return NotFound(f.path + ": cannot open the file");
    const std::streamoff size = in.tellg();
    if (size < 0) return Internal(f.path + ": cannot read the file size");
    in.seekg(0);
    BRISK_ASSIGN_OR_RETURN(Tensor bytes, Tensor::Allocate(DType::kUInt8, Shape{int64_t(size)}));
    in.read(static_cast<char*>(bytes.raw_data()), size);
    if (in.gcount() != size) return Internal(f.path + ": read error (file changed?)");
    Element e;
    e.components.emplace_back("image", std::move(bytes));
    e.components.emplace_back("label", Tensor::Scalar<int64_t>(f.label));
    e.components.emplace_back("path", Tensor::Scalar(f.path));
    e.origin = f.path;
    return std::optional<Element>(std::move(e));
  }

 private:
  std::shared_ptr<const std::vector<ImageFile>> files_;
  size_t next_ = 0;
};

}  // namespace

StatusOr<std::vector<ImageFile>> ListImageFiles(const std::string& directory,
                                                const ImageFolderOptions& options) {
  BRISK_RETURN_IF_ERROR(CheckDirectory(directory));
  std::vector<ImageFile> files;
  std::vector<std::string> relative;
  if (options.labels_from_subfolders) {
    // Files straight in the folder (label -1), then each class folder in sorted order.
    BRISK_RETURN_IF_ERROR(CollectFiles(directory, directory, false, options.extensions, relative));
    std::sort(relative.begin(), relative.end());
    for (auto& r : relative) files.push_back({Join(directory, r), -1});
    BRISK_ASSIGN_OR_RETURN(std::vector<std::string> classes, ImageFolderClassNames(directory));
    for (size_t label = 0; label < classes.size(); ++label) {
      relative.clear();
      BRISK_RETURN_IF_ERROR(CollectFiles(directory, fs::path(directory) / classes[label], true,
                                         options.extensions, relative));
      std::sort(relative.begin(), relative.end());
      for (auto& r : relative) files.push_back({Join(directory, r), int64_t(label)});
    }
  } else {
    BRISK_RETURN_IF_ERROR(CollectFiles(directory, directory, true, options.extensions, relative));
    std::sort(relative.begin(), relative.end());
    for (auto& r : relative) files.push_back({Join(directory, r), -1});
  }
  if (options.shuffle_files) {
    std::mt19937_64 rng(options.seed);
    std::shuffle(files.begin(), files.end(), rng);
  }
  return files;
}

std::unique_ptr<ElementSource> MakeImageFileSource(
    std::shared_ptr<const std::vector<ImageFile>> files) {
  return std::make_unique<ImageFileSource>(std::move(files));
}

}  // namespace brisk::data::sources

namespace brisk::data {

StatusOr<std::vector<std::string>> ImageFolderClassNames(const std::string& directory) {
  BRISK_RETURN_IF_ERROR(sources::CheckDirectory(directory));
  std::vector<std::string> names;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(directory, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code e2;
    const std::string name = it->path().filename().string();
    // Hidden folders (.git, .ipynb_checkpoints) are not classes.
    if (it->is_directory(e2) && !name.empty() && name[0] != '.') names.push_back(name);
  }
  if (ec) return InvalidArgument(directory + ": cannot list (" + ec.message() + ")");
  std::sort(names.begin(), names.end());
  return names;
}

StatusOr<Dataset> ImageFolder(const std::string& directory, ImageFolderOptions options) {
  // Listed once, here: every iterator (epoch) yields the same files in the same order.
  BRISK_ASSIGN_OR_RETURN(std::vector<sources::ImageFile> files,
                         sources::ListImageFiles(directory, options));
  auto shared = std::make_shared<const std::vector<sources::ImageFile>>(std::move(files));
  return Dataset::FromSource("image_folder(" + directory + ")",
                             [shared]() -> StatusOr<std::unique_ptr<ElementSource>> {
                               return sources::MakeImageFileSource(shared);
                             });
}

}  // namespace brisk::data
