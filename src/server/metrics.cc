// The Prometheus text exposition of the server's counters and the batchers' statistics.
#include "server/metrics.h"

#include <cctype>
#include <sstream>

#include "server/model_repository.h"

namespace brisk::server {
namespace {

// Label values are quoted; backslash, quote and newline are escaped (the format's rules).
std::string Quote(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return out + "\"";
}

// "InvalidArgument" -> "invalid_argument"; OK -> "ok".
std::string StatusLabel(StatusCode code) {
  if (code == StatusCode::kOk) return "ok";
  std::string out;
  for (char c : StatusCodeName(code)) {
    if (std::isupper(static_cast<unsigned char>(c)) && !out.empty()) out += '_';
    out += char(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string ModelLabels(const std::string& model, int64_t version) {
  return "model=" + Quote(model) + ",version=" + Quote(std::to_string(version));
}

}  // namespace

void Metrics::RecordInference(const std::string& model, int64_t version, Protocol protocol,
                              StatusCode status, double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{model, version, protocol, status}];
  if (status != StatusCode::kOk) return;  // latency of answered requests only
  Histogram& h = latency_[{model, version}];
  size_t bucket = 0;
  while (bucket < kLatencyBuckets.size() && seconds > kLatencyBuckets[bucket]) ++bucket;
  if (bucket < kLatencyBuckets.size()) ++h.buckets[bucket];
  ++h.count;
  h.sum += seconds;
}

void Metrics::RecordHttpResponse(int code) {
  std::lock_guard lock(mutex_);
  ++http_[code];
}

std::string Metrics::Render(const ModelRepository& repository) const {
  std::ostringstream out;
  out.precision(9);
  {
    std::lock_guard lock(mutex_);
    out << "# HELP brisk_inference_requests_total Inference requests by outcome.\n"
           "# TYPE brisk_inference_requests_total counter\n";
    for (const auto& [key, count] : requests_) {
      const auto& [model, version, protocol, status] = key;
      out << "brisk_inference_requests_total{" << ModelLabels(model, version)
          << ",protocol=" << Quote(std::string(ProtocolName(protocol)))
          << ",status=" << Quote(StatusLabel(status)) << "} " << count << "\n";
    }
    out << "# HELP brisk_inference_request_duration_seconds Time from a request's arrival to "
           "its result (successful requests).\n"
           "# TYPE brisk_inference_request_duration_seconds histogram\n";
    for (const auto& [key, h] : latency_) {
      const std::string labels = ModelLabels(key.first, key.second);
      int64_t cumulative = 0;
      for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
        cumulative += h.buckets[i];
        out << "brisk_inference_request_duration_seconds_bucket{" << labels << ",le=\""
            << kLatencyBuckets[i] << "\"} " << cumulative << "\n";
      }
      out << "brisk_inference_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} "
          << h.count << "\n"
          << "brisk_inference_request_duration_seconds_sum{" << labels << "} " << h.sum << "\n"
          << "brisk_inference_request_duration_seconds_count{" << labels << "} " << h.count
          << "\n";
    }
    out << "# HELP brisk_http_responses_total HTTP responses by status code.\n"
           "# TYPE brisk_http_responses_total counter\n";
    for (const auto& [code, count] : http_) {
      out << "brisk_http_responses_total{code=\"" << code << "\"} " << count << "\n";
    }
  }
  out << "# HELP brisk_inflight_requests Inference requests received and not yet answered.\n"
         "# TYPE brisk_inflight_requests gauge\n"
      << "brisk_inflight_requests " << inflight_.load() << "\n";

  // Per loaded model version, from its batcher.
  struct Row {
    std::string labels;
    BatcherStats stats;
  };
  std::vector<Row> rows;
  for (const auto& model : repository.Loaded()) {
    rows.push_back({ModelLabels(model->name(), model->version()), model->stats()});
  }
  auto counter = [&](const char* name, const char* help, auto value) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n";
    for (const Row& r : rows) out << name << "{" << r.labels << "} " << value(r.stats) << "\n";
  };
  counter("brisk_inference_queue_seconds_total",
          "Time requests waited in the model's queue, summed over requests.",
          [](const BatcherStats& s) { return s.queue_seconds; });
  counter("brisk_inference_compute_seconds_total", "Time spent running the model, summed over runs.",
          [](const BatcherStats& s) { return s.run_seconds; });
  counter("brisk_inference_batches_total", "Model runs (each a batch of one or more requests).",
          [](const BatcherStats& s) { return s.batches; });
  counter("brisk_inference_rows_total", "Request rows run (without padding).",
          [](const BatcherStats& s) { return s.rows; });
  counter("brisk_inference_queue_rejected_total",
          "Requests refused before queueing (queue full, invalid, shutting down).",
          [](const BatcherStats& s) { return s.rejected; });
  out << "# HELP brisk_batch_size Rows per model run (with padding to the compiled sizes).\n"
         "# TYPE brisk_batch_size histogram\n";
  for (const Row& r : rows) {
    // Fixed power-of-two buckets, so that series keep their buckets as new sizes appear.
    int64_t total = 0, sum = 0;
    for (const auto& [size, runs] : r.stats.batch_sizes) {
      total += runs;
      sum += int64_t(size) * runs;
    }
    for (int le = 1; le <= 1024; le *= 2) {
      int64_t cumulative = 0;
      for (const auto& [size, runs] : r.stats.batch_sizes) cumulative += size <= le ? runs : 0;
      out << "brisk_batch_size_bucket{" << r.labels << ",le=\"" << le << "\"} " << cumulative
          << "\n";
    }
    out << "brisk_batch_size_bucket{" << r.labels << ",le=\"+Inf\"} " << total << "\n"
        << "brisk_batch_size_sum{" << r.labels << "} " << sum << "\n"
        << "brisk_batch_size_count{" << r.labels << "} " << total << "\n";
  }
  return out.str();
}

}  // namespace brisk::server
