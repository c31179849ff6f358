// Shuffle: a buffer of `buffer_size` elements; each output is a uniformly random element of the
// buffer, whose slot is then refilled from the input (tf.data's algorithm). With a seed the
// order is reproducible; with reshuffle_each_iteration every new iterator (epoch) draws a new
// order from the seed and the epoch number. Seed 0 means a random seed.
#include <atomic>
#include <random>

#include "data/pipeline.h"

namespace brisk::data::internal {
namespace {

class ShuffleIterator final : public StageIterator {
 public:
  ShuffleIterator(std::shared_ptr<StageCounters> c, std::unique_ptr<StageIterator> in,
                  int64_t buffer_size, uint64_t seed)
      : StageIterator(std::move(c), std::move(in)), buffer_size_(buffer_size), random_(seed) {
    counters().buffer_capacity = int(std::min<int64_t>(buffer_size, 1 << 30));
  }

 protected:
  NextResult DoNext() override {
    while (!input_ended_ && int64_t(buffer_.size()) < buffer_size_) {
      NextResult next = Pull();
      if (!next.ok()) return next;  // errors pass straight through, in input order
      if (!next->has_value()) {
        input_ended_ = true;
        break;
      }
      buffer_.push_back(std::move(**next));
    }
    if (buffer_.empty()) return std::optional<Element>();
    std::uniform_int_distribution<size_t> pick(0, buffer_.size() - 1);
    const size_t i = pick(random_);
    std::swap(buffer_[i], buffer_.back());
    Element out = std::move(buffer_.back());
    buffer_.pop_back();
    counters().SetFill(int64_t(buffer_.size()));
    return std::optional<Element>(std::move(out));
  }

 private:
  const int64_t buffer_size_;
  std::mt19937_64 random_;
  std::vector<Element> buffer_;
  bool input_ended_ = false;
};

class ShuffleNode final : public DatasetNode {
 public:
  ShuffleNode(std::shared_ptr<const DatasetNode> input, int64_t buffer_size, uint64_t seed,
              bool reshuffle)
      : DatasetNode(std::move(input)),
        buffer_size_(buffer_size),
        seed_(seed != 0 ? seed : std::random_device()() * 0x9e3779b97f4a7c15ull + 1),
        reshuffle_(reshuffle) {}

  std::string Describe() const override {
    return "shuffle(" + std::to_string(buffer_size_) + ")";
  }

  StatusOr<std::unique_ptr<StageIterator>> MakeIterator(PipelineContext& context) const override {
    if (buffer_size_ < 1) return InvalidArgument("shuffle: buffer size must be >= 1");
    BRISK_ASSIGN_OR_RETURN(std::unique_ptr<StageIterator> input, StartInput(context));
    const uint64_t epoch = reshuffle_ ? epochs_.fetch_add(1) : 0;
    std::seed_seq seq{uint32_t(seed_), uint32_t(seed_ >> 32), uint32_t(epoch), uint32_t(epoch >> 32)};
    std::mt19937_64 mixer(seq);
    return std::unique_ptr<StageIterator>(
        new ShuffleIterator(Counters(context), std::move(input), buffer_size_, mixer()));
  }

 private:
  int64_t buffer_size_;
  uint64_t seed_;
  bool reshuffle_;
  mutable std::atomic<uint64_t> epochs_{0};
};

}  // namespace

std::shared_ptr<const DatasetNode> MakeShuffleNode(std::shared_ptr<const DatasetNode> input,
                                                   int64_t buffer_size, uint64_t seed,
                                                   bool reshuffle_each_iteration) {
  return std::make_shared<ShuffleNode>(std::move(input), buffer_size, seed,
                                       reshuffle_each_iteration);
}

}  // namespace brisk::data::internal
