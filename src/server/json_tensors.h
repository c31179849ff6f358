// Tensors to and from the JSON forms the REST protocols use:
//   KServe v2:   {"shape": [2, 3], "datatype": "FP32", "data": [1, 2, 3, 4, 5, 6]} (flat or nested)
//   TF Serving:  nested lists whose nesting is the shape: [[1, 2, 3], [4, 5, 6]]
// and from the raw little-endian bytes of KServe's binary tensor data extension. Errors name the
// tensor (`what`, e.g. "input 'image'") and the offending element.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "brisk/status.h"
#include "brisk/tensor.h"

namespace brisk::server {

// `data` is a flat or nested list of shape.NumElements() values of `dtype` (numbers; true/false
// for BOOL; integers must be exact and in range).
StatusOr<Tensor> TensorFromJson(const nlohmann::json& data, DType dtype, const Shape& shape,
                                const std::string& what);
// A nested list (or a scalar) whose nesting gives the shape; it must be rectangular.
StatusOr<Tensor> TensorFromNestedJson(const nlohmann::json& data, DType dtype,
                                      const std::string& what);
// `bytes` must hold exactly shape x dtype bytes.
StatusOr<Tensor> TensorFromBytes(std::string_view bytes, DType dtype, const Shape& shape,
                                 const std::string& what);

nlohmann::json TensorToFlatJson(const Tensor& tensor);
nlohmann::json TensorToNestedJson(const Tensor& tensor);
// Rows [row] of a tensor of rank >= 1, as nested JSON (TF Serving's "predictions").
nlohmann::json RowToNestedJson(const Tensor& tensor, int64_t row);

}  // namespace brisk::server
