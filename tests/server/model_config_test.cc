// config.pbtxt parsing (Triton's text format and names) and its resolution against a model.
#include "server/model_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/tensor_testing.h"

namespace brisk::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TensorInfo Info(const std::string& name, DType dtype, std::vector<Dim> dims) {
  SymbolicShape shape;
  for (const Dim& d : dims) shape.dims.push_back(d);
  return TensorInfo{name, dtype, shape};
}

std::vector<TensorInfo> BatchedImageInput() {
  return {Info("image", DType::kFloat32, {Dim::Symbol("N"), Dim::Known(1), Dim::Known(8), Dim::Known(8)})};
}
std::vector<TensorInfo> LogitsOutput() {
  return {Info("logits", DType::kFloat32, {Dim::Symbol("N"), Dim::Known(10)})};
}

TEST(ModelConfig, ParsesATritonConfigAndSkipsFieldsBriskDoesNotUse) {
  const std::string text = R"pb(
    name: "digits"
    platform: "onnxruntime_onnx"
    max_batch_size: 16
    input [ { name: "image" data_type: TYPE_FP32 dims: [ 1, 8, 8 ] } ]
    output [ { name: "logits" data_type: TYPE_FP32 dims: [ 10 ] } ]
    dynamic_batching {
      preferred_batch_size: [ 8, 4 ]
      max_queue_delay_microseconds: 500
      default_queue_policy { max_queue_size: 64 default_timeout_microseconds: 2000 }
    }
    instance_group [ { count: 2 kind: KIND_CPU } ]
    parameters { key: "intra_op_thread_count" value { string_value: "1" } }
    version_policy { specific { versions: [ 1, 3 ] } }
    optimization { execution_accelerators { } }
  )pb";
  std::vector<std::string> warnings;
  ASSERT_OK_AND_ASSIGN(ModelConfig c, ParseModelConfig(text, "digits/config.pbtxt", &warnings));
  EXPECT_EQ(c.name, "digits");
  EXPECT_EQ(c.max_batch_size, 16);
  EXPECT_TRUE(c.has_dynamic_batching);
  EXPECT_THAT(c.preferred_batch_sizes, ElementsAre(4, 8));
  EXPECT_EQ(c.max_queue_delay_us, 500);
  EXPECT_EQ(c.max_queue_size, 64);
  EXPECT_EQ(c.default_timeout_us, 2000);
  EXPECT_EQ(c.instance_count, 2);
  EXPECT_EQ(c.intra_op_threads, 1);
  EXPECT_EQ(c.version_policy.kind, VersionPolicy::Kind::kSpecific);
  EXPECT_THAT(c.version_policy.Select({1, 2, 3, 4}), ElementsAre(1, 3));
  ASSERT_EQ(c.inputs.size(), 1u);
  EXPECT_EQ(c.inputs[0].dtype, DType::kFloat32);
  EXPECT_THAT(c.inputs[0].dims, ElementsAre(1, 8, 8));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("optimization"));

  ASSERT_OK_AND_ASSIGN(ResolvedConfig r,
                       ResolveModelConfig(c, BatchedImageInput(), LogitsOutput(), 1024));
  EXPECT_EQ(r.max_batch_size, 16);
  EXPECT_TRUE(r.dynamic_batching);
  EXPECT_EQ(r.max_queue_size, 64);
}

TEST(ModelConfig, SyntaxErrorsNameTheFileLineAndColumn) {
  auto c = ParseModelConfig("max_batch_size: 8\ninput [ { name: \"x\" data_type: TYPE_NOPE } ]",
                            "m/config.pbtxt", nullptr);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(c.status().message(), HasSubstr("m/config.pbtxt:2:"));
  EXPECT_THAT(c.status().message(), HasSubstr("TYPE_NOPE"));
  EXPECT_FALSE(ParseModelConfig("max_batch_size: -1", "f", nullptr).ok());
  EXPECT_FALSE(ParseModelConfig("instance_group [ { kind: KIND_GPU } ]", "f", nullptr).ok());
  auto threads = ParseModelConfig(
      "parameters { key: \"intra_op_thread_count\" value { string_value: \"many\" } }", "f",
      nullptr);
  ASSERT_FALSE(threads.ok());
  EXPECT_THAT(threads.status().message(), HasSubstr("intra_op_thread_count"));
}

