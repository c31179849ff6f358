// brisk::data::Element: named components and where they came from.
#include "brisk/data.h"

namespace brisk::data {

Tensor* Element::Find(std::string_view name) {
  for (auto& [component, tensor] : components) {
    if (component == name) return &tensor;
  }
  return nullptr;
}

const Tensor* Element::Find(std::string_view name) const {
  return const_cast<Element*>(this)->Find(name);
}

StatusOr<Tensor*> Element::Get(std::string_view name) {
  if (Tensor* t = Find(name)) return t;
  std::string names;
  for (const auto& [component, tensor] : components) {
    names += (names.empty() ? "'" : ", '") + component + "'";
  }
  return NotFound(origin + ": no component '" + std::string(name) + "' (components: " +
                  (names.empty() ? "none" : names) + ")");
}

}  // namespace brisk::data
