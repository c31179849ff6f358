// brisk::data::Element <-> Python dict of NumPy arrays.
#pragma once

#include <nanobind/nanobind.h>

#include <string>

#include "brisk/data.h"

namespace brisk::python {

// {component name: ndarray}, sharing the element's buffers.
nanobind::dict ElementToDict(const data::Element& element);

// A dict {name: array-like} (components in the dict's order), a tuple (components "0",
// "1", ... like tf.data's tuples) or one array (component "x") -> an element owning copies of
// the data (the Python objects may be gone before the element is used). `what` names the value
// in errors ("generator item 3").
data::Element ElementFromPython(nanobind::handle value, const std::string& origin);

}  // namespace brisk::python
