// Cache in memory: the first complete pass stores every element; later iterators replay them
// without touching the input. A pass that stops early (or hit an error) stores nothing: a
// partial cache would silently shorten later epochs.
#include <mutex>

#include "data/cache_writer.h"
#include "data/pipeline.h"

namespace brisk::data::internal {
namespace {

struct MemoryCache {
  std::mutex mutex;
  bool complete = false;
  std::vector<Element> elements;
};

class MemoryCacheWriter final : public CacheWriter {
 public:
  MemoryCacheWriter(std::shared_ptr<StageCounters> c, std::unique_ptr<StageIterator> in,
                    std::shared_ptr<MemoryCache> cache)
      : CacheWriter(std::move(c), std::move(in)), cache_(std::move(cache)) {}

 protected:
  Status Store(const Element& element) override {
    pending_.push_back(element);  // tensors share storage: the copy is cheap
    return Status::Ok();
  }
  void Finish(bool complete) override {
    if (!complete) return;
    std::lock_guard lock(cache_->mutex);
    if (!cache_->complete) {
      cache_->elements = std::move(pending_);
      cache_->complete = true;
    }
  }

 private:
  std::shared_ptr<MemoryCache> cache_;
  std::vector<Element> pending_;
};

class MemoryCacheReader final : public StageIterator {
 public:
  MemoryCacheReader(std::shared_ptr<StageCounters> c, std::shared_ptr<MemoryCache> cache)
      : StageIterator(std::move(c), nullptr), cache_(std::move(cache)) {}

 protected:
  NextResult DoNext() override {
    if (next_ >= cache_->elements.size()) return std::optional<Element>();
    return std::optional<Element>(cache_->elements[next_++]);
  }

 private:
  std::shared_ptr<MemoryCache> cache_;
  size_t next_ = 0;
};

class MemoryCacheNode final : public DatasetNode {
 public:
  explicit MemoryCacheNode(std::shared_ptr<const DatasetNode> input)
      : DatasetNode(std::move(input)), cache_(std::make_shared<MemoryCache>()) {}
  std::string Describe() const override { return "cache(memory)"; }

  StatusOr<std::unique_ptr<StageIterator>> MakeIterator(PipelineContext& context) const override {
    {
      std::lock_guard lock(cache_->mutex);
      if (cache_->complete) {
        return std::unique_ptr<StageIterator>(new MemoryCacheReader(Counters(context), cache_));
      }
    }
    BRISK_ASSIGN_OR_RETURN(std::unique_ptr<StageIterator> input, StartInput(context));
    return std::unique_ptr<StageIterator>(
        new MemoryCacheWriter(Counters(context), std::move(input), cache_));
  }

 private:
  std::shared_ptr<MemoryCache> cache_;
};

}  // namespace

std::shared_ptr<const DatasetNode> MakeMemoryCacheNode(std::shared_ptr<const DatasetNode> input) {
  return std::make_shared<MemoryCacheNode>(std::move(input));
}

}  // namespace brisk::data::internal
