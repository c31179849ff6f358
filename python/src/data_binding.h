// Bindings of brisk::data (the input pipeline) for the brisk.data Python module.
#pragma once

#include <nanobind/nanobind.h>

namespace brisk::python {

// brisk._brisk.PipelineStats / StageStats (returned by predict and iterators).
void BindStats(nanobind::module_& m);
// The submodule brisk._brisk.data: Dataset, Iterator, sources, ops, AUTOTUNE.
void BindData(nanobind::module_& parent);
// brisk._brisk.Batcher (the automatic batcher).
void BindBatcher(nanobind::module_& m);

}  // namespace brisk::python
