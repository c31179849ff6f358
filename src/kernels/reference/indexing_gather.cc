// Gather, GatherElements, GatherND: reading elements of `data` at positions given by an int32 /
// int64 `indices` tensor (negative indices count from the end of their axis).
#include <algorithm>
#include <string>
#include <vector>

#include "kernels/reference/indexing_util.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

using indexing::CheckIndexDType;
using indexing::DispatchBySize;
using indexing::IndexAt;
using indexing::NormalizeIndex;
using indexing::RequiredInput;

constexpr char kData[] = "input 0 'data'";
constexpr char kIndices[] = "input 1 'indices'";

// ---- Gather --------------------------------------------------------------------------------

Status InferGather(InferenceContext& ctx) {
  const ir::TypeInfo& data = ctx.input_type(0);
  const ir::TypeInfo& indices = ctx.input_type(1);
  BRISK_RETURN_IF_ERROR(CheckIndexDType(indices.dtype, kIndices));
  BRISK_ASSIGN_OR_RETURN(int64_t axis, ctx.attrs().GetInt("axis", 0));
  if (!data.shape || !indices.shape) {
    ctx.set_output(0, data.dtype, std::nullopt);
    return Status::Ok();
  }
  const int r = data.shape->rank();
  if (r < 1) return InvalidArgument(std::string(kData) + " must have rank >= 1, got rank 0");
  BRISK_ASSIGN_OR_RETURN(int a, NormalizeAxis(axis, r, "attribute 'axis'"));
  SymbolicShape out;
  for (int i = 0; i < a; ++i) out.dims.push_back(data.shape->dims[size_t(i)]);
  for (const Dim& d : indices.shape->dims) out.dims.push_back(d);
  for (int i = a + 1; i < r; ++i) out.dims.push_back(data.shape->dims[size_t(i)]);
  ctx.set_output(0, data.dtype, std::move(out));
  return Status::Ok();
}

class GatherKernel final : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(int64_t axis, init.attrs().GetInt("axis", 0));
    return MakeKernel<GatherKernel>(axis);
  }
  explicit GatherKernel(int64_t axis) : axis_(axis) {}

  Status Run(KernelContext& ctx) const override {
    BRISK_ASSIGN_OR_RETURN(const Tensor* data, RequiredInput(ctx, 0, "data"));
    BRISK_ASSIGN_OR_RETURN(const Tensor* indices, RequiredInput(ctx, 1, "indices"));
    BRISK_RETURN_IF_ERROR(CheckIndexDType(*indices, kIndices));
    const int r = data->rank();
    if (r < 1) return InvalidArgument(std::string(kData) + " must have rank >= 1, got rank 0");
    BRISK_ASSIGN_OR_RETURN(int axis, NormalizeAxis(axis_, r, "attribute 'axis'"));
    const int64_t axis_size = data->dim(axis);
    const int64_t n = indices->num_elements();
    std::vector<int64_t> idx(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      BRISK_ASSIGN_OR_RETURN(idx[size_t(i)],
                             NormalizeIndex(IndexAt(*indices, i), axis_size, axis, kIndices));
    }
    std::vector<int64_t> out_dims;
    for (int i = 0; i < axis; ++i) out_dims.push_back(data->dim(i));
    for (int64_t d : indices->shape().dims()) out_dims.push_back(d);
    for (int i = axis + 1; i < r; ++i) out_dims.push_back(data->dim(i));
    BRISK_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, data->dtype(), Shape(out_dims)));
    const int64_t outer = data->shape().NumElements(0, axis);
    const int64_t inner = data->shape().NumElements(axis + 1, r);
    return DispatchBySize(data->dtype(), kData, [&]<typename T>() -> Status {
      const T* src = data->data<T>();
      T* dst = out->data<T>();
      for (int64_t o = 0; o < outer; ++o) {
        const T* block = src + o * axis_size * inner;
        for (int64_t i = 0; i < n; ++i) {
          const T* from = block + idx[size_t(i)] * inner;
          std::copy(from, from + inner, dst);
          dst += inner;
        }
      }
      return Status::Ok();
    });
  }

 private:
  int64_t axis_;
};

// ---- GatherElements ------------------------------------------------------------------------

