// The extension module brisk._brisk. The Python package (python/brisk/) re-exports it and adds
// the pure-Python conveniences (progress bar, predict's argument handling).
#include <nanobind/nanobind.h>

#include "arrays.h"
#include "data_binding.h"
#include "errors.h"
#include "session_binding.h"

NB_MODULE(_brisk, m) {
  namespace nb = nanobind;
  m.doc() = "brisk: compile an ONNX model once, run it many times, fast.";
  m.attr("__version__") = BRISK_VERSION;
  brisk::python::RegisterErrors(m);
  auto session_class = brisk::python::BindSession(m);
  brisk::python::BindPredict(session_class);
  brisk::python::BindData(m);
  brisk::python::BindBatcher(m);
  m.def("_input_copies", &brisk::python::InputCopies,
        "How many input arrays were copied rather than viewed (for tests).");
}
