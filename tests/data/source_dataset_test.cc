// The file sources through the public Dataset API: each FromX() is a FromSource() whose
// iterators read the file again from the start, and the built-in ops run inside Map().
#include <gtest/gtest.h>

#include <sqlite3.h>

#include "data/sources_testing.h"
#include "io/npy.h"
#include "testing/tensor_testing.h"

namespace brisk::data {
namespace {
using namespace ::brisk::testing;  // NOLINT
using source_testing::EncodeJpeg;
using source_testing::EncodePng;
using source_testing::Pattern;
using source_testing::ScratchDir;

StatusOr<std::vector<Element>> All(const Dataset& ds) {
  BRISK_ASSIGN_OR_RETURN(auto it, ds.MakeIterator());
  std::vector<Element> out;
  while (true) {
    BRISK_ASSIGN_OR_RETURN(std::optional<Element> e, it->Next());
    if (!e) return out;
    out.push_back(std::move(*e));
  }
}

TEST(SourceDataset, CsvTwoEpochs) {
  ScratchDir dir;
  const std::string path = dir.Write("train.csv", "x,y\n1,2\n3,4\n5,6\n");
  CsvOptions options;
  options.columns = {{"y", DType::kInt64}};
  ASSERT_OK_AND_ASSIGN(Dataset ds, FromCsv(path, options));
  for (int epoch = 0; epoch < 2; ++epoch) {
    ASSERT_OK_AND_ASSIGN(auto rows, All(ds));
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[2].origin, path + ":4");
    EXPECT_EQ(*rows[2].Find("y")->data<int64_t>(), 6);
  }
  ASSERT_OK_AND_ASSIGN(auto batches, All(ds.Batch(2)));
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_TENSOR_EQ(*batches[0].Find("y"), MakeTensor<int64_t>({2}, {2, 4}));
}

TEST(SourceDataset, CsvRowErrorStopsTheIteratorNamingFileLineColumn) {
  ScratchDir dir;
  const std::string path = dir.Write("train.csv", "age\n1\nabc\n3\n");
  CsvOptions options;
  options.columns = {{"age", DType::kFloat32}};
  ASSERT_OK_AND_ASSIGN(Dataset ds, FromCsv(path, options));
  auto rows = All(ds);
  ExpectErrorContains(rows, {"train.csv:3", "column 'age'", "'abc' is not a number"});
}

TEST(SourceDataset, NpyNpzSqlite) {
  ScratchDir dir;
  const std::string npy = dir.path() + "/data.npy";
  ASSERT_TRUE(io::WriteNpy(npy, MakeTensor<float>({3, 2}, {1, 2, 3, 4, 5, 6})).ok());
  ASSERT_OK_AND_ASSIGN(Dataset a, FromNpy(npy, "features"));
  ASSERT_OK_AND_ASSIGN(auto rows, All(a));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].origin, npy + " row 1");
  EXPECT_TENSOR_EQ(*rows[1].Find("features"), MakeTensor<float>({2}, {3, 4}));

  const std::string npz = dir.path() + "/data.npz";
  ASSERT_TRUE(io::WriteNpz(npz, {{"x", MakeTensor<int32_t>({2}, {7, 8})}}).ok());
  ASSERT_OK_AND_ASSIGN(Dataset b, FromNpz(npz));
  ASSERT_OK_AND_ASSIGN(rows, All(b));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(*rows[1].Find("x")->data<int32_t>(), 8);

  const std::string db = dir.path() + "/t.db";
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(h, "CREATE TABLE t(v REAL); INSERT INTO t VALUES (1.5), (2.5);", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(h);
  ASSERT_OK_AND_ASSIGN(Dataset c, FromSqlite(db, "SELECT v * 2 AS w FROM t"));
  ASSERT_OK_AND_ASSIGN(rows, All(c));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].origin, db + " query row 2");
  EXPECT_EQ(*rows[1].Find("w")->data<double>(), 5.0);
  ExpectErrorContains(FromSqlite(db, "SELECT nope FROM t"), {db, "no such column: nope"});
  ExpectErrorContains(FromNpy(dir.path() + "/none.npy"), StatusCode::kNotFound, {"none.npy"});
}

TEST(SourceDataset, ImageFolderDecodeResizeNormalizeBatch) {
  ScratchDir dir;
  dir.Write("photos/cat/1.jpg", EncodeJpeg(Pattern(30, 40), 30, 40, 95));
  dir.Write("photos/dog/2.png", EncodePng(Pattern(20, 10), 20, 10, 3));
  dir.Write("photos/dog/3.png", EncodePng(Pattern(8, 8), 8, 8, 3));
  ASSERT_OK_AND_ASSIGN(Dataset files, ImageFolder(dir.path() + "/photos"));
  const Dataset ds =
      files
          .Map(ops::Compose({ops::DecodeImage("image"), ops::Resize("image", 16, 16),
                             ops::Normalize("image", {127.5f}, {127.5f}),
                             ops::HwcToChw("image"), ops::OneHot("label", 2)}),
               {.num_parallel_calls = 2, .name = "preprocess"})
          .Batch(2);
  ASSERT_OK_AND_ASSIGN(auto batches, All(ds));
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].Find("image")->shape(), Shape({2, 3, 16, 16}));
  EXPECT_TENSOR_EQ(*batches[0].Find("label"), MakeTensor<float>({2, 2}, {1, 0, 0, 1}));
  for (float v : batches[1].Find("image")->span<float>()) {
    EXPECT_GE(v, -1.0f);
    EXPECT_LE(v, 1.0f);
  }
}

TEST(SourceDataset, CorruptImageNamesItsPath) {
  ScratchDir dir;
  dir.Write("photos/cat/ok.jpg", EncodeJpeg(Pattern(8, 8), 8, 8, 90));
  const std::string bad = dir.Write("photos/cat/zz.jpg", "plain text, not an image");
  ASSERT_OK_AND_ASSIGN(Dataset files, ImageFolder(dir.path() + "/photos"));
  auto rows = All(files.Map(ops::DecodeImage()));
  ExpectErrorContains(rows, {bad, "not a JPEG or PNG file"});
  ASSERT_OK_AND_ASSIGN(auto kept, All(files.Map(ops::DecodeImage()).IgnoreErrors()));
  EXPECT_EQ(kept.size(), 1u);
}

}  // namespace
}  // namespace brisk::data
