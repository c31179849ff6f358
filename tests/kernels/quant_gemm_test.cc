// Tests of MatMulInteger, QLinearMatMul, ConvInteger, QLinearConv. The *OrtTest cases use values
// computed once with onnxruntime 1.31 or onnx.reference (named above each case).
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
TEST(MatMulIntegerOrtTest, Uint8Scalars) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<uint8_t>({3, 4}, {
      207, 21, 45, 60, 46, 205, 222, 149, 10, 24, 85, 110}));
  inputs.push_back(MakeTensor<uint8_t>({4, 2}, {159, 122, 67, 40, 177, 188, 8, 29}));
  inputs.push_back(MakeTensor<uint8_t>({}, {12}));
  inputs.push_back(MakeTensor<uint8_t>({}, {200}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<int32_t>({3, 2}, {
      -19167, -25254, -58197, -59479, -22009, -19398}));
  CheckOp({.op_type = "MatMulInteger",
           .opset = 10,
           .attrs = Attrs(),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnxruntime.
TEST(MatMulIntegerOrtTest, Int8BatchedBroadcast) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<int8_t>({2, 3, 4}, {
      -13, -28, 99, 4, -21, -18, 42, 22, -84, 60, 65, 116, 73, -56, -47, 38, 38, 50, 94, -54,
      112, -128, -109, 121}));
  inputs.push_back(MakeTensor<int8_t>({4, 5}, {
      113, -52, -93, -48, -117, 100, 41, 21, -66, -8, -80, 69, -7, -121, -63, 52, 5, -33,
      -64, -105}));
  inputs.push_back(MakeTensor<int8_t>({}, {-3}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<int32_t>({2, 3, 5}, {
      -11426, 6568, -540, -10660, -5791, -5834, 3551, 219, -5191, -3234, -2105, 12082, 4453,
      -16114, -7806, 8940, -8956, -9226, 2550, -10001, -479, 6479, -1696, -13939, -5977,
      15423, -17799, -16670, 7620, -18797}));
  CheckOp({.op_type = "MatMulInteger",
           .opset = 10,
           .attrs = Attrs(),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnxruntime.
TEST(MatMulIntegerOrtTest, Vectors) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<uint8_t>({4}, {155, 169, 133, 238}));
  inputs.push_back(MakeTensor<uint8_t>({2, 4, 3}, {
      237, 53, 155, 161, 63, 76, 124, 189, 74, 184, 167, 55, 99, 212, 215, 168, 1, 174, 57,
      209, 233, 109, 244, 194}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<int32_t>({2, 3}, {
      124228, 83745, 59801, 77260, 118898, 139892}));
  CheckOp({.op_type = "MatMulInteger",
           .opset = 10,
           .attrs = Attrs(),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnxruntime.
TEST(QLinearMatMulOrtTest, Uint8) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<uint8_t>({2, 4}, {83, 224, 98, 26, 151, 217, 168, 100}));
  inputs.push_back(MakeTensor<float>({}, {0.02f}));
  inputs.push_back(MakeTensor<uint8_t>({}, {113}));
  inputs.push_back(MakeTensor<uint8_t>({4, 3}, {
      230, 122, 98, 37, 54, 178, 204, 74, 160, 223, 37, 70}));
  inputs.push_back(MakeTensor<float>({}, {0.029999999f}));
  inputs.push_back(MakeTensor<uint8_t>({}, {114}));
  inputs.push_back(MakeTensor<float>({}, {0.050000001f}));
  inputs.push_back(MakeTensor<uint8_t>({}, {120}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<uint8_t>({2, 3}, {0, 125, 249, 119, 34, 230}));
  CheckOp({.op_type = "QLinearMatMul",
           .opset = 10,
           .attrs = Attrs(),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnx.reference.
TEST(QLinearMatMulOrtTest, Int8PerColumn) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<int8_t>({2, 2, 4}, {
      6, 15, -27, -26, -95, 28, 110, -78, 76, -82, -117, 63, -82, 64, -44, 17}));
  inputs.push_back(MakeTensor<float>({}, {0.050000001f}));
  inputs.push_back(MakeTensor<int8_t>({}, {3}));
  inputs.push_back(MakeTensor<int8_t>({4, 3}, {
      112, 107, -7, -76, -64, 89, 22, -85, 98, 118, 120, 31}));
  inputs.push_back(MakeTensor<float>({3}, {0.0099999998f, 0.02f, 0.039999999f}));
  inputs.push_back(MakeTensor<int8_t>({3}, {0, 0, 0}));
  inputs.push_back(MakeTensor<float>({}, {2.f}));
  inputs.push_back(MakeTensor<int8_t>({}, {-5}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<int8_t>({2, 2, 3}, {
      -6, -6, -8, -10, -20, 6, 0, 10, -23, -8, -9, -3}));
  CheckOp({.op_type = "QLinearMatMul",
           .opset = 21,
           .attrs = Attrs(),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnxruntime.
TEST(QLinearMatMulOrtTest, Uint8Int8Saturation) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<uint8_t>({3, 5}, {
      249, 155, 128, 248, 154, 201, 86, 202, 249, 13, 137, 94, 13, 21, 68}));
  inputs.push_back(MakeTensor<float>({}, {0.5f}));
  inputs.push_back(MakeTensor<uint8_t>({}, {0}));
  inputs.push_back(MakeTensor<int8_t>({5, 2}, {
      -79, 55, -74, 32, 91, -2, -96, -111, -53, -23}));
  inputs.push_back(MakeTensor<float>({}, {0.5f}));
  inputs.push_back(MakeTensor<int8_t>({}, {0}));
  inputs.push_back(MakeTensor<float>({}, {0.0099999998f}));
  inputs.push_back(MakeTensor<uint8_t>({}, {128}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<uint8_t>({3, 2}, {0, 0, 0, 0, 0, 255}));
  CheckOp({.op_type = "QLinearMatMul",
           .opset = 10,
           .attrs = Attrs(),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnxruntime.
TEST(ConvIntegerOrtTest, Uint8PadsStrides) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<uint8_t>({1, 2, 5, 4}, {
      126, 78, 217, 145, 247, 239, 181, 7, 54, 191, 139, 241, 180, 209, 13, 75, 174, 162, 94,
      40, 150, 22, 171, 205, 171, 16, 133, 77, 142, 174, 50, 9, 126, 158, 32, 236, 123, 247,
      137, 186}));
  inputs.push_back(MakeTensor<uint8_t>({3, 2, 3, 2}, {
      198, 127, 100, 170, 5, 158, 135, 38, 52, 8, 189, 175, 99, 244, 97, 78, 232, 21, 100, 6,
      89, 185, 89, 126, 123, 15, 23, 76, 139, 18, 235, 218, 144, 187, 190, 2}));
  inputs.push_back(MakeTensor<uint8_t>({}, {7}));
  inputs.push_back(MakeTensor<uint8_t>({}, {100}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<int32_t>({1, 3, 3, 5}, {
      2653, -2805, -16494, -3274, 0, 43199, 13677, 54028, 16275, 0, 413, 6303, -31297, 6087,
      0, 9565, 28997, 34762, -3362, 0, 50338, 36521, -11502, 5733, 0, 29934, 4343, 1058,
      -2136, 0, 944, -12337, 16226, 4386, 0, 7531, 18908, -9976, 14782, 0, 30097, 35318,
      38557, 37814, 0}));
  CheckOp({.op_type = "ConvInteger",
           .opset = 10,
           .attrs = Attrs().Ints("pads", {1, 0, 1, 2}).Ints("strides", {2, 1}),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnxruntime.
TEST(ConvIntegerOrtTest, GroupDilation) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<uint8_t>({2, 4, 5, 3}, {
      242, 12, 215, 213, 190, 34, 208, 245, 209, 177, 64, 141, 123, 222, 87, 104, 67, 125,
      146, 117, 81, 140, 158, 42, 149, 180, 26, 158, 113, 238, 99, 80, 180, 222, 22, 27, 43,
      87, 131, 145, 103, 225, 170, 42, 85, 50, 50, 216, 238, 110, 62, 213, 37, 35, 71, 93,
      86, 71, 57, 160, 137, 168, 239, 239, 32, 202, 106, 209, 171, 14, 226, 237, 255, 15, 36,
      161, 137, 24, 225, 60, 13, 220, 150, 6, 44, 225, 196, 221, 240, 76, 137, 94, 2, 60, 16,
      30, 106, 234, 216, 164, 60, 32, 171, 188, 103, 34, 67, 252, 180, 144, 78, 220, 95, 114,
      195, 106, 126, 7, 200, 72}));
  inputs.push_back(MakeTensor<uint8_t>({4, 2, 2, 2}, {
      132, 140, 40, 61, 113, 25, 223, 88, 144, 37, 246, 120, 0, 88, 87, 60, 196, 251, 175,
      47, 143, 118, 169, 214, 224, 206, 174, 116, 140, 45, 143, 131}));
  inputs.push_back(MakeTensor<uint8_t>({}, {3}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<int32_t>({2, 4, 3, 2}, {
      112974, 101393, 131724, 96209, 142700, 138368, 141070, 119953, 120637, 83284, 127999,
      133526, 104124, 124684, 154226, 92917, 117072, 110633, 97249, 108393, 148507, 93730,
      107574, 95971, 140005, 122020, 104445, 128063, 150914, 129166, 114950, 118145, 86426,
      126251, 132008, 68055, 146333, 145857, 141728, 93405, 200985, 210127, 143783, 132942,
      122146, 75713, 182249, 194497}));
  CheckOp({.op_type = "ConvInteger",
           .opset = 10,
           .attrs = Attrs().Int("group", 2).Ints("dilations", {2, 1}),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnxruntime.
TEST(ConvIntegerOrtTest, SameUpper1D) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<uint8_t>({1, 1, 7}, {170, 119, 82, 130, 171, 49, 157}));
  inputs.push_back(MakeTensor<uint8_t>({2, 1, 4}, {89, 201, 151, 122, 9, 6, 61, 137}));
  inputs.push_back(MakeTensor<uint8_t>({}, {128}));
  inputs.push_back(MakeTensor<uint8_t>({}, {1}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<int32_t>({1, 2, 4}, {
      1484, -4489, 435, -1152, -6586, 5666, -565, -487}));
  CheckOp({.op_type = "ConvInteger",
           .opset = 10,
           .attrs = Attrs().String("auto_pad", "SAME_UPPER").Ints("strides", {2}),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnx.reference.
TEST(ConvIntegerOrtTest, SameLower3D) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<uint8_t>({1, 1, 3, 2, 3}, {
      121, 219, 32, 163, 100, 164, 23, 100, 35, 91, 49, 184, 173, 19, 76, 221, 230, 224}));
  inputs.push_back(MakeTensor<uint8_t>({1, 1, 2, 2, 2}, {29, 246, 106, 34, 182, 29, 9, 228}));
  inputs.push_back(MakeTensor<uint8_t>({}, {10}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<int32_t>({1, 1, 3, 2, 3}, {
      25308, 48651, 6897, 38103, 48160, 74598, 6738, 39509, 29412, 51353, 88508, 83377,
      37606, 7957, 25519, 58787, 114415, 73134}));
  CheckOp({.op_type = "ConvInteger",
           .opset = 10,
           .attrs = Attrs().String("auto_pad", "SAME_LOWER"),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnx.reference.
TEST(ConvIntegerOrtTest, Int8) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<int8_t>({1, 2, 3, 3}, {
      -99, -26, 96, -59, -57, -31, 67, 40, -51, -87, -18, -4, -21, 40, -102, 56, 10, -125}));
  inputs.push_back(MakeTensor<int8_t>({2, 2, 2, 2}, {
      43, 79, -36, -17, 20, -17, 4, 15, 24, -57, -101, 99, -12, -74, 127, 10}));
  inputs.push_back(MakeTensor<int8_t>({}, {-1}));
  inputs.push_back(MakeTensor<int8_t>({}, {2}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<int32_t>({1, 2, 2, 2}, {
      -3407, 7662, -10935, -4147, 185, 1368, 3378, -1050}));
  CheckOp({.op_type = "ConvInteger",
           .opset = 10,
           .attrs = Attrs(),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnxruntime.
TEST(QLinearConvOrtTest, Uint8Bias) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<uint8_t>({1, 2, 4, 4}, {
      83, 43, 2, 157, 158, 230, 249, 225, 15, 34, 151, 159, 53, 228, 240, 51, 164, 106, 142,
      182, 128, 188, 68, 115, 38, 163, 100, 171, 249, 90, 199, 166}));
  inputs.push_back(MakeTensor<float>({}, {0.02f}));
  inputs.push_back(MakeTensor<uint8_t>({}, {120}));
  inputs.push_back(MakeTensor<uint8_t>({3, 2, 3, 3}, {
      189, 147, 67, 178, 91, 130, 139, 86, 122, 111, 68, 236, 237, 48, 87, 37, 46, 3, 95,
      218, 51, 253, 216, 60, 1, 68, 108, 50, 169, 153, 189, 124, 143, 210, 152, 53, 223, 224,
      143, 118, 163, 206, 198, 205, 70, 233, 7, 127, 108, 156, 165, 143, 15, 48}));
  inputs.push_back(MakeTensor<float>({}, {0.0099999998f}));
  inputs.push_back(MakeTensor<uint8_t>({}, {128}));
  inputs.push_back(MakeTensor<float>({}, {0.15000001f}));
  inputs.push_back(MakeTensor<uint8_t>({}, {125}));
  inputs.push_back(MakeTensor<int32_t>({3}, {1000, -2000, 50}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<uint8_t>({1, 3, 4, 4}, {
      109, 128, 111, 116, 128, 140, 124, 104, 133, 57, 113, 124, 135, 117, 111, 144, 112,
      112, 67, 72, 127, 147, 152, 154, 125, 89, 71, 138, 97, 127, 158, 149, 103, 109, 154,
      153, 132, 107, 97, 111, 84, 134, 193, 151, 135, 101, 131, 118}));
  CheckOp({.op_type = "QLinearConv",
           .opset = 10,
           .attrs = Attrs().Ints("pads", {1, 1, 1, 1}),
           .num_outputs = 1},
          inputs, expected);
}

// Expected values from onnxruntime.
TEST(QLinearConvOrtTest, Int8PerChannel) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<int8_t>({2, 4, 5, 5}, {
      6, 0, -76, 109, -90, 104, 33, -123, -31, 41, -86, -45, 92, -94, 112, -93, -18, 75,
      -116, 117, 29, 5, 51, -30, 70, 2, -101, 84, 90, 63, 54, -112, -108, -74, -41, 94, -108,
      -2, 117, 40, 60, 71, -30, 34, -97, 59, -67, 11, 50, -70, 90, -81, 46, 126, 53, -126,
      46, 48, -88, 97, 113, -69, 75, -116, 58, -26, -92, -44, 90, -10, 40, -19, -84, 113,
      -98, -98, -22, 113, 3, -117, 108, 112, 2, -43, -83, 58, -115, -128, 121, -14, -33, 45,
      -119, 32, -53, 78, -33, -89, -10, -26, 33, 29, -122, -121, -14, 85, 48, -22, 47, -66,
      -40, -72, -37, 38, -86, -116, 49, -66, -32, -51, -62, -62, -69, 59, -21, 23, -16, 103,
      23, 51, 120, -53, -13, -45, -69, -97, -3, -66, -117, 26, 9, 59, -58, -53, 37, -40, -83,
      77, -79, 117, 79, -107, 70, -110, -13, 66, -35, -2, -111, -20, 3, 34, 23, 66, 8, -111,
      89, 118, 60, 117, 76, -22, 62, -8, 118, -59, -10, 22, 60, -76, -54, 8, 94, 103, -9, 1,
      -83, 83, -61, -83, 42, 98, 26, -97, 79, -74, 53, 56, 72, -51}));
  inputs.push_back(MakeTensor<float>({}, {0.050000001f}));
  inputs.push_back(MakeTensor<int8_t>({}, {-2}));
  inputs.push_back(MakeTensor<int8_t>({4, 2, 2, 2}, {
      -38, -98, 72, -106, -114, 75, -84, -123, -45, -114, 113, 114, 126, 72, 36, -34, 36,
      -79, -111, 93, 113, 73, -85, 43, 107, 7, -127, 6, 124, 122, 73, 5}));
  inputs.push_back(MakeTensor<float>({4}, {
      0.0099999998f, 0.02f, 0.029999999f, 0.0049999999f}));
  inputs.push_back(MakeTensor<int8_t>({4}, {0, 0, 0, 0}));
  inputs.push_back(MakeTensor<float>({}, {0.2f}));
  inputs.push_back(MakeTensor<int8_t>({}, {3}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<int8_t>({2, 4, 2, 2}, {
      14, 6, -73, 78, 76, -48, 7, 44, 86, -77, 55, 127, 27, 21, 10, 8, -25, 17, -4, 17, 96,
      127, -52, -128, -9, 37, 100, -96, -13, 33, 15, -6}));
  CheckOp({.op_type = "QLinearConv",
           .opset = 10,
           .attrs = Attrs().Ints("strides", {2, 2}).Int("group", 2),
           .num_outputs = 1},
          inputs, expected);
}

// ---- Naive checks, edge cases, errors ------------------------------------------------------

// Per-row zero point of A and per-column zero point of B against a naive loop.
TEST(MatMulIntegerTest, PerRowAndPerColumnZeroPoints) {
  Tensor a = MakeTensor<uint8_t>({3, 4}, {10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 255});
  Tensor b = MakeTensor<int8_t>({4, 2}, {-128, 127, 1, -1, 5, 6, -7, 8});
  const std::vector<int> azp = {1, 2, 3}, bzp = {-4, 5};
  std::vector<int32_t> expected;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 2; ++j) {
      int32_t s = 0;
      for (int k = 0; k < 4; ++k)
        s += (a.data<uint8_t>()[i * 4 + k] - azp[size_t(i)]) *
             (b.data<int8_t>()[k * 2 + j] - bzp[size_t(j)]);
      expected.push_back(s);
    }
  auto out = RunOp({.op_type = "MatMulInteger", .opset = 10},
                   {a, b, MakeTensor<uint8_t>({3}, {1, 2, 3}), MakeTensor<int8_t>({2}, {-4, 5})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<int32_t>({3, 2}, expected));
}

TEST(MatMulIntegerTest, EmptyInnerDimension) {
  auto out = RunOp({.op_type = "MatMulInteger", .opset = 10},
                   {*Tensor::Zeros(DType::kUInt8, {2, 0}), *Tensor::Zeros(DType::kUInt8, {0, 3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<int32_t>({2, 3}, {0, 0, 0, 0, 0, 0}));
}

TEST(MatMulIntegerTest, Errors) {
  Tensor a = MakeTensor<uint8_t>({2, 3}, {1, 2, 3, 4, 5, 6});
  ExpectErrorContains(RunOp({.op_type = "MatMulInteger", .opset = 10},
                            {a, MakeTensor<uint8_t>({2, 2}, {1, 2, 3, 4})}),
                      {"inner dimensions"});
  ExpectErrorContains(RunOp({.op_type = "MatMulInteger", .opset = 10},
                            {MakeTensor<float>({1, 1}, {1}), MakeTensor<uint8_t>({1, 1}, {1})}),
                      {"'A'"});
  ExpectErrorContains(RunOp({.op_type = "MatMulInteger", .opset = 10},
                            {a, MakeTensor<uint8_t>({3, 1}, {1, 2, 3}),
                             MakeTensor<int8_t>({}, {1})}),
                      {"a_zero_point"});
  ExpectErrorContains(RunOp({.op_type = "MatMulInteger", .opset = 10},
                            {a, MakeTensor<uint8_t>({3, 1}, {1, 2, 3}),
                             MakeTensor<uint8_t>({3}, {1, 2, 3})}),
                      {"a_zero_point"});
}

TEST(QLinearMatMulTest, Errors) {
  Tensor a = MakeTensor<uint8_t>({2, 2}, {1, 2, 3, 4});
  Tensor s = MakeTensor<float>({}, {0.1f});
  Tensor z = MakeTensor<uint8_t>({}, {0});
  ExpectErrorContains(RunOp({.op_type = "QLinearMatMul", .opset = 10},
                            {a, MakeTensor<float>({3}, {1, 1, 1}), z, a, s, z, s, z}),
                      {"a_scale"});
  ExpectErrorContains(RunOp({.op_type = "QLinearMatMul", .opset = 10},
                            {a, s, z, a, s, z, MakeTensor<uint8_t>({}, {1}), z}),
                      {"y_scale"});
  ExpectErrorContains(RunOp({.op_type = "QLinearMatMul", .opset = 10},
                            {a, s, z, a, s, MakeTensor<uint8_t>({2}, {0, 0}), s, z}),
                      {"b_zero_point"});
  ExpectErrorContains(RunOp({.op_type = "QLinearMatMul", .opset = 10},
                            {a, s, z, a, s, z, s, std::nullopt}),
                      {"y_zero_point"});
}

// ConvInteger against a naive direct convolution, with padding, stride, dilation and groups.
TEST(ConvIntegerTest, MatchesNaiveConvolution) {
  const int N = 2, C = 4, Hh = 6, Ww = 5, M = 6, G = 2, KH = 3, KW = 2;
  const int sh = 2, sw = 1, dh = 1, dw = 2, pt = 1, pl = 0, pb = 2, pr = 1;
  Tensor x = *Tensor::Allocate(DType::kUInt8, {N, C, Hh, Ww});
  Tensor w = *Tensor::Allocate(DType::kInt8, {M, C / G, KH, KW});
  for (int64_t i = 0; i < x.num_elements(); ++i) x.data<uint8_t>()[i] = uint8_t((i * 37) % 256);
  for (int64_t i = 0; i < w.num_elements(); ++i) w.data<int8_t>()[i] = int8_t((i * 53) % 256 - 128);
  const int xz = 17;
  const int OH = (Hh + pt + pb - ((KH - 1) * dh + 1)) / sh + 1;
  const int OW = (Ww + pl + pr - ((KW - 1) * dw + 1)) / sw + 1;
  std::vector<int32_t> expected;
  for (int n = 0; n < N; ++n)
    for (int m = 0; m < M; ++m)
      for (int oh = 0; oh < OH; ++oh)
        for (int ow = 0; ow < OW; ++ow) {
          int32_t s = 0;
          const int g = m / (M / G);
          for (int c = 0; c < C / G; ++c)
            for (int kh = 0; kh < KH; ++kh)
              for (int kw = 0; kw < KW; ++kw) {
                const int ih = oh * sh - pt + kh * dh, iw = ow * sw - pl + kw * dw;
                if (ih < 0 || ih >= Hh || iw < 0 || iw >= Ww) continue;
                const int xv = x.data<uint8_t>()[((n * C + g * (C / G) + c) * Hh + ih) * Ww + iw];
                const int wv = w.data<int8_t>()[((m * (C / G) + c) * KH + kh) * KW + kw];
                s += (xv - xz) * wv;
              }
          expected.push_back(s);
        }
  auto out = RunOp({.op_type = "ConvInteger",
                    .opset = 10,
                    .attrs = Attrs()
                                 .Int("group", G)
                                 .Ints("strides", {sh, sw})
                                 .Ints("dilations", {dh, dw})
                                 .Ints("pads", {pt, pl, pb, pr})},
                   {x, w, MakeTensor<uint8_t>({}, {uint8_t(xz)})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<int32_t>({N, M, OH, OW}, expected));
}

TEST(ConvIntegerTest, EmptyBatch) {
  auto out = RunOp({.op_type = "ConvInteger", .opset = 10},
                   {*Tensor::Zeros(DType::kUInt8, {0, 1, 3, 3}),
                    *Tensor::Zeros(DType::kUInt8, {2, 1, 2, 2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({0, 2, 2, 2}));
}

TEST(ConvIntegerTest, Errors) {
  Tensor x = *Tensor::Zeros(DType::kUInt8, {1, 2, 4, 4});
  Tensor w = *Tensor::Zeros(DType::kUInt8, {2, 2, 2, 2});
  auto run = [&](ir::AttributeMap attrs, std::vector<std::optional<Tensor>> in) {
    return RunOp({.op_type = "ConvInteger", .opset = 10, .attrs = std::move(attrs)}, in);
  };
  ExpectErrorContains(run(Attrs().Int("group", 0), {x, w}), {"group"});
  ExpectErrorContains(run(Attrs().Int("group", 2), {x, w}), {"group"});
  ExpectErrorContains(run(Attrs().Ints("strides", {0, 1}), {x, w}), {"strides"});
  ExpectErrorContains(run(Attrs().Ints("strides", {1}), {x, w}), {"strides"});
  ExpectErrorContains(run(Attrs().Ints("pads", {-1, 0, 0, 0}), {x, w}), {"pads"});
  ExpectErrorContains(run(Attrs().Ints("dilations", {0, 1}), {x, w}), {"dilations"});
  ExpectErrorContains(run(Attrs().String("auto_pad", "FOO"), {x, w}), {"auto_pad"});
  ExpectErrorContains(run(Attrs().Ints("kernel_shape", {3, 3}), {x, w}), {"kernel_shape"});
  ExpectErrorContains(run(Attrs(), {x, *Tensor::Zeros(DType::kUInt8, {2, 2, 5, 1})}), {"'x'"});
  ExpectErrorContains(run(Attrs(), {*Tensor::Zeros(DType::kUInt8, {2, 4}), w}), {"'x'"});
  ExpectErrorContains(run(Attrs(), {x, *Tensor::Zeros(DType::kUInt8, {2, 2, 2})}), {"'w'"});
  ExpectErrorContains(run(Attrs(), {x, w, MakeTensor<uint8_t>({2}, {1, 2})}), {"x_zero_point"});
  ExpectErrorContains(run(Attrs(), {x, w, std::nullopt, MakeTensor<uint8_t>({3}, {1, 2, 3})}),
                      {"w_zero_point"});
  ExpectErrorContains(run(Attrs(), {*Tensor::Zeros(DType::kInt32, {1, 2, 4, 4}), w}), {"'x'"});
}

TEST(QLinearConvTest, Errors) {
  Tensor x = *Tensor::Zeros(DType::kUInt8, {1, 2, 3, 3});
  Tensor w = *Tensor::Zeros(DType::kUInt8, {2, 2, 2, 2});
  Tensor s = MakeTensor<float>({}, {0.1f});
  Tensor z = MakeTensor<uint8_t>({}, {0});
  auto run = [&](std::vector<std::optional<Tensor>> in) {
    return RunOp({.op_type = "QLinearConv", .opset = 10}, in);
  };
  ExpectErrorContains(run({x, s, z, w, MakeTensor<float>({3}, {1, 1, 1}), z, s, z}), {"w_scale"});
  ExpectErrorContains(run({x, MakeTensor<float>({2}, {1, 1}), z, w, s, z, s, z}), {"x_scale"});
  ExpectErrorContains(run({x, s, z, w, s, z, s, z, MakeTensor<int32_t>({3}, {1, 2, 3})}), {"'B'"});
  ExpectErrorContains(run({x, s, z, w, s, MakeTensor<int8_t>({}, {0}), s, z}), {"w_zero_point"});
}

TEST(QuantGemmInferTest, SymbolicShapes) {
  ASSERT_OK_AND_ASSIGN(auto mm, InferOp({.op_type = "MatMulInteger", .opset = 10},
                                        {Type(DType::kUInt8, {Sym("B"), Sym("S"), K(4)}),
                                         Type(DType::kInt8, {K(4), K(7)})}));
  EXPECT_EQ(mm[0].dtype, DType::kInt32);
  EXPECT_EQ(mm[0].shape->ToString(), "[B, S, 7]");
  ASSERT_OK_AND_ASSIGN(auto q,
      InferOp({.op_type = "QLinearMatMul", .opset = 10},
              {Type(DType::kInt8, {Sym("B"), K(4)}), Type(DType::kFloat32, {}),
               Type(DType::kInt8, {}), Type(DType::kInt8, {K(4), K(2)}),
               Type(DType::kFloat32, {}), Type(DType::kInt8, {}),
               Type(DType::kFloat32, {}), Type(DType::kInt8, {})}));
  EXPECT_EQ(q[0].dtype, DType::kInt8);
  EXPECT_EQ(q[0].shape->ToString(), "[B, 2]");
  ASSERT_OK_AND_ASSIGN(auto c,
      InferOp({.op_type = "ConvInteger", .opset = 10,
               .attrs = Attrs().Ints("strides", {2, 2}).Ints("pads", {1, 1, 1, 1})},
              {Type(DType::kUInt8, {Sym("N"), K(3), K(9), Sym("W")}),
               Type(DType::kUInt8, {K(8), K(3), K(3), K(3)})}));
  EXPECT_EQ(c[0].shape->ToString(), "[N, 8, 5, ?]");
  ASSERT_OK_AND_ASSIGN(auto qc,
      InferOp({.op_type = "QLinearConv", .opset = 10,
               .attrs = Attrs().String("auto_pad", "SAME_UPPER")},
              {Type(DType::kInt8, {Sym("N"), K(3), K(9), K(9)}),
               Type(DType::kFloat32, {}), Type(DType::kInt8, {}),
               Type(DType::kInt8, {K(8), K(3), K(3), K(3)}),
               Type(DType::kFloat32, {}), Type(DType::kInt8, {}),
               Type(DType::kFloat32, {}), Type(DType::kInt8, {})}));
  EXPECT_EQ(qc[0].dtype, DType::kInt8);
  EXPECT_EQ(qc[0].shape->ToString(), "[N, 8, 9, 9]");
}

}  // namespace
}  // namespace brisk
