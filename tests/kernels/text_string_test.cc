#include <string>
#include <vector>

#include "kernels/op_runner.h"
#include "linalg_norm_test_util.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using testing::Attrs;
using testing::ErrorContains;
using testing::InferOnly;
using testing::MakeTensor;
using testing::SpecType;
using Strs = std::vector<std::string>;

Tensor S(Shape shape, Strs v) { return MakeTensor<std::string>(shape, std::move(v)); }

// ---- StringNormalizer ----------------------------------------------------------------------

StatusOr<Tensor> Normalize(const Tensor& x, const Attrs& attrs) {
  auto y = RunOp({.op_type = "StringNormalizer", .opset = 10, .attrs = attrs}, {x});
  if (!y.ok()) return y.status();
  return (*y)[0];
}

TEST(StringNormalizerTest, CaseSensitiveStopwordsLower) {
  auto y = Normalize(S({4}, {"monday", "tuesday", "Monday", "THURSDAY"}),
                     Attrs().String("case_change_action", "LOWER").Int("is_case_sensitive", 1)
                         .Strings("stopwords", {"monday"}));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, S({3}, {"tuesday", "monday", "thursday"}));
}

TEST(StringNormalizerTest, CaseInsensitiveStopwordsUpperTwoDim) {
  auto y = Normalize(S({1, 4}, {"Monday", "tuesday", "MONDAY", "wednesday"}),
                     Attrs()
                         .String("case_change_action", "UPPER")
                         .Strings("stopwords", {"monday"}));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, S({1, 2}, {"TUESDAY", "WEDNESDAY"}));
}

TEST(StringNormalizerTest, AllDroppedGivesOneEmptyString) {
  auto y = Normalize(S({2}, {"a", "A"}), Attrs().Strings("stopwords", {"a"}));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, S({1}, {""}));
  y = Normalize(S({1, 1}, {"a"}), Attrs().Strings("stopwords", {"a"}));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, S({1, 1}, {""}));
  y = Normalize(S({0}, {}), Attrs());
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, S({1}, {""}));
}

TEST(StringNormalizerTest, NoStopwordsNoChange) {
  auto y = Normalize(S({2}, {"Monday", "tuesday"}), Attrs().Int("is_case_sensitive", 1));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, S({2}, {"Monday", "tuesday"}));
}

TEST(StringNormalizerTest, NonAsciiCaseMapping) {
  auto y = Normalize(S({2}, {"Äpfel É", "ΣΟΦΊΑ мир"}),
                     Attrs().String("case_change_action", "LOWER"));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, S({2}, {"äpfel é", "σοφία мир"}));
  y = Normalize(S({1}, {"straße ÿ"}), Attrs().String("case_change_action", "UPPER"));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, S({1}, {"STRAßE Ÿ"}));
  // Case-insensitive stopword match on non-ASCII letters.
  y = Normalize(S({2}, {"ÉTÉ", "x"}), Attrs().Strings("stopwords", {"été"}));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, S({1}, {"x"}));
}

TEST(StringNormalizerTest, Errors) {
  auto y = Normalize(S({2}, {"a", "b"}), Attrs().String("case_change_action", "TITLE"));
  EXPECT_TRUE(ErrorContains(y.status(), "case_change_action")) << y.status().ToString();
  y = Normalize(S({2, 2}, {"a", "b", "c", "d"}), Attrs());
  EXPECT_TRUE(ErrorContains(y.status(), "input 0 'X'")) << y.status().ToString();
  y = Normalize(S({1, 1, 1}, {"a"}), Attrs());
  EXPECT_TRUE(ErrorContains(y.status(), "rank 3")) << y.status().ToString();
  y = Normalize(MakeTensor<int64_t>({1}, {3}), Attrs());
  EXPECT_TRUE(ErrorContains(y.status(), "input 0 'X'")) << y.status().ToString();
  y = Normalize(S({1}, {std::string("\xff\xfe")}), Attrs().String("case_change_action", "LOWER"));
  EXPECT_TRUE(ErrorContains(y.status(), "invalid UTF-8")) << y.status().ToString();
}

