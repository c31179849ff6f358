// Variadic ops with numpy broadcasting (Max, Min, Sum, Mean) and Where.
#include <cmath>

#include "kernels/dispatch.h"
#include "kernels/reference/elementwise_util.h"

namespace brisk {
namespace {

using elementwise::BinaryMap;
using elementwise::kIsFloat;

template <typename T>
bool IsNan(T v) {
  if constexpr (kIsFloat<T>) return std::isnan(ToDouble(v));
  else return false;
}

enum class Reduce { kMax, kMin, kSum, kMean };

template <Reduce kOp, typename T>
T Combine(T a, T b) {
  if constexpr (kOp == Reduce::kMax || kOp == Reduce::kMin) {
    if (IsNan(a)) return a;  // NaN propagates, as numpy.maximum does
    if (IsNan(b)) return b;
    if constexpr (kOp == Reduce::kMax) return a < b ? b : a;
    else return b < a ? b : a;
  } else {
    if constexpr (kIsFloat<T>) return a + b;
    else return elementwise::WrapAdd(a, b);
  }
}

std::string DataName(int i) { return "data_" + std::to_string(i); }

template <Reduce kOp>
Status VariadicCompute(KernelContext& ctx) {
  if (ctx.num_inputs() < 1) return InvalidArgument("expected at least one input, got none");
  std::vector<const Tensor*> ins;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    BRISK_ASSIGN_OR_RETURN(const Tensor* t, elementwise::RequireInput(ctx, i, DataName(i)));
    BRISK_RETURN_IF_ERROR(
        elementwise::CheckSameDType(ins.empty() ? *t : *ins[0], 0, "data_0", *t, i, DataName(i)));
    ins.push_back(t);
  }
  BRISK_ASSIGN_OR_RETURN(Shape shape, elementwise::BroadcastOf(ins));
  const DType dtype = ins[0]->dtype();
  auto body = [&]<typename T>() -> Status {
    if (ins.size() == 1) {  // the broadcast of one shape is itself
      ctx.set_output(0, *ins[0]);
      return Status::Ok();
    }
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, dtype, shape));
    BinaryMap<T, T, T>(*ins[0], *ins[1], *y, Combine<kOp, T>);
    for (size_t i = 2; i < ins.size(); ++i) BinaryMap<T, T, T>(*y, *ins[i], *y, Combine<kOp, T>);
    if constexpr (kOp == Reduce::kMean) {
      const double n = double(ins.size());
      for (T& v : y->span<T>()) v = FromDouble<T>(ToDouble(v) / n);
    }
    return Status::Ok();
  };
  if constexpr (kOp == Reduce::kMean) return DispatchFloat(dtype, "input 0 'data_0'", body);
  else return DispatchNumeric(dtype, "input 0 'data_0'", body);
}

Status InferVariadic(InferenceContext& ctx) {
  static constexpr std::string_view kNames[] = {"data_"};
  return elementwise::InferBroadcastSameDType(ctx, std::nullopt, kNames);
}

Status WhereCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* c, elementwise::RequireInput(ctx, 0, "condition"));
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, elementwise::RequireInput(ctx, 1, "X"));
  BRISK_ASSIGN_OR_RETURN(const Tensor* y, elementwise::RequireInput(ctx, 2, "Y"));
  if (c->dtype() != DType::kBool) {
    return InvalidArgument("input 0 'condition' must be bool, got " +
                           std::string(DTypeName(c->dtype())));
  }
  BRISK_RETURN_IF_ERROR(elementwise::CheckSameDType(*x, 1, "X", *y, 2, "Y"));
  const Tensor* ins[] = {c, x, y};
  BRISK_ASSIGN_OR_RETURN(Shape shape, elementwise::BroadcastOf(ins));
  return DispatchAll(x->dtype(), "input 1 'X'", [&]<typename T>() -> Status {
    BRISK_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x->dtype(), shape));
    elementwise::TernaryMap<bool, T, T, T>(*c, *x, *y, *out,
                                           [](bool k, const T& a, const T& b) -> T {
                                             return k ? a : b;
                                           });
    return Status::Ok();
  });
}

Status InferWhere(InferenceContext& ctx) {
  const DType c = ctx.input_type(0).dtype;
  if (c != DType::kUndefined && c != DType::kBool) {
    return InvalidArgument("input 0 'condition' must be bool, got " + std::string(DTypeName(c)));
  }
  DType x = ctx.input_type(1).dtype;
  const DType y = ctx.input_type(2).dtype;
  if (x != DType::kUndefined && y != DType::kUndefined && x != y) {
    return InvalidArgument("input 2 'Y' has dtype " + std::string(DTypeName(y)) +
                           " but input 1 'X' has dtype " + std::string(DTypeName(x)) +
                           "; they must match");
  }
  if (x == DType::kUndefined) x = y;
  std::vector<std::optional<SymbolicShape>> shapes = {
      ctx.input_type(0).shape, ctx.input_type(1).shape, ctx.input_type(2).shape};
  BRISK_ASSIGN_OR_RETURN(auto shape, BroadcastSymbolic(shapes));
  ctx.set_output(0, x, std::move(shape));
  return Status::Ok();
}

}  // namespace

BRISK_REGISTER_OPS(elementwise_variadic) {
  // Opset 6-7 did not broadcast; broadcasting is a harmless superset there.
  Op("Max").Since(6).Infer(InferVariadic).Compute(VariadicCompute<Reduce::kMax>);
  Op("Min").Since(6).Infer(InferVariadic).Compute(VariadicCompute<Reduce::kMin>);
  Op("Sum").Since(6).Infer(InferVariadic).Compute(VariadicCompute<Reduce::kSum>);
  Op("Mean").Since(6).Infer(InferVariadic).Compute(VariadicCompute<Reduce::kMean>);
  Op("Where").Since(9).Infer(InferWhere).Compute(WhereCompute);
}

}  // namespace brisk
