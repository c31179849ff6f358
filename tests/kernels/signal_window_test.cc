#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "kernels/op_runner.h"
#include "linalg_norm_test_util.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using testing::Attrs;
using testing::ErrorContains;
using testing::FromDoubles;
using testing::InferOnly;
using testing::MakeTensor;
using testing::SpecType;

double WindowValue(const std::string& op, int64_t i, double n) {
  const double a = 2 * std::numbers::pi * double(i) / n;
  if (op == "HannWindow") return 0.5 - 0.5 * std::cos(a);
  if (op == "HammingWindow") return 0.54347826086956519 - 0.45652173913043481 * std::cos(a);
  return 0.42 - 0.5 * std::cos(a) + 0.08 * std::cos(2 * a);
}

const char* const kWindows[] = {"HannWindow", "HammingWindow", "BlackmanWindow"};

TEST(WindowTest, PeriodicAndSymmetric) {
  for (const char* op : kWindows)
    for (int periodic : {0, 1})
      for (int64_t size : {2, 5, 10}) {
        SCOPED_TRACE(std::string(op) + " periodic " + std::to_string(periodic) + " size " +
                     std::to_string(size));
        auto y = RunOp({.op_type = op, .opset = 17, .attrs = Attrs().Int("periodic", periodic)},
                       {MakeTensor<int64_t>({}, {size})});
        ASSERT_TRUE(y.ok()) << y.status().ToString();
        std::vector<double> e;
        for (int64_t i = 0; i < size; ++i)
          e.push_back(WindowValue(op, i, double(periodic ? size : size - 1)));
        EXPECT_TENSOR_NEAR((*y)[0], FromDoubles(DType::kFloat32, Shape{size}, e), 1e-6, 1e-6);
      }
}