TEST(StringNormalizerTest, Inference) {
  auto t = InferOnly("StringNormalizer", 10, Attrs(), {SpecType(DType::kString, {"C"})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[C]");
  EXPECT_EQ((*t)[0].dtype, DType::kString);
  t = InferOnly("StringNormalizer", 10, Attrs().Strings("stopwords", {"a"}),
                {SpecType(DType::kString, {"1", "C"})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[1, ?]");
  t = InferOnly("StringNormalizer", 10, Attrs(), {SpecType(DType::kString, {"3", "C"})});
  EXPECT_TRUE(ErrorContains(t.status(), "[1, C]")) << t.status().ToString();
}

// ---- StringConcat --------------------------------------------------------------------------

TEST(StringConcatTest, ElementwiseAndBroadcast) {
  auto y = RunOp({.op_type = "StringConcat", .opset = 20},
                 {S({2}, {"abc", ""}), S({2}, {".com", "x"})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ((*y)[0], S({2}, {"abc.com", "x"}));
  y = RunOp({.op_type = "StringConcat", .opset = 20},
            {S({2, 1}, {"a", "b"}), S({3}, {"1", "2", "的"})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ((*y)[0], S({2, 3}, {"a1", "a2", "a的", "b1", "b2", "b的"}));
  y = RunOp({.op_type = "StringConcat", .opset = 20}, {S({}, {"cat"}), S({}, {"s"})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ((*y)[0], S({}, {"cats"}));
  y = RunOp({.op_type = "StringConcat", .opset = 20}, {S({0, 2}, {}), S({2}, {"a", "b"})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ((*y)[0], S({0, 2}, {}));
}

TEST(StringConcatTest, Errors) {
  auto y = RunOp({.op_type = "StringConcat", .opset = 20},
                 {S({2}, {"a", "b"}), S({3}, {"a", "b", "c"})});
  EXPECT_FALSE(y.ok());
  y = RunOp({.op_type = "StringConcat", .opset = 20}, {S({1}, {"a"}), MakeTensor<float>({1}, {1})});
  EXPECT_TRUE(ErrorContains(y.status(), "input 1 'Y'")) << y.status().ToString();
}

TEST(StringConcatTest, Inference) {
  auto t = InferOnly("StringConcat", 20, Attrs(),
                     {SpecType(DType::kString, {"N", "1"}), SpecType(DType::kString, {"4"})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[N, 4]");
  EXPECT_EQ((*t)[0].dtype, DType::kString);
}

// ---- StringSplit ---------------------------------------------------------------------------

StatusOr<std::vector<Tensor>> Split(const Tensor& x, const Attrs& attrs) {
  return RunOp({.op_type = "StringSplit", .opset = 20, .attrs = attrs, .num_outputs = 2}, {x});
}

TEST(StringSplitTest, DelimiterKeepsEmptyPieces) {
  auto y = Split(S({2}, {"o-n-n--x-", "o-n----nx"}), Attrs().String("delimiter", "-"));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ((*y)[0], S({2, 6}, {"o", "n", "n", "", "x", "", "o", "n", "", "", "", "nx"}));
  EXPECT_TENSOR_EQ((*y)[1], MakeTensor<int64_t>({2}, {6, 6}));
}

TEST(StringSplitTest, MultiCharDelimiterAndPadding) {
  auto y = Split(S({3}, {"a::b::c", "", "x::"}), Attrs().String("delimiter", "::"));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ((*y)[0], S({3, 3}, {"a", "b", "c", "", "", "", "x", "", ""}));
  EXPECT_TENSOR_EQ((*y)[1], MakeTensor<int64_t>({3}, {3, 1, 2}));
}

TEST(StringSplitTest, WhitespaceRuns) {
  for (const char* delim : {static_cast<const char*>(""), static_cast<const char*>(nullptr)}) {
    Attrs a;
    if (delim) a.String("delimiter", delim);
    auto y = Split(S({3}, {" hello  world\t! ", "", "   "}), a);
    ASSERT_TRUE(y.ok()) << y.status().ToString();
    EXPECT_TENSOR_EQ((*y)[0], S({3, 3}, {"hello", "world", "!", "", "", "", "", "", ""}));
    EXPECT_TENSOR_EQ((*y)[1], MakeTensor<int64_t>({3}, {3, 0, 0}));
  }
}

TEST(StringSplitTest, Maxsplit) {
  auto y = Split(S({2, 2}, {"hello world", "def.net", "o n n x", " the quick  brown fox "}),
                 Attrs().Int("maxsplit", 2));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ((*y)[0], S({2, 2, 3}, {"hello", "world", "", "def.net", "", "", "o", "n",
                                          "n x", "the", "quick", "brown fox "}));
  EXPECT_TENSOR_EQ((*y)[1], MakeTensor<int64_t>({2, 2}, {2, 1, 3, 3}));
  y = Split(S({1}, {"a.b.c"}), Attrs().String("delimiter", ".").Int("maxsplit", 1));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ((*y)[0], S({1, 2}, {"a", "b.c"}));
  y = Split(S({1}, {"a.b"}), Attrs().String("delimiter", ".").Int("maxsplit", 0));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ((*y)[0], S({1, 1}, {"a.b"}));
}

TEST(StringSplitTest, EmptyAndScalar) {
  auto y = Split(S({0}, {}), Attrs());
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ((*y)[0], S({0, 0}, {}));
  EXPECT_TENSOR_EQ((*y)[1], MakeTensor<int64_t>({0}, {}));
  y = Split(S({}, {"a b"}), Attrs());
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ((*y)[0], S({2}, {"a", "b"}));
  EXPECT_TENSOR_EQ((*y)[1], MakeTensor<int64_t>({}, {2}));
}

TEST(StringSplitTest, UnicodeWhitespace) {
  auto y = Split(S({1}, {"a\u00a0b\u3000c"}), Attrs());
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ((*y)[0], S({1, 3}, {"a", "b", "c"}));
}

TEST(StringSplitTest, Errors) {
  auto y = Split(S({1}, {"a"}), Attrs().Int("maxsplit", -2));
  EXPECT_TRUE(ErrorContains(y.status(), "maxsplit")) << y.status().ToString();
  y = Split(MakeTensor<int32_t>({1}, {1}), Attrs());
  EXPECT_TRUE(ErrorContains(y.status(), "input 0 'X'")) << y.status().ToString();
}

TEST(StringSplitTest, Inference) {
  auto t = InferOnly("StringSplit", 20, Attrs(), {SpecType(DType::kString, {"N", "3"})}, 2);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[N, 3, ?]");
  EXPECT_EQ((*t)[0].dtype, DType::kString);
  EXPECT_EQ((*t)[1].shape->ToString(), "[N, 3]");
  EXPECT_EQ((*t)[1].dtype, DType::kInt64);
  t = InferOnly("StringSplit", 20, Attrs(), {SpecType(DType::kString, {"0", "N"})}, 2);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[0, N, 0]");
}

}  // namespace
}  // namespace brisk
