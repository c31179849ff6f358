// brisk::Tensor: a dtype, a shape and a pointer to elements.
//
// A Tensor either owns its storage (a shared, reference-counted Buffer, 64-byte aligned with
// 64 bytes of tail padding so vector kernels may over-read but never over-write) or is a
// non-owning view of memory the caller keeps alive (Tensor::View). Copying a Tensor is cheap and
// shares the storage; Clone() makes a deep copy. Elements are dense, row-major.
// String tensors (DType::kString) hold std::string elements and always own them.
// Thread-safety: a Tensor may be read from many threads; writers must synchronise themselves.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "brisk/dtype.h"
#include "brisk/shape.h"
#include "brisk/status.h"

namespace brisk {

inline constexpr size_t kTensorAlignment = 64;

// An owned, aligned allocation.
class Buffer {
 public:
  // Fails with ResourceExhausted if `bytes` exceeds the machine's memory or allocation fails.
  static StatusOr<std::shared_ptr<Buffer>> Allocate(size_t bytes);
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  void* data() { return data_; }
  const void* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  Buffer(void* data, size_t size) : data_(data), size_(size) {}
  void* data_;
  size_t size_;
};

class Tensor {
 public:
  Tensor() = default;  // an empty, undefined tensor: defined() is false

  // Allocates an uninitialised tensor (strings are default-constructed; other types are zeroed
  // only by Zeros()). Fails on a negative or absurd shape or when memory runs out.
  static StatusOr<Tensor> Allocate(DType dtype, Shape shape);
  static StatusOr<Tensor> Zeros(DType dtype, Shape shape);
  // A non-owning view of caller memory (not for strings).
  static Tensor View(DType dtype, Shape shape, void* data);
  // A 0-d tensor holding `value`.
  template <typename T>
  static Tensor Scalar(T value);

  bool defined() const { return dtype_ != DType::kUndefined; }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int rank() const { return shape_.rank(); }
  int64_t dim(int i) const { return shape_[i]; }
  int64_t num_elements() const { return shape_.NumElements(); }
  size_t byte_size() const { return size_t(num_elements()) * DTypeSize(dtype_); }
  bool owns_data() const { return buffer_ != nullptr; }

  void* raw_data() { return data_; }
  const void* raw_data() const { return data_; }
  template <typename T>
  T* data() {
    return static_cast<T*>(data_);
  }
  template <typename T>
  const T* data() const {
    return static_cast<const T*>(data_);
  }
  template <typename T>
  std::span<T> span() {
    return {data<T>(), size_t(num_elements())};
  }
  template <typename T>
  std::span<const T> span() const {
    return {data<T>(), size_t(num_elements())};
  }

  // Same storage, new shape with the same element count.
  StatusOr<Tensor> Reshaped(Shape new_shape) const;
  // Deep copy into freshly allocated storage.
  StatusOr<Tensor> Clone() const;
  // "float32[2, 3]"
  std::string TypeString() const;

 private:
  DType dtype_ = DType::kUndefined;
  Shape shape_;
  std::shared_ptr<Buffer> buffer_;
  void* data_ = nullptr;
};

template <typename T>
Tensor Tensor::Scalar(T value) {
  Tensor t = *Allocate(kDTypeOf<T>, Shape{});
  *t.data<T>() = std::move(value);
  return t;
}

}  // namespace brisk
