// NumPy <-> brisk::Tensor conversion (see arrays.h).
#include "arrays.h"

#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <atomic>
#include <cstring>

#include "brisk/dtype.h"
#include "errors.h"

namespace brisk::python {
namespace {

namespace nb = nanobind;
using nb::dlpack::dtype_code;
using namespace nb::literals;

std::atomic<int64_t> g_input_copies{0};

// Bytes a kernel may read past a tensor's last element (include/brisk/tensor.h).
constexpr uintptr_t kOverRead = 64;
constexpr uintptr_t kPage = 4096;

StatusOr<DType> FromDlpack(nb::dlpack::dtype t, const std::string& what) {
  auto code = dtype_code(t.code);
  if (t.lanes == 1) {
    if (code == dtype_code::Float && t.bits == 32) return DType::kFloat32;
    if (code == dtype_code::Float && t.bits == 16) return DType::kFloat16;
    if (code == dtype_code::Float && t.bits == 64) return DType::kFloat64;
    if (code == dtype_code::Bfloat && t.bits == 16) return DType::kBFloat16;
    if (code == dtype_code::Bool && t.bits == 8) return DType::kBool;
    if (code == dtype_code::Int) {
      switch (t.bits) {
        case 8: return DType::kInt8;
        case 16: return DType::kInt16;
        case 32: return DType::kInt32;
        case 64: return DType::kInt64;
      }
    }
    if (code == dtype_code::UInt) {
      switch (t.bits) {
        case 8: return DType::kUInt8;
        case 16: return DType::kUInt16;
        case 32: return DType::kUInt32;
        case 64: return DType::kUInt64;
      }
    }
  }
  return InvalidArgument(what + ": unsupported array dtype (code " + std::to_string(t.code) +
                         ", " + std::to_string(t.bits) + " bits); brisk takes bool, int8-64, "
                         "uint8-64, float16, bfloat16, float32, float64 and str");
}

nb::dlpack::dtype ToDlpack(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: return nb::dtype<float>();
    case DType::kFloat64: return nb::dtype<double>();
    case DType::kFloat16: return {uint8_t(dtype_code::Float), 16, 1};
    case DType::kInt8: return nb::dtype<int8_t>();
    case DType::kUInt8: return nb::dtype<uint8_t>();
    case DType::kInt16: return nb::dtype<int16_t>();
    case DType::kUInt16: return nb::dtype<uint16_t>();
    case DType::kInt32: return nb::dtype<int32_t>();
    case DType::kUInt32: return nb::dtype<uint32_t>();
    case DType::kInt64: return nb::dtype<int64_t>();
    case DType::kUInt64: return nb::dtype<uint64_t>();
    case DType::kBool: return nb::dtype<bool>();
    default: return {};
  }
}

nb::module_ Numpy() { return nb::module_::import_("numpy"); }

bool IsCContiguous(const nb::ndarray<nb::ro, nb::device::cpu>& array) {
  int64_t expected = 1;
  for (int i = int(array.ndim()) - 1; i >= 0; --i) {
    if (array.shape(i) != 1 && array.stride(i) != expected) return false;
    expected *= int64_t(array.shape(i));
  }
  return true;
}

// Whether reading kOverRead bytes past [data, data + bytes) could cross into the next page.
bool TailNearPageEnd(const void* data, size_t bytes) {
  if (bytes == 0) return false;
  uintptr_t last = reinterpret_cast<uintptr_t>(data) + bytes - 1;
  return last / kPage != (last + kOverRead) / kPage;
}

InputTensor StringTensor(nb::handle array, const std::string& what) {
  nb::object flat = array.attr("ravel")().attr("tolist")();
  std::vector<int64_t> dims;
  for (nb::handle d : nb::tuple(array.attr("shape"))) dims.push_back(nb::cast<int64_t>(d));
  Tensor tensor = ValueOrThrow(Tensor::Allocate(DType::kString, Shape(DimVector(dims))));
  std::string* out = tensor.data<std::string>();
  int64_t i = 0;
  for (nb::handle item : flat) {
    if (nb::isinstance<nb::bytes>(item)) {
      nb::bytes b = nb::borrow<nb::bytes>(item);
      out[i++] = std::string(b.c_str(), b.size());
    } else if (nb::isinstance<nb::str>(item)) {
      out[i++] = nb::cast<std::string>(item);
    } else {
      throw StatusError(InvalidArgument(what + ": element " + std::to_string(i) +
                                        " of a string array is not str or bytes"));
    }
  }
  g_input_copies.fetch_add(1, std::memory_order_relaxed);
  return {std::move(tensor), nb::object()};
}

}  // namespace

