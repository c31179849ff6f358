// ops::Compose, CenterCrop, Normalize, Cast, OneHot, HwcToChw and Tokenize: values, shapes and
// the errors (naming the origin and the op).
#include <gtest/gtest.h>

#include <cmath>

#include "data/sources_testing.h"
#include "testing/tensor_testing.h"

namespace brisk::data {
namespace {
using namespace ::brisk::testing;  // NOLINT

using source_testing::ScratchDir;

Element One(const std::string& name, Tensor t, const std::string& origin = "item 0") {
  Element e;
  e.components.emplace_back(name, std::move(t));
  e.origin = origin;
  return e;
}

TEST(OpsMisc, CenterCrop) {
  std::vector<uint8_t> v(5 * 4 * 2);
  for (size_t i = 0; i < v.size(); ++i) v[i] = uint8_t(i);
  ASSERT_OK_AND_ASSIGN(Element e,
                       ops::CenterCrop("x", 2, 2)(One("x", MakeTensor<uint8_t>({5, 4, 2}, v))));
  // rows 1-2, columns 1-2
  EXPECT_TENSOR_EQ(e.components[0].second,
                   MakeTensor<uint8_t>({2, 2, 2}, {10, 11, 12, 13, 18, 19, 20, 21}));
  ExpectErrorContains(
      ops::CenterCrop("x", 6, 2)(One("x", MakeTensor<uint8_t>({5, 4, 2}, v), "a.jpg")),
                      {"a.jpg", "center_crop", "6x2", "5x4"});
}

TEST(OpsMisc, HwcToChw) {
  ASSERT_OK_AND_ASSIGN(Element e,
                       ops::HwcToChw("x")(
                           One("x", MakeTensor<float>({1, 2, 3}, {1, 2, 3, 4, 5, 6}))));
  EXPECT_TENSOR_EQ(e.components[0].second, MakeTensor<float>({3, 1, 2}, {1, 4, 2, 5, 3, 6}));
  ExpectErrorContains(ops::HwcToChw("x")(One("x", MakeTensor<float>({2}, {1, 2}))), {"[H, W, C]"});
}

TEST(OpsMisc, NormalizePerChannelAndScalar) {
  ASSERT_OK_AND_ASSIGN(Element e, ops::Normalize("x", {1, 2}, {2, 4})(
                                      One("x", MakeTensor<uint8_t>({2, 2}, {3, 6, 5, 10}))));
  EXPECT_TENSOR_NEAR(e.components[0].second, MakeTensor<float>({2, 2}, {1, 1, 2, 2}), 0, 1e-6);
  const Tensor f = MakeTensor<float>({3}, {0, 127.5, 255});
  ASSERT_OK_AND_ASSIGN(e, ops::Normalize("x", {127.5f}, {127.5f})(One("x", f)));
  EXPECT_TENSOR_NEAR(e.components[0].second, MakeTensor<float>({3}, {-1, 0, 1}), 0, 1e-6);
  EXPECT_EQ(f.data<float>()[0], 0.0f);  // the input's storage is not written
  ExpectErrorContains(ops::Normalize("x", {1, 2}, {1})(One("x", f)), {"1 or 3", "got 2 and 1"});
  ExpectErrorContains(ops::Normalize("x", {0}, {0})(One("x", f)), {"stddev of 0"});
}

TEST(OpsMisc, Cast) {
  ASSERT_OK_AND_ASSIGN(Element e, ops::Cast("x", DType::kInt32)(
                                      One("x", MakeTensor<float>({4}, {1.7f, -2.7f, 1e20f, NAN}))));
  EXPECT_TENSOR_EQ(e.components[0].second,
                   MakeTensor<int32_t>({4}, {1, -2, 2147483647, 0}));
  ASSERT_OK_AND_ASSIGN(
      e, ops::Cast("x", DType::kFloat32)(One("x", MakeTensor<uint8_t>({2}, {0, 255}))));
  EXPECT_TENSOR_EQ(e.components[0].second, MakeTensor<float>({2}, {0, 255}));
  ASSERT_OK_AND_ASSIGN(e, ops::Cast("x", DType::kBool)(One("x", MakeTensor<int64_t>({2}, {0, 5}))));
  EXPECT_TENSOR_EQ(e.components[0].second, MakeBoolTensor({2}, {0, 1}));
  ExpectErrorContains(ops::Cast("x", DType::kFloat32)(One("x", Tensor::Scalar(std::string("a")))),
                      {"cast", "string"});
}

TEST(OpsMisc, OneHot) {
  ASSERT_OK_AND_ASSIGN(Element e, ops::OneHot("y", 4)(One("y", Tensor::Scalar<int64_t>(2))));
  EXPECT_TENSOR_EQ(e.components[0].second, MakeTensor<float>({4}, {0, 0, 1, 0}));
  ExpectErrorContains(ops::OneHot("y", 4)(One("y", Tensor::Scalar<int32_t>(4), "row 9")),
                      {"row 9", "one_hot", "index 4", "[0, 4)"});
  ExpectErrorContains(ops::OneHot("y", 4)(One("y", Tensor::Scalar<int64_t>(-1))), {"index -1"});
  ExpectErrorContains(ops::OneHot("y", 4)(One("y", Tensor::Scalar<float>(1))), {"integer scalar"});
}

TEST(OpsMisc, ComposeRunsInOrderAndStopsAtTheFirstError) {
  const MapFn fn = ops::Compose({ops::Cast("x", DType::kFloat32), ops::Normalize("x", {1}, {2}),
                                 ops::HwcToChw("x")});
  ASSERT_OK_AND_ASSIGN(Element e, fn(One("x", MakeTensor<uint8_t>({1, 1, 2}, {3, 5}))));
  EXPECT_TENSOR_EQ(e.components[0].second, MakeTensor<float>({2, 1, 1}, {1, 2}));
  ExpectErrorContains(
      ops::Compose({ops::Cast("nope", DType::kFloat32)})(One("x", Tensor::Scalar(1.0f))),
                      {"no component 'nope'", "x"});
}

TEST(OpsMisc, Tokenize) {
  ScratchDir dir;
  const std::string vocab = dir.Write("vocab.txt", "[PAD]\n[UNK]\nthe\ncat\nsat\r\n");
  ASSERT_OK_AND_ASSIGN(MapFn tok, ops::Tokenize("text", vocab, 5));
  ASSERT_OK_AND_ASSIGN(Element e,
                       tok(One("text", Tensor::Scalar(std::string("  The CAT\tsat on")))));
  EXPECT_TENSOR_EQ(e.components[0].second, MakeTensor<int64_t>({5}, {2, 3, 4, 1, 0}));
  ASSERT_OK_AND_ASSIGN(MapFn short_tok, ops::Tokenize("text", vocab, 2));
  ASSERT_OK_AND_ASSIGN(e, short_tok(One("text", Tensor::Scalar(std::string("the cat sat")))));
  EXPECT_TENSOR_EQ(e.components[0].second, MakeTensor<int64_t>({2}, {2, 3}));
  ASSERT_OK_AND_ASSIGN(e, tok(One("text", Tensor::Scalar(std::string("")))));
  EXPECT_TENSOR_EQ(e.components[0].second, MakeTensor<int64_t>({5}, {0, 0, 0, 0, 0}));

  ExpectErrorContains(ops::Tokenize("text", dir.path() + "/none.txt", 5), StatusCode::kNotFound,
                      {"none.txt"});
  ExpectErrorContains(ops::Tokenize("text", vocab, 5, "<unk>"), {"vocab.txt", "'<unk>'",
                                                                   "not in the vocabulary"});
  ExpectErrorContains(ops::Tokenize("text", vocab, 0), {"max_length"});
  ExpectErrorContains(tok(One("text", Tensor::Scalar<int64_t>(3))), {"tokenize", "string scalar"});
}

}  // namespace
}  // namespace brisk::data
