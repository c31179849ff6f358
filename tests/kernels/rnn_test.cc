// Tests of LSTM, GRU and RNN. The *OrtTest cases compare with values computed once with
// onnxruntime 1.31 (layout 1 cases: onnxruntime on transposed layout-0 inputs).
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
using testing::MakeTensor;

// Compares every output with values computed by onnxruntime.
void CheckRnn(const OpSpec& spec, const std::vector<std::optional<Tensor>>& inputs,
            const std::vector<Tensor>& expected) {
  testing::ExpectOpOutputs(spec, inputs, expected, 1e-4, 1e-5);
}

TEST(RnnOrtTest, LstmForwardFull) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<float>({3, 2, 2}, {
      0.25f, 0.79f, 0.55f, -0.55f, -0.4f, 0.75f, -0.99f, 0.64f, 0.59f, -0.06f, -0.39f, -0.44f}));
  inputs.push_back(MakeTensor<float>({1, 12, 2}, {
      -0.49f, -0.11f, 0.01f, 0.11f, 0.99f, 0.59f, 0.24f, 0.98f, -0.57f, -0.68f, 0.23f, -0.91f,
      -0.93f, 0.03f, -0.07f, 0.83f, 0.26f, 0.03f, -0.01f, -0.5f, -0.98f, -0.62f, 0.38f, -0.6f}));
  inputs.push_back(MakeTensor<float>({1, 12, 3}, {
      -0.26f, -0.99f, 0.66f, -0.69f, -0.46f, 0.76f, 0.02f, 0.69f, 0.28f, 0.48f, -0.82f, 0.08f,
      0.02f, 0.74f, -0.28f, 0.2f, -0.88f, -0.22f, -0.35f, -0.7f, 0.63f, -0.24f, 0.96f, 0.18f,
      0.21f, 0.28f, 0.35f, -0.7f, -0.12f, -0.52f, -0.2f, -0.81f, 0.94f, -0.57f, 0.34f, -0.4f}));
  inputs.push_back(MakeTensor<float>({1, 24}, {
      0.75f, 0.32f, -0.74f, 0.69f, 0.89f, 0.81f, 0.14f, -0.71f, -0.62f, 0.86f, 0.1f, -0.64f,
      0.77f, 0.28f, 0.14f, -0.25f, -0.18f, -0.52f, -0.92f, 0.75f, -0.06f, 0.1f, -0.36f, 0.5f}));
  inputs.push_back(MakeTensor<int32_t>({2}, {3, 2}));
  inputs.push_back(MakeTensor<float>({1, 2, 3}, {
      -0.95f, -0.26f, -0.94f, -0.75f, 0.93f, 0.32f}));
  inputs.push_back(MakeTensor<float>({1, 2, 3}, {
      -0.14f, 0.05f, 0.75f, -0.31f, 0.18f, 0.37f}));
  inputs.push_back(MakeTensor<float>({1, 9}, {
      -0.29f, 0.04f, 0.53f, 0.82f, -0.7f, 0.87f, -0.99f, 0.51f, 0.62f}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<float>({3, 1, 2, 3}, {
      0.4904951f, -0.3244724f, 0.2100329f, 0.181401f, -0.265194f, 0.3527601f, 0.2922734f,
      -0.1543815f, -0.06802012f, 0.4476835f, 0.1690101f, 0.009588145f, 0.4032361f, -0.3096476f,
      -0.05611005f, 0.f, 0.f, 0.f}));
  expected.push_back(MakeTensor<float>({1, 2, 3}, {
      0.4032361f, -0.3096476f, -0.05611005f, 0.4476835f, 0.1690101f, 0.009588145f}));
  expected.push_back(MakeTensor<float>({1, 2, 3}, {
      0.5738873f, -0.5057755f, -0.08668754f, 0.5952001f, 0.2979184f, 0.02264327f}));
  CheckRnn({.op_type = "LSTM",
            .opset = 14,
            .attrs = Attrs()
                       .Int("hidden_size", 3),
            .num_outputs = 3},
           inputs, expected);
}

TEST(RnnOrtTest, LstmBidirectionalDefault) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<float>({3, 2, 2}, {
      0.25f, 0.79f, 0.55f, -0.55f, -0.4f, 0.75f, -0.99f, 0.64f, 0.59f, -0.06f, -0.39f, -0.44f}));
  inputs.push_back(MakeTensor<float>({2, 12, 2}, {
      -0.73f, -0.16f, 0.63f, -0.97f, 0.26f, 0.59f, 0.03f, 0.45f, -0.55f, -0.6f, -0.27f, -0.64f,
      -0.31f, 0.9f, 0.15f, -0.32f, -0.46f, 0.9f, -0.11f, 0.96f, 0.03f, 0.04f, 0.79f, 0.49f,
      0.16f, -0.15f, 0.76f, -0.18f, 0.85f, -0.86f, -0.14f, 0.04f, 0.9f, -0.5f, 0.61f, 0.35f,
      0.43f, 0.26f, 0.94f, -0.33f, -0.2f, -0.59f, -0.9f, -0.57f, 0.83f, 0.68f, -0.78f, 0.21f}));
  inputs.push_back(MakeTensor<float>({2, 12, 3}, {
      -0.04f, 0.19f, 0.32f, -0.39f, 0.92f, -0.07f, 0.26f, 0.27f, -0.63f, -0.88f, -0.18f, 0.53f,
      0.63f, 0.46f, -0.77f, 0.83f, 0.6f, 0.76f, 0.05f, 0.83f, -0.91f, -0.94f, -0.96f, -0.49f,
      -0.5f, -0.62f, 0.13f, -0.92f, 0.18f, -0.67f, 0.36f, -0.96f, -0.38f, 0.88f, 0.08f, 0.62f,
      0.32f, 0.22f, -0.62f, 0.15f, -0.92f, 0.6f, 0.92f, 0.71f, -0.9f, -0.32f, -0.36f, -0.77f,
      0.25f, 0.59f, -0.37f, 0.73f, 0.59f, -0.74f, 0.53f, 0.77f, -0.61f, 0.15f, 0.28f, 0.22f,
      -0.81f, 0.32f, 0.26f, 0.65f, 0.61f, -0.35f, 0.44f, 0.73f, 0.79f, -0.68f, -0.95f, 0.3f}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<float>({3, 2, 2, 3}, {
      0.1521949f, 0.004842557f, 0.1152364f, -0.09720045f, -0.001970456f, 0.04087475f,
      -0.1730422f, 0.1657115f, -0.01146339f, 0.04706668f, 0.001103219f, -0.1548965f,
      0.2380341f, 0.005132052f, 0.1645833f, 0.157218f, -0.007111154f, -0.08699898f,
      -0.06846572f, 0.04522818f, -0.01112506f, 0.1673258f, -0.03879445f, 0.07686251f,
      0.005811361f, 0.01072676f, 0.2445198f, -0.05180048f, 0.01880396f, -0.1563365f,
      -0.1135008f, 0.1607116f, -0.1591542f, 0.1340844f, -0.1129786f, 0.04290148f}));
  expected.push_back(MakeTensor<float>({2, 2, 3}, {
      0.005811361f, 0.01072676f, 0.2445198f, -0.05180048f, 0.01880396f, -0.1563365f,
      -0.1730422f, 0.1657115f, -0.01146339f, 0.04706668f, 0.001103219f, -0.1548965f}));
  expected.push_back(MakeTensor<float>({2, 2, 3}, {
      0.01244648f, 0.02468413f, 0.4768918f, -0.1292444f, 0.0287145f, -0.2621658f, -0.3588795f,
      0.3762662f, -0.01904348f, 0.1048076f, 0.001618899f, -0.2915736f}));
  CheckRnn({.op_type = "LSTM",
            .opset = 14,
            .attrs = Attrs()
                       .Int("hidden_size", 3)
                       .String("direction", "bidirectional"),
            .num_outputs = 3},
           inputs, expected);
}

