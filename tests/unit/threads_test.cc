// The intra-op threading layer: ParallelFor covers a range exactly once, RunScope sets and
// restores the thread count and denormal flushing, and an idle session does not burn CPU.
#include "core/threads.h"

#include <gtest/gtest.h>
#include <xmmintrin.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <mutex>
#include <thread>
#include <vector>

#include "brisk/session.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

TEST(ThreadsTest, CpuCountsAreSane) {
  EXPECT_GE(AvailableCpus(), 1);
  EXPECT_GE(PhysicalCores(), 1);
  EXPECT_LE(PhysicalCores(), AvailableCpus());
}

TEST(ThreadsTest, ParallelForCoversTheRangeExactlyOnce) {
#ifndef _OPENMP
  GTEST_SKIP() << "built without OpenMP: single-threaded";
#endif
  for (int threads : {1, 2, 3}) {
    RunScope scope(threads, false);
    EXPECT_EQ(CurrentThreads(), threads);
    for (int64_t n : {0, 1, 7, 1000, 12345}) {
      for (int64_t grain : {1, 16, 5000}) {
        std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
        std::mutex mutex;
        std::vector<std::pair<int64_t, int64_t>> chunks;
        ParallelFor(n, grain, [&](int64_t begin, int64_t end) {
          for (int64_t i = begin; i < end; ++i) hits[size_t(i)]++;
          std::lock_guard<std::mutex> lock(mutex);
          chunks.emplace_back(begin, end);
        });
        for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[size_t(i)].load(), 1) << n << " " << i;
        if (n == 0) {
          EXPECT_TRUE(chunks.empty());
        }
        // No more chunks than threads, and none smaller than the grain unless n is.
        EXPECT_LE(int(chunks.size()), threads);
        if (chunks.size() > 1) {
          for (const auto& [b, e] : chunks) {
            EXPECT_GE(e - b, std::min(grain, n / threads));
          }
        }
      }
    }
  }
}

TEST(ThreadsTest, RunScopeSetsAndRestoresThreadsAndDenormalFlushing) {
#ifndef _OPENMP
  GTEST_SKIP() << "built without OpenMP: single-threaded";
#endif
  const unsigned csr_before = _mm_getcsr();
  const int threads_before = CurrentThreads();
  {
    RunScope scope(2, /*flush_denormals=*/true);
    EXPECT_EQ(CurrentThreads(), 2);
    EXPECT_EQ(_mm_getcsr() & 0x8040u, 0x8040u) << "FTZ and DAZ set for the run";
    volatile float tiny = 1e-39f;  // a denormal
    volatile float product = tiny * 0.5f;
    EXPECT_EQ(product, 0.0f);
  }
  EXPECT_EQ(_mm_getcsr(), csr_before);
  EXPECT_EQ(CurrentThreads(), threads_before);
}

double ProcessCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

TEST(ThreadsTest, IdleSessionDoesNotSpin) {
  // After a burst of multi-threaded runs, OpenMP's workers may spin briefly, then must sleep:
  // a second of idling costs (almost) no CPU time. (Not a speed measurement: spinning would
  // burn ~1 CPU-second per worker here whatever the machine's load.)
  SessionOptions options;
  options.intra_op_threads = 2;
  ASSERT_OK_AND_ASSIGN(auto session, Session::Load("models/digits/digits_cnn.onnx", options));
  ASSERT_OK_AND_ASSIGN(Tensor images, Tensor::Zeros(DType::kFloat32, Shape({64, 1, 8, 8})));
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(session->Run({images}).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let any spin phase end
  const double before = ProcessCpuSeconds();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const double idle_cpu = ProcessCpuSeconds() - before;
  EXPECT_LT(idle_cpu, 0.05) << "an idle session used " << idle_cpu << " CPU-seconds in 1 s";
}

}  // namespace
}  // namespace brisk
