#include "kernels/registry.h"

namespace brisk {
namespace {

bool SameDomain(std::string_view a, std::string_view b) {
  auto norm = [](std::string_view d) { return d == "ai.onnx" ? std::string_view() : d; };
  return norm(a) == norm(b);
}

const ir::TypeInfo& UnknownType() {
  static const ir::TypeInfo unknown;
  return unknown;
}

}  // namespace

const ir::TypeInfo& InferenceContext::input_type(int i) const {
  if (i < 0 || i >= num_inputs() || !has_input(i)) return UnknownType();
  return input_types_[size_t(i)];
}

const Tensor* InferenceContext::input_constant(int i) const {
  if (i < 0 || i >= int(input_constants_.size())) return nullptr;
  return input_constants_[size_t(i)];
}

StatusOr<Tensor*> KernelContext::AllocateOutput(int i, DType dtype, Shape shape) {
  if (i < 0 || i >= num_outputs()) {
    return Internal("kernel wrote output " + std::to_string(i) + " but the node has " +
                    std::to_string(num_outputs()));
  }
  Tensor& slot = (*outputs_)[size_t(i)];
  // The executor may have placed this output in the run's arena already (memory planner).
  if (slot.defined() && slot.dtype() == dtype && slot.shape() == shape) return &slot;
  BRISK_ASSIGN_OR_RETURN(slot, Tensor::Allocate(dtype, std::move(shape)));
  return &slot;
}

OpRegistry& OpRegistry::Global() {
  static OpRegistry* registry = new OpRegistry();  // never destroyed: used during static init
  return *registry;
}

void OpRegistry::Register(OpDef def) { defs_.push_back(std::move(def)); }

const OpDef* OpRegistry::Find(std::string_view domain, std::string_view op_type,
                              int opset) const {
  const OpDef* best = nullptr;
  for (const OpDef& d : defs_) {
    if (d.op_type != op_type || !SameDomain(d.domain, domain)) continue;
    if (d.backend != kReferenceBackend) continue;
    if (opset < d.since || opset > d.until) continue;
    if (best == nullptr || d.since > best->since) best = &d;
  }
  return best;
}

std::vector<const OpDef*> OpRegistry::FindKernels(std::string_view domain,
                                                  std::string_view op_type, int opset,
                                                  bool reference_only) const {
  std::vector<const OpDef*> found;
  if (!reference_only) {
    for (const OpDef& d : defs_) {
      if (d.backend == kReferenceBackend || d.op_type != op_type || !SameDomain(d.domain, domain))
        continue;
      if (opset >= d.since && opset <= d.until && d.create) found.push_back(&d);
    }
  }
  if (const OpDef* reference = Find(domain, op_type, opset)) found.push_back(reference);
  return found;
}

bool OpRegistry::Knows(std::string_view domain, std::string_view op_type) const {
  for (const OpDef& d : defs_)
    if (d.op_type == op_type && SameDomain(d.domain, domain)) return true;
  return false;
}

OpBuilder::OpBuilder(std::string op_type, const char* file) {
  def_.op_type = std::move(op_type);
  def_.file = file;
}

OpBuilder::~OpBuilder() { OpRegistry::Global().Register(std::move(def_)); }

OpBuilder& OpBuilder::Domain(std::string domain) {
  def_.domain = std::move(domain);
  return *this;
}
OpBuilder& OpBuilder::Since(int version) {
  def_.since = version;
  return *this;
}
OpBuilder& OpBuilder::Until(int version) {
  def_.until = version;
  return *this;
}
OpBuilder& OpBuilder::Backend(std::string_view backend) {
  def_.backend = std::string(backend);
  return *this;
}
OpBuilder& OpBuilder::Infer(InferFn fn) {
  def_.infer = std::move(fn);
  return *this;
}
OpBuilder& OpBuilder::Create(KernelFactory factory) {
  def_.create = std::move(factory);
  return *this;
}

namespace {
class FunctionKernel final : public Kernel {
 public:
  explicit FunctionKernel(ComputeFn fn) : fn_(std::move(fn)) {}
  Status Run(KernelContext& ctx) const override { return fn_(ctx); }

 private:
  ComputeFn fn_;
};
}  // namespace

OpBuilder& OpBuilder::Compute(ComputeFn fn) {
  return Create([fn = std::move(fn)](const KernelInit&) -> StatusOr<std::unique_ptr<brisk::Kernel>> {
    return std::unique_ptr<brisk::Kernel>(new FunctionKernel(fn));
  });
}

}  // namespace brisk
