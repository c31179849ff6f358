// The op registry: for each (domain, op type, opset range) a shape/dtype inference function and
// a kernel factory. Kernels register themselves from their own file (no central list):
//
//   BRISK_REGISTER_OPS(relu) {
//     Op("Relu").Since(6).Infer(InferSameAsInput0).Compute(ReluCompute);
//   }
//
// A kernel is created once per node when a plan is compiled (validating attributes, packing
// weights) and then run many times; Run() is const so one kernel serves concurrent runs.
#pragma once

#include <functional>
#include <memory>
#include <source_location>
#include <span>
#include <string>
#include <vector>

#include "brisk/status.h"
#include "brisk/tensor.h"
#include "ir/graph.h"

namespace brisk {

class KernelContext;

// ---- Shape and dtype inference -------------------------------------------------------------

// One element of a small integer tensor as far as inference knows it: a number (possibly
// negative, like Reshape's -1), a named dimension (Shape of an [N, 3] input is [N, 3]), or
// nothing.
struct SymbolicInt {
  std::optional<int64_t> value;
  std::string symbol;

  static SymbolicInt FromDim(const Dim& d) {
    if (d.is_known()) return {d.value, {}};
    return {std::nullopt, d.symbol};
  }
  // A dimension: known when the value is a non-negative number.
  Dim ToDim() const {
    if (value && *value >= 0) return Dim::Known(*value);
    if (!symbol.empty()) return Dim::Symbol(symbol);
    return Dim::Unknown();
  }
};
using SymbolicValue = std::vector<SymbolicInt>;

class InferenceContext {
 public:
  InferenceContext(const ir::Node& node, std::vector<ir::TypeInfo> input_types,
                   std::vector<const Tensor*> input_constants)
      : node_(node),
        input_types_(std::move(input_types)),
        input_constants_(std::move(input_constants)),
        output_types_(node.outputs.size()) {}

  const ir::Node& node() const { return node_; }
  int opset() const { return node_.opset; }
  const ir::AttributeMap& attrs() const { return node_.attrs; }
  int num_inputs() const { return int(input_types_.size()); }
  bool has_input(int i) const { return node_.has_input(i); }
  // Unknown TypeInfo for a missing input.
  const ir::TypeInfo& input_type(int i) const;
  // The input's value when known before run time (initializer or folded constant), else null.
  const Tensor* input_constant(int i) const;
  // For a small integer input (a shape tensor): its elements as dims, some possibly symbolic
  // (Shape of an [N, 3] input is [N, 3]) or unknown; null when nothing is known.
  const SymbolicValue* input_symbolic_value(int i) const {
    return i >= 0 && i < int(input_symbolic_values_.size()) ? input_symbolic_values_[size_t(i)]
                                                             : nullptr;
  }
  void set_input_symbolic_values(std::vector<const SymbolicValue*> values) {
    input_symbolic_values_ = std::move(values);
  }
  int num_outputs() const { return int(output_types_.size()); }
  // Writes past the node's outputs are ignored (an inference function may describe optional
  // outputs the node does not have).
  void set_output_type(int i, ir::TypeInfo t) {
    if (i >= 0 && i < num_outputs()) output_types_[size_t(i)] = std::move(t);
  }
  void set_output(int i, DType dtype, std::optional<SymbolicShape> shape) {
    set_output_type(i, ir::TypeInfo{dtype, std::move(shape)});
  }
  const std::vector<ir::TypeInfo>& output_types() const { return output_types_; }

 private:
  const ir::Node& node_;
  std::vector<ir::TypeInfo> input_types_;
  std::vector<const Tensor*> input_constants_;
  std::vector<const SymbolicValue*> input_symbolic_values_;
  std::vector<ir::TypeInfo> output_types_;
};

using InferFn = std::function<Status(InferenceContext&)>;

// ---- Kernels -------------------------------------------------------------------------------

// A compiled subgraph (If branch, Loop/Scan body) that a control-flow kernel can run.
class CompiledSubgraph {
 public:
  virtual ~CompiledSubgraph() = default;
  // Runs the body with `inputs` bound to its formal inputs in order. Values the body reads
  // from enclosing graphs are taken from the frame of `ctx`.
  virtual StatusOr<std::vector<Tensor>> Run(const KernelContext& ctx,
                                            std::span<const Tensor> inputs) const = 0;
  virtual int num_inputs() const = 0;
  virtual int num_outputs() const = 0;
};

// What a kernel factory sees: the node (attributes, opset) and what is known of its inputs.
struct KernelInit {
  const ir::Node& node;
  std::vector<ir::TypeInfo> input_types;
  std::vector<const Tensor*> input_constants;
  std::function<StatusOr<std::shared_ptr<const CompiledSubgraph>>(const ir::Graph&)>
      compile_subgraph;

  int opset() const { return node.opset; }
  const ir::AttributeMap& attrs() const { return node.attrs; }
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual Status Run(KernelContext& ctx) const = 0;
  // Which implementation this is, for the profiler and `brisk profile` ("reference",
  // "onednn:jit:avx512_core", "avx512"). Fast kernels say what they picked at create time.
  virtual std::string Describe() const { return "reference"; }
};

// A factory of a fast backend may return a null kernel (with OK status) to say "not for this
// node" (a dtype, attribute or shape it does not cover); the compiler then tries the next
// candidate and finally the reference kernel.
using KernelFactory = std::function<StatusOr<std::unique_ptr<Kernel>>(const KernelInit&)>;
using ComputeFn = std::function<Status(KernelContext&)>;

// The per-run view a kernel computes through: its inputs, where its outputs go, its node.
class KernelContext {
 public:
  KernelContext(const ir::Node& node, std::vector<const Tensor*> inputs, std::vector<Tensor>* outputs,
                const void* frame = nullptr)
      : node_(node), inputs_(std::move(inputs)), outputs_(outputs), frame_(frame) {}

