// Control flow: If, Loop, Scan. Their bodies are compiled once when the kernel is created and
// run through CompiledSubgraph, which reads outer-scope values from the calling frame.
#include <algorithm>
#include <cstring>

#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

// ---- helpers --------------------------------------------------------------------------------

// Copies element-blocks: `count` elements from src[src_index] to dst[dst_index] (strings aware).
void CopyElements(const Tensor& src, int64_t src_index, Tensor& dst, int64_t dst_index,
                  int64_t count) {
  if (count <= 0) return;
  if (src.dtype() == DType::kString) {
    std::copy_n(src.data<std::string>() + src_index, count, dst.data<std::string>() + dst_index);
    return;
  }
  const size_t es = DTypeSize(src.dtype());
  std::memcpy(static_cast<char*>(dst.raw_data()) + size_t(dst_index) * es,
              static_cast<const char*>(src.raw_data()) + size_t(src_index) * es,
              size_t(count) * es);
}

// Slice `index` of `t` along `axis` (that axis removed).
StatusOr<Tensor> TakeAlongAxis(const Tensor& t, int axis, int64_t index) {
  std::vector<int64_t> dims = t.shape().dims();
  const int64_t n = dims[size_t(axis)];
  dims.erase(dims.begin() + axis);
  BRISK_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(t.dtype(), Shape(dims)));
  const int64_t outer = t.shape().NumElements(0, axis);
  const int64_t inner = t.shape().NumElements(axis + 1, t.rank());
  for (int64_t o = 0; o < outer; ++o) CopyElements(t, (o * n + index) * inner, out, o * inner, inner);
  return out;
}

// Stacks equally shaped `parts` along a new `axis` (reversed when `reverse`).
StatusOr<Tensor> StackAlongAxis(const std::vector<Tensor>& parts, int axis, bool reverse,
                                std::string_view what) {
  const Tensor& first = parts.front();
  for (const Tensor& p : parts) {
    if (p.dtype() != first.dtype() || p.shape() != first.shape()) {
      return InvalidArgument(std::string(what) + ": iterations produced differing shapes " +
                             first.TypeString() + " and " + p.TypeString());
    }
  }
  if (axis < 0 || axis > first.rank()) {
    return InvalidArgument(std::string(what) + ": axis " + std::to_string(axis) +
                           " is out of range");
  }
  std::vector<int64_t> dims = first.shape().dims();
  const int64_t n = int64_t(parts.size());
  dims.insert(dims.begin() + axis, n);
  BRISK_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(first.dtype(), Shape(dims)));
  const int64_t outer = first.shape().NumElements(0, axis);
  const int64_t inner = first.shape().NumElements(axis, first.rank());
  for (int64_t k = 0; k < n; ++k) {
    const Tensor& p = parts[size_t(reverse ? n - 1 - k : k)];
    for (int64_t o = 0; o < outer; ++o) CopyElements(p, o * inner, out, (o * n + k) * inner, inner);
  }
  return out;
}

StatusOr<bool> ReadCondition(const Tensor& t, std::string_view what) {
  if (t.num_elements() != 1) {
    return InvalidArgument(std::string(what) + " must hold exactly one element, got " +
                           t.TypeString());
  }
  if (t.dtype() == DType::kBool) return t.data<bool>()[0];
  return InvalidArgument(std::string(what) + " must be bool, got " + t.TypeString());
}

ir::TypeInfo OutputType(const ir::Graph& g, size_t i) {
  return i < g.outputs().size() ? g.outputs()[i]->type : ir::TypeInfo{};
}

// The type both branches agree on: dims that differ become unknown.
ir::TypeInfo Join(const ir::TypeInfo& a, const ir::TypeInfo& b) {
  ir::TypeInfo out;
  out.dtype = a.dtype != DType::kUndefined ? a.dtype : b.dtype;
  if (a.shape && b.shape && a.shape->rank() == b.shape->rank()) {
    out.shape = a.shape;
    for (int i = 0; i < a.shape->rank(); ++i)
      if (a.shape->dims[size_t(i)] != b.shape->dims[size_t(i)])
        out.shape->dims[size_t(i)] = Dim::Unknown();
  }
  return out;
}

// ---- If -------------------------------------------------------------------------------------

