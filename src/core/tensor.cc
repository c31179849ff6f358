#include "brisk/tensor.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <new>

namespace brisk {
namespace {

constexpr size_t kTailPadding = 64;

size_t PhysicalMemoryBytes() {
  static const size_t bytes = [] {
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long page_size = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page_size <= 0) return size_t(1) << 40;
    return size_t(pages) * size_t(page_size);
  }();
  return bytes;
}

}  // namespace

StatusOr<std::shared_ptr<Buffer>> Buffer::Allocate(size_t bytes) {
  // Refuse what cannot fit in memory up front: the kernel would overcommit and the process
  // would be killed on first touch instead of getting an error.
  if (bytes > PhysicalMemoryBytes()) {
    return ResourceExhausted("cannot allocate " + std::to_string(bytes) +
                             " bytes: more than this machine's memory");
  }
  const size_t padded = (bytes + kTailPadding + kTensorAlignment - 1) / kTensorAlignment *
                        kTensorAlignment;
  void* p = std::aligned_alloc(kTensorAlignment, padded);
  if (p == nullptr) {
    return ResourceExhausted("allocation of " + std::to_string(bytes) + " bytes failed");
  }
  return std::shared_ptr<Buffer>(new Buffer(p, bytes));
}

Buffer::~Buffer() { std::free(data_); }

StatusOr<Tensor> Tensor::Allocate(DType dtype, Shape shape) {
  if (dtype == DType::kUndefined) return InvalidArgument("cannot allocate an undefined dtype");
  BRISK_ASSIGN_OR_RETURN(const int64_t n, CheckedNumElements(shape.dims()));
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  const size_t bytes = size_t(n) * DTypeSize(dtype);
  BRISK_ASSIGN_OR_RETURN(t.buffer_, Buffer::Allocate(bytes));
  t.data_ = t.buffer_->data();
  if (dtype == DType::kString) {
    auto* s = static_cast<std::string*>(t.data_);
    for (int64_t i = 0; i < n; ++i) new (s + i) std::string();
    // Strings need their destructors run: wrap the buffer so the last owner does it.
    auto raw = t.buffer_;
    t.buffer_ = std::shared_ptr<Buffer>(raw.get(), [raw, n](Buffer* b) {
      auto* strs = static_cast<std::string*>(b->data());
      for (int64_t i = 0; i < n; ++i) strs[i].~basic_string();
    });
  }
  return t;
}

StatusOr<Tensor> Tensor::Zeros(DType dtype, Shape shape) {
  BRISK_ASSIGN_OR_RETURN(Tensor t, Allocate(dtype, std::move(shape)));
  if (dtype != DType::kString) std::memset(t.data_, 0, t.byte_size());
  return t;
}

Tensor Tensor::View(DType dtype, Shape shape, void* data) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.data_ = data;
  return t;
}

StatusOr<Tensor> Tensor::Reshaped(Shape new_shape) const {
  BRISK_ASSIGN_OR_RETURN(const int64_t n, CheckedNumElements(new_shape.dims()));
  if (n != num_elements()) {
    return InvalidArgument("cannot reshape " + TypeString() + " to " + new_shape.ToString() +
                           ": element counts differ");
  }
  Tensor t = *this;
  t.shape_ = std::move(new_shape);
  return t;
}

StatusOr<Tensor> Tensor::Clone() const {
  BRISK_ASSIGN_OR_RETURN(Tensor t, Allocate(dtype_, shape_));
  if (dtype_ == DType::kString) {
    const auto* src = data<std::string>();
    auto* dst = t.data<std::string>();
    for (int64_t i = 0; i < num_elements(); ++i) dst[i] = src[i];
  } else if (byte_size() > 0) {
    std::memcpy(t.data_, data_, byte_size());
  }
  return t;
}

std::string Tensor::TypeString() const {
  return std::string(DTypeName(dtype_)) + shape_.ToString();
}

}  // namespace brisk