Status InferGatherElements(InferenceContext& ctx) {
  const ir::TypeInfo& data = ctx.input_type(0);
  const ir::TypeInfo& indices = ctx.input_type(1);
  BRISK_RETURN_IF_ERROR(CheckIndexDType(indices.dtype, kIndices));
  BRISK_ASSIGN_OR_RETURN(int64_t axis, ctx.attrs().GetInt("axis", 0));
  if (data.shape && indices.shape) {
    if (data.shape->rank() != indices.shape->rank()) {
      return InvalidArgument(std::string(kIndices) + " must have the rank of " + kData +
                             " (" + std::to_string(data.shape->rank()) + "), got rank " +
                             std::to_string(indices.shape->rank()));
    }
    BRISK_RETURN_IF_ERROR(
        NormalizeAxis(axis, data.shape->rank(), "attribute 'axis'").status());
  }
  ctx.set_output(0, data.dtype, indices.shape);
  return Status::Ok();
}

class GatherElementsKernel final : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(int64_t axis, init.attrs().GetInt("axis", 0));
    return MakeKernel<GatherElementsKernel>(axis);
  }
  explicit GatherElementsKernel(int64_t axis) : axis_(axis) {}

  Status Run(KernelContext& ctx) const override {
    BRISK_ASSIGN_OR_RETURN(const Tensor* data, RequiredInput(ctx, 0, "data"));
    BRISK_ASSIGN_OR_RETURN(const Tensor* indices, RequiredInput(ctx, 1, "indices"));
    BRISK_RETURN_IF_ERROR(CheckIndexDType(*indices, kIndices));
    const int r = data->rank();
    if (indices->rank() != r) {
      return InvalidArgument(std::string(kIndices) + " must have the rank of " + kData + " (" +
                             std::to_string(r) + "), got " + indices->TypeString());
    }
    if (r < 1) return InvalidArgument(std::string(kData) + " must have rank >= 1, got rank 0");
    BRISK_ASSIGN_OR_RETURN(int axis, NormalizeAxis(axis_, r, "attribute 'axis'"));
    for (int d = 0; d < r; ++d) {
      if (d != axis && indices->dim(d) > data->dim(d)) {
        return InvalidArgument(std::string(kIndices) + " shape " +
                               indices->shape().ToString() + " exceeds " + kData + " shape " +
                               data->shape().ToString() + " on axis " + std::to_string(d));
      }
    }
    BRISK_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, data->dtype(), indices->shape()));
    const std::vector<int64_t> strides = ContiguousStrides(data->shape());
    const int64_t axis_size = data->dim(axis);
    return DispatchBySize(data->dtype(), kData, [&]<typename T>() -> Status {
      const T* src = data->data<T>();
      T* dst = out->data<T>();
      Status status;
      indexing::ForEachIndex(indices->shape(), [&](const std::vector<int64_t>& pos, int64_t i) {
        if (!status.ok()) return;
        auto k = NormalizeIndex(IndexAt(*indices, i), axis_size, axis, kIndices);
        if (!k.ok()) {
          status = k.status();
          return;
        }
        int64_t off = 0;
        for (int d = 0; d < r; ++d)
          off += (d == axis ? *k : pos[size_t(d)]) * strides[size_t(d)];
        dst[i] = src[off];
      });
      return status;
    });
  }

 private:
  int64_t axis_;
};

// ---- GatherND ------------------------------------------------------------------------------

Status InferGatherND(InferenceContext& ctx) {
  const ir::TypeInfo& data = ctx.input_type(0);
  const ir::TypeInfo& indices = ctx.input_type(1);
  BRISK_RETURN_IF_ERROR(CheckIndexDType(indices.dtype, kIndices));
  BRISK_ASSIGN_OR_RETURN(int64_t b, ctx.attrs().GetInt("batch_dims", 0));
  if (!data.shape || !indices.shape) {
    ctx.set_output(0, data.dtype, std::nullopt);
    return Status::Ok();
  }
  const int r = data.shape->rank();
  const int q = indices.shape->rank();
  if (r < 1 || q < 1) {
    return InvalidArgument(std::string(kData) + " and " + kIndices + " must have rank >= 1");
  }
  if (b < 0 || b >= std::min(r, q)) {
    return InvalidArgument("attribute 'batch_dims' " + std::to_string(b) +
                           " must be in [0, min(rank(data), rank(indices)))");
  }
  SymbolicShape out;
  for (int i = 0; i < q - 1; ++i) {
    Dim d = indices.shape->dims[size_t(i)];
    if (i < b) {
      BRISK_RETURN_IF_ERROR(indexing::CheckDimsCompatible(
          data.shape->dims[size_t(i)], d, "batch dims of 'data' and 'indices'"));
      d = indexing::MergeDims(d, data.shape->dims[size_t(i)]);
    }
    out.dims.push_back(d);
  }
  const Dim& last = indices.shape->dims.back();
  if (!last.is_known()) {
    ctx.set_output(0, data.dtype, std::nullopt);
    return Status::Ok();
  }
  const int64_t m = last.value;
  if (m > r - b) {
    return InvalidArgument(std::string(kIndices) + ": last dimension " + std::to_string(m) +
                           " exceeds rank(data) - batch_dims = " + std::to_string(r - b));
  }
  for (int i = int(b + m); i < r; ++i) out.dims.push_back(data.shape->dims[size_t(i)]);
  ctx.set_output(0, data.dtype, std::move(out));
  return Status::Ok();
}

