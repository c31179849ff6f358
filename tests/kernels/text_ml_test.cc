#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "kernels/op_runner.h"
#include "kernels/registry.h"
#include "linalg_norm_test_util.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using testing::Attrs;
using testing::ErrorContains;
using testing::MakeTensor;
using testing::SpecType;
using Strs = std::vector<std::string>;

constexpr char kMl[] = "ai.onnx.ml";

StatusOr<Tensor> RunMl(const std::string& op, int opset, const Attrs& attrs,
                       std::vector<std::optional<Tensor>> inputs) {
  auto y = RunOp({.op_type = op, .opset = opset, .domain = kMl, .attrs = attrs}, std::move(inputs));
  if (!y.ok()) return y.status();
  return (*y)[0];
}

// Inference only, in the ai.onnx.ml domain.
StatusOr<ir::TypeInfo> InferMl(const std::string& op, int opset, const Attrs& attrs,
                               std::vector<ir::TypeInfo> ins) {
  ir::Graph graph("infer");
  ir::Node* node = graph.AddNode(op, op);
  node->opset = opset;
  node->attrs = attrs;
  for (size_t i = 0; i < ins.size(); ++i) {
    auto v = graph.AddValue("in" + std::to_string(i));
    if (!v.ok()) return v.status();
    (*v)->type = ins[i];
    (*v)->is_graph_input = true;
    node->inputs.push_back(*v);
  }
  auto out = graph.AddValue("out");
  if (!out.ok()) return out.status();
  (*out)->producer = node;
  node->outputs.push_back(*out);
  const OpDef* def = OpRegistry::Global().Find(kMl, op, opset);
  if (def == nullptr) return NotFound("no definition for " + op);
  InferenceContext ctx(*node, ins, std::vector<const Tensor*>(ins.size(), nullptr));
  BRISK_RETURN_IF_ERROR(def->infer(ctx));
  return ctx.output_types()[0];
}

// ---- Binarizer -----------------------------------------------------------------------------

TEST(BinarizerTest, Threshold) {
  auto y = RunMl("Binarizer", 1, Attrs().Float("threshold", 1.f),
                 {MakeTensor<float>({2, 3}, {0.5f, 1.f, 1.5f, -3.f, NAN, 7.f})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<float>({2, 3}, {0, 0, 1, 0, 0, 1}));
  auto yi = RunMl("Binarizer", 1, Attrs(), {MakeTensor<int64_t>({3}, {-1, 0, 5})});
  ASSERT_TRUE(yi.ok()) << yi.status().ToString();
  EXPECT_TENSOR_EQ(*yi, MakeTensor<int64_t>({3}, {0, 0, 1}));
  auto yd = RunMl("Binarizer", 1, Attrs(), {MakeTensor<double>({0}, {})});
  ASSERT_TRUE(yd.ok()) << yd.status().ToString();
  EXPECT_TENSOR_EQ(*yd, MakeTensor<double>({0}, {}));
}

TEST(BinarizerTest, ErrorsAndInference) {
  auto y = RunMl("Binarizer", 1, Attrs(), {MakeTensor<std::string>({1}, {"a"})});
  EXPECT_TRUE(ErrorContains(y.status(), "input 0 'X'")) << y.status().ToString();
  auto t = InferMl("Binarizer", 1, Attrs(), {SpecType(DType::kFloat64, {"N", "3"})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->ToString(), "float64[N, 3]");
}

// ---- LabelEncoder --------------------------------------------------------------------------

TEST(LabelEncoderTest, StringToInt) {
  Tensor x = MakeTensor<std::string>({5}, {"a", "b", "d", "c", "g"});
  auto y = RunMl("LabelEncoder", 4,
                 Attrs().Strings("keys_strings", {"a", "b", "c"}).Ints("values_int64s", {0, 1, 2})
                     .Int("default_int64", 42),
                 {x});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<int64_t>({5}, {0, 1, 42, 2, 42}));
  y = RunMl("LabelEncoder", 2,
            Attrs().Strings("keys_strings", {"a", "b", "c"}).Ints("values_int64s", {0, 1, 2}), {x});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<int64_t>({5}, {0, 1, -1, 2, -1}));
}

TEST(LabelEncoderTest, Tensors) {
  Tensor x = MakeTensor<std::string>({5}, {"a", "b", "d", "c", "g"});
  Attrs a = Attrs()
                .TensorAttr("keys_tensor", MakeTensor<std::string>({3}, {"a", "b", "c"}))
                .TensorAttr("values_tensor", MakeTensor<int32_t>({3}, {0, 1, 2}))
                .TensorAttr("default_tensor", MakeTensor<int32_t>({1}, {42}));
  auto y = RunMl("LabelEncoder", 4, a, {x});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<int32_t>({5}, {0, 1, 42, 2, 42}));
  // Without default_tensor, integer values default to -1.
  y = RunMl("LabelEncoder", 4,
            Attrs()
                .Strings("keys_strings", {"a"})
                .TensorAttr("values_tensor", MakeTensor<int16_t>({1}, {7})),
            {MakeTensor<std::string>({2}, {"a", "z"})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<int16_t>({2}, {7, -1}));
}