TEST(RnnOrtTest, LstmBidirectionalSeqLens) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<float>({3, 2, 2}, {
      0.25f, 0.79f, 0.55f, -0.55f, -0.4f, 0.75f, -0.99f, 0.64f, 0.59f, -0.06f, -0.39f, -0.44f}));
  inputs.push_back(MakeTensor<float>({2, 12, 2}, {
      -0.57f, 0.13f, 0.89f, -0.24f, -0.49f, -0.09f, 0.31f, -0.8f, -0.24f, -0.73f, 0.32f, 0.66f,
      -0.25f, -0.26f, 0.08f, -0.57f, -0.51f, -0.34f, -0.09f, -0.84f, 0.51f, 0.16f, -0.4f,
      -0.84f, 0.53f, -0.74f, -0.73f, -0.74f, -0.84f, 0.81f, -0.46f, -0.39f, 0.67f, 0.24f,
      -0.63f, -0.13f, 0.77f, -0.25f, 0.42f, -0.81f, 0.45f, 0.55f, 0.65f, 0.35f, -0.26f, -0.87f,
      0.04f, 0.51f}));
  inputs.push_back(MakeTensor<float>({2, 12, 3}, {
      -0.62f, -0.47f, 0.07f, 0.5f, 0.79f, -0.75f, -0.63f, 0.6f, 0.29f, 0.44f, 0.99f, 0.88f,
      0.69f, 0.55f, -0.21f, 0.28f, -0.63f, 0.52f, 0.52f, 0.44f, -0.11f, -0.24f, -0.16f, -0.93f,
      0.69f, 0.08f, -0.22f, 0.1f, 0.44f, -0.24f, 0.66f, 0.84f, -0.23f, -0.72f, 0.52f, 0.99f,
      -0.7f, 0.43f, 0.65f, 0.84f, -0.75f, -0.82f, 0.98f, -0.77f, -0.65f, 0.15f, -0.11f, 0.5f,
      -0.62f, 0.83f, -0.57f, 0.54f, -0.86f, -0.05f, -0.93f, -0.37f, -0.38f, 0.44f, -0.09f,
      -0.89f, 0.99f, 0.78f, 0.83f, -0.51f, -0.21f, -0.55f, -0.75f, -0.93f, 0.01f, -0.75f,
      -0.65f, 0.72f}));
  inputs.push_back(MakeTensor<float>({2, 24}, {
      -0.03f, -0.63f, 0.34f, -0.47f, 0.05f, -0.43f, 0.03f, 0.26f, 0.07f, -0.21f, 0.58f, 0.75f,
      -0.64f, -0.73f, -0.77f, 0.96f, 0.88f, -0.54f, 0.94f, -0.58f, 0.01f, -0.01f, 0.83f,
      -0.92f, -0.37f, 0.2f, -0.87f, -0.53f, -0.07f, 0.76f, 0.52f, 0.66f, 0.52f, 0.42f, 0.7f,
      0.36f, 0.47f, -0.4f, -0.66f, 0.51f, -0.67f, 0.84f, 0.19f, -0.34f, 0.87f, -0.69f, 0.03f,
      -0.82f}));
  inputs.push_back(MakeTensor<int32_t>({2}, {1, 3}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<float>({3, 2, 2, 3}, {
      -0.1126243f, 0.1103684f, -0.1022665f, 0.0368211f, 0.2225369f, 0.005896035f, 0.02698267f,
      -0.002489997f, -0.009313452f, -0.1080747f, 0.2414398f, -0.1192841f, 0.f, 0.f, 0.f,
      -0.09458227f, 0.1211511f, -0.02634341f, 0.f, 0.f, 0.f, -0.1632269f, 0.09798452f,
      -0.1300322f, 0.f, 0.f, 0.f, -0.0457015f, 0.1806686f, 0.02699915f, 0.f, 0.f, 0.f,
      -0.1838616f, 0.1155408f, -0.09108223f}));
  expected.push_back(MakeTensor<float>({2, 2, 3}, {
      -0.1126243f, 0.1103684f, -0.1022665f, -0.0457015f, 0.1806686f, 0.02699915f, 0.02698267f,
      -0.002489997f, -0.009313452f, -0.1080747f, 0.2414398f, -0.1192841f}));
  expected.push_back(MakeTensor<float>({2, 2, 3}, {
      -0.2370975f, 0.19512f, -0.2555346f, -0.06682956f, 0.2314728f, 0.1493073f, 0.06911879f,
      -0.006141733f, -0.01175317f, -0.2392072f, 0.6190707f, -0.1580141f}));
  CheckRnn({.op_type = "LSTM",
            .opset = 14,
            .attrs = Attrs()
                       .Int("hidden_size", 3)
                       .String("direction", "bidirectional"),
            .num_outputs = 3},
           inputs, expected);
}

