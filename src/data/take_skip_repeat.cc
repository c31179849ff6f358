// Take, Skip, Repeat and IgnoreErrors: stages that only count or filter elements.
#include "brisk/logging.h"
#include "data/pipeline.h"

namespace brisk::data::internal {
namespace {

class TakeIterator final : public StageIterator {
 public:
  TakeIterator(std::shared_ptr<StageCounters> c, std::unique_ptr<StageIterator> in, int64_t count)
      : StageIterator(std::move(c), std::move(in)), left_(count) {}

 protected:
  NextResult DoNext() override {
    if (left_ == 0) return std::optional<Element>();
    NextResult next = Pull();
    if (next.ok() && next->has_value() && left_ > 0) --left_;
    return next;
  }

 private:
  int64_t left_;  // -1 = all
};

class SkipIterator final : public StageIterator {
 public:
  SkipIterator(std::shared_ptr<StageCounters> c, std::unique_ptr<StageIterator> in, int64_t count)
      : StageIterator(std::move(c), std::move(in)), to_skip_(count) {}

 protected:
  NextResult DoNext() override {
    while (to_skip_ > 0) {
      NextResult next = Pull();
      if (!next.ok()) return next;  // an error is reported, not skipped silently
      if (!next->has_value()) return next;
      --to_skip_;
    }
    return Pull();
  }

 private:
  int64_t to_skip_;
};

// Restarts its input for every pass; the input's stages keep their counters across passes.
class RepeatIterator final : public StageIterator {
 public:
  RepeatIterator(std::shared_ptr<StageCounters> c, std::unique_ptr<StageIterator> in,
                 const DatasetNode& node, PipelineContext& context, int64_t count)
      : StageIterator(std::move(c), nullptr),
        current_(std::move(in)),
        node_(node),
        context_(context),
        passes_left_(count) {}

 protected:
  NextResult DoNext() override {
    while (passes_left_ != 0) {
      NextResult next = current_->Next();
      if (!next.ok() || next->has_value()) {
        if (next.ok()) produced_this_pass_ = true;
        return next;
      }
      if (passes_left_ > 0) --passes_left_;
      if (passes_left_ == 0 || !produced_this_pass_) break;  // an empty input ends forever
      produced_this_pass_ = false;
      current_.reset();
      BRISK_ASSIGN_OR_RETURN(current_, node_.input()->MakeIterator(context_));
    }
    return std::optional<Element>();
  }

 private:
  std::unique_ptr<StageIterator> current_;
  const DatasetNode& node_;
  PipelineContext& context_;
  int64_t passes_left_;  // -1 = forever
  bool produced_this_pass_ = false;
};

class IgnoreErrorsIterator final : public StageIterator {
 public:
  IgnoreErrorsIterator(std::shared_ptr<StageCounters> c, std::unique_ptr<StageIterator> in)
      : StageIterator(std::move(c), std::move(in)) {}

 protected:
  NextResult DoNext() override {
    while (true) {
      NextResult next = Pull();
      if (next.ok()) return next;
      counters().errors_ignored.fetch_add(1);
      if (counters().errors_ignored.load() <= 3) {
        Log(LogLevel::kWarning, "ignore_errors: skipped an element: " + next.status().message());
      }
    }
  }
};

enum class Kind { kTake, kSkip, kRepeat, kIgnoreErrors };

class CountingNode final : public DatasetNode {
 public:
  CountingNode(std::shared_ptr<const DatasetNode> input, Kind kind, int64_t count)
      : DatasetNode(std::move(input)), kind_(kind), count_(count) {}

  std::string Describe() const override {
    switch (kind_) {
      case Kind::kTake: return "take(" + std::to_string(count_) + ")";
      case Kind::kSkip: return "skip(" + std::to_string(count_) + ")";
      case Kind::kRepeat: return count_ < 0 ? "repeat()" : "repeat(" + std::to_string(count_) + ")";
      case Kind::kIgnoreErrors: return "ignore_errors()";
    }
    return "";
  }

  StatusOr<std::unique_ptr<StageIterator>> MakeIterator(PipelineContext& context) const override {
    BRISK_ASSIGN_OR_RETURN(std::unique_ptr<StageIterator> input, StartInput(context));
    auto counters = Counters(context);
    switch (kind_) {
      case Kind::kTake:
        return std::unique_ptr<StageIterator>(new TakeIterator(counters, std::move(input), count_));
      case Kind::kSkip:
        return std::unique_ptr<StageIterator>(new SkipIterator(counters, std::move(input), count_));
      case Kind::kRepeat:
        return std::unique_ptr<StageIterator>(
            new RepeatIterator(counters, std::move(input), *this, context, count_));
      case Kind::kIgnoreErrors:
        return std::unique_ptr<StageIterator>(new IgnoreErrorsIterator(counters, std::move(input)));
    }
    return Internal("unknown stage");
  }

 private:
  Kind kind_;
  int64_t count_;
};

}  // namespace

std::shared_ptr<const DatasetNode> MakeTakeNode(std::shared_ptr<const DatasetNode> input,
                                                int64_t count) {
  return std::make_shared<CountingNode>(std::move(input), Kind::kTake, count);
}
std::shared_ptr<const DatasetNode> MakeSkipNode(std::shared_ptr<const DatasetNode> input,
                                                int64_t count) {
  return std::make_shared<CountingNode>(std::move(input), Kind::kSkip, count);
}
std::shared_ptr<const DatasetNode> MakeRepeatNode(std::shared_ptr<const DatasetNode> input,
                                                  int64_t count) {
  return std::make_shared<CountingNode>(std::move(input), Kind::kRepeat, count);
}
std::shared_ptr<const DatasetNode> MakeIgnoreErrorsNode(std::shared_ptr<const DatasetNode> input) {
  return std::make_shared<CountingNode>(std::move(input), Kind::kIgnoreErrors, 0);
}

}  // namespace brisk::data::internal
