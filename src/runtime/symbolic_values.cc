#include "runtime/symbolic_values.h"

#include <algorithm>

#include "kernels/shape_util.h"

namespace brisk {
namespace {

constexpr int64_t kMaxSymbolicElements = 64;

std::optional<std::vector<int64_t>> AllKnown(const SymbolicValue* v) {
  if (v == nullptr) return std::nullopt;
  std::vector<int64_t> out;
  for (const SymbolicInt& d : *v) {
    if (!d.value) return std::nullopt;
    out.push_back(*d.value);
  }
  return out;
}

const SymbolicValue* Input(const std::vector<const SymbolicValue*>& values, size_t i) {
  return i < values.size() ? values[i] : nullptr;
}

std::optional<SymbolicValue> ShapeValue(const ir::Node& node, const ir::TypeInfo& in) {
  if (!in.shape) return std::nullopt;
  const int rank = in.shape->rank();
  auto start_attr = node.attrs.GetInt("start", 0);
  auto end_attr = node.attrs.GetInt("end", rank);
  if (!start_attr.ok() || !end_attr.ok()) return std::nullopt;
  auto clamp = [&](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank); };
  const int64_t start = clamp(*start_attr);
  const int64_t end = std::max(clamp(*end_attr), start);
  SymbolicValue out;
  for (int64_t i = start; i < end; ++i) out.push_back(SymbolicInt::FromDim(in.shape->dims[size_t(i)]));
  return out;
}

}  // namespace

std::optional<SymbolicValue> SymbolicValueOfConstant(const Tensor& t) {
  if (t.rank() > 1 || t.num_elements() > kMaxSymbolicElements) return std::nullopt;
  auto ints = ReadInts(t, "value");
  if (!ints.ok()) return std::nullopt;
  SymbolicValue v;
  for (int64_t i : *ints) v.push_back(SymbolicInt{i, {}});
  return v;
}

std::optional<SymbolicValue> PropagateSymbolicValue(
    const ir::Node& node, const std::vector<ir::TypeInfo>& input_types,
    const std::vector<const SymbolicValue*>& input_values) {
  if (!node.domain.empty()) return std::nullopt;
  const std::string& op = node.op_type;
  const SymbolicValue* in0 = Input(input_values, 0);
  if (op == "Shape" && !input_types.empty()) return ShapeValue(node, input_types[0]);
  if (op == "Identity" && in0) return *in0;
  if (op == "Cast" && in0) {
    auto to = node.attrs.GetInt("to", 0);
    if (to.ok() && (*to == 7 || *to == 6)) return *in0;  // INT64 or INT32
    return std::nullopt;
  }
  if ((op == "Unsqueeze" || op == "Squeeze") && in0 && in0->size() <= 1) return *in0;
  if (op == "Gather" && in0) {
    const SymbolicValue* idx = Input(input_values, 1);
    auto indices = AllKnown(idx);
    if (!indices) return std::nullopt;
    SymbolicValue out;
    const int64_t n = int64_t(in0->size());
    for (int64_t i : *indices) {
      if (i < -n || i >= n) return std::nullopt;
      out.push_back((*in0)[size_t(i < 0 ? i + n : i)]);
    }
    return out;
  }
  if (op == "Concat") {
    SymbolicValue out;
    for (size_t i = 0; i < input_values.size(); ++i) {
      const SymbolicValue* v = input_values[i];
      if (v == nullptr) return std::nullopt;
      out.insert(out.end(), v->begin(), v->end());
    }
    return out;
  }
  if (op == "Slice" && in0 && node.opset >= 10) {
    auto starts = AllKnown(Input(input_values, 1));
    auto ends = AllKnown(Input(input_values, 2));
    if (!starts || !ends || starts->size() != 1 || ends->size() != 1) return std::nullopt;
    if (input_values.size() > 4 && Input(input_values, 4) != nullptr) {
      auto steps = AllKnown(Input(input_values, 4));
      if (!steps || steps->size() != 1 || (*steps)[0] != 1) return std::nullopt;
    }
    const int64_t n = int64_t(in0->size());
    auto clamp = [n](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + n : v, 0, n); };
    const int64_t s = clamp((*starts)[0]);
    const int64_t e = clamp((*ends)[0]);
    if (s >= e) return SymbolicValue{};
    return SymbolicValue(in0->begin() + s, in0->begin() + e);
  }
  return std::nullopt;
}

}  // namespace brisk
