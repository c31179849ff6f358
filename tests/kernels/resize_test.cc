// Resize and Upsample. Expected values come from onnx.reference (opset >= 11) and onnxruntime
// (Resize-10).
#include "kernels/op_runner.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using testing::Attrs;
using testing::MakeBoolTensor;
using testing::MakeTensor;

Tensor Floats(std::vector<float> v) {
  const int64_t n = int64_t(v.size());
  return MakeTensor<float>({n}, std::move(v));
}
Tensor Ints(std::vector<int64_t> v) {
  const int64_t n = int64_t(v.size());
  return MakeTensor<int64_t>({n}, std::move(v));
}

Tensor Iota(Shape shape) {
  Tensor t = *Tensor::Allocate(DType::kFloat32, shape);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.data<float>()[i] = float(i + 1);
  return t;
}

// Resize with scales (opset 19 unless given).
StatusOr<std::vector<Tensor>> ResizeScales(const Tensor& x, std::vector<float> scales,
                                           Attrs attrs = Attrs(), int opset = 19) {
  return RunOp({.op_type = "Resize", .opset = opset, .attrs = attrs},
               {x, std::nullopt, Floats(std::move(scales))});
}

StatusOr<std::vector<Tensor>> ResizeSizes(const Tensor& x, std::vector<int64_t> sizes,
                                          Attrs attrs = Attrs(), int opset = 19) {
  return RunOp({.op_type = "Resize", .opset = opset, .attrs = attrs},
               {x, std::nullopt, std::nullopt, Ints(std::move(sizes))});
}

#define EXPECT_RESULT_NEAR(out, expected)                     \
  do {                                                        \
    ASSERT_TRUE((out).ok()) << (out).status().ToString();     \
    EXPECT_TENSOR_NEAR((*(out))[0], (expected), 1e-5, 1e-5);  \
  } while (0)

TEST(ResizeTest, NearestUpsampleByScales) {
  auto out = ResizeScales(Iota({1, 1, 2, 2}), {1, 1, 2, 2});
  EXPECT_RESULT_NEAR(out, MakeTensor<float>({1, 1, 4, 4}, {1, 1, 2, 2, 1, 1, 2, 2,  //
                                                           3, 3, 4, 4, 3, 3, 4, 4}));
}

TEST(ResizeTest, NearestModeCeilAsymmetricBySizes) {
  auto out = ResizeSizes(Iota({1, 1, 4, 4}), {1, 1, 3, 5},
                         Attrs()
                             .String("nearest_mode", "ceil")
                             .String("coordinate_transformation_mode", "asymmetric"));
  EXPECT_RESULT_NEAR(out, MakeTensor<float>({1, 1, 3, 5}, {1, 2, 3, 4, 4, 9, 10, 11, 12, 12,
                                                           13, 14, 15, 16, 16}));
}

TEST(ResizeTest, LinearHalfPixel) {
  auto out = ResizeScales(Iota({1, 1, 2, 2}), {1, 1, 2, 2}, Attrs().String("mode", "linear"));
  EXPECT_RESULT_NEAR(out, MakeTensor<float>({1, 1, 4, 4}, {1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5,
                                                           2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75,
                                                           4}));
}

TEST(ResizeTest, LinearAlignCorners) {
  auto out = ResizeScales(
      Iota({1, 1, 2, 2}), {1, 1, 2, 1.5},
      Attrs().String("mode", "linear").String("coordinate_transformation_mode", "align_corners"));
  EXPECT_RESULT_NEAR(out, MakeTensor<float>({1, 1, 4, 3}, {1, 1.5, 2, 1.6666666, 2.1666667,
                                                           2.6666667, 2.3333333, 2.8333333,
                                                           3.3333333, 3, 3.5, 4}));
}

TEST(ResizeTest, LinearOneDimensionalAsymmetric) {
  auto out = ResizeSizes(
      Floats({1, 2, 3}), {5},
      Attrs().String("mode", "linear").String("coordinate_transformation_mode", "asymmetric"));
  EXPECT_RESULT_NEAR(out, Floats({1, 1.6f, 2.2f, 2.8f, 3}));
  out = ResizeSizes(Floats({1, 2, 3}), {1},
                    Attrs().String("mode", "linear").String("coordinate_transformation_mode",
                                                            "pytorch_half_pixel"));
  EXPECT_RESULT_NEAR(out, Floats({1}));
}

