// Symbolic values of small int64 "shape tensors" during inference (ONNX calls this data
// propagation): Shape(x) of an input [N, 3, 224] is the value [N, 3, 224] even though N is not
// known, and Gather/Concat/Slice/Unsqueeze/Squeeze/Cast/Identity over such values keep them.
// Reshape, Expand and ConstantOfShape read them, so a symbolic batch dim survives exporter
// shape chains at load time, before any concrete shape is known.
#pragma once

#include <optional>
#include <vector>

#include "brisk/shape.h"
#include "brisk/tensor.h"
#include "ir/graph.h"
#include "kernels/registry.h"

namespace brisk {

// The elements of a constant integer tensor of rank <= 1 with at most a few elements.
std::optional<SymbolicValue> SymbolicValueOfConstant(const Tensor& t);

// The symbolic value of `node`'s output 0, from what is known of its inputs, or nullopt.
std::optional<SymbolicValue> PropagateSymbolicValue(
    const ir::Node& node, const std::vector<ir::TypeInfo>& input_types,
    const std::vector<const SymbolicValue*>& input_values);

}  // namespace brisk
