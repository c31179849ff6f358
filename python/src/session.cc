// brisk.Session: load a model once, run it many times from Python.
//
// run() views contiguous NumPy inputs without copying, releases the GIL while the engine runs (so
// other Python threads, and other run() calls, proceed), and returns NumPy arrays that share the
// engine's output buffers.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <memory>
#include <string>
#include <vector>

#include "arrays.h"
#include "brisk/session.h"
#include "errors.h"
#include "session_binding.h"

namespace brisk::python {
namespace {

namespace nb = nanobind;
using namespace nb::literals;

nb::object ShapeTuple(const TensorInfo& info) {
  if (!info.shape) return nb::none();
  nb::list dims;
  for (const Dim& d : info.shape->dims) {
    if (d.is_known()) {
      dims.append(d.value);
    } else if (d.is_symbol()) {
      dims.append(nb::str(d.symbol.c_str()));
    } else {
      dims.append(nb::none());
    }
  }
  return nb::tuple(dims);
}

SessionOptions MakeOptions(int threads, const std::string& optimization, int batch_chunk,
                           bool reference_kernels, bool flush_denormals) {
  SessionOptions options;
  options.intra_op_threads = threads;
  options.optimization_level = ValueOrThrow(ParseOptimizationLevel(optimization));
  options.batch_chunk = batch_chunk;
  options.reference_kernels_only = reference_kernels;
  options.flush_denormals = flush_denormals;
  return options;
}

}  // namespace

std::vector<InputTensor> FeedsInInputOrder(const Session& session, nb::handle feeds) {
  const std::vector<TensorInfo>& inputs = session.inputs();
  std::vector<InputTensor> ordered(inputs.size());
  if (nb::isinstance<nb::dict>(feeds)) {
    nb::dict dict = nb::borrow<nb::dict>(feeds);
    size_t matched = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const char* name = inputs[i].name.c_str();
      if (!dict.contains(name)) continue;
      ordered[i] = ToTensor(dict[name], "input '" + inputs[i].name + "'");
      ++matched;
    }
    if (matched != dict.size()) {
      for (auto [key, value] : dict) {
        std::string name = nb::cast<std::string>(nb::str(key));
        bool known = false;
        for (const TensorInfo& info : inputs) known |= info.name == name;
        if (known) continue;
        std::string names;
        for (const TensorInfo& info : inputs) names += (names.empty() ? "'" : ", '") + info.name + "'";
        throw StatusError(InvalidArgument("unknown input '" + name + "'; the model's inputs are " +
                                          names));
      }
    }
    return ordered;
  }
  nb::object sequence = nb::borrow(feeds);
  bool single = nb::hasattr(feeds, "__array_interface__") || nb::hasattr(feeds, "__dlpack__");
  if (single) sequence = nb::make_tuple(feeds);
  size_t n = nb::len(sequence);
  if (n != inputs.size()) {
    throw StatusError(InvalidArgument("the model takes " + std::to_string(inputs.size()) +
                                      " inputs, got " + std::to_string(n) +
                                      " (pass a dict {name: array} or a list in input order)"));
  }
  for (size_t i = 0; i < n; ++i) {
    ordered[i] = ToTensor(sequence[i], "input '" + inputs[i].name + "'");
  }
  return ordered;
}

NamedTensors NamedFeeds(const Session& session, nb::handle feeds,
                        std::vector<InputTensor>* keep_alive) {
  *keep_alive = FeedsInInputOrder(session, feeds);
  NamedTensors named;
  for (size_t i = 0; i < keep_alive->size(); ++i) {
    const Tensor& tensor = (*keep_alive)[i].tensor;
    if (tensor.defined()) named.emplace_back(session.inputs()[i].name, tensor);
  }
  return named;
}

nb::dict OutputsDict(const Session& session, const std::vector<Tensor>& outputs) {
  nb::dict result;
  for (size_t i = 0; i < outputs.size(); ++i) {
    result[session.outputs()[i].name.c_str()] = ToNumpy(outputs[i]);
  }
  return result;
}

