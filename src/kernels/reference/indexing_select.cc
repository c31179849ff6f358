// OneHot, NonZero, Compress, Unique: ops whose output positions are selected by values.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <type_traits>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/reference/indexing_util.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

using indexing::DispatchBySize;
using indexing::NormalizeAxisOfTensor;
using indexing::RequiredInput;

// Whether an element counts as "non-zero" (true, non-empty string, non-zero number; NaN is
// non-zero).
template <typename T>
bool IsNonZero(const T& v) {
  if constexpr (std::is_same_v<T, std::string>) {
    return !v.empty();
  } else if constexpr (std::is_same_v<T, bool>) {
    return v;
  } else if constexpr (std::is_integral_v<T>) {
    return v != 0;
  } else {
    return ToDouble(v) != 0.0;
  }
}

// ---- OneHot --------------------------------------------------------------------------------

constexpr char kOneHotIndices[] = "input 0 'indices'";
constexpr char kDepth[] = "input 1 'depth'";
constexpr char kValues[] = "input 2 'values'";

// Reads any numeric tensor element as int64 (floats truncated toward zero, NaN/inf rejected).
StatusOr<int64_t> ReadIntegral(const Tensor& t, int64_t i, std::string_view what) {
  int64_t result = 0;
  BRISK_RETURN_IF_ERROR(DispatchNumeric(t.dtype(), what, [&]<typename T>() -> Status {
    const T v = t.data<T>()[i];
    if constexpr (std::is_integral_v<T>) {
      if constexpr (std::is_same_v<T, uint64_t>) {
        result = v > uint64_t(INT64_MAX) ? INT64_MAX : int64_t(v);
      } else {
        result = int64_t(v);
      }
    } else {
      const double d = ToDouble(v);
      if (!std::isfinite(d) || std::fabs(d) > 9.2e18) {
        return InvalidArgument(std::string(what) + ": value " + std::to_string(d) +
                               " is not a representable integer");
      }
      result = int64_t(d);
    }
    return Status::Ok();
  }));
  return result;
}

StatusOr<int64_t> ReadDepth(const Tensor& depth) {
  if (depth.num_elements() != 1 || depth.rank() > 1) {
    return InvalidArgument(std::string(kDepth) +
                           " must be a scalar or a 1-element rank-1 tensor, got " +
                           depth.TypeString());
  }
  BRISK_ASSIGN_OR_RETURN(int64_t d, ReadIntegral(depth, 0, kDepth));
  if (d < 0) {
    return InvalidArgument(std::string(kDepth) + " must be >= 0, got " + std::to_string(d));
  }
  return d;
}

Status InferOneHot(InferenceContext& ctx) {
  const ir::TypeInfo& indices = ctx.input_type(0);
  const ir::TypeInfo& values = ctx.input_type(2);
  BRISK_ASSIGN_OR_RETURN(int64_t axis, ctx.attrs().GetInt("axis", -1));
  if (!indices.shape) {
    ctx.set_output(0, values.dtype, std::nullopt);
    return Status::Ok();
  }
  const int r = indices.shape->rank();
  BRISK_ASSIGN_OR_RETURN(int a, NormalizeAxis(axis, r + 1, "attribute 'axis'"));
  Dim depth_dim = Dim::Unknown();
  if (const Tensor* depth = ctx.input_constant(1); depth != nullptr) {
    BRISK_ASSIGN_OR_RETURN(int64_t d, ReadDepth(*depth));
    depth_dim = Dim::Known(d);
  }
  SymbolicShape out = *indices.shape;
  out.dims.insert(out.dims.begin() + a, depth_dim);
  ctx.set_output(0, values.dtype, std::move(out));
  return Status::Ok();
}

