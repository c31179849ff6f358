// Bindings of brisk::data (the input pipeline) for the brisk.data Python module.
#pragma once

#include <nanobind/nanobind.h>

namespace brisk::python {

// brisk._brisk.PipelineStats / StageStats (returned by predict and iterators).
void BindStats(nanobind::module_& m);
// Dataset, Iterator, sources, map ops (op_*), AUTOTUNE; re-exported by brisk/data.py.
void BindData(nanobind::module_& m);
// brisk._brisk.Batcher (the automatic batcher).
void BindBatcher(nanobind::module_& m);

}  // namespace brisk::python