Status InferIf(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(auto then_g, ctx.attrs().GetGraph("then_branch"));
  BRISK_ASSIGN_OR_RETURN(auto else_g, ctx.attrs().GetGraph("else_branch"));
  if (then_g->outputs().size() != else_g->outputs().size() ||
      int(then_g->outputs().size()) != ctx.num_outputs()) {
    return InvalidArgument("then_branch has " + std::to_string(then_g->outputs().size()) +
                           " outputs, else_branch " + std::to_string(else_g->outputs().size()) +
                           ", the node " + std::to_string(ctx.num_outputs()));
  }
  for (int i = 0; i < ctx.num_outputs(); ++i)
    ctx.set_output_type(i, Join(OutputType(*then_g, size_t(i)), OutputType(*else_g, size_t(i))));
  return Status::Ok();
}

class IfKernel final : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    auto kernel = std::make_unique<IfKernel>();
    BRISK_ASSIGN_OR_RETURN(auto then_g, init.attrs().GetGraph("then_branch"));
    BRISK_ASSIGN_OR_RETURN(auto else_g, init.attrs().GetGraph("else_branch"));
    BRISK_ASSIGN_OR_RETURN(kernel->then_, init.compile_subgraph(*then_g));
    BRISK_ASSIGN_OR_RETURN(kernel->else_, init.compile_subgraph(*else_g));
    return std::unique_ptr<Kernel>(std::move(kernel));
  }

  Status Run(KernelContext& ctx) const override {
    BRISK_ASSIGN_OR_RETURN(bool cond, ReadCondition(*ctx.input(0), "input 0 'cond'"));
    const CompiledSubgraph& branch = cond ? *then_ : *else_;
    auto outs = branch.Run(ctx, {});
    if (!outs.ok()) return outs.status().WithContext(cond ? "then_branch" : "else_branch");
    if (int(outs->size()) != ctx.num_outputs()) {
      return InvalidArgument("branch produced " + std::to_string(outs->size()) +
                             " outputs, the node has " + std::to_string(ctx.num_outputs()));
    }
    for (int i = 0; i < ctx.num_outputs(); ++i) ctx.set_output(i, std::move((*outs)[size_t(i)]));
    return Status::Ok();
  }

 private:
  std::shared_ptr<const CompiledSubgraph> then_, else_;
};

// ---- Loop -----------------------------------------------------------------------------------

Status InferLoop(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(auto body, ctx.attrs().GetGraph("body"));
  const int carried = ctx.num_inputs() - 2;
  if (carried < 0) return InvalidArgument("Loop needs inputs M and cond (either may be empty)");
  if (int(body->outputs().size()) != ctx.num_outputs() + 1) {
    return InvalidArgument("body has " + std::to_string(body->outputs().size()) +
                           " outputs; expected cond + " + std::to_string(ctx.num_outputs()));
  }
  for (int i = 0; i < ctx.num_outputs(); ++i) {
    const ir::TypeInfo body_out = OutputType(*body, size_t(i + 1));
    if (i < carried) {
      ctx.set_output_type(i, Join(ctx.input_type(i + 2), body_out));
    } else {
      ir::TypeInfo t{body_out.dtype, std::nullopt};
      if (body_out.shape) {
        t.shape = body_out.shape;
        t.shape->dims.insert(t.shape->dims.begin(), Dim::Unknown());
      }
      ctx.set_output_type(i, t);
    }
  }
  return Status::Ok();
}

