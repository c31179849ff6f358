// ScatterElements, Scatter (opset 9-10, the old name of ScatterElements), ScatterND: a copy of
// `data` with the elements / slices addressed by `indices` replaced by (or combined with, for
// `reduction` add/mul/max/min) `updates`.
#include <algorithm>
#include <string>
#include <type_traits>
#include <vector>

#include "kernels/dispatch.h"
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
constexpr char kUpdates[] = "input 2 'updates'";

enum class Reduction { kNone, kAdd, kMul, kMax, kMin };

StatusOr<Reduction> ParseReduction(const ir::AttributeMap& attrs, int opset) {
  BRISK_ASSIGN_OR_RETURN(std::string r, attrs.GetString("reduction", "none"));
  if (r == "none") return Reduction::kNone;
  if (opset >= 16 && r == "add") return Reduction::kAdd;
  if (opset >= 16 && r == "mul") return Reduction::kMul;
  if (opset >= 18 && r == "max") return Reduction::kMax;
  if (opset >= 18 && r == "min") return Reduction::kMin;
  return InvalidArgument("attribute 'reduction': unsupported value '" + r + "' at opset " +
                         std::to_string(opset) +
                         " (expected none, add, mul from opset 16, max, min from opset 18)");
}

template <typename T>
inline void Combine(T& dst, const T& v, Reduction r) {
  if constexpr (std::is_same_v<T, std::string>) {
    dst = v;  // strings only take reduction 'none' (checked by the dispatch)
  } else if constexpr (std::is_same_v<T, bool>) {
    switch (r) {
      case Reduction::kNone: dst = v; break;
      case Reduction::kAdd:
      case Reduction::kMax: dst = dst || v; break;
      case Reduction::kMul:
      case Reduction::kMin: dst = dst && v; break;
    }
  } else {
    switch (r) {
      case Reduction::kNone: dst = v; break;
      case Reduction::kAdd: dst = dst + v; break;
      case Reduction::kMul: dst = dst * v; break;
      case Reduction::kMax: dst = v > dst ? v : dst; break;
      case Reduction::kMin: dst = v < dst ? v : dst; break;
    }
  }
}

// Runs fn<T>() with the real element type for reductions, or a same-size type for plain copies.
template <typename F>
Status DispatchForReduction(DType d, Reduction r, F&& fn) {
  if (r == Reduction::kNone) return DispatchBySize(d, kData, std::forward<F>(fn));
  return DispatchNumericOrBool(d, kData, std::forward<F>(fn));
}

Status CheckUpdatesDType(const Tensor& data, const Tensor& updates) {
  if (updates.dtype() != data.dtype()) {
    return InvalidArgument(std::string(kUpdates) + " must have the dtype of " + kData + " (" +
                           std::string(DTypeName(data.dtype())) + "), got " +
                           updates.TypeString());
  }
  return Status::Ok();
}

// ---- ScatterElements / Scatter -------------------------------------------------------------

Status InferScatterElements(InferenceContext& ctx) {
  const ir::TypeInfo& data = ctx.input_type(0);
  const ir::TypeInfo& indices = ctx.input_type(1);
  const ir::TypeInfo& updates = ctx.input_type(2);
  BRISK_RETURN_IF_ERROR(CheckIndexDType(indices.dtype, kIndices));
  BRISK_ASSIGN_OR_RETURN(int64_t axis, ctx.attrs().GetInt("axis", 0));
  if (data.shape) {
    BRISK_RETURN_IF_ERROR(
        NormalizeAxis(axis, data.shape->rank(), "attribute 'axis'").status());
    if (indices.shape && indices.shape->rank() != data.shape->rank()) {
      return InvalidArgument(std::string(kIndices) + " must have the rank of " + kData);
    }
  }
  if (indices.shape && updates.shape) {
    if (indices.shape->rank() != updates.shape->rank()) {
      return InvalidArgument(std::string(kUpdates) + " must have the shape of " + kIndices);
    }
    for (int i = 0; i < indices.shape->rank(); ++i) {
      BRISK_RETURN_IF_ERROR(indexing::CheckDimsCompatible(
          indices.shape->dims[size_t(i)], updates.shape->dims[size_t(i)],
          std::string(kUpdates) + " must have the shape of " + kIndices));
    }
  }
  ctx.set_output_type(0, data);
  return Status::Ok();
}

