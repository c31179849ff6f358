#include "kernels/reference/elementwise_util.h"

#include <algorithm>

namespace brisk::elementwise {

StatusOr<Shape> BroadcastOf(std::span<const Tensor* const> ins) {
  std::vector<Shape> shapes;
  shapes.reserve(ins.size());
  for (const Tensor* t : ins) shapes.push_back(t->shape());
  return BroadcastShapes(shapes);
}

Status InferBroadcastSameDType(InferenceContext& ctx, std::optional<DType> out_dtype,
                               std::span<const std::string_view> names) {
  DType common = DType::kUndefined;
  int common_index = -1;
  std::vector<std::optional<SymbolicShape>> shapes;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.has_input(i)) continue;
    const ir::TypeInfo& t = ctx.input_type(i);
    shapes.push_back(t.shape);
    if (t.dtype == DType::kUndefined) continue;
    if (common == DType::kUndefined) {
      common = t.dtype;
      common_index = i;
    } else if (t.dtype != common) {
      auto name = [&](int k) {
        if (names.empty()) return std::string("input");
        std::string n(names[std::min(size_t(k), names.size() - 1)]);
        if (!n.empty() && n.back() == '_') n += std::to_string(k);
        return n;
      };
      return InvalidArgument(InputLabel(i, name(i)) + " has dtype " +
                             std::string(DTypeName(t.dtype)) + " but " +
                             InputLabel(common_index, name(common_index)) + " has dtype " +
                             std::string(DTypeName(common)) + "; they must match");
    }
  }
  BRISK_ASSIGN_OR_RETURN(auto shape, BroadcastSymbolic(shapes));
  ctx.set_output(0, out_dtype ? *out_dtype : common, std::move(shape));
  return Status::Ok();
}

Status InferSameShapeAs0(InferenceContext& ctx, DType dtype) {
  ctx.set_output(0, dtype, ctx.input_type(0).shape);
  return Status::Ok();
}

}  // namespace brisk::elementwise
