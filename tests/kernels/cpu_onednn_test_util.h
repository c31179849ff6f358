// Shared by the cpu_onednn_*_test.cc files: run an op through the cpu (oneDNN) kernel and
// through the reference kernel, at a given thread count, and compare with a normalised error
// (max |fast - ref| / max(1, max |ref|)), the tolerance a different summation order needs.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "core/threads.h"
#include "kernels/op_runner.h"
#include "testing/tensor_testing.h"

namespace brisk::testing {

inline double NormalizedError(const Tensor& actual, const Tensor& expected) {
  double max_diff = 0, max_ref = 1;
  const float* a = actual.data<float>();
  const float* e = expected.data<float>();
  for (int64_t i = 0; i < expected.num_elements(); ++i) {
    if (std::isnan(a[i]) != std::isnan(e[i])) return INFINITY;
    max_diff = std::max(max_diff, double(std::abs(a[i] - e[i])));
    max_ref = std::max(max_ref, double(std::abs(e[i])));
  }
  return max_diff / max_ref;
}

// Runs `spec` on the cpu backend (which must accept the node) with `threads` threads and on the
// reference, and expects the outputs to agree within `tolerance`. `inputs_are_constant` false
// makes every input a run-time value for the cpu kernel (no constant weights).
inline void ExpectCpuMatchesReference(OpSpec spec, const std::vector<std::optional<Tensor>>& inputs,
                                      int threads, bool inputs_are_constant = true,
                                      double tolerance = 1e-4) {
  spec.backend = "";
  ASSERT_OK_AND_ASSIGN(std::vector<Tensor> expected, RunOp(spec, inputs));
  spec.backend = "cpu";
  std::vector<Tensor> actual;
  {
    RunScope scope(threads, /*flush_denormals=*/false);
    ASSERT_OK_AND_ASSIGN(actual, RunOp(spec, inputs, inputs_are_constant));
  }
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    ASSERT_EQ(actual[i].shape(), expected[i].shape()) << "output " << i;
    EXPECT_LE(NormalizedError(actual[i], expected[i]), tolerance)
        << spec.op_type << " output " << i << " threads " << threads;
  }
}

// Expects the cpu backend to decline the node (RunOp then reports FailedPrecondition).
inline void ExpectCpuDeclines(const OpSpec& spec, const std::vector<std::optional<Tensor>>& inputs,
                              bool inputs_are_constant = true) {
  OpSpec cpu = spec;
  cpu.backend = "cpu";
  StatusOr<std::vector<Tensor>> r = RunOp(cpu, inputs, inputs_are_constant);
  ASSERT_FALSE(r.ok()) << spec.op_type << ": the cpu kernel accepted the node";
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition) << r.status().ToString();
}

}  // namespace brisk::testing
