// Internals of brisk::data: dataset nodes, the per-stage iterators they start, and the context
// one running pipeline shares (statistics, budgets, the AUTOTUNE thread).
//
// A Dataset is a chain of immutable DatasetNodes (source first). MakeIterator() asks the last
// node for a StageIterator; each node first starts its input's iterator, so iterators form the
// same chain and register their counters source first.
//
// Errors are per element inside the pipeline: a stage that returns an error from Next() may be
// called again and continues with the next element (a source decides whether it can: a bad CSV
// row can be skipped, an unreadable file cannot, and then it ends). IgnoreErrors() relies on
// that. The public Iterator finishes at the first error it hands out.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "brisk/data.h"

namespace brisk::data::internal {

using Clock = std::chrono::steady_clock;
using NextResult = StatusOr<std::optional<Element>>;

int64_t NowNs();

// Counters of one stage. Written by the stage's threads, read by Stats() and the tuner.
struct StageCounters {
  std::string name;
  Clock::time_point started = Clock::now();
  std::atomic<int64_t> items_out{0};
  std::atomic<int64_t> busy_ns{0};
  std::atomic<int64_t> wait_ns{0};
  std::atomic<int64_t> errors_ignored{0};
  std::atomic<int> parallelism{1};
  std::atomic<int> buffer_capacity{0};
  std::atomic<int64_t> bytes_per_item{0};  // moving estimate (buffered stages)
  // Time-weighted buffer fill: integral of fill over time, updated on every change.
  mutable std::mutex fill_mutex;
  int64_t fill = 0;
  int64_t fill_since_ns = 0;
  double fill_integral = 0;  // element-nanoseconds

  void SetFill(int64_t new_fill);
  StageStats Snapshot() const;
};

// A stage whose parallelism or buffer size the tuner may change.
class Tunable {
 public:
  virtual ~Tunable() = default;
  virtual StageCounters& tunable_counters() = 0;
  // Current and maximum knob; Set() applies a new value (thread-safe).
  virtual int knob() const = 0;
  virtual void SetKnob(int value) = 0;
  virtual bool is_parallelism() const = 0;  // parallel map (true) or prefetch buffer (false)
};

class PipelineContext {
 public:
  explicit PipelineContext(const IteratorOptions& options);
  ~PipelineContext();

  // Counters of the stage started from `node` (the same ones for every epoch of a Repeat).
  std::shared_ptr<StageCounters> CountersFor(const void* node, const std::string& name);
  void RegisterTunable(Tunable* tunable);
  void UnregisterTunable(Tunable* tunable);

  int cpu_budget() const { return cpu_budget_; }
  int64_t ram_budget_bytes() const { return ram_budget_bytes_; }
  std::vector<StageStats> Snapshot() const;

  // Starts the AUTOTUNE thread if any stage registered a tunable knob; stops it.
  void StartTuner();
  void StopTuner();

 private:
  void TunerLoop();

  int cpu_budget_;
  int64_t ram_budget_bytes_;
  mutable std::mutex mutex_;
  std::vector<std::pair<const void*, std::shared_ptr<StageCounters>>> counters_;
  std::vector<Tunable*> tunables_;
  struct Tuner;
  std::unique_ptr<Tuner> tuner_;
};

// One running stage. Next() is called by one consumer thread at a time.
class StageIterator {
 public:
  StageIterator(std::shared_ptr<StageCounters> counters, std::unique_ptr<StageIterator> input)
      : counters_(std::move(counters)), input_(std::move(input)) {}
  virtual ~StageIterator() = default;

  // Timed: the caller's wait; for synchronous stages also the self time (own time minus the
  // time spent pulling from the input).
  NextResult Next();

 protected:
  virtual NextResult DoNext() = 0;
  // Stages that produce on their own threads (prefetch, parallel map) record busy time
  // themselves; Next() then only records the consumer's wait.
  virtual bool synchronous() const { return true; }
  // The input's next element; its time is not this stage's self time.
  NextResult Pull();
  StageCounters& counters() { return *counters_; }
  StageIterator* input() { return input_.get(); }

 private:
  std::shared_ptr<StageCounters> counters_;
  std::unique_ptr<StageIterator> input_;
  int64_t pulled_ns_ = 0;
};

class DatasetNode {
 public:
  explicit DatasetNode(std::shared_ptr<const DatasetNode> input) : input_(std::move(input)) {}
  virtual ~DatasetNode() = default;
  // "map(decode_image, parallel=AUTOTUNE)"
  virtual std::string Describe() const = 0;
  virtual StatusOr<std::unique_ptr<StageIterator>> MakeIterator(PipelineContext& context) const = 0;
  const std::shared_ptr<const DatasetNode>& input() const { return input_; }
  // Whether this node already decouples its consumer from the stages before it.
  virtual bool is_prefetch() const { return false; }

 protected:
  // Starts the input's iterator (for nodes that have an input).
  StatusOr<std::unique_ptr<StageIterator>> StartInput(PipelineContext& context) const {
    return input_->MakeIterator(context);
  }
  std::shared_ptr<StageCounters> Counters(PipelineContext& context) const {
    return context.CountersFor(this, Describe());
  }

 private:
  std::shared_ptr<const DatasetNode> input_;
};

// Node factories, one per file.
std::shared_ptr<const DatasetNode> MakeSourceNode(std::string name, SourceFactory factory);
std::shared_ptr<const DatasetNode> MakeMapNode(std::shared_ptr<const DatasetNode> input, MapFn fn,
                                               MapOptions options);
std::shared_ptr<const DatasetNode> MakeBatchNode(std::shared_ptr<const DatasetNode> input,
                                                 int64_t batch_size, bool drop_remainder,
                                                 std::optional<PaddedBatchOptions> padding);
std::shared_ptr<const DatasetNode> MakeShuffleNode(std::shared_ptr<const DatasetNode> input,
                                                   int64_t buffer_size, uint64_t seed,
                                                   bool reshuffle_each_iteration);
std::shared_ptr<const DatasetNode> MakeMemoryCacheNode(std::shared_ptr<const DatasetNode> input);
std::shared_ptr<const DatasetNode> MakeFileCacheNode(std::shared_ptr<const DatasetNode> input,
                                                     std::string filename);
std::shared_ptr<const DatasetNode> MakePrefetchNode(std::shared_ptr<const DatasetNode> input,
                                                    int buffer_size);
std::shared_ptr<const DatasetNode> MakeTakeNode(std::shared_ptr<const DatasetNode> input,
                                                int64_t count);
std::shared_ptr<const DatasetNode> MakeSkipNode(std::shared_ptr<const DatasetNode> input,
                                                int64_t count);
std::shared_ptr<const DatasetNode> MakeRepeatNode(std::shared_ptr<const DatasetNode> input,
                                                  int64_t count);
std::shared_ptr<const DatasetNode> MakeIgnoreErrorsNode(std::shared_ptr<const DatasetNode> input);

// Bytes of an element's tensors (strings by length), for RAM budgets.
int64_t ElementBytes(const Element& element);
// The CPUs this process may use (affinity mask), at least 1.
int AvailableCpus();
// The default RAM budget of a pipeline: min(half of MemAvailable, 2 GiB).
int64_t DefaultRamBudget();

}  // namespace brisk::data::internal
