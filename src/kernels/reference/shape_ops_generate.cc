// Range, ConstantOfShape, EyeLike, Trilu, ReverseSequence: tensors generated from a shape or
// from a masked / reordered copy of the input.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/dispatch.h"
#include "kernels/reference/shape_ops_util.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"
#include "onnx/tensor_proto.h"

namespace brisk {
namespace {

using shape_ops::InputName;
using shape_ops::ReadIntList;
using shape_ops::UnknownShape;

// ---- Range ---------------------------------------------------------------------------------

const char* const kRangeNames[] = {"start", "limit", "delta"};

// Number of elements of Range, computed in long double (exact for the int types' range).
template <typename T>
StatusOr<int64_t> RangeCount(T start, T limit, T delta) {
  const long double s = static_cast<long double>(ToDouble(start));
  const long double l = static_cast<long double>(ToDouble(limit));
  const long double d = static_cast<long double>(ToDouble(delta));
  if (d == 0) return InvalidArgument(InputName(2, "delta") + " must not be 0");
  if (std::isnan(s) || std::isnan(l) || std::isnan(d)) {
    return InvalidArgument("Range inputs must not be NaN");
  }
  const long double n = std::ceil((l - s) / d);
  if (!(n > 0)) return int64_t(0);
  if (n > static_cast<long double>(kMaxElements)) {
    return InvalidArgument("Range would produce too many elements (start " +
                           std::to_string(double(s)) + ", limit " + std::to_string(double(l)) +
                           ", delta " + std::to_string(double(d)) + ")");
  }
  return int64_t(n);
}

template <typename T>
StatusOr<std::array<T, 3>> RangeInputs(std::span<const Tensor* const> t) {
  std::array<T, 3> v;
  for (int i = 0; i < 3; ++i) {
    if (t[size_t(i)]->num_elements() != 1) {
      return InvalidArgument(InputName(i, kRangeNames[i]) + " must be a scalar, got " +
                             t[size_t(i)]->TypeString());
    }
    if (t[size_t(i)]->dtype() != t[0]->dtype()) {
      return InvalidArgument(InputName(i, kRangeNames[i]) + " has dtype " +
                             std::string(DTypeName(t[size_t(i)]->dtype())) +
                             " but input 0 'start' has " + std::string(DTypeName(t[0]->dtype())));
    }
    v[size_t(i)] = *t[size_t(i)]->data<T>();
  }
  return v;
}

template <typename F>
Status DispatchRange(DType d, F&& fn) {
  switch (d) {
    case DType::kFloat32: return fn.template operator()<float>();
    case DType::kFloat64: return fn.template operator()<double>();
    case DType::kInt16: return fn.template operator()<int16_t>();
    case DType::kInt32: return fn.template operator()<int32_t>();
    case DType::kInt64: return fn.template operator()<int64_t>();
    default:
      return Unimplemented("input 0 'start': dtype " + std::string(DTypeName(d)) +
                           " is not supported (expected float32, float64, int16, int32, int64)");
  }
}

Status InferRange(InferenceContext& ctx) {
  const DType dtype = ctx.input_type(0).dtype;
  const Tensor* c[3] = {ctx.input_constant(0), ctx.input_constant(1), ctx.input_constant(2)};
  if (c[0] == nullptr || c[1] == nullptr || c[2] == nullptr) {
    ctx.set_output(0, dtype, UnknownShape(1));
    return Status::Ok();
  }
  int64_t n = 0;
  BRISK_RETURN_IF_ERROR(DispatchRange(c[0]->dtype(), [&]<typename T>() -> Status {
    BRISK_ASSIGN_OR_RETURN(auto v, RangeInputs<T>(c));
    BRISK_ASSIGN_OR_RETURN(n, RangeCount<T>(v[0], v[1], v[2]));
    return Status::Ok();
  }));
  ctx.set_output(0, dtype, SymbolicShape({Dim::Known(n)}));
  return Status::Ok();
}

Status RangeCompute(KernelContext& ctx) {
  const Tensor* t[3];
  for (int i = 0; i < 3; ++i) {
    BRISK_ASSIGN_OR_RETURN(t[i], shape_ops::RequiredInput(ctx, i, kRangeNames[i]));
  }
  return DispatchRange(t[0]->dtype(), [&]<typename T>() -> Status {
    BRISK_ASSIGN_OR_RETURN(auto v, RangeInputs<T>(t));
    BRISK_ASSIGN_OR_RETURN(const int64_t n, RangeCount<T>(v[0], v[1], v[2]));
    BRISK_ASSIGN_OR_RETURN(Tensor* y, ctx.AllocateOutput(0, t[0]->dtype(), Shape{n}));
    T* out = y->data<T>();
    for (int64_t i = 0; i < n; ++i) {
      if constexpr (std::is_integral_v<T>) {
        out[i] = T(int64_t(uint64_t(int64_t(v[0])) + uint64_t(i) * uint64_t(int64_t(v[2]))));
      } else {
        out[i] = T(v[0] + T(i) * v[2]);
      }
    }
    return Status::Ok();
  });
}

// ---- ConstantOfShape -----------------------------------------------------------------------

StatusOr<Tensor> ConstantOfShapeValue(const ir::AttributeMap& attrs) {
  if (!attrs.Has("value")) return Tensor::Scalar<float>(0.f);
  BRISK_ASSIGN_OR_RETURN(Tensor v, attrs.GetTensor("value"));
  if (v.num_elements() != 1) {
    return InvalidArgument("attribute 'value' must hold exactly one element, got " +
                           v.TypeString());
  }
  if (v.dtype() == DType::kString) {
    return InvalidArgument("attribute 'value': dtype string is not supported");
  }
  return v;
}

Status CheckShapeDims(std::span<const int64_t> dims) {
  for (int64_t d : dims) {
    if (d < 0) {
      return InvalidArgument(InputName(0, "input") + ": dim " + std::to_string(d) +
                             " is negative");
    }
  }
  return Status::Ok();
}

Status InferConstantOfShape(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(Tensor v, ConstantOfShapeValue(ctx.attrs()));
  if (auto dims = ConstantInts(ctx, 0)) {
    BRISK_RETURN_IF_ERROR(CheckShapeDims(*dims));
    ctx.set_output(0, v.dtype(), SymbolicShape::FromShape(Shape(*dims)));
  } else if (const SymbolicValue* sym = ctx.input_symbolic_value(0)) {
    SymbolicShape shape;  // e.g. [N, 12] from Concat(Gather(Shape(x), 0), [12])
    for (const SymbolicInt& d : *sym) shape.dims.push_back(d.ToDim());
    ctx.set_output(0, v.dtype(), std::move(shape));
  } else if (auto n = shape_ops::KnownLength(ctx, 0)) {
    ctx.set_output(0, v.dtype(), UnknownShape(int(*n)));
  } else {
    ctx.set_output(0, v.dtype(), std::nullopt);
  }
  return Status::Ok();
}

class ConstantOfShapeKernel final : public Kernel {
 public:
  explicit ConstantOfShapeKernel(Tensor value) : value_(std::move(value)) {}
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(Tensor v, ConstantOfShapeValue(init.attrs()));
    return MakeKernel<ConstantOfShapeKernel>(std::move(v));
  }
  Status Run(KernelContext& ctx) const override {
    BRISK_ASSIGN_OR_RETURN(const Tensor* s, shape_ops::RequiredInput(ctx, 0, "input"));
    BRISK_ASSIGN_OR_RETURN(auto dims, ReadIntList(*s, 0, "input"));
    BRISK_RETURN_IF_ERROR(CheckShapeDims(dims));
    BRISK_ASSIGN_OR_RETURN(Tensor* y, ctx.AllocateOutput(0, value_.dtype(), Shape(dims)));
    shape_ops::FillElements(value_.dtype(), y->raw_data(), y->num_elements(), value_.raw_data());
    return Status::Ok();
  }

