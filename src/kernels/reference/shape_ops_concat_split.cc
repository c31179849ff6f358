// Concat and Split: copies of blocks along one axis.
#include <algorithm>

#include "kernels/reference/shape_ops_util.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

using shape_ops::InputName;
using shape_ops::ReadIntList;
using shape_ops::UnknownShape;

// ---- Concat --------------------------------------------------------------------------------

StatusOr<int64_t> ConcatAxisAttr(const ir::AttributeMap& attrs, int opset) {
  if (opset < 4) return attrs.GetInt("axis", 1);
  return attrs.GetInt("axis");
}

Status InferConcat(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const int64_t axis_attr, ConcatAxisAttr(ctx.attrs(), ctx.opset()));
  if (ctx.num_inputs() == 0) return InvalidArgument("Concat needs at least one input");
  DType dtype = DType::kUndefined;
  int rank = -1;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    const auto& t = ctx.input_type(i);
    if (t.dtype != DType::kUndefined) {
      if (dtype != DType::kUndefined && dtype != t.dtype) {
        return InvalidArgument("input " + std::to_string(i) + " has dtype " +
                               std::string(DTypeName(t.dtype)) + " but input 0 has " +
                               std::string(DTypeName(dtype)));
      }
      dtype = t.dtype;
    }
    if (t.shape) {
      if (rank >= 0 && t.shape->rank() != rank) {
        return InvalidArgument("input " + std::to_string(i) + " has rank " +
                               std::to_string(t.shape->rank()) + " but an earlier input has rank " +
                               std::to_string(rank));
      }
      rank = t.shape->rank();
    }
  }
  if (rank < 0) {
    ctx.set_output(0, dtype, std::nullopt);
    return Status::Ok();
  }
  if (rank == 0) return InvalidArgument("Concat inputs must have rank >= 1, got scalars");
  BRISK_ASSIGN_OR_RETURN(const int axis, NormalizeAxis(axis_attr, rank, "attribute 'axis'"));
  SymbolicShape out = UnknownShape(rank);
  bool first = true;
  std::optional<int64_t> total = 0;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    const auto& s = ctx.input_type(i).shape;
    if (!s) {
      total.reset();
      continue;
    }
    for (int d = 0; d < rank; ++d) {
      const Dim& dim = s->dims[size_t(d)];
      if (d == axis) {
        if (total && dim.is_known()) *total += dim.value;
        else total.reset();
        continue;
      }
      if (first) {
        out.dims[size_t(d)] = dim;
      } else {
        BRISK_ASSIGN_OR_RETURN(out.dims[size_t(d)],
                               shape_ops::MergeDims(out.dims[size_t(d)], dim,
                                                    "input " + std::to_string(i) + " axis " +
                                                        std::to_string(d)));
      }
    }
    first = false;
  }
  if (total) out.dims[size_t(axis)] = Dim::Known(*total);
  else if (ctx.num_inputs() == 1 && ctx.input_type(0).shape)
    out.dims[size_t(axis)] = ctx.input_type(0).shape->dims[size_t(axis)];
  ctx.set_output(0, dtype, std::move(out));
  return Status::Ok();
}

class ConcatKernel final : public Kernel {
 public:
  explicit ConcatKernel(int64_t axis) : axis_(axis) {}
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(const int64_t axis, ConcatAxisAttr(init.attrs(), init.opset()));
    return MakeKernel<ConcatKernel>(axis);
  }

  Status Run(KernelContext& ctx) const override {
    if (ctx.num_inputs() == 0) return InvalidArgument("Concat needs at least one input");
    std::vector<const Tensor*> inputs;
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      BRISK_ASSIGN_OR_RETURN(const Tensor* t, shape_ops::RequiredInput(ctx, i, "inputs"));
      inputs.push_back(t);
    }
    const Tensor& first = *inputs[0];
    if (first.rank() == 0) {
      return InvalidArgument("input 0 'inputs' is a scalar; Concat needs rank >= 1");
    }
    BRISK_ASSIGN_OR_RETURN(const int axis, NormalizeAxis(axis_, first.rank(), "attribute 'axis'"));
    std::vector<int64_t> out_dims = first.shape().dims();
    out_dims[size_t(axis)] = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const Tensor& t = *inputs[i];
      const std::string name = "input " + std::to_string(i) + " 'inputs'";
      if (t.dtype() != first.dtype()) {
        return InvalidArgument(name + " has dtype " + std::string(DTypeName(t.dtype())) +
                               " but input 0 has " + std::string(DTypeName(first.dtype())));
      }
      bool same = t.rank() == first.rank();
      for (int d = 0; same && d < t.rank(); ++d) same = d == axis || t.dim(d) == first.dim(d);
      if (!same) {
        return InvalidArgument(name + " has shape " + t.shape().ToString() +
                               ", incompatible with input 0's " + first.shape().ToString() +
                               " for concatenation on axis " + std::to_string(axis));
      }
      out_dims[size_t(axis)] += t.dim(axis);
    }
    BRISK_ASSIGN_OR_RETURN(Tensor* y, ctx.AllocateOutput(0, first.dtype(), Shape(out_dims)));
    if (y->num_elements() == 0) return Status::Ok();
    const std::vector<int64_t> dst_strides = ContiguousStrides(y->shape());
    int64_t offset = 0;
    for (const Tensor* t : inputs) {
      const std::vector<int64_t> src_strides = ContiguousStrides(t->shape());
      shape_ops::CopyStrided(t->dtype(), t->raw_data(), src_strides,
                             shape_ops::ElementPtr(*y, offset * dst_strides[size_t(axis)]),
                             dst_strides, t->shape().dims());
      offset += t->dim(axis);
    }
    return Status::Ok();
  }

 private:
  int64_t axis_;
};

