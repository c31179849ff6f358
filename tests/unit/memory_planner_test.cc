// The memory planner never lets two live buffers overlap, reuses memory across disjoint
// lifetimes, and runs in the arena give the same results as the reference heap path.
#include "runtime/memory_planner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <random>
#include <thread>

#include "brisk/session.h"
#include "model_builder.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using testing::MakeTensor;
using testing::ModelBuilder;

void ExpectNoLiveOverlap(const std::vector<BufferRequest>& requests, const MemoryPlan& plan) {
  ASSERT_EQ(plan.offsets.size(), requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(plan.offsets[i] % 64, 0) << "buffer " << i << " is not 64-byte aligned";
    EXPECT_LE(plan.offsets[i] + ArenaBytesFor(requests[i].bytes), plan.arena_bytes);
    for (size_t j = i + 1; j < requests.size(); ++j) {
      const bool live_together = requests[i].first_step <= requests[j].last_step &&
                                 requests[j].first_step <= requests[i].last_step;
      if (!live_together) continue;
      const bool disjoint =
          plan.offsets[i] + ArenaBytesFor(requests[i].bytes) <= plan.offsets[j] ||
          plan.offsets[j] + ArenaBytesFor(requests[j].bytes) <= plan.offsets[i];
      EXPECT_TRUE(disjoint) << "buffers " << i << " and " << j << " are live together and overlap";
    }
  }
}

TEST(MemoryPlannerTest, RandomLifetimesNeverOverlapWhileLive) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<BufferRequest> requests(size_t(1 + rng() % 40));
    for (BufferRequest& r : requests) {
      r.bytes = int64_t(rng() % 5000);
      r.first_step = int(rng() % 30);
      r.last_step = r.first_step + int(rng() % 10);
    }
    ExpectNoLiveOverlap(requests, PlanMemory(requests));
  }
}

TEST(MemoryPlannerTest, ChainReusesTwoBuffers) {
  // x0 -> x1 -> ... : buffer i lives over steps [i, i+1]; two buffers suffice.
  std::vector<BufferRequest> requests;
  for (int i = 0; i < 10; ++i) requests.push_back({1000, i, i + 1});
  const MemoryPlan plan = PlanMemory(requests);
  ExpectNoLiveOverlap(requests, plan);
  EXPECT_EQ(plan.arena_bytes, 2 * ArenaBytesFor(1000));
  EXPECT_EQ(plan.requested_bytes, 10 * ArenaBytesFor(1000));
}

TEST(MemoryPlannerTest, EmptyPlanHasNoArena) {
  const MemoryPlan plan = PlanMemory({});
  EXPECT_EQ(plan.arena_bytes, 0);
  EXPECT_TRUE(plan.offsets.empty());
}

// x -> Relu -> Sigmoid -> Mul(·, x2) -> Reshape -> output, with a second output that is a view
// (Reshape) of an intermediate: exercises in-place, aliasing and outputs leaving the arena.
ModelBuilder ChainModel() {
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT, {int64_t(4), int64_t(6)});
  b.Output("y", onnx::TensorProto::FLOAT);
  b.Output("view", onnx::TensorProto::FLOAT);
  b.Initializer("two", MakeTensor<float>({1}, {2.0f}));
  b.Initializer("shape", MakeTensor<int64_t>({2}, {6, 4}));
  b.Node("Relu", {"x"}, {"r"}, "relu");
  b.Node("Sigmoid", {"r"}, {"s"}, "sigmoid");
  b.Node("Mul", {"s", "two"}, {"m"}, "mul");
  b.Node("Reshape", {"m", "shape"}, {"view"}, "reshape_view");
  b.Node("Exp", {"m"}, {"e"}, "exp");
  b.Node("Reshape", {"e", "shape"}, {"y"}, "reshape_out");
  return b;
}

TEST(MemoryPlannerTest, ArenaRunsMatchTheHandComputedResultAndOutputsSurviveTheNextRun) {
  SessionOptions options;
  options.check_inferred_types = true;
  ASSERT_OK_AND_ASSIGN(auto session, Session::LoadFromBytes(ChainModel().Serialize(), options));
  ASSERT_OK_AND_ASSIGN(MemoryInfo memory, session->Memory({Shape({4, 6})}));
  EXPECT_GT(memory.planned_values, 0);
  EXPECT_GT(memory.in_place_values, 0) << "Sigmoid/Mul/Exp can overwrite their dying inputs";
  EXPECT_LT(memory.arena_bytes, memory.requested_bytes);

  auto expected = [](const std::vector<float>& x) {
    std::vector<float> m, y;
    for (float v : x) {
      const float s = 2.0f / (1.0f + std::exp(-std::max(v, 0.0f)));
      m.push_back(s);
      y.push_back(std::exp(s));
    }
    return std::make_pair(MakeTensor<float>({6, 4}, y), MakeTensor<float>({6, 4}, m));
  };
  std::vector<float> x1(24), x2(24);
  for (int i = 0; i < 24; ++i) {
    x1[size_t(i)] = float(i) * 0.25f - 3;
    x2[size_t(i)] = float(i % 5) - 1.5f;
  }
  ASSERT_OK_AND_ASSIGN(auto first, session->Run({MakeTensor<float>({4, 6}, x1)}));
  ASSERT_OK_AND_ASSIGN(auto second, session->Run({MakeTensor<float>({4, 6}, x2)}));
  // The first run's outputs own their data: the second run reused the arena without touching them.
  EXPECT_TENSOR_NEAR(first[0], expected(x1).first, 1e-6, 1e-6);
  EXPECT_TENSOR_NEAR(first[1], expected(x1).second, 1e-6, 1e-6);
  EXPECT_TENSOR_NEAR(second[0], expected(x2).first, 1e-6, 1e-6);
  EXPECT_TENSOR_NEAR(second[1], expected(x2).second, 1e-6, 1e-6);
}

TEST(MemoryPlannerTest, ConcurrentRunsUseSeparateArenas) {
  ASSERT_OK_AND_ASSIGN(auto session, Session::LoadFromBytes(ChainModel().Serialize()));
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<float> x(24, float(t));
      ASSERT_OK_AND_ASSIGN(auto reference, session->Run({MakeTensor<float>({4, 6}, x)}));
      for (int i = 0; i < 50; ++i) {
        auto out = session->Run({MakeTensor<float>({4, 6}, x)});
        if (!out.ok() || out->at(0).span<float>()[0] != reference[0].span<float>()[0]) {
          ++mismatches;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace brisk