TEST(RnnOrtTest, LstmReverseClipLayout1) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<float>({2, 3, 2}, {
      2.79f, 0.45f, 1.82f, -1.31f, 1.81f, 1.22f, 0.86f, 2.7f, -0.4f, -0.51f, 1.15f, 2.01f}));
  inputs.push_back(MakeTensor<float>({1, 12, 2}, {
      -0.33f, 0.34f, -0.58f, 0.1f, 0.54f, -0.87f, 0.46f, -0.97f, 0.92f, -0.06f, -0.18f, 0.44f,
      0.05f, 0.46f, -0.83f, 0.13f, 0.12f, 0.86f, -0.92f, -0.09f, 0.26f, 0.1f, -0.85f, 0.19f}));
  inputs.push_back(MakeTensor<float>({1, 12, 3}, {
      -0.56f, -0.61f, 0.76f, -0.6f, -0.09f, 0.5f, 0.41f, 0.11f, 0.61f, -0.07f, 0.24f, 0.64f,
      0.36f, 0.28f, -0.19f, 0.12f, -0.21f, 0.49f, -0.24f, -0.07f, 0.51f, 0.01f, -0.32f, 0.65f,
      -0.24f, 0.69f, 0.57f, -0.11f, 0.43f, -0.93f, -0.22f, 0.72f, 0.16f, 0.12f, 0.33f, 0.36f}));
  inputs.push_back(MakeTensor<float>({1, 24}, {
      0.17f, -0.16f, -0.63f, -0.41f, -0.41f, -0.14f, 1.f, -0.29f, -0.11f, -0.26f, 0.16f, 0.9f,
      0.78f, -0.25f, -0.47f, 0.77f, -0.01f, 0.37f, -0.85f, 0.73f, -0.37f, -0.01f, -0.6f,
      -0.16f}));
  inputs.push_back(std::nullopt);
  inputs.push_back(MakeTensor<float>({2, 1, 3}, {
      0.66f, 0.66f, -0.05f, 0.54f, -0.08f, -0.25f}));
  inputs.push_back(MakeTensor<float>({2, 1, 3}, {
      0.09f, -0.6f, -0.37f, 0.41f, 0.54f, -0.89f}));
  inputs.push_back(MakeTensor<float>({1, 9}, {
      0.47f, 0.63f, -0.11f, -0.88f, 0.37f, -0.51f, 0.29f, -0.25f, 0.27f}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<float>({2, 3, 1, 3}, {
      -0.1413921f, 0.03523699f, -0.1465652f, -0.09711841f, -0.07289257f, -0.1272733f,
      -0.05084448f, -0.0750301f, -0.1838524f, -0.02289231f, -0.005963271f, 0.04576074f,
      0.1120425f, -0.01338559f, -0.03790181f, 0.02896924f, 0.09325062f, -0.2525899f}));
  expected.push_back(MakeTensor<float>({2, 1, 3}, {
      -0.1413921f, 0.03523699f, -0.1465652f, -0.02289231f, -0.005963271f, 0.04576074f}));
  expected.push_back(MakeTensor<float>({2, 1, 3}, {
      -0.2512975f, 0.06141831f, -0.2988904f, -0.05384568f, -0.01061223f, 0.07983027f}));
  CheckRnn({.op_type = "LSTM",
            .opset = 14,
            .attrs = Attrs()
                       .Int("hidden_size", 3)
                       .String("direction", "reverse")
                       .Float("clip", 0.3f)
                       .Int("layout", 1),
            .num_outputs = 3},
           inputs, expected);
}

TEST(RnnOrtTest, LstmActivations) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<float>({3, 2, 2}, {
      0.25f, 0.79f, 0.55f, -0.55f, -0.4f, 0.75f, -0.99f, 0.64f, 0.59f, -0.06f, -0.39f, -0.44f}));
  inputs.push_back(MakeTensor<float>({1, 12, 2}, {
      -0.48f, -0.05f, 0.05f, 0.26f, -0.59f, 0.92f, -0.42f, -0.39f, -0.49f, -0.87f, -0.15f,
      0.54f, 0.42f, -0.61f, -0.73f, -0.36f, 0.54f, -0.02f, 0.85f, 0.31f, 0.24f, 0.54f, 0.5f,
      -0.31f}));
  inputs.push_back(MakeTensor<float>({1, 12, 3}, {
      -0.49f, -0.12f, -0.02f, -0.72f, -0.12f, 0.28f, -0.73f, -0.72f, -0.65f, -0.43f, 0.92f,
      -0.95f, -0.63f, -0.67f, -0.05f, -0.97f, -0.08f, -0.67f, -0.46f, 0.58f, -0.63f, 0.23f,
      -0.19f, -0.16f, 0.63f, -0.68f, 0.85f, 0.79f, 0.34f, -0.9f, 0.33f, 0.2f, 0.54f, -0.57f,
      0.91f, 0.77f}));
  inputs.push_back(MakeTensor<float>({1, 24}, {
      -0.77f, -0.37f, -0.94f, 0.66f, 0.83f, 0.98f, 0.22f, 0.33f, 0.36f, 0.14f, 0.9f, 0.22f,
      -0.33f, 0.03f, -0.96f, 0.45f, 0.39f, -0.16f, 0.7f, 0.51f, -0.33f, -0.85f, -0.74f, -0.63f}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<float>({3, 1, 2, 3}, {
      0.4218344f, 0.4276065f, 0.528531f, 0.5046458f, 0.574302f, 0.3688583f, 0.4199559f,
      0.4246831f, 0.3785796f, 0.5256576f, 0.4143831f, 0.3877842f, 0.4289474f, 0.4732369f,
      0.2780932f, 0.5250433f, 0.5918884f, 0.2435815f}));
  expected.push_back(MakeTensor<float>({1, 2, 3}, {
      0.4289474f, 0.4732369f, 0.2780932f, 0.5250433f, 0.5918884f, 0.2435815f}));
  expected.push_back(MakeTensor<float>({1, 2, 3}, {
      -0.0044325f, 0.3819216f, -0.0001114546f, -0.02206737f, 0.1842077f, 0.f}));
  CheckRnn({.op_type = "LSTM",
            .opset = 14,
            .attrs = Attrs()
                       .Int("hidden_size", 3)
                       .Strings("activations", {"HardSigmoid", "LeakyRelu", "Softplus"})
                       .Floats("activation_alpha", {0.3f, 0.2f})
                       .Floats("activation_beta", {0.4f}),
            .num_outputs = 3},
           inputs, expected);
}

TEST(RnnOrtTest, LstmInputForget) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<float>({3, 2, 2}, {
      0.25f, 0.79f, 0.55f, -0.55f, -0.4f, 0.75f, -0.99f, 0.64f, 0.59f, -0.06f, -0.39f, -0.44f}));
  inputs.push_back(MakeTensor<float>({1, 12, 2}, {
      -0.39f, -0.1f, 0.86f, -0.44f, 0.8f, 0.36f, 0.71f, -0.19f, -0.99f, 0.57f, -0.51f, -0.72f,
      0.6f, 0.37f, -0.58f, -0.46f, 0.88f, -0.46f, 0.4f, -0.74f, 0.63f, -0.76f, 0.03f, -0.93f}));
  inputs.push_back(MakeTensor<float>({1, 12, 3}, {
      0.1f, 0.69f, -0.83f, -0.45f, 0.53f, 0.22f, -0.37f, 0.26f, -0.09f, 0.72f, -0.41f, 0.52f,
      0.27f, 0.48f, -0.24f, 0.45f, 0.4f, -0.23f, -0.95f, 0.93f, 0.43f, -0.59f, 0.46f, -0.44f,
      -0.06f, 0.72f, -0.1f, -0.42f, -0.39f, -0.85f, -0.56f, -0.46f, -0.65f, -0.87f, -0.07f,
      -0.57f}));
  inputs.push_back(MakeTensor<float>({1, 24}, {
      0.48f, 0.85f, -0.45f, 0.14f, 0.01f, -0.85f, -0.75f, 0.77f, -0.05f, 0.61f, -0.87f, 0.19f,
      0.73f, 0.73f, -0.99f, 0.04f, -0.26f, 0.52f, -0.85f, -0.47f, 0.63f, -0.06f, -0.09f, 0.94f}));
  inputs.push_back(std::nullopt);
  inputs.push_back(std::nullopt);
  inputs.push_back(MakeTensor<float>({1, 2, 3}, {
      -0.36f, -0.92f, -0.22f, -0.69f, -0.84f, 0.14f}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<float>({3, 1, 2, 3}, {
      -0.02552177f, -0.3478949f, -0.01388778f, 0.2705285f, -0.06132841f, 0.1394839f,
      -0.007931646f, -0.4328279f, 0.009995533f, -0.1212041f, -0.4414866f, 0.1333875f,
      0.3163992f, -0.09812687f, 0.07325649f, 0.2095366f, -0.220335f, 0.1754971f}));
  expected.push_back(MakeTensor<float>({1, 2, 3}, {
      0.3163992f, -0.09812687f, 0.07325649f, 0.2095366f, -0.220335f, 0.1754971f}));
  expected.push_back(MakeTensor<float>({1, 2, 3}, {
      0.4978077f, -0.4085631f, 0.2351949f, 0.4117079f, -0.6129578f, 0.3824968f}));
  CheckRnn({.op_type = "LSTM",
            .opset = 14,
            .attrs = Attrs()
                       .Int("hidden_size", 3)
                       .Int("input_forget", 1),
            .num_outputs = 3},
           inputs, expected);
}