class ScatterElementsKernel final : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(int64_t axis, init.attrs().GetInt("axis", 0));
    BRISK_ASSIGN_OR_RETURN(Reduction r, ParseReduction(init.attrs(), init.opset()));
    return MakeKernel<ScatterElementsKernel>(axis, r);
  }
  ScatterElementsKernel(int64_t axis, Reduction r) : axis_(axis), reduction_(r) {}

  Status Run(KernelContext& ctx) const override {
    BRISK_ASSIGN_OR_RETURN(const Tensor* data, RequiredInput(ctx, 0, "data"));
    BRISK_ASSIGN_OR_RETURN(const Tensor* indices, RequiredInput(ctx, 1, "indices"));
    BRISK_ASSIGN_OR_RETURN(const Tensor* updates, RequiredInput(ctx, 2, "updates"));
    BRISK_RETURN_IF_ERROR(CheckIndexDType(*indices, kIndices));
    BRISK_RETURN_IF_ERROR(CheckUpdatesDType(*data, *updates));
    const int r = data->rank();
    if (r < 1) return InvalidArgument(std::string(kData) + " must have rank >= 1, got rank 0");
    if (indices->rank() != r) {
      return InvalidArgument(std::string(kIndices) + " must have the rank of " + kData + " (" +
                             std::to_string(r) + "), got " + indices->TypeString());
    }
    if (updates->shape() != indices->shape()) {
      return InvalidArgument(std::string(kUpdates) + " must have the shape of " + kIndices +
                             " " + indices->shape().ToString() + ", got " +
                             updates->TypeString());
    }
    BRISK_ASSIGN_OR_RETURN(int axis, NormalizeAxis(axis_, r, "attribute 'axis'"));
    for (int d = 0; d < r; ++d) {
      if (d != axis && indices->dim(d) > data->dim(d)) {
        return InvalidArgument(std::string(kIndices) + " shape " +
                               indices->shape().ToString() + " exceeds " + kData + " shape " +
                               data->shape().ToString() + " on axis " + std::to_string(d));
      }
    }
    // Resolve destination offsets first so a bad index fails before anything is written.
    const std::vector<int64_t> strides = ContiguousStrides(data->shape());
    const int64_t axis_size = data->dim(axis);
    std::vector<int64_t> offsets(static_cast<size_t>(indices->num_elements()));
    Status status;
    indexing::ForEachIndex(indices->shape(), [&](const std::vector<int64_t>& pos, int64_t i) {
      if (!status.ok()) return;
      auto k = NormalizeIndex(IndexAt(*indices, i), axis_size, axis, kIndices);
      if (!k.ok()) {
        status = k.status();
        return;
      }
      int64_t off = 0;
      for (int d = 0; d < r; ++d) off += (d == axis ? *k : pos[size_t(d)]) * strides[size_t(d)];
      offsets[size_t(i)] = off;
    });
    BRISK_RETURN_IF_ERROR(status);
    BRISK_ASSIGN_OR_RETURN(Tensor out, data->Clone());
    BRISK_RETURN_IF_ERROR(
        DispatchForReduction(data->dtype(), reduction_, [&]<typename T>() -> Status {
          T* dst = out.data<T>();
          const T* upd = updates->data<T>();
          for (size_t i = 0; i < offsets.size(); ++i) Combine(dst[offsets[i]], upd[i], reduction_);
          return Status::Ok();
        }));
    ctx.set_output(0, std::move(out));
    return Status::Ok();
  }

 private:
  int64_t axis_;
  Reduction reduction_;
};

// ---- ScatterND -----------------------------------------------------------------------------

