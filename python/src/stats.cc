// PipelineStats and StageStats as read-only Python objects.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "brisk/data.h"
#include "data_binding.h"

namespace brisk::python {

namespace nb = nanobind;

void BindStats(nb::module_& m) {
  using data::PipelineStats;
  using data::StageStats;
  nb::class_<StageStats>(m, "StageStats", "Counters of one pipeline stage.")
      .def_ro("name", &StageStats::name)
      .def_ro("items_out", &StageStats::items_out)
      .def_ro("busy_seconds", &StageStats::busy_seconds, "Self time summed over its threads.")
      .def_ro("wait_seconds", &StageStats::wait_seconds,
              "Time its consumer waited for it (empty buffer).")
      .def_ro("items_per_second", &StageStats::items_per_second)
      .def_ro("parallelism", &StageStats::parallelism)
      .def_ro("buffer_capacity", &StageStats::buffer_capacity)
      .def_ro("mean_buffer_fill", &StageStats::mean_buffer_fill)
      .def_ro("errors_ignored", &StageStats::errors_ignored)
      .def("__repr__", [](const StageStats& s) {
        return "<StageStats " + s.name + ": " + std::to_string(s.items_out) + " items>";
      });
  nb::class_<PipelineStats>(m, "PipelineStats",
                            "Where the time went: per-stage counters, input wait vs compute.")
      .def_ro("stages", &PipelineStats::stages)
      .def_ro("consumer_wait_seconds", &PipelineStats::consumer_wait_seconds,
              "Time the model waited for input.")
      .def_ro("consumer_compute_seconds", &PipelineStats::consumer_compute_seconds,
              "Time the model spent computing.")
      .def_ro("consumer_items", &PipelineStats::consumer_items)
      .def_prop_ro("bottleneck", &PipelineStats::Bottleneck)
      .def_prop_ro("verdict", &PipelineStats::Verdict)
      .def("report", &PipelineStats::Report, "A table, one stage a row, then the verdict.")
      .def("__repr__", [](const PipelineStats& s) { return "<PipelineStats " + s.Verdict() + ">"; });
}

}  // namespace brisk::python
