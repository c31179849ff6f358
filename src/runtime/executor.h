// Compiled graphs and their execution.
//
// A CompiledGraph is a flat list of steps (kernel + value slots) for one graph and one set of
// input types. It is immutable once compiled and may run on many threads at once: each run gets
// its own Frame of value slots. Values are released after their last use. Subgraphs (If/Loop/Scan
// bodies) are CompiledGraphs too, run by their control-flow kernels with the caller's frame as
// parent, from which they read the outer-scope values they reference.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "brisk/profile.h"
#include "brisk/status.h"
#include "brisk/tensor.h"
#include "ir/graph.h"
#include "kernels/registry.h"
#include "runtime/type_inference.h"

namespace brisk {

struct CompileOptions {
  // Check every kernel output against the inferred dtype/shape (tests and conformance).
  bool check_inferred_types = false;
  // Use only the reference kernels (the oracle), never a fast backend.
  bool reference_kernels_only = false;
};

class CompiledGraph;

// The value slots of one run of one graph, and the arena its planned intermediates live in.
// Frames are pooled per compiled graph and reused by later runs (one per concurrent run).
struct Frame {
  const CompiledGraph* graph = nullptr;
  std::vector<Tensor> slots;
  const Frame* parent = nullptr;
  std::shared_ptr<Buffer> arena;
  // Per-step scratch, kept between runs so a steady-state run allocates nothing.
  std::vector<const Tensor*> in_ptrs;
  std::vector<Tensor> outputs;

  bool InArena(const void* p) const {
    const auto* base = arena ? static_cast<const char*>(arena->data()) : nullptr;
    return base != nullptr && p >= base && p < base + arena->size();
  }
};

// What the memory planner decided for a plan.
struct MemoryStats {
  int64_t arena_bytes = 0;      // one arena per concurrent run
  int64_t requested_bytes = 0;  // planned intermediates without reuse
  int64_t weight_bytes = 0;     // constants (initializers and folded values)
  int planned_values = 0;
  int in_place_values = 0;      // outputs written over a dying input (in-place elementwise)
  int aliased_values = 0;       // views sharing their input's buffer (Reshape, Squeeze, ...)
};

class CompiledGraph final : public CompiledSubgraph {
 public:
  // `table` holds the types and constants of every value of `graph` (from InferValueTable).
  static StatusOr<std::shared_ptr<const CompiledGraph>> Compile(const ir::Graph& graph,
                                                                ValueTable table,
                                                                const CompileOptions& options);
  // Compiles a subgraph from the symbolic types stored in its values.
  static StatusOr<std::shared_ptr<const CompiledGraph>> CompileSubgraph(
      const ir::Graph& graph, const CompileOptions& options);

  // Runs with `inputs` bound to the graph inputs in order; returns the graph outputs in order.
  // With a profile, every step is timed into it.
  StatusOr<std::vector<Tensor>> Execute(std::vector<Tensor> inputs, const Frame* parent,
                                        Profile* profile = nullptr) const;
  // The same into `results` (one per graph output): a result that is defined on entry is a
  // caller buffer of the output's dtype and shape, written in place (the producing kernel writes
  // straight into it when it can); an undefined one receives a tensor that owns its data.
  // Allocates nothing in steady state when the kernels do not.
  Status ExecuteInto(std::span<const Tensor> inputs, const Frame* parent, Profile* profile,
                     std::span<Tensor> results) const;

  // CompiledSubgraph:
  StatusOr<std::vector<Tensor>> Run(const KernelContext& ctx,
                                    std::span<const Tensor> inputs) const override;
  int num_inputs() const override { return int(graph_.inputs().size()); }
  int num_outputs() const override { return int(graph_.outputs().size()); }

  const ir::Graph& graph() const { return graph_; }
  const ValueTable& table() const { return table_; }
  int num_steps() const { return int(steps_.size()); }
  const MemoryStats& memory_stats() const { return memory_; }

 private:
  struct Step {
    const ir::Node* node = nullptr;
    std::unique_ptr<Kernel> kernel;
    std::string backend;       // the OpDef backend the kernel came from
    std::string description;   // Kernel::Describe(), for the profiler
    std::string output_shape;  // of output 0 as inferred for this plan
    double flops = 0;
    std::vector<int> inputs;   // value index per input, -1 when absent
    std::vector<int> outputs;  // value index per output, -1 when unused
    std::vector<int> release;  // values whose last use is this step
  };

  // Where a value lives when the planner placed it.
  struct Placement {
    int64_t offset = -1;          // in the arena; -1 = not planned
    bool preallocate = false;     // the kernel writes into the region (else: a view lands there)
    std::optional<Shape> shape;   // concrete shape, for preallocated outputs
  };

  CompiledGraph(const ir::Graph& graph, ValueTable table, CompileOptions options)
      : graph_(graph), table_(std::move(table)), options_(options) {}
  Status Build();
  void PlanArena(const std::vector<int>& last_use, const std::vector<bool>& keep);
  std::unique_ptr<Frame> AcquireFrame(const Frame* parent) const;
  void ReleaseFrame(std::unique_ptr<Frame> frame) const;
  // Keeps `t` (the value `idx`) valid for its planned lifetime: a tensor in the arena but not
  // at the value's own region (a view into another value's buffer) is copied out.
  Status SettleOutput(const Frame& frame, int idx, Tensor& t) const;

  const ir::Graph& graph_;
  ValueTable table_;
  CompileOptions options_;
  std::vector<Step> steps_;
  std::vector<int> outer_values_;  // placeholders filled from the parent frame
  std::vector<Placement> placement_;  // per value
  std::vector<int> result_index_;     // per value: its position among the graph outputs, or -1
  MemoryStats memory_;
  mutable std::mutex pool_mutex_;
  mutable std::vector<std::unique_ptr<Frame>> free_frames_;
};

}  // namespace brisk
