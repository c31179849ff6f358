// brisk::Batcher: many concurrent small requests, one batched run.
//
// Code that calls a model one sample at a time from many threads (a web handler, a per-item
// loop in a thread pool) leaves most of the CPU's throughput unused: a batch of 32 costs far
// less than 32 runs of one. The batcher queues such requests, merges those with the same
// per-sample shapes into one batch (up to max_batch_size rows, or whatever has arrived when the
// oldest request has waited max_delay_us), runs the session once, and hands every caller exactly
// its own rows of the outputs.
//
//   auto batcher = *brisk::Batcher::Create(session, {.max_batch_size = 32, .max_delay_us = 2000});
//   // on any thread:
//   StatusOr<std::vector<Tensor>> outputs = batcher->Run({{"image", one_image}});  // [1, ...]
//
// Each request is checked against the model's inputs before it is queued, so a malformed
// request fails alone and at once. If a batched run fails (e.g. one request's values are out of
// range for a Gather), every request of that batch is re-run on its own, so only the bad one
// fails. When the queue holds max_queue_size requests, new ones are refused at once with
// ResourceExhausted rather than waiting without bound (a server maps that to HTTP 429).
//
// Models whose outputs are not batch-major (an output without a variable dim 0, or whose dim 0
// differs from the batch's rows at run time, e.g. a mean over the batch) are still served, but
// request by request: once detected, nothing is merged any more (a warning is logged).
//
// Thread-safety: Run/Submit/stats may be called from any number of threads, except that
// Shutdown (and destroying the batcher) must not be called from inside a `done` callback (it
// joins the worker running that callback).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "brisk/session.h"
#include "brisk/status.h"
#include "brisk/tensor.h"

namespace brisk {

struct BatcherOptions {
  // Rows in one batched run at most.
  int max_batch_size = 32;
  // How long the oldest queued request may wait for others before its batch runs anyway.
  int64_t max_delay_us = 2000;
  // When set, batches are padded up to the next of these sizes (compiled plans are reused, as
  // TF Serving's allowed_batch_sizes) with copies of the last real row; the padded rows' outputs
  // are dropped. Must be ascending; the largest is the effective max batch size. Empty = any
  // size: every distinct size compiles a plan and the session keeps only
  // SessionOptions::plan_cache_capacity of them, so for models that are slow to compile set
  // e.g. {1, 2, 4, 8, 16, 32} (and Session::Warmup those shapes).
  std::vector<int> allowed_batch_sizes;
  // Requests waiting at most; beyond it Submit/Run fail at once with ResourceExhausted.
  int64_t max_queue_size = 1024;
  // Threads running batches (each Session::Run is itself multi-threaded).
  int workers = 1;
  // false: never merge; requests run one at a time in arrival order on the workers (the bounded
  // queue, deadlines and drain still apply: TF Serving's and Triton's default scheduler). Models
  // without a variable dim 0 are accepted, max_batch_size and max_delay_us are ignored.
  bool merge_requests = true;
};

struct BatcherStats {
  int64_t requests = 0;   // accepted
  int64_t rejected = 0;   // refused: invalid, queue full, shut down
  int64_t failed = 0;     // accepted but ended with an error
  int64_t batches = 0;    // session runs of merged requests
  int64_t rows = 0;       // request rows run (without padding)
  // Batched runs that failed and were re-run request by request (each re-run also counts as a
  // batch of its own rows).
  int64_t retried_batches = 0;
  std::map<int, int64_t> batch_sizes;  // rows per run (with padding) -> runs
  double queue_seconds = 0;  // summed over requests: time from submit to the start of the run
  double run_seconds = 0;    // summed over batches
};

class Batcher {
 public:
  // Fails when the model cannot be batched: an input without dim 0, or with a fixed dim 0.
  static StatusOr<std::unique_ptr<Batcher>> Create(std::shared_ptr<Session> session,
                                                   const BatcherOptions& options = {});
  ~Batcher();  // Shutdown(): finishes the queued requests, then joins the workers
  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;

  using Callback = std::function<void(StatusOr<std::vector<Tensor>>)>;
  // Queues a request (inputs by name, dim 0 = its rows, usually 1). `done` is called exactly
  // once, on a worker thread, with the outputs in the order of session->outputs(), each with the
  // request's rows. A request refused at once (invalid, queue full, shut down) returns the error
  // and `done` is not called. `timeout_us` > 0: a request still queued after that long fails
  // with DeadlineExceeded instead of running. The feeds are not copied until the batch is
  // gathered: a Tensor::View's memory must stay valid until `done` runs (Run waits, so it is
  // safe there). `done` must not throw.
  Status Submit(const NamedTensors& feeds, Callback done, int64_t timeout_us = 0);
  // Submit and wait.
  StatusOr<std::vector<Tensor>> Run(const NamedTensors& feeds, int64_t timeout_us = 0);

  // Stops accepting requests, runs what is queued (or, with drain = false, fails it with
  // Cancelled) and joins the workers. Idempotent.
  void Shutdown(bool drain = true);

  BatcherStats stats() const;
  const BatcherOptions& options() const;

  class Impl;

 private:
  explicit Batcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace brisk
