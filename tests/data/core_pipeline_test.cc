// The pipeline core: sources, map (sequential, parallel ordered and unordered), batch, padded
// batch, shuffle, caches, prefetch, take/skip/repeat, ignore_errors, shutdown mid-stream.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core_testing.h"
#include "testing/tensor_testing.h"

namespace brisk::data {
namespace {

using core_testing::Counts;
using core_testing::Drain;
using core_testing::Iota;
using core_testing::IntOf;
using core_testing::Range;
using core_testing::SlowTimes;
using ::testing::HasSubstr;
using testing::MakeTensor;

TEST(Pipeline, SourceYieldsEveryElementThenEnds) {
  EXPECT_EQ(Drain(Range(5)), Iota(5));
  EXPECT_EQ(Drain(Range(0)), std::vector<int64_t>{});
}

TEST(Pipeline, FromTensorSlicesRowsAndErrors) {
  Tensor x = MakeTensor<float>({3, 2}, {1, 2, 3, 4, 5, 6});
  Tensor y = MakeTensor<int64_t>({3}, {7, 8, 9});
  ASSERT_OK_AND_ASSIGN(Dataset ds, Dataset::FromTensorSlices({{"x", x}, {"y", y}}));
  ASSERT_OK_AND_ASSIGN(auto it, ds.MakeIterator());
  for (int row = 0; row < 3; ++row) {
    ASSERT_OK_AND_ASSIGN(auto e, it->Next());
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->origin, "tensor slice " + std::to_string(row));
    EXPECT_EQ(e->Find("x")->shape(), Shape({2}));
    EXPECT_EQ(e->Find("x")->data<float>()[1], float(2 * row + 2));
    EXPECT_EQ(*e->Find("y")->data<int64_t>(), 7 + row);
  }
  ASSERT_OK_AND_ASSIGN(auto end, it->Next());
  EXPECT_FALSE(end.has_value());

