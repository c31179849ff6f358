// Prefetch: a producer thread keeps up to `buffer_size` elements ready ahead of the consumer,
// so the stages before it work while the consumer (the model) computes.
//
// With kAutotune the buffer starts at 1 element. When the consumer finds the buffer empty after
// it had been full, the buffer was too small for the consumer's bursts: its size doubles (tf.data's
// prefetch autotuner rule), up to 64 elements and within the RAM budget.
#include <condition_variable>
#include <deque>
#include <thread>

#include "data/pipeline.h"

namespace brisk::data::internal {
namespace {

constexpr int kMaxAutotunedBuffer = 64;

class PrefetchIterator final : public StageIterator {
 public:
  PrefetchIterator(std::shared_ptr<StageCounters> counters, std::unique_ptr<StageIterator> input,
                   int buffer_size, PipelineContext& context)
      : StageIterator(std::move(counters), std::move(input)),
        autotune_(buffer_size == kAutotune),
        capacity_(autotune_ ? 1 : buffer_size),
        ram_budget_(context.ram_budget_bytes()) {
    this->counters().buffer_capacity = capacity_;
    this->counters().parallelism = 1;
    producer_ = std::thread([this] { Produce(); });
  }

  ~PrefetchIterator() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    producer_.join();
  }

 protected:
  bool synchronous() const override { return false; }

  NextResult DoNext() override {
    std::unique_lock lock(mutex_);
    if (buffer_.empty() && !ended_) {
      if (autotune_ && was_full_) Grow();
      changed_.wait(lock, [&] { return !buffer_.empty() || ended_; });
    }
    if (buffer_.empty()) return std::optional<Element>();
    NextResult result = std::move(buffer_.front());
    buffer_.pop_front();
    counters().SetFill(int64_t(buffer_.size()));
    changed_.notify_all();
    return result;
  }

 private:
  void Grow() {
    was_full_ = false;
    const int64_t per_item = std::max<int64_t>(1, counters().bytes_per_item.load());
    const int64_t limit = std::min<int64_t>(kMaxAutotunedBuffer, ram_budget_ / per_item);
    if (capacity_ * 2 <= limit) {
      capacity_ *= 2;
      counters().buffer_capacity = capacity_;
    }
  }

  void Produce() {
    while (true) {
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return stopping_ || int(buffer_.size()) < capacity_; });
        if (stopping_) return;
      }
      NextResult next = Pull();
      const bool at_end = next.ok() && !next->has_value();
      if (!at_end && next.ok()) {
        const int64_t bytes = ElementBytes(**next);
        counters().bytes_per_item.store((counters().bytes_per_item.load() * 7 + bytes) / 8);
      }
      std::lock_guard lock(mutex_);
      if (at_end) {
        ended_ = true;
        changed_.notify_all();
        return;
      }
      buffer_.push_back(std::move(next));
      if (int(buffer_.size()) >= capacity_) was_full_ = true;
      counters().SetFill(int64_t(buffer_.size()));
      changed_.notify_all();
    }
  }

  const bool autotune_;
  int capacity_;
  const int64_t ram_budget_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<NextResult> buffer_;
  bool stopping_ = false;
  bool ended_ = false;
  bool was_full_ = false;
  std::thread producer_;
};

class PrefetchNode final : public DatasetNode {
 public:
  PrefetchNode(std::shared_ptr<const DatasetNode> input, int buffer_size)
      : DatasetNode(std::move(input)), buffer_size_(buffer_size) {}
  bool is_prefetch() const override { return true; }
  std::string Describe() const override {
    return "prefetch(" +
           (buffer_size_ == kAutotune ? std::string("AUTOTUNE") : std::to_string(buffer_size_)) +
           ")";
  }
  StatusOr<std::unique_ptr<StageIterator>> MakeIterator(PipelineContext& context) const override {
    if (buffer_size_ < 1 && buffer_size_ != kAutotune) {
      return InvalidArgument("prefetch: buffer size must be >= 1 or AUTOTUNE, got " +
                             std::to_string(buffer_size_));
    }
    BRISK_ASSIGN_OR_RETURN(std::unique_ptr<StageIterator> input, StartInput(context));
    return std::unique_ptr<StageIterator>(
        new PrefetchIterator(Counters(context), std::move(input), buffer_size_, context));
  }

 private:
  int buffer_size_;
};

}  // namespace

std::shared_ptr<const DatasetNode> MakePrefetchNode(std::shared_ptr<const DatasetNode> input,
                                                    int buffer_size) {
  return std::make_shared<PrefetchNode>(std::move(input), buffer_size);
}

}  // namespace brisk::data::internal
