// The shared machinery of a running pipeline: stage counters, the timed Next() of every stage,
// the pipeline context and budgets.
#include "data/pipeline.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <thread>

namespace brisk::data::internal {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

void StageCounters::SetFill(int64_t new_fill) {
  std::lock_guard lock(fill_mutex);
  const int64_t now = NowNs();
  if (fill_since_ns != 0) fill_integral += double(fill) * double(now - fill_since_ns);
  fill = new_fill;
  fill_since_ns = now;
}

StageStats StageCounters::Snapshot() const {
  StageStats s;
  s.name = name;
  s.items_out = items_out.load();
  s.busy_seconds = double(busy_ns.load()) * 1e-9;
  s.wait_seconds = double(wait_ns.load()) * 1e-9;
  const double wall = std::chrono::duration<double>(Clock::now() - started).count();
  s.items_per_second = wall > 0 ? double(s.items_out) / wall : 0;
  s.parallelism = parallelism.load();
  s.buffer_capacity = buffer_capacity.load();
  s.errors_ignored = errors_ignored.load();
  std::lock_guard lock(fill_mutex);
  if (fill_since_ns != 0 && wall > 0) {
    const double integral = fill_integral + double(fill) * double(NowNs() - fill_since_ns);
    s.mean_buffer_fill = integral / (wall * 1e9);
  }
  return s;
}

NextResult StageIterator::Next() {
  const int64_t start = NowNs();
  pulled_ns_ = 0;
  NextResult result = DoNext();
  const int64_t elapsed = NowNs() - start;
  counters_->wait_ns.fetch_add(elapsed, std::memory_order_relaxed);
  if (synchronous()) {
    counters_->busy_ns.fetch_add(std::max<int64_t>(0, elapsed - pulled_ns_),
                                 std::memory_order_relaxed);
  }
  if (result.ok() && result->has_value()) counters_->items_out.fetch_add(1);
  return result;
}

NextResult StageIterator::Pull() {
  if (!synchronous()) return input_->Next();  // called from the stage's own threads
  const int64_t start = NowNs();
  NextResult result = input_->Next();
  pulled_ns_ += NowNs() - start;
  return result;
}

int64_t ElementBytes(const Element& element) {
  int64_t bytes = 0;
  for (const auto& [name, tensor] : element.components) {
    if (tensor.dtype() == DType::kString) {
      for (const std::string& s : tensor.span<std::string>()) bytes += int64_t(s.size()) + 32;
    } else {
      bytes += int64_t(tensor.byte_size());
    }
  }
  return bytes;
}

int AvailableCpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

// min(half of MemAvailable, 2 GiB): tf.data's default share, capped for a process that also
// holds a model.
int64_t DefaultRamBudget() {
  constexpr int64_t kCap = int64_t(2) << 30;
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  int64_t kb = 0;
  std::string unit;
  while (meminfo >> key >> kb >> unit) {
    if (key == "MemAvailable:") return std::min(kCap, kb * 1024 / 2);
  }
  return kCap / 4;
}

std::shared_ptr<StageCounters> PipelineContext::CountersFor(const void* node,
                                                            const std::string& name) {
  std::lock_guard lock(mutex_);
  for (auto& [key, counters] : counters_) {
    if (key == node) return counters;
  }
  auto counters = std::make_shared<StageCounters>();
  counters->name = name;
  counters_.emplace_back(node, counters);
  return counters;
}

void PipelineContext::RegisterTunable(Tunable* tunable) {
  std::lock_guard lock(mutex_);
  tunables_.push_back(tunable);
}

void PipelineContext::UnregisterTunable(Tunable* tunable) {
  std::lock_guard lock(mutex_);
  std::erase(tunables_, tunable);
}

std::vector<StageStats> PipelineContext::Snapshot() const {
  std::lock_guard lock(mutex_);
  std::vector<StageStats> stats;
  for (const auto& [node, counters] : counters_) stats.push_back(counters->Snapshot());
  return stats;
}

}  // namespace brisk::data::internal
