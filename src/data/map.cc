// Map: a function applied to every element, sequentially or on worker threads.
//
// The parallel form keeps up to `parallelism` calls in flight. Each worker takes the next input
// element (pulling from the input is serialised and numbers the elements), applies the
// function and files the result under its number. In deterministic mode the consumer takes
// results strictly by number, so a slow element holds back the ones after it but order is
// kept; otherwise it takes whichever result is ready. Results waiting to be taken plus calls in
// flight are bounded (2 x parallelism), so a fast map cannot run ahead without limit.
// AUTOTUNE (kAutotune) starts at one worker and lets the tuner (autotune.cc) add workers.
#include <algorithm>
#include <condition_variable>
#include <map>
#include <thread>

#include "data/pipeline.h"

namespace brisk::data::internal {
namespace {

NextResult Apply(const MapFn& fn, const std::string& stage, NextResult input) {
  if (!input.ok() || !input->has_value()) return input;
  std::string origin = (*input)->origin;
  StatusOr<Element> output = fn(std::move(**input));
  if (!output.ok()) {
    // Built-in ops already start their messages with the origin; do not say it twice.
    const bool names_origin = output.status().message().starts_with(origin);
    return output.status().WithContext(names_origin ? stage : stage + " on " + origin);
  }
  if (output->origin.empty()) output->origin = std::move(origin);
  return std::optional<Element>(std::move(output).value());
}

class SequentialMapIterator final : public StageIterator {
 public:
  SequentialMapIterator(std::shared_ptr<StageCounters> counters,
                        std::unique_ptr<StageIterator> input, const MapFn& fn)
      : StageIterator(std::move(counters), std::move(input)), fn_(fn) {}

 protected:
  NextResult DoNext() override { return Apply(fn_, counters().name, Pull()); }

 private:
  const MapFn& fn_;
};

class ParallelMapIterator final : public StageIterator, public Tunable {
 public:
  ParallelMapIterator(std::shared_ptr<StageCounters> counters,
                      std::unique_ptr<StageIterator> input, const MapFn& fn, int parallelism,
                      bool autotune, bool deterministic, PipelineContext& context)
      : StageIterator(std::move(counters), std::move(input)),
        fn_(fn),
        deterministic_(deterministic),
        max_workers_(autotune ? std::max(1, context.cpu_budget()) : parallelism),
        context_(context),
        autotune_(autotune) {
    target_ = autotune ? 1 : parallelism;
    this->counters().parallelism = target_;
    this->counters().buffer_capacity = 2 * target_;
    for (int i = 0; i < target_; ++i) workers_.emplace_back([this, i] { Work(i); });
    if (autotune_) context_.RegisterTunable(this);
  }

  ~ParallelMapIterator() override {
    if (autotune_) context_.UnregisterTunable(this);
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    for (std::thread& t : workers_) t.join();
  }

  // Tunable
  StageCounters& tunable_counters() override { return counters(); }
  int knob() const override { return target_; }
  bool is_parallelism() const override { return true; }
  void SetKnob(int value) override {
    value = std::clamp(value, 1, max_workers_);
    std::lock_guard lock(mutex_);
    if (value <= target_ || stopping_) return;
    for (int i = target_; i < value; ++i) workers_.emplace_back([this, i] { Work(i); });
    target_ = value;
    counters().parallelism = value;
    counters().buffer_capacity = 2 * value;
    changed_.notify_all();
  }

 protected:
  bool synchronous() const override { return false; }

  NextResult DoNext() override {
    std::unique_lock lock(mutex_);
    while (true) {
      if (deterministic_) {
        auto it = ready_.find(next_to_emit_);
        if (it != ready_.end()) return Take(it);
      } else if (!ready_.empty()) {
        return Take(ready_.begin());
      }
      // Every number below end_ was handed out: nothing is left when all were taken.
      if (end_ >= 0 && next_to_emit_ >= end_ && in_flight_ == 0 && ready_.empty()) {
        return std::optional<Element>();
      }
      changed_.wait(lock);
    }
  }

