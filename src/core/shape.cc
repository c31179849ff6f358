#include "brisk/shape.h"

#include <limits>

namespace brisk {

int64_t Shape::NumElements() const { return NumElements(0, rank()); }

int64_t Shape::NumElements(int begin, int end) const {
  // Callers should have validated the shape; one that did not (a malformed model found by the
  // fuzzer) must get a too-large count that later size checks refuse, not signed overflow.
  int64_t n = 1;
  for (int i = begin; i < end; ++i) {
    if (__builtin_mul_overflow(n, dims_[size_t(i)], &n)) return std::numeric_limits<int64_t>::max();
  }
  return n;
}

StatusOr<int64_t> CheckedNumElements(std::span<const int64_t> dims) {
  int64_t n = 1;
  for (size_t i = 0; i < dims.size(); ++i) {
    const int64_t d = dims[i];
    if (d < 0) {
      return InvalidArgument("dimension " + std::to_string(i) + " is negative (" +
                             std::to_string(d) + ")");
    }
    if (d != 0 && n > kMaxElements / d) {
      return InvalidArgument("shape " + Shape(dims).ToString() +
                             " has more elements than brisk supports (2^48)");
    }
    n *= d;
  }
  return n;
}

Status Shape::Validate() const { return CheckedNumElements(dims_).status(); }

std::string Shape::ToString() const {
  std::string s = "[";
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(dims_[i]);
  }
  return s + "]";
}

std::string Dim::ToString() const {
  if (is_known()) return std::to_string(value);
  if (!symbol.empty()) return symbol;
  return "?";
}

SymbolicShape SymbolicShape::FromShape(const Shape& s) {
  SymbolicShape out;
  out.dims.reserve(size_t(s.rank()));
  for (int64_t d : s.dims()) out.dims.push_back(Dim::Known(d));
  return out;
}

bool SymbolicShape::IsFullyKnown() const {
  for (const Dim& d : dims)
    if (!d.is_known()) return false;
  return true;
}

std::optional<Shape> SymbolicShape::ToShape() const {
  if (!IsFullyKnown()) return std::nullopt;
  std::vector<int64_t> v;
  v.reserve(dims.size());
  for (const Dim& d : dims) v.push_back(d.value);
  return Shape(std::move(v));
}

std::string SymbolicShape::ToString() const {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ", ";
    s += dims[i].ToString();
  }
  return s + "]";
}

}  // namespace brisk