TEST(RnnOrtTest, LstmOpset7) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<float>({3, 2, 2}, {
      0.25f, 0.79f, 0.55f, -0.55f, -0.4f, 0.75f, -0.99f, 0.64f, 0.59f, -0.06f, -0.39f, -0.44f}));
  inputs.push_back(MakeTensor<float>({1, 12, 2}, {
      0.91f, 0.16f, 0.29f, -0.35f, 0.14f, 0.5f, 0.18f, 0.61f, 0.1f, -0.6f, 0.17f, -0.02f,
      -0.67f, 0.24f, 0.63f, -0.73f, 0.09f, 0.47f, -0.19f, -0.46f, -0.26f, 0.08f, 0.37f, 0.12f}));
  inputs.push_back(MakeTensor<float>({1, 12, 3}, {
      -0.79f, 0.64f, 0.85f, -0.8f, -0.5f, -0.65f, 0.7f, 0.82f, -0.91f, -0.34f, -0.62f, -0.06f,
      0.84f, -0.86f, -0.66f, -0.03f, 0.05f, 0.49f, -0.12f, -0.72f, -0.29f, 0.96f, 0.5f, -0.77f,
      0.62f, -0.38f, 0.56f, -0.97f, 0.74f, -0.68f, -0.09f, 0.32f, 0.02f, -0.67f, -0.72f,
      -0.43f}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<float>({3, 1, 2, 3}, {
      -0.1413423f, -0.0003149961f, 0.05659724f, 0.0390274f, -0.06432916f, 0.03235554f,
      -0.1314971f, 0.0255921f, 0.03413747f, -0.0006905238f, 0.03011081f, -0.05087644f,
      -0.03225468f, -0.01689298f, 0.08475077f, 0.05123157f, 0.04390737f, -0.06442711f}));
  expected.push_back(MakeTensor<float>({1, 2, 3}, {
      -0.03225468f, -0.01689298f, 0.08475077f, 0.05123157f, 0.04390737f, -0.06442711f}));
  expected.push_back(MakeTensor<float>({1, 2, 3}, {
      -0.06162328f, -0.0348446f, 0.1610367f, 0.1248676f, 0.07888319f, -0.1350992f}));
  CheckRnn({.op_type = "LSTM",
            .opset = 7,
            .attrs = Attrs()
                       .Int("hidden_size", 3),
            .num_outputs = 3},
           inputs, expected);
}

TEST(RnnOrtTest, GruForward) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<float>({3, 2, 2}, {
      0.25f, 0.79f, 0.55f, -0.55f, -0.4f, 0.75f, -0.99f, 0.64f, 0.59f, -0.06f, -0.39f, -0.44f}));
  inputs.push_back(MakeTensor<float>({1, 9, 2}, {
      -0.9f, -0.57f, -0.74f, -0.07f, -0.29f, 0.17f, -0.44f, -0.93f, -0.34f, 0.51f, -0.49f,
      -0.19f, 0.51f, -0.19f, 0.77f, 0.84f, -0.38f, 0.47f}));
  inputs.push_back(MakeTensor<float>({1, 9, 3}, {
      -0.49f, -0.72f, -0.12f, 0.2f, 0.87f, -0.71f, 0.42f, -0.05f, -0.74f, 0.95f, 0.39f, -0.74f,
      0.81f, -0.79f, -0.81f, -0.34f, 0.88f, -0.93f, 0.84f, 0.22f, -0.87f, 0.14f, -0.08f, 0.13f,
      0.47f, 0.36f, 0.99f}));
  inputs.push_back(MakeTensor<float>({1, 18}, {
      -0.69f, 0.63f, -0.18f, 0.57f, 0.78f, 0.98f, -0.47f, -0.09f, 0.89f, 0.89f, -0.25f, 0.88f,
      -0.19f, -0.25f, 0.51f, -0.06f, -0.1f, -0.23f}));
  inputs.push_back(std::nullopt);
  inputs.push_back(MakeTensor<float>({1, 2, 3}, {
      -0.13f, -0.72f, -0.88f, 0.51f, 0.13f, 0.34f}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<float>({3, 1, 2, 3}, {
      -0.125927f, -0.1212519f, -0.7101208f, 0.1877253f, -0.01088692f, 0.4278372f, -0.2315136f,
      -0.07571644f, -0.4875629f, -0.1927354f, -0.1139888f, 0.5795749f, -0.1023846f,
      0.02456306f, -0.3595244f, -0.3710332f, -0.3718103f, 0.654241f}));
  expected.push_back(MakeTensor<float>({1, 2, 3}, {
      -0.1023846f, 0.02456306f, -0.3595244f, -0.3710332f, -0.3718103f, 0.654241f}));
  CheckRnn({.op_type = "GRU",
            .opset = 14,
            .attrs = Attrs()
                       .Int("hidden_size", 3),
            .num_outputs = 2},
           inputs, expected);
}

