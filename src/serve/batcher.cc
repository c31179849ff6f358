// brisk::Batcher: the queue, the workers that form and run batches, and the fallback that
// re-runs a failed batch one request at a time.
//
// Requests wait in one FIFO queue per shape signature (requests with different per-sample
// shapes cannot share a batch). A worker takes the signature whose oldest request arrived
// first, once that queue holds a full batch or its oldest request has waited max_delay_us; it
// takes requests in arrival order while their rows fit, gathers them, runs the session with no
// lock held, and completes each request with its own rows.
#include "brisk/batcher.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "brisk/logging.h"
#include "serve/batch_assembly.h"

namespace brisk {

using Clock = std::chrono::steady_clock;

namespace {

struct Request {
  serve::RequestInputs inputs;
  Batcher::Callback done;
  Clock::time_point submitted;
  Clock::time_point deadline = Clock::time_point::max();
};

// One shape signature's requests, in arrival order, and their rows.
struct Queue {
  std::deque<std::unique_ptr<Request>> requests;
  int64_t rows = 0;
};

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

class Batcher::Impl {
 public:
  Impl(std::shared_ptr<Session> session, BatcherOptions options)
      : session_(std::move(session)), options_(std::move(options)) {
    // An output declared without a variable dim 0 (a scalar, a fixed size) has no rows to hand
    // back: such models run request by request (correct, but unbatched).
    for (const TensorInfo& output : session_->outputs()) {
      if (output.shape && (output.shape->rank() == 0 || output.shape->dims[0].is_known())) {
        per_request_ = true;
      }
    }
    max_rows_ = options_.allowed_batch_sizes.empty() ? options_.max_batch_size
                                                     : options_.allowed_batch_sizes.back();
    if (!options_.merge_requests) per_request_ = true;
    for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { Work(); });
  }

  ~Impl() { Shutdown(true); }

  Status Submit(const NamedTensors& feeds, Callback done, int64_t timeout_us) {
    StatusOr<serve::RequestInputs> inputs =
        serve::CheckRequest(session_->inputs(), feeds, max_rows_, options_.merge_requests);
    std::unique_lock lock(mutex_);
    if (!inputs.ok()) {
      ++stats_.rejected;
      return inputs.status();
    }
    if (stopping_) {
      ++stats_.rejected;
      return Status(StatusCode::kCancelled, "the batcher is shut down");
    }
    if (queued_ >= options_.max_queue_size) {
      ++stats_.rejected;
      return ResourceExhausted("the batcher's queue is full (" +
                               std::to_string(options_.max_queue_size) +
                               " requests waiting); try again later");
    }
    auto request = std::make_unique<Request>();
    request->inputs = std::move(inputs).value();
    request->done = std::move(done);
    request->submitted = Clock::now();
    if (timeout_us > 0) request->deadline = request->submitted + std::chrono::microseconds(timeout_us);
    Queue& queue = queues_[request->inputs.signature];
    // A worker needs waking only when this request starts a queue (a new max_delay timer) or
    // fills a batch; otherwise the sleeping worker's timer already covers it (waking it on every
    // request costs a context switch per row).
    const bool wake = !options_.merge_requests || queue.requests.empty() ||
                      queue.rows + request->inputs.rows >= max_rows_;
    queue.rows += request->inputs.rows;
    queue.requests.push_back(std::move(request));
    ++queued_;
    ++stats_.requests;
    lock.unlock();
    if (wake) wake_.notify_one();
    return Status::Ok();
  }

  void Shutdown(bool drain) {
    std::lock_guard shutting_down(shutdown_mutex_);  // one caller joins the workers
    std::deque<std::unique_ptr<Request>> cancelled;
    {
      std::lock_guard lock(mutex_);
      if (stopping_ && workers_.empty()) return;
      stopping_ = true;
      if (!drain) {
        for (auto& [signature, queue] : queues_) {
          for (auto& r : queue.requests) cancelled.push_back(std::move(r));
        }
        queues_.clear();
        queued_ = 0;
      }
    }
    for (auto& r : cancelled) Finish(*r, Status(StatusCode::kCancelled, "the batcher shut down"));
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
    workers_.clear();
  }

  BatcherStats stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
  }
  const BatcherOptions& options() const { return options_; }

