// Tests of GridSample (expected values from onnx.reference, cross-checked with onnxruntime).
#include "kernels/op_runner.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using testing::Attrs;
using testing::ExpectErrorContains;
using testing::MakeTensor;

Tensor X3x3() { return MakeTensor<float>({1, 1, 3, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8}); }
Tensor Grid() {
  return MakeTensor<float>({1, 2, 2, 2}, {-1, -1, 0.3f, -0.2f, 1.2f, 0.9f, -0.7f, 1.5f});
}

struct Case {
  int opset;
  const char* mode;
  const char* padding;
  int align;
  std::vector<float> expected;
};

TEST(GridSampleTest, ModesAndPaddings) {
  const std::vector<Case> cases = {
      {16, "bilinear", "zeros", 0, {0, 3.55f, 1.0399991f, 0}},
      {20, "linear", "zeros", 0, {0, 3.55f, 1.0399991f, 0}},
      {16, "nearest", "border", 0, {0, 4, 8, 6}},
      {20, "nearest", "zeros", 1, {0, 4, 8, 6}},
      {16, "bicubic", "reflection", 1, {0, 3.5485022f, 7.9005027f, 5.1840014f}},
      {20, "linear", "reflection", 0, {0, 3.55f, 8, 5.25f}},
      {20, "cubic", "zeros", 0, {-0.1875f, 3.7792087f, 1.0137918f, -0.6043658f}},
      {20, "cubic", "border", 0, {-0.375f, 3.3781588f, 8.3327198f, 5.9661531f}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.mode) + "/" + c.padding + "/" + std::to_string(c.align));
    auto out = RunOp({.op_type = "GridSample",
                      .opset = c.opset,
                      .attrs = Attrs()
                                   .String("mode", c.mode)
                                   .String("padding_mode", c.padding)
                                   .Int("align_corners", c.align)},
                     {X3x3(), Grid()});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_TENSOR_NEAR((*out)[0], MakeTensor<float>({1, 1, 2, 2}, c.expected), 1e-5, 1e-5);
  }
}

TEST(GridSampleTest, DefaultsAreBilinearZeros) {
  auto out = RunOp({.op_type = "GridSample", .opset = 16}, {X3x3(), Grid()});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_NEAR((*out)[0], MakeTensor<float>({1, 1, 2, 2}, {0, 3.55f, 1.0399991f, 0}),
                     1e-5, 1e-5);
}

TEST(GridSampleTest, Volumetric3DOpset20) {
  Tensor x = MakeTensor<float>({1, 1, 2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
  Tensor grid = MakeTensor<float>({1, 1, 1, 2, 3}, {0.1f, -0.4f, 0.6f, -1.3f, 0.2f, 0.9f});
  auto lin = RunOp({.op_type = "GridSample", .opset = 20,
                    .attrs = Attrs().String("padding_mode", "border")}, {x, grid});
  ASSERT_TRUE(lin.ok()) << lin.status().ToString();
  EXPECT_TENSOR_NEAR((*lin)[0], MakeTensor<float>({1, 1, 1, 1, 2}, {4.8f, 5.4f}), 1e-5, 1e-5);
  auto nn = RunOp({.op_type = "GridSample", .opset = 20,
                   .attrs = Attrs().String("mode", "nearest").Int("align_corners", 1)},
                  {x, grid});
  ASSERT_TRUE(nn.ok()) << nn.status().ToString();
  EXPECT_TENSOR_EQ((*nn)[0], MakeTensor<float>({1, 1, 1, 1, 2}, {5, 6}));
}

TEST(GridSampleTest, MultiChannelDoubleAndInt) {
  Tensor x = MakeTensor<double>({1, 2, 1, 2}, {1, 3, 10, 30});
  Tensor grid = MakeTensor<double>({1, 1, 1, 2}, {0, 0});
  auto out = RunOp({.op_type = "GridSample", .opset = 16,
                    .attrs = Attrs().Int("align_corners", 1)}, {x, grid});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_NEAR((*out)[0], MakeTensor<double>({1, 2, 1, 1}, {2, 20}), 1e-12, 1e-12);
  Tensor xi = MakeTensor<int32_t>({1, 1, 1, 2}, {4, 8});
  auto nn = RunOp({.op_type = "GridSample", .opset = 16,
                   .attrs = Attrs().String("mode", "nearest")},
                  {xi, MakeTensor<float>({1, 1, 1, 2}, {0.9f, 0})});
  ASSERT_TRUE(nn.ok()) << nn.status().ToString();
  EXPECT_TENSOR_EQ((*nn)[0], MakeTensor<int32_t>({1, 1, 1, 1}, {8}));
}

TEST(GridSampleTest, EmptyOutput) {
  auto out = RunOp({.op_type = "GridSample", .opset = 16},
                   {X3x3(), MakeTensor<float>({1, 0, 2, 2}, {})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({1, 1, 0, 2}, {}));
}

TEST(GridSampleTest, Errors) {
  ExpectErrorContains(RunOp({.op_type = "GridSample", .opset = 16,
                             .attrs = Attrs().String("mode", "linear")}, {X3x3(), Grid()}),
                      StatusCode::kInvalidArgument, {"mode", "linear"});
  ExpectErrorContains(RunOp({.op_type = "GridSample", .opset = 20,
                             .attrs = Attrs().String("padding_mode", "wrap")}, {X3x3(), Grid()}),
                      StatusCode::kInvalidArgument, {"padding_mode"});
  ExpectErrorContains(RunOp({.op_type = "GridSample", .opset = 20},
                            {X3x3(), MakeTensor<float>({1, 1, 1, 3}, {0, 0, 0})}),
                      StatusCode::kInvalidArgument, {"grid"});
  ExpectErrorContains(RunOp({.op_type = "GridSample", .opset = 16},
                            {MakeTensor<float>({1, 1, 2}, {0, 1}),
                             MakeTensor<float>({1, 1, 1}, {0})}),
                      StatusCode::kInvalidArgument, {"'X'"});
  ExpectErrorContains(RunOp({.op_type = "GridSample", .opset = 16},
                            {X3x3(), MakeTensor<int64_t>({1, 1, 1, 2}, {0, 0})}),
                      StatusCode::kUnimplemented, {"grid"});
}

}  // namespace
}  // namespace brisk
