// Conv: compared against a direct N-D loop written here.
#include <chrono>
#include <cmath>

#include "ir/graph.h"
#include "kernels/op_runner.h"
#include "kernels/registry.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using testing::Attrs;
using testing::MakeTensor;
using testing::RandomFloat;

struct ConvParams {
  std::vector<int64_t> strides, dilations, pads;  // pads: [begin..., end...]
  int64_t group = 1;
};

// Direct convolution in double: y[n][m][o...] = b[m] + sum_{c,k...} x[n][g*cg+c][o*s+k*d-p] * w.
Tensor NaiveConv(const Tensor& x, const Tensor& w, const Tensor* b, const ConvParams& p) {
  const int n = x.rank() - 2;
  const int64_t batch = x.dim(0), channels = x.dim(1), m = w.dim(0);
  const int64_t cg = channels / p.group, mg = m / p.group;
  const size_t un = static_cast<size_t>(n);
  std::vector<int64_t> in(un), k(un), s(un), d(un), pb(un), out(un);
  std::vector<int64_t> out_dims = {batch, m};
  for (int i = 0; i < n; ++i) {
    const size_t u = size_t(i);
    in[u] = x.dim(i + 2);
    k[u] = w.dim(i + 2);
    s[u] = p.strides.empty() ? 1 : p.strides[u];
    d[u] = p.dilations.empty() ? 1 : p.dilations[u];
    pb[u] = p.pads.empty() ? 0 : p.pads[u];
    const int64_t pe = p.pads.empty() ? 0 : p.pads[u + size_t(n)];
    out[u] = (in[u] + pb[u] + pe - (k[u] - 1) * d[u] - 1) / s[u] + 1;
    out_dims.push_back(out[u]);
  }
  Tensor y = *Tensor::Zeros(DType::kFloat32, Shape(out_dims));
  int64_t in_size = 1, k_size = 1, out_size = 1;
  for (int i = 0; i < n; ++i) {
    in_size *= in[size_t(i)];
    k_size *= k[size_t(i)];
    out_size *= out[size_t(i)];
  }
  const float* xd = x.data<float>();
  const float* wd = w.data<float>();
  float* yd = y.data<float>();
  std::vector<int64_t> oi(static_cast<size_t>(n)), ki(static_cast<size_t>(n));
  for (int64_t nb = 0; nb < batch; ++nb) {
    for (int64_t mm = 0; mm < m; ++mm) {
      const int64_t g = mm / mg;
      for (int64_t o = 0; o < out_size; ++o) {
        int64_t rem = o;
        for (int i = n - 1; i >= 0; --i) {
          oi[size_t(i)] = rem % out[size_t(i)];
          rem /= out[size_t(i)];
        }
        double acc = b ? b->data<float>()[mm] : 0.0;
        for (int64_t c = 0; c < cg; ++c) {
          for (int64_t kk = 0; kk < k_size; ++kk) {
            int64_t r = kk;
            for (int i = n - 1; i >= 0; --i) {
              ki[size_t(i)] = r % k[size_t(i)];
              r /= k[size_t(i)];
            }
            int64_t idx = 0;
            bool valid = true;
            for (int i = 0; i < n; ++i) {
              const size_t u = size_t(i);
              const int64_t pos = oi[u] * s[u] + ki[u] * d[u] - pb[u];
              if (pos < 0 || pos >= in[u]) valid = false;
              idx = idx * in[u] + pos;
            }
            if (!valid) continue;
            acc += double(xd[(nb * channels + g * cg + c) * in_size + idx]) *
                   double(wd[(mm * cg + c) * k_size + kk]);
          }
        }
        yd[(nb * m + mm) * out_size + o] = float(acc);
      }
    }
  }
  return y;
}

Attrs ConvAttrs(const ConvParams& p) {
  Attrs a;
  if (!p.strides.empty()) a.Ints("strides", p.strides);
  if (!p.dilations.empty()) a.Ints("dilations", p.dilations);
  if (!p.pads.empty()) a.Ints("pads", p.pads);
  a.Int("group", p.group);
  return a;
}

void CheckConv(Shape xs, Shape ws, bool bias, const ConvParams& p, int opset = 11,
               uint64_t seed = 1) {
  Tensor x = RandomFloat(xs, seed);
  Tensor w = RandomFloat(ws, seed + 1);
  Tensor b = RandomFloat({ws[0]}, seed + 2);
  auto out = RunOp({.op_type = "Conv", .opset = opset, .attrs = ConvAttrs(p)},
                   {x, w, bias ? std::optional<Tensor>(b) : std::nullopt});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_NEAR((*out)[0], NaiveConv(x, w, bias ? &b : nullptr, p), 1e-4, 1e-4);
}

TEST(ConvTest, Simple2DNoPad) { CheckConv({1, 1, 5, 5}, {1, 1, 3, 3}, false, {}); }

