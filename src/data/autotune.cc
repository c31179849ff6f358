// AUTOTUNE: a background thread per pipeline that sizes parallel maps and prefetch buffers
// while the pipeline runs.
//
// tf.data models every stage as a queue and hill-climbs on the modelled output time. The
// pipelines brisk sees are short chains, so the model here is the direct one: a stage's
// capacity is parallelism / self time per element, the pipeline runs at the pace of its
// slowest stage, so each step raises the parallelism of the stage with the largest self time
// per element per worker — the bottleneck — by one, while
//   - the consumer still waits for input (nothing to gain otherwise),
//   - all tuned workers together stay within the CPU budget, and
//   - the buffered bytes stay within the RAM budget.
// Prefetch buffers grow on their own rule (prefetch.cc: double when the consumer finds the
// buffer empty). The period is 10 ms while a step changes something and doubles up to 1 s once
// nothing does (tf.data's optimization period also starts at 10 ms; it goes up to 60 s).
#include <algorithm>
#include <condition_variable>
#include <thread>

#include "data/pipeline.h"

namespace brisk::data::internal {

struct PipelineContext::Tuner {
  std::mutex mutex;
  std::condition_variable wake;
  bool stop = false;
  std::thread thread;
};

PipelineContext::PipelineContext(const IteratorOptions& options)
    : cpu_budget_(options.cpu_budget > 0 ? options.cpu_budget : AvailableCpus()),
      ram_budget_bytes_(options.ram_budget_bytes > 0 ? options.ram_budget_bytes
                                                     : DefaultRamBudget()) {}

PipelineContext::~PipelineContext() { StopTuner(); }

void PipelineContext::StartTuner() {
  {
    std::lock_guard lock(mutex_);
    if (tunables_.empty() || tuner_) return;
  }
  tuner_ = std::make_unique<Tuner>();
  tuner_->thread = std::thread([this] { TunerLoop(); });
}

void PipelineContext::StopTuner() {
  if (!tuner_) return;
  {
    std::lock_guard lock(tuner_->mutex);
    tuner_->stop = true;
  }
  tuner_->wake.notify_all();
  tuner_->thread.join();
  tuner_.reset();
}

void PipelineContext::TunerLoop() {
  auto period = std::chrono::milliseconds(10);
  struct Last {
    int64_t busy_ns = 0, items = 0;
  };
  std::vector<std::pair<Tunable*, Last>> last;
  int64_t last_root_wait = 0;
  while (true) {
    {
      std::unique_lock lock(tuner_->mutex);
      if (tuner_->wake.wait_for(lock, period, [this] { return tuner_->stop; })) return;
    }
    std::lock_guard lock(mutex_);
    if (counters_.empty()) continue;
    // The consumer of the whole pipeline waits on the last stage.
    // Waits of more than 2% of the period count (fetching a ready element takes microseconds).
    const int64_t root_wait = counters_.back().second->wait_ns.load();
    const bool consumer_waited =
        root_wait - last_root_wait >
        std::chrono::duration_cast<std::chrono::nanoseconds>(period).count() / 50;
    last_root_wait = root_wait;

    int total_workers = 0;
    int64_t buffered_bytes = 0;
    Tunable* bottleneck = nullptr;
    double worst = 0;
    for (Tunable* t : tunables_) {
      StageCounters& c = t->tunable_counters();
      buffered_bytes += int64_t(c.buffer_capacity.load()) * c.bytes_per_item.load();
      if (!t->is_parallelism()) continue;
      total_workers += t->knob();
      auto it = std::find_if(last.begin(), last.end(), [t](auto& p) { return p.first == t; });
      if (it == last.end()) it = last.insert(last.end(), {t, Last{}});
      const int64_t busy = c.busy_ns.load() - it->second.busy_ns;
      const int64_t items = c.items_out.load() - it->second.items;
      it->second = {c.busy_ns.load(), c.items_out.load()};
      if (items <= 0) continue;
      const double per_item_per_worker = double(busy) / double(items) / t->knob();
      if (per_item_per_worker > worst) {
        worst = per_item_per_worker;
        bottleneck = t;
      }
    }
    // While climbing the period stays short; once nothing changes it backs off.
    const auto next_period = std::min(period * 2, std::chrono::milliseconds(1000));
    if (!consumer_waited || bottleneck == nullptr || total_workers + 1 > cpu_budget_ ||
        buffered_bytes + 2 * bottleneck->tunable_counters().bytes_per_item.load() >
            ram_budget_bytes_) {
      period = next_period;
      continue;
    }
    bottleneck->SetKnob(bottleneck->knob() + 1);
  }
}

}  // namespace brisk::data::internal
