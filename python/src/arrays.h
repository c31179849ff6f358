// NumPy arrays (and anything with the buffer protocol or DLPack) <-> brisk::Tensor.
//
// In: a C-contiguous array of a supported dtype becomes a Tensor *view* of its memory (no copy);
// the caller keeps the Python object alive while the view is used. Non-contiguous arrays, and
// arrays whose last bytes sit so close to a page end that a vector kernel's tail over-read could
// touch the next page (include/brisk/tensor.h allows 64 bytes), are copied once; InputCopies()
// counts those copies so tests can see the fast path is taken.
// Out: a Tensor becomes a NumPy array sharing the Tensor's buffer (the array keeps it alive).
// Strings become object arrays of str; bfloat16 (which NumPy lacks) becomes float32.
#pragma once

#include <nanobind/nanobind.h>

#include <cstdint>
#include <string>
#include <vector>

#include "brisk/tensor.h"

namespace brisk::python {

// A tensor made from a Python object, with whatever keeps its memory alive.
struct InputTensor {
  Tensor tensor;
  nanobind::object keep_alive;  // the source array (view) or nothing (copied)
};

// Converts `object` (ndarray, array-like, scalar, list) to a tensor. `what` names it in errors
// ("input 'x'"). Throws StatusError (InvalidArgumentError) on unsupported dtypes.
InputTensor ToTensor(nanobind::handle object, const std::string& what);

// A NumPy array sharing `tensor`'s storage (a copy for views, strings and bfloat16).
nanobind::object ToNumpy(const Tensor& tensor);

// The NumPy dtype object for a brisk dtype, or its name as a str when NumPy has none.
nanobind::object NumpyDType(DType dtype);

// How many input arrays were copied rather than viewed since the module was loaded.
int64_t InputCopies();

}  // namespace brisk::python