// ---- Split ---------------------------------------------------------------------------------

struct SplitAttrs {
  int64_t axis = 0;
  std::optional<std::vector<int64_t>> split_attr;  // opset < 13
  std::optional<int64_t> num_outputs;              // opset >= 18
};

StatusOr<SplitAttrs> GetSplitAttrs(const ir::AttributeMap& attrs, int opset, int outputs) {
  SplitAttrs a;
  BRISK_ASSIGN_OR_RETURN(a.axis, attrs.GetInt("axis", 0));
  if (opset < 13 && attrs.Has("split")) {
    BRISK_ASSIGN_OR_RETURN(a.split_attr, attrs.GetInts("split"));
  }
  if (opset >= 18 && attrs.Has("num_outputs")) {
    BRISK_ASSIGN_OR_RETURN(a.num_outputs, attrs.GetInt("num_outputs"));
    if (*a.num_outputs < 1) {
      return InvalidArgument("attribute 'num_outputs' must be positive, got " +
                             std::to_string(*a.num_outputs));
    }
    if (*a.num_outputs != outputs) {
      return InvalidArgument("attribute 'num_outputs' is " + std::to_string(*a.num_outputs) +
                             " but the node has " + std::to_string(outputs) + " outputs");
    }
  }
  if (outputs < 1) return InvalidArgument("Split needs at least one output");
  return a;
}

// Checks explicit split sizes against the output count and (when known) the axis dim.
Status CheckSplit(std::span<const int64_t> split, int outputs, std::optional<int64_t> dim,
                  const std::string& what) {
  if (int(split.size()) != outputs) {
    return InvalidArgument(what + " has " + std::to_string(split.size()) +
                           " entries but the node has " + std::to_string(outputs) + " outputs");
  }
  int64_t sum = 0;
  for (int64_t s : split) {
    if (s < 0) return InvalidArgument(what + ": size " + std::to_string(s) + " is negative");
    if (s > kMaxElements) {
      return InvalidArgument(what + ": size " + std::to_string(s) + " is too large");
    }
    sum += s;
  }
  if (dim && sum != *dim) {
    return InvalidArgument(what + ": sizes sum to " + std::to_string(sum) +
                           " but the split axis has size " + std::to_string(*dim));
  }
  return Status::Ok();
}

// Sizes when no explicit split is given: equal parts (before opset 18 the dim must divide),
// or ceil(dim / n) parts with a smaller last one (opset 18).
StatusOr<std::vector<int64_t>> EvenSplit(int64_t dim, int outputs, int opset) {
  std::vector<int64_t> sizes(static_cast<size_t>(outputs));
  if (dim % outputs == 0) {
    std::fill(sizes.begin(), sizes.end(), dim / outputs);
    return sizes;
  }
  if (opset < 18) {
    return InvalidArgument("the split axis of size " + std::to_string(dim) +
                           " cannot be split evenly into " + std::to_string(outputs) +
                           " outputs (give 'split')");
  }
  const int64_t chunk = dim / outputs + 1;
  const int64_t last = dim - chunk * (outputs - 1);
  if (last < 0) {
    return InvalidArgument("attribute 'num_outputs': the split axis of size " +
                           std::to_string(dim) + " cannot be split into " +
                           std::to_string(outputs) + " chunks of " + std::to_string(chunk));
  }
  std::fill(sizes.begin(), sizes.end(), chunk);
  sizes.back() = last;
  return sizes;
}

