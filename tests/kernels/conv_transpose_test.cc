// ConvTranspose and Col2Im: compared against direct scatter loops written here.
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


SymbolicShape Sym(std::vector<Dim> d) { return SymbolicShape(std::move(d)); }

struct TParams {
  std::vector<int64_t> strides, dilations, pads_begin;
  std::vector<int64_t> out;  // output spatial size
  int64_t group = 1;
};

// y[n][g*mg+m][i*s + k*d - pb] += x[n][g*cg+c][i] * w[g*cg+c][m][k]
Tensor NaiveConvTranspose(const Tensor& x, const Tensor& w, const Tensor* b, const TParams& p) {
  const int n = x.rank() - 2;
  const int64_t batch = x.dim(0), channels = x.dim(1), group = p.group;
  const int64_t cg = channels / group, mg = w.dim(1), m = mg * group;
  std::vector<int64_t> out_dims = {batch, m};
  for (int64_t v : p.out) out_dims.push_back(v);
  Tensor y = *Tensor::Zeros(DType::kFloat32, Shape(out_dims));
  int64_t in_size = 1, k_size = 1, out_size = 1;
  for (int i = 0; i < n; ++i) {
    in_size *= x.dim(i + 2);
    k_size *= w.dim(i + 2);
    out_size *= p.out[size_t(i)];
  }
  std::vector<double> acc(size_t(y.num_elements()), 0.0);
  for (int64_t nb = 0; nb < batch; ++nb)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < in_size; ++i)
        for (int64_t mm = 0; mm < mg; ++mm)
          for (int64_t k = 0; k < k_size; ++k) {
            int64_t ri = i, rk = k, idx = 0;
            std::vector<int64_t> pos(static_cast<size_t>(n));
            bool valid = true;
            for (int a = n - 1; a >= 0; --a) {
              const size_t u = size_t(a);
              const int64_t ii = ri % x.dim(a + 2), kk = rk % w.dim(a + 2);
              ri /= x.dim(a + 2);
              rk /= w.dim(a + 2);
              const int64_t s = p.strides.empty() ? 1 : p.strides[u];
              const int64_t d = p.dilations.empty() ? 1 : p.dilations[u];
              const int64_t pb = p.pads_begin.empty() ? 0 : p.pads_begin[u];
              pos[u] = ii * s + kk * d - pb;
              if (pos[u] < 0 || pos[u] >= p.out[u]) valid = false;
            }
            if (!valid) continue;
            for (int a = 0; a < n; ++a) idx = idx * p.out[size_t(a)] + pos[size_t(a)];
            const int64_t g = c / cg;
            const int64_t oc = g * mg + mm;
            acc[size_t((nb * m + oc) * out_size + idx)] +=
                double(x.data<float>()[(nb * channels + c) * in_size + i]) *
                double(w.data<float>()[(c * mg + mm) * k_size + k]);
          }
  for (int64_t i = 0; i < y.num_elements(); ++i) {
    const int64_t oc = (i / out_size) % m;
    y.data<float>()[i] = float(acc[size_t(i)] + (b ? double(b->data<float>()[oc]) : 0.0));
  }
  return y;
}

void CheckTranspose(Shape xs, Shape ws, bool bias, Attrs attrs, const TParams& p) {
  Tensor x = RandomFloat(xs, 11);
  Tensor w = RandomFloat(ws, 12);
  Tensor b = RandomFloat({ws[1] * p.group}, 13);
  auto out = RunOp({.op_type = "ConvTranspose", .opset = 11, .attrs = attrs},
                   {x, w, bias ? std::optional<Tensor>(b) : std::nullopt});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_NEAR((*out)[0], NaiveConvTranspose(x, w, bias ? &b : nullptr, p), 1e-4, 1e-4);
}

TEST(ConvTransposeTest, Simple2D) {
  CheckTranspose({1, 1, 3, 3}, {1, 2, 3, 3}, false, Attrs(), {.out = {5, 5}});
}

TEST(ConvTransposeTest, StridesPadsBias) {
  // out = s*(in-1) + k - pb - pe = 2*3 + 3 - 1 - 2 = 6; 3*4 + 2 - 0 - 1 = 13
  CheckTranspose({2, 3, 4, 5}, {3, 2, 3, 2}, true,
                 Attrs().Ints("strides", {2, 3}).Ints("pads", {1, 0, 2, 1}),
                 {.strides = {2, 3}, .pads_begin = {1, 0}, .out = {6, 13}});
}

TEST(ConvTransposeTest, OutputPaddingAndDilations) {
  // out = 2*(4-1) + 1 + (3-1)*2+1 = 12; 1*(3-1) + 0 + (2-1)*3+1 = 6
  CheckTranspose({1, 2, 4, 3}, {2, 3, 3, 2}, true,
                 Attrs().Ints("strides", {2, 1}).Ints("dilations", {2, 3})
                     .Ints("output_padding", {1, 0}),
                 {.strides = {2, 1}, .dilations = {2, 3}, .out = {12, 6}});
}