 private:
  Tensor value_;
};

// ---- EyeLike -------------------------------------------------------------------------------

StatusOr<DType> EyeLikeDType(const ir::AttributeMap& attrs, DType input) {
  if (!attrs.Has("dtype")) return input;
  BRISK_ASSIGN_OR_RETURN(const int64_t t, attrs.GetInt("dtype"));
  const DType d = onnx_io::DTypeFromOnnx(int(t));
  if (d == DType::kUndefined || d == DType::kString) {
    return InvalidArgument("attribute 'dtype' " + std::to_string(t) + " is not supported");
  }
  return d;
}

Status InferEyeLike(InferenceContext& ctx) {
  const auto& in = ctx.input_type(0);
  BRISK_ASSIGN_OR_RETURN(const DType dtype, EyeLikeDType(ctx.attrs(), in.dtype));
  BRISK_RETURN_IF_ERROR(ctx.attrs().GetInt("k", 0).status());
  if (in.shape && in.shape->rank() != 2) {
    return InvalidArgument("input 0 'input' must have rank 2, got " + in.shape->ToString());
  }
  ctx.set_output(0, dtype, in.shape ? *in.shape : UnknownShape(2));
  return Status::Ok();
}

Status EyeLikeCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, shape_ops::RequiredInput(ctx, 0, "input"));
  BRISK_ASSIGN_OR_RETURN(const DType dtype, EyeLikeDType(ctx.attrs(), x->dtype()));
  BRISK_ASSIGN_OR_RETURN(const int64_t k, ctx.attrs().GetInt("k", 0));
  if (x->rank() != 2) {
    return InvalidArgument("input 0 'input' must have rank 2, got " + x->TypeString());
  }
  BRISK_ASSIGN_OR_RETURN(Tensor y, Tensor::Zeros(dtype, x->shape()));
  const int64_t rows = x->dim(0), cols = x->dim(1);
  BRISK_RETURN_IF_ERROR(DispatchNumericOrBool(dtype, "attribute 'dtype'", [&]<typename T>() {
    T one;
    if constexpr (std::is_same_v<T, bool>) one = true;
    else one = FromDouble<T>(1.0);
    T* out = y.data<T>();
    for (int64_t i = 0; i < rows; ++i) {
      if (k < cols && k >= -i && i + k < cols) out[i * cols + i + k] = one;
    }
    return Status::Ok();
  }));
  ctx.set_output(0, std::move(y));
  return Status::Ok();
}