 private:
  // The signature whose batch is due: full, or its oldest request waited max_delay (every
  // queue is due when shutting down). Sets `wait_until` to when the next one becomes due.
  std::string DueSignature(Clock::time_point now, Clock::time_point* wait_until) const {
    std::string due;
    Clock::time_point oldest = Clock::time_point::max();
    *wait_until = Clock::time_point::max();
    for (const auto& [signature, queue] : queues_) {
      if (queue.requests.empty()) continue;
      const Clock::time_point first = queue.requests.front()->submitted;
      const int64_t delay_us = options_.merge_requests ? options_.max_delay_us : 0;
      const Clock::time_point ready = first + std::chrono::microseconds(delay_us);
      if ((queue.rows >= max_rows_ || ready <= now || stopping_) && first < oldest) {
        oldest = first;
        due = signature;
      }
      *wait_until = std::min(*wait_until, ready);
    }
    return due;
  }

  void Work() {
    std::unique_lock lock(mutex_);
    while (true) {
      Clock::time_point wait_until;
      const std::string signature = DueSignature(Clock::now(), &wait_until);
      if (signature.empty()) {
        if (stopping_ && queued_ == 0) return;
        if (wait_until == Clock::time_point::max()) {
          wake_.wait(lock);
        } else {
          wake_.wait_until(lock, wait_until);
        }
        continue;
      }
      std::vector<std::unique_ptr<Request>> batch = TakeBatch(queues_[signature]);
      if (queues_[signature].requests.empty()) queues_.erase(signature);
      // Another idle worker may be sleeping on a timer older than what is still queued.
      const bool more = !queues_.empty();
      lock.unlock();
      if (more) wake_.notify_one();
      RunBatch(std::move(batch));
      lock.lock();
    }
  }

  // Requests from the front of `queue` whose rows fit one batch (called with the lock held).
  std::vector<std::unique_ptr<Request>> TakeBatch(Queue& queue) {
    std::vector<std::unique_ptr<Request>> batch;
    int64_t rows = 0;
    while (!queue.requests.empty() &&
           (batch.empty() || (options_.merge_requests &&
                              rows + queue.requests.front()->inputs.rows <= max_rows_))) {
      rows += queue.requests.front()->inputs.rows;
      batch.push_back(std::move(queue.requests.front()));
      queue.requests.pop_front();
      --queued_;
    }
    queue.rows -= rows;
    return batch;
  }

  int64_t PaddedRows(int64_t rows) const {
    for (int size : options_.allowed_batch_sizes) {
      if (size >= rows) return size;
    }
    return rows;
  }

  void RunBatch(std::vector<std::unique_ptr<Request>> batch) {
    const Clock::time_point start = Clock::now();
    std::vector<std::unique_ptr<Request>> live;
    for (auto& r : batch) {
      if (start > r->deadline) {
        Finish(*r, Status(StatusCode::kDeadlineExceeded,
                          "the request waited in the batcher's queue longer than its timeout"));
      } else {
        live.push_back(std::move(r));
      }
    }
    if (live.empty()) return;
    {
      std::lock_guard lock(mutex_);
      for (auto& r : live) stats_.queue_seconds += Seconds(start - r->submitted);
    }
    if (per_request_.load()) {
      for (auto& r : live) RunAlone(*r);
      return;
    }
    int64_t rows = 0;
    std::vector<const serve::RequestInputs*> inputs;
    for (auto& r : live) {
      rows += r->inputs.rows;
      inputs.push_back(&r->inputs);
    }
    const int64_t padded = PaddedRows(rows);
    StatusOr<std::vector<Tensor>> outputs = [&]() -> StatusOr<std::vector<Tensor>> {
      BRISK_ASSIGN_OR_RETURN(std::vector<Tensor> gathered, serve::GatherBatch(inputs, padded));
      return session_->Run(gathered);
    }();
    const bool batch_major = outputs.ok() &&
        std::all_of(outputs->begin(), outputs->end(),
                    [&](const Tensor& t) { return t.rank() > 0 && t.dim(0) == padded; });
    Record(rows, padded, start, /*retried=*/!outputs.ok() && live.size() > 1);
    if (outputs.ok() && !batch_major) {
      // The outputs are not one row per input row (e.g. a mean over the batch): rows cannot be
      // handed back, so from now on every request runs on its own.
      if (!per_request_.exchange(true)) {
        Log(LogLevel::kWarning, "batcher: the model's outputs are not batch-major (dim 0 != the "
                                "batch's rows); requests now run one at a time, unbatched");
      }
      for (auto& r : live) RunAlone(*r);
      return;
    }
    if (!outputs.ok()) {
      // One bad request (e.g. an out-of-range Gather index) must not fail the others: run each
      // request of the batch on its own, so only the bad one fails.
      if (live.size() == 1 && padded == rows) {
        Finish(*live[0], outputs.status());
        return;
      }
      for (auto& r : live) RunAlone(*r);
      return;
    }
    int64_t row = 0;
    for (auto& r : live) {
      Finish(*r, serve::SliceRows(*outputs, row, r->inputs.rows));
      row += r->inputs.rows;
    }
  }

