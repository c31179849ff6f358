// Batch and PaddedBatch: consecutive elements stacked along a new leading dimension.
//
// Batch needs every element of a batch to have the same components, dtypes and shapes (the
// error names the two elements that differ). PaddedBatch pads each dimension to the largest in
// the batch (or to a fixed padded shape) with the padding value, for variable-length data such
// as token sequences. An element that failed upstream fails its whole batch, as in tf.data; the
// next call starts a new batch.
#include <algorithm>
#include <cstring>

#include "data/pipeline.h"

namespace brisk::data::internal {
namespace {

// Writes `value` into `count` elements of `dtype` at `out`.
void FillValue(DType dtype, void* out, int64_t count, double value) {
  switch (dtype) {
#define BRISK_FILL_(D, T)                                                   \
  case D:                                                                   \
    std::fill_n(static_cast<T*>(out), count, static_cast<T>(value));        \
    return;
    BRISK_FILL_(DType::kFloat32, float)
    BRISK_FILL_(DType::kFloat64, double)
    BRISK_FILL_(DType::kInt8, int8_t)
    BRISK_FILL_(DType::kUInt8, uint8_t)
    BRISK_FILL_(DType::kInt16, int16_t)
    BRISK_FILL_(DType::kUInt16, uint16_t)
    BRISK_FILL_(DType::kInt32, int32_t)
    BRISK_FILL_(DType::kUInt32, uint32_t)
    BRISK_FILL_(DType::kInt64, int64_t)
    BRISK_FILL_(DType::kUInt64, uint64_t)
    BRISK_FILL_(DType::kBool, bool)
#undef BRISK_FILL_
    case DType::kFloat16:
      std::fill_n(static_cast<Float16*>(out), count, Float16(float(value)));
      return;
    case DType::kBFloat16:
      std::fill_n(static_cast<BFloat16*>(out), count, BFloat16(float(value)));
      return;
    case DType::kString:
      std::fill_n(static_cast<std::string*>(out), count, std::string());
      return;
    default:
      return;
  }
}

// Copies `in` (shape `in_dims`) into the corner of `out` (shape `out_dims`, same rank), both
// row-major; elements of `out` outside `in` are left as they are.
void CopyIntoCorner(const Tensor& in, char* out, const DimVector& out_dims) {
  const size_t elem = DTypeSize(in.dtype());
  const int rank = in.rank();
  if (rank == 0) {
    if (in.dtype() == DType::kString) {
      *reinterpret_cast<std::string*>(out) = *in.data<std::string>();
    } else {
      std::memcpy(out, in.raw_data(), elem);
    }
    return;
  }
  const DimVector& in_dims = in.shape().dims();
  const int64_t inner = in_dims[rank - 1];
  int64_t rows = 1;
  for (int d = 0; d < rank - 1; ++d) rows *= in_dims[d];
  std::vector<int64_t> index(size_t(std::max(rank - 1, 0)), 0);
  for (int64_t r = 0; r < rows; ++r) {
    int64_t out_offset = 0, in_offset = 0;
    for (int d = 0; d < rank - 1; ++d) {
      out_offset = out_offset * out_dims[d] + index[d];
      in_offset = in_offset * in_dims[d] + index[d];
    }
    out_offset *= out_dims[rank - 1];
    in_offset *= inner;
    if (in.dtype() == DType::kString) {
      const std::string* src = in.data<std::string>() + in_offset;
      std::string* dst = reinterpret_cast<std::string*>(out) + out_offset;
      for (int64_t i = 0; i < inner; ++i) dst[i] = src[i];
    } else {
      std::memcpy(out + out_offset * elem, static_cast<const char*>(in.raw_data()) + in_offset * elem,
                  size_t(inner) * elem);
    }
    for (int d = rank - 2; d >= 0; --d) {
      if (++index[d] < in_dims[d]) break;
      index[d] = 0;
    }
  }
}

class BatchIterator final : public StageIterator {
 public:
  BatchIterator(std::shared_ptr<StageCounters> counters, std::unique_ptr<StageIterator> input,
                int64_t batch_size, bool drop_remainder,
                const std::optional<PaddedBatchOptions>& padding)
      : StageIterator(std::move(counters), std::move(input)),
        batch_size_(batch_size),
        drop_remainder_(drop_remainder),
        padding_(padding) {}

 protected:
  NextResult DoNext() override {
    if (ended_) return std::optional<Element>();
    std::vector<Element> items;
    items.reserve(size_t(batch_size_));
    while (int64_t(items.size()) < batch_size_) {
      NextResult next = Pull();
      if (!next.ok()) return next.status();
      if (!next->has_value()) {
        ended_ = true;
        break;
      }
      items.push_back(std::move(**next));
    }
    if (items.empty() || (drop_remainder_ && int64_t(items.size()) < batch_size_)) {
      return std::optional<Element>();
    }
    const int64_t index = batches_++;
    StatusOr<Element> batch = Stack(items);
    if (!batch.ok()) return batch.status().WithContext(counters().name + " " + std::to_string(index));
    batch->origin = "batch " + std::to_string(index) + " (" + items.front().origin +
                    (items.size() > 1 ? " .. " + items.back().origin : "") + ")";
    return std::optional<Element>(std::move(batch).value());
  }