TEST(RnnOrtTest, GruBidirectionalLinearBeforeReset) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<float>({3, 2, 2}, {
      0.25f, 0.79f, 0.55f, -0.55f, -0.4f, 0.75f, -0.99f, 0.64f, 0.59f, -0.06f, -0.39f, -0.44f}));
  inputs.push_back(MakeTensor<float>({2, 9, 2}, {
      0.6f, -0.54f, -0.53f, -0.44f, -0.39f, 0.52f, -0.25f, -0.35f, 0.27f, -0.63f, -0.79f,
      0.39f, 0.51f, -0.41f, 0.27f, -0.93f, -0.19f, 0.16f, -0.49f, -0.3f, 0.22f, 0.18f, -0.69f,
      0.41f, -0.84f, 0.94f, -0.6f, -0.49f, -0.6f, 0.98f, -0.43f, 0.21f, 0.98f, 0.9f, -0.92f,
      0.04f}));
  inputs.push_back(MakeTensor<float>({2, 9, 3}, {
      0.2f, 0.4f, -0.33f, -0.34f, -0.99f, -0.93f, 0.1f, -0.85f, -0.6f, -0.33f, -0.86f, -0.94f,
      0.85f, -0.13f, -0.59f, 0.42f, -0.98f, -0.51f, 0.92f, 0.8f, 0.27f, -0.81f, -0.36f, -0.94f,
      -0.56f, -0.95f, -0.75f, 0.27f, -0.8f, -0.69f, 0.81f, -0.33f, -0.33f, -0.83f, 0.59f,
      0.35f, 0.09f, 0.24f, -0.8f, -0.48f, 0.17f, 0.9f, 0.63f, 0.28f, 0.04f, -0.97f, 0.78f,
      -0.87f, -0.74f, 0.39f, 0.62f, 0.57f, -0.1f, -0.65f}));
  inputs.push_back(MakeTensor<float>({2, 18}, {
      -0.93f, 0.7f, 0.96f, -0.51f, 0.73f, -0.19f, -0.38f, 0.01f, -0.98f, -0.11f, -0.6f, 0.42f,
      0.01f, 0.74f, 0.79f, -0.37f, -0.44f, 0.88f, 0.01f, -0.81f, -0.91f, 0.98f, 0.16f, -0.89f,
      0.02f, 0.01f, -0.13f, 0.9f, 0.9f, -0.75f, -0.7f, -0.19f, 0.67f, 0.25f, 0.46f, 0.15f}));
  inputs.push_back(MakeTensor<int32_t>({2}, {2, 3}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<float>({3, 2, 2, 3}, {
      -0.4705867f, -0.4478282f, -0.04681617f, -0.01113433f, 0.1348497f, -0.1850962f,
      0.1299262f, 0.4891606f, -0.1844473f, -0.06377967f, 0.09862429f, -0.4908661f, -0.8433604f,
      -0.5026647f, 0.001594041f, -0.7422432f, -0.2390884f, -0.1587265f, 0.1459421f, 0.2170558f,
      0.2640442f, 0.1314778f, -0.1725626f, 0.5468447f, 0.f, 0.f, 0.f, -0.8016369f,
      -0.04818141f, -0.1064456f, 0.f, 0.f, 0.f, 0.05151172f, -0.2358849f, 0.2188725f}));
  expected.push_back(MakeTensor<float>({2, 2, 3}, {
      -0.8433604f, -0.5026647f, 0.001594041f, -0.8016369f, -0.04818141f, -0.1064456f,
      0.1299262f, 0.4891606f, -0.1844473f, -0.06377967f, 0.09862429f, -0.4908661f}));
  CheckRnn({.op_type = "GRU",
            .opset = 14,
            .attrs = Attrs()
                       .Int("hidden_size", 3)
                       .String("direction", "bidirectional")
                       .Int("linear_before_reset", 1),
            .num_outputs = 2},
           inputs, expected);
}

TEST(RnnOrtTest, GruReverseLayout1Activations) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<float>({2, 3, 2}, {
      -0.58f, 0.64f, -0.97f, 0.4f, -0.61f, -0.06f, 0.95f, 0.08f, -0.89f, -0.14f, 0.32f, -0.89f}));
  inputs.push_back(MakeTensor<float>({1, 9, 2}, {
      -0.49f, -0.96f, 0.08f, -0.24f, 0.01f, -0.41f, 0.31f, -0.65f, 0.81f, 0.92f, -0.01f,
      -0.07f, 0.72f, -0.42f, 0.61f, -0.43f, 0.44f, -0.33f}));
  inputs.push_back(MakeTensor<float>({1, 9, 3}, {
      0.21f, 0.85f, -0.89f, 0.61f, 0.08f, -0.24f, -0.3f, -0.86f, -0.48f, 0.25f, -0.8f, 0.34f,
      0.92f, 0.96f, 0.78f, 0.61f, -0.64f, 0.94f, -0.59f, 0.74f, 0.76f, 0.24f, 0.04f, -0.6f,
      0.04f, -0.42f, -0.75f}));
  inputs.push_back(MakeTensor<float>({1, 18}, {
      -0.74f, 0.6f, 0.84f, -0.72f, -0.97f, -0.47f, -0.73f, -0.62f, 0.17f, -0.16f, -0.14f,
      -0.59f, 0.33f, -0.42f, -0.2f, -0.07f, 0.81f, -0.51f}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<float>({2, 3, 1, 3}, {
      -0.5945098f, -0.4684682f, -0.6044283f, -0.6648867f, -0.4915729f, -0.5457038f,
      -0.7783426f, -0.1107579f, -0.3794356f, 0.4935872f, 0.3826489f, -0.2767079f, -0.6793737f,
      -0.123593f, -0.4017885f, -0.2001156f, 0.3153001f, 0.05824744f}));
  expected.push_back(MakeTensor<float>({2, 1, 3}, {
      -0.5945098f, -0.4684682f, -0.6044283f, 0.4935872f, 0.3826489f, -0.2767079f}));
  CheckRnn({.op_type = "GRU",
            .opset = 14,
            .attrs = Attrs()
                       .Int("hidden_size", 3)
                       .String("direction", "reverse")
                       .Int("layout", 1)
                       .Strings("activations", {"Affine", "ScaledTanh"})
                       .Floats("activation_alpha", {0.5f, 0.7f})
                       .Floats("activation_beta", {0.1f, 1.5f}),
            .num_outputs = 2},
           inputs, expected);
}

TEST(RnnOrtTest, GruClipOpset7) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<float>({3, 2, 2}, {
      1.31f, -1.14f, 2.37f, -0.64f, 0.03f, 2.26f, 1.04f, -2.43f, -2.18f, 2.94f, -2.83f, -1.19f}));
  inputs.push_back(MakeTensor<float>({1, 9, 2}, {
      0.92f, -0.97f, -0.68f, -0.57f, -0.83f, -0.06f, 0.18f, -0.36f, -0.78f, 0.62f, 0.61f,
      0.12f, -0.72f, 0.08f, 0.26f, -0.14f, 0.73f, -0.22f}));
  inputs.push_back(MakeTensor<float>({1, 9, 3}, {
      0.02f, -0.77f, 0.13f, 0.53f, 0.46f, -0.49f, 0.98f, 0.44f, -0.15f, -0.17f, 0.56f, -0.65f,
      0.28f, 0.44f, 0.03f, 0.75f, -0.06f, -0.07f, -0.43f, 0.84f, -0.37f, 0.39f, -0.18f, 0.87f,
      0.9f, -0.94f, 0.99f}));
  inputs.push_back(MakeTensor<float>({1, 18}, {
      0.21f, -0.85f, -0.01f, -0.9f, 0.1f, -0.63f, -0.26f, -0.39f, 0.2f, 0.64f, 0.87f, -0.34f,
      0.14f, -0.99f, -0.26f, 0.92f, -0.76f, 0.74f}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<float>({3, 1, 2, 3}, {
      -0.1208462f, -0.1691846f, 0.2333333f, -0.1208462f, -0.1691846f, 0.2333333f, 0.2534744f,
      -0.1409872f, 0.1944444f, -0.1409872f, -0.1490436f, 0.1944444f, 0.1910876f, -0.1456845f,
      -0.08843875f, 0.2568312f, -0.1456868f, -0.08843875f}));
  expected.push_back(MakeTensor<float>({1, 2, 3}, {
      0.1910876f, -0.1456845f, -0.08843875f, 0.2568312f, -0.1456868f, -0.08843875f}));
  CheckRnn({.op_type = "GRU",
            .opset = 7,
            .attrs = Attrs()
                       .Int("hidden_size", 3)
                       .Float("clip", 0.2f)
                       .Strings("activations", {"Softsign", "Elu"})
                       .Floats("activation_alpha", {0.8f}),
            .num_outputs = 2},
           inputs, expected);
}

