// ImageFolder's listing and source: labels from sorted subfolders (Keras), files in the root
// get -1, extensions are case-insensitive, bytes are read when the element is produced, and a
// missing folder is NotFound naming it.
#include <gtest/gtest.h>

#include <filesystem>

#include "data/sources/image_folder.h"
#include "data/sources_testing.h"
#include "testing/tensor_testing.h"

namespace brisk::data {
namespace {
using namespace ::brisk::testing;  // NOLINT

using source_testing::Drain;
using source_testing::Get;
using source_testing::ScratchDir;

TEST(SourceImageFolder, LabelsFromSortedSubfolders) {
  ScratchDir dir;
  dir.Write("photos/dog/b.jpg", "dog-b");
  dir.Write("photos/dog/a.JPG", "dog-a");
  dir.Write("photos/cat/001.jpg", "cat-1");
  dir.Write("photos/cat/nested/002.png", "cat-2");
  dir.Write("photos/cat/notes.txt", "not an image");
  dir.Write("photos/bird-x/z.jpeg", "bird");
  dir.Write("photos/.hidden/h.jpg", "hidden");
  dir.Write("photos/root.png", "root");
  const std::string root = dir.path() + "/photos";

  ASSERT_OK_AND_ASSIGN(auto classes, ImageFolderClassNames(root));
  EXPECT_EQ(classes, (std::vector<std::string>{"bird-x", "cat", "dog"}));

  ASSERT_OK_AND_ASSIGN(auto files, sources::ListImageFiles(root, {}));
  std::vector<std::pair<std::string, int64_t>> got;
  for (const auto& f : files) got.emplace_back(f.path.substr(root.size() + 1), f.label);
  EXPECT_EQ(got, (std::vector<std::pair<std::string, int64_t>>{{"root.png", -1},
                                                               {"bird-x/z.jpeg", 0},
                                                               {"cat/001.jpg", 1},
                                                               {"cat/nested/002.png", 1},
                                                               {"dog/a.JPG", 2},
                                                               {"dog/b.jpg", 2}}));

  auto shared = std::make_shared<const std::vector<sources::ImageFile>>(files);
  auto source = sources::MakeImageFileSource(shared);
  ASSERT_OK_AND_ASSIGN(auto elements, Drain(*source));
  ASSERT_EQ(elements.size(), 6u);
  const Element& cat = elements[2];
  EXPECT_EQ(cat.origin, root + "/cat/001.jpg");
  EXPECT_EQ(*Get(cat, "label").data<int64_t>(), 1);
  EXPECT_EQ(*Get(cat, "path").data<std::string>(), root + "/cat/001.jpg");
  const Tensor& bytes = Get(cat, "image");
  ASSERT_EQ(bytes.dtype(), DType::kUInt8);
  EXPECT_EQ(std::string(static_cast<const char*>(bytes.raw_data()), size_t(bytes.dim(0))),
            "cat-1");
}

TEST(SourceImageFolder, NoLabelsAndShuffle) {
  ScratchDir dir;
  for (int i = 0; i < 20; ++i) {
    dir.Write("d/c" + std::to_string(i % 3) + "/" + std::to_string(i) + ".png", "x");
  }
  ImageFolderOptions options;
  options.labels_from_subfolders = false;
  ASSERT_OK_AND_ASSIGN(auto plain, sources::ListImageFiles(dir.path() + "/d", options));
  ASSERT_EQ(plain.size(), 20u);
  for (const auto& f : plain) EXPECT_EQ(f.label, -1);
  options.shuffle_files = true;
  options.seed = 3;
  ASSERT_OK_AND_ASSIGN(auto a, sources::ListImageFiles(dir.path() + "/d", options));
  ASSERT_OK_AND_ASSIGN(auto b, sources::ListImageFiles(dir.path() + "/d", options));
  std::vector<std::string> pa, pb, pp;
  for (size_t i = 0; i < a.size(); ++i) {
    pa.push_back(a[i].path);
    pb.push_back(b[i].path);
    pp.push_back(plain[i].path);
  }
  EXPECT_EQ(pa, pb);  // the seed fixes the order
  EXPECT_NE(pa, pp);
  std::sort(pa.begin(), pa.end());
  EXPECT_EQ(pa, pp);
}

TEST(SourceImageFolder, BytesAreReadWhenProduced) {
  ScratchDir dir;
  dir.Write("d/a/1.jpg", "one");
  const std::string gone = dir.Write("d/a/2.jpg", "two");
  ASSERT_OK_AND_ASSIGN(auto files, sources::ListImageFiles(dir.path() + "/d", {}));
  std::filesystem::remove(gone);  // listed, then deleted before it is read
  auto source =
      sources::MakeImageFileSource(std::make_shared<const std::vector<sources::ImageFile>>(files));
  ASSERT_TRUE(source->Next().ok());
  ExpectErrorContains(source->Next(), StatusCode::kNotFound, {"d/a/2.jpg"});
}

TEST(SourceImageFolder, MissingDirectoryIsNotFound) {
  ExpectErrorContains(ImageFolderClassNames("/nonexistent/photos"), StatusCode::kNotFound,
                      {"/nonexistent/photos"});
  ExpectErrorContains(ImageFolder("/nonexistent/photos"), StatusCode::kNotFound,
                      {"/nonexistent/photos"});
  ScratchDir dir;
  const std::string file = dir.Write("f.jpg", "x");
  ExpectErrorContains(ImageFolderClassNames(file), {"not a directory"});
}

}  // namespace
}  // namespace brisk::data
