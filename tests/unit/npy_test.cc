// NPY/NPZ round trips and malformed .npy files.
#include "io/npy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "testing/tensor_testing.h"
#include "unit/model_builder.h"

namespace brisk::io {
namespace {

using ::brisk::testing::MakeBoolTensor;
using ::brisk::testing::MakeTensor;
using ::brisk::testing::TempDir;
using ::testing::HasSubstr;

void ExpectRoundTrip(const Tensor& t) {
  SCOPED_TRACE(t.TypeString());
  auto bytes = SerializeNpy(t);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(bytes->substr(0, 6), "\x93NUMPY");
  auto back = ParseNpy(*bytes, "roundtrip.npy");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TENSOR_EQ(*back, t);
}

TEST(NpyTest, RoundTripDTypesAndShapes) {
  ExpectRoundTrip(MakeTensor<float>({2, 3}, {1, -2, 3.5f, 0, 1e30f, -1e-30f}));
  ExpectRoundTrip(MakeTensor<double>({3}, {1.25, -2, 1e300}));
  ExpectRoundTrip(MakeTensor<int8_t>({4}, {-128, -1, 0, 127}));
  ExpectRoundTrip(MakeTensor<uint8_t>({2, 2}, {0, 1, 254, 255}));
  ExpectRoundTrip(MakeTensor<int16_t>({2}, {-32768, 32767}));
  ExpectRoundTrip(MakeTensor<uint16_t>({1, 1, 2}, {0, 65535}));
  ExpectRoundTrip(MakeTensor<int32_t>({2, 1}, {INT32_MIN, INT32_MAX}));
  ExpectRoundTrip(MakeTensor<uint32_t>({1}, {UINT32_MAX}));
  ExpectRoundTrip(MakeTensor<int64_t>({3}, {INT64_MIN, 0, INT64_MAX}));
  ExpectRoundTrip(MakeTensor<uint64_t>({2}, {0, UINT64_MAX}));
  ExpectRoundTrip(MakeTensor<Float16>({2}, {Float16(1.5f), Float16(-65504.f)}));
  ExpectRoundTrip(MakeBoolTensor({2, 2}, {1, 0, 0, 1}));
}

TEST(NpyTest, RoundTripRankZeroAndEmpty) {
  ExpectRoundTrip(Tensor::Scalar<float>(42.5f));
  ExpectRoundTrip(Tensor::Scalar<int64_t>(-7));
  ExpectRoundTrip(*Tensor::Zeros(DType::kFloat32, Shape{0}));
  ExpectRoundTrip(*Tensor::Zeros(DType::kInt32, Shape{3, 0, 2}));
  ExpectRoundTrip(MakeTensor<float>({1}, {3}));  // "(1,)" spelled with the trailing comma
}

TEST(NpyTest, HeaderIsAlignedAndNumpyCompatible) {
  auto bytes = SerializeNpy(MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6}));
  ASSERT_TRUE(bytes.ok());
  const size_t header_len = uint8_t((*bytes)[8]) | size_t(uint8_t((*bytes)[9])) << 8;
  EXPECT_EQ((10 + header_len) % 64, 0u);
  const std::string header = bytes->substr(10, header_len);
  EXPECT_THAT(header, HasSubstr("'descr': '<f4'"));
  EXPECT_THAT(header, HasSubstr("'fortran_order': False"));
  EXPECT_THAT(header, HasSubstr("'shape': (2, 3)"));
  EXPECT_EQ(header.back(), '\n');
}

TEST(NpyTest, FileRoundTrip) {
  TempDir dir;
  const std::string path = (dir.path() / "a.npy").string();
  const Tensor t = MakeTensor<int32_t>({2, 2}, {1, 2, 3, 4});
  ASSERT_TRUE(WriteNpy(path, t).ok());
  auto back = ReadNpy(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TENSOR_EQ(*back, t);
}

TEST(NpyTest, SerializeRejectsTypesNumpyLacks) {
  auto s = SerializeNpy(Tensor::Scalar<std::string>("text"));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("string"));
  auto b = SerializeNpy(Tensor::Scalar<BFloat16>(BFloat16(1.f)));
  ASSERT_FALSE(b.ok());
  EXPECT_THAT(b.status().message(), HasSubstr("bfloat16"));
}

TEST(NpzTest, RoundTripSeveralArrays) {
  TempDir dir;
  const std::string path = (dir.path() / "arrays.npz").string();
  const NamedTensors arrays = {
      {"weights", MakeTensor<float>({2, 2}, {1, 2, 3, 4})},
      {"ids", MakeTensor<int64_t>({3}, {7, 8, 9})},
      {"scalar", Tensor::Scalar<double>(0.5)},
      {"empty", *Tensor::Zeros(DType::kUInt8, Shape{0, 4})},
  };
  ASSERT_TRUE(WriteNpz(path, arrays).ok());
  auto back = ReadNpz(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), arrays.size());
  for (const auto& [name, tensor] : arrays) {
    auto it = std::find_if(back->begin(), back->end(), [&](const auto& p) { return p.first == name; });
    ASSERT_NE(it, back->end()) << name;
    EXPECT_TENSOR_EQ(it->second, tensor);
  }
}

TEST(NpzTest, BadArchivesGiveErrors) {
  TempDir dir;
  auto missing = ReadNpz((dir.path() / "missing.npz").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("missing.npz"));
  const std::string text = dir.WriteFile("text.npz", "not a zip archive at all\n");
  auto bad = ReadNpz(text);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("text.npz"));
  // A string tensor cannot be written; the error names the array.
  auto unwritable = WriteNpz((dir.path() / "s.npz").string(),
                             {{"words", Tensor::Scalar<std::string>("x")}});
  ASSERT_FALSE(unwritable.ok());
  EXPECT_THAT(unwritable.message(), HasSubstr("words"));
}