TEST(ResizeTest, HalfPixelSymmetric) {
  auto out = ResizeScales(Iota({1, 1, 4, 4}), {1, 1, 0.6f, 0.6f},
                          Attrs().String("mode", "linear").String(
                              "coordinate_transformation_mode", "half_pixel_symmetric"));
  EXPECT_RESULT_NEAR(out, MakeTensor<float>({1, 1, 2, 2}, {4.3333335f, 6, 11, 12.666666f}));
  // Not before opset 19.
  out = ResizeScales(Iota({1, 1, 4, 4}), {1, 1, 0.6f, 0.6f},
                     Attrs().String("coordinate_transformation_mode", "half_pixel_symmetric"),
                     18);
  EXPECT_FALSE(out.ok());
}

TEST(ResizeTest, CubicExcludeOutside) {
  auto out = ResizeScales(
      Iota({1, 1, 4, 4}), {1, 1, 1.5, 1.5},
      Attrs().String("mode", "cubic").Float("cubic_coeff_a", -0.5f).Int("exclude_outside", 1));
  EXPECT_RESULT_NEAR(
      out, MakeTensor<float>(
               {1, 1, 6, 6},
               {0.67105263f, 1.1486068f, 1.9035088f, 2.5701754f, 3.3250773f, 3.8026316f,
                2.5812693f,  3.0588236f, 3.8137255f, 4.480392f,  5.2352943f, 5.7128482f,
                5.6008773f,  6.0784316f, 6.8333335f, 7.5f,       8.2549019f, 8.7324562f,
                8.2675438f,  8.7450981f, 9.5f,       10.166667f, 10.921569f, 11.399123f,
                11.287151f,  11.764706f, 12.519608f, 13.186275f, 13.941176f, 14.418731f,
                13.197369f,  13.674923f, 14.429825f, 15.096491f, 15.851393f, 16.328947f}));
}

TEST(ResizeTest, CubicDownsampleBySizes) {
  auto out = ResizeSizes(Iota({1, 1, 4, 4}), {1, 1, 3, 3}, Attrs().String("mode", "cubic"));
  EXPECT_RESULT_NEAR(out, MakeTensor<float>({1, 1, 3, 3}, {1.630787f, 3.0046296f, 4.3784723f,
                                                           7.1261573f, 8.5f, 9.8738422f,
                                                           12.621528f, 13.99537f, 15.369213f}));
}

TEST(ResizeTest, Antialias) {
  auto out = ResizeScales(Iota({1, 1, 4, 4}), {1, 1, 0.5, 0.5},
                          Attrs().String("mode", "linear").Int("antialias", 1));
  EXPECT_RESULT_NEAR(out, MakeTensor<float>({1, 1, 2, 2}, {4.125, 5.875, 11.125, 12.875}));
  out = ResizeSizes(Iota({1, 1, 4, 4}), {1, 1, 3, 2},
                    Attrs().String("mode", "cubic").Int("antialias", 1));
  EXPECT_RESULT_NEAR(out, MakeTensor<float>({1, 1, 3, 2}, {2.1102417f, 4.1297731f, 7.4902344f,
                                                           9.5097656f, 12.870227f, 14.889758f}));
}

TEST(ResizeTest, TfCropAndResizeExtrapolates) {
  Attrs attrs;
  attrs.String("mode", "linear")
      .String("coordinate_transformation_mode", "tf_crop_and_resize")
      .Float("extrapolation_value", 10);
  auto out = RunOp({.op_type = "Resize", .opset = 19, .attrs = attrs},
                   {Iota({1, 1, 4, 4}), Floats({0, 0, 0.4f, 0.6f, 1, 1, 1.2f, 1.7f}),
                    std::nullopt, Ints({1, 1, 3, 3})});
  EXPECT_RESULT_NEAR(out, MakeTensor<float>({1, 1, 3, 3},
                                            {7.6f, 10, 10, 12.4f, 10, 10, 10, 10, 10}));
  // roi of the wrong length.
  out = RunOp({.op_type = "Resize", .opset = 19, .attrs = attrs},
              {Iota({1, 1, 4, 4}), Floats({0, 1}), std::nullopt, Ints({1, 1, 3, 3})});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("roi"), std::string::npos);
}

