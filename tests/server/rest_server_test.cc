// brisk serve's REST front ends end to end, in process: a model repository in a temp folder,
// the Server on free ports, requests over real sockets. Python tests (tests/python/test_serve_*)
// cover the same server with the official clients.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "server/http_client.h"
#include "server/server.h"
#include "testing/tensor_testing.h"
#include "unit/model_builder.h"

namespace brisk::server {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ::testing::HasSubstr;
using testing::Fetch;

// y = x * scale + bias for x float32[N, 3]: version 1 has scale 1, version 2 scale 2.
std::string AffineModel(float scale) {
  brisk::testing::ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT, {"N", 3}).Output("y", onnx::TensorProto::FLOAT, {"N", 3});
  b.Initializer("scale", brisk::testing::MakeTensor<float>({1}, {scale}));
  b.Initializer("bias", brisk::testing::MakeTensor<float>({3}, {0, 10, 20}));
  b.Node("Mul", {"x", "scale"}, {"xs"});
  b.Node("Add", {"xs", "bias"}, {"y"});
  return b.Serialize();
}

void Write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

class RestServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("brisk_rest_test_" + std::to_string(getpid()));
    fs::remove_all(root_);
    Write(root_ / "affine" / "1" / "model.onnx", AffineModel(1));
    Write(root_ / "affine" / "2" / "model.onnx", AffineModel(2));
    Write(root_ / "affine" / "config.pbtxt",
          "max_batch_size: 8\nversion_policy { all { } }\n"
          "dynamic_batching { max_queue_delay_microseconds: 20000 }\n");
    ServeOptions options;
    options.model_repository = root_.string();
    options.host = "127.0.0.1";
    options.http_port = 0;
    options.grpc_port = -1;
    options.max_body_bytes = 4096;
    options.shutdown_grace = std::chrono::milliseconds(5000);
    auto server = Server::Start(options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    port_ = server_->http_port();
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(root_);
  }

  testing::HttpResult Infer(const std::string& target, const json& body) {
    return Fetch(port_, "POST", target, body.dump());
  }

  fs::path root_;
  std::unique_ptr<Server> server_;
  int port_ = 0;
};

json OneRow(float a, float b, float c) {
  return {{"inputs", {{{"name", "x"}, {"shape", {1, 3}}, {"datatype", "FP32"},
                       {"data", {a, b, c}}}}}};
}

TEST_F(RestServerTest, HealthAndMetadata) {
  EXPECT_EQ(Fetch(port_, "GET", "/v2/health/live").status, 200);
  EXPECT_EQ(Fetch(port_, "GET", "/v2/health/ready").status, 200);
  auto meta = Fetch(port_, "GET", "/v2/models/affine");
  ASSERT_EQ(meta.status, 200);
  json m = json::parse(meta.body);
  EXPECT_EQ(m["name"], "affine");
  EXPECT_EQ(m["versions"], json({"1", "2"}));
  EXPECT_EQ(m["inputs"][0]["datatype"], "FP32");
  EXPECT_EQ(m["inputs"][0]["shape"], json({-1, 3}));
  EXPECT_EQ(Fetch(port_, "GET", "/v2/models/affine/versions/1/ready").status, 200);
  EXPECT_EQ(Fetch(port_, "GET", "/v2/models/affine/versions/7/ready").status, 404);
  auto config = json::parse(Fetch(port_, "GET", "/v2/models/affine/config").body);
  EXPECT_EQ(config["max_batch_size"], 8);
  EXPECT_EQ(config["input"][0]["dims"], json({3}));
}

TEST_F(RestServerTest, InferJsonUsesTheNewestVersionUnlessOneIsNamed) {
  auto newest = Infer("/v2/models/affine/infer", OneRow(1, 2, 3));
  ASSERT_EQ(newest.status, 200) << newest.body;
  json r = json::parse(newest.body);
  EXPECT_EQ(r["model_version"], "2");
  EXPECT_EQ(r["outputs"][0]["data"], json({2.0, 14.0, 26.0}));
  auto v1 = Infer("/v2/models/affine/versions/1/infer", OneRow(1, 2, 3));
  ASSERT_EQ(v1.status, 200) << v1.body;
  EXPECT_EQ(json::parse(v1.body)["outputs"][0]["data"], json({1.0, 12.0, 23.0}));
}