  Tensor short_y = MakeTensor<int64_t>({2}, {1, 2});
  auto mismatched = Dataset::FromTensorSlices({{"x", x}, {"y", short_y}});
  ASSERT_FALSE(mismatched.ok());
  EXPECT_THAT(mismatched.status().message(), HasSubstr("component 'y' has 2 rows"));
  auto scalar = Dataset::FromTensorSlices({{"s", Tensor::Scalar<float>(1)}});
  ASSERT_FALSE(scalar.ok());
  EXPECT_THAT(scalar.status().message(), HasSubstr("'s' needs at least one dimension"));
}

TEST(Pipeline, SequentialMapAndErrorsAtTheirPosition) {
  EXPECT_EQ(Drain(Range(6).Map(SlowTimes(3, 0))), Iota(6, 3));
  Status error;
  auto values = Drain(Range(6, nullptr, {4}).Map(SlowTimes(1, 0), {.name = "map(x1)"}), &error);
  EXPECT_EQ(values, Iota(4));
  EXPECT_THAT(error.message(), HasSubstr("bad item 4"));
  auto failing_fn = [](Element e) -> StatusOr<Element> {
    if (IntOf(e) == 2) return InvalidArgument("cannot use it");
    return e;
  };
  values = Drain(Range(5).Map(failing_fn, {.name = "map(check)"}), &error);
  EXPECT_EQ(values, Iota(2));
  EXPECT_THAT(error.message(), HasSubstr("map(check) on item 2: cannot use it"));
}

TEST(Pipeline, ParallelMapKeepsOrderDespiteRandomDelays) {
  for (int workers : {2, 4, kAutotune}) {
    SCOPED_TRACE(workers);
    auto ds = Range(300).Map(SlowTimes(2, 300), {.num_parallel_calls = workers});
    EXPECT_EQ(Drain(ds), Iota(300, 2));
  }
}

TEST(Pipeline, ParallelMapDeliversAnErrorAtItsPosition) {
  Status error;
  auto ds = Range(100, nullptr, {37}).Map(SlowTimes(1, 200), {.num_parallel_calls = 4});
  EXPECT_EQ(Drain(ds, &error), Iota(37));
  EXPECT_THAT(error.message(), HasSubstr("bad item 37"));
}

TEST(Pipeline, UnorderedMapYieldsTheSameMultiset) {
  auto ds = Range(400).Map(SlowTimes(1, 300),
                           {.num_parallel_calls = 4, .deterministic = false});
  std::vector<int64_t> values = Drain(ds);
  std::sort(values.begin(), values.end());
  EXPECT_EQ(values, Iota(400));
}

TEST(Pipeline, BatchStacksAndHandlesTheRemainder) {
  ASSERT_OK_AND_ASSIGN(auto it, Range(7).Batch(3).MakeIterator());
  std::vector<std::vector<int64_t>> batches;
  while (true) {
    ASSERT_OK_AND_ASSIGN(auto e, it->Next());
    if (!e) break;
    const Tensor& v = *e->Find("v");
    batches.emplace_back(v.data<int64_t>(), v.data<int64_t>() + v.dim(0));
  }
  EXPECT_EQ(batches, (std::vector<std::vector<int64_t>>{{0, 1, 2}, {3, 4, 5}, {6}}));
  EXPECT_EQ(Drain(Range(7).Batch(3, /*drop_remainder=*/true).Map([](Element e) -> StatusOr<Element> {
              Element out;
              out.components.emplace_back("v", Tensor::Scalar<int64_t>(e.Find("v")->dim(0)));
              return out;
            })),
            (std::vector<int64_t>{3, 3}));
}

TEST(Pipeline, BatchOriginNamesItsFirstAndLastElement) {
  Tensor x = MakeTensor<float>({5}, {0, 1, 2, 3, 4});
  ASSERT_OK_AND_ASSIGN(Dataset ds, Dataset::FromTensorSlices({{"x", x}}));
  ASSERT_OK_AND_ASSIGN(auto it, ds.Batch(2).MakeIterator());
  std::vector<std::string> origins;
  while (true) {
    ASSERT_OK_AND_ASSIGN(auto e, it->Next());
    if (!e) break;
    origins.push_back(e->origin);
  }
  ASSERT_EQ(origins.size(), 3u);
  EXPECT_THAT(origins[1], HasSubstr("batch 1"));
  EXPECT_THAT(origins[1], HasSubstr("tensor slice 2"));
  EXPECT_THAT(origins[1], HasSubstr("tensor slice 3"));
  EXPECT_THAT(origins[2], HasSubstr("tensor slice 4"));

  // A map after the batch reports the batch as the origin of its error.
  Status error;
  Drain(Range(4).Batch(2).Map([](Element) -> StatusOr<Element> { return InvalidArgument("no"); },
                              {.name = "map(after_batch)"}),
        &error);
  EXPECT_THAT(error.message(), HasSubstr("map(after_batch) on batch 0"));
}

TEST(Pipeline, BatchOfDifferentShapesNamesBothElements) {
  auto ragged = Range(4).Map([](Element e) -> StatusOr<Element> {
    const int64_t n = IntOf(e);
    e.components[0].second = *Tensor::Zeros(DType::kFloat32, Shape({n + 1}));
    return e;
  });
  Status error;
  Drain(ragged.Batch(2), &error);
  EXPECT_THAT(error.message(), HasSubstr("float32[2] in item 1 but float32[1] in item 0"));
  EXPECT_THAT(error.message(), HasSubstr("padded_batch"));

  PaddedBatchOptions options;
  options.padding_values = {{"v", -1.0}};
  ASSERT_OK_AND_ASSIGN(auto it, ragged.PaddedBatch(3, options).MakeIterator());
  ASSERT_OK_AND_ASSIGN(auto first, it->Next());
  const Tensor& v = *first->Find("v");
  ASSERT_EQ(v.shape(), Shape({3, 3}));
  EXPECT_THAT(std::vector<float>(v.data<float>(), v.data<float>() + 9),
              ::testing::ElementsAre(0, -1, -1, 0, 0, -1, 0, 0, 0));
  ASSERT_OK_AND_ASSIGN(auto second, it->Next());
  EXPECT_EQ(second->Find("v")->shape(), Shape({1, 4}));

  options.padded_shapes = {{"v", {6}}};
  ASSERT_OK_AND_ASSIGN(auto fixed, ragged.PaddedBatch(4, options).MakeIterator());
  ASSERT_OK_AND_ASSIGN(auto all, fixed->Next());
  EXPECT_EQ(all->Find("v")->shape(), Shape({4, 6}));
}

TEST(Pipeline, ShuffleIsAPermutationFixedBySeedAndNewEachEpoch) {
  auto ds = Range(100).Shuffle(30, /*seed=*/42);
  std::vector<int64_t> first = Drain(ds), second = Drain(ds);
  std::vector<int64_t> sorted = first;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, Iota(100));
  EXPECT_NE(first, Iota(100));
  EXPECT_NE(first, second);  // reshuffled each iteration
  EXPECT_EQ(first, Drain(Range(100).Shuffle(30, 42)));  // same seed, same first epoch
  auto fixed = Range(100).Shuffle(30, 42, /*reshuffle_each_iteration=*/false);
  EXPECT_EQ(Drain(fixed), Drain(fixed));
}

