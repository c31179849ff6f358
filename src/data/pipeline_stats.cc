// PipelineStats: the bottleneck stage, the one-line verdict and the report table.
//
// The verdict uses the thresholds of TensorFlow's input-pipeline analyzer on the share of time
// the consumer (the model) spent waiting for input: under 5% the pipeline keeps up
// (compute-bound), 5-20% is moderately input-bound, over 20% input-bound. The bottleneck is the
// stage with the most self time per worker, and the suggestion follows tf.data's guide for that
// kind of stage.
#include <cstdio>

#include "brisk/data.h"

namespace brisk::data {
namespace {

std::string Percent(double fraction) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.1f%%", fraction * 100);
  return buffer;
}

const StageStats* BottleneckStage(const PipelineStats& stats) {
  const StageStats* worst = nullptr;
  double worst_load = -1;
  for (const StageStats& s : stats.stages) {
    const double load = s.busy_seconds / std::max(1, s.parallelism);
    if (load > worst_load) {
      worst_load = load;
      worst = &s;
    }
  }
  return worst;
}

std::string Suggestion(const PipelineStats& stats, const StageStats& stage) {
  bool has_prefetch = false;
  for (const StageStats& s : stats.stages) has_prefetch |= s.name.starts_with("prefetch");
  std::string advice;
  if (&stage == &stats.stages.front()) {
    advice = "reading is the slowest stage: cache() after the source if the data fits, or "
             "store it in a faster format";
  } else if (stage.name.starts_with("map")) {
    advice = stage.parallelism == 1
                 ? "run the map in parallel: num_parallel_calls=AUTOTUNE"
                 : "the map already runs " + std::to_string(stage.parallelism) +
                       " calls at once: cache() its output if it is the same every epoch, or "
                       "make the function cheaper (e.g. decode at a smaller size)";
  } else {
    advice = "make this stage cheaper or move it after batch";
  }
  if (!has_prefetch) advice += "; add prefetch(AUTOTUNE) as the last stage";
  return advice;
}

}  // namespace

std::string PipelineStats::Bottleneck() const {
  const StageStats* stage = BottleneckStage(*this);
  return stage ? stage->name : "";
}

std::string PipelineStats::Verdict() const {
  const StageStats* bottleneck = BottleneckStage(*this);
  const double total = consumer_wait_seconds + consumer_compute_seconds;
  if (consumer_compute_seconds <= 0 || total <= 0) {
    return std::string("no consumer timing (use predict, or call RecordConsumer)") +
           (bottleneck ? "; slowest stage: " + bottleneck->name : "");
  }
  const double waiting = consumer_wait_seconds / total;
  const std::string share = "the model waited for input " + Percent(waiting) + " of the time";
  if (waiting < 0.05) return "compute-bound: " + share + " (the input pipeline keeps up)";
  std::string verdict = (waiting <= 0.20 ? "moderately input-bound: " : "input-bound: ") + share;
  if (bottleneck) {
    verdict += "; bottleneck: " + bottleneck->name + " — " + Suggestion(*this, *bottleneck);
  }
  return verdict;
}

std::string PipelineStats::Report() const {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof(line), "%-44s %10s %10s %9s %9s %8s %13s %8s\n", "stage", "items",
                "items/s", "busy s", "wait s", "workers", "buffer", "skipped");
  out += line;
  for (const StageStats& s : stages) {
    char buffer[32] = "-";
    if (s.buffer_capacity > 0) {
      std::snprintf(buffer, sizeof(buffer), "%.1f/%d", s.mean_buffer_fill, s.buffer_capacity);
    }
    std::snprintf(line, sizeof(line), "%-44.44s %10lld %10.1f %9.3f %9.3f %8d %13s %8lld\n",
                  s.name.c_str(), static_cast<long long>(s.items_out), s.items_per_second,
                  s.busy_seconds, s.wait_seconds, s.parallelism, buffer,
                  static_cast<long long>(s.errors_ignored));
    out += line;
  }
  if (consumer_items > 0 || consumer_compute_seconds > 0) {
    std::snprintf(line, sizeof(line), "consumer: %lld items, %.3f s computing, %.3f s waiting\n",
                  static_cast<long long>(consumer_items), consumer_compute_seconds,
                  consumer_wait_seconds);
    out += line;
  }
  out += "verdict: " + Verdict() + "\n";
  return out;
}

}  // namespace brisk::data