TEST_F(RestServerTest, BinaryTensorDataInAndOut) {
  json header = {{"inputs", {{{"name", "x"}, {"shape", {2, 3}}, {"datatype", "FP32"},
                              {"parameters", {{"binary_data_size", 24}}}}}},
                 {"outputs", {{{"name", "y"}, {"parameters", {{"binary_data", true}}}}}}};
  const std::string text = header.dump();
  const float x[6] = {1, 2, 3, 4, 5, 6};
  const std::string body = text + std::string(reinterpret_cast<const char*>(x), sizeof x);
  auto res = Fetch(port_, "POST", "/v2/models/affine/versions/1/infer", body,
                   {{"Inference-Header-Content-Length", std::to_string(text.size())}});
  ASSERT_EQ(res.status, 200) << res.body;
  ASSERT_FALSE(res.header_length.empty());
  const size_t json_size = std::stoul(res.header_length);
  json r = json::parse(res.body.substr(0, json_size));
  EXPECT_EQ(r["outputs"][0]["parameters"]["binary_data_size"], 24);
  ASSERT_EQ(res.body.size(), json_size + 24);
  float y[6];
  std::memcpy(y, res.body.data() + json_size, sizeof y);
  EXPECT_EQ(y[0], 1);
  EXPECT_EQ(y[1], 12);
  EXPECT_EQ(y[5], 26);
}

TEST_F(RestServerTest, ConcurrentRequestsAreBatchedAndEachGetsItsOwnRows) {
  std::vector<std::future<testing::HttpResult>> results;
  for (int i = 0; i < 8; ++i) {
    results.push_back(std::async(std::launch::async, [this, i] {
      return Infer("/v2/models/affine/versions/1/infer", OneRow(float(i), 0, 0));
    }));
  }
  for (int i = 0; i < 8; ++i) {
    auto res = results[i].get();
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(json::parse(res.body)["outputs"][0]["data"], json({float(i), 10.0, 20.0}));
  }
  auto metrics = Fetch(port_, "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.body, HasSubstr("brisk_inference_requests_total{model=\"affine\","
                                      "version=\"1\",protocol=\"kserve_rest\",status=\"ok\"} 8"));
  EXPECT_THAT(metrics.body, HasSubstr("brisk_batch_size_bucket{model=\"affine\",version=\"1\""));
  // With a 20 ms window, 8 concurrent requests cannot all have run alone.
  EXPECT_THAT(metrics.body, ::testing::Not(HasSubstr(
                                "brisk_inference_batches_total{model=\"affine\",version=\"1\"} 8")));
}

TEST_F(RestServerTest, BadRequestsGetClearJsonErrors) {
  struct Case {
    std::string target, body;
    int status;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"/v2/models/nope/infer", OneRow(1, 2, 3).dump(), 404, "unknown model 'nope'"},
      {"/v2/models/affine/versions/9/infer", OneRow(1, 2, 3).dump(), 404, "no version '9'"},
      {"/v2/models/affine/infer", "{\"inputs\": [", 400, "malformed JSON"},
      {"/v2/models/affine/infer", "{}", 400, "no 'inputs'"},
      {"/v2/models/affine/infer",
       R"({"inputs":[{"name":"x","shape":[1,3],"datatype":"INT64","data":[1,2,3]}]})", 400,
       "expected dtype float32, got int64"},
      {"/v2/models/affine/infer",
       R"({"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]})", 400,
       "input 'x'"},
      {"/v2/models/affine/infer",
       R"({"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2]}]})", 400,
       "2 values for shape [1, 3]"},
      {"/v2/models/affine/infer",
       R"({"inputs":[{"name":"z","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]})", 400,
       "unknown input 'z'"},
      {"/v2/models/affine/infer",
       R"({"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}],
           "outputs":[{"name":"w"}]})", 400, "no output 'w'"},
      {"/v2/models/affine/infer",
       R"({"inputs":[{"name":"x","shape":[9,3],"datatype":"FP32","data":[1,2,3,1,2,3,1,2,3,1,2,3,1,2,3,1,2,3,1,2,3,1,2,3,1,2,3]}]})",
       400, "between 1 and 8 rows"},
      {"/v2/nothing", "", 404, "no route"},
      {"/v2/models/affine/infer", std::string(5000, ' '), 413, "larger than the server's limit"},
  };
  for (const Case& c : cases) {
    auto res = Fetch(port_, "POST", c.target, c.body);
    EXPECT_EQ(res.status, c.status) << c.target << " " << c.body.substr(0, 80) << " -> " << res.body;
    json error = json::parse(res.body, nullptr, false);
    ASSERT_TRUE(error.is_object() && error.contains("error")) << res.body;
    EXPECT_THAT(error["error"].get<std::string>(), HasSubstr(c.message)) << c.target;
  }
  auto bad_header = Fetch(port_, "POST", "/v2/models/affine/infer", OneRow(1, 2, 3).dump(),
                          {{"Inference-Header-Content-Length", "9999"}});
  EXPECT_EQ(bad_header.status, 400);
  EXPECT_THAT(bad_header.body, HasSubstr("larger than the body"));
  // The server still answers.
  EXPECT_EQ(Infer("/v2/models/affine/infer", OneRow(1, 2, 3)).status, 200);
}

