// Shapes. `Shape` is the concrete shape of a tensor at run time; `SymbolicShape` is what a model
// declares and what shape inference derives, where a dimension may be a number, a named symbol
// (a batch dimension "N") or unknown.
#pragma once

#include <cstdint>
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

class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) : dims_(dims) {}
  explicit Shape(std::vector<int64_t> dims) : dims_(std::move(dims)) {}
  explicit Shape(std::span<const int64_t> dims) : dims_(dims.begin(), dims.end()) {}

  int rank() const { return int(dims_.size()); }
  int64_t operator[](int i) const { return dims_[size_t(i)]; }
  int64_t& operator[](int i) { return dims_[size_t(i)]; }
  const std::vector<int64_t>& dims() const { return dims_; }
  std::vector<int64_t>& mutable_dims() { return dims_; }

  // Product of the dims; only valid on a shape that passed Validate().
  int64_t NumElements() const;
  // Product of dims [begin, end).
  int64_t NumElements(int begin, int end) const;
  // Fails if a dim is negative or the product exceeds kMaxElements.
  Status Validate() const;
  std::string ToString() const;  // "[2, 3, 4]"

  bool operator==(const Shape& other) const = default;

 private:
  std::vector<int64_t> dims_;
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
