// A Python callable or iterator held by C++ code that runs on pipeline worker threads.
//
// Pipeline stages copy and destroy their functions on threads that do not hold the GIL, and
// touching a Python object's reference count without the GIL corrupts it. PyObjectRef keeps the
// object behind a shared_ptr (copied freely without the GIL) whose deleter takes the GIL to drop
// the reference, and skips it once the interpreter is shutting down (the object is then leaked
// on purpose: taking the GIL during finalization can hang).
#pragma once

#include <nanobind/nanobind.h>

#include <memory>

namespace brisk::python {

class PyObjectRef {
 public:
  PyObjectRef() = default;
  explicit PyObjectRef(nanobind::object object);
  // The object; call only with the GIL held.
  nanobind::handle get() const { return holder_ ? nanobind::handle(*holder_) : nanobind::handle(); }
  explicit operator bool() const { return holder_ != nullptr; }

 private:
  std::shared_ptr<PyObject*> holder_;
};

}  // namespace brisk::python