std::string SplitName(int opset) {
  return opset < 13 ? std::string("attribute 'split'") : InputName(1, "split");
}

Status InferSplit(InferenceContext& ctx) {
  const int outputs = ctx.num_outputs();
  BRISK_ASSIGN_OR_RETURN(SplitAttrs a, GetSplitAttrs(ctx.attrs(), ctx.opset(), outputs));
  const auto& in = ctx.input_type(0);
  if (!in.shape) {
    for (int i = 0; i < outputs; ++i) ctx.set_output(i, in.dtype, std::nullopt);
    return Status::Ok();
  }
  if (in.shape->rank() == 0) return InvalidArgument("input 0 'input' must have rank >= 1");
  BRISK_ASSIGN_OR_RETURN(const int axis,
                         NormalizeAxis(a.axis, in.shape->rank(), "attribute 'axis'"));
  const Dim& dim = in.shape->dims[size_t(axis)];
  std::optional<int64_t> known_dim;
  if (dim.is_known()) known_dim = dim.value;
  std::optional<std::vector<int64_t>> sizes;
  bool split_unknown = false;
  if (ctx.opset() < 13) {
    sizes = a.split_attr;
  } else if (ctx.has_input(1)) {
    sizes = ConstantInts(ctx, 1);
    split_unknown = !sizes;
  }
  if (sizes && sizes->empty()) sizes.reset();  // an empty 'split' means "not given"
  if (sizes) {
    BRISK_RETURN_IF_ERROR(CheckSplit(*sizes, outputs, known_dim, SplitName(ctx.opset())));
  } else if (known_dim && !split_unknown) {
    BRISK_ASSIGN_OR_RETURN(sizes, EvenSplit(*known_dim, outputs, ctx.opset()));
  }
  for (int i = 0; i < outputs; ++i) {
    SymbolicShape out = *in.shape;
    if (sizes) out.dims[size_t(axis)] = Dim::Known((*sizes)[size_t(i)]);
    else if (outputs != 1) out.dims[size_t(axis)] = Dim::Unknown();
    ctx.set_output(i, in.dtype, std::move(out));
  }
  return Status::Ok();
}

class SplitKernel final : public Kernel {
 public:
  explicit SplitKernel(SplitAttrs a) : a_(std::move(a)) {}
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(SplitAttrs a,
                           GetSplitAttrs(init.attrs(), init.opset(), init.node.num_outputs()));
    return MakeKernel<SplitKernel>(std::move(a));
  }

  Status Run(KernelContext& ctx) const override {
    BRISK_ASSIGN_OR_RETURN(const Tensor* x, shape_ops::RequiredInput(ctx, 0, "input"));
    if (x->rank() == 0) return InvalidArgument("input 0 'input' must have rank >= 1");
    BRISK_ASSIGN_OR_RETURN(const int axis, NormalizeAxis(a_.axis, x->rank(), "attribute 'axis'"));
    const int outputs = ctx.num_outputs();
    std::vector<int64_t> sizes;
    if (ctx.opset() < 13 && a_.split_attr) {
      sizes = *a_.split_attr;
    } else if (ctx.opset() >= 13 && ctx.has_input(1)) {
      BRISK_ASSIGN_OR_RETURN(sizes, ReadIntList(*ctx.input(1), 1, "split"));
    }
    if (sizes.empty()) {
      BRISK_ASSIGN_OR_RETURN(sizes, EvenSplit(x->dim(axis), outputs, ctx.opset()));
    }
    BRISK_RETURN_IF_ERROR(CheckSplit(sizes, outputs, x->dim(axis), SplitName(ctx.opset())));
    const std::vector<int64_t> src_strides = ContiguousStrides(x->shape());
    int64_t offset = 0;
    for (int i = 0; i < outputs; ++i) {
      Shape shape = x->shape();
      shape[axis] = sizes[size_t(i)];
      BRISK_RETURN_IF_ERROR(shape_ops::ViewToOutput(
          ctx, i, *x, offset * src_strides[size_t(axis)], src_strides, shape));
      offset += sizes[size_t(i)];
    }
    return Status::Ok();
  }

 private:
  SplitAttrs a_;
};

}  // namespace

BRISK_REGISTER_OPS(shape_ops_concat_split) {
  Op("Concat").Since(1).Infer(InferConcat).Kernel<ConcatKernel>();
  Op("Split").Since(1).Infer(InferSplit).Kernel<SplitKernel>();
}

}  // namespace brisk