class LoopKernel final : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    auto kernel = std::make_unique<LoopKernel>();
    BRISK_ASSIGN_OR_RETURN(auto body, init.attrs().GetGraph("body"));
    BRISK_ASSIGN_OR_RETURN(kernel->body_, init.compile_subgraph(*body));
    kernel->carried_ = int(init.node.inputs.size()) - 2;
    if (kernel->carried_ < 0) return InvalidArgument("Loop needs inputs M and cond");
    if (kernel->body_->num_inputs() != kernel->carried_ + 2) {
      return InvalidArgument("body takes " + std::to_string(kernel->body_->num_inputs()) +
                             " inputs; expected iteration_num, cond and " +
                             std::to_string(kernel->carried_) + " loop-carried values");
    }
    kernel->scan_outputs_ = kernel->body_->num_outputs() - 1 - kernel->carried_;
    if (kernel->scan_outputs_ < 0) return InvalidArgument("body has too few outputs");
    return std::unique_ptr<Kernel>(std::move(kernel));
  }

  Status Run(KernelContext& ctx) const override {
    int64_t max_trips = INT64_MAX;
    if (const Tensor* m = ctx.input(0)) {
      if (m->num_elements() != 1 || m->dtype() != DType::kInt64) {
        return InvalidArgument("input 0 'M' must be a single int64, got " + m->TypeString());
      }
      max_trips = m->data<int64_t>()[0];
    }
    bool cond = true;
    if (const Tensor* c = ctx.input(1)) {
      BRISK_ASSIGN_OR_RETURN(cond, ReadCondition(*c, "input 1 'cond'"));
    }
    std::vector<Tensor> carried;
    for (int i = 0; i < carried_; ++i) {
      if (!ctx.has_input(i + 2)) {
        return InvalidArgument("loop-carried input " + std::to_string(i + 2) + " is missing");
      }
      carried.push_back(*ctx.input(i + 2));
    }
    std::vector<std::vector<Tensor>> scans(static_cast<size_t>(scan_outputs_));
    std::vector<Tensor> body_inputs(size_t(carried_ + 2));
    for (int64_t iter = 0; iter < max_trips && cond; ++iter) {
      body_inputs[0] = Tensor::Scalar<int64_t>(iter);
      body_inputs[1] = Tensor::Scalar<bool>(cond);
      for (int i = 0; i < carried_; ++i) body_inputs[size_t(i + 2)] = carried[size_t(i)];
      auto outs = body_->Run(ctx, body_inputs);
      if (!outs.ok()) {
        return outs.status().WithContext("body, iteration " + std::to_string(iter));
      }
      BRISK_ASSIGN_OR_RETURN(cond, ReadCondition((*outs)[0], "body output 0 'cond'"));
      for (int i = 0; i < carried_; ++i) carried[size_t(i)] = std::move((*outs)[size_t(i + 1)]);
      for (int k = 0; k < scan_outputs_; ++k)
        scans[size_t(k)].push_back(std::move((*outs)[size_t(1 + carried_ + k)]));
    }
    for (int i = 0; i < carried_; ++i) ctx.set_output(i, std::move(carried[size_t(i)]));
    for (int k = 0; k < scan_outputs_; ++k) {
      Tensor stacked;
      if (scans[size_t(k)].empty()) {
        const auto& type = ctx.node().attrs.Find("body")->g->outputs()[size_t(1 + carried_ + k)]->type;
        std::vector<int64_t> dims{0};
        if (type.shape)
          for (const Dim& d : type.shape->dims) dims.push_back(d.is_known() ? d.value : 0);
        const DType dt = type.dtype == DType::kUndefined ? DType::kFloat32 : type.dtype;
        BRISK_ASSIGN_OR_RETURN(stacked, Tensor::Allocate(dt, Shape(dims)));
      } else {
        BRISK_ASSIGN_OR_RETURN(stacked, StackAlongAxis(scans[size_t(k)], 0, false,
                                                       "scan output " + std::to_string(k)));
      }
      ctx.set_output(carried_ + k, std::move(stacked));
    }
    return Status::Ok();
  }

 private:
  std::shared_ptr<const CompiledSubgraph> body_;
  int carried_ = 0;
  int scan_outputs_ = 0;
};

// ---- Scan (opset 9+) -------------------------------------------------------------------------

struct ScanAttrs {
  int num_scan_inputs = 0;
  std::vector<int64_t> input_directions, output_directions, input_axes, output_axes;
};

StatusOr<ScanAttrs> ReadScanAttrs(const ir::AttributeMap& attrs, int num_inputs, int num_outputs) {
  ScanAttrs a;
  BRISK_ASSIGN_OR_RETURN(int64_t m, attrs.GetInt("num_scan_inputs"));
  if (m < 1 || m > num_inputs) {
    return InvalidArgument("num_scan_inputs " + std::to_string(m) + " is out of range for " +
                           std::to_string(num_inputs) + " inputs");
  }
  a.num_scan_inputs = int(m);
  const int states = num_inputs - a.num_scan_inputs;
  const int scan_outs = num_outputs - states;
  if (scan_outs < 0) return InvalidArgument("Scan has fewer outputs than state variables");
  auto read = [&](const char* name, int n, std::vector<int64_t>& out) -> Status {
    BRISK_ASSIGN_OR_RETURN(out, attrs.GetInts(name, std::vector<int64_t>(size_t(n), 0)));
    if (int(out.size()) != n) {
      return InvalidArgument(std::string("attribute '") + name + "' has " +
                             std::to_string(out.size()) + " values, expected " + std::to_string(n));
    }
    return Status::Ok();
  };
  BRISK_RETURN_IF_ERROR(read("scan_input_directions", a.num_scan_inputs, a.input_directions));
  BRISK_RETURN_IF_ERROR(read("scan_output_directions", scan_outs, a.output_directions));
  BRISK_RETURN_IF_ERROR(read("scan_input_axes", a.num_scan_inputs, a.input_axes));
  BRISK_RETURN_IF_ERROR(read("scan_output_axes", scan_outs, a.output_axes));
  return a;
}