 private:
  NextResult Take(std::map<int64_t, NextResult>::iterator it) {
    NextResult result = std::move(it->second);
    ready_.erase(it);
    ++next_to_emit_;
    counters().SetFill(int64_t(ready_.size()));
    changed_.notify_all();
    return result;
  }

  void Work(int index) {
    std::unique_lock lock(mutex_);
    while (true) {
      changed_.wait(lock, [&] {
        return stopping_ || end_ >= 0 ||
               (index < target_ && int64_t(ready_.size()) + in_flight_ < 2 * target_ &&
                !pulling_);
      });
      if (stopping_ || end_ >= 0) return;
      // Pull the next input element (one puller at a time numbers them in order).
      pulling_ = true;
      const int64_t number = next_number_++;
      ++in_flight_;
      lock.unlock();
      NextResult input = Pull();
      const bool at_end = input.ok() && !input->has_value();
      lock.lock();
      pulling_ = false;
      if (at_end) {
        end_ = number;
        --in_flight_;
        changed_.notify_all();
        return;
      }
      changed_.notify_all();  // another worker may pull now
      lock.unlock();
      const int64_t start = NowNs();
      NextResult output = Apply(fn_, counters().name, std::move(input));
      if (output.ok() && output->has_value()) {
        const int64_t bytes = ElementBytes(**output);
        counters().bytes_per_item.store((counters().bytes_per_item.load() * 7 + bytes) / 8);
      }
      counters().busy_ns.fetch_add(NowNs() - start, std::memory_order_relaxed);
      lock.lock();
      --in_flight_;
      ready_.emplace(number, std::move(output));
      counters().SetFill(int64_t(ready_.size()));
      changed_.notify_all();
    }
  }

  const MapFn& fn_;
  const bool deterministic_;
  const int max_workers_;
  PipelineContext& context_;
  const bool autotune_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::thread> workers_;
  int target_ = 1;
  bool stopping_ = false;
  bool pulling_ = false;
  int64_t next_number_ = 0;   // number of the next element pulled
  int64_t next_to_emit_ = 0;  // deterministic: number the consumer takes next
  int64_t in_flight_ = 0;
  int64_t end_ = -1;          // number at which the input ended, once known
  std::map<int64_t, NextResult> ready_;
};

class MapNode final : public DatasetNode {
 public:
  MapNode(std::shared_ptr<const DatasetNode> input, MapFn fn, MapOptions options)
      : DatasetNode(std::move(input)), fn_(std::move(fn)), options_(std::move(options)) {}

  std::string Describe() const override {
    const int n = options_.num_parallel_calls;
    if (n == 1) return options_.name;
    return options_.name + " [parallel " + (n == kAutotune ? "AUTOTUNE" : std::to_string(n)) +
           (options_.deterministic ? "" : ", unordered") + "]";
  }

  StatusOr<std::unique_ptr<StageIterator>> MakeIterator(PipelineContext& context) const override {
    BRISK_ASSIGN_OR_RETURN(std::unique_ptr<StageIterator> input, StartInput(context));
    const int n = options_.num_parallel_calls;
    if (n == 1) {
      return std::unique_ptr<StageIterator>(
          new SequentialMapIterator(Counters(context), std::move(input), fn_));
    }
    if (n < 1 && n != kAutotune) {
      return InvalidArgument(options_.name + ": num_parallel_calls must be >= 1 or AUTOTUNE, got " +
                             std::to_string(n));
    }
    return std::unique_ptr<StageIterator>(new ParallelMapIterator(
        Counters(context), std::move(input), fn_, n, n == kAutotune, options_.deterministic,
        context));
  }

 private:
  MapFn fn_;
  MapOptions options_;
};

}  // namespace

std::shared_ptr<const DatasetNode> MakeMapNode(std::shared_ptr<const DatasetNode> input, MapFn fn,
                                               MapOptions options) {
  return std::make_shared<MapNode>(std::move(input), std::move(fn), std::move(options));
}

}  // namespace brisk::data::internal
