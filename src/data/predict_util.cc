// Helpers shared by the two Predict overloads.
#include "data/predict_util.h"

#include <cstring>

namespace brisk::data::internal {

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Rows [begin, end) of a row-major tensor, as a view.
Tensor RowView(const Tensor& t, int64_t begin, int64_t end) {
  DimVector dims = t.shape().dims();
  const int64_t row_elements = dims[0] == 0 ? 0 : t.num_elements() / dims[0];
  dims[0] = end - begin;
  auto* base = static_cast<char*>(const_cast<void*>(t.raw_data()));
  return Tensor::View(t.dtype(), Shape(std::move(dims)),
                      base + size_t(begin * row_elements) * DTypeSize(t.dtype()));
}

Status CheckBatchMajor(const Session& session, const std::vector<Tensor>& outputs, int64_t rows) {
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (outputs[i].rank() == 0 || outputs[i].dim(0) != rows) {
      return InvalidArgument("predict: output '" + session.outputs()[i].name + "' is " +
                             outputs[i].TypeString() + " for a batch of " + std::to_string(rows) +
                             " rows; predict needs every output to have the batch in dim 0");
    }
  }
  return Status::Ok();
}

// Copies `part` into rows [row, row + part.dim(0)) of `stacked` (same dtype, same row shape).
Status CopyRows(const Tensor& part, Tensor& stacked, int64_t row, const std::string& name) {
  if (part.dtype() != stacked.dtype() || part.rank() != stacked.rank()) {
    return InvalidArgument("predict: output '" + name + "' changed from " +
                           stacked.TypeString() + " rows to " + part.TypeString());
  }
  for (int d = 1; d < part.rank(); ++d) {
    if (part.dim(d) != stacked.dim(d)) {
      return InvalidArgument("predict: output '" + name + "' is " + part.TypeString() +
                             " in one batch but has rows of shape " +
                             stacked.shape().ToString() + " in the first; batches must give "
                             "outputs of the same row shape to be stacked");
    }
  }
  if (part.dtype() == DType::kString) {
    const std::string* in = part.data<std::string>();
    const int64_t row_elements = part.dim(0) == 0 ? 0 : part.num_elements() / part.dim(0);
    std::string* out = stacked.data<std::string>() + row * row_elements;
    for (int64_t i = 0; i < part.num_elements(); ++i) out[i] = in[i];
    return Status::Ok();
  }
  Tensor target = RowView(stacked, row, row + part.dim(0));
  if (part.byte_size() != 0) std::memcpy(target.raw_data(), part.raw_data(), part.byte_size());
  return Status::Ok();
}

StatusOr<Tensor> AllocateStacked(const Tensor& first, int64_t rows) {
  DimVector dims = first.shape().dims();
  dims[0] = rows;
  return Tensor::Allocate(first.dtype(), Shape(std::move(dims)));
}

Status CheckStop(const PredictOptions& options) {
  if (options.should_stop && options.should_stop()) return Status(StatusCode::kCancelled, "predict: stopped");
  return Status::Ok();
}

}  // namespace brisk::data::internal