class GatherNDKernel final : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(int64_t b, init.attrs().GetInt("batch_dims", 0));
    if (b < 0) {
      return InvalidArgument("attribute 'batch_dims' must be >= 0, got " + std::to_string(b));
    }
    return MakeKernel<GatherNDKernel>(b);
  }
  explicit GatherNDKernel(int64_t b) : batch_dims_(b) {}

  Status Run(KernelContext& ctx) const override {
    BRISK_ASSIGN_OR_RETURN(const Tensor* data, RequiredInput(ctx, 0, "data"));
    BRISK_ASSIGN_OR_RETURN(const Tensor* indices, RequiredInput(ctx, 1, "indices"));
    BRISK_RETURN_IF_ERROR(CheckIndexDType(*indices, kIndices));
    const int r = data->rank();
    const int q = indices->rank();
    const int b = int(batch_dims_);
    if (r < 1 || q < 1) {
      return InvalidArgument(std::string(kData) + " and " + kIndices + " must have rank >= 1");
    }
    if (batch_dims_ >= std::min(r, q)) {
      return InvalidArgument("attribute 'batch_dims' " + std::to_string(batch_dims_) +
                             " must be less than rank(data) and rank(indices)");
    }
    for (int i = 0; i < b; ++i) {
      if (data->dim(i) != indices->dim(i)) {
        return InvalidArgument("batch dim " + std::to_string(i) + " of " + kData + " (" +
                               std::to_string(data->dim(i)) + ") differs from " + kIndices +
                               " (" + std::to_string(indices->dim(i)) + ")");
      }
    }
    const int64_t m = indices->dim(q - 1);
    if (m > r - b) {
      return InvalidArgument(std::string(kIndices) + ": last dimension " + std::to_string(m) +
                             " exceeds rank(data) - batch_dims = " + std::to_string(r - b));
    }
    std::vector<int64_t> out_dims(indices->shape().dims().begin(),
                                  indices->shape().dims().end() - 1);
    for (int i = b + int(m); i < r; ++i) out_dims.push_back(data->dim(i));
    BRISK_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, data->dtype(), Shape(out_dims)));

    const int64_t batches = data->shape().NumElements(0, b);
    const int64_t batch_size = data->shape().NumElements(b, r);
    const int64_t slice = data->shape().NumElements(b + int(m), r);
    const int64_t tuples = indices->shape().NumElements(b, q - 1);
    const std::vector<int64_t> strides = ContiguousStrides(data->shape());
    // Resolve every tuple to an element offset first (errors before writing).
    std::vector<int64_t> offsets(size_t(batches * tuples));
    for (int64_t t = 0; t < batches * tuples; ++t) {
      int64_t off = (t / std::max<int64_t>(tuples, 1)) * batch_size;
      for (int64_t j = 0; j < m; ++j) {
        const int axis = b + int(j);
        BRISK_ASSIGN_OR_RETURN(
            int64_t k, NormalizeIndex(IndexAt(*indices, t * m + j), data->dim(axis), axis,
                                      kIndices));
        off += k * strides[size_t(axis)];
      }
      offsets[size_t(t)] = off;
    }
    return DispatchBySize(data->dtype(), kData, [&]<typename T>() -> Status {
      const T* src = data->data<T>();
      T* dst = out->data<T>();
      for (int64_t off : offsets) {
        std::copy(src + off, src + off + slice, dst);
        dst += slice;
      }
      return Status::Ok();
    });
  }

 private:
  int64_t batch_dims_;
};

}  // namespace

BRISK_REGISTER_OPS(indexing_gather) {
  Op("Gather").Since(1).Infer(InferGather).Kernel<GatherKernel>();
  Op("GatherElements").Since(11).Infer(InferGatherElements).Kernel<GatherElementsKernel>();
  Op("GatherND").Since(11).Infer(InferGatherND).Kernel<GatherNDKernel>();
}

}  // namespace brisk
