// The Python exception classes for brisk::StatusCode and the StatusError translator.
#include "errors.h"

#include <Python.h>

#include <array>

namespace brisk::python {
namespace {

namespace nb = nanobind;

// One class per status code (kOk unused); filled once at import.
std::array<PyObject*, 10> g_classes{};

PyObject* NewClass(nb::module_& m, const char* name, PyObject* bases, const char* doc) {
  std::string qualified = std::string("brisk.") + name;
  PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases, nullptr);
  if (cls == nullptr) throw nb::python_error();
  m.attr(name) = nb::handle(cls);
  return cls;
}

}  // namespace

void RegisterErrors(nb::module_& m) {
  PyObject* base = NewClass(m, "Error", PyExc_RuntimeError, "A brisk operation failed.");
  struct Kind {
    StatusCode code;
    const char* name;
    PyObject* builtin;  // the standard exception it also is, or null
    const char* doc;
  };
  const Kind kinds[] = {
      {StatusCode::kInvalidArgument, "InvalidArgumentError", PyExc_ValueError,
       "Bad input: wrong dtype, shape or name, malformed file, invalid option."},
      {StatusCode::kNotFound, "NotFoundError", PyExc_FileNotFoundError,
       "A file, input, output or component does not exist."},
      {StatusCode::kUnimplemented, "UnimplementedError", PyExc_NotImplementedError,
       "The model or request uses something brisk does not support."},
      {StatusCode::kOutOfRange, "OutOfRangeError", PyExc_IndexError,
       "An index or value is out of its valid range."},
      {StatusCode::kResourceExhausted, "ResourceExhaustedError", PyExc_MemoryError,
       "Memory or a queue ran out."},
      {StatusCode::kFailedPrecondition, "FailedPreconditionError", nullptr,
       "The object is not in a state that allows the call."},
      {StatusCode::kCancelled, "CancelledError", nullptr, "The operation was cancelled."},
      {StatusCode::kDeadlineExceeded, "DeadlineExceededError", PyExc_TimeoutError,
       "The operation did not finish in time."},
      {StatusCode::kInternal, "InternalError", nullptr, "A bug in brisk: please report it."},
  };
  g_classes.fill(base);
  for (const Kind& kind : kinds) {
    PyObject* bases = kind.builtin ? PyTuple_Pack(2, base, kind.builtin) : PyTuple_Pack(1, base);
    g_classes[size_t(kind.code)] = NewClass(m, kind.name, bases, kind.doc);
    Py_DECREF(bases);
  }
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const StatusError& e) {
      size_t index = size_t(e.status().code());
      PyObject* cls = index < g_classes.size() ? g_classes[index] : g_classes[0];
      PyErr_SetString(cls, e.status().message().c_str());
    }
  });
}

}  // namespace brisk::python