TEST(RnnOrtTest, RnnForward) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<float>({3, 2, 2}, {
      0.25f, 0.79f, 0.55f, -0.55f, -0.4f, 0.75f, -0.99f, 0.64f, 0.59f, -0.06f, -0.39f, -0.44f}));
  inputs.push_back(MakeTensor<float>({1, 3, 2}, {
      0.31f, -0.41f, 0.56f, -0.42f, 0.79f, -0.83f}));
  inputs.push_back(MakeTensor<float>({1, 3, 3}, {
      -0.76f, 0.5f, -0.1f, -0.71f, 0.03f, -0.41f, 0.1f, 0.49f, 0.71f}));
  inputs.push_back(MakeTensor<float>({1, 6}, {
      -0.88f, 0.18f, 0.97f, -0.08f, 0.54f, -0.81f}));
  inputs.push_back(std::nullopt);
  inputs.push_back(MakeTensor<float>({1, 2, 3}, {
      0.75f, 0.16f, 0.78f, 0.57f, 0.74f, -0.89f}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<float>({3, 1, 2, 3}, {
      -0.9440897f, -0.3088738f, 0.3876233f, -0.4916242f, 0.8458544f, 0.68512f, -0.6999442f,
      0.5935388f, -0.6345786f, -0.6647352f, -0.009670079f, -0.2927383f, 0.1387833f, 0.951797f,
      0.4187611f, -0.3547459f, 0.8559765f, -0.06187689f}));
  expected.push_back(MakeTensor<float>({1, 2, 3}, {
      0.1387833f, 0.951797f, 0.4187611f, -0.3547459f, 0.8559765f, -0.06187689f}));
  CheckRnn({.op_type = "RNN",
            .opset = 14,
            .attrs = Attrs()
                       .Int("hidden_size", 3),
            .num_outputs = 2},
           inputs, expected);
}

TEST(RnnOrtTest, RnnBidirectionalRelu) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<float>({3, 2, 2}, {
      0.25f, 0.79f, 0.55f, -0.55f, -0.4f, 0.75f, -0.99f, 0.64f, 0.59f, -0.06f, -0.39f, -0.44f}));
  inputs.push_back(MakeTensor<float>({2, 3, 2}, {
      0.43f, -0.61f, -0.47f, -0.35f, 0.18f, 0.26f, 0.86f, -0.97f, -0.61f, -0.28f, 0.64f, 0.1f}));
  inputs.push_back(MakeTensor<float>({2, 3, 3}, {
      0.02f, 0.52f, 0.31f, -0.42f, -0.83f, -0.08f, 0.76f, 0.2f, -0.89f, -0.12f, -0.23f, 0.16f,
      0.17f, 0.9f, -0.32f, -0.18f, 0.23f, 0.77f}));
  inputs.push_back(MakeTensor<float>({2, 6}, {
      0.41f, -0.06f, 0.63f, -0.03f, 0.93f, -0.44f, -0.75f, 0.66f, -0.41f, 0.69f, 0.22f, 0.02f}));
  inputs.push_back(MakeTensor<int32_t>({2}, {3, 2}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<float>({3, 2, 2, 3}, {
      0.005599976f, 0.476f, 0.4404f, 0.952f, 0.804f, 0.146f, 0.f, 1.841146f, 0.1901273f,
      0.646419f, 1.87273f, 0.207081f, 0.134656f, 0.362836f, 0.02049997f, 0.04628f, 0.03245997f,
      0.93258f, 0.f, 1.483162f, 0.f, 0.f, 1.3047f, 0.f, 0.8680229f, 0.2543506f, 0.4372607f,
      0.f, 0.f, 0.f, 0.5056f, 0.5369f, 0.f, 0.f, 0.f, 0.f}));
  expected.push_back(MakeTensor<float>({2, 2, 3}, {
      0.8680229f, 0.2543506f, 0.4372607f, 0.04628f, 0.03245997f, 0.93258f, 0.f, 1.841146f,
      0.1901273f, 0.646419f, 1.87273f, 0.207081f}));
  CheckRnn({.op_type = "RNN",
            .opset = 14,
            .attrs = Attrs()
                       .Int("hidden_size", 3)
                       .String("direction", "bidirectional")
                       .Strings("activations", {"Relu", "ThresholdedRelu"})
                       .Floats("activation_alpha", {0.1f}),
            .num_outputs = 2},
           inputs, expected);
}

TEST(RnnOrtTest, RnnLayout1Sigmoid) {
  std::vector<std::optional<Tensor>> inputs;
  inputs.push_back(MakeTensor<float>({2, 3, 2}, {
      -0.83f, 0.57f, -0.87f, 0.93f, 0.75f, -0.39f, -0.74f, 0.77f, -0.04f, -0.75f, -0.f, -0.51f}));
  inputs.push_back(MakeTensor<float>({1, 3, 2}, {
      -0.18f, 0.28f, 0.83f, 0.6f, -0.68f, -0.05f}));
  inputs.push_back(MakeTensor<float>({1, 3, 3}, {
      -0.02f, 0.98f, -0.83f, 0.02f, 0.83f, -0.2f, -0.48f, 0.11f, -0.36f}));
  std::vector<Tensor> expected;
  expected.push_back(MakeTensor<float>({2, 3, 1, 3}, {
      0.5766411f, 0.4141344f, 0.6308582f, 0.5714346f, 0.5162425f, 0.5216759f, 0.4544511f,
      0.6735036f, 0.2899133f, 0.5863265f, 0.4620233f, 0.6141286f, 0.4325461f, 0.4474894f,
      0.4044396f, 0.4878534f, 0.4982948f, 0.4308224f}));
  expected.push_back(MakeTensor<float>({2, 1, 3}, {
      0.4544511f, 0.6735036f, 0.2899133f, 0.4878534f, 0.4982948f, 0.4308224f}));
  CheckRnn({.op_type = "RNN",
            .opset = 14,
            .attrs = Attrs()
                       .Int("hidden_size", 3)
                       .Int("layout", 1)
                       .Strings("activations", {"Sigmoid"}),
            .num_outputs = 2},
           inputs, expected);
}

