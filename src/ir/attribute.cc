#include "ir/attribute.h"

namespace brisk::ir {
namespace {

Status Missing(const std::string& name) {
  return InvalidArgument("required attribute '" + name + "' is missing");
}
Status WrongKind(const std::string& name, const Attribute& a, Attribute::Kind want) {
  return InvalidArgument("attribute '" + name + "' is " + std::string(AttributeKindName(a.kind)) +
                         ", expected " + std::string(AttributeKindName(want)));
}

template <typename T, typename Get>
StatusOr<T> GetTyped(const AttributeMap& m, const std::string& name, std::optional<T> def,
                     Attribute::Kind kind, Get get) {
  const Attribute* a = m.Find(name);
  if (a == nullptr) {
    if (def) return *std::move(def);
    return Missing(name);
  }
  if (a->kind != kind) return WrongKind(name, *a, kind);
  return get(*a);
}

}  // namespace

std::string_view AttributeKindName(Attribute::Kind kind) {
  switch (kind) {
    case Attribute::Kind::kFloat: return "float";
    case Attribute::Kind::kInt: return "int";
    case Attribute::Kind::kString: return "string";
    case Attribute::Kind::kTensor: return "tensor";
    case Attribute::Kind::kGraph: return "graph";
    case Attribute::Kind::kFloats: return "floats";
    case Attribute::Kind::kInts: return "ints";
    case Attribute::Kind::kStrings: return "strings";
    case Attribute::Kind::kTensors: return "tensors";
  }
  return "?";
}

const Attribute* AttributeMap::Find(const std::string& name) const {
  auto it = attrs_.find(name);
  return it == attrs_.end() ? nullptr : &it->second;
}

StatusOr<int64_t> AttributeMap::GetInt(const std::string& name,
                                       std::optional<int64_t> def) const {
  return GetTyped<int64_t>(*this, name, def, Attribute::Kind::kInt,
                           [](const Attribute& a) { return a.i; });
}
StatusOr<float> AttributeMap::GetFloat(const std::string& name, std::optional<float> def) const {
  // Some exporters write integral values of float attributes as ints; accept them.
  const Attribute* a = Find(name);
  if (a != nullptr && a->kind == Attribute::Kind::kInt) return float(a->i);
  return GetTyped<float>(*this, name, def, Attribute::Kind::kFloat,
                         [](const Attribute& a) { return a.f; });
}
StatusOr<std::string> AttributeMap::GetString(const std::string& name,
                                              std::optional<std::string> def) const {
  return GetTyped<std::string>(*this, name, std::move(def), Attribute::Kind::kString,
                               [](const Attribute& a) { return a.s; });
}
StatusOr<std::vector<int64_t>> AttributeMap::GetInts(
    const std::string& name, std::optional<std::vector<int64_t>> def) const {
  return GetTyped<std::vector<int64_t>>(*this, name, std::move(def), Attribute::Kind::kInts,
                                        [](const Attribute& a) { return a.ints; });
}
StatusOr<std::vector<float>> AttributeMap::GetFloats(
    const std::string& name, std::optional<std::vector<float>> def) const {
  return GetTyped<std::vector<float>>(*this, name, std::move(def), Attribute::Kind::kFloats,
                                      [](const Attribute& a) { return a.floats; });
}
StatusOr<std::vector<std::string>> AttributeMap::GetStrings(
    const std::string& name, std::optional<std::vector<std::string>> def) const {
  return GetTyped<std::vector<std::string>>(*this, name, std::move(def),
                                            Attribute::Kind::kStrings,
                                            [](const Attribute& a) { return a.strings; });
}
StatusOr<Tensor> AttributeMap::GetTensor(const std::string& name) const {
  return GetTyped<Tensor>(*this, name, std::nullopt, Attribute::Kind::kTensor,
                          [](const Attribute& a) { return a.t; });
}
StatusOr<std::shared_ptr<Graph>> AttributeMap::GetGraph(const std::string& name) const {
  return GetTyped<std::shared_ptr<Graph>>(*this, name, std::nullopt, Attribute::Kind::kGraph,
                                          [](const Attribute& a) { return a.g; });
}

}  // namespace brisk::ir
