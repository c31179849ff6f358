// Prometheus metrics of `brisk serve` (GET /metrics, text exposition format 0.0.4).
//
// Request-level metrics are recorded by the InferenceService as requests finish; queue, run and
// batch-size metrics are read from each loaded model's Batcher statistics when rendered:
//   brisk_inference_requests_total{model,version,protocol,status}   counter
//   brisk_inference_request_duration_seconds{model,version}         histogram (arrival -> result)
//   brisk_inference_queue_seconds_total{model,version}              counter (summed over requests)
//   brisk_inference_compute_seconds_total{model,version}            counter (summed over runs)
//   brisk_inference_batches_total / _rows_total / _rejected_total   counters
//   brisk_batch_size{model,version}                                 histogram (rows per run)
//   brisk_http_responses_total{code}                                counter
//   brisk_inflight_requests                                         gauge
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "brisk/status.h"
#include "server/inference.h"

namespace brisk::server {

class ModelRepository;

class Metrics {
 public:
  void RecordInference(const std::string& model, int64_t version, Protocol protocol,
                       StatusCode status, double seconds);
  void RecordHttpResponse(int code);
  void AddInflight(int delta) { inflight_ += delta; }

  // The whole exposition text, with the repository's per-model batcher statistics.
  std::string Render(const ModelRepository& repository) const;

  // Upper bounds of the latency histogram's buckets, in seconds.
  static constexpr std::array<double, 14> kLatencyBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

 private:
  struct Histogram {
    std::array<int64_t, kLatencyBuckets.size()> buckets{};  // not cumulative
    int64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  // (model, version, protocol, status) -> count
  std::map<std::tuple<std::string, int64_t, Protocol, StatusCode>, int64_t> requests_;
  std::map<std::pair<std::string, int64_t>, Histogram> latency_;
  std::map<int, int64_t> http_;
  std::atomic<int64_t> inflight_{0};
};

}  // namespace brisk::server
