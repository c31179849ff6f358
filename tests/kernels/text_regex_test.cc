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
using testing::MakeBoolTensor;
using testing::MakeTensor;
using testing::SpecType;
using Strs = std::vector<std::string>;

Tensor S(Shape shape, Strs v) { return MakeTensor<std::string>(shape, std::move(v)); }

StatusOr<Tensor> Match(const std::string& pattern, const Tensor& x) {
  auto y = RunOp({.op_type = "RegexFullMatch", .opset = 20,
                  .attrs = Attrs().String("pattern", pattern)},
                 {x});
  if (!y.ok()) return y.status();
  return (*y)[0];
}

void ExpectMatches(const std::string& pattern, Strs in, std::vector<int> expected) {
  SCOPED_TRACE(pattern);
  const auto n = static_cast<int64_t>(in.size());
  auto y = Match(pattern, S({n}, std::move(in)));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeBoolTensor({n}, expected));
}

TEST(RegexFullMatchTest, OnnxExamples) {
  ExpectMatches(R"(www\.[\w.-]+\.\bcom\b)", {"www.google.com", "www.facebook.com", "www.bbc.co.uk"},
                {1, 1, 0});
  ExpectMatches(R"((\W|^)[\w.\-]{0,25}@(yahoo|gmail)\.com(\W|$))",
                {"account@gmail.com", "account@hotmail.com", "not email", "account2@yahoo.com"},
                {1, 0, 0, 1});
}

TEST(RegexFullMatchTest, FullNotPartial) {
  ExpectMatches("ab", {"ab", "abc", "xab", ""}, {1, 0, 0, 0});
  ExpectMatches("a|ab", {"ab", "a"}, {1, 1});
  ExpectMatches("", {"", "a"}, {1, 0});
}

TEST(RegexFullMatchTest, Utf8CodePoints) {
  ExpectMatches(".", {"的", "é", "ab"}, {1, 1, 0});
  ExpectMatches(R"(\w+)", {"abc_9", "abé"}, {1, 0});  // \w is ASCII-only, as in RE2
  ExpectMatches("[的中]+", {"的中的", "的x"}, {1, 0});
}

TEST(RegexFullMatchTest, Re2Syntax) {
  ExpectMatches("(?i)hello", {"HeLLo", "help"}, {1, 0});
  ExpectMatches("(?P<word>a+)b", {"aab", "b"}, {1, 0});
  ExpectMatches(R"(\Aab\z)", {"ab", "abb"}, {1, 0});
  ExpectMatches(R"(\Qa.b\E)", {"a.b", "axb"}, {1, 0});
  ExpectMatches(R"(\x{7684}x)", {"的x", "x"}, {1, 0});
  ExpectMatches("a{2,3}", {"aa", "aaa", "aaaa"}, {1, 1, 0});
  ExpectMatches("a{,2}", {"a{,2}", "aa"}, {1, 0});  // not a quantifier: literal
  ExpectMatches("(?s)a.b", {"a\nb"}, {1});
  ExpectMatches("a.b", {"a\nb"}, {0});
  ExpectMatches("[]a]+", {"]a]", "b"}, {1, 0});
  ExpectMatches("[[:digit:]]+", {"123", "12a"}, {1, 0});
  ExpectMatches("a*?b+?", {"aab", "b", "a"}, {1, 1, 0});
  ExpectMatches("[*+?]{2}", {"*?", "a"}, {1, 0});
}

TEST(RegexFullMatchTest, LongInputDoesNotOverflowTheStack) {
  std::string big(200000, 'a');
  ExpectMatches("(a|b)*", {big, big + "c"}, {1, 0});
}

TEST(RegexFullMatchTest, InvalidUtf8InputNeverMatchesLiterally) {
  ExpectMatches("a.", {std::string("a\xff")}, {1});
  ExpectMatches("a\\w", {std::string("a\xff")}, {0});
}

TEST(RegexFullMatchTest, EmptyAndMultiDim) {
  auto y = Match("a", S({2, 0}, {}));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeBoolTensor({2, 0}, {}));
  y = Match("a+", S({2, 2}, {"a", "b", "aa", ""}));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeBoolTensor({2, 2}, {1, 0, 1, 0}));
}

TEST(RegexFullMatchTest, InvalidPatternsAreErrors) {
  for (const char* p : {"(", "a)", "[a", "a**", "a+*", "a{2}*", "a??+", "\\", "(a)\\1", "a(?=b)",
                        "a{1001}",
                        "\\pL", "(?m)a", "\xff"}) {
    SCOPED_TRACE(p);
    auto y = Match(p, S({1}, {"a"}));
    EXPECT_TRUE(ErrorContains(y.status(), "attribute 'pattern'")) << y.status().ToString();
  }
  std::string deep(2000, '(');
  auto y = Match(deep + "a" + std::string(2000, ')'), S({1}, {"a"}));
  EXPECT_TRUE(ErrorContains(y.status(), "attribute 'pattern'")) << y.status().ToString();
  auto z = RunOp({.op_type = "RegexFullMatch", .opset = 20}, {S({1}, {"a"})});
  EXPECT_TRUE(ErrorContains(z.status(), "pattern")) << z.status().ToString();
}

TEST(RegexFullMatchTest, NonStringInputIsAnError) {
  auto y = Match("a", MakeTensor<float>({1}, {1}));
  EXPECT_TRUE(ErrorContains(y.status(), "input 0 'X'")) << y.status().ToString();
}

TEST(RegexFullMatchTest, Inference) {
  auto t = InferOnly("RegexFullMatch", 20, Attrs().String("pattern", "a"),
                     {SpecType(DType::kString, {"N", "2"})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[N, 2]");
  EXPECT_EQ((*t)[0].dtype, DType::kBool);
}

}  // namespace
}  // namespace brisk