// ---- malformed .npy -------------------------------------------------------------------------

// A version-1.0 .npy file with `header` (padded) and `data`.
std::string NpyWithHeader(const std::string& header_dict, const std::string& data) {
  std::string header = header_dict;
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += char(header.size() & 0xff);
  out += char(header.size() >> 8);
  return out + header + data;
}

std::string ParseError(const std::string& bytes) {
  auto t = ParseNpy(bytes, "bad.npy");
  EXPECT_FALSE(t.ok()) << "parsed " << (t.ok() ? t->TypeString() : "");
  if (t.ok()) return "";
  EXPECT_THAT(t.status().message(), HasSubstr("bad.npy"));
  return t.status().message();
}

TEST(NpyBadTest, ControlIsValid) {
  auto t = ParseNpy(
      NpyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
                    std::string(8, '\0')),
      "good.npy");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->shape(), Shape({2}));
}

TEST(NpyBadTest, BadMagic) {
  EXPECT_THAT(ParseError("PK\x03\x04 this is a zip, not npy"), HasSubstr("bad magic"));
  EXPECT_THAT(ParseError(""), HasSubstr("bad magic"));
  EXPECT_THAT(ParseError("\x93NUM"), HasSubstr("bad magic"));
}

TEST(NpyBadTest, TruncatedHeader) {
  const std::string good =
      NpyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
                    std::string(8, '\0'));
  EXPECT_THAT(ParseError(good.substr(0, 30)), HasSubstr("truncated"));
  EXPECT_THAT(ParseError(std::string("\x93NUMPY\x02\x00\xff\xff", 10)), HasSubstr("truncated"));
}

TEST(NpyBadTest, DataSizeMismatch) {
  const std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  std::string msg = ParseError(NpyWithHeader(header, std::string(20, '\0')));
  EXPECT_THAT(msg, HasSubstr("20 bytes"));
  EXPECT_THAT(msg, HasSubstr("needs 24"));
  msg = ParseError(NpyWithHeader(header, std::string(28, '\0')));
  EXPECT_THAT(msg, HasSubstr("needs 24"));
}

TEST(NpyBadTest, HugeShapeWithoutData) {
  const std::string msg = ParseError(NpyWithHeader(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (999999999999999, 999999999), }", ""));
  EXPECT_THAT(msg, HasSubstr("more elements"));
}

TEST(NpyBadTest, UnsupportedDescr) {
  EXPECT_THAT(ParseError(NpyWithHeader(
                  "{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }",
                  std::string(16, '\0'))),
              HasSubstr("'<c16' is not supported"));
  EXPECT_THAT(ParseError(NpyWithHeader(
                  "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", std::string(4, '\0'))),
              HasSubstr("big-endian"));
  EXPECT_THAT(ParseError(NpyWithHeader(
                  "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", std::string(8, '\0'))),
              HasSubstr("'|O'"));
}

TEST(NpyBadTest, FortranOrder) {
  EXPECT_THAT(ParseError(NpyWithHeader("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }",
                                       std::string(16, '\0'))),
              HasSubstr("Fortran"));
}

TEST(NpyBadTest, MissingKeysAndBadShape) {
  EXPECT_THAT(ParseError(NpyWithHeader("{'fortran_order': False, 'shape': (1,), }", "")),
              HasSubstr("descr"));
  EXPECT_THAT(ParseError(NpyWithHeader("{'descr': '<f4', 'shape': (1,), }", "")),
              HasSubstr("fortran_order"));
  EXPECT_THAT(ParseError(NpyWithHeader("{'descr': '<f4', 'fortran_order': False, }", "")),
              HasSubstr("shape"));
  EXPECT_THAT(ParseError(NpyWithHeader(
                  "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", "")),
              HasSubstr("bad shape"));
}

TEST(NpyBadTest, LongHeaderIsAnErrorNotAStackOverflow) {
  // A version-2.0 header of 512 KiB: the header parser must not recurse per character.
  const std::string header =
      "{'descr': '" + std::string(512 * 1024, 'x') + "', 'fortran_order': False, 'shape': (1,), }";
  std::string bytes("\x93NUMPY\x02\x00", 8);
  for (int i = 0; i < 4; ++i) bytes += char((header.size() >> (8 * i)) & 0xff);
  const std::string msg = ParseError(bytes + header);
  EXPECT_THAT(msg, HasSubstr("is not supported"));
  EXPECT_LT(msg.size(), 200u);
  const std::string spaces = "{'descr'" + std::string(512 * 1024, ' ') + ": '<f4', }";
  std::string bytes2("\x93NUMPY\x02\x00", 8);
  for (int i = 0; i < 4; ++i) bytes2 += char((spaces.size() >> (8 * i)) & 0xff);
  EXPECT_THAT(ParseError(bytes2 + spaces), HasSubstr("fortran_order"));
}

TEST(NpyBadTest, UnsupportedVersion) {
  std::string bytes = NpyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (), }",
                                    std::string(4, '\0'));
  bytes[6] = 9;
  EXPECT_THAT(ParseError(bytes), HasSubstr("version 9"));
}

TEST(NpyBadTest, MissingFile) {
  TempDir dir;
  auto t = ReadNpy((dir.path() / "nope.npy").string());
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(t.status().message(), HasSubstr("nope.npy"));
}

}  // namespace
}  // namespace brisk::io
