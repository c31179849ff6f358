// JSON and binary tensor conversions: every dtype, nested and flat lists, exact integer checks,
// ragged lists, size mismatches; errors name the tensor and the element.
#include "server/json_tensors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "testing/tensor_testing.h"

namespace brisk::server {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

TEST(JsonTensors, FlatAndNestedListsGiveTheSameTensor) {
  ASSERT_OK_AND_ASSIGN(Tensor flat, TensorFromJson(json::parse("[1, 2, 3, 4, 5, 6]"),
                                                   DType::kFloat32, Shape({2, 3}), "x"));
  ASSERT_OK_AND_ASSIGN(Tensor nested, TensorFromJson(json::parse("[[1, 2, 3], [4, 5, 6]]"),
                                                     DType::kFloat32, Shape({2, 3}), "x"));
  EXPECT_EQ(flat.shape(), Shape({2, 3}));
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(flat.data<float>()[i], float(i + 1));
    EXPECT_EQ(nested.data<float>()[i], float(i + 1));
  }
  EXPECT_EQ(TensorToFlatJson(flat), json::parse("[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]"));
  EXPECT_EQ(TensorToNestedJson(flat), json::parse("[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]"));
  EXPECT_EQ(RowToNestedJson(flat, 1), json::parse("[4.0, 5.0, 6.0]"));
}

TEST(JsonTensors, IntegersMustBeExactAndInRange) {
  ASSERT_OK_AND_ASSIGN(Tensor ok, TensorFromJson(json::parse("[-128, 127, 3.0]"), DType::kInt8,
                                                 Shape({3}), "ids"));
  EXPECT_EQ(ok.data<int8_t>()[0], -128);
  EXPECT_EQ(ok.data<int8_t>()[2], 3);
  auto range = TensorFromJson(json::parse("[1, 128]"), DType::kInt8, Shape({2}), "input 'ids'");
  ASSERT_FALSE(range.ok());
  EXPECT_THAT(range.status().message(), HasSubstr("input 'ids': element 1 (128) is out of range"));
  EXPECT_THAT(TensorFromJson(json::parse("[1.5]"), DType::kInt64, Shape({1}), "x")
                  .status()
                  .message(),
              HasSubstr("not an integer"));
  EXPECT_FALSE(TensorFromJson(json::parse("[-1]"), DType::kUInt32, Shape({1}), "x").ok());
  ASSERT_OK_AND_ASSIGN(Tensor big, TensorFromJson(json::parse("[18446744073709551615]"),
                                                  DType::kUInt64, Shape({1}), "x"));
  EXPECT_EQ(big.data<uint64_t>()[0], 18446744073709551615ull);
  EXPECT_THAT(TensorFromJson(json::parse("[\"a\"]"), DType::kFloat32, Shape({1}), "x")
                  .status()
                  .message(),
              HasSubstr("not a number"));
}

TEST(JsonTensors, BooleansAndHalfPrecision) {
  ASSERT_OK_AND_ASSIGN(Tensor b, TensorFromJson(json::parse("[true, false, 1]"), DType::kBool,
                                                Shape({3}), "m"));
  EXPECT_TRUE(b.data<bool>()[0]);
  EXPECT_FALSE(b.data<bool>()[1]);
  EXPECT_TRUE(b.data<bool>()[2]);
  EXPECT_FALSE(TensorFromJson(json::parse("[2]"), DType::kBool, Shape({1}), "m").ok());
  ASSERT_OK_AND_ASSIGN(Tensor h, TensorFromJson(json::parse("[0.5, -2]"), DType::kFloat16,
                                                Shape({2}), "h"));
  EXPECT_EQ(float(h.data<Float16>()[1]), -2.0f);
  EXPECT_EQ(TensorToFlatJson(h), json::parse("[0.5, -2.0]"));
}

TEST(JsonTensors, CountMismatchesAndRaggedListsAreErrors) {
  auto few = TensorFromJson(json::parse("[1, 2, 3]"), DType::kFloat32, Shape({2, 2}), "x");
  ASSERT_FALSE(few.ok());
  EXPECT_THAT(few.status().message(), HasSubstr("3 values for shape [2, 2], which holds 4"));
  EXPECT_THAT(TensorFromJson(json::parse("[1, 2, 3, 4, 5]"), DType::kFloat32, Shape({2, 2}), "x")
                  .status()
                  .message(),
              HasSubstr("more values"));
  EXPECT_FALSE(TensorFromJson(json::parse("[1]"), DType::kFloat32, Shape({-1}), "x").ok());
  ASSERT_OK_AND_ASSIGN(Tensor nested, TensorFromNestedJson(json::parse("[[1, 2], [3, 4], [5, 6]]"),
                                                           DType::kInt32, "x"));
  EXPECT_EQ(nested.shape(), Shape({3, 2}));
  auto ragged = TensorFromNestedJson(json::parse("[[1, 2], [3]]"), DType::kInt32, "input 'x'");
  ASSERT_FALSE(ragged.ok());
  EXPECT_THAT(ragged.status().message(), HasSubstr("input 'x': ragged"));
  EXPECT_FALSE(TensorFromNestedJson(json::parse("[[1, 2], 3]"), DType::kInt32, "x").ok());
  ASSERT_OK_AND_ASSIGN(Tensor scalar, TensorFromNestedJson(json::parse("7"), DType::kInt64, "x"));
  EXPECT_EQ(scalar.rank(), 0);
  EXPECT_EQ(scalar.data<int64_t>()[0], 7);
}

TEST(JsonTensors, BinaryDataMustMatchTheShapeExactly) {
  const float values[3] = {1.5f, -2.0f, 3.25f};
  std::string bytes(reinterpret_cast<const char*>(values), sizeof values);
  ASSERT_OK_AND_ASSIGN(Tensor t, TensorFromBytes(bytes, DType::kFloat32, Shape({1, 3}), "x"));
  EXPECT_EQ(t.data<float>()[2], 3.25f);
  auto short_data = TensorFromBytes(bytes.substr(1), DType::kFloat32, Shape({1, 3}), "input 'x'");
  ASSERT_FALSE(short_data.ok());
  EXPECT_THAT(short_data.status().message(), HasSubstr("input 'x': 11 bytes"));
  EXPECT_FALSE(TensorFromBytes(std::string("\x02", 1), DType::kBool, Shape({1}), "b").ok());
}

}  // namespace
}  // namespace brisk::server