  const ir::Node& node() const { return node_; }
  int opset() const { return node_.opset; }
  const ir::AttributeMap& attrs() const { return node_.attrs; }

  int num_inputs() const { return int(inputs_.size()); }
  // nullptr when the optional input is absent.
  const Tensor* input(int i) const {
    return i < num_inputs() ? inputs_[size_t(i)] : nullptr;
  }
  bool has_input(int i) const { return input(i) != nullptr; }

  int num_outputs() const { return int(outputs_->size()); }
  // False when the graph does not use optional output i.
  bool output_requested(int i) const {
    return i < int(node_.outputs.size()) && node_.outputs[size_t(i)] != nullptr;
  }
  void set_output(int i, Tensor t) { (*outputs_)[size_t(i)] = std::move(t); }
  // Allocates output i and returns it for writing.
  StatusOr<Tensor*> AllocateOutput(int i, DType dtype, Shape shape);

  // Opaque pointer to the executor's frame, for CompiledSubgraph::Run.
  const void* frame() const { return frame_; }
  // Hands the input list back to the executor, which reuses it for the next step.
  std::vector<const Tensor*> ReleaseInputs() { return std::move(inputs_); }

 private:
  const ir::Node& node_;
  std::vector<const Tensor*> inputs_;
  std::vector<Tensor>* outputs_;
  const void* frame_;
};

// ---- Registry ------------------------------------------------------------------------------

inline constexpr int kMaxOpset = 1 << 20;
// Backends: the reference kernels define each op (inference + oracle compute); fast backends
// only add kernels for ops the reference defines.
inline constexpr std::string_view kReferenceBackend = "reference";
inline constexpr std::string_view kCpuBackend = "cpu";
// Domain of the ops brisk's graph passes create (FusedConv, FusedMatMul, ...).
inline constexpr std::string_view kBriskDomain = "ai.brisk";

struct OpDef {
  std::string domain;  // "" for ai.onnx
  std::string op_type;
  int since = 1;
  int until = kMaxOpset;  // inclusive
  std::string backend = std::string(kReferenceBackend);
  InferFn infer;          // reference definitions only
  KernelFactory create;
  const char* file = "";  // where it was registered, for diagnostics
};

class OpRegistry {
 public:
  static OpRegistry& Global();
  void Register(OpDef def);
  // The reference definition for `op_type` valid at `opset` (inference + reference kernel), or
  // nullptr.
  const OpDef* Find(std::string_view domain, std::string_view op_type, int opset) const;
  // Kernel candidates for a node, best first: fast backends' kernels valid at `opset` (unless
  // `reference_only`), then the reference definition. Empty when the op is unknown.
  std::vector<const OpDef*> FindKernels(std::string_view domain, std::string_view op_type,
                                        int opset, bool reference_only = false) const;
  // Whether any version of the op is registered (to tell "unknown op" from "unsupported opset").
  bool Knows(std::string_view domain, std::string_view op_type) const;
  const std::vector<OpDef>& defs() const { return defs_; }

 private:
  std::vector<OpDef> defs_;
};

// Fluent registration; registers when the builder goes out of scope.
class OpBuilder {
 public:
  explicit OpBuilder(std::string op_type, const char* file);
  ~OpBuilder();
  OpBuilder(const OpBuilder&) = delete;
  OpBuilder& operator=(const OpBuilder&) = delete;

  OpBuilder& Domain(std::string domain);
  OpBuilder& Since(int version);
  OpBuilder& Until(int version);  // inclusive
  // Registers a fast kernel of `backend` for an op the reference already defines (no Infer).
  OpBuilder& Backend(std::string_view backend);
  OpBuilder& Infer(InferFn fn);
  OpBuilder& Create(KernelFactory factory);
  // A kernel with no create-time state: `fn` is called on every run.
  OpBuilder& Compute(ComputeFn fn);
  // K must have `static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit&)`.
  template <typename K>
  OpBuilder& Kernel() {
    return Create([](const KernelInit& init) { return K::Create(init); });
  }

 private:
  OpDef def_;
};

// Turns a ready kernel into the factory's return type.
template <typename K, typename... Args>
StatusOr<std::unique_ptr<Kernel>> MakeKernel(Args&&... args) {
  return std::unique_ptr<Kernel>(new K(std::forward<Args>(args)...));
}

// Starts a registration: Op("Relu").Since(6)...; registers at the end of the statement.
inline OpBuilder Op(std::string op_type,
                    std::source_location where = std::source_location::current()) {
  return OpBuilder(std::move(op_type), where.file_name());
}

}  // namespace brisk

// Defines a function body that runs once at static-initialisation time. Kernel files are linked
// as an object library, so these registrations are never dropped by the linker.
#define BRISK_REGISTER_OPS(id)                                              \
  static void BriskRegisterOps_##id();                                      \
  [[maybe_unused]] static const bool brisk_ops_registered_##id =            \
      (BriskRegisterOps_##id(), true);                                      \
  static void BriskRegisterOps_##id()
