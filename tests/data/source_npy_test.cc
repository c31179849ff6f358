// FromNpy / FromNpz sources: rows of every dtype and rank, origins, the row count check across
// .npz members, and errors naming the file (unsupported dtype, corrupt header, truncated data).
#include <gtest/gtest.h>

#include "data/sources/npy_source.h"
#include "data/sources_testing.h"
#include "io/npy.h"
#include "testing/tensor_testing.h"

namespace brisk::data {
namespace {
using namespace ::brisk::testing;  // NOLINT

using source_testing::Drain;
using source_testing::Get;
using source_testing::ScratchDir;

TEST(SourceNpy, RowsOfAMatrix) {
  ScratchDir dir;
  const std::string path = dir.path() + "/data.npy";
  ASSERT_TRUE(io::WriteNpy(path, MakeTensor<float>({3, 2}, {1, 2, 3, 4, 5, 6})).ok());
  ASSERT_OK_AND_ASSIGN(auto source, sources::OpenNpySource(path, "x"));
  ASSERT_OK_AND_ASSIGN(auto rows, Drain(*source));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2].origin, path + " row 2");
  EXPECT_TENSOR_EQ(Get(rows[1], "x"), MakeTensor<float>({2}, {3, 4}));
}

TEST(SourceNpy, VectorRowsAreScalarsAndBoolsAreNormalised) {
  ScratchDir dir;
  // A hand-made bool file with a non-0/1 byte (NumPy never writes it, but files may hold it).
  auto bytes = io::SerializeNpy(MakeBoolTensor({3}, {1, 0, 1}));
  ASSERT_TRUE(bytes.ok());
  std::string b = *bytes;
  b[b.size() - 1] = 7;
  const std::string path = dir.Write("b.npy", b);
  ASSERT_OK_AND_ASSIGN(auto source, sources::OpenNpySource(path, "flag"));
  ASSERT_OK_AND_ASSIGN(auto rows, Drain(*source));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(Get(rows[0], "flag").rank(), 0);
  EXPECT_EQ(*Get(rows[2], "flag").data<uint8_t>(), 1);
}

TEST(SourceNpy, EmptyArrayHasNoRows) {
  ScratchDir dir;
  const std::string path = dir.path() + "/e.npy";
  ASSERT_OK_AND_ASSIGN(Tensor t, Tensor::Allocate(DType::kInt64, Shape{0, 4}));
  ASSERT_TRUE(io::WriteNpy(path, t).ok());
  ASSERT_OK_AND_ASSIGN(auto source, sources::OpenNpySource(path, "x"));
  ASSERT_OK_AND_ASSIGN(auto rows, Drain(*source));
  EXPECT_TRUE(rows.empty());
}

TEST(SourceNpy, UnsupportedDtypeNamesTheFile) {
  ScratchDir dir;
  std::string header = "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }";
  header += std::string(64 - (10 + header.size() + 1) % 64, ' ') + "\n";
  std::string file = std::string("\x93NUMPY\x01\x00", 8) + char(header.size()) + '\0' + header +
                     std::string(16, '\0');
  const std::string path = dir.Write("complex.npy", file);
  ExpectErrorContains(sources::OpenNpySource(path, "x"), {"complex.npy", "'<c8'", "not supported"});
  ExpectErrorContains(FromNpy(path), {"complex.npy"});
}

TEST(SourceNpy, CorruptHeaderAndTruncatedDataNameTheFile) {
  ScratchDir dir;
  const std::string bad =
      dir.Write("bad.npy", std::string("\x93NUMPY\x01\x00\x10\x00{'descr': '<f4'", 25));
  ExpectErrorContains(sources::OpenNpySource(bad, "x"), {"bad.npy"});
  const std::string text = dir.Write("text.npy", "hello, this is not numpy");
  ExpectErrorContains(sources::OpenNpySource(text, "x"), {"text.npy", "bad magic"});
  auto bytes = io::SerializeNpy(MakeTensor<int32_t>({4, 2}, {1, 2, 3, 4, 5, 6, 7, 8}));
  ASSERT_TRUE(bytes.ok());
  const std::string cut = dir.Write("cut.npy", bytes->substr(0, bytes->size() - 5));
  ExpectErrorContains(sources::OpenNpySource(cut, "x"),
                      {"cut.npy", "truncated", "[4, 2]", "needs 32 data bytes", "has 27"});
  const std::string longer = dir.Write("long.npy", *bytes + "xx");
  ExpectErrorContains(sources::OpenNpySource(longer, "x"), {"long.npy", "has 34"});
  ExpectErrorContains(sources::OpenNpySource(dir.path() + "/none.npy", "x"),
                      StatusCode::kNotFound, {"none.npy"});
}

TEST(SourceNpz, RowsOfEveryMember) {
  ScratchDir dir;
  const std::string path = dir.path() + "/d.npz";
  ASSERT_TRUE(io::WriteNpz(path, {{"x", MakeTensor<float>({2, 2}, {1, 2, 3, 4})},
                                  {"y", MakeTensor<int64_t>({2}, {7, 8})}})
                  .ok());
  ASSERT_OK_AND_ASSIGN(auto source, sources::OpenNpzSource(path));
  ASSERT_OK_AND_ASSIGN(auto rows, Drain(*source));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].origin, path + " row 1");
  EXPECT_TENSOR_EQ(Get(rows[1], "x"), MakeTensor<float>({2}, {3, 4}));
  EXPECT_EQ(*Get(rows[1], "y").data<int64_t>(), 8);
}

TEST(SourceNpz, RowCountsMustMatch) {
  ScratchDir dir;
  const std::string path = dir.path() + "/d.npz";
  ASSERT_TRUE(io::WriteNpz(path, {{"x", MakeTensor<float>({2}, {1, 2})},
                                  {"y", MakeTensor<float>({3}, {1, 2, 3})}})
                  .ok());
  ExpectErrorContains(sources::OpenNpzSource(path), {"d.npz[y.npy]", "3 rows", "'x' has 2"});
  const std::string junk = dir.Write("junk.npz", "not a zip");
  ExpectErrorContains(sources::OpenNpzSource(junk), {"junk.npz"});
}

}  // namespace
}  // namespace brisk::data
