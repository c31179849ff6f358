// brisk::Profile: where the time of a run goes, op by op.
//
// Pass a Profile to Session::Run (RunOptions::profile) and every step of the run is timed: which
// node, which op, which kernel implementation ran (reference, oneDNN's choice, the ISA of a
// brisk microkernel), its output shape, its FLOPs and the time it took. Several runs may be
// recorded into one Profile (each adds its events); the summaries aggregate over them.
// Not thread-safe: use one Profile per thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace brisk {

struct ProfileEvent {
  std::string node;          // node name
  std::string op_type;       // "Conv", "FusedConv", ...
  std::string kernel;        // Kernel::Describe(): "reference", "onednn:jit:avx512_core", ...
  std::string output_shape;  // "[1, 64, 56, 56]"
  double flops = 0;          // floating-point operations of this step (0 when unknown)
  int64_t start_ns = 0;      // since the Profile was created
  int64_t duration_ns = 0;
  int run = 0;               // which recorded run (0-based)
};

// One row of a summary: a node (or an op type) over every recorded run.
struct ProfileSummaryRow {
  std::string name;  // node name, or op type in ByOpType()
  std::string op_type;
  std::string kernel;
  std::string output_shape;
  int64_t calls = 0;
  int64_t total_ns = 0;
  double flops = 0;  // total over the calls
  double share = 0;  // of the total step time, 0..1
  double gflops_per_second() const { return total_ns > 0 ? flops / double(total_ns) : 0; }
};

class Profile {
 public:
  Profile();

  const std::vector<ProfileEvent>& events() const { return events_; }
  int runs() const { return runs_; }
  // Total time inside steps, and wall time of the recorded runs.
  int64_t total_step_ns() const;
  int64_t total_run_ns() const { return total_run_ns_; }

  std::vector<ProfileSummaryRow> ByNode() const;    // slowest first
  std::vector<ProfileSummaryRow> ByOpType() const;  // slowest first
  // A table for terminals: the `top` slowest nodes, then the per-op-type totals.
  std::string ToTable(int top = 25) const;
  // Chrome trace event format (opens in Perfetto / chrome://tracing).
  std::string ToChromeTraceJson() const;

  // Recording, for the executor.
  int64_t NowNs() const;
  int BeginRun();
  void EndRun(int64_t run_ns) { total_run_ns_ += run_ns; }
  void Add(ProfileEvent event) { events_.push_back(std::move(event)); }

 private:
  int64_t origin_ns_;
  int runs_ = 0;
  int64_t total_run_ns_ = 0;
  std::vector<ProfileEvent> events_;
};

}  // namespace brisk
