// Source nodes: any ElementSource (Dataset::FromSource) and rows of in-memory tensors
// (Dataset::FromTensorSlices).
#include <cstring>

#include "data/pipeline.h"

namespace brisk::data {
namespace internal {
namespace {

class SourceIterator final : public StageIterator {
 public:
  SourceIterator(std::shared_ptr<StageCounters> counters, const SourceFactory& factory)
      : StageIterator(std::move(counters), nullptr), factory_(factory) {}

 protected:
  NextResult DoNext() override {
    if (finished_) return std::optional<Element>();
    if (!source_) {
      StatusOr<std::unique_ptr<ElementSource>> opened = factory_();
      if (!opened.ok()) {
        finished_ = true;  // nothing to continue with
        return opened.status().WithContext(counters().name);
      }
      source_ = std::move(opened).value();
    }
    return source_->Next();
  }

 private:
  const SourceFactory& factory_;
  std::unique_ptr<ElementSource> source_;
  bool finished_ = false;
};

class SourceNode final : public DatasetNode {
 public:
  SourceNode(std::string name, SourceFactory factory)
      : DatasetNode(nullptr), name_(std::move(name)), factory_(std::move(factory)) {}
  std::string Describe() const override { return name_; }
  StatusOr<std::unique_ptr<StageIterator>> MakeIterator(PipelineContext& context) const override {
    return std::unique_ptr<StageIterator>(new SourceIterator(Counters(context), factory_));
  }

 private:
  std::string name_;
  SourceFactory factory_;
};

// Row `row` of every tensor, copied (elements may outlive the dataset).
class SlicesSource final : public ElementSource {
 public:
  explicit SlicesSource(std::shared_ptr<const NamedTensors> tensors) : tensors_(std::move(tensors)) {}

  StatusOr<std::optional<Element>> Next() override {
    const int64_t rows = (*tensors_)[0].second.dim(0);
    if (row_ >= rows) return std::optional<Element>();
    Element element;
    element.origin = "tensor slice " + std::to_string(row_);
    for (const auto& [name, tensor] : *tensors_) {
      DimVector dims(tensor.shape().dims().begin() + 1, tensor.shape().dims().end());
      BRISK_ASSIGN_OR_RETURN(Tensor slice, Tensor::Allocate(tensor.dtype(), Shape(std::move(dims))));
      const int64_t n = slice.num_elements();
      if (tensor.dtype() == DType::kString) {
        const std::string* in = tensor.data<std::string>() + row_ * n;
        std::string* out = slice.data<std::string>();
        for (int64_t i = 0; i < n; ++i) out[i] = in[i];
      } else if (slice.byte_size() != 0) {
        std::memcpy(slice.raw_data(),
                    static_cast<const char*>(tensor.raw_data()) + row_ * slice.byte_size(),
                    slice.byte_size());
      }
      element.components.emplace_back(name, std::move(slice));
    }
    ++row_;
    return std::optional<Element>(std::move(element));
  }

 private:
  std::shared_ptr<const NamedTensors> tensors_;
  int64_t row_ = 0;
};

}  // namespace

std::shared_ptr<const DatasetNode> MakeSourceNode(std::string name, SourceFactory factory) {
  return std::make_shared<SourceNode>(std::move(name), std::move(factory));
}

}  // namespace internal

Dataset Dataset::FromSource(std::string name, SourceFactory factory) {
  return Dataset(internal::MakeSourceNode(std::move(name), std::move(factory)));
}

StatusOr<Dataset> Dataset::FromTensorSlices(NamedTensors tensors) {
  if (tensors.empty()) return InvalidArgument("from_tensor_slices: no tensors given");
  int64_t rows = -1;
  for (const auto& [name, tensor] : tensors) {
    if (!tensor.defined() || tensor.rank() == 0) {
      return InvalidArgument("from_tensor_slices: component '" + name +
                             "' needs at least one dimension (dim 0 is the row), got " +
                             (tensor.defined() ? tensor.TypeString() : std::string("nothing")));
    }
    if (rows >= 0 && tensor.dim(0) != rows) {
      return InvalidArgument("from_tensor_slices: component '" + name + "' has " +
                             std::to_string(tensor.dim(0)) + " rows, component '" +
                             tensors[0].first + "' has " + std::to_string(rows));
    }
    rows = tensor.dim(0);
  }
  // Views are copied into owned storage once: the caller's memory may go away.
  for (auto& [name, tensor] : tensors) {
    if (!tensor.owns_data()) {
      BRISK_ASSIGN_OR_RETURN(tensor, tensor.Clone());
    }
  }
  auto shared = std::make_shared<const NamedTensors>(std::move(tensors));
  const std::string name = "from_tensor_slices(" + std::to_string(rows) + " rows)";
  return FromSource(name, [shared]() -> StatusOr<std::unique_ptr<ElementSource>> {
    return std::unique_ptr<ElementSource>(new internal::SlicesSource(shared));
  });
}

}  // namespace brisk::data