Status InferScan(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(auto body, ctx.attrs().GetGraph("body"));
  BRISK_ASSIGN_OR_RETURN(ScanAttrs a, ReadScanAttrs(ctx.attrs(), ctx.num_inputs(), ctx.num_outputs()));
  const int states = ctx.num_inputs() - a.num_scan_inputs;
  // Sequence length, when the first scan input's scanned dim is known.
  Dim seq = Dim::Unknown();
  const ir::TypeInfo& first_scan = ctx.input_type(states);
  if (first_scan.shape) {
    auto axis = NormalizeAxis(a.input_axes[0], first_scan.shape->rank());
    if (axis.ok() && *axis < first_scan.shape->rank()) seq = first_scan.shape->dims[size_t(*axis)];
  }
  for (int i = 0; i < ctx.num_outputs(); ++i) {
    const ir::TypeInfo body_out = OutputType(*body, size_t(i));
    if (i < states) {
      ctx.set_output_type(i, Join(ctx.input_type(i), body_out));
      continue;
    }
    ir::TypeInfo t{body_out.dtype, std::nullopt};
    if (body_out.shape) {
      auto axis = NormalizeAxis(a.output_axes[size_t(i - states)], body_out.shape->rank() + 1);
      if (axis.ok()) {
        t.shape = body_out.shape;
        t.shape->dims.insert(t.shape->dims.begin() + *axis, seq);
      }
    }
    ctx.set_output_type(i, t);
  }
  return Status::Ok();
}

class ScanKernel final : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    auto kernel = std::make_unique<ScanKernel>();
    BRISK_ASSIGN_OR_RETURN(auto body, init.attrs().GetGraph("body"));
    BRISK_ASSIGN_OR_RETURN(kernel->body_, init.compile_subgraph(*body));
    BRISK_ASSIGN_OR_RETURN(kernel->attrs_,
                           ReadScanAttrs(init.attrs(), int(init.node.inputs.size()),
                                         int(init.node.outputs.size())));
    if (kernel->body_->num_inputs() != int(init.node.inputs.size()) ||
        kernel->body_->num_outputs() != int(init.node.outputs.size())) {
      return InvalidArgument("body signature (" + std::to_string(kernel->body_->num_inputs()) +
                             " inputs, " + std::to_string(kernel->body_->num_outputs()) +
                             " outputs) does not match the node's");
    }
    return std::unique_ptr<Kernel>(std::move(kernel));
  }

  Status Run(KernelContext& ctx) const override {
    const int m = attrs_.num_scan_inputs;
    const int states = ctx.num_inputs() - m;
    const int scan_outs = ctx.num_outputs() - states;
    std::vector<Tensor> state;
    for (int i = 0; i < states; ++i) state.push_back(*ctx.input(i));
    std::vector<int> axes;
    int64_t seq_len = -1;
    for (int j = 0; j < m; ++j) {
      const Tensor* in = ctx.input(states + j);
      if (in == nullptr) return InvalidArgument("scan input " + std::to_string(j) + " is missing");
      BRISK_ASSIGN_OR_RETURN(int axis, NormalizeAxis(attrs_.input_axes[size_t(j)], in->rank(),
                                                     "scan_input_axes"));
      axes.push_back(axis);
      const int64_t len = in->dim(axis);
      if (seq_len >= 0 && len != seq_len) {
        return InvalidArgument("scan inputs have different sequence lengths (" +
                               std::to_string(seq_len) + " and " + std::to_string(len) + ")");
      }
      seq_len = len;
    }
    std::vector<std::vector<Tensor>> scans(static_cast<size_t>(scan_outs));
    std::vector<Tensor> body_inputs(size_t(states + m));
    for (int64_t t = 0; t < seq_len; ++t) {
      for (int i = 0; i < states; ++i) body_inputs[size_t(i)] = state[size_t(i)];
      for (int j = 0; j < m; ++j) {
        const int64_t idx = attrs_.input_directions[size_t(j)] ? seq_len - 1 - t : t;
        BRISK_ASSIGN_OR_RETURN(body_inputs[size_t(states + j)],
                               TakeAlongAxis(*ctx.input(states + j), axes[size_t(j)], idx));
      }
      auto outs = body_->Run(ctx, body_inputs);
      if (!outs.ok()) return outs.status().WithContext("body, iteration " + std::to_string(t));
      for (int i = 0; i < states; ++i) state[size_t(i)] = std::move((*outs)[size_t(i)]);
      for (int k = 0; k < scan_outs; ++k)
        scans[size_t(k)].push_back(std::move((*outs)[size_t(states + k)]));
    }
    for (int i = 0; i < states; ++i) ctx.set_output(i, std::move(state[size_t(i)]));
    for (int k = 0; k < scan_outs; ++k) {
      if (scans[size_t(k)].empty()) {
        return Unimplemented("Scan over an empty sequence (scan output shapes are unknown)");
      }
      const int rank = scans[size_t(k)][0].rank() + 1;
      BRISK_ASSIGN_OR_RETURN(int axis, NormalizeAxis(attrs_.output_axes[size_t(k)], rank,
                                                     "scan_output_axes"));
      BRISK_ASSIGN_OR_RETURN(Tensor stacked,
                             StackAlongAxis(scans[size_t(k)], axis,
                                            attrs_.output_directions[size_t(k)] != 0,
                                            "scan output " + std::to_string(k)));
      ctx.set_output(states + k, std::move(stacked));
    }
    return Status::Ok();
  }

 private:
  std::shared_ptr<const CompiledSubgraph> body_;
  ScanAttrs attrs_;
};

