// Component lookup and error text for the built-in map functions.
#include "data/ops/op_util.h"

#include <utility>

namespace brisk::data::ops_internal {

Status OpError(const Element& e, std::string_view op, const std::string& message) {
  std::string where = e.origin.empty() ? std::string() : e.origin + ": ";
  return InvalidArgument(where + std::string(op) + ": " + message);
}

StatusOr<Tensor*> Component(Element& e, std::string_view name, std::string_view op) {
  for (auto& [n, t] : e.components) {
    if (n == name) return &t;
  }
  std::string known;
  for (const auto& [n, t] : e.components) known += (known.empty() ? "" : ", ") + n;
  return OpError(e, op, "no component '" + std::string(name) + "' (the element has: " +
                            (known.empty() ? "nothing" : known) + ")");
}

void Replace(Element& e, std::string_view name, Tensor value) {
  for (auto& [n, t] : e.components) {
    if (n == name) {
      t = std::move(value);
      return;
    }
  }
}

}  // namespace brisk::data::ops_internal
