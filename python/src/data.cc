// brisk._brisk.Dataset and friends: the C++ input pipeline driven from Python.
//
// Every stage runs in C++ threads. Python enters only where the user put it: a Python map
// function or a generator source, which take the GIL for their call (their cost shows in the
// stage statistics); the consumer waits for the next element with the GIL released, so those
// stages can run meanwhile.
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <Python.h>

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "arrays.h"
#include "brisk/data.h"
#include "data_binding.h"
#include "elements.h"
#include "errors.h"
#include "python_callable.h"

namespace brisk::python {
namespace {

namespace nb = nanobind;
using namespace nb::literals;
using data::Dataset;
using data::Element;

// The message of the Python exception being handled, as "TypeError: bad value".
std::string DescribePythonError(nb::python_error& error) {
  std::string type = nb::cast<std::string>(nb::str(error.type().attr("__name__")));
  std::string message = nb::cast<std::string>(nb::str(error.value()));
  return message.empty() ? type : type + ": " + message;
}

// A map function written in Python: called with {name: ndarray}, returns a dict, a tuple or an
// array (see ElementFromPython).
data::MapFn PythonMapFn(nb::object fn) {
  PyObjectRef callable(std::move(fn));
  return [callable](Element element) -> StatusOr<Element> {
    nb::gil_scoped_acquire acquire;
    try {
      nb::object result = callable.get()(ElementToDict(element));
      return ElementFromPython(result, element.origin);
    } catch (nb::python_error& e) {
      return InvalidArgument(DescribePythonError(e));
    } catch (const StatusError& e) {
      return e.status();
    }
  };
}

// A source that pulls items from a Python iterator, one at a time, under the GIL.
class GeneratorSource : public data::ElementSource {
 public:
  GeneratorSource(std::string name, PyObjectRef iterator)
      : name_(std::move(name)), iterator_(std::move(iterator)) {}

  StatusOr<std::optional<Element>> Next() override {
    nb::gil_scoped_acquire acquire;
    const std::string origin = "generator '" + name_ + "' item " + std::to_string(index_);
    try {
      PyObject* item = PyIter_Next(iterator_.get().ptr());
      if (item == nullptr) {
        if (PyErr_Occurred()) throw nb::python_error();
        return std::optional<Element>();
      }
      nb::object value = nb::steal(item);
      ++index_;
      return std::optional<Element>(ElementFromPython(value, origin));
    } catch (nb::python_error& e) {
      return InvalidArgument(origin + ": " + DescribePythonError(e));
    } catch (const StatusError& e) {
      return e.status();
    }
  }

 private:
  std::string name_;
  PyObjectRef iterator_;
  int64_t index_ = 0;
};

// `source` is a callable returning an iterable (called once per pass, like tf.data's
// from_generator) or an iterable that can be iterated again (a list, a dataset-like object).
Dataset FromGenerator(nb::object source, std::string name) {
  PyObjectRef factory(std::move(source));
  return Dataset::FromSource(name, [factory, name]() -> StatusOr<std::unique_ptr<data::ElementSource>> {
    nb::gil_scoped_acquire acquire;
    try {
      nb::handle f = factory.get();
      nb::object iterable = PyCallable_Check(f.ptr()) ? f() : nb::borrow(f);
      nb::object iterator = nb::steal(PyObject_GetIter(iterable.ptr()));
      if (!iterator.is_valid()) throw nb::python_error();
      return std::unique_ptr<data::ElementSource>(
          new GeneratorSource(name, PyObjectRef(std::move(iterator))));
    } catch (nb::python_error& e) {
      return InvalidArgument("generator '" + name + "': " + DescribePythonError(e));
    }
  });
}

// What a Python iterator over a dataset holds. Closing joins the pipeline's threads with the GIL
// released: a worker may be waiting for the GIL to finish a Python map call. Live iterators are
// registered so that an atexit hook (brisk/__init__.py) can stop them before the interpreter
// shuts down; threads still blocked on the GIL at that point would hang the exit.
struct PyIterator;
std::mutex g_live_mutex;
std::set<PyIterator*> g_live;

struct PyIterator {
  std::unique_ptr<data::Iterator> iterator;