// ---- Trilu ---------------------------------------------------------------------------------

Status InferTrilu(InferenceContext& ctx) {
  const auto& in = ctx.input_type(0);
  BRISK_RETURN_IF_ERROR(ctx.attrs().GetInt("upper", 1).status());
  if (in.shape && in.shape->rank() < 2) {
    return InvalidArgument("input 0 'input' must have rank >= 2, got " + in.shape->ToString());
  }
  ctx.set_output_type(0, in);
  return Status::Ok();
}

Status TriluCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, shape_ops::RequiredInput(ctx, 0, "input"));
  BRISK_ASSIGN_OR_RETURN(const int64_t upper, ctx.attrs().GetInt("upper", 1));
  if (x->rank() < 2) {
    return InvalidArgument("input 0 'input' must have rank >= 2, got " + x->TypeString());
  }
  int64_t k = 0;
  if (ctx.has_input(1)) {
    BRISK_ASSIGN_OR_RETURN(auto kv, ReadIntList(*ctx.input(1), 1, "k"));
    if (kv.size() != 1) {
      return InvalidArgument(InputName(1, "k") + " must hold one value, got " +
                             ctx.input(1)->TypeString());
    }
    k = kv[0];
  }
  BRISK_ASSIGN_OR_RETURN(Tensor y, x->Clone());
  const int64_t rows = x->dim(x->rank() - 2), cols = x->dim(x->rank() - 1);
  const int64_t mats = rows * cols == 0 ? 0 : x->num_elements() / (rows * cols);
  k = std::clamp<int64_t>(k, -(rows + cols), rows + cols);
  const bool is_string = x->dtype() == DType::kString;
  const size_t size = DTypeSize(x->dtype());
  // Zeroes elements [from, to) of row i of matrix m.
  auto zero = [&](int64_t m, int64_t i, int64_t from, int64_t to) {
    from = std::clamp<int64_t>(from, 0, cols);
    to = std::clamp<int64_t>(to, 0, cols);
    if (from >= to) return;
    const int64_t base = (m * rows + i) * cols;
    if (is_string) {
      for (int64_t j = from; j < to; ++j) y.data<std::string>()[base + j].clear();
    } else {
      std::memset(shape_ops::ElementPtr(y, base + from), 0, size_t(to - from) * size);
    }
  };
  for (int64_t m = 0; m < mats; ++m) {
    for (int64_t i = 0; i < rows; ++i) {
      if (upper != 0) zero(m, i, 0, i + k);        // keep j - i >= k
      else zero(m, i, i + k + 1, cols);             // keep j - i <= k
    }
  }
  ctx.set_output(0, std::move(y));
  return Status::Ok();
}

// ---- ReverseSequence -----------------------------------------------------------------------

struct ReverseAxes {
  int batch = 1;
  int time = 0;
};

