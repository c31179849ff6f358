// Session behaviour on good models: results, plan cache, re-planning warning, threads.
#include "brisk/session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "brisk/logging.h"
#include "testing/tensor_testing.h"
#include "unit/model_builder.h"

namespace brisk {
namespace {

using ::brisk::testing::MakeTensor;
using ::brisk::testing::ModelBuilder;
using ::testing::HasSubstr;
using TP = onnx::TensorProto;

// y = Relu(x @ W + b), x: float[N, 3], W: float[3, 2], b: float[2].
ModelBuilder DenseReluModel() {
  ModelBuilder b;
  b.Input("x", TP::FLOAT, {"N", 3}).Output("y", TP::FLOAT, {"N", 2});
  b.Initializer("W", MakeTensor<float>({3, 2}, {1, -1, 2, 0, -1, 3}));
  b.Initializer("b", MakeTensor<float>({2}, {0.5f, -4}));
  b.Node("MatMul", {"x", "W"}, {"xw"}, "matmul");
  b.Node("Add", {"xw", "b"}, {"xwb"}, "bias");
  b.Node("Relu", {"xwb"}, {"y"}, "relu");
  return b;
}

std::unique_ptr<Session> Load(const ModelBuilder& b, const SessionOptions& options = {}) {
  auto session = Session::LoadFromBytes(b.Serialize(), options);
  EXPECT_TRUE(session.ok()) << session.status().ToString();
  return session.ok() ? std::move(session).value() : nullptr;
}

Tensor Batch(int64_t n) {
  std::vector<float> values;
  for (int64_t i = 0; i < n * 3; ++i) values.push_back(float(i % 7) - 3);
  return MakeTensor<float>({n, 3}, values);
}

// Hand-computed Relu(x @ W + b) for Batch(n).
Tensor Expected(int64_t n) {
  const float w[3][2] = {{1, -1}, {2, 0}, {-1, 3}};
  const float bias[2] = {0.5f, -4};
  const Tensor x = Batch(n);
  std::vector<float> out;
  for (int64_t r = 0; r < n; ++r) {
    for (int c = 0; c < 2; ++c) {
      float acc = bias[c];
      for (int k = 0; k < 3; ++k) acc += x.data<float>()[r * 3 + k] * w[k][c];
      out.push_back(std::max(acc, 0.f));
    }
  }
  return MakeTensor<float>({n, 2}, out);
}

// Captures log messages for the lifetime of the object.
class LogCapture {
 public:
  LogCapture() {
    previous_ = SetLogSink([this](LogLevel level, const std::string& message) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (level >= LogLevel::kWarning) warnings_.push_back(message);
    });
  }
  ~LogCapture() { SetLogSink(previous_); }
  std::vector<std::string> warnings() {
    std::lock_guard<std::mutex> lock(mutex_);
    return warnings_;
  }