TEST(ResizeTest, AxesAttribute) {
  auto out = ResizeScales(Iota({1, 1, 4, 4}), {0.5}, Attrs().Ints("axes", {-1}));
  EXPECT_RESULT_NEAR(out, MakeTensor<float>({1, 1, 4, 2}, {1, 3, 5, 7, 9, 11, 13, 15}));
  out = ResizeSizes(Iota({2, 3}), {4, 2}, Attrs().Ints("axes", {1, 0}));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 4}));
  // Duplicate and out-of-range axes.
  out = ResizeScales(Iota({1, 1, 4, 4}), {2, 2}, Attrs().Ints("axes", {3, -1}));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("axes"), std::string::npos);
  out = ResizeScales(Iota({1, 1, 4, 4}), {2}, Attrs().Ints("axes", {4}));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("axes"), std::string::npos);
}

TEST(ResizeTest, KeepAspectRatioPolicy) {
  auto out = ResizeSizes(Iota({4, 4}), {2, 3},
                         Attrs().String("mode", "linear").String("keep_aspect_ratio_policy",
                                                                 "not_larger"));
  EXPECT_RESULT_NEAR(out, MakeTensor<float>({2, 2}, {3.5, 5.5, 11.5, 13.5}));
  out = ResizeSizes(Iota({4, 4}), {2, 3},
                    Attrs().String("keep_aspect_ratio_policy", "not_smaller"));
  EXPECT_RESULT_NEAR(out, MakeTensor<float>({3, 3}, {1, 2, 4, 5, 6, 8, 13, 14, 16}));
  out = ResizeSizes(Iota({4, 4}), {2, 3}, Attrs().String("keep_aspect_ratio_policy", "bigger"));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("keep_aspect_ratio_policy"), std::string::npos);
}

TEST(ResizeTest, Opset10UsesAsymmetricCoordinates) {
  Tensor x = Iota({1, 1, 4, 4});
  auto out = RunOp({.op_type = "Resize", .opset = 10}, {x, Floats({1, 1, 0.6f, 1.7f})});
  EXPECT_RESULT_NEAR(out,
                     MakeTensor<float>({1, 1, 2, 6}, {1, 1, 2, 2, 3, 3, 9, 9, 10, 10, 11, 11}));
  out = RunOp({.op_type = "Resize", .opset = 10, .attrs = Attrs().String("mode", "linear")},
              {x, Floats({1, 1, 0.6f, 1.7f})});
  EXPECT_RESULT_NEAR(out, MakeTensor<float>({1, 1, 2, 6},
                                            {1, 1.5882353f, 2.1764705f, 2.7647059f, 3.352941f,
                                             3.9411764f, 7.6666665f, 8.2549019f, 8.8431368f,
                                             9.4313717f, 10.019608f, 10.607842f}));
  // cubic did not exist yet.
  out = RunOp({.op_type = "Resize", .opset = 10, .attrs = Attrs().String("mode", "cubic")},
              {x, Floats({1, 1, 2, 2})});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("mode"), std::string::npos);
}