  explicit PyIterator(std::unique_ptr<data::Iterator> it) : iterator(std::move(it)) {
    std::lock_guard lock(g_live_mutex);
    g_live.insert(this);
  }
  void Close() {
    if (!iterator) return;
    nb::gil_scoped_release release;
    iterator.reset();
  }
  ~PyIterator() {
    {
      std::lock_guard lock(g_live_mutex);
      g_live.erase(this);
    }
    Close();
  }
};

void CloseAllIterators() {
  std::vector<PyIterator*> live;
  {
    std::lock_guard lock(g_live_mutex);
    live.assign(g_live.begin(), g_live.end());
  }
  for (PyIterator* it : live) it->Close();
}

DType ParseDType(nb::handle dtype) {
  std::string name = nb::cast<std::string>(
      nb::str(nb::module_::import_("numpy").attr("dtype")(dtype).attr("name")));
  for (int d = int(DType::kFloat32); d <= int(DType::kString); ++d) {
    if (DTypeName(DType(d)) == name) return DType(d);
  }
  if (name == "object" || name.starts_with("str")) return DType::kString;
  throw StatusError(InvalidArgument("unsupported dtype '" + name + "'"));
}

// A built-in or composed map function, as handed to Dataset.map.
struct MapFunction {
  data::MapFn fn;
  std::string name;
};

data::MapFn ToMapFn(nb::handle fn, std::string* name) {
  if (nb::isinstance<MapFunction>(fn)) {
    const MapFunction& f = nb::cast<const MapFunction&>(fn);
    if (name->empty()) *name = f.name;
    return f.fn;
  }
  if (nb::isinstance<nb::list>(fn) || nb::isinstance<nb::tuple>(fn)) {
    std::vector<data::MapFn> parts;
    std::string joined;
    for (nb::handle part : fn) {
      std::string part_name;
      parts.push_back(ToMapFn(part, &part_name));
      joined += (joined.empty() ? "" : ",") + part_name;
    }
    if (name->empty()) *name = joined;
    return data::ops::Compose(std::move(parts));
  }
  if (PyCallable_Check(fn.ptr())) {
    if (name->empty()) {
      *name = nb::hasattr(fn, "__name__") ? nb::cast<std::string>(fn.attr("__name__")) : "python";
    }
    return PythonMapFn(nb::borrow(fn));
  }
  throw StatusError(InvalidArgument(
      "map: expected a brisk.data.ops function, a list of them, or a Python callable"));
}

NamedTensors TensorsFromPython(nb::handle tensors) {
  Element element = ElementFromPython(tensors, "from_tensor_slices");
  return std::move(element.components);
}

void BindOps(nb::module_& m) {
  nb::class_<MapFunction>(m, "MapFunction", "A built-in C++ map function (brisk.data.ops).")
      .def_ro("name", &MapFunction::name)
      .def("__repr__", [](const MapFunction& f) { return "<brisk.data.ops." + f.name + ">"; });
  // Exposed as brisk.data.ops.<name> by python/brisk/_ops.py (one extension module, no
  // submodules, so the generated stubs cover them).
  nb::module_& ops = m;
  ops.def("op_decode_image", [](std::string c, int ch) {
        return MapFunction{data::ops::DecodeImage(c, ch), "decode_image"};
      }, "component"_a = "image", "channels"_a = 3,
      "JPEG/PNG bytes (uint8[n]) -> uint8[H, W, channels].");
  ops.def("op_resize", [](std::string c, int h, int w, std::string method) {
        return MapFunction{data::ops::Resize(c, h, w, method), "resize"};
      }, "component"_a, "height"_a, "width"_a, "method"_a = "bilinear",
      "[H, W, C] -> float32[height, width, C] (tf.image.resize semantics).");
  ops.def("op_center_crop", [](std::string c, int h, int w) {
        return MapFunction{data::ops::CenterCrop(c, h, w), "center_crop"};
      }, "component"_a, "height"_a, "width"_a);
  ops.def("op_normalize", [](std::string c, std::vector<float> mean, std::vector<float> std) {
        return MapFunction{data::ops::Normalize(c, mean, std), "normalize"};
      }, "component"_a, "mean"_a, "std"_a, "(x - mean[c]) / std[c] per channel, float32.");
  ops.def("op_cast", [](std::string c, nb::handle dtype) {
        return MapFunction{data::ops::Cast(c, ParseDType(dtype)), "cast"};
      }, "component"_a, "dtype"_a);
  ops.def("op_one_hot", [](std::string c, int64_t depth) {
        return MapFunction{data::ops::OneHot(c, depth), "one_hot"};
      }, "component"_a, "depth"_a);
  ops.def("op_hwc_to_chw", [](std::string c) {
        return MapFunction{data::ops::HwcToChw(c), "hwc_to_chw"};
      }, "component"_a);
  ops.def("op_tokenize", [](std::string c, std::string vocabulary, int64_t max_length,
                         std::string unknown) {
        return MapFunction{ValueOrThrow(data::ops::Tokenize(c, vocabulary, max_length, unknown)),
                           "tokenize"};
      }, "component"_a, "vocabulary"_a, "max_length"_a, "unknown_token"_a = "[UNK]");
}

void BindSources(nb::module_& m, nb::class_<Dataset>& cls) {
  cls.def_static("from_tensor_slices", [](nb::handle tensors) {
        return ValueOrThrow(Dataset::FromTensorSlices(TensorsFromPython(tensors)));
      }, "tensors"_a,
      "Row i of every array (a dict {name: array}, a tuple, or one array named 'x').");
  cls.def_static("from_generator", &FromGenerator, "source"_a, "name"_a = "generator",
      "Items of a Python iterable: a callable returning one (called every pass) or a "
      "re-iterable object. Each item is a dict, a tuple or an array. Runs under the GIL.");
  m.def("from_npy", [](const std::string& path, const std::string& component) {
        return ValueOrThrow(data::FromNpy(path, component));
      }, "path"_a, "component"_a = "x");
  m.def("from_npz", [](const std::string& path) { return ValueOrThrow(data::FromNpz(path)); },
        "path"_a);
  m.def("from_csv",
        [](const std::string& path, std::optional<std::vector<std::pair<std::string, nb::object>>> columns,
           bool header, char delimiter) {
          data::CsvOptions options;
          options.header = header;
          options.delimiter = delimiter;
          for (const auto& [name, dtype] : columns.value_or(std::vector<std::pair<std::string, nb::object>>{})) {
            data::CsvColumn column;
            column.name = name;
            if (!dtype.is_none()) column.dtype = ParseDType(dtype);
            options.columns.push_back(std::move(column));
          }
          return ValueOrThrow(data::FromCsv(path, std::move(options)));
        },
        "path"_a, "columns"_a = nb::none(), "header"_a = true, "delimiter"_a = ',',
        "Streams a CSV file; columns = [(name, dtype), ...] (dtype None = float32).");
  m.def("from_sqlite", [](const std::string& database, const std::string& query, int64_t rows) {
        data::SqliteOptions options;
        options.prefetch_rows = rows;
        return ValueOrThrow(data::FromSqlite(database, query, options));
      }, "database"_a, "query"_a, "prefetch_rows"_a = 256);
  m.def("image_folder", [](const std::string& directory, bool labels, std::vector<std::string> ext,
                           bool shuffle_files, uint64_t seed) {
        data::ImageFolderOptions options;
        options.labels_from_subfolders = labels;
        options.extensions = std::move(ext);
        options.shuffle_files = shuffle_files;
        options.seed = seed;
        return ValueOrThrow(data::ImageFolder(directory, options));
      }, "directory"_a, "labels_from_subfolders"_a = true,
      "extensions"_a = std::vector<std::string>{".jpg", ".jpeg", ".png"},
      "shuffle_files"_a = false, "seed"_a = 0,
      "Elements {'image': encoded bytes, 'label': int64, 'path': str}; decode with "
      "ops.decode_image.");
  m.def("image_folder_class_names", [](const std::string& directory) {
        return ValueOrThrow(data::ImageFolderClassNames(directory));
      }, "directory"_a);
}

}  // namespace

void BindData(nb::module_& m) {
  m.attr("AUTOTUNE") = data::kAutotune;
  m.def("_close_all_iterators", &CloseAllIterators,
        "Stops every running pipeline (registered with atexit by brisk/__init__.py).");
  BindStats(m);
  BindOps(m);

  nb::class_<PyIterator>(m, "Iterator", "A running pipeline; yields dicts of ndarrays.")
      .def("__iter__", [](nb::handle self) { return nb::borrow(self); })
      .def("__next__", [](PyIterator& it) {
        if (!it.iterator) throw nb::stop_iteration();
        StatusOr<std::optional<Element>> next = [&] {
          nb::gil_scoped_release release;
          return it.iterator->Next();
        }();
        std::optional<Element> element = ValueOrThrow(std::move(next));
        if (!element) throw nb::stop_iteration();
        return ElementToDict(*element);
      })
      .def("stats", [](const PyIterator& it) {
        if (!it.iterator) throw StatusError(FailedPrecondition("the iterator is closed"));
        return it.iterator->Stats();
      }, "Per-stage counters so far, and the verdict.")
      .def("record_consumer", [](PyIterator& it, double seconds) {
        if (it.iterator) it.iterator->RecordConsumer(seconds);
      }, "seconds"_a, "Report time spent using the last element (for the verdict).")
      .def("close", &PyIterator::Close, "Stops the pipeline and joins its threads.");

  nb::class_<Dataset> cls(m, "Dataset", "A tf.data-style input pipeline, run in C++ threads.");
  BindSources(m, cls);
  cls.def("map", [](const Dataset& d, nb::handle fn, int num_parallel_calls, bool deterministic,
                    std::optional<std::string> name) {
        data::MapOptions options;
        options.num_parallel_calls = num_parallel_calls;
        options.deterministic = deterministic;
        std::string fn_name = name.value_or("");
        data::MapFn map_fn = ToMapFn(fn, &fn_name);
        options.name = "map(" + fn_name + ")";
        return d.Map(std::move(map_fn), std::move(options));
      }, "fn"_a, "num_parallel_calls"_a = 1, "deterministic"_a = true, "name"_a = nb::none(),
      "fn: a brisk.data.ops function, a list of them (run one after another), or a Python "
      "callable taking and returning a dict. num_parallel_calls: 1, N or AUTOTUNE.")
     .def("batch", &Dataset::Batch, "batch_size"_a, "drop_remainder"_a = false)
     .def("padded_batch",
          [](const Dataset& d, int64_t n, std::optional<std::vector<std::pair<std::string, std::vector<int64_t>>>> shapes,
             std::optional<std::vector<std::pair<std::string, double>>> values, bool drop) {
            data::PaddedBatchOptions options;
            options.padded_shapes = shapes.value_or(decltype(options.padded_shapes){});
            options.padding_values = values.value_or(decltype(options.padding_values){});
            options.drop_remainder = drop;
            return d.PaddedBatch(n, std::move(options));
          }, "batch_size"_a, "padded_shapes"_a = nb::none(), "padding_values"_a = nb::none(),
          "drop_remainder"_a = false,
          "padded_shapes: [(component, shape with -1 = longest)]; padding_values: "
          "[(component, value)] (default 0).")
     .def("shuffle", &Dataset::Shuffle, "buffer_size"_a, "seed"_a = 0,
          "reshuffle_each_iteration"_a = true)
     .def("cache", &Dataset::Cache, "filename"_a = "")
     .def("prefetch", &Dataset::Prefetch, "buffer_size"_a = data::kAutotune)
     .def("repeat", [](const Dataset& d, std::optional<int64_t> count) {
        return d.Repeat(count.value_or(-1));
      }, "count"_a = nb::none())
     .def("take", &Dataset::Take, "count"_a)
     .def("skip", &Dataset::Skip, "count"_a)
     .def("ignore_errors", &Dataset::IgnoreErrors)
     .def("describe", &Dataset::Describe)
     .def("__repr__", [](const Dataset& d) { return "<brisk.data.Dataset\n" + d.Describe() + ">"; })
     .def("__iter__", [](const Dataset& d) {
        return new PyIterator(ValueOrThrow(d.MakeIterator()));
      }, nb::rv_policy::take_ownership)
     .def("iterator", [](const Dataset& d, int cpu_budget, int64_t ram_budget_bytes) {
        data::IteratorOptions options;
        options.cpu_budget = cpu_budget;
        options.ram_budget_bytes = ram_budget_bytes;
        return new PyIterator(ValueOrThrow(d.MakeIterator(options)));
      }, "cpu_budget"_a = 0, "ram_budget_bytes"_a = 0, nb::rv_policy::take_ownership,
      "An iterator with AUTOTUNE budgets: threads all parallel stages may use (0 = the CPUs "
      "of this process) and bytes all buffers may hold (0 = half the available RAM, at most "
      "2 GiB).");
}

}  // namespace brisk::python
