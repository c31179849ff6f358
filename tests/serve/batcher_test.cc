// brisk::Batcher: concurrent single-row requests merged into batches, each caller getting its
// own rows; a bad request failing alone; refusals (invalid, queue full, shut down); padding to
// allowed sizes; shape signatures kept apart; deadlines; shutdown with requests queued.
#include "brisk/batcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <thread>

#include "testing/tensor_testing.h"
#include "unit/model_builder.h"

namespace brisk {
namespace {

using testing::MakeTensor;
using testing::ModelBuilder;
using ::testing::HasSubstr;

// y = x @ W + 1 for x float32[N, 3] (W = [[1, 2], [3, 4], [5, 6]]), and row sums s = sum(x).
std::shared_ptr<Session> AffineSession() {
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT, {"N", 3})
      .Output("y", onnx::TensorProto::FLOAT, {"N", 2})
      .Output("s", onnx::TensorProto::FLOAT, {"N"});
  b.Initializer("W", MakeTensor<float>({3, 2}, {1, 2, 3, 4, 5, 6}));
  b.Initializer("one", MakeTensor<float>({1}, {1}));
  b.Initializer("axes", MakeTensor<int64_t>({1}, {1}));
  b.Node("MatMul", {"x", "W"}, {"xw"});
  b.Node("Add", {"xw", "one"}, {"y"});
  auto& sum = b.Node("ReduceSum", {"x", "axes"}, {"s"});
  testing::AddIntAttr(sum, "keepdims", 0);
  auto session = Session::LoadFromBytes(b.Serialize(), {.intra_op_threads = 1});
  EXPECT_TRUE(session.ok()) << session.status().ToString();
  return std::shared_ptr<Session>(std::move(session).value());
}

// y = table[ids] for ids int64[N]: an id out of range fails the run.
std::shared_ptr<Session> GatherSession() {
  ModelBuilder b;
  b.Input("ids", onnx::TensorProto::INT64, {"N"}).Output("y", onnx::TensorProto::FLOAT, {"N", 2});
  b.Initializer("table", MakeTensor<float>({4, 2}, {0, 1, 10, 11, 20, 21, 30, 31}));
  b.Node("Gather", {"table", "ids"}, {"y"});
  auto session = Session::LoadFromBytes(b.Serialize(), {.intra_op_threads = 1});
  EXPECT_TRUE(session.ok()) << session.status().ToString();
  return std::shared_ptr<Session>(std::move(session).value());
}

Tensor Row(float a, float b, float c) { return MakeTensor<float>({1, 3}, {a, b, c}); }

TEST(Batcher, ManyThreadsEachGetTheirOwnRows) {
  auto session = AffineSession();
  ASSERT_OK_AND_ASSIGN(auto batcher,
                       Batcher::Create(session, {.max_batch_size = 16, .max_delay_us = 500}));
  constexpr int kThreads = 32, kPerThread = 40;
  std::atomic<int> wrong{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const float a = float(t), b = float(i), c = float(t * 1000 + i);
        auto out = batcher->Run({{"x", Row(a, b, c)}});
        if (!out.ok()) {
          ++failed;
          continue;
        }
        const float* y = (*out)[0].data<float>();
        const float s = *(*out)[1].data<float>();
        if ((*out)[0].shape() != Shape({1, 2}) || y[0] != a + 3 * b + 5 * c + 1 ||
            y[1] != 2 * a + 4 * b + 6 * c + 1 || s != a + b + c) {
          ++wrong;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(wrong.load(), 0);
  BatcherStats stats = batcher->stats();
  EXPECT_EQ(stats.requests, kThreads * kPerThread);
  EXPECT_EQ(stats.rows, kThreads * kPerThread);
  EXPECT_LT(stats.batches, kThreads * kPerThread);  // some requests were merged
  int64_t runs = 0;
  for (const auto& [size, count] : stats.batch_sizes) {
    EXPECT_GE(size, 1);
    EXPECT_LE(size, 16);
    runs += count;
  }
  EXPECT_EQ(runs, stats.batches);
}

TEST(Batcher, ABadRequestFailsAloneInItsBatch) {
  auto session = GatherSession();
  ASSERT_OK_AND_ASSIGN(auto batcher,
                       Batcher::Create(session, {.max_batch_size = 8, .max_delay_us = 200000}));
  std::vector<std::promise<StatusOr<std::vector<Tensor>>>> results(8);
  for (int i = 0; i < 8; ++i) {
    const int64_t id = i == 5 ? 99 : i % 4;
    ASSERT_TRUE(batcher
                    ->Submit({{"ids", MakeTensor<int64_t>({1}, {id})}},
                             [&results, i](StatusOr<std::vector<Tensor>> r) {
                               results[i].set_value(std::move(r));
                             })
                    .ok());
  }
  for (int i = 0; i < 8; ++i) {
    auto r = results[i].get_future().get();
    if (i == 5) {
      ASSERT_FALSE(r.ok());
      EXPECT_THAT(r.status().message(), HasSubstr("Gather"));
    } else {
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ((*r)[0].data<float>()[0], float(10 * (i % 4)));
    }
  }
  BatcherStats stats = batcher->stats();
  EXPECT_EQ(stats.failed, 1);
  EXPECT_EQ(stats.batch_sizes[8], 1);  // the eight were first run together
  EXPECT_EQ(stats.retried_batches, 1);
}

TEST(Batcher, InvalidRequestsAreRefusedBeforeQueueing) {
  ASSERT_OK_AND_ASSIGN(auto batcher, Batcher::Create(AffineSession()));
  auto missing = batcher->Run({});
  EXPECT_THAT(missing.status().message(), HasSubstr("missing input 'x'"));
  auto dtype = batcher->Run({{"x", MakeTensor<double>({1, 3}, {1, 2, 3})}});
  EXPECT_THAT(dtype.status().message(), HasSubstr("expected dtype float32, got float64"));
  auto shape = batcher->Run({{"x", MakeTensor<float>({1, 4}, {1, 2, 3, 4})}});
  EXPECT_THAT(shape.status().message(), HasSubstr("dimension 1 must be 3"));
  auto unknown = batcher->Run({{"x", Row(1, 2, 3)}, {"z", Row(1, 2, 3)}});
  EXPECT_THAT(unknown.status().message(), HasSubstr("unknown input 'z'"));
  auto too_many = batcher->Run({{"x", *Tensor::Zeros(DType::kFloat32, Shape({33, 3}))}});
  EXPECT_THAT(too_many.status().message(), HasSubstr("between 1 and 32 rows"));
  EXPECT_EQ(batcher->stats().rejected, 5);
  EXPECT_EQ(batcher->stats().requests, 0);
}

TEST(Batcher, FullQueueRefusesAtOnce) {
  ASSERT_OK_AND_ASSIGN(auto batcher,
                       Batcher::Create(AffineSession(), {.max_batch_size = 32,
                                                         .max_delay_us = 10'000'000,
                                                         .max_queue_size = 3}));
  std::atomic<int> done{0};
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(batcher->Submit({{"x", Row(1, 2, 3)}}, [&](auto) { ++done; }).ok());
  }
  Status full = batcher->Submit({{"x", Row(1, 2, 3)}}, [&](auto) { ++done; });
  EXPECT_EQ(full.code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(full.message(), HasSubstr("queue is full"));
  batcher->Shutdown();  // drains the three queued requests
  EXPECT_EQ(done.load(), 3);
}

TEST(Batcher, ShutdownWithoutDrainCancelsWaitersAndRefusesNewRequests) {
  ASSERT_OK_AND_ASSIGN(auto batcher,
                       Batcher::Create(AffineSession(), {.max_delay_us = 10'000'000}));
  std::promise<StatusOr<std::vector<Tensor>>> result;
  ASSERT_TRUE(batcher
                  ->Submit({{"x", Row(1, 2, 3)}},
                           [&](StatusOr<std::vector<Tensor>> r) { result.set_value(std::move(r)); })
                  .ok());
  batcher->Shutdown(/*drain=*/false);
  EXPECT_EQ(result.get_future().get().status().code(), StatusCode::kCancelled);
  EXPECT_EQ(batcher->Run({{"x", Row(1, 2, 3)}}).status().code(), StatusCode::kCancelled);
}

TEST(Batcher, ASingleCallerIsServedAfterTheDelay) {
  ASSERT_OK_AND_ASSIGN(auto batcher,
                       Batcher::Create(AffineSession(), {.max_batch_size = 64,
                                                         .max_delay_us = 20000}));
  ASSERT_OK_AND_ASSIGN(auto out, batcher->Run({{"x", Row(1, 0, 0)}}));
  EXPECT_EQ(out[0].data<float>()[0], 2.0f);
  EXPECT_EQ(batcher->stats().batch_sizes.at(1), 1);
}

TEST(Batcher, PadsToAllowedSizesAndDropsThePaddedRows) {
  ASSERT_OK_AND_ASSIGN(auto batcher,
                       Batcher::Create(AffineSession(), {.max_delay_us = 100000,
                                                         .allowed_batch_sizes = {4, 8}}));
  std::vector<std::promise<StatusOr<std::vector<Tensor>>>> results(5);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(batcher
                    ->Submit({{"x", Row(float(i), 0, 0)}},
                             [&results, i](auto r) { results[i].set_value(std::move(r)); })
                    .ok());
  }
  for (int i = 0; i < 5; ++i) {
    auto r = results[i].get_future().get();
    ASSERT_TRUE(r.ok());
    EXPECT_EQ((*r)[0].shape(), Shape({1, 2}));
    EXPECT_EQ((*r)[0].data<float>()[0], float(i) + 1);
  }
  BatcherStats stats = batcher->stats();
  for (const auto& [size, count] : stats.batch_sizes) EXPECT_TRUE(size == 4 || size == 8) << size;
  EXPECT_EQ(stats.rows, 5);
}

TEST(Batcher, DifferentShapesAreNeverMerged) {
  // Identity over x float32[N, L] with a free L: rows of different lengths form separate batches.
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT, {"N", "L"}).Output("y", onnx::TensorProto::FLOAT);
  b.Node("Identity", {"x"}, {"y"});
  ASSERT_OK_AND_ASSIGN(auto loaded, Session::LoadFromBytes(b.Serialize()));
  ASSERT_OK_AND_ASSIGN(auto batcher, Batcher::Create(std::shared_ptr<Session>(std::move(loaded)),
                                                     {.max_delay_us = 50000}));
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int i = 0; i < 12; ++i) {
    threads.emplace_back([&, i] {
      const int64_t length = 1 + i % 3;
      std::vector<float> values(static_cast<size_t>(length), static_cast<float>(i));
      auto out = batcher->Run({{"x", MakeTensor<float>({1, length}, values)}});
      if (!out.ok() || (*out)[0].shape() != Shape({1, length}) ||
          (*out)[0].data<float>()[length - 1] != float(i)) {
        ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GE(batcher->stats().batches, 3);  // at least one per length
}

TEST(Batcher, RequestsOfSeveralRowsMatchADirectRunWithTwoWorkers) {
  auto session = AffineSession();
  ASSERT_OK_AND_ASSIGN(auto batcher,
                       Batcher::Create(session, {.max_batch_size = 8, .max_delay_us = 1000,
                                                 .workers = 2}));
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        const int64_t rows = 1 + (t + i) % 3;
        Tensor x = testing::RandomFloat(Shape({rows, 3}), uint64_t(t * 100 + i));
        auto batched = batcher->Run({{"x", x}});
        auto direct = session->Run(NamedTensors{{"x", x}});
        if (!batched.ok() || !direct.ok()) {
          ++wrong;
          continue;
        }
        for (size_t o = 0; o < direct->size(); ++o) {
          const Tensor& a = (*batched)[o];
          const Tensor& b = (*direct)[o];
          if (a.shape() != b.shape() ||
              !std::equal(a.data<float>(), a.data<float>() + a.num_elements(), b.data<float>())) {
            ++wrong;
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  for (const auto& [size, count] : batcher->stats().batch_sizes) EXPECT_LE(size, 8);
}

TEST(Batcher, ShutdownCancelsCallersBlockedInRun) {
  ASSERT_OK_AND_ASSIGN(auto batcher, Batcher::Create(AffineSession(), {.max_batch_size = 64,
                                                                       .max_delay_us = 600'000'000}));
  constexpr int kCallers = 8;
  std::atomic<int> cancelled{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&] {
      if (batcher->Run({{"x", Row(1, 2, 3)}}).status().code() == StatusCode::kCancelled) {
        ++cancelled;
      }
    });
  }
  while (batcher->stats().requests < kCallers) std::this_thread::yield();
  batcher->Shutdown(/*drain=*/false);
  for (auto& t : threads) t.join();
  EXPECT_EQ(cancelled.load(), kCallers);
  EXPECT_EQ(batcher->stats().failed, kCallers);
}

TEST(Batcher, OutputsThatAreNotPerRowRunRequestByRequest) {
  // y = sum of all of x: a scalar, not one value per row. The batcher must not merge requests.
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT, {"N", 2}).Output("y", onnx::TensorProto::FLOAT);
  auto& sum = b.Node("ReduceSum", {"x"}, {"y"});
  testing::AddIntAttr(sum, "keepdims", 0);
  ASSERT_OK_AND_ASSIGN(auto loaded, Session::LoadFromBytes(b.Serialize()));
  ASSERT_OK_AND_ASSIGN(auto batcher, Batcher::Create(std::shared_ptr<Session>(std::move(loaded)),
                                                     {.max_batch_size = 4, .max_delay_us = 100000}));
  std::vector<std::promise<StatusOr<std::vector<Tensor>>>> results(8);
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(batcher
                    ->Submit({{"x", MakeTensor<float>({1, 2}, {float(i), 1})}},
                             [&results, i](auto r) { results[i].set_value(std::move(r)); })
                    .ok());
  }
  for (int i = 0; i < 8; ++i) {
    auto r = results[i].get_future().get();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ((*r)[0].num_elements(), 1);
    EXPECT_EQ((*r)[0].data<float>()[0], float(i) + 1);
  }
}

TEST(Batcher, OutputsFoundNotPerRowAtRunTimeRunRequestByRequest) {
  // y = x flattened to [2N]: dim 0 is symbolic but not the batch's rows, seen only when run.
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT, {"N", 2}).Output("y", onnx::TensorProto::FLOAT);
  b.Initializer("shape", MakeTensor<int64_t>({1}, {-1}));
  b.Node("Reshape", {"x", "shape"}, {"y"});
  ASSERT_OK_AND_ASSIGN(auto loaded, Session::LoadFromBytes(b.Serialize()));
  ASSERT_OK_AND_ASSIGN(auto batcher, Batcher::Create(std::shared_ptr<Session>(std::move(loaded)),
                                                     {.max_batch_size = 4, .max_delay_us = 100000}));
  std::vector<std::string> warnings;
  LogSink previous = SetLogSink([&](LogLevel, const std::string& m) { warnings.push_back(m); });
  std::vector<std::promise<StatusOr<std::vector<Tensor>>>> results(8);
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(batcher
                    ->Submit({{"x", MakeTensor<float>({1, 2}, {float(i), -float(i)})}},
                             [&results, i](auto r) { results[i].set_value(std::move(r)); })
                    .ok());
  }
  for (int i = 0; i < 8; ++i) {
    auto r = results[i].get_future().get();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ((*r)[0].shape(), Shape({2}));
    EXPECT_EQ((*r)[0].data<float>()[0], float(i));
    EXPECT_EQ((*r)[0].data<float>()[1], -float(i));
  }
  batcher->Shutdown();
  SetLogSink(previous);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("not batch-major"));
}

