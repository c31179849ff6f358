// Fast float32 ReduceSum / ReduceMean over trailing axes (src/kernels/cpu/reduce.cc) against
// the reference: attribute and input axes, keepdims both ways, negative axes, all axes, odd and
// tile-boundary row lengths, batch 1, empty tensors, 1 and 2 threads, and what it declines.
#include <string>
#include <vector>

#include "core/threads.h"
#include "kernels/op_runner.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using testing::Attrs;
using testing::MakeTensor;
using testing::RandomFloat;

// Reduce `x` over `axes` with the reference and the cpu kernel (1 and 2 threads).
void Check(const std::string& op, int opset, const Tensor& x, std::vector<int64_t> axes,
           int keepdims) {
  SCOPED_TRACE(op + " opset " + std::to_string(opset) + " " + x.shape().ToString() +
               " keepdims=" + std::to_string(keepdims) + " axes=" + std::to_string(axes.size()));
  const int input_since = op == "ReduceSum" ? 13 : 18;
  Attrs attrs;
  attrs.Int("keepdims", keepdims);
  std::vector<std::optional<Tensor>> inputs = {x};
  if (opset >= input_since) {
    if (!axes.empty()) {
      inputs.push_back(MakeTensor<int64_t>({int64_t(axes.size())}, axes));
    }
  } else if (!axes.empty()) {
    attrs.Ints("axes", axes);
  }
  ASSERT_OK_AND_ASSIGN(auto expected,
                       RunOp({.op_type = op, .opset = opset, .attrs = attrs}, inputs));
  for (int threads : {1, 2}) {
    RunScope scope(threads, false);
    ASSERT_OK_AND_ASSIGN(auto got, RunOp({.op_type = op, .opset = opset, .attrs = attrs,
                                          .backend = "cpu"},
                                         inputs));
    // Float sums of n values in [-1, 1] that nearly cancel: absolute error grows ~sqrt(n) ulp
    // of the partial sums, whichever order each side adds in.
    EXPECT_TENSOR_NEAR(got[0], expected[0], 1e-5, 1e-4);
  }
}

TEST(CpuReduce, LastAxisEveryLength) {
  for (int64_t len : {1, 15, 16, 17, 64, 65, 768, 1000, 4099}) {
    for (int64_t rows : {1, 7, 96}) {
      const Tensor x = RandomFloat(Shape{rows, len}, uint64_t(len * rows), -1, 1);
      for (int keepdims : {0, 1}) {
        Check("ReduceMean", 18, x, {-1}, keepdims);
        Check("ReduceSum", 13, x, {1}, keepdims);
      }
    }
  }
}

TEST(CpuReduce, TrailingAxesAllAxesAndOldOpsets) {
  const Tensor x = RandomFloat(Shape{2, 3, 17, 9}, 5, -2, 2);
  for (int keepdims : {0, 1}) {
    Check("ReduceMean", 18, x, {2, 3}, keepdims);
    Check("ReduceMean", 18, x, {-1, 1, 2}, keepdims);
    Check("ReduceMean", 13, x, {-2, -1}, keepdims);  // attribute axes
    Check("ReduceMean", 18, x, {}, keepdims);        // no axes: everything
    Check("ReduceSum", 13, x, {}, keepdims);
    Check("ReduceSum", 11, x, {3}, keepdims);
    Check("ReduceSum", 11, x, {0, 1, 2, 3}, keepdims);
  }
  // Big enough for two threads; BERT hidden-size rows.
  Check("ReduceMean", 18, RandomFloat(Shape{32, 128, 768}, 6), {-1}, 1);
  Check("ReduceSum", 13, RandomFloat(Shape{1, 64, 56, 56}, 7), {2, 3}, 0);
}

TEST(CpuReduce, Empty) {
  Check("ReduceSum", 13, RandomFloat(Shape{0, 5}, 1), {1}, 1);
  Check("ReduceSum", 13, RandomFloat(Shape{4, 0}, 1), {1}, 0);  // sums of nothing: 0
}

TEST(CpuReduce, Declines) {
  const Tensor x = RandomFloat(Shape{2, 3, 4}, 1);
  auto run = [&](const std::string& op, int opset, ir::AttributeMap attrs,
                 std::vector<std::optional<Tensor>> inputs, bool constant = true) {
    return RunOp({.op_type = op, .opset = opset, .attrs = attrs, .backend = "cpu"}, inputs,
                 constant)
        .ok();
  };
  EXPECT_FALSE(run("ReduceMean", 18, {}, {x, MakeTensor<int64_t>({1}, {1})}));  // middle axis
  EXPECT_FALSE(run("ReduceMean", 18, {}, {x, MakeTensor<int64_t>({2}, {0, 2})}));
  EXPECT_FALSE(run("ReduceSum", 13, Attrs().Int("noop_with_empty_axes", 1), {x}));
  EXPECT_FALSE(run("ReduceSum", 13, {}, {x, MakeTensor<int64_t>({1}, {2})}, false));
  EXPECT_FALSE(run("ReduceSum", 13, {}, {MakeTensor<int32_t>({2}, {1, 2})}));
}

}  // namespace
}  // namespace brisk