TEST(LabelEncoderTest, FloatKeysNaNAndRepeats) {
  auto y = RunMl("LabelEncoder", 2,
                 Attrs()
                     .Floats("keys_floats", {1.5f, NAN, 2.f, 1.5f})
                     .Strings("values_strings", {"x", "nan", "two", "last"}),
                 {MakeTensor<float>({4}, {1.5f, -NAN, 3.f, 2.f})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<std::string>({4}, {"last", "nan", "_Unused", "two"}));
  y = RunMl("LabelEncoder", 2,
            Attrs().Ints("keys_int64s", {3, 4}).Floats("values_floats", {0.5f, 1.5f}),
            {MakeTensor<int64_t>({2, 2}, {3, 4, 5, 3})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  Tensor expected = MakeTensor<float>({2, 2}, {0.5f, 1.5f, -0.f, 0.5f});
  EXPECT_TENSOR_EQ(*y, expected);
  EXPECT_TRUE(std::signbit((*y).data<float>()[2]));
}

TEST(LabelEncoderTest, Opset1Classes) {
  Attrs a = Attrs().Strings("classes_strings", {"x", "y"}).Int("default_int64", 9)
                .String("default_string", "?");
  auto y = RunMl("LabelEncoder", 1, a, {MakeTensor<std::string>({3}, {"y", "x", "q"})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<int64_t>({3}, {1, 0, 9}));
  y = RunMl("LabelEncoder", 1, a, {MakeTensor<int64_t>({3}, {1, 0, 5})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<std::string>({3}, {"y", "x", "?"}));
}

TEST(LabelEncoderTest, Errors) {
  Tensor x = MakeTensor<std::string>({1}, {"a"});
  auto y = RunMl("LabelEncoder", 4,
                 Attrs().Strings("keys_strings", {"a", "b"}).Ints("values_int64s", {1}), {x});
  EXPECT_TRUE(ErrorContains(y.status(), "different lengths")) << y.status().ToString();
  y = RunMl("LabelEncoder", 4,
            Attrs()
                .Strings("keys_strings", {"a"})
                .Ints("keys_int64s", {1})
                .Ints("values_int64s", {1}),
            {x});
  EXPECT_TRUE(ErrorContains(y.status(), "keys_")) << y.status().ToString();
  y = RunMl("LabelEncoder", 4, Attrs().Strings("keys_strings", {"a"}), {x});
  EXPECT_TRUE(ErrorContains(y.status(), "values_")) << y.status().ToString();
  y = RunMl("LabelEncoder", 4, Attrs().Ints("keys_int64s", {1}).Ints("values_int64s", {1}), {x});
  EXPECT_TRUE(ErrorContains(y.status(), "input 0 'X'")) << y.status().ToString();
  y = RunMl("LabelEncoder", 4,
            Attrs().Strings("keys_strings", {"a"}).Ints("values_int64s", {1})
                .TensorAttr("default_tensor", MakeTensor<float>({1}, {1})),
            {x});
  EXPECT_TRUE(ErrorContains(y.status(), "default_tensor")) << y.status().ToString();
}

TEST(LabelEncoderTest, Inference) {
  auto t = InferMl("LabelEncoder", 4,
                   Attrs().Strings("keys_strings", {"a"}).Floats("values_floats", {1}),
                   {SpecType(DType::kString, {"N"})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->ToString(), "float32[N]");
}

// ---- ArrayFeatureExtractor -----------------------------------------------------------------

TEST(ArrayFeatureExtractorTest, Gathers) {
  Tensor x = MakeTensor<float>({3, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  auto y = RunMl("ArrayFeatureExtractor", 1, Attrs(), {x, MakeTensor<int64_t>({2}, {0, 1})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<float>({3, 2}, {0, 1, 4, 5, 8, 9}));
  y = RunMl("ArrayFeatureExtractor", 1, Attrs(), {x, MakeTensor<int64_t>({1, 2}, {3, 3})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<float>({3, 2}, {3, 3, 7, 7, 11, 11}));
  y = RunMl("ArrayFeatureExtractor", 1, Attrs(),
            {MakeTensor<std::string>({3}, {"a", "b", "c"}), MakeTensor<int64_t>({1}, {2})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<std::string>({1, 1}, {"c"}));
  y = RunMl("ArrayFeatureExtractor", 1, Attrs(),
            {MakeTensor<int32_t>({0, 2}, {}), MakeTensor<int64_t>({1}, {1})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<int32_t>({0, 1}, {}));
}

TEST(ArrayFeatureExtractorTest, ErrorsAndInference) {
  Tensor x = MakeTensor<float>({2, 2}, {0, 1, 2, 3});
  auto y = RunMl("ArrayFeatureExtractor", 1, Attrs(), {x, MakeTensor<int64_t>({1}, {2})});
  EXPECT_TRUE(ErrorContains(y.status(), "input 1 'Y'")) << y.status().ToString();
  y = RunMl("ArrayFeatureExtractor", 1, Attrs(), {x, MakeTensor<int64_t>({1}, {-1})});
  EXPECT_TRUE(ErrorContains(y.status(), "input 1 'Y'")) << y.status().ToString();
  y = RunMl("ArrayFeatureExtractor", 1, Attrs(), {x, MakeTensor<int32_t>({1}, {0})});
  EXPECT_TRUE(ErrorContains(y.status(), "input 1 'Y'")) << y.status().ToString();
  auto t = InferMl("ArrayFeatureExtractor", 1, Attrs(),
                   {SpecType(DType::kFloat32, {"N", "B", "F"}), SpecType(DType::kInt64, {"K"})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->ToString(), "float32[N, B, K]");
}

// ---- TreeEnsemble --------------------------------------------------------------------------

// The ONNX node test's single tree: node 0 (x0 <= 3.14) -> node 1 (x0 <= 1.2) : node 2 (x0 <= 4.2)
Attrs SingleTree(int64_t aggregate = 1, int64_t post = 0) {
  return Attrs()
      .Int("aggregate_function", aggregate)
      .Int("post_transform", post)
      .Ints("leaf_targetids", {0, 1, 0, 1})
      .TensorAttr("leaf_weights", MakeTensor<double>({4}, {5.23, 12.12, -12.23, 7.21}))
      .Int("n_targets", 2)
      .Ints("nodes_falseleafs", {0, 1, 1})
      .Ints("nodes_falsenodeids", {2, 2, 3})
      .Ints("nodes_featureids", {0, 0, 0})
      .TensorAttr("nodes_modes", MakeTensor<uint8_t>({3}, {0, 0, 0}))
      .TensorAttr("nodes_splits", MakeTensor<double>({3}, {3.14, 1.2, 4.2}))
      .Ints("nodes_trueleafs", {0, 1, 1})
      .Ints("nodes_truenodeids", {1, 0, 1})
      .Ints("tree_roots", {0});
}

TEST(TreeEnsembleTest, SingleTree) {
  Tensor x = MakeTensor<double>({3, 2}, {1.2, 3.4, -0.12, 1.66, 4.14, 1.77});
  auto y = RunMl("TreeEnsemble", 5, SingleTree(), {x});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_NEAR(*y, MakeTensor<double>({3, 2}, {5.23, 0, 5.23, 0, 0, 12.12}), 1e-12, 1e-12);
}

TEST(TreeEnsembleTest, AggregatesAndPostTransforms) {
  Tensor x = MakeTensor<float>({1, 1}, {1.0f});  // reaches leaf 0: target 0, weight 5.23
  auto y = RunMl("TreeEnsemble", 5, SingleTree(3), {x});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_NEAR(*y, MakeTensor<float>({1, 2}, {5.23f, -std::numeric_limits<float>::max()}),
                     1e-6, 1e-6);
  y = RunMl("TreeEnsemble", 5, SingleTree(1, 2), {x});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_NEAR(*y, MakeTensor<float>({1, 2}, {float(1 / (1 + std::exp(-5.23))), 0.5f}),
                     1e-6, 1e-6);
  y = RunMl("TreeEnsemble", 5, SingleTree(1, 1), {x});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  const double e = std::exp(5.23);
  EXPECT_TENSOR_NEAR(*y, MakeTensor<float>({1, 2}, {float(e / (e + 1)), float(1 / (e + 1))}),
                     1e-6, 1e-6);
  y = RunMl("TreeEnsemble", 5, SingleTree(1, 3), {x});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_NEAR(*y, MakeTensor<float>({1, 2}, {1, 0}), 1e-6, 1e-6);
  // Two copies of the tree, averaged.
  Attrs two = SingleTree(0);
  two.Ints("tree_roots", {0, 0});
  y = RunMl("TreeEnsemble", 5, two, {x});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_NEAR(*y, MakeTensor<float>({1, 2}, {5.23f, 0}), 1e-6, 1e-6);
}

TEST(TreeEnsembleTest, ProbitTransform) {
  Attrs a = SingleTree(1, 4);
  a.TensorAttr("leaf_weights", MakeTensor<double>({4}, {0.975, 0.5, 0.5, 0.5}));
  a.Ints("tree_roots", {0, 2});  // x = 1 reaches leaf 0 (target 0) and leaf 1 (target 1)
  auto y = RunMl("TreeEnsemble", 5, a, {MakeTensor<float>({1, 1}, {1.0f})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_NEAR(*y, MakeTensor<float>({1, 2}, {1.959964f, 0}), 1e-5, 1e-5);
}

TEST(TreeEnsembleTest, SetMembershipAndMissing) {
  Attrs a = Attrs()
                .Ints("leaf_targetids", {0, 1, 2, 3})
                .TensorAttr("leaf_weights", MakeTensor<float>({4}, {1, 10, 1000, 100}))
                .TensorAttr("membership_values",
                            MakeTensor<float>({8}, {1.2f, 3.7f, 8, 9, NAN, 12, 7, NAN}))
                .Int("n_targets", 4)
                .Ints("nodes_falseleafs", {1, 0, 1})
                .Ints("nodes_falsenodeids", {2, 2, 3})
                .Ints("nodes_featureids", {0, 0, 0})
                .TensorAttr("nodes_modes", MakeTensor<uint8_t>({3}, {0, 6, 6}))
                .TensorAttr("nodes_splits", MakeTensor<float>({3}, {11, 232344, NAN}))
                .Ints("nodes_trueleafs", {0, 1, 1})
                .Ints("nodes_truenodeids", {1, 0, 1})
                .Ints("tree_roots", {0});
  Tensor x = MakeTensor<float>({6, 1}, {1.2f, 3.4f, -0.12f, NAN, 12, 7});
  auto y = RunMl("TreeEnsemble", 5, a, {x});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<float>({6, 4}, {1, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 100,
                                                  0, 0, 1000, 0, 0, 0, 1000, 0, 0, 10, 0, 0}));
  a.Ints("nodes_missing_value_tracks_true", {1, 0, 0});
  y = RunMl("TreeEnsemble", 5, a, {MakeTensor<float>({1, 1}, {NAN})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<float>({1, 4}, {0, 0, 0, 100}));
}

TEST(TreeEnsembleTest, Errors) {
  Tensor x = MakeTensor<double>({1, 1}, {1});
  auto y = RunMl("TreeEnsemble", 5, SingleTree().Ints("nodes_truenodeids", {1, 0, 9}), {x});
  EXPECT_TRUE(ErrorContains(y.status(), "nodes_truenodeids")) << y.status().ToString();
  y = RunMl("TreeEnsemble", 5, SingleTree().Ints("nodes_featureids", {0, 0}), {x});
  EXPECT_TRUE(ErrorContains(y.status(), "expected one per node")) << y.status().ToString();
  y = RunMl("TreeEnsemble", 5, SingleTree().Ints("leaf_targetids", {0, 1, 0, 2}), {x});
  EXPECT_TRUE(ErrorContains(y.status(), "leaf_targetids")) << y.status().ToString();
  y = RunMl("TreeEnsemble", 5, SingleTree().Ints("nodes_featureids", {0, 0, 3}), {x});
  EXPECT_TRUE(ErrorContains(y.status(), "input 0 'X'")) << y.status().ToString();
  y = RunMl("TreeEnsemble", 5,
            SingleTree().TensorAttr("nodes_modes", MakeTensor<uint8_t>({3}, {0, 6, 0})), {x});
  EXPECT_TRUE(ErrorContains(y.status(), "membership_values")) << y.status().ToString();
  y = RunMl("TreeEnsemble", 5, SingleTree().Int("aggregate_function", 7), {x});
  EXPECT_TRUE(ErrorContains(y.status(), "aggregate_function")) << y.status().ToString();
  // A cycle: node 0 -> node 1 -> node 0.
  y = RunMl("TreeEnsemble", 5,
            SingleTree().Ints("nodes_trueleafs", {0, 0, 1}).Ints("nodes_truenodeids", {1, 0, 1}),
            {MakeTensor<double>({1, 1}, {0})});
  EXPECT_TRUE(ErrorContains(y.status(), "cycle")) << y.status().ToString();
  y = RunMl("TreeEnsemble", 5, SingleTree(), {MakeTensor<int64_t>({1, 1}, {0})});
  EXPECT_TRUE(ErrorContains(y.status(), "input 0 'X'")) << y.status().ToString();
}

TEST(TreeEnsembleTest, InferenceAndEmpty) {
  auto t = InferMl("TreeEnsemble", 5, SingleTree(), {SpecType(DType::kFloat32, {"N", "F"})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->ToString(), "float32[N, 2]");
  auto y = RunMl("TreeEnsemble", 5, SingleTree(), {MakeTensor<float>({0, 1}, {})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ(*y, MakeTensor<float>({0, 2}, {}));
}

}  // namespace
}  // namespace brisk