TEST(ConvTest, KnownValues) {
  // ONNX doc example: 5x5 ramp, 3x3 ones, pads 1.
  std::vector<float> xv(25);
  for (int i = 0; i < 25; ++i) xv[size_t(i)] = float(i);
  Tensor x = MakeTensor<float>({1, 1, 5, 5}, xv);
  Tensor w = MakeTensor<float>({1, 1, 3, 3}, std::vector<float>(9, 1.f));
  auto out = RunOp({.op_type = "Conv", .attrs = Attrs().Ints("pads", {1, 1, 1, 1})}, {x, w});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  Tensor expected = MakeTensor<float>(
      {1, 1, 5, 5}, {12, 21, 27, 33, 24, 33, 54, 63, 72, 51, 63, 99, 108, 117, 81,
                     93, 144, 153, 162, 111, 72, 111, 117, 123, 84});
  EXPECT_TENSOR_NEAR((*out)[0], expected, 1e-6, 1e-6);
}

TEST(ConvTest, BatchBiasPadsStrides) {
  CheckConv({3, 4, 9, 7}, {6, 4, 3, 3}, true, {.strides = {2, 2}, .pads = {1, 1, 1, 1}});
}

TEST(ConvTest, AsymmetricPadsOddSizes) {
  CheckConv({2, 3, 11, 13}, {5, 3, 4, 2}, true,
            {.strides = {3, 2}, .pads = {0, 2, 3, 1}});
}

TEST(ConvTest, Dilations) {
  CheckConv({1, 2, 10, 9}, {3, 2, 3, 2}, true, {.dilations = {2, 3}, .pads = {2, 1, 0, 3}});
}

TEST(ConvTest, Groups) {
  CheckConv({2, 6, 8, 8}, {9, 2, 3, 3}, true, {.pads = {1, 1, 1, 1}, .group = 3});
}

TEST(ConvTest, Depthwise) {
  CheckConv({2, 8, 7, 7}, {8, 1, 3, 3}, true,
            {.strides = {2, 2}, .pads = {1, 1, 1, 1}, .group = 8});
}

TEST(ConvTest, DepthwiseMultiplier) {
  CheckConv({1, 4, 6, 5}, {8, 1, 3, 3}, false, {.pads = {1, 1, 1, 1}, .group = 4});
}

TEST(ConvTest, OneByOne) { CheckConv({2, 70, 9, 9}, {33, 70, 1, 1}, true, {}); }

TEST(ConvTest, Conv1D) {
  CheckConv({2, 3, 17}, {4, 3, 5}, true, {.strides = {2}, .dilations = {2}, .pads = {3, 1}});
}

TEST(ConvTest, Conv3D) {
  CheckConv({2, 2, 5, 6, 7}, {3, 2, 3, 2, 3}, true,
            {.strides = {1, 2, 2}, .pads = {1, 0, 1, 1, 1, 0}});
}

TEST(ConvTest, Conv3DGroupsDilation) {
  CheckConv({1, 4, 6, 6, 6}, {4, 2, 2, 2, 2}, true,
            {.dilations = {2, 1, 2}, .pads = {0, 1, 0, 0, 1, 0}, .group = 2});
}

TEST(ConvTest, Opset1) { CheckConv({1, 2, 5, 5}, {2, 2, 3, 3}, true, {.pads = {1, 1, 1, 1}}, 1); }

TEST(ConvTest, AutoPadSameUpper) {
  Tensor x = RandomFloat({2, 3, 7, 8}, 5);
  Tensor w = RandomFloat({4, 3, 4, 3}, 6);
  auto out = RunOp({.op_type = "Conv",
                    .attrs = Attrs().String("auto_pad", "SAME_UPPER").Ints("strides", {2, 3})},
                   {x, w});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  // out = ceil(in / stride) = [4, 3]; total pad = (4-1)*2+4-7 = 3 -> [1, 2];
  // (3-1)*3+3-8 = 1 -> [0, 1].
  EXPECT_TENSOR_NEAR((*out)[0], NaiveConv(x, w, nullptr, {.strides = {2, 3}, .pads = {1, 0, 2, 1}}),
                     1e-4, 1e-4);
}

TEST(ConvTest, AutoPadSameLower) {
  Tensor x = RandomFloat({1, 2, 7, 8}, 7);
  Tensor w = RandomFloat({3, 2, 4, 3}, 8);
  auto out = RunOp({.op_type = "Conv",
                    .attrs = Attrs().String("auto_pad", "SAME_LOWER").Ints("strides", {2, 3})},
                   {x, w});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_NEAR((*out)[0], NaiveConv(x, w, nullptr, {.strides = {2, 3}, .pads = {2, 1, 1, 0}}),
                     1e-4, 1e-4);
}