TEST_F(RestServerTest, ARequestStillQueuedAfterItsTimeoutGets504) {
  // The 20 ms batching window outlasts a 1 ms timeout (KServe's "timeout" parameter, in µs).
  json body = OneRow(1, 2, 3);
  body["parameters"] = {{"timeout", 1000}};
  auto res = Infer("/v2/models/affine/infer", body);
  EXPECT_EQ(res.status, 504) << res.body;
  EXPECT_THAT(res.body, HasSubstr("timeout"));
  body["parameters"] = {{"timeout", "soon"}};
  EXPECT_EQ(Infer("/v2/models/affine/infer", body).status, 400);
}

TEST_F(RestServerTest, TfServingRowAndColumnarFormats) {
  auto rows = Fetch(port_, "POST", "/v1/models/affine/versions/1:predict",
                    R"({"instances": [[1, 2, 3], [0, 0, 0]]})");
  ASSERT_EQ(rows.status, 200) << rows.body;
  EXPECT_EQ(json::parse(rows.body)["predictions"],
            json::parse("[[1.0, 12.0, 23.0], [0.0, 10.0, 20.0]]"));
  auto columns = Fetch(port_, "POST", "/v1/models/affine:predict",
                       R"({"inputs": {"x": [[1, 2, 3]]}})");
  ASSERT_EQ(columns.status, 200) << columns.body;
  EXPECT_EQ(json::parse(columns.body)["outputs"], json::parse("[[2.0, 14.0, 26.0]]"));
  auto status = json::parse(Fetch(port_, "GET", "/v1/models/affine").body);
  EXPECT_EQ(status["model_version_status"][0]["state"], "AVAILABLE");
  auto ragged = Fetch(port_, "POST", "/v1/models/affine:predict",
                      R"({"instances": [[1, 2, 3], [0, 0]]})");
  EXPECT_EQ(ragged.status, 400);
  EXPECT_THAT(ragged.body, HasSubstr("ragged"));
  EXPECT_EQ(Fetch(port_, "POST", "/v1/models/affine:classify", "{}").status, 404);
}

TEST_F(RestServerTest, UnloadAndLoadThroughTheRepositoryApi) {
  EXPECT_EQ(Fetch(port_, "POST", "/v2/repository/models/affine/unload").status, 200);
  EXPECT_EQ(Infer("/v2/models/affine/infer", OneRow(1, 2, 3)).status, 404);
  EXPECT_EQ(Fetch(port_, "GET", "/v2/health/ready").status, 503);
  auto index = json::parse(Fetch(port_, "POST", "/v2/repository/index").body);
  EXPECT_EQ(index[0]["state"], "UNAVAILABLE");
  EXPECT_EQ(Fetch(port_, "POST", "/v2/repository/models/affine/load").status, 200);
  EXPECT_EQ(Infer("/v2/models/affine/infer", OneRow(1, 2, 3)).status, 200);
  EXPECT_EQ(Fetch(port_, "POST", "/v2/repository/models/..%2Fetc/load").status, 404);
}

TEST_F(RestServerTest, ShutdownAnswersRequestsInFlight) {
  // A request waiting in the 20 ms batching window when shutdown starts still gets its answer.
  auto pending = std::async(std::launch::async, [this] {
    return Infer("/v2/models/affine/versions/1/infer", OneRow(5, 0, 0));
  });
  // Wait until the server holds the request (slow under sanitizers), then shut down.
  for (int i = 0; i < 400; ++i) {
    if (Fetch(port_, "GET", "/metrics").body.find("brisk_inflight_requests 1") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  server_->Shutdown();
  auto res = pending.get();
  EXPECT_EQ(res.status, 200) << res.body;
}

}  // namespace
}  // namespace brisk::server
