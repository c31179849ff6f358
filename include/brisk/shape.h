// Shapes. `Shape` is the concrete shape of a tensor at run time; `SymbolicShape` is what a model
// declares and what shape inference derives, where a dimension may be a number, a named symbol
// (a batch dimension "N") or unknown.
#pragma once

#include <cstdint>
#include <algorithm>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "brisk/status.h"

namespace brisk {

// Largest element count brisk accepts for one tensor (2^48): far beyond memory, far below the
// point where byte counts overflow int64.
inline constexpr int64_t kMaxElements = int64_t(1) << 48;

// The dims of a Shape: stored inline up to rank 8, so creating and copying the shapes of a
// run's tensors never touches the heap (steady-state runs make no allocations); larger ranks
// spill to the heap. Offers the std::vector operations shape code uses and converts to
// std::vector<int64_t> and std::span<const int64_t>.
class DimVector {
 public:
  static constexpr size_t kInline = 8;
  using value_type = int64_t;
  using iterator = int64_t*;
  using const_iterator = const int64_t*;

  DimVector() = default;
  DimVector(std::initializer_list<int64_t> dims) { assign(dims.begin(), dims.end()); }
  explicit DimVector(std::span<const int64_t> dims) { assign(dims.begin(), dims.end()); }
  explicit DimVector(size_t n, int64_t value = 0) { resize(n, value); }
  template <typename It>
  DimVector(It first, It last) {
    assign(first, last);
  }
  DimVector(const DimVector& other) { assign(other.begin(), other.end()); }
  DimVector& operator=(const DimVector& other) {
    if (this != &other) assign(other.begin(), other.end());
    return *this;
  }
  DimVector(DimVector&& other) noexcept { *this = std::move(other); }
  DimVector& operator=(DimVector&& other) noexcept {
    if (this == &other) return *this;
    size_ = other.size_;
    if (other.heap_.empty()) {
      heap_.clear();
      for (size_t i = 0; i < size_; ++i) inline_[i] = other.inline_[i];
    } else {
      heap_ = std::move(other.heap_);
    }
    other.heap_.clear();
    other.size_ = 0;
    return *this;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t* data() { return heap_.empty() ? inline_ : heap_.data(); }
  const int64_t* data() const { return heap_.empty() ? inline_ : heap_.data(); }
  iterator begin() { return data(); }
  iterator end() { return data() + size_; }
  const_iterator begin() const { return data(); }
  const_iterator end() const { return data() + size_; }
  int64_t& operator[](size_t i) { return data()[i]; }
  int64_t operator[](size_t i) const { return data()[i]; }
  int64_t& front() { return data()[0]; }
  int64_t front() const { return data()[0]; }
  int64_t& back() { return data()[size_ - 1]; }
  int64_t back() const { return data()[size_ - 1]; }

  void clear() { resize(0); }
  void resize(size_t n, int64_t value = 0) {
    Reserve(n);
    for (size_t i = size_; i < n; ++i) data()[i] = value;
    size_ = n;
  }
  void push_back(int64_t d) {
    Reserve(size_ + 1);
    data()[size_++] = d;
  }
  void pop_back() { --size_; }
  template <typename It>
  void assign(It first, It last) {
    size_t n = 0;
    for (It it = first; it != last; ++it) ++n;
    Reserve(n);
    size_ = 0;
    for (It it = first; it != last; ++it) data()[size_++] = int64_t(*it);
  }
  iterator insert(const_iterator pos, int64_t value) {
    const size_t at = size_t(pos - begin());
    resize(size_ + 1);
    for (size_t i = size_ - 1; i > at; --i) data()[i] = data()[i - 1];
    data()[at] = value;
    return begin() + at;
  }
  template <typename It>
  iterator insert(const_iterator pos, It first, It last) {
    const size_t at = size_t(pos - begin());
    const std::vector<int64_t> values(first, last);  // `first` may point into this vector
    const size_t old = size_;
    resize(size_ + values.size());
    for (size_t i = old; i > at; --i) data()[i - 1 + values.size()] = data()[i - 1];
    for (size_t i = 0; i < values.size(); ++i) data()[at + i] = values[i];
    return begin() + at;
  }
  iterator erase(const_iterator pos) { return erase(pos, pos + 1); }
  iterator erase(const_iterator first, const_iterator last) {
    const size_t at = size_t(first - begin());
    const size_t count = size_t(last - first);
    for (size_t i = at; i + count < size_; ++i) data()[i] = data()[i + count];
    size_ -= count;
    return begin() + at;
  }

  operator std::vector<int64_t>() const { return std::vector<int64_t>(begin(), end()); }
  operator std::span<const int64_t>() const { return {data(), size_}; }

  friend bool operator==(const DimVector& a, const DimVector& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }
  friend bool operator==(const DimVector& a, const std::vector<int64_t>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  void Reserve(size_t n) {
    if (n <= kInline || n <= heap_.size()) {
      if (!heap_.empty() && n > heap_.size()) heap_.resize(n);
      return;
    }
    if (heap_.empty()) heap_.assign(inline_, inline_ + size_);
    heap_.resize(std::max(n, heap_.size() * 2));
  }

  int64_t inline_[kInline] = {};
  std::vector<int64_t> heap_;  // used (non-empty) once the rank exceeds kInline
  size_t size_ = 0;
};

class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) : dims_(dims) {}
  explicit Shape(const std::vector<int64_t>& dims) : dims_(dims.begin(), dims.end()) {}
  explicit Shape(std::span<const int64_t> dims) : dims_(dims) {}
  explicit Shape(DimVector dims) : dims_(std::move(dims)) {}

  int rank() const { return int(dims_.size()); }
  int64_t operator[](int i) const { return dims_[size_t(i)]; }
  int64_t& operator[](int i) { return dims_[size_t(i)]; }
  const DimVector& dims() const { return dims_; }
  DimVector& mutable_dims() { return dims_; }

  // Product of the dims; only valid on a shape that passed Validate().
  int64_t NumElements() const;
  // Product of dims [begin, end).
  int64_t NumElements(int begin, int end) const;
  // Fails if a dim is negative or the product exceeds kMaxElements.
  Status Validate() const;
  std::string ToString() const;  // "[2, 3, 4]"

  bool operator==(const Shape& other) const = default;

 private:
  DimVector dims_;
};

// Product of `dims` with overflow and negativity checks.
StatusOr<int64_t> CheckedNumElements(std::span<const int64_t> dims);

// One dimension of a declared or inferred shape.
struct Dim {
  int64_t value = -1;  // >= 0 when known
  std::string symbol;  // non-empty for a named dimension ("N", "batch", "seq")

  static Dim Known(int64_t v) { return Dim{v, {}}; }
  static Dim Symbol(std::string s) { return Dim{-1, std::move(s)}; }
  static Dim Unknown() { return Dim{}; }
  bool is_known() const { return value >= 0; }
  bool is_symbol() const { return value < 0 && !symbol.empty(); }
  std::string ToString() const;  // "3", "N" or "?"
  bool operator==(const Dim& other) const = default;
};

struct SymbolicShape {
  std::vector<Dim> dims;

  SymbolicShape() = default;
  explicit SymbolicShape(std::vector<Dim> d) : dims(std::move(d)) {}
  static SymbolicShape FromShape(const Shape& s);

  int rank() const { return int(dims.size()); }
  bool IsFullyKnown() const;
  std::optional<Shape> ToShape() const;  // when fully known
  std::string ToString() const;          // "[N, 3, 224, 224]"
  bool operator==(const SymbolicShape& other) const = default;
};

}  // namespace brisk