class OneHotKernel final : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(int64_t axis, init.attrs().GetInt("axis", -1));
    return MakeKernel<OneHotKernel>(axis);
  }
  explicit OneHotKernel(int64_t axis) : axis_(axis) {}

  Status Run(KernelContext& ctx) const override {
    BRISK_ASSIGN_OR_RETURN(const Tensor* indices, RequiredInput(ctx, 0, "indices"));
    BRISK_ASSIGN_OR_RETURN(const Tensor* depth_t, RequiredInput(ctx, 1, "depth"));
    BRISK_ASSIGN_OR_RETURN(const Tensor* values, RequiredInput(ctx, 2, "values"));
    if (values->rank() != 1 || values->num_elements() != 2) {
      return InvalidArgument(std::string(kValues) +
                             " must be a rank-1 tensor [off_value, on_value], got " +
                             values->TypeString());
    }
    const int r = indices->rank();
    BRISK_ASSIGN_OR_RETURN(int axis, NormalizeAxis(axis_, r + 1, "attribute 'axis'"));
    BRISK_ASSIGN_OR_RETURN(int64_t depth, ReadDepth(*depth_t));
    const int64_t n = indices->num_elements();
    // Class of each index: -1 (all off) when out of range.
    std::vector<int64_t> cls(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      BRISK_ASSIGN_OR_RETURN(int64_t k, ReadIntegral(*indices, i, kOneHotIndices));
      // Negative indices count from the end (opset 11; onnxruntime accepts them at 9 too).
      if (k < 0 && k >= -depth) k += depth;
      cls[size_t(i)] = (k >= 0 && k < depth) ? k : -1;
    }
    std::vector<int64_t> out_dims = indices->shape().dims();
    out_dims.insert(out_dims.begin() + axis, depth);
    BRISK_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, values->dtype(), Shape(out_dims)));
    const int64_t outer = indices->shape().NumElements(0, axis);
    const int64_t inner = indices->shape().NumElements(axis, r);
    return DispatchBySize(values->dtype(), kValues, [&]<typename T>() -> Status {
      const T off = values->data<T>()[0];
      const T on = values->data<T>()[1];
      T* dst = out->data<T>();
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t d = 0; d < depth; ++d) {
          for (int64_t i = 0; i < inner; ++i) {
            *dst++ = cls[size_t(o * inner + i)] == d ? on : off;
          }
        }
      }
      return Status::Ok();
    });
  }

 private:
  int64_t axis_;
};

// ---- NonZero -------------------------------------------------------------------------------

Status InferNonZero(InferenceContext& ctx) {
  const ir::TypeInfo& x = ctx.input_type(0);
  if (!x.shape) {
    ctx.set_output(0, DType::kInt64, indexing::UnknownDims(2));
    return Status::Ok();
  }
  ctx.set_output(0, DType::kInt64,
                 SymbolicShape({Dim::Known(std::max(x.shape->rank(), 1)), Dim::Unknown()}));
  return Status::Ok();
}

Status NonZeroCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, RequiredInput(ctx, 0, "X"));
  // A scalar is treated as a 1-element vector, as onnxruntime does.
  const Shape shape = x->rank() == 0 ? Shape{1} : x->shape();
  const int r = shape.rank();
  std::vector<int64_t> hits;
  BRISK_RETURN_IF_ERROR(DispatchAll(x->dtype(), "input 0 'X'", [&]<typename T>() -> Status {
    const T* v = x->data<T>();
    const int64_t n = x->num_elements();
    for (int64_t i = 0; i < n; ++i)
      if (IsNonZero(v[i])) hits.push_back(i);
    return Status::Ok();
  }));
  const int64_t nnz = int64_t(hits.size());
  BRISK_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, DType::kInt64, Shape{r, nnz}));
  int64_t* dst = out->data<int64_t>();
  for (int64_t j = 0; j < nnz; ++j) {
    int64_t flat = hits[size_t(j)];
    for (int d = r - 1; d >= 0; --d) {
      dst[d * nnz + j] = flat % shape[d];
      flat /= shape[d];
    }
  }
  return Status::Ok();
}

// ---- Compress ------------------------------------------------------------------------------

constexpr char kCondition[] = "input 1 'condition'";

// Positions selected by a bool condition over an axis of `size`; fails on a true entry beyond it.
StatusOr<std::vector<int64_t>> SelectedPositions(const Tensor& condition, int64_t size) {
  if (condition.dtype() != DType::kBool) {
    return InvalidArgument(std::string(kCondition) + " must be bool, got " +
                           condition.TypeString());
  }
  if (condition.rank() != 1) {
    return InvalidArgument(std::string(kCondition) + " must have rank 1, got " +
                           condition.TypeString());
  }
  std::vector<int64_t> pos;
  const bool* c = condition.data<bool>();
  for (int64_t i = 0; i < condition.num_elements(); ++i) {
    if (!c[i]) continue;
    if (i >= size) {
      return OutOfRange(std::string(kCondition) + ": true entry at index " + std::to_string(i) +
                        " is out of range for the selected axis of size " +
                        std::to_string(size));
    }
    pos.push_back(i);
  }
  return pos;
}

Status InferCompress(InferenceContext& ctx) {
  const ir::TypeInfo& x = ctx.input_type(0);
  const ir::TypeInfo& cond = ctx.input_type(1);
  if (cond.dtype != DType::kUndefined && cond.dtype != DType::kBool) {
    return InvalidArgument(std::string(kCondition) + " must be bool, got " +
                           std::string(DTypeName(cond.dtype)));
  }
  const ir::Attribute* axis_attr = ctx.attrs().Find("axis");
  Dim count = Dim::Unknown();
  if (const Tensor* c = ctx.input_constant(1); c != nullptr && c->dtype() == DType::kBool) {
    int64_t k = 0;
    for (bool b : c->span<bool>()) k += b ? 1 : 0;
    count = Dim::Known(k);
  }
  if (axis_attr == nullptr) {
    ctx.set_output(0, x.dtype, SymbolicShape({count}));
    return Status::Ok();
  }
  if (!x.shape) {
    ctx.set_output(0, x.dtype, std::nullopt);
    return Status::Ok();
  }
  BRISK_ASSIGN_OR_RETURN(int64_t axis, ctx.attrs().GetInt("axis"));
  BRISK_ASSIGN_OR_RETURN(int a, NormalizeAxisOfTensor(axis, x.shape->rank(), "attribute 'axis'"));
  SymbolicShape out = *x.shape;
  out.dims[size_t(a)] = count;
  ctx.set_output(0, x.dtype, std::move(out));
  return Status::Ok();
}