TEST(ResizeTest, Opset11EmptyScalesWithSizes) {
  Tensor empty_roi = *Tensor::Allocate(DType::kFloat32, Shape{0});
  Tensor empty_scales = *Tensor::Allocate(DType::kFloat32, Shape{0});
  auto out = RunOp({.op_type = "Resize", .opset = 11},
                   {Iota({1, 1, 2, 2}), empty_roi, empty_scales, Ints({1, 1, 4, 4})});
  EXPECT_RESULT_NEAR(out, MakeTensor<float>({1, 1, 4, 4}, {1, 1, 2, 2, 1, 1, 2, 2,  //
                                                           3, 3, 4, 4, 3, 3, 4, 4}));
  // tf_half_pixel_for_nn exists at 11 but not at 13.
  out = RunOp({.op_type = "Resize",
               .opset = 11,
               .attrs = Attrs().String("coordinate_transformation_mode", "tf_half_pixel_for_nn")},
              {Iota({1, 1, 4, 4}), empty_roi, empty_scales, Ints({1, 1, 3, 2})});
  EXPECT_RESULT_NEAR(out, MakeTensor<float>({1, 1, 3, 2}, {6, 8, 10, 12, 14, 16}));
  out = RunOp({.op_type = "Resize",
               .opset = 13,
               .attrs = Attrs().String("coordinate_transformation_mode", "tf_half_pixel_for_nn")},
              {Iota({1, 1, 4, 4}), empty_roi, empty_scales, Ints({1, 1, 3, 2})});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("coordinate_transformation_mode"), std::string::npos);
}

TEST(ResizeTest, IntegerStringAndBoolTypes) {
  Tensor u = MakeTensor<uint8_t>({1, 4}, {0, 100, 200, 255});
  auto out = ResizeScales(u, {1, 1.5}, Attrs().String("mode", "linear"));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<uint8_t>({1, 6}, {0, 50, 116, 183, 227, 255}));
  // Cubic overshoot saturates instead of wrapping.
  out = ResizeScales(u, {1, 1.5}, Attrs().String("mode", "cubic"));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<uint8_t>({1, 6}, {0, 40, 122, 182, 236, 255}));
  Tensor s = *Tensor::Allocate(DType::kString, Shape{2});
  s.data<std::string>()[0] = "a";
  s.data<std::string>()[1] = "b";
  out = ResizeScales(s, {2});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ((*out)[0].num_elements(), 4);
  EXPECT_EQ((*out)[0].data<std::string>()[1], "a");
  EXPECT_EQ((*out)[0].data<std::string>()[2], "b");
  out = ResizeScales(MakeBoolTensor({2}, {1, 0}), {2});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeBoolTensor({4}, {1, 1, 0, 0}));
  // Linear on strings is not defined.
  out = ResizeScales(s, {2}, Attrs().String("mode", "linear"));
  EXPECT_FALSE(out.ok());
  Tensor h = MakeTensor<Float16>({2}, {Float16(1.f), Float16(3.f)});
  out = ResizeSizes(h, {3}, Attrs().String("mode", "linear").String(
                                "coordinate_transformation_mode", "align_corners"));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<Float16>({3}, {Float16(1.f), Float16(2.f),
                                                        Float16(3.f)}));
}

TEST(ResizeTest, EmptyTensors) {
  // An empty non-resized axis gives an empty output.
  Tensor x = *Tensor::Allocate(DType::kFloat32, Shape{0, 1, 2, 2});
  auto out = ResizeScales(x, {1, 1, 2, 2}, Attrs().String("mode", "linear"));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{0, 1, 4, 4}));
  // Resizing to 0.
  out = ResizeSizes(Iota({2, 3}), {2, 0});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 0}));
  // A scale so small the output is empty.
  out = ResizeScales(Iota({2, 3}), {1, 0.1f}, Attrs().String("mode", "cubic"));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 0}));
  // Nothing to interpolate from.
  out = ResizeSizes(*Tensor::Allocate(DType::kFloat32, Shape{2, 0}), {2, 3});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("size 0"), std::string::npos);
}

TEST(ResizeTest, NonConstantSizesInference) {
  auto out = RunOp({.op_type = "Resize", .opset = 19, .attrs = Attrs().String("mode", "linear")},
                   {Iota({1, 1, 2, 2}), std::nullopt, std::nullopt, Ints({1, 1, 3, 3})},
                   /*inputs_are_constant=*/false);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{1, 1, 3, 3}));
}

