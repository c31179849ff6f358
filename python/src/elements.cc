// Element <-> dict conversion (see elements.h).
#include "elements.h"

#include <nanobind/stl/string.h>

#include "arrays.h"
#include "errors.h"

namespace brisk::python {

namespace nb = nanobind;

nb::dict ElementToDict(const data::Element& element) {
  nb::dict result;
  for (const auto& [name, tensor] : element.components) result[name.c_str()] = ToNumpy(tensor);
  return result;
}

namespace {

Tensor OwnedTensor(nb::handle value, const std::string& what) {
  InputTensor input = ToTensor(value, what);
  if (input.tensor.owns_data()) return input.tensor;
  return ValueOrThrow(input.tensor.Clone());  // a view of a Python array: copy it out
}

}  // namespace

data::Element ElementFromPython(nb::handle value, const std::string& origin) {
  data::Element element;
  element.origin = origin;
  if (nb::isinstance<nb::dict>(value)) {
    for (auto [key, item] : nb::borrow<nb::dict>(value)) {
      std::string name = nb::cast<std::string>(nb::str(key));
      element.components.emplace_back(name, OwnedTensor(item, origin + ": component '" + name + "'"));
    }
  } else if (nb::isinstance<nb::tuple>(value)) {
    size_t i = 0;
    for (nb::handle item : value) {
      std::string name = std::to_string(i++);
      element.components.emplace_back(name, OwnedTensor(item, origin + ": component " + name));
    }
  } else {
    element.components.emplace_back("x", OwnedTensor(value, origin));
  }
  return element;
}

}  // namespace brisk::python