TEST(Pipeline, TakeSkipRepeat) {
  EXPECT_EQ(Drain(Range(10).Skip(3).Take(4)), (std::vector<int64_t>{3, 4, 5, 6}));
  EXPECT_EQ(Drain(Range(3).Repeat(2)), (std::vector<int64_t>{0, 1, 2, 0, 1, 2}));
  EXPECT_EQ(Drain(Range(3).Repeat().Take(7)), (std::vector<int64_t>{0, 1, 2, 0, 1, 2, 0}));
  EXPECT_EQ(Drain(Range(0).Repeat()), std::vector<int64_t>{});  // empty input: no endless loop
}

TEST(Pipeline, IgnoreErrorsSkipsAndCounts) {
  auto ds = Range(10, nullptr, {2, 5}).Map(SlowTimes(1, 50), {.num_parallel_calls = 3})
                .IgnoreErrors();
  ASSERT_OK_AND_ASSIGN(auto it, ds.MakeIterator());
  std::vector<int64_t> values;
  while (true) {
    ASSERT_OK_AND_ASSIGN(auto e, it->Next());
    if (!e) break;
    values.push_back(IntOf(*e));
  }
  EXPECT_EQ(values, (std::vector<int64_t>{0, 1, 3, 4, 6, 7, 8, 9}));
  PipelineStats stats = it->Stats();
  EXPECT_EQ(stats.stages.back().name, "ignore_errors()");
  EXPECT_EQ(stats.stages.back().errors_ignored, 2);
}

TEST(Pipeline, PublicIteratorFinishesAtTheFirstError) {
  ASSERT_OK_AND_ASSIGN(auto it, Range(5, nullptr, {1}).MakeIterator());
  ASSERT_OK_AND_ASSIGN(auto first, it->Next());
  EXPECT_TRUE(first.has_value());
  EXPECT_FALSE(it->Next().ok());
  ASSERT_OK_AND_ASSIGN(auto after, it->Next());
  EXPECT_FALSE(after.has_value());
}

TEST(Pipeline, MemoryCacheReplaysWithoutReadingTheInput) {
  auto counts = std::make_shared<Counts>();
  auto ds = Range(20, counts).Map(SlowTimes(2, 0)).Cache();
  EXPECT_EQ(Drain(ds), Iota(20, 2));
  EXPECT_EQ(Drain(ds), Iota(20, 2));
  EXPECT_EQ(counts->opened.load(), 1);
  EXPECT_EQ(counts->reads.load(), 20);
}

TEST(Pipeline, MemoryCacheDiscardsAPartialPass) {
  auto counts = std::make_shared<Counts>();
  auto ds = Range(20, counts).Cache();
  EXPECT_EQ(Drain(ds.Take(5)), Iota(5));
  EXPECT_EQ(Drain(ds), Iota(20));  // the partial pass was not taken for the whole
  EXPECT_EQ(counts->opened.load(), 2);
}

class FileCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("brisk_cache_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  std::filesystem::path dir_;
};

TEST_F(FileCacheTest, SecondPassAndNewDatasetReadTheFile) {
  auto counts = std::make_shared<Counts>();
  const std::string file = Path("c");
  EXPECT_EQ(Drain(Range(30, counts).Map(SlowTimes(3, 0)).Cache(file)), Iota(30, 3));
  EXPECT_TRUE(std::filesystem::exists(file + ".index"));
  EXPECT_FALSE(std::filesystem::exists(file + ".lockfile"));
  // A new dataset over the same file (a new process would do the same) never opens its input.
  auto counts2 = std::make_shared<Counts>();
  EXPECT_EQ(Drain(Range(30, counts2).Map(SlowTimes(3, 0)).Cache(file)), Iota(30, 3));
  EXPECT_EQ(counts2->opened.load(), 0);
}