InputTensor ToTensor(nb::handle object, const std::string& what) {
  nb::object array = nb::borrow(object);
  // Lists, scalars and foreign objects go through numpy.asarray once; arrays pass unchanged.
  if (!nb::hasattr(array, "__dlpack__") && !nb::hasattr(array, "__array_interface__")) {
    array = Numpy().attr("asarray")(object);
  }
  if (nb::hasattr(array, "dtype") && nb::hasattr(array.attr("dtype"), "kind")) {
    std::string kind = nb::cast<std::string>(array.attr("dtype").attr("kind"));
    if (kind == "U" || kind == "S" || kind == "O") return StringTensor(array, what);
  }
  nb::ndarray<nb::ro, nb::device::cpu> view;
  if (!nb::try_cast(array, view, /*convert=*/false)) {
    array = Numpy().attr("asarray")(object);
    if (!nb::try_cast(array, view, false)) {
      throw StatusError(InvalidArgument(what + ": cannot read it as an array (type " +
                                        nb::cast<std::string>(nb::str(object.type())) + ")"));
    }
  }
  DType dtype = ValueOrThrow(FromDlpack(view.dtype(), what));
  DimVector dims(view.ndim());
  for (size_t i = 0; i < view.ndim(); ++i) dims[i] = int64_t(view.shape(i));
  Shape shape(std::move(dims));
  const size_t bytes = size_t(shape.NumElements()) * DTypeSize(dtype);
  if (IsCContiguous(view) && !TailNearPageEnd(view.data(), bytes)) {
    return {Tensor::View(dtype, std::move(shape), const_cast<void*>(view.data())),
            std::move(array)};
  }
  // One copy into brisk's padded, aligned storage.
  Tensor tensor = ValueOrThrow(Tensor::Allocate(dtype, shape));
  nb::object contiguous = Numpy().attr("ascontiguousarray")(array);
  nb::ndarray<nb::ro, nb::device::cpu> dense = nb::cast<nb::ndarray<nb::ro, nb::device::cpu>>(
      contiguous, false);
  if (bytes != 0) std::memcpy(tensor.raw_data(), dense.data(), bytes);
  g_input_copies.fetch_add(1, std::memory_order_relaxed);
  return {std::move(tensor), nb::object()};
}

nb::object ToNumpy(const Tensor& source) {
  Tensor tensor = source;
  if (tensor.dtype() == DType::kString) {
    nb::list items;
    for (const std::string& s : tensor.span<std::string>()) items.append(nb::str(s.data(), s.size()));
    std::vector<int64_t> dims(tensor.shape().dims().begin(), tensor.shape().dims().end());
    nb::object flat = Numpy().attr("array")(items, "dtype"_a = "object");
    return flat.attr("reshape")(nb::cast(dims));
  }
  if (tensor.dtype() == DType::kBFloat16) {
    Tensor as_float = ValueOrThrow(Tensor::Allocate(DType::kFloat32, tensor.shape()));
    const BFloat16* in = tensor.data<BFloat16>();
    float* out = as_float.data<float>();
    for (int64_t i = 0; i < tensor.num_elements(); ++i) out[i] = float(in[i]);
    tensor = as_float;
  }
  if (!tensor.owns_data()) tensor = ValueOrThrow(tensor.Clone());
  std::vector<size_t> shape(tensor.shape().dims().begin(), tensor.shape().dims().end());
  // The capsule owns a Tensor sharing the buffer; NumPy frees it with the array.
  auto* owner = new Tensor(tensor);
  nb::capsule capsule(owner, [](void* p) noexcept { delete static_cast<Tensor*>(p); });
  nb::ndarray<nb::numpy> array(tensor.raw_data(), shape.size(), shape.data(), capsule, nullptr,
                               ToDlpack(tensor.dtype()));
  return array.cast();
}

nb::object NumpyDType(DType dtype) {
  if (dtype == DType::kString) return Numpy().attr("dtype")("object");
  if (ToDlpack(dtype).bits == 0) return nb::str(std::string(DTypeName(dtype)).c_str());
  return Numpy().attr("dtype")(std::string(DTypeName(dtype)));
}

int64_t InputCopies() { return g_input_copies.load(std::memory_order_relaxed); }

}  // namespace brisk::python