// ---- Hand-checked and structural cases ----------------------------------------------------

// One step of a 1-unit RNN by hand: h = tanh(x*w + h0*r + wb + rb).
TEST(RnnTest, SingleUnitByHand) {
  Tensor x = MakeTensor<float>({2, 1, 1}, {0.5f, -1.f});
  Tensor w = MakeTensor<float>({1, 1, 1}, {2.f});
  Tensor r = MakeTensor<float>({1, 1, 1}, {0.5f});
  Tensor b = MakeTensor<float>({1, 2}, {0.1f, 0.2f});
  const float h1 = std::tanh(0.5f * 2.f + 0.3f);
  const float h2 = std::tanh(-1.f * 2.f + h1 * 0.5f + 0.3f);
  auto out = RunOp({.op_type = "RNN", .opset = 14, .attrs = Attrs().Int("hidden_size", 1),
                    .num_outputs = 2},
                   {x, w, r, b});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_NEAR((*out)[0], MakeTensor<float>({2, 1, 1, 1}, {h1, h2}), 1e-6, 1e-6);
  EXPECT_TENSOR_NEAR((*out)[1], MakeTensor<float>({1, 1, 1}, {h2}), 1e-6, 1e-6);
}

// A 1-unit GRU step by hand, both linear_before_reset settings.
TEST(GruTest, SingleUnitByHand) {
  auto sig = [](float v) { return 1.f / (1.f + std::exp(-v)); };
  Tensor x = MakeTensor<float>({1, 1, 1}, {0.7f});
  Tensor w = MakeTensor<float>({1, 3, 1}, {0.2f, -0.3f, 0.9f});
  Tensor r = MakeTensor<float>({1, 3, 1}, {0.4f, 0.6f, -0.5f});
  Tensor b = MakeTensor<float>({1, 6}, {0.1f, 0.2f, 0.3f, -0.1f, -0.2f, 0.4f});
  Tensor h0 = MakeTensor<float>({1, 1, 1}, {0.8f});
  const float z = sig(0.7f * 0.2f + 0.8f * 0.4f + 0.1f - 0.1f);
  const float rr = sig(0.7f * -0.3f + 0.8f * 0.6f + 0.2f - 0.2f);
  const float h_plain = std::tanh(0.7f * 0.9f + (rr * 0.8f) * -0.5f + 0.3f + 0.4f);
  const float h_lbr = std::tanh(0.7f * 0.9f + rr * (0.8f * -0.5f + 0.4f) + 0.3f);
  for (int lbr : {0, 1}) {
    const float ht = lbr ? h_lbr : h_plain;
    const float h = (1 - z) * ht + z * 0.8f;
    auto out = RunOp({.op_type = "GRU",
                      .opset = 14,
                      .attrs = Attrs().Int("hidden_size", 1).Int("linear_before_reset", lbr),
                      .num_outputs = 2},
                     {x, w, r, b, std::nullopt, h0});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_TENSOR_NEAR((*out)[1], MakeTensor<float>({1, 1, 1}, {h}), 1e-6, 1e-6);
  }
}

// Reverse direction over the full sequence equals forward over the reversed sequence.
TEST(LstmTest, ReverseEqualsForwardOnReversedInput) {
  Tensor x = testing::RandomFloat({4, 2, 3}, 1);
  Tensor w = testing::RandomFloat({1, 8, 3}, 2);
  Tensor r = testing::RandomFloat({1, 8, 2}, 3);
  Tensor xr = *Tensor::Allocate(DType::kFloat32, {4, 2, 3});
  for (int t = 0; t < 4; ++t)
    for (int i = 0; i < 6; ++i) xr.data<float>()[t * 6 + i] = x.data<float>()[(3 - t) * 6 + i];
  auto fwd = RunOp({.op_type = "LSTM", .attrs = Attrs().Int("hidden_size", 2), .num_outputs = 3},
                   {xr, w, r});
  auto rev = RunOp({.op_type = "LSTM",
                    .attrs = Attrs().Int("hidden_size", 2).String("direction", "reverse"),
                    .num_outputs = 3},
                   {x, w, r});
  ASSERT_TRUE(fwd.ok() && rev.ok());
  EXPECT_TENSOR_NEAR((*rev)[1], (*fwd)[1], 1e-6, 1e-6);
  EXPECT_TENSOR_NEAR((*rev)[2], (*fwd)[2], 1e-6, 1e-6);
}

// Zero-length sequences give zero Y and zero final states (as onnxruntime does).
TEST(LstmTest, ZeroSequenceLength) {
  Tensor x = testing::RandomFloat({2, 1, 2}, 4);
  Tensor w = testing::RandomFloat({1, 4, 2}, 5);
  Tensor r = testing::RandomFloat({1, 4, 1}, 6);
  Tensor h0 = MakeTensor<float>({1, 1, 1}, {0.5f});
  auto out = RunOp({.op_type = "LSTM", .attrs = Attrs().Int("hidden_size", 1), .num_outputs = 3},
                   {x, w, r, std::nullopt, MakeTensor<int32_t>({1}, {0}), h0, h0});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({2, 1, 1, 1}, {0, 0}));
  EXPECT_TENSOR_EQ((*out)[1], MakeTensor<float>({1, 1, 1}, {0}));
}

TEST(LstmTest, EmptyBatch) {
  auto out = RunOp({.op_type = "LSTM", .attrs = Attrs().Int("hidden_size", 2), .num_outputs = 3},
                   {*Tensor::Zeros(DType::kFloat32, {3, 0, 2}), testing::RandomFloat({1, 8, 2}, 1),
                    testing::RandomFloat({1, 8, 2}, 2)});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({3, 1, 0, 2}));
  EXPECT_EQ((*out)[2].shape(), Shape({1, 0, 2}));
}

TEST(LstmTest, OnlyYRequested) {
  auto out = RunOp({.op_type = "LSTM", .attrs = Attrs().Int("hidden_size", 2)},
                   {testing::RandomFloat({3, 1, 2}, 1), testing::RandomFloat({1, 8, 2}, 2),
                    testing::RandomFloat({1, 8, 2}, 3)});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({3, 1, 1, 2}));
}

// Without hidden_size the size comes from W (torch exports always set it, others may not).
TEST(GruTest, HiddenSizeFromW) {
  auto out = RunOp({.op_type = "GRU", .num_outputs = 2},
                   {testing::RandomFloat({3, 2, 2}, 1), testing::RandomFloat({1, 12, 2}, 2),
                    testing::RandomFloat({1, 12, 4}, 3)});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[1].shape(), Shape({1, 2, 4}));
}

template <typename T>
Tensor Convert(const Tensor& f) {
  Tensor t = *Tensor::Allocate(kDTypeOf<T>, f.shape());
  for (int64_t i = 0; i < f.num_elements(); ++i) t.data<T>()[i] = T(f.data<float>()[i]);
  return t;
}

