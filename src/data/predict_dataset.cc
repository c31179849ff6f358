// brisk::data::Predict over a dataset: the pipeline runs behind a prefetch stage, so the next
// batch is prepared while the model runs; the consumer's wait and compute times go into the
// pipeline statistics and its verdict. Outputs are stacked in the order the dataset yields.
#include <string>
#include <vector>

#include "brisk/data.h"
#include "data/pipeline.h"
#include "data/predict_util.h"

namespace brisk::data {
namespace {

// The tensor feeding model input `info` from a dataset element: a component of the same name
// (or, for a one-input model, the only component or the first of a tuple);
// a component one rank short of the declared input is one sample (a batch of 1 is added).
StatusOr<Tensor> FeedFromElement(const TensorInfo& info, size_t model_inputs, Element& element) {
  Tensor* component = element.Find(info.name);
  // A one-input model takes an element's only component, or the first of a tuple ("0", "1",
  // ...: Keras' (x, y)), when none has the input's name.
  if (component == nullptr && model_inputs == 1 && !element.components.empty() &&
      (element.components.size() == 1 || element.components[0].first == "0")) {
    component = &element.components[0].second;
  }
  if (component == nullptr) {
    std::string names;
    for (const auto& [name, _] : element.components) names += (names.empty() ? "'" : ", '") + name + "'";
    return InvalidArgument("predict: element " + element.origin + " has no component '" +
                           info.name + "' for the model input of that name (components: " +
                           names + ")");
  }
  if (info.shape && component->rank() + 1 == info.shape->rank()) {
    DimVector dims{1};
    for (int64_t d : component->shape().dims()) dims.push_back(d);
    return component->Reshaped(Shape(std::move(dims)));
  }
  return *component;
}

}  // namespace

using internal::AllocateStacked;
using internal::CheckBatchMajor;
using internal::CheckStop;
using internal::Clock;
using internal::CopyRows;
using internal::SecondsSince;

StatusOr<PredictResult> Predict(Session& session, const Dataset& dataset,
                                const PredictOptions& options) {
  // A prefetch stage at the end lets the pipeline prepare the next element while the model
  // runs; one is added unless the dataset ends with one.
  const Dataset fed = dataset.node()->is_prefetch() ? dataset : dataset.Prefetch(kAutotune);
  BRISK_ASSIGN_OR_RETURN(std::unique_ptr<Iterator> iterator, fed.MakeIterator());
  const std::vector<TensorInfo>& infos = session.inputs();
  std::vector<std::vector<Tensor>> parts(session.outputs().size());
  double wait_seconds = 0, compute_seconds = 0;
  int64_t rows = 0;
  while (true) {
    BRISK_RETURN_IF_ERROR(CheckStop(options));
    Clock::time_point wait_start = Clock::now();
    BRISK_ASSIGN_OR_RETURN(std::optional<Element> element, iterator->Next());
    wait_seconds += SecondsSince(wait_start);
    if (!element) break;

    Clock::time_point compute_start = Clock::now();
    std::vector<Tensor> feeds(infos.size());
    for (size_t i = 0; i < infos.size(); ++i) {
      BRISK_ASSIGN_OR_RETURN(feeds[i], FeedFromElement(infos[i], infos.size(), *element));
    }
    const int64_t element_rows = feeds.empty() || feeds[0].rank() == 0 ? 1 : feeds[0].dim(0);
    StatusOr<std::vector<Tensor>> outputs = session.Run(feeds);
    if (!outputs.ok()) return outputs.status().WithContext("predict on " + element->origin);
    BRISK_RETURN_IF_ERROR(CheckBatchMajor(session, *outputs, element_rows));
    for (size_t o = 0; o < outputs->size(); ++o) parts[o].push_back(std::move((*outputs)[o]));
    rows += element_rows;
    const double compute = SecondsSince(compute_start);
    compute_seconds += compute;
    iterator->RecordConsumer(compute);
    if (options.on_progress) options.on_progress(rows, -1);
  }
  if (rows == 0) return InvalidArgument("predict: the dataset yielded no elements");

  PredictResult result;
  for (size_t o = 0; o < parts.size(); ++o) {
    BRISK_ASSIGN_OR_RETURN(Tensor stacked, AllocateStacked(parts[o][0], rows));
    int64_t row = 0;
    for (const Tensor& part : parts[o]) {
      BRISK_RETURN_IF_ERROR(CopyRows(part, stacked, row, session.outputs()[o].name));
      row += part.dim(0);
    }
    result.outputs.push_back(std::move(stacked));
  }
  result.stats = iterator->Stats();
  result.stats.consumer_wait_seconds = wait_seconds;
  result.stats.consumer_compute_seconds = compute_seconds;
  result.stats.consumer_items = rows;
  return result;
}

}  // namespace brisk::data
