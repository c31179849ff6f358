// Element-wise dtype conversion between numeric and bool tensors (ops::Cast, ops::Normalize).
#pragma once

#include "brisk/status.h"
#include "brisk/tensor.h"

namespace brisk::data::ops_internal {

// float -> integer truncates toward zero and saturates (NaN -> 0), unlike C++'s undefined cast;
// anything -> bool is "!= 0". Strings are refused.
StatusOr<Tensor> CastTensor(const Tensor& t, DType dtype);

}  // namespace brisk::data::ops_internal