TEST(ConvTest, AutoPadValid) {
  Tensor x = RandomFloat({1, 2, 7, 8}, 9);
  Tensor w = RandomFloat({3, 2, 3, 3}, 10);
  auto out = RunOp({.op_type = "Conv",
                    .attrs = Attrs().String("auto_pad", "VALID").Ints("pads", {1, 1, 1, 1})},
                   {x, w});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_NEAR((*out)[0], NaiveConv(x, w, nullptr, {}), 1e-4, 1e-4);
}

TEST(ConvTest, EmptyBatch) {
  Tensor x = *Tensor::Zeros(DType::kFloat32, {0, 3, 5, 5});
  Tensor w = RandomFloat({2, 3, 3, 3}, 1);
  auto out = RunOp({.op_type = "Conv"}, {x, w});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({0, 2, 3, 3}));
}

TEST(ConvTest, Float64AndFloat16) {
  Tensor xf = RandomFloat({1, 2, 6, 6}, 3);
  Tensor wf = RandomFloat({3, 2, 3, 3}, 4);
  Tensor expected = NaiveConv(xf, wf, nullptr, {.pads = {1, 1, 1, 1}});
  Tensor xd = *Tensor::Allocate(DType::kFloat64, xf.shape());
  Tensor wd = *Tensor::Allocate(DType::kFloat64, wf.shape());
  Tensor xh = *Tensor::Allocate(DType::kFloat16, xf.shape());
  Tensor wh = *Tensor::Allocate(DType::kFloat16, wf.shape());
  for (int64_t i = 0; i < xf.num_elements(); ++i) {
    xd.data<double>()[i] = xf.data<float>()[i];
    xh.data<Float16>()[i] = Float16(xf.data<float>()[i]);
  }
  for (int64_t i = 0; i < wf.num_elements(); ++i) {
    wd.data<double>()[i] = wf.data<float>()[i];
    wh.data<Float16>()[i] = Float16(wf.data<float>()[i]);
  }
  Attrs attrs = Attrs().Ints("pads", {1, 1, 1, 1});
  auto outd = RunOp({.op_type = "Conv", .attrs = attrs}, {xd, wd});
  auto outh = RunOp({.op_type = "Conv", .attrs = attrs}, {xh, wh});
  ASSERT_TRUE(outd.ok()) << outd.status().ToString();
  ASSERT_TRUE(outh.ok()) << outh.status().ToString();
  ASSERT_EQ((*outd)[0].dtype(), DType::kFloat64);
  ASSERT_EQ((*outh)[0].dtype(), DType::kFloat16);
  for (int64_t i = 0; i < expected.num_elements(); ++i) {
    EXPECT_NEAR((*outd)[0].data<double>()[i], expected.data<float>()[i], 1e-5);
    EXPECT_NEAR(float((*outh)[0].data<Float16>()[i]), expected.data<float>()[i], 2e-2);
  }
}

TEST(ConvTest, KernelShapeAttributeMustMatchW) {
  auto out = RunOp({.op_type = "Conv", .attrs = Attrs().Ints("kernel_shape", {2, 2})},
                   {RandomFloat({1, 1, 5, 5}, 1), RandomFloat({1, 1, 3, 3}, 2)});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("kernel_shape"), std::string::npos);
}

TEST(ConvTest, ErrorWrongWRank) {
  auto out = RunOp({.op_type = "Conv"}, {RandomFloat({1, 1, 5, 5}, 1), RandomFloat({1, 1, 3}, 2)});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("input 1 'W'"), std::string::npos)
      << out.status().ToString();
}

TEST(ConvTest, ErrorChannelsNotMatchingGroup) {
  auto out = RunOp({.op_type = "Conv", .attrs = Attrs().Int("group", 2)},
                   {RandomFloat({1, 6, 5, 5}, 1), RandomFloat({4, 2, 3, 3}, 2)});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("group"), std::string::npos) << out.status().ToString();
  auto out2 = RunOp({.op_type = "Conv", .attrs = Attrs().Int("group", 2)},
                    {RandomFloat({1, 6, 5, 5}, 1), RandomFloat({5, 3, 3, 3}, 2)});
  ASSERT_FALSE(out2.ok());
  EXPECT_NE(out2.status().message().find("divisible"), std::string::npos);
}

TEST(ConvTest, ErrorKernelLargerThanInput) {
  auto out = RunOp({.op_type = "Conv"},
                   {RandomFloat({1, 1, 2, 5}, 1), RandomFloat({1, 1, 3, 3}, 2)});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("larger than the padded input"), std::string::npos)
      << out.status().ToString();
}

