// brisk::data::Dataset: building the chain of nodes, and the public Iterator over it.
#include <mutex>

#include "data/pipeline.h"

namespace brisk::data {
namespace {

using internal::DatasetNode;
using internal::PipelineContext;
using internal::StageIterator;

// The public iterator: owns the nodes (stages keep references into them), the context and the
// last stage. Destruction stops the tuner first, then the stages join their threads, last stage
// first.
class PipelineIterator final : public Iterator {
 public:
  PipelineIterator(std::shared_ptr<const DatasetNode> node,
                   std::unique_ptr<PipelineContext> context)
      : node_(std::move(node)), context_(std::move(context)) {}

  ~PipelineIterator() override {
    context_->StopTuner();
    root_.reset();
  }

  Status Start() {
    BRISK_ASSIGN_OR_RETURN(root_, node_->MakeIterator(*context_));
    context_->StartTuner();
    return Status::Ok();
  }

  StatusOr<std::optional<Element>> Next() override {
    if (finished_) return std::optional<Element>();
    StatusOr<std::optional<Element>> next = root_->Next();
    if (!next.ok() || !next->has_value()) finished_ = true;
    return next;
  }

  PipelineStats Stats() const override {
    PipelineStats stats;
    stats.stages = context_->Snapshot();
    std::lock_guard lock(consumer_mutex_);
    stats.consumer_compute_seconds = consumer_compute_seconds_;
    stats.consumer_items = consumer_items_;
    if (!stats.stages.empty()) stats.consumer_wait_seconds = stats.stages.back().wait_seconds;
    return stats;
  }

  void RecordConsumer(double compute_seconds) override {
    std::lock_guard lock(consumer_mutex_);
    consumer_compute_seconds_ += compute_seconds;
    ++consumer_items_;
  }

 private:
  std::shared_ptr<const DatasetNode> node_;
  std::unique_ptr<PipelineContext> context_;
  std::unique_ptr<StageIterator> root_;
  bool finished_ = false;
  mutable std::mutex consumer_mutex_;
  double consumer_compute_seconds_ = 0;
  int64_t consumer_items_ = 0;
};

}  // namespace

Dataset Dataset::Map(MapFn fn, MapOptions options) const {
  return Dataset(internal::MakeMapNode(node_, std::move(fn), std::move(options)));
}
Dataset Dataset::Batch(int64_t batch_size, bool drop_remainder) const {
  return Dataset(internal::MakeBatchNode(node_, batch_size, drop_remainder, std::nullopt));
}
Dataset Dataset::PaddedBatch(int64_t batch_size, PaddedBatchOptions options) const {
  const bool drop = options.drop_remainder;
  return Dataset(internal::MakeBatchNode(node_, batch_size, drop, std::move(options)));
}
Dataset Dataset::Shuffle(int64_t buffer_size, uint64_t seed, bool reshuffle) const {
  return Dataset(internal::MakeShuffleNode(node_, buffer_size, seed, reshuffle));
}
Dataset Dataset::Cache(std::string filename) const {
  if (filename.empty()) return Dataset(internal::MakeMemoryCacheNode(node_));
  return Dataset(internal::MakeFileCacheNode(node_, std::move(filename)));
}
Dataset Dataset::Prefetch(int buffer_size) const {
  return Dataset(internal::MakePrefetchNode(node_, buffer_size));
}
Dataset Dataset::Repeat(int64_t count) const {
  return Dataset(internal::MakeRepeatNode(node_, count));
}
Dataset Dataset::Take(int64_t count) const { return Dataset(internal::MakeTakeNode(node_, count)); }
Dataset Dataset::Skip(int64_t count) const { return Dataset(internal::MakeSkipNode(node_, count)); }
Dataset Dataset::IgnoreErrors() const { return Dataset(internal::MakeIgnoreErrorsNode(node_)); }

StatusOr<std::unique_ptr<Iterator>> Dataset::MakeIterator(const IteratorOptions& options) const {
  auto iterator = std::make_unique<PipelineIterator>(node_,
                                                     std::make_unique<PipelineContext>(options));
  BRISK_RETURN_IF_ERROR(iterator->Start());
  return std::unique_ptr<Iterator>(std::move(iterator));
}

std::string Dataset::Describe() const {
  std::vector<std::string> lines;
  for (const DatasetNode* node = node_.get(); node != nullptr; node = node->input().get()) {
    lines.push_back(node->Describe());
  }
  std::string out;
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    out += (out.empty() ? "" : "\n  -> ") + *it;
  }
  return out;
}

}  // namespace brisk::data
