// Every registered op has an inference function and a kernel, and no two registrations of an op
// claim the same opset (which one would win would depend on link order).
#include "kernels/registry.h"

#include <gtest/gtest.h>

#include <map>

namespace brisk {
namespace {

TEST(RegistryTest, EveryOpHasInferenceAndKernel) {
  const auto& defs = OpRegistry::Global().defs();
  ASSERT_GT(defs.size(), 150u) << "kernels did not self-register (whole-archive link broken?)";
  for (const OpDef& d : defs) {
    EXPECT_TRUE(bool(d.create)) << d.op_type << " (" << d.file << ") has no kernel";
    EXPECT_LE(d.since, d.until) << d.op_type << " (" << d.file << ")";
    if (d.backend == kReferenceBackend) {
      EXPECT_TRUE(bool(d.infer)) << d.op_type << " (" << d.file << ") has no inference function";
    } else {
      // A fast kernel needs the reference definition (inference + oracle) at every opset it
      // claims; checked at its first and last opset.
      EXPECT_NE(OpRegistry::Global().Find(d.domain, d.op_type, d.since), nullptr)
          << d.backend << " kernel for " << d.op_type << " (" << d.file
          << ") has no reference definition at opset " << d.since;
      const int last = d.until == kMaxOpset ? d.since : d.until;
      EXPECT_NE(OpRegistry::Global().Find(d.domain, d.op_type, last), nullptr)
          << d.backend << " kernel for " << d.op_type << " (" << d.file
          << ") has no reference definition at opset " << last;
    }
  }
}

TEST(RegistryTest, OpsetRangesOfOneOpDoNotOverlap) {
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<const OpDef*>> by_op;
  for (const OpDef& d : OpRegistry::Global().defs()) {
    by_op[{d.backend, d.domain == "ai.onnx" ? "" : d.domain, d.op_type}].push_back(&d);
  }
  for (const auto& [key, defs] : by_op) {
    for (size_t i = 0; i < defs.size(); ++i) {
      for (size_t j = i + 1; j < defs.size(); ++j) {
        const OpDef& a = *defs[i];
        const OpDef& b = *defs[j];
        if (a.since == b.since) {
          ADD_FAILURE() << std::get<2>(key) << " is registered twice from opset " << a.since << " ("
                        << a.file << ", " << b.file << ")";
        }
      }
    }
  }
}

TEST(RegistryTest, CommonModelOpsAreCovered) {
  // Ops of torchvision classifiers, transformer encoders and recurrent models (issue #2).
  const char* ops[] = {"Conv", "BatchNormalization", "Relu", "Clip", "MaxPool", "AveragePool",
                       "GlobalAveragePool", "Flatten", "Gemm", "MatMul", "Add", "Mul", "Div",
                       "Sub", "Softmax", "LayerNormalization", "Erf", "Sqrt", "Pow",
                       "ReduceMean", "Transpose", "Reshape", "Shape", "Gather", "Concat",
                       "Unsqueeze", "Squeeze", "Slice", "Where", "Equal", "Expand", "Cast",
                       "ConstantOfShape", "LSTM", "GRU", "RNN", "Tanh", "Sigmoid", "HardSwish",
                       "Resize", "Einsum", "If", "Loop", "Scan", "QuantizeLinear",
                       "DequantizeLinear", "Range", "Split", "Pad", "TopK", "CumSum"};
  for (const char* op : ops) {
    EXPECT_NE(OpRegistry::Global().Find("", op, 17), nullptr) << op << " missing at opset 17";
  }
}

}  // namespace
}  // namespace brisk