template <typename T>
void CheckOtherDtype(const std::string& op, int gates, double tol) {
  Tensor x = testing::RandomFloat({3, 2, 2}, 11);
  Tensor w = testing::RandomFloat({2, gates * 3, 2}, 12);
  Tensor r = testing::RandomFloat({2, gates * 3, 3}, 13);
  Tensor b = testing::RandomFloat({2, gates * 6}, 14);
  const OpSpec spec{.op_type = op,
                    .opset = 14,
                    .attrs = Attrs().Int("hidden_size", 3).String("direction", "bidirectional"),
                    .num_outputs = 2};
  auto ref = RunOp(spec, {x, w, r, b});
  auto got = RunOp(spec, {Convert<T>(x), Convert<T>(w), Convert<T>(r), Convert<T>(b)});
  ASSERT_TRUE(ref.ok() && got.ok()) << got.status().ToString();
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ((*got)[size_t(i)].dtype(), kDTypeOf<T>);
    const Tensor& g = (*got)[size_t(i)];
    const Tensor& e = (*ref)[size_t(i)];
    for (int64_t k = 0; k < e.num_elements(); ++k)
      EXPECT_NEAR(ToDouble(g.data<T>()[k]), e.data<float>()[k], tol) << op << " element " << k;
  }
}

TEST(RnnDtypeTest, DoubleFloat16BFloat16) {
  for (auto [op, gates] : {std::pair<std::string, int>{"LSTM", 4}, {"GRU", 3}, {"RNN", 1}}) {
    CheckOtherDtype<double>(op, gates, 1e-5);
    CheckOtherDtype<Float16>(op, gates, 1e-2);
    CheckOtherDtype<BFloat16>(op, gates, 5e-2);
  }
}

// ---- Shape inference -----------------------------------------------------------------------

ir::TypeInfo F32(std::vector<Dim> dims) {
  return testing::Type(DType::kFloat32, std::move(dims));
}

TEST(RnnInferTest, SymbolicBatchAndSequence) {
  const Dim seq = Dim::Symbol("seq"), batch = Dim::Symbol("batch");
  ASSERT_OK_AND_ASSIGN(auto r,
      InferOp({.op_type = "LSTM", .opset = 14,
               .attrs = Attrs().Int("hidden_size", 5).String("direction", "bidirectional"),
               .num_outputs = 3},
              {F32({seq, batch, K(3)}), F32({K(2), K(20), K(3)}), F32({K(2), K(20), K(5)})}));
  EXPECT_EQ(r[0].shape->ToString(), "[seq, 2, batch, 5]");
  EXPECT_EQ(r[1].shape->ToString(), "[2, batch, 5]");
  EXPECT_EQ(r[2].shape->ToString(), "[2, batch, 5]");
  EXPECT_EQ(r[0].dtype, DType::kFloat32);
}

TEST(RnnInferTest, Layout1AndHiddenFromR) {
  const Dim seq = Dim::Symbol("seq"), batch = Dim::Symbol("batch");
  ASSERT_OK_AND_ASSIGN(auto r,
      InferOp({.op_type = "GRU", .opset = 14, .attrs = Attrs().Int("layout", 1), .num_outputs = 2},
              {F32({batch, seq, K(3)}), F32({K(1), Dim::Unknown(), K(3)}),
               F32({K(1), Dim::Unknown(), K(7)})}));
  EXPECT_EQ(r[0].shape->ToString(), "[batch, seq, 1, 7]");
  EXPECT_EQ(r[1].shape->ToString(), "[batch, 1, 7]");
}

TEST(RnnInferTest, ContradictionIsAnError) {
  auto r = InferOp({.op_type = "RNN", .opset = 14, .attrs = Attrs().Int("hidden_size", 4),
                    .num_outputs = 2},
                   {F32({Dim::Known(2), Dim::Known(1), Dim::Known(3)}),
                    F32({Dim::Known(1), Dim::Known(5), Dim::Known(3)}),
                    F32({Dim::Known(1), Dim::Known(4), Dim::Known(4)})});
  ExpectErrorContains(r, {"'W'"});
}

// ---- Errors --------------------------------------------------------------------------------

Status RunLstm(ir::AttributeMap attrs, std::vector<std::optional<Tensor>> inputs) {
  auto out = RunOp({.op_type = "LSTM", .attrs = attrs, .num_outputs = 3}, std::move(inputs));
  return out.status();
}

TEST(RnnErrorTest, BadAttributesAndInputs) {
  Tensor x = testing::RandomFloat({2, 1, 2}, 1);
  Tensor w = testing::RandomFloat({1, 8, 2}, 2);
  Tensor r = testing::RandomFloat({1, 8, 2}, 3);
  ExpectErrorContains(RunLstm(Attrs().String("direction", "sideways"), {x, w, r}), {"direction"});
  ExpectErrorContains(RunLstm(Attrs().Strings("activations", {"Sigmoid", "Tanh"}), {x, w, r}),
                      {"activations"});
  ExpectErrorContains(
      RunLstm(Attrs().Strings("activations", {"Sigmoid", "Tanh", "Gelu"}), {x, w, r}), {"Gelu"});
  ExpectErrorContains(RunLstm(Attrs().Int("hidden_size", 3), {x, w, r}), {"hidden_size"});
  ExpectErrorContains(RunLstm(Attrs().Int("layout", 2), {x, w, r}), {"layout"});
  ExpectErrorContains(RunLstm(Attrs().Float("clip", -1.f), {x, w, r}), {"clip"});
  ExpectErrorContains(RunLstm(Attrs(), {testing::RandomFloat({2, 2}, 1), w, r}), {"'X'"});
  ExpectErrorContains(RunLstm(Attrs(), {x, testing::RandomFloat({1, 8, 3}, 1), r}), {"'W'"});
  ExpectErrorContains(RunLstm(Attrs(), {x, w, testing::RandomFloat({1, 8, 3}, 1)}), {"'R'"});
  ExpectErrorContains(RunLstm(Attrs(), {x, w, r, testing::RandomFloat({1, 8}, 1)}), {"'B'"});
  ExpectErrorContains(
      RunLstm(Attrs(), {x, w, r, std::nullopt, MakeTensor<int32_t>({1}, {3})}), {"sequence_lens"});
  ExpectErrorContains(
      RunLstm(Attrs(), {x, w, r, std::nullopt, MakeTensor<int32_t>({2}, {1, 1})}),
      {"sequence_lens"});
  ExpectErrorContains(RunLstm(Attrs(), {x, w, r, std::nullopt, std::nullopt,
                                        testing::RandomFloat({1, 2, 2}, 1)}),
                      {"initial_h"});
  ExpectErrorContains(RunLstm(Attrs(), {x, w, r, std::nullopt, std::nullopt, std::nullopt,
                                        std::nullopt, testing::RandomFloat({1, 5}, 1)}),
                      {"'P'"});
  ExpectErrorContains(RunLstm(Attrs(), {MakeTensor<int32_t>({1, 1, 1}, {1}), w, r}), {"'X'"});
  ExpectErrorContains(RunLstm(Attrs(), {x, Convert<double>(w), r}), {"dtype"});
}

}  // namespace
}  // namespace brisk
