// brisk::data::Predict over tensors: rows streamed in batches, outputs stacked in order.
//
// Each batch is a view of the caller's rows and, after the first batch fixed the output shapes,
// the run writes straight into the stacked outputs (Session::RunInto), so nothing is copied.
#include <algorithm>
#include <string>
#include <vector>

#include "brisk/data.h"
#include "data/predict_util.h"

namespace brisk::data {

using internal::AllocateStacked;
using internal::CheckBatchMajor;
using internal::CheckStop;
using internal::Clock;
using internal::CopyRows;
using internal::RowView;
using internal::SecondsSince;

StatusOr<PredictResult> Predict(Session& session, const std::vector<Tensor>& inputs,
                                const PredictOptions& options) {
  const std::vector<TensorInfo>& infos = session.inputs();
  if (inputs.size() != infos.size()) {
    return InvalidArgument("predict: the model takes " + std::to_string(infos.size()) +
                           " inputs, got " + std::to_string(inputs.size()));
  }
  if (options.batch_size < 1) {
    return InvalidArgument("predict: batch_size must be >= 1, got " +
                           std::to_string(options.batch_size));
  }
  int64_t rows = -1;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined() || inputs[i].rank() == 0) {
      return InvalidArgument("predict: input '" + infos[i].name +
                             "' needs at least one dimension (dim 0 is the row)");
    }
    if (rows >= 0 && inputs[i].dim(0) != rows) {
      return InvalidArgument("predict: input '" + infos[i].name + "' has " +
                             std::to_string(inputs[i].dim(0)) + " rows, input '" + infos[0].name +
                             "' has " + std::to_string(rows));
    }
    rows = inputs[i].dim(0);
  }
  if (rows == 0) return InvalidArgument("predict: the inputs have 0 rows");

  PredictResult result;
  std::vector<Tensor> batch(inputs.size());
  const Clock::time_point start = Clock::now();
  for (int64_t begin = 0; begin < rows; begin += options.batch_size) {
    BRISK_RETURN_IF_ERROR(CheckStop(options));
    const int64_t end = std::min(rows, begin + options.batch_size);
    for (size_t i = 0; i < inputs.size(); ++i) batch[i] = RowView(inputs[i], begin, end);
    if (begin == 0) {
      BRISK_ASSIGN_OR_RETURN(std::vector<Tensor> first, session.Run(batch));
      BRISK_RETURN_IF_ERROR(CheckBatchMajor(session, first, end));
      for (size_t o = 0; o < first.size(); ++o) {
        BRISK_ASSIGN_OR_RETURN(Tensor stacked, AllocateStacked(first[o], rows));
        BRISK_RETURN_IF_ERROR(CopyRows(first[o], stacked, 0, session.outputs()[o].name));
        result.outputs.push_back(std::move(stacked));
      }
    } else {
      std::vector<Tensor> targets(result.outputs.size());
      bool views_ok = true;
      for (size_t o = 0; o < targets.size(); ++o) {
        views_ok &= result.outputs[o].dtype() != DType::kString;
        targets[o] = RowView(result.outputs[o], begin, end);
      }
      if (views_ok) {
        BRISK_RETURN_IF_ERROR(session.RunInto(batch, targets));
      } else {
        BRISK_ASSIGN_OR_RETURN(std::vector<Tensor> part, session.Run(batch));
        for (size_t o = 0; o < part.size(); ++o) {
          BRISK_RETURN_IF_ERROR(CopyRows(part[o], result.outputs[o], begin,
                                         session.outputs()[o].name));
        }
      }
    }
    if (options.on_progress) options.on_progress(end, rows);
  }
  result.stats.consumer_compute_seconds = SecondsSince(start);
  result.stats.consumer_items = rows;
  return result;
}

}  // namespace brisk::data
