// Helpers shared by the two Predict overloads (predict_tensors.cc, predict_dataset.cc).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "brisk/data.h"

namespace brisk::data::internal {

using Clock = std::chrono::steady_clock;
double SecondsSince(Clock::time_point start);

// Rows [begin, end) of a row-major tensor, as a view.
Tensor RowView(const Tensor& t, int64_t begin, int64_t end);
// An error unless every output has `rows` rows in dim 0.
Status CheckBatchMajor(const Session& session, const std::vector<Tensor>& outputs, int64_t rows);
// Copies `part` into rows [row, row + part.dim(0)) of `stacked` (same dtype, same row shape).
Status CopyRows(const Tensor& part, Tensor& stacked, int64_t row, const std::string& name);
// A tensor shaped like `first` with `rows` rows.
StatusOr<Tensor> AllocateStacked(const Tensor& first, int64_t rows);
// Cancelled when options.should_stop says so.
Status CheckStop(const PredictOptions& options);

}  // namespace brisk::data::internal