TEST(Batcher, ADeadlinePassedInTheQueueFailsTheRequest) {
  ASSERT_OK_AND_ASSIGN(auto batcher,
                       Batcher::Create(AffineSession(), {.max_delay_us = 50000}));
  auto r = batcher->Run({{"x", Row(1, 2, 3)}}, /*timeout_us=*/1000);
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
}

TEST(Batcher, ModelsWithAFixedBatchAreRefused) {
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT, {1, 3}).Output("y", onnx::TensorProto::FLOAT);
  b.Node("Identity", {"x"}, {"y"});
  ASSERT_OK_AND_ASSIGN(auto loaded, Session::LoadFromBytes(b.Serialize()));
  auto batcher = Batcher::Create(std::shared_ptr<Session>(std::move(loaded)));
  ASSERT_FALSE(batcher.ok());
  EXPECT_THAT(batcher.status().message(), HasSubstr("needs a variable dim 0"));
}

TEST(Batcher, WithoutMergingFixedBatchModelsRunEachRequestAloneInOrder) {
  // x float32[1, 3] (a fixed batch of one): refused for merging, served one request at a time.
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT, {1, 3}).Output("y", onnx::TensorProto::FLOAT, {1, 3});
  b.Node("Identity", {"x"}, {"y"});
  ASSERT_OK_AND_ASSIGN(auto loaded, Session::LoadFromBytes(b.Serialize()));
  ASSERT_OK_AND_ASSIGN(auto batcher,
                       Batcher::Create(std::shared_ptr<Session>(std::move(loaded)),
                                       {.max_delay_us = 100000, .max_queue_size = 16,
                                        .workers = 2, .merge_requests = false}));
  std::vector<std::promise<StatusOr<std::vector<Tensor>>>> results(12);
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(batcher
                    ->Submit({{"x", Row(float(i), 0, -float(i))}},
                             [&results, i](auto r) { results[i].set_value(std::move(r)); })
                    .ok());
  }
  for (int i = 0; i < 12; ++i) {
    auto r = results[i].get_future().get();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ((*r)[0].data<float>()[0], float(i));
    EXPECT_EQ((*r)[0].data<float>()[2], -float(i));
  }
  // A wrong rank is still refused before queueing; the wrong fixed dim fails when it runs.
  EXPECT_EQ(batcher->Run({{"x", MakeTensor<float>({3}, {1, 2, 3})}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(batcher->Run({{"x", MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6})}}).ok());
  const BatcherStats stats = batcher->stats();
  EXPECT_EQ(stats.batch_sizes.count(2), 0u);  // never merged
  EXPECT_GE(stats.batch_sizes.at(1), 12);
}

}  // namespace
}  // namespace brisk
