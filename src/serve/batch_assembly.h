// The data side of the batcher: checking a request against the model, the shape signature that
// decides which requests may share a batch, and gathering rows into a batch and back.
#pragma once

#include <string>
#include <vector>

#include "brisk/session.h"
#include "brisk/tensor.h"

namespace brisk::serve {

// A request's inputs in the order of session.inputs(), and its row count (dim 0).
struct RequestInputs {
  std::vector<Tensor> tensors;
  int64_t rows = 0;
  std::string signature;  // dtypes and non-batch dims of every input
};

// Checks every input is present once, with the declared dtype and rank, the declared fixed
// non-batch dims, and one common dim 0 between 1 and `max_rows`. Errors name the input. With
// `batch_major` false (requests that are never merged) only presence, dtype and rank are checked
// here; the session checks the rest when it runs.
StatusOr<RequestInputs> CheckRequest(const std::vector<TensorInfo>& inputs,
                                     const NamedTensors& feeds, int64_t max_rows,
                                     bool batch_major = true);

// Concatenates the requests' inputs along dim 0 into `padded_rows` rows; rows past the
// requests' are copies of the last real row (their outputs are dropped).
StatusOr<std::vector<Tensor>> GatherBatch(const std::vector<const RequestInputs*>& requests,
                                          int64_t padded_rows);

// Rows [begin, begin + rows) of each output, copied into tensors of their own (callers keep
// them independently of the batch).
StatusOr<std::vector<Tensor>> SliceRows(const std::vector<Tensor>& outputs, int64_t begin,
                                        int64_t rows);

}  // namespace brisk::serve