// ---- Scan (opset 8): batch-major, with an optional sequence_lens first input ----------------
// Each batch entry is scanned on its own (the opset-9 loop over one sequence) and the results
// are stacked along a new batch axis.

Status InferScan8(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(auto body, ctx.attrs().GetGraph("body"));
  BRISK_ASSIGN_OR_RETURN(int64_t m, ctx.attrs().GetInt("num_scan_inputs"));
  const int states = ctx.num_inputs() - 1 - int(m);
  if (m < 1 || states < 0) return InvalidArgument("num_scan_inputs is out of range");
  Dim batch = Dim::Unknown(), seq = Dim::Unknown();
  const ir::TypeInfo& first_scan = ctx.input_type(1 + states);
  if (first_scan.shape && first_scan.shape->rank() >= 2) {
    batch = first_scan.shape->dims[0];
    seq = first_scan.shape->dims[1];
  }
  for (int i = 0; i < ctx.num_outputs(); ++i) {
    const ir::TypeInfo body_out = OutputType(*body, size_t(i));
    ir::TypeInfo t{body_out.dtype, std::nullopt};
    if (body_out.shape) {
      t.shape = body_out.shape;
      if (i >= states) t.shape->dims.insert(t.shape->dims.begin(), seq);
      t.shape->dims.insert(t.shape->dims.begin(), batch);
    }
    ctx.set_output_type(i, t);
  }
  return Status::Ok();
}

