#include "runtime/executor.h"

#include "kernels/op_runner.h"
#include "runtime/memory_planner.h"
#include "runtime/model_stats.h"

#include <cstring>

namespace brisk {
namespace {

// Kernels do not throw, but the standard library may (bad_alloc, length_error): turn that into
// an error for this node instead of ending the process.
Status RunGuarded(const Kernel& kernel, KernelContext& ctx) {
  try {
    return kernel.Run(ctx);
  } catch (const std::bad_alloc&) {
    return ResourceExhausted("out of memory");
  } catch (const std::exception& e) {
    return Internal(std::string("unexpected exception: ") + e.what());
  }
}

// Ops whose reference kernels return a view of input 0 (same bytes, new shape): their output
// shares the input's arena region and keeps it alive.
bool IsAliasOp(const ir::Node& node) {
  static const char* kOps[] = {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity"};
  if (!node.domain.empty() && node.domain != "ai.onnx") return false;
  for (const char* op : kOps)
    if (node.op_type == op) return true;
  return false;
}

// Elementwise ops that may write their output over an input of the same size whose last use
// they are: element i of the output depends only on element i of that input.
bool IsInPlaceOp(const ir::Node& node) {
  static const char* kOps[] = {"Relu", "LeakyRelu", "Sigmoid", "Tanh", "HardSigmoid",
                               "HardSwish", "Gelu", "Erf", "Exp", "Log", "Neg", "Abs",
                               "Sqrt", "Reciprocal", "Clip", "Elu", "Selu", "Softplus",
                               "Add", "Sub", "Mul", "Div"};
  if (!node.domain.empty() && node.domain != "ai.onnx") return false;
  for (const char* op : kOps)
    if (node.op_type == op) return true;
  return false;
}

// Byte size of a value whose type is fully known (fixed-size dtype), else nullopt.
std::optional<int64_t> StaticBytes(const ir::TypeInfo& type) {
  if (type.dtype == DType::kUndefined || type.dtype == DType::kString) return std::nullopt;
  if (!type.shape || !type.shape->IsFullyKnown()) return std::nullopt;
  const auto shape = type.shape->ToShape();
  if (!shape) return std::nullopt;
  // An inferred shape too large to exist (a malformed model) has no static size: the run fails
  // with a clear error when it tries to allocate it.
  StatusOr<int64_t> elements = CheckedNumElements(shape->dims());
  if (!elements.ok()) return std::nullopt;
  return *elements * int64_t(DTypeSize(type.dtype));
}

}  // namespace

StatusOr<std::shared_ptr<const CompiledGraph>> CompiledGraph::Compile(
    const ir::Graph& graph, ValueTable table, const CompileOptions& options) {
  std::shared_ptr<CompiledGraph> compiled(new CompiledGraph(graph, std::move(table), options));
  BRISK_RETURN_IF_ERROR(compiled->Build());
  return std::shared_ptr<const CompiledGraph>(std::move(compiled));
}

StatusOr<std::shared_ptr<const CompiledGraph>> CompiledGraph::CompileSubgraph(
    const ir::Graph& graph, const CompileOptions& options) {
  ValueTable table;
  table.types.resize(size_t(graph.num_values()));
  table.constants.resize(size_t(graph.num_values()));
  for (const auto& v : graph.values()) {
    table.types[size_t(v->index())] = v->type;
    if (v->constant && !v->is_graph_input) table.constants[size_t(v->index())] = *v->constant;
  }
  return Compile(graph, std::move(table), options);
}

Status CompiledGraph::Build() {
  const int num_values = graph_.num_values();
  std::vector<int> last_use(size_t(num_values), -1);
  std::vector<bool> keep(size_t(num_values), false);  // outputs and constants are never released
  for (const ir::Value* v : graph_.outputs()) keep[size_t(v->index())] = true;
  for (const auto& v : graph_.values()) {
    if (table_.constants[size_t(v->index())]) keep[size_t(v->index())] = true;
    if (v->outer != nullptr) outer_values_.push_back(v->index());
  }

  auto compile_subgraph =
      [this](const ir::Graph& sub) -> StatusOr<std::shared_ptr<const CompiledSubgraph>> {
    BRISK_ASSIGN_OR_RETURN(auto compiled, CompileSubgraph(sub, options_));
    return std::shared_ptr<const CompiledSubgraph>(std::move(compiled));
  };
  for (const auto& node : graph_.nodes()) {
    const std::vector<const OpDef*> candidates = OpRegistry::Global().FindKernels(
        node->domain, node->op_type, node->opset, options_.reference_kernels_only);
    if (candidates.empty()) {
      return Unimplemented(node->Describe() + ": no kernel for this op");
    }
    Step step;
    step.node = node.get();
    std::vector<ir::TypeInfo> in_types;
    std::vector<const Tensor*> in_constants;
    for (const ir::Value* v : node->inputs) {
      step.inputs.push_back(v ? v->index() : -1);
      in_types.push_back(v ? table_.types[size_t(v->index())] : ir::TypeInfo{});
      const std::optional<Tensor>* c = v ? &table_.constants[size_t(v->index())] : nullptr;
      in_constants.push_back(c != nullptr && c->has_value() ? &**c : nullptr);
    }
    for (const ir::Value* v : node->outputs) step.outputs.push_back(v ? v->index() : -1);
    KernelInit init{*node, std::move(in_types), std::move(in_constants), compile_subgraph};
    // Fast kernels first; one may decline the node (null kernel) and the next is tried, ending
    // with the reference kernel, which accepts everything its op defines.
    for (const OpDef* def : candidates) {
      auto kernel = def->create(init);
      if (!kernel.ok()) return kernel.status().WithContext(node->Describe());
      if (*kernel == nullptr) continue;
      step.kernel = std::move(kernel).value();
      step.backend = def->backend;
      break;
    }
    if (step.kernel == nullptr) {
      return Internal(node->Describe() + ": every kernel declined the node");
    }
    step.description = step.kernel->Describe();
    step.flops = NodeFlops(*node, table_).value_or(0.0);
    if (!node->outputs.empty() && node->outputs[0] != nullptr) {
      const ir::TypeInfo& out = table_.types[size_t(node->outputs[0]->index())];
      step.output_shape = out.shape ? out.shape->ToString() : "?";
    }
    const int step_index = int(steps_.size());
    for (int idx : step.inputs)
      if (idx >= 0) last_use[size_t(idx)] = step_index;
    for (const ir::Value* v : node->implicit_inputs) last_use[size_t(v->index())] = step_index;
    steps_.push_back(std::move(step));
  }
  for (int idx = 0; idx < num_values; ++idx) {
    if (keep[size_t(idx)] || last_use[size_t(idx)] < 0) continue;
    steps_[size_t(last_use[size_t(idx)])].release.push_back(idx);
  }
  PlanArena(last_use, keep);
  result_index_.assign(size_t(num_values), -1);
  for (size_t r = graph_.outputs().size(); r-- > 0;)
    result_index_[size_t(graph_.outputs()[r]->index())] = int(r);
  return Status::Ok();
}

void CompiledGraph::PlanArena(const std::vector<int>& last_use, const std::vector<bool>& keep) {
  placement_.assign(size_t(graph_.num_values()), Placement{});
  for (const auto& v : table_.constants)
    if (v) memory_.weight_bytes += int64_t(v->byte_size());
  // Buffers (groups of values sharing one region: a value, its views, in-place successors).
  std::vector<BufferRequest> buffers;
  std::vector<int> group(size_t(graph_.num_values()), -1);
  for (int s = 0; s < int(steps_.size()); ++s) {
    const Step& step = steps_[size_t(s)];
    for (int idx : step.outputs) {
      if (idx < 0 || keep[size_t(idx)]) continue;
      const ir::TypeInfo& type = table_.types[size_t(idx)];
      const std::optional<int64_t> bytes = StaticBytes(type);
      const int last = std::max(s, last_use[size_t(idx)]);
      if (!bytes) continue;  // size known only at run time: allocated by the kernel
      if (IsAliasOp(*step.node)) {
        // A view: lands on its input's region when that is planned; never its own region.
        const int in = step.inputs.empty() ? -1 : step.inputs[0];
        if (in >= 0 && group[size_t(in)] >= 0) {
          const int g = group[size_t(in)];
          group[size_t(idx)] = g;
          buffers[size_t(g)].last_step = std::max(buffers[size_t(g)].last_step, last);
          ++memory_.aliased_values;
        }
        continue;
      }
      int joined = -1;
      if (IsInPlaceOp(*step.node)) {
        for (int in : step.inputs) {
          if (in < 0 || group[size_t(in)] < 0) continue;
          const BufferRequest& b = buffers[size_t(group[size_t(in)])];
          // The input's buffer dies here (no view of it lives on) and has the same size.
          if (b.last_step == s && StaticBytes(table_.types[size_t(in)]) == bytes &&
              b.bytes == *bytes) {
            joined = group[size_t(in)];
            break;
          }
        }
      }
      if (joined >= 0) {
        buffers[size_t(joined)].last_step = last;
        group[size_t(idx)] = joined;
        ++memory_.in_place_values;
      } else {
        group[size_t(idx)] = int(buffers.size());
        buffers.push_back({*bytes, s, last});
      }
      memory_.requested_bytes += ArenaBytesFor(*bytes);
      placement_[size_t(idx)].preallocate = true;
      placement_[size_t(idx)].shape = type.shape->ToShape();
      ++memory_.planned_values;
    }
  }
  const MemoryPlan plan = PlanMemory(buffers);
  memory_.arena_bytes = plan.arena_bytes;
  for (size_t idx = 0; idx < group.size(); ++idx)
    if (group[idx] >= 0) placement_[idx].offset = plan.offsets[size_t(group[idx])];
}

std::unique_ptr<Frame> CompiledGraph::AcquireFrame(const Frame* parent) const {
  std::unique_ptr<Frame> frame;
  {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    if (!free_frames_.empty()) {
      frame = std::move(free_frames_.back());
      free_frames_.pop_back();
    }
  }
  if (frame == nullptr) {
    frame = std::make_unique<Frame>();
    frame->graph = this;
    frame->slots.resize(size_t(graph_.num_values()));
  }
  frame->parent = parent;
  return frame;
}

void CompiledGraph::ReleaseFrame(std::unique_ptr<Frame> frame) const {
  for (Tensor& t : frame->slots) t = Tensor();
  frame->parent = nullptr;
  std::lock_guard<std::mutex> lock(pool_mutex_);
  free_frames_.push_back(std::move(frame));
}

Status CompiledGraph::SettleOutput(const Frame& frame, int idx, Tensor& t) const {
  if (!frame.InArena(t.raw_data())) return Status::Ok();
  const Placement& p = placement_[size_t(idx)];
  const auto* base = static_cast<const char*>(frame.arena->data());
  if (p.offset >= 0 && t.raw_data() == base + p.offset) return Status::Ok();
  // A view into some other value's region, which may be reused before this value dies.
  BRISK_ASSIGN_OR_RETURN(t, t.Clone());
  return Status::Ok();
}

StatusOr<std::vector<Tensor>> CompiledGraph::Execute(std::vector<Tensor> inputs,
                                                     const Frame* parent,
                                                     Profile* profile) const {
  std::vector<Tensor> results(graph_.outputs().size());
  BRISK_RETURN_IF_ERROR(ExecuteInto(inputs, parent, profile, results));
  return results;
}

namespace {

// Copies `from` into the caller's buffer `to` (same dtype and shape).
Status CopyIntoCallerBuffer(const Tensor& from, Tensor& to, const std::string& name) {
  if (from.dtype() != to.dtype() || from.shape() != to.shape()) {
    return InvalidArgument("output '" + name + "' is " + from.TypeString() +
                           " but the buffer given for it is " + to.TypeString());
  }
  if (from.raw_data() == to.raw_data()) return Status::Ok();
  if (from.dtype() == DType::kString) {
    for (int64_t i = 0; i < from.num_elements(); ++i)
      to.data<std::string>()[i] = from.data<std::string>()[i];
  } else {
    std::memcpy(to.raw_data(), from.raw_data(), from.byte_size());
  }
  return Status::Ok();
}

}  // namespace

Status CompiledGraph::ExecuteInto(std::span<const Tensor> inputs, const Frame* parent,
                                  Profile* profile, std::span<Tensor> results) const {
  if (inputs.size() != graph_.inputs().size() || results.size() != graph_.outputs().size()) {
    return InvalidArgument("graph '" + graph_.name() + "' takes " +
                           std::to_string(graph_.inputs().size()) + " inputs and " +
                           std::to_string(graph_.outputs().size()) + " outputs, got " +
                           std::to_string(inputs.size()) + " and " +
                           std::to_string(results.size()));
  }
  std::unique_ptr<Frame> owned_frame = AcquireFrame(parent);
  Frame& frame = *owned_frame;
  if (memory_.arena_bytes > 0 && frame.arena == nullptr) {
    BRISK_ASSIGN_OR_RETURN(frame.arena, Buffer::Allocate(size_t(memory_.arena_bytes)));
  }
  // Returns the frame to the pool however this run ends.
  struct FrameReturn {
    const CompiledGraph* graph;
    std::unique_ptr<Frame>& frame;
    ~FrameReturn() { graph->ReleaseFrame(std::move(frame)); }
  } frame_return{this, owned_frame};
  char* arena = frame.arena ? static_cast<char*>(frame.arena->data()) : nullptr;
  for (size_t i = 0; i < table_.constants.size(); ++i)
    if (table_.constants[i]) frame.slots[i] = *table_.constants[i];
  for (int idx : outer_values_) {
    const ir::Value* outer = graph_.values()[size_t(idx)]->outer;
    if (parent == nullptr || &parent->graph->graph() != outer->graph()) {
      return Internal("graph '" + graph_.name() + "' reads outer value '" + outer->name() +
                      "' but runs without its enclosing frame");
    }
    frame.slots[size_t(idx)] = parent->slots[size_t(outer->index())];
  }
  for (size_t i = 0; i < inputs.size(); ++i)
    frame.slots[size_t(graph_.inputs()[i]->index())] = inputs[i];

  for (const Step& step : steps_) {
    std::vector<const Tensor*>& in_ptrs = frame.in_ptrs;
    in_ptrs.clear();
    for (size_t i = 0; i < step.inputs.size(); ++i) {
      const int idx = step.inputs[i];
      if (idx < 0) {
        in_ptrs.push_back(nullptr);
        continue;
      }
      const Tensor& t = frame.slots[size_t(idx)];
      if (!t.defined()) {
        return Internal(step.node->Describe() + ": input " + std::to_string(i) + " '" +
                        step.node->inputs[i]->name() + "' has not been computed");
      }
      in_ptrs.push_back(&t);
    }
    std::vector<Tensor>& outputs = frame.outputs;
    outputs.clear();
    outputs.resize(step.outputs.size());
    for (size_t i = 0; i < step.outputs.size(); ++i) {
      const int idx = step.outputs[i];
      if (idx < 0) continue;
      const Placement& p = placement_[size_t(idx)];
      // KernelContext::AllocateOutput hands these buffers to the kernel: the value's arena
      // region, or the caller's buffer for a graph output.
      if (p.preallocate && arena != nullptr) {
        outputs[i] = Tensor::View(table_.types[size_t(idx)].dtype, *p.shape, arena + p.offset);
      } else if (const int r = result_index_[size_t(idx)]; r >= 0 && results[size_t(r)].defined()) {
        outputs[i] = results[size_t(r)];
      }
    }
    // The input list moves into the context and back: no allocation per step.
    KernelContext ctx(*step.node, std::move(in_ptrs), &outputs, &frame);
    const int64_t start_ns = profile != nullptr ? profile->NowNs() : 0;
    Status s = RunGuarded(*step.kernel, ctx);
    in_ptrs = ctx.ReleaseInputs();
    if (profile != nullptr) {
      profile->Add({step.node->name, step.node->op_type, step.description, step.output_shape,
                    step.flops, start_ns, profile->NowNs() - start_ns, profile->runs() - 1});
    }
    if (!s.ok()) return s.WithContext(step.node->Describe());
    for (size_t i = 0; i < step.outputs.size(); ++i) {
      const int idx = step.outputs[i];
      if (idx < 0) continue;
      if (!outputs[i].defined()) {
        return Internal(step.node->Describe() + ": the kernel did not produce output " +
                        std::to_string(i) + " '" + step.node->outputs[i]->name() + "'");
      }
      if (options_.check_inferred_types) {
        const ir::TypeInfo& type = table_.types[size_t(idx)];
        BRISK_RETURN_IF_ERROR(CheckAgainstInferred(
            outputs[i], type.dtype, type.shape,
            step.node->Describe() + " output '" + step.node->outputs[i]->name() + "'"));
      }
      if (Status settled = SettleOutput(frame, idx, outputs[i]); !settled.ok()) {
        return settled.WithContext(step.node->Describe());
      }
      frame.slots[size_t(idx)] = std::move(outputs[i]);
    }
    for (int idx : step.release) frame.slots[size_t(idx)] = Tensor();
  }
  for (size_t r = 0; r < results.size(); ++r) {
    const ir::Value* v = graph_.outputs()[r];
    const Tensor& t = frame.slots[size_t(v->index())];
    if (!t.defined()) {
      return Internal("graph '" + graph_.name() + "': output '" + v->name() +
                      "' was not computed");
    }
    if (results[r].defined()) {
      BRISK_RETURN_IF_ERROR(CopyIntoCallerBuffer(t, results[r], v->name()));
    } else if (frame.InArena(t.raw_data())) {
      // The arena is reused by the next run: outputs must own their data.
      BRISK_ASSIGN_OR_RETURN(results[r], t.Clone());
    } else {
      results[r] = t;
    }
  }
  return Status::Ok();
}

StatusOr<std::vector<Tensor>> CompiledGraph::Run(const KernelContext& ctx,
                                                 std::span<const Tensor> inputs) const {
  return Execute(std::vector<Tensor>(inputs.begin(), inputs.end()),
                 static_cast<const Frame*>(ctx.frame()));
}

}  // namespace brisk