class CompressKernel final : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    std::optional<int64_t> axis;
    if (init.attrs().Has("axis")) {
      BRISK_ASSIGN_OR_RETURN(axis, init.attrs().GetInt("axis"));
    }
    return MakeKernel<CompressKernel>(axis);
  }
  explicit CompressKernel(std::optional<int64_t> axis) : axis_(axis) {}

  Status Run(KernelContext& ctx) const override {
    BRISK_ASSIGN_OR_RETURN(const Tensor* x, RequiredInput(ctx, 0, "input"));
    BRISK_ASSIGN_OR_RETURN(const Tensor* cond, RequiredInput(ctx, 1, "condition"));
    int axis = 0;
    Shape shape = Shape{x->num_elements()};
    if (axis_) {
      BRISK_ASSIGN_OR_RETURN(axis, NormalizeAxisOfTensor(*axis_, x->rank(), "attribute 'axis'"));
      shape = x->shape();
    }
    BRISK_ASSIGN_OR_RETURN(std::vector<int64_t> pos, SelectedPositions(*cond, shape[axis]));
    Shape out_shape = shape;
    out_shape[axis] = int64_t(pos.size());
    BRISK_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x->dtype(), out_shape));
    const int64_t outer = shape.NumElements(0, axis);
    const int64_t size = shape[axis];
    const int64_t inner = shape.NumElements(axis + 1, shape.rank());
    return DispatchBySize(x->dtype(), "input 0 'input'", [&]<typename T>() -> Status {
      const T* src = x->data<T>();
      T* dst = out->data<T>();
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t p : pos) {
          const T* from = src + (o * size + p) * inner;
          dst = std::copy(from, from + inner, dst);
        }
      }
      return Status::Ok();
    });
  }

 private:
  std::optional<int64_t> axis_;
};

// ---- Unique --------------------------------------------------------------------------------

// Total order used for sorting: NaNs compare equal to each other and greater than numbers.
template <typename T>
int CompareValues(const T& a, const T& b) {
  if constexpr (std::is_same_v<T, std::string> || std::is_integral_v<T>) {
    return a < b ? -1 : (b < a ? 1 : 0);
  } else {
    const double x = ToDouble(a);
    const double y = ToDouble(b);
    const bool nx = std::isnan(x);
    const bool ny = std::isnan(y);
    if (nx || ny) return nx == ny ? 0 : (nx ? 1 : -1);
    return x < y ? -1 : (y < x ? 1 : 0);
  }
}

Status InferUnique(InferenceContext& ctx) {
  const ir::TypeInfo& x = ctx.input_type(0);
  BRISK_ASSIGN_OR_RETURN(int64_t sorted, ctx.attrs().GetInt("sorted", 1));
  if (sorted != 0 && sorted != 1) {
    return InvalidArgument("attribute 'sorted' must be 0 or 1, got " + std::to_string(sorted));
  }
  std::optional<SymbolicShape> y = indexing::UnknownDims(1);
  if (ctx.attrs().Has("axis")) {
    if (!x.shape) {
      y = std::nullopt;
    } else {
      BRISK_ASSIGN_OR_RETURN(int64_t axis, ctx.attrs().GetInt("axis"));
      BRISK_ASSIGN_OR_RETURN(int a,
                             NormalizeAxisOfTensor(axis, x.shape->rank(), "attribute 'axis'"));
      y = *x.shape;
      y->dims[size_t(a)] = Dim::Unknown();
    }
  }
  ctx.set_output(0, x.dtype, y);
  for (int i = 1; i < ctx.num_outputs(); ++i)
    ctx.set_output(i, DType::kInt64, indexing::UnknownDims(1));
  return Status::Ok();
}