TEST(WindowTest, OutputDatatypes) {
  auto y = RunOp({.op_type = "HannWindow", .opset = 17,
                  .attrs = Attrs().Int("output_datatype", 11)},
                 {MakeTensor<int32_t>({}, {4})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_NEAR((*y)[0], MakeTensor<double>({4}, {0, 0.5, 1, 0.5}), 1e-12, 1e-12);
  y = RunOp({.op_type = "HannWindow", .opset = 17, .attrs = Attrs().Int("output_datatype", 7)},
            {MakeTensor<int32_t>({}, {4})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_EQ((*y)[0], MakeTensor<int64_t>({4}, {0, 0, 1, 0}));
  y = RunOp({.op_type = "BlackmanWindow", .opset = 17, .attrs = Attrs().Int("output_datatype", 10)},
            {MakeTensor<int64_t>({}, {3})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ((*y)[0].dtype(), DType::kFloat16);
}

TEST(WindowTest, EdgeSizes) {
  for (const char* op : kWindows) {
    auto y = RunOp({.op_type = op, .opset = 17}, {MakeTensor<int64_t>({}, {0})});
    ASSERT_TRUE(y.ok()) << y.status().ToString();
    EXPECT_EQ((*y)[0].shape(), Shape({0}));
    y = RunOp({.op_type = op, .opset = 17, .attrs = Attrs().Int("periodic", 0)},
              {MakeTensor<int64_t>({}, {1})});
    ASSERT_TRUE(y.ok()) << y.status().ToString();
    EXPECT_TENSOR_NEAR((*y)[0], MakeTensor<float>({1}, {1}), 1e-6, 1e-6);
  }
}

TEST(WindowTest, BadInputsAreErrors) {
  for (const char* op : kWindows) {
    auto y = RunOp({.op_type = op, .opset = 17}, {MakeTensor<int64_t>({}, {-3})});
    EXPECT_TRUE(ErrorContains(y.status(), "'size'")) << y.status().ToString();
    y = RunOp({.op_type = op, .opset = 17}, {MakeTensor<float>({}, {3})});
    EXPECT_TRUE(ErrorContains(y.status(), "'size'")) << y.status().ToString();
    y = RunOp({.op_type = op, .opset = 17}, {MakeTensor<int64_t>({2}, {3, 4})});
    EXPECT_TRUE(ErrorContains(y.status(), "'size'")) << y.status().ToString();
    y = RunOp({.op_type = op, .opset = 17, .attrs = Attrs().Int("output_datatype", 8)},
              {MakeTensor<int64_t>({}, {3})});
    EXPECT_TRUE(ErrorContains(y.status(), "output_datatype")) << y.status().ToString();
    y = RunOp({.op_type = op, .opset = 17, .attrs = Attrs().Int("periodic", 2)},
              {MakeTensor<int64_t>({}, {3})});
    EXPECT_TRUE(ErrorContains(y.status(), "periodic")) << y.status().ToString();
  }
}

TEST(WindowInferenceTest, UnknownSize) {
  auto t = InferOnly("HammingWindow", 17, Attrs().Int("output_datatype", 11),
                     {SpecType(DType::kInt64, {})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[?]");
  EXPECT_EQ((*t)[0].dtype, DType::kFloat64);
}

// ---- MelWeightMatrix -----------------------------------------------------------------------

std::vector<std::optional<Tensor>> MelInputs(int64_t mels, int64_t dft, int64_t rate, float lo,
                                             float hi) {
  return {MakeTensor<int32_t>({}, {int32_t(mels)}), MakeTensor<int32_t>({}, {int32_t(dft)}),
          MakeTensor<int32_t>({}, {int32_t(rate)}), MakeTensor<float>({}, {lo}),
          MakeTensor<float>({}, {hi})};
}

TEST(MelWeightMatrixTest, OnnxExample) {
  auto y = RunOp({.op_type = "MelWeightMatrix", .opset = 17}, MelInputs(8, 16, 8192, 0, 4096));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  std::vector<float> e(9 * 8, 0.f);
  // Rows 0..5 per the ONNX example; rows 6..8 are zero.
  const int ones[][2] = {{0, 0}, {0, 1}, {1, 2}, {1, 3}, {2, 4}, {3, 5}, {4, 6}, {5, 7}};
  for (auto [r, c] : ones) e[size_t(r * 8 + c)] = 1.f;
  EXPECT_TENSOR_NEAR((*y)[0], MakeTensor<float>({9, 8}, e), 1e-6, 1e-6);
}

TEST(MelWeightMatrixTest, TrianglesAndDtype) {
  auto y = RunOp({.op_type = "MelWeightMatrix", .opset = 17,
                  .attrs = Attrs().Int("output_datatype", 11)},
                 MelInputs(4, 64, 16000, 100, 8000));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  const Tensor& m = (*y)[0];
  ASSERT_EQ(m.shape(), Shape({33, 4}));
  ASSERT_EQ(m.dtype(), DType::kFloat64);
  // Every filter peaks at 1 and lies in [0, 1].
  for (int64_t c = 0; c < 4; ++c) {
    double mx = 0;
    for (int64_t r = 0; r < 33; ++r) {
      const double v = m.data<double>()[r * 4 + c];
      EXPECT_GE(v, 0);
      EXPECT_LE(v, 1);
      mx = std::max(mx, v);
    }
    EXPECT_DOUBLE_EQ(mx, 1.0);
  }
}

TEST(MelWeightMatrixTest, UpperEdgeAboveNyquistDoesNotCrash) {
  auto y = RunOp({.op_type = "MelWeightMatrix", .opset = 17}, MelInputs(5, 16, 1000, 0, 1e9f));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ((*y)[0].shape(), Shape({9, 5}));
  y = RunOp({.op_type = "MelWeightMatrix", .opset = 17}, MelInputs(0, 16, 1000, 0, 500));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ((*y)[0].shape(), Shape({9, 0}));
}

TEST(MelWeightMatrixTest, BadInputsAreErrors) {
  auto y = RunOp({.op_type = "MelWeightMatrix", .opset = 17}, MelInputs(-1, 16, 1000, 0, 500));
  EXPECT_TRUE(ErrorContains(y.status(), "'num_mel_bins'")) << y.status().ToString();
  y = RunOp({.op_type = "MelWeightMatrix", .opset = 17}, MelInputs(4, 0, 1000, 0, 500));
  EXPECT_TRUE(ErrorContains(y.status(), "'dft_length'")) << y.status().ToString();
  y = RunOp({.op_type = "MelWeightMatrix", .opset = 17}, MelInputs(4, 16, 0, 0, 500));
  EXPECT_TRUE(ErrorContains(y.status(), "'sample_rate'")) << y.status().ToString();
  y = RunOp({.op_type = "MelWeightMatrix", .opset = 17}, MelInputs(4, 16, 1000, 600, 500));
  EXPECT_TRUE(ErrorContains(y.status(), "'upper_edge_hertz'")) << y.status().ToString();
  auto in = MelInputs(4, 16, 1000, 0, 500);
  in[3] = MakeTensor<int32_t>({}, {0});
  y = RunOp({.op_type = "MelWeightMatrix", .opset = 17}, in);
  EXPECT_TRUE(ErrorContains(y.status(), "'lower_edge_hertz'")) << y.status().ToString();
}

TEST(MelWeightMatrixInferenceTest, Shapes) {
  auto t = InferOnly("MelWeightMatrix", 17, {},
                     {SpecType(DType::kInt64, {}), SpecType(DType::kInt64, {}), SpecType(DType::kInt64, {}),
                      SpecType(DType::kFloat32, {}), SpecType(DType::kFloat32, {})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[?, ?]");
  EXPECT_EQ((*t)[0].dtype, DType::kFloat32);
}

}  // namespace
}  // namespace brisk
