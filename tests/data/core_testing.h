// Helpers for the pipeline core tests (tests/data/core_*_test.cc): datasets of integers with
// controllable failures and delays, a counting source, and draining an iterator.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "brisk/data.h"

namespace brisk::data::core_testing {

inline Element IntElement(int64_t value) {
  Element e;
  e.origin = "item " + std::to_string(value);
  e.components.emplace_back("v", Tensor::Scalar<int64_t>(value));
  return e;
}

inline int64_t IntOf(const Element& e) { return *e.Find("v")->data<int64_t>(); }

// 0, 1, ..., n-1 as elements {"v": int64 scalar}; counts how often the source is opened and
// read; fails at the values in `failing` (then goes on).
struct Counts {
  std::atomic<int> opened{0};
  std::atomic<int> reads{0};
};

inline Dataset Range(int64_t n, std::shared_ptr<Counts> counts = nullptr,
                     std::set<int64_t> failing = {}) {
  class RangeSource : public ElementSource {
   public:
    RangeSource(int64_t n, std::shared_ptr<Counts> counts, std::set<int64_t> failing)
        : n_(n), counts_(std::move(counts)), failing_(std::move(failing)) {}
    StatusOr<std::optional<Element>> Next() override {
      if (next_ >= n_) return std::optional<Element>();
      const int64_t value = next_++;
      if (counts_) counts_->reads++;
      if (failing_.count(value)) return InvalidArgument("bad item " + std::to_string(value));
      return std::optional<Element>(IntElement(value));
    }

   private:
    int64_t n_, next_ = 0;
    std::shared_ptr<Counts> counts_;
    std::set<int64_t> failing_;
  };
  return Dataset::FromSource("range(" + std::to_string(n) + ")",
                             [n, counts, failing]() -> StatusOr<std::unique_ptr<ElementSource>> {
                               if (counts) counts->opened++;
                               return std::unique_ptr<ElementSource>(
                                   new RangeSource(n, counts, failing));
                             });
}

// Values of every element until the end; stops at the first error (returned in `error`).
inline std::vector<int64_t> Drain(const Dataset& ds, Status* error = nullptr,
                                  const IteratorOptions& options = {}) {
  std::vector<int64_t> values;
  auto it = ds.MakeIterator(options);
  if (!it.ok()) {
    if (error) *error = it.status();
    return values;
  }
  while (true) {
    auto next = (*it)->Next();
    if (!next.ok()) {
      if (error) *error = next.status();
      return values;
    }
    if (!next->has_value()) return values;
    values.push_back(IntOf(**next));
  }
}

inline std::vector<int64_t> Iota(int64_t n, int64_t step = 1) {
  std::vector<int64_t> v;
  for (int64_t i = 0; i < n; ++i) v.push_back(i * step);
  return v;
}

// A map function multiplying "v" by `factor`, sleeping a pseudo-random 0-`max_sleep_us` first.
inline MapFn SlowTimes(int64_t factor, int max_sleep_us) {
  return [factor, max_sleep_us](Element e) -> StatusOr<Element> {
    const int64_t v = IntOf(e);
    if (max_sleep_us > 0) {
      std::this_thread::sleep_for(std::chrono::microseconds((v * 7919) % (max_sleep_us + 1)));
    }
    *e.Find("v")->data<int64_t>() = v * factor;
    return e;
  };
}

}  // namespace brisk::data::core_testing
