// Session._predict_arrays (and _predict_dataset): brisk::data::Predict over NumPy rows, with a progress callback and
// Ctrl-C checked between batches. The GIL is released while the C++ loop runs and re-taken only
// for the progress bar and the signal check.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include <Python.h>

#include <vector>

#include "brisk/data.h"
#include "errors.h"
#include "session_binding.h"

namespace brisk::python {
namespace {

namespace nb = nanobind;
using namespace nb::literals;

// Options whose callbacks call back into Python under the GIL. `interrupted` is set when a
// signal handler raised (KeyboardInterrupt): the Python error is left set for the caller.
data::PredictOptions CallbackOptions(int64_t batch_size, nb::handle progress, bool* interrupted) {
  data::PredictOptions options;
  options.batch_size = batch_size;
  if (!progress.is_none()) {
    nb::object bar = nb::borrow(progress);
    options.on_progress = [bar](int64_t done, int64_t total) {
      nb::gil_scoped_acquire acquire;
      try {
        bar(done, total);
      } catch (nb::python_error& e) {
        e.discard_as_unraisable("brisk progress bar");
      }
    };
  }
  options.should_stop = [interrupted] {
    nb::gil_scoped_acquire acquire;
    if (PyErr_CheckSignals() != 0) *interrupted = true;
    return *interrupted;
  };
  return options;
}

nb::tuple Finish(const Session& session, StatusOr<data::PredictResult> result, bool interrupted) {
  if (interrupted) throw nb::python_error();  // KeyboardInterrupt set by the signal handler
  data::PredictResult value = ValueOrThrow(std::move(result));
  return nb::make_tuple(OutputsDict(session, value.outputs), nb::cast(value.stats));
}

}  // namespace

void BindPredict(nb::class_<PySession>& session_class) {
  session_class.def(
      "_predict_arrays",
      [](PySession& s, nb::handle feeds, int64_t batch_size, nb::handle progress) {
        std::vector<InputTensor> inputs = FeedsInInputOrder(*s.session, feeds);
        std::vector<Tensor> tensors;
        for (size_t i = 0; i < inputs.size(); ++i) {
          if (!inputs[i].tensor.defined()) {
            throw StatusError(InvalidArgument("predict: no array for input '" +
                                              s.session->inputs()[i].name + "'"));
          }
          tensors.push_back(inputs[i].tensor);
        }
        bool interrupted = false;
        data::PredictOptions options = CallbackOptions(batch_size, progress, &interrupted);
        StatusOr<data::PredictResult> result = [&] {
          nb::gil_scoped_release release;
          return data::Predict(*s.session, tensors, options);
        }();
        return Finish(*s.session, std::move(result), interrupted);
      },
      "feeds"_a, "batch_size"_a, "progress"_a.none());
  session_class.def(
      "_predict_dataset",
      [](PySession& s, const data::Dataset& dataset, nb::handle progress) {
        bool interrupted = false;
        data::PredictOptions options = CallbackOptions(0, progress, &interrupted);
        StatusOr<data::PredictResult> result = [&] {
          nb::gil_scoped_release release;
          return data::Predict(*s.session, dataset, options);
        }();
        return Finish(*s.session, std::move(result), interrupted);
      },
      "dataset"_a, "progress"_a.none());
}

}  // namespace brisk::python
