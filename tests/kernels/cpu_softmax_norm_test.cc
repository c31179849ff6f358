// Fast float32 Softmax / LayerNormalization / BatchNormalization CPU kernels
// (src/kernels/cpu/softmax_norm.cc) against the reference kernels: every axis, odd and
// tile-boundary row lengths, batch 1, empty tensors, 1 and 2 threads, what they decline, and
// the row microkernels of every ISA variant this CPU supports.
#include <string>
#include <vector>

#include "core/threads.h"
#include "kernels/cpu/ukernels/f32_rows.h"
#include "kernels/op_runner.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using testing::Attrs;
using testing::MakeTensor;
using testing::RandomFloat;

// Softmax tolerance 1e-5: the reference sums a row in float sequentially (error ~sqrt(n) ulp).
const std::vector<int64_t> kLens = {1, 15, 16, 17, 33, 768, 1000, 4099};

// Runs `spec` on the reference and the cpu backend with 1 and 2 threads; compares output 0..k.
void CheckAgainstReference(const OpSpec& spec, const std::vector<std::optional<Tensor>>& inputs,
                           double rtol, double atol, bool inputs_constant = true) {
  OpSpec ref = spec;
  ref.backend = "";
  ASSERT_OK_AND_ASSIGN(std::vector<Tensor> expected, RunOp(ref, inputs, inputs_constant));
  for (int threads : {1, 2}) {
    SCOPED_TRACE("threads=" + std::to_string(threads));
    RunScope scope(threads, false);
    OpSpec fast = spec;
    fast.backend = "cpu";
    ASSERT_OK_AND_ASSIGN(std::vector<Tensor> got, RunOp(fast, inputs, inputs_constant));
    ASSERT_EQ(got.size(), expected.size());
    for (size_t i = 0; i < got.size(); ++i) EXPECT_TENSOR_NEAR(got[i], expected[i], rtol, atol);
  }
}

TEST(CpuSoftmax, LastAxisRows) {
  for (int64_t len : kLens) {
    for (int64_t rows : {int64_t(1), int64_t(3), int64_t(64)}) {
      SCOPED_TRACE("rows=" + std::to_string(rows) + " len=" + std::to_string(len));
      const Tensor x = RandomFloat(Shape{rows, len}, uint64_t(len + rows), -8, 8);
      CheckAgainstReference({.op_type = "Softmax", .opset = 13}, {x}, 1e-5, 1e-9);
    }
  }
}

TEST(CpuSoftmax, EveryAxisOpset13) {
  const Shape shape{3, 17, 5, 16};
  const Tensor x = RandomFloat(shape, 9, -6, 6);
  for (int64_t axis = -4; axis < 4; ++axis) {
    SCOPED_TRACE("axis=" + std::to_string(axis));
    CheckAgainstReference({.op_type = "Softmax", .opset = 13, .attrs = Attrs().Int("axis", axis)},
                          {x}, 1e-5, 1e-9);
  }
  // Big enough for two threads, strided (attention-style [B, H, S, S] along axis 2).
  const Tensor big = RandomFloat(Shape{2, 4, 64, 65}, 3, -6, 6);
  CheckAgainstReference({.op_type = "Softmax", .opset = 13, .attrs = Attrs().Int("axis", 2)},
                        {big}, 2e-6, 1e-9);
}

TEST(CpuSoftmax, Opset11FlattensAtAxis) {
  const Tensor x = RandomFloat(Shape{2, 3, 4, 5}, 4, -6, 6);
  for (int64_t axis : {0, 1, 2, 3, -1}) {
    SCOPED_TRACE("axis=" + std::to_string(axis));
    CheckAgainstReference({.op_type = "Softmax", .opset = 11, .attrs = Attrs().Int("axis", axis)},
                          {x}, 1e-5, 1e-9);
  }
  CheckAgainstReference({.op_type = "Softmax", .opset = 1}, {x}, 1e-5, 1e-9);  // axis 1
}

TEST(CpuSoftmax, EmptyAndLargeMagnitudes) {
  CheckAgainstReference({.op_type = "Softmax", .opset = 13}, {RandomFloat(Shape{0, 7}, 1)}, 0, 0);
  CheckAgainstReference({.op_type = "Softmax", .opset = 13}, {RandomFloat(Shape{3, 0}, 1)}, 0, 0);
  // Large logits: only the max subtraction keeps exp finite.
  CheckAgainstReference({.op_type = "Softmax", .opset = 13},
                        {RandomFloat(Shape{4, 100}, 2, 500, 1000)}, 2e-6, 1e-9);
}