TEST(ConvTransposeTest, Groups) {
  CheckTranspose({2, 4, 3, 3}, {4, 3, 2, 2}, true,
                 Attrs().Int("group", 2).Ints("strides", {2, 2}),
                 {.strides = {2, 2}, .out = {6, 6}, .group = 2});
}

TEST(ConvTransposeTest, Depthwise) {
  CheckTranspose({1, 3, 4, 4}, {3, 1, 3, 3}, false,
                 Attrs().Int("group", 3).Ints("pads", {1, 1, 1, 1}),
                 {.pads_begin = {1, 1}, .out = {4, 4}, .group = 3});
}

TEST(ConvTransposeTest, OutputShapeSetsPads) {
  // total = 2*(3-1) + 3 - 6 = 1: NOTSET puts the extra pad at the beginning.
  CheckTranspose({1, 1, 3, 3}, {1, 1, 3, 3}, false,
                 Attrs().Ints("strides", {2, 2}).Ints("output_shape", {6, 6}),
                 {.strides = {2, 2}, .pads_begin = {1, 1}, .out = {6, 6}});
  // total negative: the output grows at the end.
  CheckTranspose({1, 1, 3, 3}, {1, 2, 3, 3}, true,
                 Attrs().Ints("strides", {3, 2}).Ints("output_shape", {10, 8}),
                 {.strides = {3, 2}, .out = {10, 8}});
}

TEST(ConvTransposeTest, AutoPadSame) {
  // out = in * stride = 6; total = 2*2 + 3 - 6 = 1; SAME_UPPER -> begin 0, SAME_LOWER -> 1.
  CheckTranspose({1, 1, 3, 3}, {1, 2, 3, 3}, false,
                 Attrs().Ints("strides", {2, 2}).String("auto_pad", "SAME_UPPER"),
                 {.strides = {2, 2}, .pads_begin = {0, 0}, .out = {6, 6}});
  CheckTranspose({1, 1, 3, 3}, {1, 2, 3, 3}, false,
                 Attrs().Ints("strides", {2, 2}).String("auto_pad", "SAME_LOWER"),
                 {.strides = {2, 2}, .pads_begin = {1, 1}, .out = {6, 6}});
}

TEST(ConvTransposeTest, AutoPadValid) {
  CheckTranspose({1, 1, 3, 3}, {1, 2, 3, 3}, false,
                 Attrs().Ints("strides", {2, 2}).String("auto_pad", "VALID"),
                 {.strides = {2, 2}, .out = {7, 7}});
}

TEST(ConvTransposeTest, OneDAndThreeD) {
  CheckTranspose({2, 2, 5}, {2, 3, 3}, true, Attrs().Ints("strides", {3}).Ints("pads", {1, 1}),
                 {.strides = {3}, .pads_begin = {1}, .out = {13}});
  CheckTranspose({1, 2, 3, 2, 3}, {2, 2, 2, 3, 2}, true,
                 Attrs().Ints("strides", {1, 2, 2}),
                 {.strides = {1, 2, 2}, .out = {4, 5, 6}});
}

TEST(ConvTransposeTest, EmptyBatch) {
  Tensor x = *Tensor::Zeros(DType::kFloat32, {0, 1, 3, 3});
  auto out = RunOp({.op_type = "ConvTranspose"}, {x, RandomFloat({1, 2, 3, 3}, 1)});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({0, 2, 5, 5}));
}