class Scan8Kernel final : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    auto kernel = std::make_unique<Scan8Kernel>();
    BRISK_ASSIGN_OR_RETURN(auto body, init.attrs().GetGraph("body"));
    BRISK_ASSIGN_OR_RETURN(kernel->body_, init.compile_subgraph(*body));
    BRISK_ASSIGN_OR_RETURN(int64_t m, init.attrs().GetInt("num_scan_inputs"));
    const int inputs = int(init.node.inputs.size()) - 1;
    if (m < 1 || m > inputs) return InvalidArgument("num_scan_inputs is out of range");
    kernel->num_scan_inputs_ = int(m);
    BRISK_ASSIGN_OR_RETURN(kernel->directions_,
                           init.attrs().GetInts("directions", std::vector<int64_t>(size_t(m), 0)));
    if (int(kernel->directions_.size()) != m) {
      return InvalidArgument("attribute 'directions' needs one value per scan input");
    }
    if (kernel->body_->num_inputs() != inputs ||
        kernel->body_->num_outputs() != int(init.node.outputs.size())) {
      return InvalidArgument("body signature does not match the node's inputs and outputs");
    }
    return std::unique_ptr<Kernel>(std::move(kernel));
  }

  Status Run(KernelContext& ctx) const override {
    const int m = num_scan_inputs_;
    const int states = ctx.num_inputs() - 1 - m;
    const int scan_outs = ctx.num_outputs() - states;
    for (int i = 1; i < ctx.num_inputs(); ++i) {
      if (!ctx.has_input(i) || ctx.input(i)->rank() < (i > states ? 2 : 1)) {
        return InvalidArgument("input " + std::to_string(i) +
                               " is missing or lacks the batch (and sequence) axes");
      }
    }
    const int64_t batch = ctx.input(1 + states)->dim(0);
    const int64_t seq_len = ctx.input(1 + states)->dim(1);
    if (const Tensor* lens = ctx.input(0)) {
      BRISK_ASSIGN_OR_RETURN(auto values, ReadInts(*lens, "input 0 'sequence_lens'"));
      for (int64_t v : values)
        if (v != seq_len) {
          return Unimplemented("Scan-8 with sequence_lens shorter than the sequence axis");
        }
    }
    std::vector<std::vector<Tensor>> per_batch(static_cast<size_t>(ctx.num_outputs()));
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<Tensor> state;
      for (int i = 0; i < states; ++i) {
        BRISK_ASSIGN_OR_RETURN(Tensor s, TakeAlongAxis(*ctx.input(1 + i), 0, b));
        state.push_back(std::move(s));
      }
      std::vector<Tensor> sequences;
      for (int j = 0; j < m; ++j) {
        const Tensor& in = *ctx.input(1 + states + j);
        if (in.dim(0) != batch || in.dim(1) != seq_len) {
          return InvalidArgument("scan inputs disagree on batch or sequence length");
        }
        BRISK_ASSIGN_OR_RETURN(Tensor s, TakeAlongAxis(in, 0, b));
        sequences.push_back(std::move(s));
      }
      std::vector<std::vector<Tensor>> scans(static_cast<size_t>(scan_outs));
      std::vector<Tensor> body_inputs(static_cast<size_t>(states + m));
      for (int64_t t = 0; t < seq_len; ++t) {
        for (int i = 0; i < states; ++i) body_inputs[size_t(i)] = state[size_t(i)];
        for (int j = 0; j < m; ++j) {
          const int64_t idx = directions_[size_t(j)] ? seq_len - 1 - t : t;
          BRISK_ASSIGN_OR_RETURN(body_inputs[size_t(states + j)],
                                 TakeAlongAxis(sequences[size_t(j)], 0, idx));
        }
        auto outs = body_->Run(ctx, body_inputs);
        if (!outs.ok()) return outs.status().WithContext("body, batch " + std::to_string(b));
        for (int i = 0; i < states; ++i) state[size_t(i)] = std::move((*outs)[size_t(i)]);
        for (int k = 0; k < scan_outs; ++k)
          scans[size_t(k)].push_back(std::move((*outs)[size_t(states + k)]));
      }
      for (int i = 0; i < states; ++i) per_batch[size_t(i)].push_back(std::move(state[size_t(i)]));
      for (int k = 0; k < scan_outs; ++k) {
        if (scans[size_t(k)].empty()) return Unimplemented("Scan over an empty sequence");
        BRISK_ASSIGN_OR_RETURN(Tensor stacked, StackAlongAxis(scans[size_t(k)], 0, false,
                                                              "scan output " + std::to_string(k)));
        per_batch[size_t(states + k)].push_back(std::move(stacked));
      }
    }
    for (int i = 0; i < ctx.num_outputs(); ++i) {
      if (per_batch[size_t(i)].empty()) return Unimplemented("Scan over an empty batch");
      BRISK_ASSIGN_OR_RETURN(Tensor out, StackAlongAxis(per_batch[size_t(i)], 0, false,
                                                        "output " + std::to_string(i)));
      ctx.set_output(i, std::move(out));
    }
    return Status::Ok();
  }

 private:
  std::shared_ptr<const CompiledSubgraph> body_;
  int num_scan_inputs_ = 0;
  std::vector<int64_t> directions_;
};

}  // namespace

BRISK_REGISTER_OPS(control_flow) {
  Op("If").Since(1).Infer(InferIf).Kernel<IfKernel>();
  Op("Loop").Since(1).Infer(InferLoop).Kernel<LoopKernel>();
  Op("Scan").Since(8).Until(8).Infer(InferScan8).Kernel<Scan8Kernel>();
  Op("Scan").Since(9).Infer(InferScan).Kernel<ScanKernel>();
}

}  // namespace brisk
