#include "kernels/shape_util.h"

#include <algorithm>

namespace brisk {

StatusOr<int> NormalizeAxis(int64_t axis, int rank, std::string_view what) {
  if (axis < -rank || axis >= std::max(rank, 1)) {
    return InvalidArgument(std::string(what) + " " + std::to_string(axis) +
                           " is out of range for rank " + std::to_string(rank));
  }
  return int(axis < 0 ? axis + rank : axis);
}

StatusOr<Shape> BroadcastShapes(std::span<const Shape> shapes) {
  int rank = 0;
  for (const Shape& s : shapes) rank = std::max(rank, s.rank());
  std::vector<int64_t> out(size_t(rank), 1);
  for (const Shape& s : shapes) {
    const int offset = rank - s.rank();
    for (int i = 0; i < s.rank(); ++i) {
      int64_t& o = out[size_t(offset + i)];
      const int64_t d = s[i];
      if (d == o || d == 1) continue;
      if (o == 1) {
        o = d;
        continue;
      }
      std::string msg = "shapes";
      for (const Shape& t : shapes) msg += " " + t.ToString();
      return InvalidArgument(msg + " cannot be broadcast together");
    }
  }
  return Shape(std::move(out));
}

StatusOr<Shape> BroadcastShapes(const Shape& a, const Shape& b) {
  const Shape both[] = {a, b};
  return BroadcastShapes(std::span<const Shape>(both));
}

StatusOr<std::optional<SymbolicShape>> BroadcastSymbolic(
    std::span<const std::optional<SymbolicShape>> shapes) {
  int rank = 0;
  for (const auto& s : shapes) {
    if (!s) return std::optional<SymbolicShape>();
    rank = std::max(rank, s->rank());
  }
  SymbolicShape out;
  out.dims.resize(size_t(rank), Dim::Known(1));
  for (int i = 0; i < rank; ++i) {
    std::optional<Dim> result;  // nullopt while everything seen is 1
    bool unknown = false;
    for (const auto& s : shapes) {
      const int j = i - (rank - s->rank());
      if (j < 0) continue;
      const Dim& d = s->dims[size_t(j)];
      if (d.is_known() && d.value == 1) continue;
      if (!d.is_known() && !d.is_symbol()) {
        unknown = true;
        continue;
      }
      if (!result) {
        result = d;
      } else if (*result != d) {
        if (result->is_known() && d.is_known()) {
          std::string msg = "shapes";
          for (const auto& t : shapes) msg += " " + t->ToString();
          return InvalidArgument(msg + " cannot be broadcast together");
        }
        // A known dim beats a symbol (the symbol must equal it or be 1).
        if (d.is_known()) result = d;
        else if (!result->is_known()) unknown = true;
      }
    }
    if (unknown && (!result || !result->is_known())) out.dims[size_t(i)] = Dim::Unknown();
    else if (result) out.dims[size_t(i)] = *result;
  }
  return std::optional<SymbolicShape>(std::move(out));
}

std::vector<int64_t> BroadcastStrides(const Shape& in, const Shape& out) {
  std::vector<int64_t> strides(size_t(out.rank()), 0);
  int64_t stride = 1;
  for (int i = in.rank() - 1; i >= 0; --i) {
    const int o = out.rank() - in.rank() + i;
    strides[size_t(o)] = in[i] == 1 ? 0 : stride;
    stride *= in[i];
  }
  return strides;
}

std::vector<int64_t> ContiguousStrides(const Shape& s) {
  std::vector<int64_t> strides(size_t(s.rank()), 1);
  for (int i = s.rank() - 2; i >= 0; --i) strides[size_t(i)] = strides[size_t(i + 1)] * s[i + 1];
  return strides;
}

StatusOr<std::vector<int64_t>> ReadInts(const Tensor& t, std::string_view what) {
  std::vector<int64_t> out;
  out.reserve(size_t(t.num_elements()));
  if (t.dtype() == DType::kInt64) {
    for (int64_t v : t.span<int64_t>()) out.push_back(v);
  } else if (t.dtype() == DType::kInt32) {
    for (int32_t v : t.span<int32_t>()) out.push_back(v);
  } else {
    return InvalidArgument(std::string(what) + " must be int32 or int64, got " +
                           std::string(DTypeName(t.dtype())));
  }
  return out;
}

Status InferSameAsInput0(InferenceContext& ctx) {
  for (int i = 0; i < ctx.num_outputs(); ++i) {
    if (i == 0) ctx.set_output_type(0, ctx.input_type(0));
  }
  return Status::Ok();
}

namespace {
StatusOr<std::optional<SymbolicShape>> BroadcastInputs(const InferenceContext& ctx) {
  std::vector<std::optional<SymbolicShape>> shapes;
  for (int i = 0; i < ctx.num_inputs(); ++i)
    if (ctx.has_input(i)) shapes.push_back(ctx.input_type(i).shape);
  return BroadcastSymbolic(shapes);
}
}  // namespace

Status InferBroadcast(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(auto shape, BroadcastInputs(ctx));
  ctx.set_output(0, ctx.input_type(0).dtype, std::move(shape));
  return Status::Ok();
}

Status InferBroadcastBool(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(auto shape, BroadcastInputs(ctx));
  ctx.set_output(0, DType::kBool, std::move(shape));
  return Status::Ok();
}

Status InferUnknownShapeSameDtype(InferenceContext& ctx) {
  for (int i = 0; i < ctx.num_outputs(); ++i) ctx.set_output(i, ctx.input_type(0).dtype, {});
  return Status::Ok();
}

std::optional<std::vector<int64_t>> ConstantInts(const InferenceContext& ctx, int i) {
  const Tensor* t = ctx.input_constant(i);
  if (t == nullptr) return std::nullopt;
  auto ints = ReadInts(*t, "input");
  if (!ints.ok()) return std::nullopt;
  return *std::move(ints);
}

}  // namespace brisk