TEST(CpuSoftmax, Declines) {
  const Tensor i = MakeTensor<int32_t>({2}, {1, 2});
  EXPECT_FALSE(RunOp({.op_type = "Softmax", .opset = 13, .backend = "cpu"}, {i}).ok());
  EXPECT_FALSE(RunOp({.op_type = "Softmax", .opset = 13, .attrs = Attrs().Int("axis", 5),
                      .backend = "cpu"},
                     {RandomFloat(Shape{2, 3}, 1)})
                   .ok());
}

// ---- LayerNormalization --------------------------------------------------------------------

TEST(CpuLayerNorm, LastAxisWithAndWithoutBias) {
  for (int64_t len : kLens) {
    for (int64_t rows : {int64_t(1), int64_t(5), int64_t(80)}) {
      SCOPED_TRACE("rows=" + std::to_string(rows) + " len=" + std::to_string(len));
      // Rows offset from zero: the two-pass variance must not cancel.
      const Tensor x = RandomFloat(Shape{rows, len}, uint64_t(len), 3, 5);
      const Tensor g = RandomFloat(Shape{len}, 2, 0.5, 1.5);
      const Tensor b = RandomFloat(Shape{len}, 3, -1, 1);
      CheckAgainstReference({.op_type = "LayerNormalization", .opset = 17}, {x, g, b}, 1e-5, 2e-5);
      CheckAgainstReference({.op_type = "LayerNormalization", .opset = 17}, {x, g, std::nullopt},
                            1e-5, 2e-5);
    }
  }
}

TEST(CpuLayerNorm, TrailingBlockAxisAndStatistics) {
  const Tensor x = RandomFloat(Shape{2, 3, 4, 5}, 7, -2, 2);
  for (int64_t axis : {1, 2, -1, 0}) {
    SCOPED_TRACE("axis=" + std::to_string(axis));
    Shape ps;
    const int a = axis < 0 ? int(axis) + 4 : int(axis);
    for (int i = a; i < 4; ++i) ps.mutable_dims().push_back(x.dim(i));
    const Tensor g = RandomFloat(ps, 8, 0.5, 1.5), b = RandomFloat(ps, 9, -1, 1);
    CheckAgainstReference({.op_type = "LayerNormalization", .opset = 17,
                           .attrs = Attrs().Int("axis", axis).Float("epsilon", 1e-3f),
                           .num_outputs = 3},
                          {x, g, b}, 1e-5, 2e-5);
  }
  // BERT-sized, two threads share the rows.
  const Tensor big = RandomFloat(Shape{4, 128, 768}, 5, -3, 3);
  CheckAgainstReference({.op_type = "LayerNormalization", .opset = 17, .num_outputs = 3},
                        {big, RandomFloat(Shape{768}, 1), RandomFloat(Shape{768}, 2)}, 1e-5, 2e-5);
  CheckAgainstReference({.op_type = "LayerNormalization", .opset = 17},
                        {RandomFloat(Shape{0, 8}, 1), RandomFloat(Shape{8}, 1),
                         RandomFloat(Shape{8}, 2)},
                        0, 0);
}

TEST(CpuLayerNorm, Declines) {
  const Tensor x = RandomFloat(Shape{2, 3, 4}, 1);
  // Scale broadcast over the normalized block ([1, 4] for [3, 4]) is left to the reference.
  EXPECT_FALSE(RunOp({.op_type = "LayerNormalization", .opset = 17, .attrs = Attrs().Int("axis", 1),
                      .backend = "cpu"},
                     {x, RandomFloat(Shape{1, 4}, 2)})
                   .ok());
  EXPECT_FALSE(RunOp({.op_type = "LayerNormalization", .opset = 17,
                      .attrs = Attrs().Int("stash_type", 11), .backend = "cpu"},
                     {x, RandomFloat(Shape{4}, 2)})
                   .ok());
}

// ---- BatchNormalization --------------------------------------------------------------------

std::vector<std::optional<Tensor>> BnInputs(const Shape& x_shape, uint64_t seed) {
  const int64_t c = x_shape[1];
  return {RandomFloat(x_shape, seed, -3, 3), RandomFloat(Shape{c}, seed + 1, 0.5, 1.5),
          RandomFloat(Shape{c}, seed + 2, -1, 1), RandomFloat(Shape{c}, seed + 3, -1, 1),
          RandomFloat(Shape{c}, seed + 4, 0.1, 2)};
}

