// Helpers shared by the built-in map functions (src/data/ops): finding a component and making
// errors that name the element's origin and the op ("photos/cat/001.jpg: decode_image: ...").
#pragma once

#include <string>
#include <string_view>

#include "brisk/data.h"

namespace brisk::data::ops_internal {

// InvalidArgument "<origin>: <op>: <message>".
Status OpError(const Element& e, std::string_view op, const std::string& message);
// The component named `name`, or an error listing the components there are.
StatusOr<Tensor*> Component(Element& e, std::string_view name, std::string_view op);
// `e` after replacing component `name` (which exists) with `value`.
void Replace(Element& e, std::string_view name, Tensor value);

}  // namespace brisk::data::ops_internal