TEST(ConvTest, ErrorBadAttributes) {
  Tensor x = RandomFloat({1, 1, 5, 5}, 1), w = RandomFloat({1, 1, 3, 3}, 2);
  for (Attrs a : {Attrs().Ints("strides", {0, 1}), Attrs().Ints("strides", {1, 1, 1}),
                  Attrs().Ints("pads", {1, 1}), Attrs().Ints("dilations", {-1, 1}),
                  Attrs().String("auto_pad", "SAME"), Attrs().Int("group", 0)}) {
    auto out = RunOp({.op_type = "Conv", .attrs = a}, {x, w});
    EXPECT_FALSE(out.ok());
    EXPECT_NE(out.status().message().find("attribute '"), std::string::npos)
        << out.status().ToString();
  }
}

TEST(ConvTest, ErrorBadBiasAndMissingW) {
  auto out = RunOp({.op_type = "Conv"}, {RandomFloat({1, 1, 5, 5}, 1),
                                         RandomFloat({2, 1, 3, 3}, 2), RandomFloat({3}, 3)});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("input 2 'B'"), std::string::npos);
  auto out2 = RunOp({.op_type = "Conv"}, {RandomFloat({1, 1, 5, 5}, 1), std::nullopt});
  ASSERT_FALSE(out2.ok());
  auto out3 = RunOp({.op_type = "Conv"}, {RandomFloat({5, 5}, 1), RandomFloat({5, 5}, 1)});
  ASSERT_FALSE(out3.ok());
  EXPECT_NE(out3.status().message().find("input 0 'X'"), std::string::npos);
}

TEST(ConvTest, ErrorIntegerDtype) {
  auto out = RunOp({.op_type = "Conv"}, {MakeTensor<int32_t>({1, 1, 1, 1}, {1}),
                                         MakeTensor<int32_t>({1, 1, 1, 1}, {1})});
  ASSERT_FALSE(out.ok());
}

TEST(ConvTest, SymbolicBatchFlowsThroughInference) {
  ir::Graph graph("g");
  ir::Node* node = graph.AddNode("Conv", "c");
  node->opset = 13;
  node->attrs = Attrs().Ints("pads", {1, 1, 1, 1}).Ints("strides", {2, 2});
  const OpDef* def = OpRegistry::Global().Find("", "Conv", 13);
  ASSERT_NE(def, nullptr);
  ir::Value* xv = *graph.AddValue("x");
  ir::Value* wv = *graph.AddValue("w");
  ir::Value* yv = *graph.AddValue("y");
  node->inputs = {xv, wv};
  node->outputs = {yv};
  std::vector<ir::TypeInfo> types = {
      {DType::kFloat32, SymbolicShape({Dim::Symbol("N"), Dim::Known(3), Dim::Known(224),
                                       Dim::Unknown()})},
      {DType::kFloat32, SymbolicShape({Dim::Known(64), Dim::Known(3), Dim::Known(7),
                                       Dim::Known(7)})}};
  node->attrs = Attrs().Ints("pads", {3, 3, 3, 3}).Ints("strides", {2, 2});
  InferenceContext ctx(*node, types, {nullptr, nullptr});
  ASSERT_TRUE(def->infer(ctx).ok());
  const auto& t = ctx.output_types()[0];
  EXPECT_EQ(t.dtype, DType::kFloat32);
  ASSERT_TRUE(t.shape.has_value());
  EXPECT_EQ(t.shape->ToString(), "[N, 64, 112, ?]");
}

// ResNet-18's conv layers at batch 1 (about 1.8 GMAC): must stay fast enough for the oracle
// tests. Only timed in optimised builds.
TEST(ConvTest, ResNet18LayersAreFast) {
#ifndef NDEBUG
  GTEST_SKIP() << "timing only in optimised builds";
#endif
  struct Layer {
    int64_t c, m, hw, k, s, count;
  };
  const Layer layers[] = {{3, 64, 224, 7, 2, 1},    {64, 64, 56, 3, 1, 4},
                          {64, 128, 56, 3, 2, 1},   {128, 128, 28, 3, 1, 3},
                          {128, 256, 28, 3, 2, 1},  {256, 256, 14, 3, 1, 3},
                          {256, 512, 14, 3, 2, 1},  {512, 512, 7, 3, 1, 3}};
  const auto start = std::chrono::steady_clock::now();
  for (const Layer& l : layers) {
    Tensor x = RandomFloat({1, l.c, l.hw, l.hw}, 1);
    Tensor w = RandomFloat({l.m, l.c, l.k, l.k}, 2);
    const int64_t p = l.k / 2;
    for (int64_t i = 0; i < l.count; ++i) {
      auto out = RunOp({.op_type = "Conv",
                        .attrs = Attrs().Ints("pads", {p, p, p, p}).Ints("strides", {l.s, l.s})},
                       {x, w});
      ASSERT_TRUE(out.ok()) << out.status().ToString();
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("ResNet-18 conv layers: %.2f s\n", seconds);
  EXPECT_LT(seconds, 5.0);
}

}  // namespace
}  // namespace brisk
