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

// The ONNX node tests' configuration: unigrams [2, 3, 5, 4], bigrams [5,6] [7,8] [6,7].
Attrs Base(int64_t min_len, int64_t max_len, int64_t skip, const std::string& mode = "TF") {
  return Attrs()
      .String("mode", mode)
      .Int("min_gram_length", min_len)
      .Int("max_gram_length", max_len)
      .Int("max_skip_count", skip)
      .Ints("ngram_counts", {0, 4})
      .Ints("ngram_indexes", {0, 1, 2, 3, 4, 5, 6})
      .Ints("pool_int64s", {2, 3, 5, 4, 5, 6, 7, 8, 6, 7});
}

StatusOr<Tensor> RunTfIdf(const Tensor& x, const Attrs& attrs) {
  auto y = RunOp({.op_type = "TfIdfVectorizer", .opset = 9, .attrs = attrs}, {x});
  if (!y.ok()) return y.status();
  return (*y)[0];
}

const std::vector<int32_t> kSeq = {1, 1, 3, 3, 3, 7, 8, 6, 7, 5, 6, 8};

TEST(TfIdfTest, OnlyBigramsSkip0) {
  auto y = RunTfIdf(MakeTensor<int32_t>({12}, kSeq), Base(2, 2, 0));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<float>({7}, {0, 0, 0, 0, 1, 1, 1}));
}

TEST(TfIdfTest, OnlyBigramsSkip5) {
  auto y = RunTfIdf(MakeTensor<int32_t>({12}, kSeq), Base(2, 2, 5));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<float>({7}, {0, 0, 0, 0, 1, 3, 1}));
}

TEST(TfIdfTest, UniAndBigramsSkip5Int64) {
  std::vector<int64_t> seq(kSeq.begin(), kSeq.end());
  auto y = RunTfIdf(MakeTensor<int64_t>({12}, seq), Base(1, 2, 5));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<float>({7}, {0, 3, 1, 0, 1, 3, 1}));
}

TEST(TfIdfTest, Batch) {
  auto y = RunTfIdf(MakeTensor<int32_t>({2, 6}, kSeq), Base(1, 2, 5));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<float>({2, 7}, {0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 1}));
  y = RunTfIdf(MakeTensor<int32_t>({2, 6}, kSeq), Base(2, 2, 0));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<float>({2, 7}, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1}));
}

TEST(TfIdfTest, LevelEmpty) {
  Attrs a = Attrs()
                .String("mode", "TF")
                .Int("min_gram_length", 2)
                .Int("max_gram_length", 2)
                .Int("max_skip_count", 0)
                .Ints("ngram_counts", {0, 0})
                .Ints("ngram_indexes", {0, 1, 2})
                .Ints("pool_int64s", {5, 6, 7, 8, 6, 7});
  auto y = RunTfIdf(MakeTensor<int32_t>({12}, kSeq), a);
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<float>({3}, {1, 1, 1}));
}

TEST(TfIdfTest, IdfAndTfidfWithWeightsAndPermutedIndexes) {
  Attrs a = Attrs()
                .Int("min_gram_length", 1)
                .Int("max_gram_length", 2)
                .Int("max_skip_count", 0)
                .Ints("ngram_counts", {0, 2})
                .Ints("ngram_indexes", {2, 0, 1})
                .Strings("pool_strings", {"a", "b", "a", "b"})
                .Floats("weights", {0.5f, 2.f, 3.f});
  Tensor x = MakeTensor<std::string>({5}, {"a", "b", "a", "b", "c"});
  // counts: "a" 2 -> col 2, "b" 2 -> col 0, "a b" 2 -> col 1
  Attrs tf = a;
  auto y = RunTfIdf(x, tf.String("mode", "TF"));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<float>({3}, {2, 2, 2}));
  Attrs idf = a;
  y = RunTfIdf(x, idf.String("mode", "IDF"));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<float>({3}, {0.5f, 2.f, 3.f}));
  Attrs tfidf = a;
  y = RunTfIdf(x, tfidf.String("mode", "TFIDF"));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<float>({3}, {1.f, 4.f, 6.f}));
}

