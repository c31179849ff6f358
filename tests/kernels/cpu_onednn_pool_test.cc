// The oneDNN MaxPool / AveragePool / GlobalMaxPool / GlobalAveragePool kernels against the
// reference kernels on seeded random data: odd channel counts, batch 1 and >1, strides, pads,
// dilations, auto_pad, ceil_mode, count_include_pad, 1-D/2-D/3-D, 1 and 2 threads; and the nodes
// the kernel must decline.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cpu_onednn_test_util.h"

namespace brisk::testing {
namespace {

struct PoolCase {
  std::string name;
  std::vector<int64_t> x;
  std::vector<int64_t> kernel, strides, pads, dilations;
  std::string auto_pad;
  int ceil_mode = 0;
};

ir::AttributeMap PoolAttrs(const PoolCase& c) {
  Attrs a;
  a.Ints("kernel_shape", c.kernel);
  if (!c.strides.empty()) a.Ints("strides", c.strides);
  if (!c.pads.empty()) a.Ints("pads", c.pads);
  if (!c.dilations.empty()) a.Ints("dilations", c.dilations);
  if (!c.auto_pad.empty()) a.String("auto_pad", c.auto_pad);
  if (c.ceil_mode != 0) a.Int("ceil_mode", c.ceil_mode);
  return a;
}

std::vector<PoolCase> Cases() {
  return {
      {"2x2_s2", {1, 3, 8, 8}, {2, 2}, {2, 2}},
      {"3x3_s2_p1_resnet", {2, 7, 15, 16}, {3, 3}, {2, 2}, {1, 1, 1, 1}},
      {"3x3_s1_asym_pad", {1, 17, 9, 7}, {3, 3}, {}, {0, 1, 2, 1}},
      {"odd_remainder", {2, 3, 9, 11}, {2, 3}, {2, 2}},
      {"ceil", {1, 7, 9, 11}, {3, 3}, {2, 2}, {}, {}, "", 1},
      {"ceil_pad", {1, 3, 10, 10}, {3, 3}, {2, 2}, {1, 1, 1, 1}, {}, "", 1},
      {"same_upper", {1, 3, 10, 9}, {3, 3}, {2, 2}, {}, {}, "SAME_UPPER"},
      {"same_lower", {2, 5, 7, 7}, {2, 2}, {1, 1}, {}, {}, "SAME_LOWER"},
      {"valid", {1, 3, 9, 9}, {3, 3}, {3, 3}, {}, {}, "VALID"},
      {"pool1d", {2, 7, 21}, {3}, {2}, {1, 1}},
      {"pool3d", {1, 3, 6, 7, 8}, {2, 2, 2}, {2, 2, 2}},
  };
}

class PoolTest : public ::testing::TestWithParam<PoolCase> {};

TEST_P(PoolTest, MaxPoolMatchesReference) {
  const PoolCase& c = GetParam();
  Tensor x = RandomFloat(Shape(c.x), 1, -2.f, 2.f);
  for (int threads : {1, 2}) {
    for (int opset : {8, 12, 22}) {
      ExpectCpuMatchesReference({.op_type = "MaxPool", .opset = opset, .attrs = PoolAttrs(c)},
                                {x}, threads);
    }
  }
}

TEST_P(PoolTest, AveragePoolMatchesReference) {
  const PoolCase& c = GetParam();
  Tensor x = RandomFloat(Shape(c.x), 2, -2.f, 2.f);
  for (int include : {0, 1}) {
    ir::AttributeMap attrs = PoolAttrs(c);
    ir::AttributeMap extra = Attrs().Int("count_include_pad", include);
    for (const auto& [name, value] : extra.all()) attrs.Set(name, value);
    const OpSpec spec{.op_type = "AveragePool", .opset = 19, .attrs = attrs};
    // Counting padding with ceil_mode windows that pass the end padding (ceil_pad: the last
    // window covers rows 9..11 of a 10-row input padded to 11): ONNX divides by the clipped
    // window, oneDNN by the kernel; the kernel declines.
    if (include == 1 && c.name == "ceil_pad") {
      ExpectCpuDeclines(spec, {x});
      continue;
    }
    for (int threads : {1, 2}) ExpectCpuMatchesReference(spec, {x}, threads);
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, PoolTest, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.name; });

// oneDNN 2.6 has only its naive reference implementation for dilated pooling.
TEST(OnednnPoolDeclines, MaxPoolDilations) {
  Tensor x = RandomFloat(Shape{2, 7, 13, 12}, 3);
  const OpSpec spec{.op_type = "MaxPool",
                    .opset = 12,
                    .attrs = Attrs()
                                 .Ints("kernel_shape", {3, 3})
                                 .Ints("dilations", {2, 2})
                                 .Ints("pads", {1, 1, 1, 1})};
  ExpectCpuDeclines(spec, {x});
}

TEST(OnednnPool, GlobalPoolsMatchReference) {
  for (const Shape& s : {Shape{1, 3, 7, 7}, Shape{2, 17, 5, 9}, Shape{2, 7, 11},
                         Shape{1, 5, 3, 4, 5}, Shape{4, 2048, 7, 7}}) {
    Tensor x = RandomFloat(s, 4, -2.f, 2.f);
    for (int threads : {1, 2}) {
      ExpectCpuMatchesReference({.op_type = "GlobalAveragePool", .opset = 1}, {x}, threads);
      ExpectCpuMatchesReference({.op_type = "GlobalMaxPool", .opset = 1}, {x}, threads);
    }
  }
}

TEST(OnednnPoolDeclines, IndicesOutputAndOtherTypes) {
  Tensor x = RandomFloat(Shape{1, 3, 8, 8}, 1);
  ExpectCpuDeclines(
      {.op_type = "MaxPool", .opset = 12, .attrs = Attrs().Ints("kernel_shape", {2, 2}),
       .num_outputs = 2},
      {x});
  Tensor xi = *Tensor::Zeros(DType::kUInt8, Shape{1, 3, 8, 8});
  ExpectCpuDeclines(
      {.op_type = "MaxPool", .opset = 12, .attrs = Attrs().Ints("kernel_shape", {2, 2})}, {xi});
  Tensor xd = *Tensor::Zeros(DType::kFloat64, Shape{1, 3, 8, 8});
  ExpectCpuDeclines({.op_type = "GlobalAveragePool", .opset = 1}, {xd});
  Tensor empty = *Tensor::Zeros(DType::kFloat32, Shape{0, 3, 8, 8});
  ExpectCpuDeclines({.op_type = "GlobalMaxPool", .opset = 1}, {empty});
}

}  // namespace
}  // namespace brisk::testing