TEST_F(FileCacheTest, PartialPassLeavesNoCache) {
  const std::string file = Path("c");
  EXPECT_EQ(Drain(Range(30).Cache(file).Take(4)), Iota(4));
  EXPECT_FALSE(std::filesystem::exists(file));
  EXPECT_FALSE(std::filesystem::exists(file + ".index"));
  EXPECT_FALSE(std::filesystem::exists(file + ".lockfile"));
}

TEST_F(FileCacheTest, ConcurrentWriterIsRefused) {
  const std::string file = Path("c");
  auto ds = Range(30).Cache(file);
  ASSERT_OK_AND_ASSIGN(auto writer, ds.MakeIterator());
  auto second = ds.MakeIterator();
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(), HasSubstr("lockfile"));
}

TEST_F(FileCacheTest, DamagedFileIsAnErrorNamingIt) {
  const std::string file = Path("c");
  Drain(Range(10).Cache(file));
  std::filesystem::resize_file(file, std::filesystem::file_size(file) - 5);
  Status error;
  Drain(Range(10).Cache(file), &error);
  EXPECT_THAT(error.message(), HasSubstr("cache file " + file + " is damaged"));
}

TEST(Pipeline, PrefetchKeepsOrderAndAutotuneGrowsTheBuffer) {
  auto slow_consumer_side = Range(200).Prefetch(kAutotune);
  EXPECT_EQ(Drain(slow_consumer_side), Iota(200));
  // A producer slower than the consumer empties the buffer after it was full: it grows.
  auto bursty = Range(400).Map([](Element e) -> StatusOr<Element> {
                                  if (IntOf(e) % 50 == 0) {
                                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                                  }
                                  return e;
                                })
                    .Prefetch(kAutotune);
  ASSERT_OK_AND_ASSIGN(auto it, bursty.MakeIterator());
  int64_t n = 0;
  while (true) {
    ASSERT_OK_AND_ASSIGN(auto e, it->Next());
    if (!e) break;
    if (n++ % 10 == 0) std::this_thread::sleep_for(std::chrono::microseconds(300));
  }
  EXPECT_EQ(n, 400);
  const StageStats prefetch = it->Stats().stages.back();
  EXPECT_EQ(prefetch.name, "prefetch(AUTOTUNE)");
  EXPECT_GE(prefetch.buffer_capacity, 1);
  EXPECT_LE(prefetch.buffer_capacity, 64);
}

TEST(Pipeline, DestroyingAnIteratorMidStreamJoinsEveryThread) {
  for (int round = 0; round < 20; ++round) {
    auto ds = Range(100000)
                  .Map(SlowTimes(1, 100), {.num_parallel_calls = 4})
                  .Prefetch(8)
                  .Map(SlowTimes(1, 0), {.num_parallel_calls = kAutotune, .deterministic = false})
                  .Prefetch(kAutotune);
    ASSERT_OK_AND_ASSIGN(auto it, ds.MakeIterator());
    for (int i = 0; i < round; ++i) ASSERT_TRUE(it->Next().ok());
  }  // no hang, no leak (ASan/LSan in CI)
}

TEST(Pipeline, DescribeListsTheStages) {
  auto ds = Range(4).Map(SlowTimes(1, 0), {.num_parallel_calls = kAutotune, .name = "map(f)"})
                .Batch(2)
                .Prefetch();
  EXPECT_EQ(ds.Describe(),
            "range(4)\n  -> map(f) [parallel AUTOTUNE]\n  -> batch(2)\n  -> prefetch(AUTOTUNE)");
}

TEST(Pipeline, InvalidStageArgumentsAreErrors) {
  EXPECT_FALSE(Range(4).Batch(0).MakeIterator().ok());
  EXPECT_FALSE(Range(4).Prefetch(0).MakeIterator().ok());
  EXPECT_FALSE(Range(4).Shuffle(0).MakeIterator().ok());
  EXPECT_FALSE(Range(4).Map(SlowTimes(1, 0), {.num_parallel_calls = -5}).MakeIterator().ok());
}

}  // namespace
}  // namespace brisk::data