StatusOr<ReverseAxes> GetReverseAxes(const ir::AttributeMap& attrs) {
  BRISK_ASSIGN_OR_RETURN(const int64_t b, attrs.GetInt("batch_axis", 1));
  BRISK_ASSIGN_OR_RETURN(const int64_t t, attrs.GetInt("time_axis", 0));
  if ((b != 0 && b != 1) || (t != 0 && t != 1) || b == t) {
    return InvalidArgument("attributes 'batch_axis' (" + std::to_string(b) + ") and 'time_axis' (" +
                           std::to_string(t) + ") must be 0 and 1 in some order");
  }
  return ReverseAxes{int(b), int(t)};
}

Status InferReverseSequence(InferenceContext& ctx) {
  const auto& in = ctx.input_type(0);
  BRISK_ASSIGN_OR_RETURN(ReverseAxes axes, GetReverseAxes(ctx.attrs()));
  if (in.shape && in.shape->rank() < 2) {
    return InvalidArgument("input 0 'input' must have rank >= 2, got " + in.shape->ToString());
  }
  const auto& lens = ctx.input_type(1).shape;
  if (in.shape && lens && lens->rank() == 1 && lens->dims[0].is_known() &&
      in.shape->dims[size_t(axes.batch)].is_known() &&
      lens->dims[0].value != in.shape->dims[size_t(axes.batch)].value) {
    return InvalidArgument(InputName(1, "sequence_lens") + " has " +
                           std::to_string(lens->dims[0].value) +
                           " entries but the batch axis has " +
                           in.shape->dims[size_t(axes.batch)].ToString());
  }
  ctx.set_output_type(0, in);
  return Status::Ok();
}

class ReverseSequenceKernel final : public Kernel {
 public:
  explicit ReverseSequenceKernel(ReverseAxes axes) : axes_(axes) {}
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(ReverseAxes axes, GetReverseAxes(init.attrs()));
    return MakeKernel<ReverseSequenceKernel>(axes);
  }
  Status Run(KernelContext& ctx) const override {
    BRISK_ASSIGN_OR_RETURN(const Tensor* x, shape_ops::RequiredInput(ctx, 0, "input"));
    BRISK_ASSIGN_OR_RETURN(const Tensor* l, shape_ops::RequiredInput(ctx, 1, "sequence_lens"));
    if (x->rank() < 2) {
      return InvalidArgument("input 0 'input' must have rank >= 2, got " + x->TypeString());
    }
    BRISK_ASSIGN_OR_RETURN(auto lens, ReadIntList(*l, 1, "sequence_lens"));
    const int64_t batch = x->dim(axes_.batch), time = x->dim(axes_.time);
    if (int64_t(lens.size()) != batch) {
      return InvalidArgument(InputName(1, "sequence_lens") + " has " +
                             std::to_string(lens.size()) + " entries but the batch axis has " +
                             std::to_string(batch));
    }
    for (int64_t v : lens) {
      if (v < 0 || v > time) {
        return InvalidArgument(InputName(1, "sequence_lens") + ": length " + std::to_string(v) +
                               " is out of range [0, " + std::to_string(time) + "]");
      }
    }
    BRISK_ASSIGN_OR_RETURN(Tensor y, x->Clone());
    const std::vector<int64_t> strides = ContiguousStrides(x->shape());
    const int64_t inner = x->shape().NumElements(2, x->rank());
    const int64_t bs = strides[size_t(axes_.batch)], ts = strides[size_t(axes_.time)];
    const int64_t one = 1;
    const std::span<const int64_t> unit(&one, 1);
    const std::span<const int64_t> extent(&inner, 1);
    for (int64_t b = 0; b < batch; ++b) {
      const int64_t len = lens[size_t(b)];
      for (int64_t t = 0; t < len; ++t) {
        shape_ops::CopyStrided(x->dtype(), shape_ops::ElementPtr(*x, b * bs + (len - 1 - t) * ts),
                               unit, shape_ops::ElementPtr(y, b * bs + t * ts), unit, extent);
      }
    }
    ctx.set_output(0, std::move(y));
    return Status::Ok();
  }

 private:
  ReverseAxes axes_;
};

}  // namespace

BRISK_REGISTER_OPS(shape_ops_generate) {
  Op("Range").Since(11).Infer(InferRange).Compute(RangeCompute);
  Op("ConstantOfShape").Since(9).Infer(InferConstantOfShape).Kernel<ConstantOfShapeKernel>();
  Op("EyeLike").Since(9).Infer(InferEyeLike).Compute(EyeLikeCompute);
  Op("Trilu").Since(14).Infer(InferTrilu).Compute(TriluCompute);
  Op("ReverseSequence").Since(10).Infer(InferReverseSequence).Kernel<ReverseSequenceKernel>();
}

}  // namespace brisk
