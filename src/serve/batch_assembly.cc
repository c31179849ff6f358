// Request checks, shape signatures, gathering rows into a batch and slicing them back.
#include "serve/batch_assembly.h"

#include <cstring>

namespace brisk::serve {
namespace {

// Copies `rows` rows starting at `from_row` of `src` to row `to_row` of `dst` (same row shape).
void CopyRows(const Tensor& src, int64_t from_row, Tensor& dst, int64_t to_row, int64_t rows) {
  const int64_t row_elements = src.dim(0) == 0 ? 0 : src.num_elements() / src.dim(0);
  if (src.dtype() == DType::kString) {
    const std::string* in = src.data<std::string>() + from_row * row_elements;
    std::string* out = dst.data<std::string>() + to_row * row_elements;
    for (int64_t i = 0; i < rows * row_elements; ++i) out[i] = in[i];
    return;
  }
  const size_t row_bytes = size_t(row_elements) * DTypeSize(src.dtype());
  if (row_bytes == 0 || rows == 0) return;
  std::memcpy(static_cast<char*>(dst.raw_data()) + size_t(to_row) * row_bytes,
              static_cast<const char*>(src.raw_data()) + size_t(from_row) * row_bytes,
              size_t(rows) * row_bytes);
}

}  // namespace

StatusOr<RequestInputs> CheckRequest(const std::vector<TensorInfo>& inputs,
                                     const NamedTensors& feeds, int64_t max_rows,
                                     bool batch_major) {
  RequestInputs request;
  request.tensors.resize(inputs.size());
  for (const auto& [name, tensor] : feeds) {
    size_t index = inputs.size();
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (inputs[i].name == name) index = i;
    }
    if (index == inputs.size()) return InvalidArgument("unknown input '" + name + "'");
    if (request.tensors[index].defined()) return InvalidArgument("input '" + name + "' given twice");
    request.tensors[index] = tensor;
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorInfo& info = inputs[i];
    const Tensor& t = request.tensors[i];
    if (!t.defined()) return InvalidArgument("missing input '" + info.name + "'");
    if (t.dtype() != info.dtype) {
      return InvalidArgument("input '" + info.name + "': expected dtype " +
                             std::string(DTypeName(info.dtype)) + ", got " +
                             std::string(DTypeName(t.dtype())));
    }
    if (!batch_major) {
      if (info.shape && t.rank() != info.shape->rank()) {
        return InvalidArgument("input '" + info.name + "': expected shape " +
                               info.shape->ToString() + ", got " + t.shape().ToString());
      }
      continue;
    }
    if (t.rank() == 0) {
      return InvalidArgument("input '" + info.name + "': needs a batch dimension (dim 0), got a "
                             "scalar");
    }
    if (info.shape) {
      if (t.rank() != info.shape->rank()) {
        return InvalidArgument("input '" + info.name + "': expected shape " +
                               info.shape->ToString() + ", got " + t.shape().ToString());
      }
      for (int d = 1; d < t.rank(); ++d) {
        const Dim& dim = info.shape->dims[d];
        if (dim.is_known() && dim.value != t.dim(d)) {
          return InvalidArgument("input '" + info.name + "': dimension " + std::to_string(d) +
                                 " must be " + std::to_string(dim.value) + " (declared shape " +
                                 info.shape->ToString() + "), got " + t.shape().ToString());
        }
      }
    }
    if (i == 0) request.rows = t.dim(0);
    if (t.dim(0) != request.rows) {
      return InvalidArgument("input '" + info.name + "' has " + std::to_string(t.dim(0)) +
                             " rows, input '" + inputs[0].name + "' has " +
                             std::to_string(request.rows));
    }
    request.signature += std::string(DTypeName(t.dtype())) + "[";
    for (int d = 1; d < t.rank(); ++d) request.signature += std::to_string(t.dim(d)) + ",";
    request.signature += "]";
  }
  if (!batch_major) {
    // Never merged: one queue for all requests, each counted as one row.
    request.signature = "*";
    request.rows = 1;
    return request;
  }
  if (request.rows < 1 || request.rows > max_rows) {
    return InvalidArgument("a request must have between 1 and " + std::to_string(max_rows) +
                           " rows (the batcher's max batch size), got " +
                           std::to_string(request.rows));
  }
  return request;
}

StatusOr<std::vector<Tensor>> GatherBatch(const std::vector<const RequestInputs*>& requests,
                                          int64_t padded_rows) {
  const RequestInputs& first = *requests.front();
  std::vector<Tensor> batch;
  for (size_t i = 0; i < first.tensors.size(); ++i) {
    DimVector dims = first.tensors[i].shape().dims();
    dims[0] = padded_rows;
    BRISK_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(first.tensors[i].dtype(), Shape(dims)));
    int64_t row = 0;
    for (const RequestInputs* request : requests) {
      CopyRows(request->tensors[i], 0, out, row, request->rows);
      row += request->rows;
    }
    const RequestInputs& last = *requests.back();
    for (; row < padded_rows; ++row) CopyRows(last.tensors[i], last.rows - 1, out, row, 1);
    batch.push_back(std::move(out));
  }
  return batch;
}

StatusOr<std::vector<Tensor>> SliceRows(const std::vector<Tensor>& outputs, int64_t begin,
                                        int64_t rows) {
  std::vector<Tensor> sliced;
  for (const Tensor& output : outputs) {
    DimVector dims = output.shape().dims();
    dims[0] = rows;
    BRISK_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(output.dtype(), Shape(dims)));
    CopyRows(output, begin, out, 0, rows);
    sliced.push_back(std::move(out));
  }
  return sliced;
}

}  // namespace brisk::serve