  // Runs one request unbatched (no padding) and completes it.
  void RunAlone(Request& request) {
    const Clock::time_point start = Clock::now();
    StatusOr<std::vector<Tensor>> outputs = session_->Run(request.inputs.tensors);
    Record(request.inputs.rows, request.inputs.rows, start, /*retried=*/false);
    Finish(request, std::move(outputs));
  }

  void Record(int64_t rows, int64_t padded, Clock::time_point start, bool retried) {
    std::lock_guard lock(mutex_);
    ++stats_.batches;
    stats_.rows += rows;
    ++stats_.batch_sizes[int(padded)];
    stats_.run_seconds += Seconds(Clock::now() - start);
    if (retried) ++stats_.retried_batches;
  }

  void Finish(Request& request, StatusOr<std::vector<Tensor>> result) {
    if (!result.ok()) {
      std::lock_guard lock(mutex_);
      ++stats_.failed;
    }
    request.done(std::move(result));
  }

  std::shared_ptr<Session> session_;
  const BatcherOptions options_;
  int64_t max_rows_;
  std::mutex shutdown_mutex_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, Queue> queues_;
  int64_t queued_ = 0;
  bool stopping_ = false;
  // Set when the model's outputs are not batch-major (declared or seen at run time).
  std::atomic<bool> per_request_{false};
  BatcherStats stats_;
  std::vector<std::thread> workers_;
};

StatusOr<std::unique_ptr<Batcher>> Batcher::Create(std::shared_ptr<Session> session,
                                                   const BatcherOptions& options) {
  if (!session) return InvalidArgument("batcher: no session");
  if (options.max_batch_size < 1) return InvalidArgument("batcher: max_batch_size must be >= 1");
  if (options.workers < 1) return InvalidArgument("batcher: workers must be >= 1");
  if (options.max_queue_size < 1) return InvalidArgument("batcher: max_queue_size must be >= 1");
  if (options.max_delay_us < 0) return InvalidArgument("batcher: max_delay_us must be >= 0");
  for (size_t i = 0; i < options.allowed_batch_sizes.size(); ++i) {
    if (options.allowed_batch_sizes[i] < 1 ||
        (i > 0 && options.allowed_batch_sizes[i] <= options.allowed_batch_sizes[i - 1])) {
      return InvalidArgument("batcher: allowed_batch_sizes must be positive and ascending");
    }
  }
  for (const TensorInfo& input : session->inputs()) {
    if (options.merge_requests && input.shape && (input.shape->rank() == 0 || input.shape->dims[0].is_known())) {
      return InvalidArgument("batcher: model input '" + input.name + "' is declared " +
                             input.shape->ToString() + "; batching needs a variable dim 0 "
                             "(export the model with a dynamic batch axis)");
    }
  }
  return std::unique_ptr<Batcher>(
      new Batcher(std::make_unique<Impl>(std::move(session), options)));
}

Batcher::Batcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Batcher::~Batcher() = default;

Status Batcher::Submit(const NamedTensors& feeds, Callback done, int64_t timeout_us) {
  return impl_->Submit(feeds, std::move(done), timeout_us);
}

StatusOr<std::vector<Tensor>> Batcher::Run(const NamedTensors& feeds, int64_t timeout_us) {
  std::promise<StatusOr<std::vector<Tensor>>> promise;
  std::future<StatusOr<std::vector<Tensor>>> future = promise.get_future();
  BRISK_RETURN_IF_ERROR(impl_->Submit(
      feeds, [&promise](StatusOr<std::vector<Tensor>> result) { promise.set_value(std::move(result)); },
      timeout_us));
  return future.get();
}

void Batcher::Shutdown(bool drain) { impl_->Shutdown(drain); }
BatcherStats Batcher::stats() const { return impl_->stats(); }
const BatcherOptions& Batcher::options() const { return impl_->options(); }

}  // namespace brisk
