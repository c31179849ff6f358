// Pipeline statistics, the verdict and AUTOTUNE. No timing is asserted: the thresholds are
// tested on constructed statistics, and AUTOTUNE on structural facts (a slow stage gets more
// workers, never beyond the CPU budget; a tiny RAM budget keeps buffers at their minimum).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core_testing.h"
#include "testing/tensor_testing.h"

namespace brisk::data {
namespace {

using core_testing::Drain;
using core_testing::Iota;
using core_testing::Range;
using ::testing::HasSubstr;
using ::testing::StartsWith;

PipelineStats Constructed(double wait, double compute) {
  PipelineStats stats;
  StageStats source{.name = "csv(train.csv)", .busy_seconds = 1.0};
  StageStats map{.name = "map(decode_image)", .busy_seconds = 8.0, .parallelism = 2};
  StageStats prefetch{.name = "prefetch(AUTOTUNE)", .busy_seconds = 0.0};
  stats.stages = {source, map, prefetch};
  stats.consumer_wait_seconds = wait;
  stats.consumer_compute_seconds = compute;
  return stats;
}

TEST(PipelineStats, VerdictUsesTensorFlowsThresholds) {
  EXPECT_THAT(Constructed(0.04, 0.96).Verdict(), StartsWith("compute-bound: the model waited "
                                                            "for input 4.0% of the time"));
  EXPECT_THAT(Constructed(0.10, 0.90).Verdict(), StartsWith("moderately input-bound"));
  EXPECT_THAT(Constructed(0.20, 0.80).Verdict(), StartsWith("moderately input-bound"));
  EXPECT_THAT(Constructed(0.50, 0.50).Verdict(), StartsWith("input-bound: the model waited for "
                                                            "input 50.0% of the time"));
}

TEST(PipelineStats, BottleneckIsTheMostLoadedStagePerWorker) {
  PipelineStats stats = Constructed(0.5, 0.5);
  EXPECT_EQ(stats.Bottleneck(), "map(decode_image)");  // 8 s over 2 workers > 1 s
  EXPECT_THAT(stats.Verdict(), HasSubstr("bottleneck: map(decode_image)"));
  EXPECT_THAT(stats.Verdict(), HasSubstr("already runs 2 calls at once"));
  stats.stages[1].parallelism = 1;
  stats.stages[1].busy_seconds = 0.5;
  EXPECT_EQ(stats.Bottleneck(), "csv(train.csv)");
  EXPECT_THAT(stats.Verdict(), HasSubstr("reading is the slowest stage"));
  stats.stages.pop_back();  // no prefetch
  stats.stages[1].busy_seconds = 9;
  EXPECT_THAT(stats.Verdict(), HasSubstr("num_parallel_calls=AUTOTUNE"));
  EXPECT_THAT(stats.Verdict(), HasSubstr("add prefetch(AUTOTUNE)"));
}

TEST(PipelineStats, NoConsumerTimingSaysSo) {
  EXPECT_THAT(Constructed(0, 0).Verdict(), StartsWith("no consumer timing"));
}

TEST(PipelineStats, CountersAddUpAfterARun) {
  auto ds = Range(40).Map(core_testing::SlowTimes(1, 100), {.num_parallel_calls = 2,
                                                             .name = "map(slow)"})
                .Batch(8)
                .Prefetch(2);
  ASSERT_OK_AND_ASSIGN(auto it, ds.MakeIterator());
  int batches = 0;
  while (true) {
    ASSERT_OK_AND_ASSIGN(auto e, it->Next());
    if (!e) break;
    ++batches;
    it->RecordConsumer(0.001);
  }
  PipelineStats stats = it->Stats();
  ASSERT_EQ(stats.stages.size(), 4u);
  EXPECT_EQ(stats.stages[0].name, "range(40)");
  EXPECT_EQ(stats.stages[0].items_out, 40);
  EXPECT_EQ(stats.stages[1].name, "map(slow) [parallel 2]");
  EXPECT_EQ(stats.stages[1].items_out, 40);
  EXPECT_EQ(stats.stages[1].parallelism, 2);
  EXPECT_EQ(stats.stages[2].items_out, 5);
  EXPECT_EQ(stats.stages[3].items_out, 5);
  EXPECT_EQ(stats.stages[3].buffer_capacity, 2);
  EXPECT_GE(stats.stages[3].mean_buffer_fill, 0.0);
  EXPECT_LE(stats.stages[3].mean_buffer_fill, 2.0);
  EXPECT_GT(stats.stages[1].busy_seconds, 0.0);
  EXPECT_EQ(stats.consumer_items, 5);
  EXPECT_DOUBLE_EQ(stats.consumer_compute_seconds, 0.005);
  const std::string report = stats.Report();
  EXPECT_THAT(report, HasSubstr("map(slow) [parallel 2]"));
  EXPECT_THAT(report, HasSubstr("verdict: "));
}

// A map that takes ~2 ms an element (sleeping: CPU-free, so the test does not depend on the
// machine's load) behind a consumer that never waits on anything else.
Dataset SlowAutotunedMap() {
  return Range(600).Map(
      [](Element e) -> StatusOr<Element> {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        return e;
      },
      {.num_parallel_calls = kAutotune, .name = "map(sleepy)"});
}

TEST(Autotune, RaisesTheSlowStagesParallelismWithinTheCpuBudget) {
  ASSERT_OK_AND_ASSIGN(auto it, SlowAutotunedMap().MakeIterator({.cpu_budget = 4}));
  std::vector<int64_t> values;
  int max_parallelism = 1;
  while (true) {
    ASSERT_OK_AND_ASSIGN(auto e, it->Next());
    if (!e) break;
    values.push_back(core_testing::IntOf(*e));
    max_parallelism = std::max(max_parallelism, it->Stats().stages.back().parallelism);
  }
  EXPECT_EQ(values, Iota(600));  // still in order
  EXPECT_GT(max_parallelism, 1);
  EXPECT_LE(max_parallelism, 4);
  EXPECT_EQ(it->Stats().Bottleneck(), "map(sleepy) [parallel AUTOTUNE]");
}

TEST(Autotune, ATinyRamBudgetKeepsBuffersAtTheirMinimum) {
  auto ds = SlowAutotunedMap().Prefetch(kAutotune);
  ASSERT_OK_AND_ASSIGN(auto it, ds.MakeIterator({.cpu_budget = 4, .ram_budget_bytes = 1}));
  int64_t n = 0;
  while (true) {
    ASSERT_OK_AND_ASSIGN(auto e, it->Next());
    if (!e) break;
    ++n;
  }
  EXPECT_EQ(n, 600);
  PipelineStats stats = it->Stats();
  EXPECT_EQ(stats.stages[1].parallelism, 1);
  EXPECT_EQ(stats.stages[2].buffer_capacity, 1);
}

}  // namespace
}  // namespace brisk::data
