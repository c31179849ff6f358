// PyObjectRef (see python_callable.h).
#include "python_callable.h"

#include <Python.h>

namespace brisk::python {
namespace {

bool InterpreterAlive() {
#if PY_VERSION_HEX >= 0x030D0000
  return Py_IsInitialized() && !Py_IsFinalizing();
#else
  return Py_IsInitialized() && !_Py_IsFinalizing();
#endif
}

}  // namespace

PyObjectRef::PyObjectRef(nanobind::object object) {
  PyObject* raw = object.release().ptr();
  holder_ = std::shared_ptr<PyObject*>(new PyObject*(raw), [](PyObject** p) {
    if (InterpreterAlive()) {
      PyGILState_STATE state = PyGILState_Ensure();
      Py_XDECREF(*p);
      PyGILState_Release(state);
    }
    delete p;
  });
}

}  // namespace brisk::python