class UniqueKernel final : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(int64_t sorted, init.attrs().GetInt("sorted", 1));
    if (sorted != 0 && sorted != 1) {
      return InvalidArgument("attribute 'sorted' must be 0 or 1, got " + std::to_string(sorted));
    }
    std::optional<int64_t> axis;
    if (init.attrs().Has("axis")) {
      BRISK_ASSIGN_OR_RETURN(axis, init.attrs().GetInt("axis"));
    }
    return MakeKernel<UniqueKernel>(sorted == 1, axis);
  }
  UniqueKernel(bool sorted, std::optional<int64_t> axis) : sorted_(sorted), axis_(axis) {}

  Status Run(KernelContext& ctx) const override {
    BRISK_ASSIGN_OR_RETURN(const Tensor* x, RequiredInput(ctx, 0, "X"));
    // View X as [outer, n, inner]; unique "rows" are the n slices along the axis.
    Shape shape = Shape{x->num_elements()};
    int axis = 0;
    if (axis_) {
      BRISK_ASSIGN_OR_RETURN(axis, NormalizeAxisOfTensor(*axis_, x->rank(), "attribute 'axis'"));
      shape = x->shape();
    }
    const int64_t outer = shape.NumElements(0, axis);
    const int64_t n = shape[axis];
    const int64_t inner = shape.NumElements(axis + 1, shape.rank());
    return DispatchAll(x->dtype(), "input 0 'X'", [&]<typename T>() -> Status {
      const T* src = x->data<T>();
      auto compare_rows = [&](int64_t a, int64_t b) {
        for (int64_t o = 0; o < outer; ++o) {
          const T* ra = src + (o * n + a) * inner;
          const T* rb = src + (o * n + b) * inner;
          for (int64_t i = 0; i < inner; ++i) {
            const int c = CompareValues(ra[i], rb[i]);
            if (c != 0) return c;
          }
        }
        return 0;
      };
      std::vector<int64_t> order(static_cast<size_t>(n));
      std::iota(order.begin(), order.end(), int64_t{0});
      std::stable_sort(order.begin(), order.end(),
                       [&](int64_t a, int64_t b) { return compare_rows(a, b) < 0; });
      // Groups of equal rows: first occurrence (smallest index, thanks to the stable sort).
      std::vector<int64_t> first;
      std::vector<int64_t> counts;
      std::vector<int64_t> group_of(static_cast<size_t>(n));
      for (size_t i = 0; i < order.size(); ++i) {
        if (i == 0 || compare_rows(order[i - 1], order[i]) != 0) {
          first.push_back(order[i]);
          counts.push_back(0);
        }
        ++counts.back();
        group_of[size_t(order[i])] = int64_t(first.size()) - 1;
      }
      const int64_t u = int64_t(first.size());
      // Output position of each group: sorted order, or order of first occurrence.
      std::vector<int64_t> rank_of(static_cast<size_t>(u));
      std::vector<int64_t> groups(static_cast<size_t>(u));
      std::iota(groups.begin(), groups.end(), int64_t{0});
      if (!sorted_) {
        std::sort(groups.begin(), groups.end(),
                  [&](int64_t a, int64_t b) { return first[size_t(a)] < first[size_t(b)]; });
      }
      for (int64_t j = 0; j < u; ++j) rank_of[size_t(groups[size_t(j)])] = j;

      Shape y_shape = shape;
      y_shape[axis] = u;
      BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), y_shape));
      T* dst = y->data<T>();
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t j = 0; j < u; ++j) {
          const T* from = src + (o * n + first[size_t(groups[size_t(j)])]) * inner;
          dst = std::copy(from, from + inner, dst);
        }
      }
      if (ctx.num_outputs() > 1) {
        BRISK_ASSIGN_OR_RETURN(Tensor * t, ctx.AllocateOutput(1, DType::kInt64, Shape{u}));
        for (int64_t j = 0; j < u; ++j) t->data<int64_t>()[j] = first[size_t(groups[size_t(j)])];
      }
      if (ctx.num_outputs() > 2) {
        BRISK_ASSIGN_OR_RETURN(Tensor * t, ctx.AllocateOutput(2, DType::kInt64, Shape{n}));
        for (int64_t i = 0; i < n; ++i)
          t->data<int64_t>()[i] = rank_of[size_t(group_of[size_t(i)])];
      }
      if (ctx.num_outputs() > 3) {
        BRISK_ASSIGN_OR_RETURN(Tensor * t, ctx.AllocateOutput(3, DType::kInt64, Shape{u}));
        for (int64_t j = 0; j < u; ++j) t->data<int64_t>()[j] = counts[size_t(groups[size_t(j)])];
      }
      return Status::Ok();
    });
  }

 private:
  bool sorted_;
  std::optional<int64_t> axis_;
};

}  // namespace

BRISK_REGISTER_OPS(indexing_select) {
  Op("OneHot").Since(9).Infer(InferOneHot).Kernel<OneHotKernel>();
  Op("NonZero").Since(9).Infer(InferNonZero).Compute(NonZeroCompute);
  Op("Compress").Since(9).Infer(InferCompress).Kernel<CompressKernel>();
  Op("Unique").Since(11).Infer(InferUnique).Kernel<UniqueKernel>();
}

}  // namespace brisk
