// Runs one op outside of any model: builds a one-node graph, infers its output types, creates
// the kernel and runs it. Used by kernel tests and by constant folding; it checks that the
// kernel's outputs agree with what shape inference promised, so every kernel test also tests
// the op's inference function.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "brisk/status.h"
#include "brisk/tensor.h"
#include "ir/attribute.h"
#include "ir/graph.h"

namespace brisk {

struct OpSpec {
  std::string op_type;
  int opset = 21;
  std::string domain;
  ir::AttributeMap attrs;
  int num_outputs = 1;
  // Which kernel runs: "" = the reference kernel; a backend name ("cpu") = that backend's
  // kernel, and an error (FailedPrecondition) if it has none or it declines the node — so a test
  // comparing a fast kernel with the reference knows the fast one really ran.
  std::string backend;
};

// `inputs[i]` nullopt = optional input absent. Inputs are treated as known constants during
// inference (as constant folding would see them) unless `inputs_are_constant` is false.
StatusOr<std::vector<Tensor>> RunOp(const OpSpec& spec, std::vector<std::optional<Tensor>> inputs,
                                    bool inputs_are_constant = true);

// Runs only the op's inference function on declared (possibly symbolic) input types — what a
// model load sees before any data exists. An input with dtype kUndefined and no shape is absent.
// `constants[i]`, when given, is input i's value known at compile time.
StatusOr<std::vector<ir::TypeInfo>> InferOp(const OpSpec& spec,
                                            std::vector<ir::TypeInfo> input_types,
                                            std::vector<std::optional<Tensor>> constants = {});

// Checks that `actual` is consistent with the inferred `type` (dtype equal, rank and known
// dims equal); the message names the output.
Status CheckAgainstInferred(const Tensor& actual, DType dtype,
                            const std::optional<SymbolicShape>& shape, std::string_view what);

}  // namespace brisk