TEST(ResizeTest, Errors) {
  Tensor x = Iota({1, 1, 2, 2});
  // Both scales and sizes / neither.
  auto out = RunOp({.op_type = "Resize", .opset = 19},
                   {x, std::nullopt, Floats({1, 1, 2, 2}), Ints({1, 1, 4, 4})});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("sizes"), std::string::npos);
  out = RunOp({.op_type = "Resize", .opset = 19}, {x});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("scales"), std::string::npos);
  // Wrong number of scales / sizes, bad values.
  out = ResizeScales(x, {2, 2});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("scales"), std::string::npos);
  out = ResizeSizes(x, {1, 1, 4});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("sizes"), std::string::npos);
  out = ResizeScales(x, {1, 1, -2, 2});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("scale"), std::string::npos);
  out = ResizeScales(x, {1, 1, 0, 2});
  EXPECT_FALSE(out.ok());
  out = ResizeSizes(x, {1, 1, -4, 4});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("sizes"), std::string::npos);
  // Bad attributes.
  out = ResizeScales(x, {1, 1, 2, 2}, Attrs().String("mode", "bicubic"));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("'mode'"), std::string::npos);
  out = ResizeScales(x, {1, 1, 2, 2}, Attrs().String("nearest_mode", "up"));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("nearest_mode"), std::string::npos);
  out = ResizeScales(x, {1, 1, 2, 2}, Attrs().String("coordinate_transformation_mode", "x"));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("coordinate_transformation_mode"), std::string::npos);
  out = ResizeScales(x, {1, 1, 2, 2}, Attrs().Int("antialias", 2));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("antialias"), std::string::npos);
  out = ResizeScales(x, {1, 1, 2, 2}, Attrs().Int("exclude_outside", -1));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("exclude_outside"), std::string::npos);
  // sizes of the wrong dtype.
  out = RunOp({.op_type = "Resize", .opset = 19},
              {x, std::nullopt, std::nullopt, MakeTensor<float>({4}, {1, 1, 4, 4})});
  EXPECT_FALSE(out.ok());
}

TEST(UpsampleTest, Opset7AttributeScales) {
  auto out = RunOp({.op_type = "Upsample", .opset = 7, .attrs = Attrs().Floats("scales", {1, 2})},
                   {Iota({2, 2})});
  EXPECT_RESULT_NEAR(out, MakeTensor<float>({2, 4}, {1, 1, 2, 2, 3, 3, 4, 4}));
  out = RunOp({.op_type = "Upsample",
               .opset = 7,
               .attrs = Attrs().Floats("scales", {1, 2}).String("mode", "linear")},
              {Iota({2, 2})});
  EXPECT_RESULT_NEAR(out, MakeTensor<float>({2, 4}, {1, 1.5, 2, 2, 3, 3.5, 4, 4}));
  // scales missing, < 1, or of the wrong length.
  EXPECT_FALSE(RunOp({.op_type = "Upsample", .opset = 7}, {Iota({2, 2})}).ok());
  out = RunOp({.op_type = "Upsample", .opset = 8, .attrs = Attrs().Floats("scales", {1, 0.5})},
              {Iota({2, 2})});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("scales"), std::string::npos);
  out = RunOp({.op_type = "Upsample", .opset = 7, .attrs = Attrs().Floats("scales", {2})},
              {Iota({2, 2})});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("scales"), std::string::npos);
}

TEST(UpsampleTest, Opset9InputScales) {
  auto out = RunOp({.op_type = "Upsample", .opset = 9},
                   {Iota({1, 1, 2, 2}), Floats({1, 1, 2, 3})});
  EXPECT_RESULT_NEAR(out, MakeTensor<float>({1, 1, 4, 6},
                                            {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2,
                                             3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4}));
  out = RunOp({.op_type = "Upsample", .opset = 9, .attrs = Attrs().String("mode", "cubic")},
              {Iota({1, 1, 2, 2}), Floats({1, 1, 2, 3})});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("mode"), std::string::npos);
  // Not registered after 9.
  EXPECT_FALSE(RunOp({.op_type = "Upsample", .opset = 10},
                     {Iota({1, 1, 2, 2}), Floats({1, 1, 2, 3})})
                   .ok());
}

}  // namespace
}  // namespace brisk