TEST(TfIdfTest, IdfWithoutWeightsIsIndicator) {
  auto y = RunTfIdf(MakeTensor<int32_t>({12}, kSeq), Base(2, 2, 5, "IDF"));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<float>({7}, {0, 0, 0, 0, 1, 1, 1}));
}

TEST(TfIdfTest, EmptyInputs) {
  auto y = RunTfIdf(MakeTensor<int32_t>({0}, {}), Base(1, 2, 5));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<float>({7}, std::vector<float>(7, 0)));
  y = RunTfIdf(MakeTensor<int32_t>({2, 0}, {}), Base(1, 2, 5));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<float>({2, 7}, std::vector<float>(14, 0)));
  y = RunTfIdf(MakeTensor<int32_t>({0, 3}, {}), Base(1, 2, 5));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<float>({0, 7}, {}));
}

TEST(TfIdfTest, Errors) {
  Tensor x = MakeTensor<int32_t>({3}, {1, 2, 3});
  auto y = RunTfIdf(x, Base(1, 2, 0, "BM25"));
  EXPECT_TRUE(ErrorContains(y.status(), "attribute 'mode'")) << y.status().ToString();
  y = RunTfIdf(x, Base(3, 2, 0));
  EXPECT_TRUE(ErrorContains(y.status(), "max_gram_length")) << y.status().ToString();
  y = RunTfIdf(x, Base(1, 2, -1));
  EXPECT_TRUE(ErrorContains(y.status(), "max_skip_count")) << y.status().ToString();
  y = RunTfIdf(x, Base(1, 2, 0).Ints("ngram_counts", {0, 11}));
  EXPECT_TRUE(ErrorContains(y.status(), "ngram_counts")) << y.status().ToString();
  y = RunTfIdf(x, Base(1, 2, 0).Ints("ngram_counts", {0, 3}));
  EXPECT_TRUE(ErrorContains(y.status(), "ngram_counts")) << y.status().ToString();
  y = RunTfIdf(x, Base(1, 2, 0).Ints("ngram_indexes", {0, 1}));
  EXPECT_TRUE(ErrorContains(y.status(), "ngram_indexes")) << y.status().ToString();
  y = RunTfIdf(x, Base(1, 2, 0).Ints("ngram_indexes", {0, 1, 2, 3, 4, 5, -6}));
  EXPECT_TRUE(ErrorContains(y.status(), "ngram_indexes")) << y.status().ToString();
  y = RunTfIdf(x, Base(1, 2, 0).Floats("weights", {1, 2}));
  EXPECT_TRUE(ErrorContains(y.status(), "weights")) << y.status().ToString();
  y = RunTfIdf(x, Base(1, 2, 0).Strings("pool_strings", {"a"}));
  EXPECT_TRUE(ErrorContains(y.status(), "pool_strings")) << y.status().ToString();
  y = RunTfIdf(MakeTensor<std::string>({1}, {"a"}), Base(1, 2, 0));
  EXPECT_TRUE(ErrorContains(y.status(), "input 0 'X'")) << y.status().ToString();
  y = RunTfIdf(MakeTensor<int32_t>({1, 1, 1}, {1}), Base(1, 2, 0));
  EXPECT_TRUE(ErrorContains(y.status(), "input 0 'X'")) << y.status().ToString();
}

TEST(TfIdfTest, Inference) {
  auto t = InferOnly("TfIdfVectorizer", 9, Base(1, 2, 0), {SpecType(DType::kInt64, {"N", "C"})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[N, 7]");
  EXPECT_EQ((*t)[0].dtype, DType::kFloat32);
  t = InferOnly("TfIdfVectorizer", 9, Base(1, 2, 0), {SpecType(DType::kInt32, {"C"})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[7]");
}

}  // namespace
}  // namespace brisk