TEST(ModelConfig, DefaultsFollowTheModel) {
  ASSERT_OK_AND_ASSIGN(ModelConfig empty, ParseModelConfig("", "f", nullptr));
  EXPECT_FALSE(empty.max_batch_size.has_value());
  EXPECT_THAT(empty.version_policy.Select({3, 1, 2}), ElementsAre(3));  // latest 1
  // A variable dim 0 on every input: batched, up to 32, dynamic batching on.
  ASSERT_OK_AND_ASSIGN(ResolvedConfig batched,
                       ResolveModelConfig(empty, BatchedImageInput(), LogitsOutput(), 100));
  EXPECT_EQ(batched.max_batch_size, 32);
  EXPECT_TRUE(batched.dynamic_batching);
  EXPECT_EQ(batched.max_queue_size, 100);
  // A fixed batch dim: not batched.
  const std::vector<TensorInfo> fixed = {Info("x", DType::kFloat32, {Dim::Known(1), Dim::Known(3)})};
  ASSERT_OK_AND_ASSIGN(ResolvedConfig unbatched,
                       ResolveModelConfig(empty, fixed, LogitsOutput(), 100));
  EXPECT_EQ(unbatched.max_batch_size, 0);
  EXPECT_FALSE(unbatched.dynamic_batching);
  // Written "max_batch_size: 0" turns batching off even for a batchable model.
  ASSERT_OK_AND_ASSIGN(ModelConfig off, ParseModelConfig("max_batch_size: 0", "f", nullptr));
  ASSERT_OK_AND_ASSIGN(ResolvedConfig r,
                       ResolveModelConfig(off, BatchedImageInput(), LogitsOutput(), 100));
  EXPECT_EQ(r.max_batch_size, 0);
}

TEST(ModelConfig, DeclaredTensorsAreCheckedAgainstTheModel) {
  auto resolve = [](const std::string& text) {
    auto c = ParseModelConfig(text, "f", nullptr);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return ResolveModelConfig(*c, BatchedImageInput(), LogitsOutput(), 100).status();
  };
  EXPECT_TRUE(resolve("input [ { name: \"image\" dims: [ 1, 8, 8 ] } ]").ok());
  EXPECT_TRUE(resolve("input [ { name: \"image\" dims: [ 1, -1, 8 ] } ]").ok());
  EXPECT_THAT(resolve("input [ { name: \"img\" } ]").message(), HasSubstr("'img'"));
  EXPECT_THAT(resolve("input [ { name: \"image\" data_type: TYPE_INT64 } ]").message(),
              HasSubstr("INT64"));
  EXPECT_THAT(resolve("input [ { name: \"image\" dims: [ 1, 8, 9 ] } ]").message(),
              HasSubstr("do not match"));
  EXPECT_THAT(resolve("output [ { name: \"logits\" dims: [ 11 ] } ]").message(),
              HasSubstr("do not match"));
  EXPECT_THAT(resolve("max_batch_size: 4 dynamic_batching { preferred_batch_size: [ 8 ] }")
                  .message(),
              HasSubstr("larger than max_batch_size"));
  // Batching a model whose input has a fixed dim 0 is refused with the input named.
  auto c = ParseModelConfig("max_batch_size: 8", "f", nullptr);
  ASSERT_TRUE(c.ok());
  Status fixed = ResolveModelConfig(*c, {Info("x", DType::kFloat32, {Dim::Known(1), Dim::Known(3)})},
                                    LogitsOutput(), 100)
                     .status();
  EXPECT_THAT(fixed.message(), HasSubstr("input 'x'"));
}

TEST(ModelConfig, TritonDTypeNamesRoundTrip) {
  for (DType d : {DType::kFloat32, DType::kFloat16, DType::kBFloat16, DType::kInt8,
                  DType::kUInt64, DType::kBool}) {
    ASSERT_OK_AND_ASSIGN(DType back, ParseTritonDType(TritonDTypeName(d)));
    EXPECT_EQ(back, d);
  }
  EXPECT_FALSE(ParseTritonDType("FLOAT").ok());
}

}  // namespace
}  // namespace brisk::server