 private:
  LogSink previous_;
  std::mutex mutex_;
  std::vector<std::string> warnings_;
};

TEST(SessionTest, DeclaresInputsAndOutputs) {
  auto session = Load(DenseReluModel());
  ASSERT_NE(session, nullptr);
  ASSERT_EQ(session->inputs().size(), 1u);
  EXPECT_EQ(session->inputs()[0].ToString(), "x: float32[N, 3]");
  ASSERT_EQ(session->outputs().size(), 1u);
  EXPECT_EQ(session->outputs()[0].name, "y");
  EXPECT_EQ(session->model_info().producer_name, "brisk-tests");
  EXPECT_EQ(session->model_info().opset_imports.at(""), 17);
}

TEST(SessionTest, MatMulAddReluMatchesHandComputed) {
  auto session = Load(DenseReluModel());
  ASSERT_NE(session, nullptr);
  auto out = session->Run(NamedTensors{{"x", MakeTensor<float>({2, 3}, {1, 2, 3, -1, 0, 1})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  // Row 0: [1 + 4 - 3, -1 + 0 + 9] + b = [2.5, 4]; row 1: Relu([-2, 4] + b) = [0, 0].
  EXPECT_TENSOR_NEAR((*out)[0], MakeTensor<float>({2, 2}, {2.5f, 4, 0, 0}), 1e-6, 1e-6);
  for (int64_t n : {1, 5, 0}) {
    auto more = session->Run(std::vector<Tensor>{Batch(n)});
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    EXPECT_TENSOR_NEAR((*more)[0], Expected(n), 1e-6, 1e-6);
  }
}

TEST(SessionTest, PlanCacheCompilesOncePerShape) {
  auto session = Load(DenseReluModel());
  ASSERT_NE(session, nullptr);
  const SessionStats before = session->stats();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(session->Run(std::vector<Tensor>{Batch(4)}).ok());
  SessionStats s = session->stats();
  EXPECT_EQ(s.runs - before.runs, 3);
  EXPECT_EQ(s.plans_compiled - before.plans_compiled, 1);
  EXPECT_EQ(s.plan_cache_hits - before.plan_cache_hits, 2);
  ASSERT_TRUE(session->Run(std::vector<Tensor>{Batch(5)}).ok());
  ASSERT_TRUE(session->Run(std::vector<Tensor>{Batch(4)}).ok());
  s = session->stats();
  EXPECT_EQ(s.plans_compiled - before.plans_compiled, 2);
  EXPECT_EQ(s.plan_cache_hits - before.plan_cache_hits, 3);
  EXPECT_EQ(s.plan_evictions, 0);
}

TEST(SessionTest, WarmupCompilesAheadOfRun) {
  auto session = Load(DenseReluModel());
  ASSERT_NE(session, nullptr);
  ASSERT_TRUE(session->Warmup({Shape{6, 3}}).ok());
  const SessionStats warm = session->stats();
  ASSERT_TRUE(session->Run(std::vector<Tensor>{Batch(6)}).ok());
  EXPECT_EQ(session->stats().plans_compiled, warm.plans_compiled);
  EXPECT_EQ(session->stats().plan_cache_hits, warm.plan_cache_hits + 1);
  EXPECT_FALSE(session->Warmup({Shape{6, 3}, Shape{1}}).ok());
}

TEST(SessionTest, ReplanningWarningNamesTheChangingInput) {
  SessionOptions options;
  options.replan_warning_threshold = 3;
  options.plan_cache_capacity = 16;
  auto session = Load(DenseReluModel(), options);
  ASSERT_NE(session, nullptr);
  LogCapture capture;
  for (int64_t n = 1; n <= options.replan_warning_threshold; ++n) {
    ASSERT_TRUE(session->Run(std::vector<Tensor>{Batch(n)}).ok());
  }
  EXPECT_TRUE(capture.warnings().empty()) << capture.warnings()[0];
  for (int64_t n = 11; n <= 13; ++n) {
    ASSERT_TRUE(session->Run(std::vector<Tensor>{Batch(n)}).ok());
  }
  const auto warnings = capture.warnings();
  ASSERT_FALSE(warnings.empty());
  EXPECT_THAT(warnings[0], HasSubstr("'x'"));
  EXPECT_THAT(warnings[0], HasSubstr("keeps changing"));
  EXPECT_THAT(warnings[0], HasSubstr("plans compiled"));
}

TEST(SessionTest, NoReplanningWarningForRepeatedShapes) {
  SessionOptions options;
  options.replan_warning_threshold = 2;
  auto session = Load(DenseReluModel(), options);
  ASSERT_NE(session, nullptr);
  LogCapture capture;
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(session->Run(std::vector<Tensor>{Batch(1 + i % 2)}).ok());
  }
  EXPECT_TRUE(capture.warnings().empty()) << capture.warnings()[0];
}

TEST(SessionTest, PlanCacheCapacityBoundsTheCache) {
  SessionOptions options;
  options.plan_cache_capacity = 2;
  options.replan_warning_threshold = 0;  // no warning noise
  auto session = Load(DenseReluModel(), options);
  ASSERT_NE(session, nullptr);
  for (int64_t n : {1, 2, 3}) ASSERT_TRUE(session->Run(std::vector<Tensor>{Batch(n)}).ok());
  SessionStats s = session->stats();
  EXPECT_EQ(s.plans_compiled, 3);
  EXPECT_EQ(s.plan_evictions, 1);  // the plan for N=1 is gone
  ASSERT_TRUE(session->Run(std::vector<Tensor>{Batch(3)}).ok());  // hit
  ASSERT_TRUE(session->Run(std::vector<Tensor>{Batch(1)}).ok());  // miss: recompiled
  s = session->stats();
  EXPECT_EQ(s.plans_compiled, 4);
  EXPECT_EQ(s.plan_evictions, 2);
  EXPECT_EQ(s.plan_cache_hits, 1);
  auto out = session->Run(std::vector<Tensor>{Batch(1)});
  ASSERT_TRUE(out.ok());
  EXPECT_TENSOR_NEAR((*out)[0], Expected(1), 1e-6, 1e-6);
}

TEST(SessionTest, FixedShapeModelCompilesAtLoad) {
  ModelBuilder b;
  b.Input("x", TP::FLOAT, {2, 3}).Output("y", TP::FLOAT);
  b.Node("Relu", {"x"}, {"y"}, "act");
  auto session = Load(b);
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(session->stats().plans_compiled, 1);
  auto out = session->Run(NamedTensors{{"x", MakeTensor<float>({2, 3}, {-1, 2, -3, 4, 0, -0.5f})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({2, 3}, {0, 2, 0, 4, 0, 0}));
  EXPECT_EQ(session->stats().plans_compiled, 1);
  EXPECT_EQ(session->stats().plan_cache_hits, 1);
}

TEST(SessionTest, InitializerInputIsAnOverridableDefault) {
  ModelBuilder b;
  b.Input("x", TP::FLOAT, {2}).Input("bias", TP::FLOAT, {2}).Output("y", TP::FLOAT);
  b.Initializer("bias", MakeTensor<float>({2}, {10, 20}));
  b.Node("Add", {"x", "bias"}, {"y"}, "add");
  auto session = Load(b);
  ASSERT_NE(session, nullptr);
  auto out = session->Run(NamedTensors{{"x", MakeTensor<float>({2}, {1, 2})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({2}, {11, 22}));
  out = session->Run(NamedTensors{{"x", MakeTensor<float>({2}, {1, 2})},
                                  {"bias", MakeTensor<float>({2}, {-1, -2})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({2}, {0, 0}));
}

TEST(SessionTest, RunIsSafeFromManyThreads) {
  auto session = Load(DenseReluModel());
  ASSERT_NE(session, nullptr);
  constexpr int kThreads = 4;
  constexpr int kRunsPerThread = 50;
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRunsPerThread && failures[size_t(t)].empty(); ++i) {
        const int64_t n = 1 + (t + i) % 3;  // threads share and race on three plans
        auto out = session->Run(std::vector<Tensor>{Batch(n)});
        if (!out.ok()) {
          failures[size_t(t)] = out.status().ToString();
        } else {
          failures[size_t(t)] = ::brisk::testing::CompareTensors((*out)[0], Expected(n));
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[size_t(t)], "") << "thread " << t;
  const SessionStats s = session->stats();
  EXPECT_EQ(s.runs, kThreads * kRunsPerThread);
  EXPECT_EQ(s.plans_compiled, 3);
  EXPECT_EQ(s.plan_cache_hits, kThreads * kRunsPerThread - 3);
}

}  // namespace
}  // namespace brisk