TEST(CpuBatchNorm, InferenceMatchesReference) {
  const std::vector<Shape> shapes = {Shape{1, 3, 7, 7},   Shape{2, 16, 5, 5}, Shape{1, 1, 17},
                                     Shape{4, 5},         Shape{1, 32, 56, 56}, Shape{0, 3, 4, 4},
                                     Shape{2, 3, 2, 3, 5}};
  uint64_t seed = 10;
  for (const Shape& s : shapes) {
    for (int opset : {7, 9, 15}) {
      SCOPED_TRACE(s.ToString() + " opset " + std::to_string(opset));
      CheckAgainstReference({.op_type = "BatchNormalization", .opset = opset,
                             .attrs = Attrs().Float("epsilon", 1e-3f)},
                            BnInputs(s, seed), 1e-5, 1e-5);
    }
    seed += 10;
  }
}

TEST(CpuBatchNorm, Declines) {
  auto inputs = BnInputs(Shape{2, 3, 4}, 1);
  EXPECT_FALSE(RunOp({.op_type = "BatchNormalization", .opset = 15,
                      .attrs = Attrs().Int("training_mode", 1), .backend = "cpu"},
                     inputs)
                   .ok());
  // Parameters not known at create time.
  EXPECT_FALSE(
      RunOp({.op_type = "BatchNormalization", .opset = 15, .backend = "cpu"}, inputs, false).ok());
}

// ---- Row microkernels of every ISA ---------------------------------------------------------

TEST(CpuRowsUkernels, EveryIsaVariantMatchesReference) {
  const auto variants = ukernels::F32RowsVariants();
  ASSERT_FALSE(variants.empty());
  EXPECT_EQ(ukernels::ActiveF32Rows().isa, ActiveIsa());
  for (const auto* uk : variants) {
    for (int64_t len : kLens) {
      SCOPED_TRACE(std::string(IsaName(uk->isa)) + " len=" + std::to_string(len));
      const int64_t rows = 3;
      const Tensor x = RandomFloat(Shape{rows, len}, uint64_t(len), -5, 5);
      Tensor y = *Tensor::Allocate(DType::kFloat32, x.shape());
      // Softmax rows.
      uk->softmax_rows(x.data<float>(), y.data<float>(), rows, len);
      ASSERT_OK_AND_ASSIGN(auto sm, RunOp({.op_type = "Softmax", .opset = 13}, {x}));
      EXPECT_TENSOR_NEAR(y, sm[0], 1e-5, 1e-9);
      // Softmax along axis 0 of [rows, len] = strided with inner = len.
      std::vector<float> scratch(static_cast<size_t>(2 * len));
      uk->softmax_strided(x.data<float>(), y.data<float>(), rows, len, scratch.data());
      ASSERT_OK_AND_ASSIGN(auto sm0, RunOp({.op_type = "Softmax", .opset = 13,
                                            .attrs = Attrs().Int("axis", 0)},
                                           {x}));
      EXPECT_TENSOR_NEAR(y, sm0[0], 2e-6, 1e-9);
      // LayerNorm rows with statistics.
      const Tensor g = RandomFloat(Shape{len}, 4, 0.5, 1.5), b = RandomFloat(Shape{len}, 5);
      Tensor mean = *Tensor::Allocate(DType::kFloat32, Shape{rows, 1});
      Tensor inv = *Tensor::Allocate(DType::kFloat32, Shape{rows, 1});
      uk->layernorm_rows(x.data<float>(), y.data<float>(), rows, len, g.data<float>(),
                         b.data<float>(), 1e-5f, mean.data<float>(), inv.data<float>());
      ASSERT_OK_AND_ASSIGN(auto ln, RunOp({.op_type = "LayerNormalization", .opset = 17,
                                           .num_outputs = 3},
                                          {x, g, b}));
      EXPECT_TENSOR_NEAR(y, ln[0], 1e-5, 2e-5);
      EXPECT_TENSOR_NEAR(mean, ln[1], 1e-5, 2e-6);
      EXPECT_TENSOR_NEAR(inv, ln[2], 1e-5, 1e-6);
      // Row sums (scale 1/len = mean).
      Tensor sums = *Tensor::Allocate(DType::kFloat32, Shape{rows});
      uk->sum_rows(x.data<float>(), sums.data<float>(), rows, len, 1.f / float(len));
      ASSERT_OK_AND_ASSIGN(auto rm, RunOp({.op_type = "ReduceMean", .opset = 18,
                                           .attrs = Attrs().Int("keepdims", 0)},
                                          {x, MakeTensor<int64_t>({1}, {1})}));
      EXPECT_TENSOR_NEAR(sums, rm[0], 1e-5, 1e-6);
    }
  }
}

}  // namespace
}  // namespace brisk