nb::class_<PySession> BindSession(nb::module_& m) {
  nb::class_<TensorInfo>(m, "TensorInfo", "A declared model input or output.")
      .def_ro("name", &TensorInfo::name)
      .def_prop_ro("dtype", [](const TensorInfo& t) { return NumpyDType(t.dtype); },
                   "NumPy dtype (a str for dtypes NumPy lacks, e.g. 'bfloat16').")
      .def_prop_ro("shape", &ShapeTuple,
                   "Tuple of dims: int when fixed, str for a named dim ('N'), None when unknown; "
                   "None when the model declares no shape.")
      .def("__repr__", [](const TensorInfo& t) { return "<TensorInfo " + t.ToString() + ">"; });

  nb::class_<PySession> session_class(m, "_Session");
  session_class
      .def("__init__",
           [](PySession* self, const std::string& path, int threads,
              const std::string& optimization, int batch_chunk, bool reference_kernels,
              bool flush_denormals) {
             SessionOptions options = MakeOptions(threads, optimization, batch_chunk,
                                                  reference_kernels, flush_denormals);
             StatusOr<std::unique_ptr<Session>> loaded = [&] {
               nb::gil_scoped_release release;  // loading a large model takes a while
               return Session::Load(path, options);
             }();
             new (self) PySession{std::shared_ptr<Session>(ValueOrThrow(std::move(loaded)))};
           },
           "path"_a, "threads"_a = 0, "optimization"_a = "all", "batch_chunk"_a = 0,
           "reference_kernels"_a = false, "flush_denormals"_a = true)
      .def_prop_ro("inputs", [](const PySession& s) { return s.session->inputs(); })
      .def_prop_ro("outputs", [](const PySession& s) { return s.session->outputs(); })
      .def_prop_ro("intra_op_threads", [](const PySession& s) {
        return s.session->intra_op_threads();
      })
      .def_prop_ro("optimization_report", [](const PySession& s) {
        return s.session->optimization_report();
      })
      .def_prop_ro("batch_split_report", [](const PySession& s) {
        return s.session->batch_split_report();
      })
      .def_prop_ro("model_info", [](const PySession& s) {
        const ModelInfo& info = s.session->model_info();
        nb::dict d;
        d["path"] = info.path;
        d["producer_name"] = info.producer_name;
        d["producer_version"] = info.producer_version;
        d["ir_version"] = info.ir_version;
        nb::dict opsets, metadata;
        for (const auto& [domain, version] : info.opset_imports) opsets[domain.c_str()] = version;
        for (const auto& [key, value] : info.metadata) metadata[key.c_str()] = value;
        d["opset_imports"] = opsets;
        d["metadata"] = metadata;
        return d;
      })
      .def_prop_ro("stats", [](const PySession& s) {
        SessionStats stats = s.session->stats();
        nb::dict d;
        d["runs"] = stats.runs;
        d["plans_compiled"] = stats.plans_compiled;
        d["plan_cache_hits"] = stats.plan_cache_hits;
        d["plan_evictions"] = stats.plan_evictions;
        return d;
      })
      .def(
          "run",
          [](PySession& s, nb::handle feeds) {
            std::vector<InputTensor> arrays;
            NamedTensors named = NamedFeeds(*s.session, feeds, &arrays);
            StatusOr<std::vector<Tensor>> outputs = [&] {
              nb::gil_scoped_release release;
              return s.session->Run(named);
            }();
            // Arrays (and their capsules) are made with the GIL held.
            return OutputsDict(*s.session, ValueOrThrow(std::move(outputs)));
          },
          "feeds"_a,
          "Runs the model. `feeds` is {input name: array}, a list in input order, or one array "
          "for a one-input model. Returns {output name: ndarray}. Contiguous inputs are not "
          "copied; the GIL is released while the model runs.");
  return session_class;
}

}  // namespace brisk::python
