// Tests of QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear. The *OrtTest cases use
// values computed once with onnxruntime 1.31 or onnx.reference (named above each case).
#include <cmath>

#include "ir/graph.h"
#include "kernels/op_runner.h"
#include "kernels/registry.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using testing::Attrs;
using testing::ExpectErrorContains;
using testing::K;
using testing::MakeFloat16Tensor;
using testing::MakeTensor;
using testing::Sym;
using testing::Type;

// Compares every output with values computed by onnxruntime.
void CheckOp(const OpSpec& spec, const std::vector<std::optional<Tensor>>& inputs,
            const std::vector<Tensor>& expected) {
  testing::ExpectOpOutputs(spec, inputs, expected, 1e-6, 1e-7);
}

// Expected values from onnxruntime.
TEST(QuantizeOrtTest, PerTensorUint8TiesAndSaturation) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<float>({10}, {
      -2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 1000.f, -1000.f, 0.49000001f, 3.7f}));
  inputs.push_back(MakeTensor<float>({}, {1.f}));
  inputs.push_back(MakeTensor<uint8_t>({}, {128}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<uint8_t>({10}, {
      126, 126, 128, 128, 130, 130, 255, 0, 128, 132}));
  CheckOp({.op_type = "QuantizeLinear",
           .opset = 10,
           .attrs = Attrs(),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnxruntime.
TEST(QuantizeOrtTest, PerTensorInt8Scaled) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<float>({10}, {
      -2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 1000.f, -1000.f, 0.49000001f, 3.7f}));
  inputs.push_back(MakeTensor<float>({}, {0.5f}));
  inputs.push_back(MakeTensor<int8_t>({}, {-3}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<int8_t>({10}, {-8, -6, -4, -2, 0, 2, 127, -128, -2, 4}));
  CheckOp({.op_type = "QuantizeLinear",
           .opset = 13,
           .attrs = Attrs(),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnxruntime.
TEST(QuantizeOrtTest, NoZeroPointIsUint8) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<float>({10}, {
      -2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 1000.f, -1000.f, 0.49000001f, 3.7f}));
  inputs.push_back(MakeTensor<float>({}, {2.f}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<uint8_t>({10}, {0, 0, 0, 0, 1, 1, 255, 0, 0, 2}));
  CheckOp({.op_type = "QuantizeLinear",
           .opset = 13,
           .attrs = Attrs(),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnxruntime.
TEST(QuantizeOrtTest, PerAxisInt8) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<float>({2, 3, 2}, {
      -4.1440001f, -2.632f, 3.013f, 0.82200003f, -4.059f, -0.66900003f, -0.20900001f,
      -3.4030001f, 2.346f, -3.8629999f, -1.0880001f, 0.167f}));
  inputs.push_back(MakeTensor<float>({3}, {0.1f, 0.050000001f, 0.2f}));
  inputs.push_back(MakeTensor<int8_t>({3}, {1, -2, 0}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<int8_t>({2, 3, 2}, {
      -40, -25, 58, 14, -20, -3, -1, -33, 45, -79, -5, 1}));
  CheckOp({.op_type = "QuantizeLinear",
           .opset = 13,
           .attrs = Attrs().Int("axis", 1),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnxruntime.
TEST(QuantizeOrtTest, PerAxisNegativeAxisUint8) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<float>({2, 3, 2}, {
      -4.1440001f, -2.632f, 3.013f, 0.82200003f, -4.059f, -0.66900003f, -0.20900001f,
      -3.4030001f, 2.346f, -3.8629999f, -1.0880001f, 0.167f}));
  inputs.push_back(MakeTensor<float>({2}, {0.029999999f, 0.07f}));
  inputs.push_back(MakeTensor<uint8_t>({2}, {100, 20}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<uint8_t>({2, 3, 2}, {
      0, 0, 200, 32, 0, 10, 93, 0, 178, 0, 64, 22}));
  CheckOp({.op_type = "QuantizeLinear",
           .opset = 19,
           .attrs = Attrs().Int("axis", -1),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnxruntime.
TEST(QuantizeOrtTest, Int16) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<float>({2, 3, 2}, {
      -4144.f, -2632.f, 3013.f, 822.f, -4059.f, -669.f, -209.f, -3403.f, 2346.f, -3863.f,
      -1088.f, 167.f}));
  inputs.push_back(MakeTensor<float>({}, {0.0099999998f}));
  inputs.push_back(MakeTensor<int16_t>({}, {-7}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<int16_t>({2, 3, 2}, {
      -32768, -32768, 32767, 32767, -32768, -32768, -20907, -32768, 32767, -32768, -32768,
      16693}));
  CheckOp({.op_type = "QuantizeLinear",
           .opset = 21,
           .attrs = Attrs(),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnx.reference.
TEST(QuantizeOrtTest, Uint16OutputDtype) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<float>({2, 3, 2}, {
      -4.1440001f, -2.632f, 3.013f, 0.82200003f, -4.059f, -0.66900003f, -0.20900001f,
      -3.4030001f, 2.346f, -3.8629999f, -1.0880001f, 0.167f}));
  inputs.push_back(MakeTensor<float>({}, {0.001f}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<uint16_t>({2, 3, 2}, {
      0, 0, 3013, 822, 0, 0, 0, 0, 2346, 0, 0, 167}));
  CheckOp({.op_type = "QuantizeLinear",
           .opset = 21,
           .attrs = Attrs().Int("output_dtype", 4),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnx.reference.
TEST(QuantizeOrtTest, Blocked) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<float>({2, 3, 2}, {
      -4.1440001f, -2.632f, 3.013f, 0.82200003f, -4.059f, -0.66900003f, -0.20900001f,
      -3.4030001f, 2.346f, -3.8629999f, -1.0880001f, 0.167f}));
  inputs.push_back(MakeTensor<float>({2, 2, 2}, {
      0.1f, 0.2f, 0.30000001f, 0.40000001f, 0.050000001f, 0.059999999f, 0.07f, 0.079999998f}));
  inputs.push_back(MakeTensor<int8_t>({2, 2, 2}, {1, 2, 3, 4, -1, -2, -3, -4}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<int8_t>({2, 3, 2}, {
      -40, -11, 31, 6, -11, 2, -5, -59, 46, -66, -19, -2}));
  CheckOp({.op_type = "QuantizeLinear",
           .opset = 21,
           .attrs = Attrs().Int("axis", 1).Int("block_size", 2),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnxruntime.
TEST(QuantizeOrtTest, Float16Input) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeFloat16Tensor({2, 3, 2}, {
      -4.1445312f, -2.6328125f, 3.0136719f, 0.82177734f, -4.0585938f, -0.66894531f,
      -0.20898438f, -3.4023438f, 2.3457031f, -3.8632812f, -1.0878906f, 0.16699219f}));
  inputs.push_back(MakeFloat16Tensor({}, {0.25f}));
  inputs.push_back(MakeTensor<uint8_t>({}, {10}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<uint8_t>({2, 3, 2}, {0, 0, 22, 13, 0, 7, 9, 0, 19, 0, 6, 11}));
  CheckOp({.op_type = "QuantizeLinear",
           .opset = 19,
           .attrs = Attrs(),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnx.reference.
TEST(QuantizeOrtTest, Int32Input) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<int32_t>({6}, {-300, -5, 0, 7, 12, 400}));
  inputs.push_back(MakeTensor<float>({}, {2.f}));
  inputs.push_back(MakeTensor<int8_t>({}, {1}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<int8_t>({6}, {-128, -1, 1, 5, 7, 127}));
  CheckOp({.op_type = "QuantizeLinear",
           .opset = 13,
           .attrs = Attrs(),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnxruntime.
TEST(DequantizeOrtTest, PerTensorUint8) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<uint8_t>({6}, {0, 1, 127, 128, 200, 255}));
  inputs.push_back(MakeTensor<float>({}, {0.5f}));
  inputs.push_back(MakeTensor<uint8_t>({}, {128}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<float>({6}, {-64.f, -63.5f, -0.5f, 0.f, 36.f, 63.5f}));
  CheckOp({.op_type = "DequantizeLinear",
           .opset = 10,
           .attrs = Attrs(),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnxruntime.
TEST(DequantizeOrtTest, PerTensorNoZeroPoint) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<int8_t>({5}, {-128, -1, 0, 5, 127}));
  inputs.push_back(MakeTensor<float>({}, {0.1f}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<float>({5}, {-12.8f, -0.1f, 0.f, 0.5f, 12.7f}));
  CheckOp({.op_type = "DequantizeLinear",
           .opset = 13,
           .attrs = Attrs(),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnxruntime.
TEST(DequantizeOrtTest, PerAxisInt8) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<int8_t>({2, 3, 2}, {
      -21, -18, 42, 22, -84, 60, 65, 116, 73, -56, -47, 38}));
  inputs.push_back(MakeTensor<float>({3}, {0.1f, 0.050000001f, 0.2f}));
  inputs.push_back(MakeTensor<int8_t>({3}, {1, -2, 0}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<float>({2, 3, 2}, {
      -2.2f, -1.9f, 2.2f, 1.2f, -16.800001f, 12.f, 6.4000001f, 11.5f, 3.75f, -2.7f,
      -9.4000006f, 7.5999999f}));
  CheckOp({.op_type = "DequantizeLinear",
           .opset = 13,
           .attrs = Attrs().Int("axis", 1),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnxruntime.
TEST(DequantizeOrtTest, Int32) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<int32_t>({5}, {-1000000, -3, 0, 9, 2147483647}));
  inputs.push_back(MakeTensor<float>({}, {0.001f}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<float>({5}, {
      -1000.0001f, -0.003f, 0.f, 0.0090000005f, 2147483.8f}));
  CheckOp({.op_type = "DequantizeLinear",
           .opset = 13,
           .attrs = Attrs(),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnxruntime.
TEST(DequantizeOrtTest, Int16) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<int16_t>({5}, {-32768, -3, 0, 9, 32767}));
  inputs.push_back(MakeTensor<float>({}, {0.0099999998f}));
  inputs.push_back(MakeTensor<int16_t>({}, {-5}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<float>({5}, {
      -327.63f, 0.02f, 0.049999997f, 0.14f, 327.72f}));
  CheckOp({.op_type = "DequantizeLinear",
           .opset = 21,
           .attrs = Attrs(),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnxruntime.
TEST(DequantizeOrtTest, Uint16) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<uint16_t>({3}, {0, 3, 65535}));
  inputs.push_back(MakeTensor<float>({}, {0.5f}));
  inputs.push_back(MakeTensor<uint16_t>({}, {7}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<float>({3}, {-3.5f, -2.f, 32764.f}));
  CheckOp({.op_type = "DequantizeLinear",
           .opset = 21,
           .attrs = Attrs(),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnxruntime.
TEST(DequantizeOrtTest, Float16Scale) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<int8_t>({2, 6}, {
      -21, -18, 42, 22, -84, 60, 65, 116, 73, -56, -47, 38}));
  inputs.push_back(MakeFloat16Tensor({2}, {0.125f, 0.5f}));
  inputs.push_back(MakeTensor<int8_t>({2}, {3, -3}));
  std::vector<Tensor> expected;
  expected.push_back(MakeFloat16Tensor({2, 6}, {
      -3.f, -2.625f, 4.875f, 2.375f, -10.875f, 7.125f, 34.f, 59.5f, 38.f, -26.5f, -22.f,
      20.5f}));
  CheckOp({.op_type = "DequantizeLinear",
           .opset = 19,
           .attrs = Attrs().Int("axis", 0),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnx.reference.
TEST(DequantizeOrtTest, Blocked) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<uint8_t>({2, 2, 5}, {
      166, 178, 222, 74, 240, 0, 19, 249, 241, 76, 35, 80, 11, 228, 169, 149, 62, 120, 48,
      197}));
  inputs.push_back(MakeTensor<float>({2, 2, 3}, {
      0.1f, 0.2f, 0.30000001f, 0.40000001f, 0.5f, 0.60000002f, 1.f, 2.f, 3.f, 4.f, 5.f, 6.f}));
  inputs.push_back(MakeTensor<uint8_t>({2, 2, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<float>({2, 2, 5}, {
      16.5f, 17.700001f, 44.f, 14.400001f, 71.100006f, -1.6f, 6.f, 122.f, 118.f, 42.f, 28.f,
      73.f, 6.f, 440.f, 480.f, 556.f, 208.f, 545.f, 185.f, 1110.f}));
  CheckOp({.op_type = "DequantizeLinear",
           .opset = 21,
           .attrs = Attrs().Int("axis", 2).Int("block_size", 2),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnxruntime.
TEST(DynamicQuantizeOrtTest, Mixed) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<float>({3, 4}, {
      -2.757f, 2.6559999f, -0.0060000001f, -2.273f, 2.2839999f, 4.4520001f, -1.342f,
      2.0409999f, -0.61500001f, 2.934f, 2.777f, -1.25f}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<uint8_t>({3, 4}, {
      0, 192, 98, 18, 179, 255, 51, 170, 76, 202, 196, 54}));
  expected.push_back(MakeTensor<float>({}, {0.028270589f}));
  expected.push_back(MakeTensor<uint8_t>({}, {98}));
  CheckOp({.op_type = "DynamicQuantizeLinear",
           .opset = 11,
           .attrs = Attrs(),
           .num_outputs = 3},
          inputs, expected);
}

// Expected values from onnxruntime.
TEST(DynamicQuantizeOrtTest, AllPositive) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<float>({4}, {0.5f, 1.25f, 7.5f, 3.f}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<uint8_t>({4}, {17, 42, 255, 102}));
  expected.push_back(MakeTensor<float>({}, {0.029411765f}));
  expected.push_back(MakeTensor<uint8_t>({}, {0}));
  CheckOp({.op_type = "DynamicQuantizeLinear",
           .opset = 11,
           .attrs = Attrs(),
           .num_outputs = 3},
          inputs, expected);
}

// Expected values from onnxruntime.
TEST(DynamicQuantizeOrtTest, AllNegative) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<float>({3}, {-0.5f, -1.25f, -7.5f}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<uint8_t>({3}, {238, 213, 0}));
  expected.push_back(MakeTensor<float>({}, {0.029411765f}));
  expected.push_back(MakeTensor<uint8_t>({}, {255}));
  CheckOp({.op_type = "DynamicQuantizeLinear",
           .opset = 11,
           .attrs = Attrs(),
           .num_outputs = 3},
          inputs, expected);
}

// Expected values from onnxruntime.
TEST(DynamicQuantizeOrtTest, AllZero) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<float>({2}, {0.f, 0.f}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<uint8_t>({2}, {0, 0}));
  expected.push_back(MakeTensor<float>({}, {1.f}));
  expected.push_back(MakeTensor<uint8_t>({}, {0}));
  CheckOp({.op_type = "DynamicQuantizeLinear",
           .opset = 11,
           .attrs = Attrs(),
           .num_outputs = 3},
          inputs, expected);
}

// ---- Hand-checked cases, edge cases, errors ------------------------------------------------

TEST(QuantizeTest, RoundsHalfToEvenAndSaturates) {
  auto out = RunOp({.op_type = "QuantizeLinear", .opset = 13},
                   {MakeTensor<float>({6}, {0.5f, 1.5f, 2.5f, -0.5f, 300.f, -1.f}),
                    MakeTensor<float>({}, {1.f}), MakeTensor<uint8_t>({}, {0})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<uint8_t>({6}, {0, 2, 2, 0, 255, 0}));
}

TEST(QuantizeTest, EmptyTensor) {
  auto out = RunOp({.op_type = "QuantizeLinear", .opset = 13, .attrs = Attrs().Int("axis", 0)},
                   {*Tensor::Zeros(DType::kFloat32, {2, 0}), MakeTensor<float>({2}, {1.f, 2.f}),
                    MakeTensor<int8_t>({2}, {0, 0})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({2, 0}));
  EXPECT_EQ((*out)[0].dtype(), DType::kInt8);
}

TEST(QuantizeTest, DequantizeRoundTrip) {
  Tensor x = testing::RandomFloat({4, 5}, 9, -2.f, 2.f);
  auto q = RunOp({.op_type = "QuantizeLinear", .opset = 21, .attrs = Attrs().Int("axis", 0)},
                 {x, MakeTensor<float>({4}, {0.02f, 0.025f, 0.03f, 0.04f}),
                  MakeTensor<int8_t>({4}, {0, 1, -1, 2})});
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  auto d = RunOp({.op_type = "DequantizeLinear", .opset = 21, .attrs = Attrs().Int("axis", 0)},
                 {(*q)[0], MakeTensor<float>({4}, {0.02f, 0.025f, 0.03f, 0.04f}),
                  MakeTensor<int8_t>({4}, {0, 1, -1, 2})});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_TENSOR_NEAR((*d)[0], x, 0, 0.0201);
}

TEST(QuantizeTest, Errors) {
  Tensor x = MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  // Per-axis scale of the wrong length.
  ExpectErrorContains(RunOp({.op_type = "QuantizeLinear", .opset = 13},
                            {x, MakeTensor<float>({2}, {1, 1}), MakeTensor<uint8_t>({2}, {0, 0})}),
                      {"y_scale"});
  // Per-axis scale before opset 13.
  ExpectErrorContains(RunOp({.op_type = "QuantizeLinear", .opset = 10},
                            {x, MakeTensor<float>({3}, {1, 1, 1})}),
                      {"y_scale"});
  // Axis out of range.
  ExpectErrorContains(
      RunOp({.op_type = "QuantizeLinear", .opset = 13, .attrs = Attrs().Int("axis", 2)},
            {x, MakeTensor<float>({3}, {1, 1, 1})}),
      {"axis"});
  // Zero point shape differs from the scale's.
  ExpectErrorContains(RunOp({.op_type = "QuantizeLinear", .opset = 13},
                            {x, MakeTensor<float>({3}, {1, 1, 1}), MakeTensor<uint8_t>({}, {0})}),
                      {"y_zero_point"});
  // Bad block shape and negative block size.
  ExpectErrorContains(
      RunOp({.op_type = "QuantizeLinear", .opset = 21, .attrs = Attrs().Int("block_size", 2)},
            {x, MakeTensor<float>({2, 1}, {1, 1})}),
      {"block_size"});
  ExpectErrorContains(
      RunOp({.op_type = "QuantizeLinear", .opset = 21, .attrs = Attrs().Int("block_size", -1)},
            {x, MakeTensor<float>({}, {1})}),
      {"block_size"});
  // Unsupported output types.
  ExpectErrorContains(
      RunOp({.op_type = "QuantizeLinear", .opset = 21, .attrs = Attrs().Int("output_dtype", 1)},
            {x, MakeTensor<float>({}, {1})}),
      {"output_dtype"});
  ExpectErrorContains(
      RunOp({.op_type = "QuantizeLinear", .opset = 21, .attrs = Attrs().Int("output_dtype", 3)},
            {x, MakeTensor<float>({}, {1}), MakeTensor<uint8_t>({}, {0})}),
      {"output_dtype"});
  ExpectErrorContains(RunOp({.op_type = "QuantizeLinear", .opset = 13},
                            {MakeTensor<int8_t>({1}, {1}), MakeTensor<float>({}, {1})}),
                      {"'x'"});
  ExpectErrorContains(RunOp({.op_type = "QuantizeLinear", .opset = 13},
                            {x, MakeTensor<int32_t>({}, {1})}),
                      {"y_scale"});
}

TEST(DequantizeTest, Errors) {
  Tensor q = MakeTensor<uint8_t>({2, 3}, {1, 2, 3, 4, 5, 6});
  ExpectErrorContains(RunOp({.op_type = "DequantizeLinear", .opset = 13},
                            {MakeTensor<float>({1}, {1}), MakeTensor<float>({}, {1})}),
                      {"'x'"});
  ExpectErrorContains(RunOp({.op_type = "DequantizeLinear", .opset = 13},
                            {q, MakeTensor<float>({}, {1}), MakeTensor<int8_t>({}, {0})}),
                      {"x_zero_point"});
  ExpectErrorContains(
      RunOp({.op_type = "DequantizeLinear", .opset = 13, .attrs = Attrs().Int("axis", 0)},
            {q, MakeTensor<float>({3}, {1, 1, 1})}),
      {"x_scale"});
  ExpectErrorContains(RunOp({.op_type = "DequantizeLinear", .opset = 13}, {q, std::nullopt}),
                      {"x_scale"});
}

TEST(DynamicQuantizeTest, EmptyInputAndErrors) {
  auto out = RunOp({.op_type = "DynamicQuantizeLinear", .opset = 11, .num_outputs = 3},
                   {*Tensor::Zeros(DType::kFloat32, {0, 3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({0, 3}));
  EXPECT_TENSOR_EQ((*out)[2], MakeTensor<uint8_t>({}, {0}));
  ExpectErrorContains(RunOp({.op_type = "DynamicQuantizeLinear", .opset = 11, .num_outputs = 3},
                            {MakeTensor<double>({1}, {1.0})}),
                      {"'x'"});
}

TEST(QuantInferTest, DtypesAndSymbolicShapes) {
  const std::vector<Dim> dims = {Sym("N"), K(3)};
  ASSERT_OK_AND_ASSIGN(auto q, InferOp({.op_type = "QuantizeLinear", .opset = 21},
                                       {Type(DType::kFloat32, dims), Type(DType::kFloat32, {}),
                                        Type(DType::kInt16, {})}));
  EXPECT_EQ(q[0].dtype, DType::kInt16);
  EXPECT_EQ(q[0].shape->ToString(), "[N, 3]");
  ASSERT_OK_AND_ASSIGN(auto q2, InferOp({.op_type = "QuantizeLinear", .opset = 13},
                                        {Type(DType::kFloat32, dims), Type(DType::kFloat32, {})}));
  EXPECT_EQ(q2[0].dtype, DType::kUInt8);
  ASSERT_OK_AND_ASSIGN(auto d, InferOp({.op_type = "DequantizeLinear", .opset = 19},
                                       {Type(DType::kInt8, dims), Type(DType::kFloat16, {})}));
  EXPECT_EQ(d[0].dtype, DType::kFloat16);
  EXPECT_EQ(d[0].shape->ToString(), "[N, 3]");
  ASSERT_OK_AND_ASSIGN(auto dq,
      InferOp({.op_type = "DynamicQuantizeLinear", .opset = 11, .num_outputs = 3},
              {Type(DType::kFloat32, dims)}));
  EXPECT_EQ(dq[0].shape->ToString(), "[N, 3]");
  EXPECT_EQ(dq[1].dtype, DType::kFloat32);
  EXPECT_EQ(dq[2].shape->rank(), 0);
}

}  // namespace
}  // namespace brisk
