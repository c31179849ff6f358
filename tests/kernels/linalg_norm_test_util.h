// Test helpers of the linalg_norm family: symbolic shape inference without running the kernel,
// and tensor conversion to/from double for naive reference loops.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "brisk/tensor.h"
#include "ir/graph.h"
#include "kernels/dispatch.h"
#include "kernels/op_runner.h"
#include "kernels/registry.h"
#include "testing/tensor_testing.h"

namespace brisk::testing {

// Runs only the inference function of (op_type, opset) on the given input types. A TypeInfo
// with dtype kUndefined and no shape stands for an absent optional input when `absent` lists it.
inline StatusOr<std::vector<ir::TypeInfo>> InferOnly(const std::string& op_type, int opset,
                                                     const ir::AttributeMap& attrs,
                                                     std::vector<std::optional<ir::TypeInfo>> ins,
                                                     int num_outputs = 1) {
  ir::Graph graph("infer");
  ir::Node* node = graph.AddNode(op_type, op_type);
  node->opset = opset;
  node->attrs = attrs;
  std::vector<ir::TypeInfo> types;
  for (size_t i = 0; i < ins.size(); ++i) {
    if (!ins[i]) {
      node->inputs.push_back(nullptr);
      types.emplace_back();
      continue;
    }
    auto v = graph.AddValue("in" + std::to_string(i));
    if (!v.ok()) return v.status();
    (*v)->type = *ins[i];
    (*v)->is_graph_input = true;
    node->inputs.push_back(*v);
    types.push_back(*ins[i]);
  }
  for (int i = 0; i < num_outputs; ++i) {
    auto v = graph.AddValue("out" + std::to_string(i));
    if (!v.ok()) return v.status();
    (*v)->producer = node;
    node->outputs.push_back(*v);
  }
  const OpDef* def = OpRegistry::Global().Find("", op_type, opset);
  if (def == nullptr) return NotFound("no definition for " + op_type);
  InferenceContext ctx(*node, types, std::vector<const Tensor*>(types.size(), nullptr));
  BRISK_RETURN_IF_ERROR(def->infer(ctx));
  return ctx.output_types();
}

// Symbolic shape from a spec like {"N", "3", "?"}.
inline SymbolicShape Sym(std::vector<std::string> dims) {
  SymbolicShape s;
  for (const std::string& d : dims) {
    if (d == "?") s.dims.push_back(Dim::Unknown());
    else if (d[0] >= '0' && d[0] <= '9') s.dims.push_back(Dim::Known(std::stoll(d)));
    else s.dims.push_back(Dim::Symbol(d));
  }
  return s;
}

// A declared type from a spec like {"N", "3", "?"} (see Sym).
inline ir::TypeInfo SpecType(DType d, std::vector<std::string> dims) { return {d, Sym(dims)}; }

// All elements as double.
inline std::vector<double> ToDoubles(const Tensor& t) {
  std::vector<double> out(size_t(t.num_elements()));
  Status s = DispatchNumeric(t.dtype(), "t", [&]<typename T>() -> Status {
    for (size_t i = 0; i < out.size(); ++i) out[i] = ToDouble(t.data<T>()[i]);
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

// A tensor of dtype `d` from doubles (rounded/truncated by FromDouble).
inline Tensor FromDoubles(DType d, Shape shape, const std::vector<double>& v) {
  Tensor t = *Tensor::Allocate(d, shape);
  Status s = DispatchNumeric(d, "t", [&]<typename T>() -> Status {
    for (size_t i = 0; i < v.size(); ++i) t.data<T>()[i] = FromDouble<T>(v[i]);
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return t;
}

// Casts a float32 tensor to `d`.
inline Tensor CastTo(const Tensor& f, DType d) { return FromDoubles(d, f.shape(), ToDoubles(f)); }

inline bool ErrorContains(const Status& s, const std::string& text) {
  return !s.ok() && s.message().find(text) != std::string::npos;
}

}  // namespace brisk::testing