Status InferScatterND(InferenceContext& ctx) {
  const ir::TypeInfo& data = ctx.input_type(0);
  const ir::TypeInfo& indices = ctx.input_type(1);
  const ir::TypeInfo& updates = ctx.input_type(2);
  BRISK_RETURN_IF_ERROR(CheckIndexDType(indices.dtype, kIndices));
  if (data.shape && indices.shape && updates.shape && indices.shape->rank() >= 1 &&
      indices.shape->dims.back().is_known()) {
    const int r = data.shape->rank();
    const int q = indices.shape->rank();
    const int64_t m = indices.shape->dims.back().value;
    if (m > r) {
      return InvalidArgument(std::string(kIndices) + ": last dimension " + std::to_string(m) +
                             " exceeds the rank of " + kData + " (" + std::to_string(r) + ")");
    }
    const int expected_rank = q - 1 + r - int(m);
    if (updates.shape->rank() != expected_rank) {
      return InvalidArgument(std::string(kUpdates) + " must have rank " +
                             std::to_string(expected_rank) + ", got " +
                             std::to_string(updates.shape->rank()));
    }
  }
  ctx.set_output_type(0, data);
  return Status::Ok();
}

class ScatterNDKernel final : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(Reduction r, ParseReduction(init.attrs(), init.opset()));
    return MakeKernel<ScatterNDKernel>(r);
  }
  explicit ScatterNDKernel(Reduction r) : reduction_(r) {}

  Status Run(KernelContext& ctx) const override {
    BRISK_ASSIGN_OR_RETURN(const Tensor* data, RequiredInput(ctx, 0, "data"));
    BRISK_ASSIGN_OR_RETURN(const Tensor* indices, RequiredInput(ctx, 1, "indices"));
    BRISK_ASSIGN_OR_RETURN(const Tensor* updates, RequiredInput(ctx, 2, "updates"));
    BRISK_RETURN_IF_ERROR(CheckIndexDType(*indices, kIndices));
    BRISK_RETURN_IF_ERROR(CheckUpdatesDType(*data, *updates));
    const int r = data->rank();
    const int q = indices->rank();
    if (q < 1) return InvalidArgument(std::string(kIndices) + " must have rank >= 1");
    const int64_t m = indices->dim(q - 1);
    if (m > r) {
      return InvalidArgument(std::string(kIndices) + ": last dimension " + std::to_string(m) +
                             " exceeds the rank of " + kData + " (" + std::to_string(r) + ")");
    }
    std::vector<int64_t> expected(indices->shape().dims().begin(),
                                  indices->shape().dims().end() - 1);
    for (int i = int(m); i < r; ++i) expected.push_back(data->dim(i));
    if (updates->shape() != Shape(expected)) {
      return InvalidArgument(std::string(kUpdates) + " must have shape " +
                             Shape(expected).ToString() + ", got " + updates->TypeString());
    }
    const int64_t slice = data->shape().NumElements(int(m), r);
    const int64_t tuples = indices->shape().NumElements(0, q - 1);
    const std::vector<int64_t> strides = ContiguousStrides(data->shape());
    std::vector<int64_t> offsets(static_cast<size_t>(tuples));
    for (int64_t t = 0; t < tuples; ++t) {
      int64_t off = 0;
      for (int64_t j = 0; j < m; ++j) {
        BRISK_ASSIGN_OR_RETURN(int64_t k, NormalizeIndex(IndexAt(*indices, t * m + j),
                                                         data->dim(int(j)), int(j), kIndices));
        off += k * strides[size_t(j)];
      }
      offsets[size_t(t)] = off;
    }
    BRISK_ASSIGN_OR_RETURN(Tensor out, data->Clone());
    BRISK_RETURN_IF_ERROR(
        DispatchForReduction(data->dtype(), reduction_, [&]<typename T>() -> Status {
          T* dst = out.data<T>();
          const T* upd = updates->data<T>();
          for (size_t t = 0; t < offsets.size(); ++t) {
            T* d = dst + offsets[t];
            const T* u = upd + int64_t(t) * slice;
            for (int64_t i = 0; i < slice; ++i) Combine(d[i], u[i], reduction_);
          }
          return Status::Ok();
        }));
    ctx.set_output(0, std::move(out));
    return Status::Ok();
  }

 private:
  Reduction reduction_;
};

}  // namespace

BRISK_REGISTER_OPS(indexing_scatter) {
  Op("ScatterElements").Since(11).Infer(InferScatterElements).Kernel<ScatterElementsKernel>();
  Op("Scatter").Since(9).Until(10).Infer(InferScatterElements).Kernel<ScatterElementsKernel>();
  Op("ScatterND").Since(11).Infer(InferScatterND).Kernel<ScatterNDKernel>();
}

}  // namespace brisk