 private:
  std::optional<double> PaddingValue(const std::string& name) const {
    for (const auto& [component, value] : padding_->padding_values) {
      if (component == name) return value;
    }
    return std::nullopt;
  }
  const std::vector<int64_t>* PaddedShape(const std::string& name) const {
    for (const auto& [component, shape] : padding_->padded_shapes) {
      if (component == name) return &shape;
    }
    return nullptr;
  }

  StatusOr<Element> Stack(const std::vector<Element>& items) const {
    const Element& first = items.front();
    Element batch;
    for (size_t c = 0; c < first.components.size(); ++c) {
      const auto& [name, model] = first.components[c];
      DimVector row_dims = model.shape().dims();
      for (const Element& item : items) {
        const Tensor* t = c < item.components.size() && item.components[c].first == name
                              ? &item.components[c].second
                              : item.Find(name);
        if (t == nullptr) {
          return InvalidArgument(item.origin + " has no component '" + name + "' but " +
                                 first.origin + " has");
        }
        if (t->dtype() != model.dtype() || t->rank() != model.rank() ||
            (!padding_ && t->shape() != model.shape())) {
          return InvalidArgument("component '" + name + "' is " + t->TypeString() + " in " +
                                 item.origin + " but " + model.TypeString() + " in " +
                                 first.origin + (padding_ ? "" : " (use padded_batch for "
                                                                 "variable shapes)"));
        }
        if (padding_) {
          for (int d = 0; d < t->rank(); ++d) row_dims[d] = std::max(row_dims[d], t->dim(d));
        }
      }
      if (padding_) {
        if (const std::vector<int64_t>* fixed = PaddedShape(name)) {
          if (int(fixed->size()) != model.rank()) {
            return InvalidArgument("padded shape for '" + name + "' has rank " +
                                   std::to_string(fixed->size()) + ", the component has rank " +
                                   std::to_string(model.rank()));
          }
          for (int d = 0; d < model.rank(); ++d) {
            if ((*fixed)[d] < 0) continue;
            if ((*fixed)[d] < row_dims[d]) {
              return InvalidArgument("component '" + name + "' has dimension " +
                                     std::to_string(d) + " of " + std::to_string(row_dims[d]) +
                                     ", more than its padded shape allows (" +
                                     std::to_string((*fixed)[d]) + ")");
            }
            row_dims[d] = (*fixed)[d];
          }
        }
      }
      DimVector dims{int64_t(items.size())};
      for (int64_t d : row_dims) dims.push_back(d);
      BRISK_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(model.dtype(), Shape(std::move(dims))));
      const int64_t row_elements = Shape(row_dims).NumElements();
      const size_t elem = DTypeSize(model.dtype());
      char* base = static_cast<char*>(out.raw_data());
      if (padding_) FillValue(model.dtype(), base, out.num_elements(), PaddingValue(name).value_or(0));
      for (size_t i = 0; i < items.size(); ++i) {
        const Tensor& t = *items[i].Find(name);
        char* row = base + i * size_t(row_elements) * elem;
        if (padding_) {
          CopyIntoCorner(t, row, row_dims);
        } else if (model.dtype() == DType::kString) {
          const std::string* src = t.data<std::string>();
          std::string* dst = reinterpret_cast<std::string*>(row);
          for (int64_t k = 0; k < row_elements; ++k) dst[k] = src[k];
        } else if (t.byte_size() != 0) {
          std::memcpy(row, t.raw_data(), t.byte_size());
        }
      }
      batch.components.emplace_back(name, std::move(out));
    }
    return batch;
  }

  const int64_t batch_size_;
  const bool drop_remainder_;
  const std::optional<PaddedBatchOptions>& padding_;
  bool ended_ = false;
  int64_t batches_ = 0;
};

class BatchNode final : public DatasetNode {
 public:
  BatchNode(std::shared_ptr<const DatasetNode> input, int64_t batch_size, bool drop_remainder,
            std::optional<PaddedBatchOptions> padding)
      : DatasetNode(std::move(input)),
        batch_size_(batch_size),
        drop_remainder_(drop_remainder),
        padding_(std::move(padding)) {}

  std::string Describe() const override {
    return std::string(padding_ ? "padded_batch(" : "batch(") + std::to_string(batch_size_) +
           (drop_remainder_ ? ", drop_remainder" : "") + ")";
  }

  StatusOr<std::unique_ptr<StageIterator>> MakeIterator(PipelineContext& context) const override {
    if (batch_size_ < 1) {
      return InvalidArgument(Describe() + ": batch size must be >= 1");
    }
    BRISK_ASSIGN_OR_RETURN(std::unique_ptr<StageIterator> input, StartInput(context));
    return std::unique_ptr<StageIterator>(new BatchIterator(
        Counters(context), std::move(input), batch_size_, drop_remainder_, padding_));
  }

 private:
  int64_t batch_size_;
  bool drop_remainder_;
  std::optional<PaddedBatchOptions> padding_;
};

}  // namespace

std::shared_ptr<const DatasetNode> MakeBatchNode(std::shared_ptr<const DatasetNode> input,
                                                 int64_t batch_size, bool drop_remainder,
                                                 std::optional<PaddedBatchOptions> padding) {
  return std::make_shared<BatchNode>(std::move(input), batch_size, drop_remainder,
                                     std::move(padding));
}

}  // namespace brisk::data::internal
