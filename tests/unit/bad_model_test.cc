// The "bad input gets a clear error, never a crash" guarantee: every malformed model file,
// malformed graph and bad feed comes back as a non-OK Status whose message says what is wrong
// and where (file, node, op, input).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "brisk/session.h"
#include "onnx/importer.h"
#include "testing/tensor_testing.h"
#include "unit/model_builder.h"

namespace brisk {
namespace {

namespace fs = std::filesystem;
using ::brisk::testing::MakeTensor;
using ::brisk::testing::ModelBuilder;
using ::brisk::testing::TempDir;
using ::brisk::testing::TensorProtoWithDims;
using ::testing::HasSubstr;
using TP = onnx::TensorProto;

// x: float[2, 3] -> Relu ('act') -> y.
ModelBuilder ReluModel() {
  ModelBuilder b;
  b.Input("x", TP::FLOAT, {2, 3}).Output("y", TP::FLOAT, {2, 3});
  b.Node("Relu", {"x"}, {"y"}, "act");
  return b;
}

// Loads `bytes` from a file in a fresh temp dir; the load must fail. Returns the message, which
// must name the file.
std::string LoadFileError(const std::string& bytes, const std::string& name = "model.onnx") {
  TempDir dir;
  const std::string path = dir.WriteFile(name, bytes);
  auto session = Session::Load(path);
  EXPECT_FALSE(session.ok()) << "loading " << name << " unexpectedly succeeded";
  if (session.ok()) return "";
  EXPECT_THAT(session.status().message(), HasSubstr(path));
  return session.status().message();
}

std::string LoadModelError(const ModelBuilder& b) { return LoadFileError(b.Serialize()); }

std::unique_ptr<Session> MustLoad(const ModelBuilder& b) {
  auto session = Session::LoadFromBytes(b.Serialize());
  EXPECT_TRUE(session.ok()) << session.status().ToString();
  return session.ok() ? std::move(session).value() : nullptr;
}

std::string RunError(Session& session, const NamedTensors& feeds) {
  auto out = session.Run(feeds);
  EXPECT_FALSE(out.ok()) << "Run unexpectedly succeeded";
  return out.ok() ? "" : out.status().message();
}

Tensor Floats(Shape shape) { return *Tensor::Zeros(DType::kFloat32, std::move(shape)); }

// ---- files that are not ONNX models ---------------------------------------------------------

TEST(BadModelTest, TruncatedProtobuf) {
  const std::string bytes = ReluModel().Serialize();
  const std::string msg = LoadFileError(bytes.substr(0, bytes.size() / 2));
  EXPECT_THAT(msg, HasSubstr("could not be parsed"));
}

TEST(BadModelTest, RandomBytes) {
  std::mt19937 rng(1234);
  std::string bytes(4096, '\0');
  for (char& c : bytes) c = char(rng());
  const std::string msg = LoadFileError(bytes);
  EXPECT_THAT(msg, HasSubstr("not a valid ONNX model"));
}

TEST(BadModelTest, EmptyFile) {
  EXPECT_THAT(LoadFileError(""), HasSubstr("empty"));
}

TEST(BadModelTest, TextFile) {
  const std::string msg =
      LoadFileError("This is a README, not a model.\nIt has two lines.\n", "README.txt");
  EXPECT_THAT(msg, HasSubstr("not a valid ONNX model"));
}

TEST(BadModelTest, DirectoryPath) {
  TempDir dir;
  auto session = Session::Load(dir.path().string());
  ASSERT_FALSE(session.ok());
  EXPECT_THAT(session.status().message(), HasSubstr(dir.path().string()));
  EXPECT_THAT(session.status().message(), HasSubstr("directory"));
}

TEST(BadModelTest, MissingFile) {
  TempDir dir;
  const std::string path = (dir.path() / "no_such_model.onnx").string();
  auto session = Session::Load(path);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(session.status().message(), HasSubstr(path));
}

// ---- malformed models -----------------------------------------------------------------------

TEST(BadModelTest, NoGraph) {
  ModelBuilder b = ReluModel();
  b.proto().clear_graph();
  EXPECT_THAT(LoadModelError(b), HasSubstr("no graph"));
}

TEST(BadModelTest, NoOpsetImport) {
  ModelBuilder b = ReluModel();
  b.proto().clear_opset_import();
  EXPECT_THAT(LoadModelError(b), HasSubstr("opset"));
}

TEST(BadModelTest, UnknownOp) {
  ModelBuilder b;
  b.Input("x", TP::FLOAT, {2}).Output("y", TP::FLOAT);
  b.Node("FrobnicateTensor", {"x"}, {"y"}, "mystery_node");
  const std::string msg = LoadModelError(b);
  EXPECT_THAT(msg, HasSubstr("mystery_node"));
  EXPECT_THAT(msg, HasSubstr("FrobnicateTensor"));
  EXPECT_THAT(msg, HasSubstr("not supported"));
}

// Found by the model-loader fuzzer: kernels used to dereference a missing required input.
TEST(BadModelTest, MissingRequiredInputIsRejectedAtLoad) {
  ModelBuilder b;
  b.Input("x", TP::FLOAT, {1, 1, 4, 4}).Output("y", TP::FLOAT);
  b.Node("Conv", {"x"}, {"y"}, "conv_without_weights");
  const std::string msg = LoadModelError(b);
  EXPECT_THAT(msg, HasSubstr("conv_without_weights"));
  EXPECT_THAT(msg, HasSubstr("required input 1 'W' is missing"));
}

TEST(BadModelTest, EmptyNameForRequiredInputIsRejectedAtLoad) {
  ModelBuilder b;
  b.Input("x", TP::FLOAT, {2}).Output("y", TP::FLOAT);
  b.Node("Identity", {""}, {"y"}, "identity_of_nothing");
  const std::string msg = LoadModelError(b);
  EXPECT_THAT(msg, HasSubstr("identity_of_nothing"));
  EXPECT_THAT(msg, HasSubstr("required input 0"));
}

TEST(BadModelTest, UnsupportedOpset) {
  ModelBuilder b(/*opset=*/99);
  b.Input("x", TP::FLOAT, {2}).Output("y", TP::FLOAT);
  b.Node("Relu", {"x"}, {"y"}, "act");
  const std::string msg = LoadModelError(b);
  EXPECT_THAT(msg, HasSubstr("opset 99"));
}

TEST(BadModelTest, CyclicGraph) {
  ModelBuilder b;
  b.Input("x", TP::FLOAT, {2}).Output("c", TP::FLOAT);
  b.Node("Add", {"x", "b"}, {"a"}, "first");
  b.Node("Relu", {"a"}, {"b"}, "second");
  b.Node("Relu", {"b"}, {"c"}, "third");
  const std::string msg = LoadModelError(b);
  EXPECT_THAT(msg, HasSubstr("cycle"));
  EXPECT_THAT(msg, ::testing::AnyOf(HasSubstr("'first'"), HasSubstr("'second'")));
}

TEST(BadModelTest, InputProducedByNothing) {
  ModelBuilder b;
  b.Input("x", TP::FLOAT, {2}).Output("y", TP::FLOAT);
  b.Node("Add", {"x", "ghost"}, {"y"}, "adder");
  const std::string msg = LoadModelError(b);
  EXPECT_THAT(msg, HasSubstr("adder"));
  EXPECT_THAT(msg, HasSubstr("Add"));
  EXPECT_THAT(msg, HasSubstr("'ghost'"));
  EXPECT_THAT(msg, HasSubstr("not defined"));
}

TEST(BadModelTest, ValueProducedTwice) {
  ModelBuilder b;
  b.Input("x", TP::FLOAT, {2}).Output("y", TP::FLOAT);
  b.Node("Relu", {"x"}, {"y"}, "first");
  b.Node("Neg", {"x"}, {"y"}, "second");
  const std::string msg = LoadModelError(b);
  EXPECT_THAT(msg, HasSubstr("'second'"));
  EXPECT_THAT(msg, HasSubstr("'y'"));
  EXPECT_THAT(msg, HasSubstr("already defined"));
}

TEST(BadModelTest, NodeWithoutOutputs) {
  ModelBuilder b;
  b.Input("x", TP::FLOAT, {2}).Output("x_copy", TP::FLOAT);
  b.Node("Identity", {"x"}, {"x_copy"}, "copy");
  b.Node("Transpose", {"x"}, {}, "dangling");
  const std::string msg = LoadModelError(b);
  EXPECT_THAT(msg, HasSubstr("'dangling' (Transpose)"));
  EXPECT_THAT(msg, HasSubstr("has no outputs"));
}

// ---- bad initializers -----------------------------------------------------------------------

// x: float[2] + initializer 'w' -> y.
ModelBuilder AddWithInitializer(TP w) {
  ModelBuilder b;
  b.Input("x", TP::FLOAT, {2}).Output("y", TP::FLOAT);
  b.Initializer("w", std::move(w));
  b.Node("Add", {"x", "w"}, {"y"}, "add_w");
  return b;
}

TEST(BadModelTest, InitializerRawDataSizeMismatch) {
  TP w = TensorProtoWithDims(TP::FLOAT, {2});
  w.set_raw_data(std::string(7, '\0'));
  const std::string msg = LoadModelError(AddWithInitializer(w));
  EXPECT_THAT(msg, HasSubstr("initializer 'w'"));
  EXPECT_THAT(msg, HasSubstr("7 bytes"));
  EXPECT_THAT(msg, HasSubstr("needs 8"));
}

TEST(BadModelTest, InitializerDimsOverflowInt64) {
  TP w = TensorProtoWithDims(TP::FLOAT, {int64_t(1) << 32, int64_t(1) << 32, 16});
  const std::string msg = LoadModelError(AddWithInitializer(w));
  EXPECT_THAT(msg, HasSubstr("initializer 'w'"));
  EXPECT_THAT(msg, HasSubstr("more elements than brisk supports"));
}

TEST(BadModelTest, InitializerNegativeDim) {
  TP w = TensorProtoWithDims(TP::FLOAT, {2, -3});
  const std::string msg = LoadModelError(AddWithInitializer(w));
  EXPECT_THAT(msg, HasSubstr("initializer 'w'"));
  EXPECT_THAT(msg, HasSubstr("negative"));
}

TEST(BadModelTest, InitializerAbsurdlyLargeWithoutData) {
  // 2^40 floats (4 TiB) declared, nothing stored: an error, not an allocation attempt.
  TP w = TensorProtoWithDims(TP::FLOAT, {int64_t(1) << 20, int64_t(1) << 20});
  const std::string msg = LoadModelError(AddWithInitializer(w));
  EXPECT_THAT(msg, HasSubstr("initializer 'w'"));
  EXPECT_THAT(msg, HasSubstr("1099511627776"));
}

TEST(BadModelTest, InitializerLargeWithoutDataIsNotAllocated) {
  // 2^28 floats (1 GiB) fit in memory, but the file holds no values for them: the error reports
  // the missing values (brisk checks them before allocating).
  TP w = TensorProtoWithDims(TP::FLOAT, {int64_t(1) << 28});
  const std::string msg = LoadModelError(AddWithInitializer(w));
  EXPECT_THAT(msg, HasSubstr("initializer 'w'"));
  EXPECT_THAT(msg, HasSubstr("float_data has 0 values"));
}

// ---- external data --------------------------------------------------------------------------

TP ExternalTensor(const std::string& location, int64_t offset = -1, int64_t length = -1) {
  TP w = TensorProtoWithDims(TP::FLOAT, {2});
  w.set_data_location(TP::EXTERNAL);
  auto add = [&](const std::string& key, const std::string& value) {
    auto* kv = w.add_external_data();
    kv->set_key(key);
    kv->set_value(value);
  };
  add("location", location);
  if (offset >= 0) add("offset", std::to_string(offset));
  if (length >= 0) add("length", std::to_string(length));
  return w;
}

// Loads a model whose initializer 'w' uses external data from `dir`/models/model.onnx.
std::string ExternalDataError(const TempDir& dir, TP w) {
  fs::create_directories(dir.path() / "models");
  const std::string path = AddWithInitializer(std::move(w)).WriteTo(dir.path() / "models");
  auto session = Session::Load(path);
  EXPECT_FALSE(session.ok());
  if (session.ok()) return "";
  EXPECT_THAT(session.status().message(), HasSubstr(path));
  EXPECT_THAT(session.status().message(), HasSubstr("initializer 'w'"));
  return session.status().message();
}

TEST(BadModelTest, ExternalDataParentEscape) {
  TempDir dir;
  dir.WriteFile("escape.bin", std::string(8, '\0'));
  const std::string msg = ExternalDataError(dir, ExternalTensor("../escape.bin"));
  EXPECT_THAT(msg, HasSubstr("'../escape.bin'"));
  EXPECT_THAT(msg, HasSubstr("escapes"));
}

TEST(BadModelTest, ExternalDataAbsolutePath) {
  TempDir dir;
  const std::string target = dir.WriteFile("abs.bin", std::string(8, '\0'));
  const std::string msg = ExternalDataError(dir, ExternalTensor(target));
  EXPECT_THAT(msg, HasSubstr(target));
  EXPECT_THAT(msg, HasSubstr("relative path"));
}

TEST(BadModelTest, ExternalDataSymlinkOutsideFolder) {
  TempDir dir;
  const std::string target = dir.WriteFile("outside.bin", std::string(8, '\0'));
  fs::create_directories(dir.path() / "models");
  fs::create_symlink(target, dir.path() / "models" / "weights.bin");
  const std::string msg = ExternalDataError(dir, ExternalTensor("weights.bin"));
  EXPECT_THAT(msg, HasSubstr("'weights.bin'"));
  EXPECT_THAT(msg, HasSubstr("outside the model's folder"));
}

TEST(BadModelTest, ExternalDataBeyondFileEnd) {
  TempDir dir;
  fs::create_directories(dir.path() / "models");
  std::ofstream(dir.path() / "models" / "weights.bin") << std::string(12, 'x');
  const std::string msg =
      ExternalDataError(dir, ExternalTensor("weights.bin", /*offset=*/8, /*length=*/8));
  EXPECT_THAT(msg, HasSubstr("'weights.bin'"));
  EXPECT_THAT(msg, HasSubstr("beyond the end"));
}

TEST(BadModelTest, ExternalDataValidIsAccepted) {
  // The counterpart of the cases above: a well-formed external tensor loads.
  TempDir dir;
  fs::create_directories(dir.path() / "models");
  const float values[3] = {9.f, 1.5f, -2.f};
  std::ofstream(dir.path() / "models" / "weights.bin", std::ios::binary)
      .write(reinterpret_cast<const char*>(values), sizeof(values));
  const std::string path =
      AddWithInitializer(ExternalTensor("weights.bin", /*offset=*/4, /*length=*/8))
          .WriteTo(dir.path() / "models");
  auto session = Session::Load(path);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  auto out = (*session)->Run(NamedTensors{{"x", MakeTensor<float>({2}, {1.f, 1.f})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({2}, {2.5f, -1.f}));
}

// ---- subgraph nesting -----------------------------------------------------------------------

// A graph whose node 'if_<level>' is an If nested `levels` deep (then_branch recursing).
onnx::GraphProto NestedIfGraph(int level, int levels) {
  onnx::GraphProto g;
  g.set_name("level_" + std::to_string(level));
  const std::string out = "out_" + std::to_string(level);
  auto* vi = g.add_output();
  vi->set_name(out);
  vi->mutable_type()->mutable_tensor_type()->set_elem_type(TP::FLOAT);
  onnx::NodeProto* node = g.add_node();
  node->add_output(out);
  if (level == levels) {
    node->set_op_type("Identity");
    node->set_name("leaf");
    node->add_input("x");
    return g;
  }
  node->set_op_type("If");
  node->set_name("if_" + std::to_string(level));
  node->add_input("cond");
  onnx::GraphProto leaf;
  leaf.set_name("else_" + std::to_string(level));
  auto* leaf_out = leaf.add_output();
  leaf_out->set_name("x");
  leaf_out->mutable_type()->mutable_tensor_type()->set_elem_type(TP::FLOAT);
  testing::AddGraphAttr(*node, "then_branch", NestedIfGraph(level + 1, levels));
  testing::AddGraphAttr(*node, "else_branch", std::move(leaf));
  return g;
}

ModelBuilder NestedIfModel(int levels) {
  ModelBuilder b;
  *b.proto().mutable_graph() = NestedIfGraph(0, levels);
  b.graph().set_name("main");
  b.Input("cond", TP::BOOL, {}).Input("x", TP::FLOAT, {2});
  return b;
}

TEST(BadModelTest, SubgraphsNestedDeeperThanLimit) {
  const int levels = onnx_io::kMaxSubgraphDepth + 1;
  const std::string msg = LoadModelError(NestedIfModel(levels));
  EXPECT_THAT(msg, HasSubstr("nested deeper than"));
  EXPECT_THAT(msg, HasSubstr("'if_0'"));
}

TEST(BadModelTest, SubgraphsNestedAtTheLimitLoad) {
  auto session = Session::LoadFromBytes(NestedIfModel(onnx_io::kMaxSubgraphDepth).Serialize());
  ASSERT_TRUE(session.ok()) << session.status().ToString();
}

TEST(BadModelTest, SubgraphsNestedAbsurdlyDeep) {
  // Far beyond any limit: still an error (from protobuf or from brisk), never a stack overflow.
  const std::string msg = LoadModelError(NestedIfModel(2000));
  EXPECT_THAT(msg, HasSubstr("model.onnx"));
}

// ---- bad feeds ------------------------------------------------------------------------------

TEST(BadFeedTest, MissingFeed) {
  auto session = MustLoad(ReluModel());
  ASSERT_NE(session, nullptr);
  const std::string msg = RunError(*session, {});
  EXPECT_THAT(msg, HasSubstr("input 'x' is missing"));
  EXPECT_THAT(msg, HasSubstr("float32[2, 3]"));
}

TEST(BadFeedTest, UnknownFeed) {
  auto session = MustLoad(ReluModel());
  ASSERT_NE(session, nullptr);
  const std::string msg =
      RunError(*session, {{"x", Floats({2, 3})}, {"bogus", Floats({2, 3})}});
  EXPECT_THAT(msg, HasSubstr("no input named 'bogus'"));
  EXPECT_THAT(msg, HasSubstr("inputs: x"));
}

TEST(BadFeedTest, FeedGivenTwice) {
  auto session = MustLoad(ReluModel());
  ASSERT_NE(session, nullptr);
  const std::string msg = RunError(*session, {{"x", Floats({2, 3})}, {"x", Floats({2, 3})}});
  EXPECT_THAT(msg, HasSubstr("input 'x' is fed twice"));
}

TEST(BadFeedTest, WrongDType) {
  auto session = MustLoad(ReluModel());
  ASSERT_NE(session, nullptr);
  const std::string msg =
      RunError(*session, {{"x", *Tensor::Zeros(DType::kInt64, Shape{2, 3})}});
  EXPECT_THAT(msg, HasSubstr("input 'x'"));
  EXPECT_THAT(msg, HasSubstr("expected dtype float32, got int64"));
}

TEST(BadFeedTest, WrongRank) {
  auto session = MustLoad(ReluModel());
  ASSERT_NE(session, nullptr);
  const std::string msg = RunError(*session, {{"x", Floats({6})}});
  EXPECT_THAT(msg, HasSubstr("input 'x'"));
  EXPECT_THAT(msg, HasSubstr("rank 2"));
  EXPECT_THAT(msg, HasSubstr("rank 1"));
}

TEST(BadFeedTest, WrongFixedDim) {
  auto session = MustLoad(ReluModel());
  ASSERT_NE(session, nullptr);
  const std::string msg = RunError(*session, {{"x", Floats({2, 4})}});
  EXPECT_THAT(msg, HasSubstr("input 'x'"));
  EXPECT_THAT(msg, HasSubstr("dimension 1 must be 3"));
}

TEST(BadFeedTest, InconsistentSymbolicDim) {
  ModelBuilder b;
  b.Input("a", TP::FLOAT, {"N", 3}).Input("b", TP::FLOAT, {"N", 3}).Output("c", TP::FLOAT);
  b.Node("Add", {"a", "b"}, {"c"}, "sum");
  auto session = MustLoad(b);
  ASSERT_NE(session, nullptr);
  const std::string msg = RunError(*session, {{"a", Floats({2, 3})}, {"b", Floats({4, 3})}});
  EXPECT_THAT(msg, HasSubstr("input 'b'"));
  EXPECT_THAT(msg, HasSubstr("dimension 'N' is 4 here but 2 in input 'a'"));
}

TEST(BadFeedTest, PositionalFeedCountMismatch) {
  auto session = MustLoad(ReluModel());
  ASSERT_NE(session, nullptr);
  auto out = session->Run(std::vector<Tensor>{Floats({2, 3}), Floats({2, 3})});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("takes 1 inputs, got 2"));
}

// ---- run-time errors ------------------------------------------------------------------------

TEST(BadRunTest, GatherIndexOutOfRangeNamesTheNode) {
  ModelBuilder b;
  b.Input("idx", TP::INT64, {2}).Output("y", TP::FLOAT);
  b.Initializer("table", MakeTensor<float>({3, 2}, {0, 1, 2, 3, 4, 5}));
  b.Node("Gather", {"table", "idx"}, {"y"}, "lookup");
  auto session = MustLoad(b);
  ASSERT_NE(session, nullptr);
  auto ok = session->Run(NamedTensors{{"idx", MakeTensor<int64_t>({2}, {2, -1})}});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TENSOR_EQ((*ok)[0], MakeTensor<float>({2, 2}, {4, 5, 4, 5}));
  for (int64_t bad : {int64_t(3), int64_t(-4), int64_t(1) << 40}) {
    const std::string msg =
        RunError(*session, {{"idx", MakeTensor<int64_t>({2}, {0, bad})}});
    EXPECT_THAT(msg, HasSubstr("'lookup'"));
    EXPECT_THAT(msg, HasSubstr("Gather"));
  }
}

}  // namespace
}  // namespace brisk
