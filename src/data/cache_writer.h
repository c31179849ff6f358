// The first pass of a cache (memory or file): passes elements through while storing them, and
// keeps the pass only when it reached the end of the input with no failed element.
#pragma once

#include "data/pipeline.h"

namespace brisk::data::internal {

class CacheWriter : public StageIterator {
 public:
  using StageIterator::StageIterator;

 protected:
  // Stores one element; an error fails that element and spoils the pass.
  virtual Status Store(const Element& element) = 0;
  // Called once when the input ends; `complete` is false when any element failed.
  virtual void Finish(bool complete) = 0;

 private:
  NextResult DoNext() final {
    NextResult next = Pull();
    if (!next.ok()) {
      complete_ = false;
      return next;
    }
    if (!next->has_value()) {
      if (!finished_) Finish(complete_);
      finished_ = true;
      return next;
    }
    if (Status stored = Store(**next); !stored.ok()) {
      complete_ = false;
      return stored;
    }
    return next;
  }

  bool complete_ = true;
  bool finished_ = false;
};

}  // namespace brisk::data::internal