TEST(ConvTransposeTest, Float64) {
  Tensor x = MakeTensor<double>({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor w = MakeTensor<double>({1, 1, 2, 2}, {1, 10, 100, 1000});
  auto out = RunOp({.op_type = "ConvTranspose", .attrs = Attrs().Ints("strides", {2, 2})},
                   {x, w});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<double>({1, 1, 4, 4},
                                                 {1, 10, 2, 20, 100, 1000, 200, 2000, 3, 30,
                                                  4, 40, 300, 3000, 400, 4000}));
}

TEST(ConvTransposeTest, Errors) {
  Tensor x = RandomFloat({1, 4, 3, 3}, 1);
  auto bad_w = RunOp({.op_type = "ConvTranspose"}, {x, RandomFloat({3, 1, 3, 3}, 2)});
  ASSERT_FALSE(bad_w.ok());
  EXPECT_NE(bad_w.status().message().find("input 1 'W'"), std::string::npos);
  auto bad_group = RunOp({.op_type = "ConvTranspose", .attrs = Attrs().Int("group", 3)},
                         {x, RandomFloat({4, 1, 3, 3}, 2)});
  ASSERT_FALSE(bad_group.ok());
  EXPECT_NE(bad_group.status().message().find("group"), std::string::npos);
  auto bad_pads = RunOp({.op_type = "ConvTranspose", .attrs = Attrs().Ints("pads", {3, 3, 3, 3})},
                        {x, RandomFloat({4, 1, 3, 3}, 2)});
  ASSERT_FALSE(bad_pads.ok());
  EXPECT_NE(bad_pads.status().message().find("'pads'"), std::string::npos);
  auto bad_op = RunOp({.op_type = "ConvTranspose", .attrs = Attrs().Ints("output_padding", {1})},
                      {x, RandomFloat({4, 1, 3, 3}, 2)});
  ASSERT_FALSE(bad_op.ok());
  EXPECT_NE(bad_op.status().message().find("output_padding"), std::string::npos);
  auto bad_rank = RunOp({.op_type = "ConvTranspose"}, {x, RandomFloat({4, 1, 3}, 2)});
  ASSERT_FALSE(bad_rank.ok());
}


TEST(ConvTransposeTest, SymbolicInference) {
  const Dim n = Dim::Symbol("N");
  ir::TypeInfo x{DType::kFloat32, Sym({n, Dim::Known(4), Dim::Known(5), Dim::Unknown()})};
  ir::TypeInfo w{DType::kFloat32, Sym({Dim::Known(4), Dim::Known(3), Dim::Known(3),
                                       Dim::Known(3)})};
  EXPECT_EQ(testing::InferOutputString("ConvTranspose", 11,
                        Attrs().Int("group", 2).Ints("strides", {2, 2})
                            .Ints("output_padding", {1, 1}),
                        {x, w}),
            "float32 [N, 6, 12, ?]");
  EXPECT_EQ(testing::InferOutputString("ConvTranspose", 11,
                        Attrs().String("auto_pad", "SAME_UPPER").Ints("strides", {3, 3}),
                        {x, w}),
            "float32 [N, 3, 15, ?]");
}

// ---- Col2Im --------------------------------------------------------------------------------

TEST(Col2ImTest, OnnxExample) {
  // onnx test_col2im: 5x5 image, 1x5 blocks, every column holds its own index + 1.
  std::vector<float> v(25);
  for (int i = 0; i < 25; ++i) v[size_t(i)] = float(i + 1);
  Tensor x = MakeTensor<float>({1, 5, 5}, v);
  auto out = RunOp({.op_type = "Col2Im", .opset = 18},
                   {x, MakeTensor<int64_t>({2}, {5, 5}), MakeTensor<int64_t>({2}, {1, 5})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  std::vector<float> e(25);
  for (int r = 0; r < 5; ++r)
    for (int c = 0; c < 5; ++c) e[size_t(r * 5 + c)] = float(c * 5 + r + 1);
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({1, 1, 5, 5}, e));
}

TEST(Col2ImTest, InverseOfIm2ColSums) {
  // 2 channels, 4x4 image, 2x2 blocks, stride 2, pad 1, dilation 1: every pixel appears once.
  const int64_t c = 2;
  Tensor img = RandomFloat({1, c, 4, 4}, 3);
  // im2col by hand: blocks on a 3x3 grid (out = (4 + 2 - 2) / 2 + 1 = 3).
  std::vector<float> col(size_t(c * 4 * 9), 0.f);
  for (int64_t ch = 0; ch < c; ++ch)
    for (int64_t kh = 0; kh < 2; ++kh)
      for (int64_t kw = 0; kw < 2; ++kw)
        for (int64_t oh = 0; oh < 3; ++oh)
          for (int64_t ow = 0; ow < 3; ++ow) {
            const int64_t ih = oh * 2 + kh - 1, iw = ow * 2 + kw - 1;
            if (ih < 0 || ih >= 4 || iw < 0 || iw >= 4) continue;
            col[size_t(((ch * 4 + kh * 2 + kw) * 9) + oh * 3 + ow)] =
                img.data<float>()[(ch * 4 + ih) * 4 + iw];
          }
  auto out = RunOp({.op_type = "Col2Im", .opset = 18,
                    .attrs = Attrs().Ints("strides", {2, 2}).Ints("pads", {1, 1, 1, 1})},
                   {MakeTensor<float>({1, c * 4, 9}, col), MakeTensor<int64_t>({2}, {4, 4}),
                    MakeTensor<int64_t>({2}, {2, 2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], img);
}

TEST(Col2ImTest, Errors) {
  auto bad_l = RunOp({.op_type = "Col2Im", .opset = 18},
                     {RandomFloat({1, 5, 4}, 1), MakeTensor<int64_t>({2}, {5, 5}),
                      MakeTensor<int64_t>({2}, {1, 5})});
  ASSERT_FALSE(bad_l.ok());
  auto bad_c = RunOp({.op_type = "Col2Im", .opset = 18},
                     {RandomFloat({1, 4, 5}, 1), MakeTensor<int64_t>({2}, {5, 5}),
                      MakeTensor<int64_t>({2}, {1, 5})});
  ASSERT_FALSE(bad_c.ok());
  EXPECT_NE(bad_c.status().message().find("divisible"), std::string::npos);
  auto bad_block = RunOp({.op_type = "Col2Im", .opset = 18},
                         {RandomFloat({1, 5, 5}, 1), MakeTensor<int64_t>({2}, {5, 5}),
                          MakeTensor<int64_t>({2}, {0, 5})});
  ASSERT_FALSE(bad_block.ok());
  EXPECT_NE(bad_block.status().message().find("block_shape"), std::string::npos);
}

}  // namespace
}  // namespace brisk
