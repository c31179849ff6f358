// MaxPool, AveragePool, LpPool, Global*Pool, MaxUnpool: compared against direct loops here.
#include <cmath>
#include <limits>

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

enum class Kind { kMax, kAvg, kAvgIncludePad, kLp2 };

struct PoolParams {
  std::vector<int64_t> kernel, strides, dilations, pads;  // pads [begin..., end...]
  std::vector<int64_t> out;                               // expected output spatial size
};

// Direct pooling: window positions o*s + k*d - pb, skipping those outside the input; with
// kAvgIncludePad the divisor counts positions inside input + explicit pads.
Tensor NaivePool(const Tensor& x, Kind kind, const PoolParams& p, Tensor* indices = nullptr,
                 bool column_major = false) {
  const int n = x.rank() - 2;
  std::vector<int64_t> out_dims = {x.dim(0), x.dim(1)};
  for (int64_t v : p.out) out_dims.push_back(v);
  Tensor y = *Tensor::Zeros(DType::kFloat32, Shape(out_dims));
  if (indices) *indices = *Tensor::Zeros(DType::kInt64, Shape(out_dims));
  int64_t in_size = 1, out_size = 1, k_size = 1;
  for (int i = 0; i < n; ++i) {
    in_size *= x.dim(i + 2);
    out_size *= p.out[size_t(i)];
    k_size *= p.kernel[size_t(i)];
  }
  for (int64_t plane = 0; plane < x.dim(0) * x.dim(1); ++plane) {
    for (int64_t o = 0; o < out_size; ++o) {
      double best = -std::numeric_limits<double>::infinity(), sum = 0;
      int64_t best_idx = -1, count = 0, padded = 0;
      for (int64_t k = 0; k < k_size; ++k) {
        int64_t ro = o, rk = k, idx = 0, cidx = 0, cstride = 1;
        bool valid = true, in_pad = true;
        std::vector<int64_t> pos(static_cast<size_t>(n));
        for (int a = n - 1; a >= 0; --a) {
          const size_t u = size_t(a);
          const int64_t oo = ro % p.out[u], kk = rk % p.kernel[u];
          ro /= p.out[u];
          rk /= p.kernel[u];
          const int64_t s = p.strides.empty() ? 1 : p.strides[u];
          const int64_t d = p.dilations.empty() ? 1 : p.dilations[u];
          const int64_t pb = p.pads.empty() ? 0 : p.pads[u];
          const int64_t pe = p.pads.empty() ? 0 : p.pads[u + size_t(n)];
          pos[u] = oo * s + kk * d - pb;
          if (pos[u] < 0 || pos[u] >= x.dim(a + 2)) valid = false;
          if (pos[u] < -pb || pos[u] >= x.dim(a + 2) + pe) in_pad = false;
        }
        if (in_pad) ++padded;
        if (!valid) continue;
        for (int a = 0; a < n; ++a) idx = idx * x.dim(a + 2) + pos[size_t(a)];
        for (int a = 0; a < n; ++a) {
          cidx += pos[size_t(a)] * cstride;
          cstride *= x.dim(a + 2);
        }
        const double v = x.data<float>()[plane * in_size + idx];
        ++count;
        sum += kind == Kind::kLp2 ? v * v : v;
        if (v > best) {
          best = v;
          best_idx = plane * in_size + (column_major ? cidx : idx);
        }
      }
      double r = 0;
      switch (kind) {
        case Kind::kMax: r = best; break;
        case Kind::kAvg: r = sum / double(count); break;
        case Kind::kAvgIncludePad: r = sum / double(padded); break;
        case Kind::kLp2: r = std::sqrt(sum); break;
      }
      y.data<float>()[plane * out_size + o] = float(r);
      if (indices) indices->data<int64_t>()[plane * out_size + o] = best_idx;
    }
  }
  return y;
}

Attrs PoolAttrs(const PoolParams& p) {
  Attrs a;
  a.Ints("kernel_shape", p.kernel);
  if (!p.strides.empty()) a.Ints("strides", p.strides);
  if (!p.dilations.empty()) a.Ints("dilations", p.dilations);
  if (!p.pads.empty()) a.Ints("pads", p.pads);
  return a;
}

const char* OpName(Kind k) {
  return k == Kind::kMax ? "MaxPool" : k == Kind::kLp2 ? "LpPool" : "AveragePool";
}

void CheckPool(Shape xs, Kind kind, const PoolParams& p, Attrs extra = Attrs(), int opset = 19) {
  Tensor x = RandomFloat(xs, 21);
  Attrs attrs = PoolAttrs(p);
  ir::AttributeMap merged = attrs;
  for (const auto& [name, a] : extra.map().all()) merged.Set(name, a);
  if (kind == Kind::kAvgIncludePad) merged.Set("count_include_pad", [] {
    ir::Attribute a;
    a.kind = ir::Attribute::Kind::kInt;
    a.i = 1;
    return a;
  }());
  auto out = RunOp({.op_type = OpName(kind), .opset = opset, .attrs = merged}, {x});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_NEAR((*out)[0], NaivePool(x, kind, p), 1e-5, 1e-5);
}

// ---- MaxPool -------------------------------------------------------------------------------

TEST(MaxPoolTest, Basic2D) {
  CheckPool({1, 1, 4, 4}, Kind::kMax, {.kernel = {2, 2}, .out = {3, 3}});
}

TEST(MaxPoolTest, StridesPadsBatch) {
  // (7 + 1 + 1 - 3) / 2 + 1 = 4; (8 + 0 + 1 - 3) / 2 + 1 = 4
  CheckPool({3, 2, 7, 8}, Kind::kMax,
            {.kernel = {3, 3}, .strides = {2, 2}, .pads = {1, 0, 1, 1}, .out = {4, 4}});
}

TEST(MaxPoolTest, Dilations) {
  // (9 - 5) / 1 + 1 = 5; (8 + 2 - 4) / 2 + 1 = 4
  CheckPool({1, 3, 9, 8}, Kind::kMax,
            {.kernel = {3, 2}, .strides = {1, 2}, .dilations = {2, 3}, .pads = {0, 1, 0, 1},
             .out = {5, 4}});
}

TEST(MaxPoolTest, CeilMode) {
  // floor: (6 - 3) / 2 + 1 = 2; ceil: 3 (last window starts at 4 < 6).
  CheckPool({1, 1, 6, 6}, Kind::kMax, {.kernel = {3, 3}, .strides = {2, 2}, .out = {3, 3}},
            Attrs().Int("ceil_mode", 1));
  // ceil would give ceil((5 + 1 - 2) / 2) + 1 = 3, but the last window would start at 4 >= 5 + 0
  // in the end padding?  start = 2*2 - 1 = 3 < 5, kept: 3.
  CheckPool({1, 1, 5, 5}, Kind::kMax,
            {.kernel = {2, 2}, .strides = {2, 2}, .pads = {1, 1, 0, 0}, .out = {3, 3}},
            Attrs().Int("ceil_mode", 1));
}

TEST(MaxPoolTest, CeilModeDropsWindowStartingInPadding) {
  // in 4, k 2, s 2, pads 1/1: ceil((4 + 2 - 2) / 2) + 1 = 3, window 2 starts at 3 < 4: kept.
  // in 4, k 1, s 2, pads 0/1: ceil((4 + 1 - 1) / 2) + 1 = 3, window 2 starts at 4 >= 4: dropped.
  CheckPool({1, 1, 4, 4}, Kind::kMax,
            {.kernel = {1, 1}, .strides = {2, 2}, .pads = {0, 0, 1, 1}, .out = {2, 2}},
            Attrs().Int("ceil_mode", 1));
}

TEST(MaxPoolTest, OneDAndThreeD) {
  CheckPool({2, 3, 11}, Kind::kMax, {.kernel = {3}, .strides = {2}, .pads = {1, 1}, .out = {6}});
  CheckPool({2, 2, 5, 6, 7}, Kind::kMax,
            {.kernel = {2, 3, 2}, .strides = {1, 2, 2}, .pads = {0, 1, 0, 1, 1, 1},
             .out = {5, 3, 4}});
}

TEST(MaxPoolTest, AutoPad) {
  // SAME_UPPER: out = ceil(7 / 2) = 4, total pad = 3*2 + 3 - 7 = 2 -> 1/1;
  // width: out = ceil(6/2) = 3, total = 2*2 + 2 - 6 = 0.
  CheckPool({1, 2, 7, 6}, Kind::kMax,
            {.kernel = {3, 2}, .strides = {2, 2}, .pads = {1, 0, 1, 0}, .out = {4, 3}},
            Attrs().String("auto_pad", "SAME_UPPER"));
  // kernel 2, in 5, stride 1: out 5, total 1: SAME_UPPER -> 0/1, SAME_LOWER -> 1/0.
  {
    Tensor x = RandomFloat({1, 1, 5, 5}, 3);
    Attrs k2 = Attrs().Ints("kernel_shape", {2, 2});
    auto up = RunOp({.op_type = "MaxPool", .attrs = Attrs(k2).String("auto_pad", "SAME_UPPER")},
                    {x});
    auto lo = RunOp({.op_type = "MaxPool", .attrs = Attrs(k2).String("auto_pad", "SAME_LOWER")},
                    {x});
    ASSERT_TRUE(up.ok() && lo.ok());
    EXPECT_TENSOR_EQ((*up)[0], NaivePool(x, Kind::kMax, {.kernel = {2, 2}, .pads = {0, 0, 1, 1},
                                                          .out = {5, 5}}));
    EXPECT_TENSOR_EQ((*lo)[0], NaivePool(x, Kind::kMax, {.kernel = {2, 2}, .pads = {1, 1, 0, 0},
                                                          .out = {5, 5}}));
  }
  CheckPool({1, 2, 7, 6}, Kind::kMax, {.kernel = {3, 2}, .strides = {2, 2}, .out = {3, 3}},
            Attrs().String("auto_pad", "VALID"));
}

TEST(MaxPoolTest, IndicesRowAndColumnMajor) {
  Tensor x = RandomFloat({2, 3, 5, 4}, 4);
  PoolParams p{.kernel = {2, 2}, .strides = {2, 1}, .pads = {1, 0, 0, 1}, .out = {3, 4}};
  for (int order : {0, 1}) {
    Attrs a = PoolAttrs(p);
    a.Int("storage_order", order);
    auto out = RunOp({.op_type = "MaxPool", .opset = 12, .attrs = a, .num_outputs = 2}, {x});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    Tensor indices;
    Tensor expected = NaivePool(x, Kind::kMax, p, &indices, order == 1);
    EXPECT_TENSOR_EQ((*out)[0], expected);
    EXPECT_TENSOR_EQ((*out)[1], indices);
  }
}

TEST(MaxPoolTest, Int8AndUInt8) {
  Tensor x = MakeTensor<int8_t>({1, 1, 2, 3}, {-5, 3, -128, 7, 127, 0});
  auto out = RunOp({.op_type = "MaxPool", .opset = 12,
                    .attrs = Attrs().Ints("kernel_shape", {2, 2})}, {x});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<int8_t>({1, 1, 1, 2}, {127, 127}));
  Tensor u = MakeTensor<uint8_t>({1, 1, 4}, {1, 200, 3, 255});
  auto outu = RunOp({.op_type = "MaxPool", .opset = 12,
                     .attrs = Attrs().Ints("kernel_shape", {2}).Ints("strides", {2})}, {u});
  ASSERT_TRUE(outu.ok()) << outu.status().ToString();
  EXPECT_TENSOR_EQ((*outu)[0], MakeTensor<uint8_t>({1, 1, 2}, {200, 255}));
}

TEST(MaxPoolTest, Float16AndFloat64) {
  Tensor h = *Tensor::Allocate(DType::kFloat16, {1, 1, 2, 2});
  for (int i = 0; i < 4; ++i) h.data<Float16>()[i] = Float16(float(i) - 1.5f);
  auto out = RunOp({.op_type = "MaxPool", .attrs = Attrs().Ints("kernel_shape", {2, 2})}, {h});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(float((*out)[0].data<Float16>()[0]), 1.5f);
  Tensor d = MakeTensor<double>({1, 1, 3}, {1, -2, 0.5});
  auto outd = RunOp({.op_type = "MaxPool", .attrs = Attrs().Ints("kernel_shape", {2})}, {d});
  ASSERT_TRUE(outd.ok()) << outd.status().ToString();
  EXPECT_TENSOR_EQ((*outd)[0], MakeTensor<double>({1, 1, 2}, {1, 0.5}));
}

TEST(MaxPoolTest, EmptyBatch) {
  auto out = RunOp({.op_type = "MaxPool", .attrs = Attrs().Ints("kernel_shape", {2, 2})},
                   {*Tensor::Zeros(DType::kFloat32, {0, 3, 4, 4})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({0, 3, 3, 3}));
}

TEST(MaxPoolTest, Errors) {
  Tensor x = RandomFloat({1, 1, 4, 4}, 1);
  for (Attrs a : {Attrs(), Attrs().Ints("kernel_shape", {5, 5}),
                  Attrs().Ints("kernel_shape", {2, 2, 2}),
                  Attrs().Ints("kernel_shape", {2, 2}).Ints("strides", {0, 1}),
                  Attrs().Ints("kernel_shape", {2, 2}).Int("storage_order", 2),
                  Attrs().Ints("kernel_shape", {2, 2}).Int("ceil_mode", 3),
                  Attrs().Ints("kernel_shape", {2, 2}).Ints("pads", {1, 1, 1})}) {
    auto out = RunOp({.op_type = "MaxPool", .attrs = a}, {x});
    ASSERT_FALSE(out.ok());
    EXPECT_TRUE(out.status().message().find("attribute") != std::string::npos ||
                out.status().message().find("kernel") != std::string::npos)
        << out.status().ToString();
  }
  auto bad_rank = RunOp({.op_type = "MaxPool", .attrs = Attrs().Ints("kernel_shape", {2})},
                        {RandomFloat({4, 4}, 1)});
  ASSERT_FALSE(bad_rank.ok());
  EXPECT_NE(bad_rank.status().message().find("input 0 'X'"), std::string::npos);
  auto bad_type = RunOp({.op_type = "MaxPool", .attrs = Attrs().Ints("kernel_shape", {2})},
                        {MakeTensor<int32_t>({1, 1, 2}, {1, 2})});
  ASSERT_FALSE(bad_type.ok());
}

// ---- AveragePool / LpPool ------------------------------------------------------------------

TEST(AveragePoolTest, ExcludePad) {
  CheckPool({2, 3, 7, 6}, Kind::kAvg,
            {.kernel = {3, 3}, .strides = {2, 2}, .pads = {1, 1, 1, 1}, .out = {4, 3}});
}

TEST(AveragePoolTest, IncludePad) {
  CheckPool({2, 3, 7, 6}, Kind::kAvgIncludePad,
            {.kernel = {3, 3}, .strides = {2, 2}, .pads = {1, 2, 1, 0}, .out = {4, 3}});
}

TEST(AveragePoolTest, CeilModeIncludePad) {
  // ceil: (6 + 1 - 3) / 2 -> 2 + 1 = 3; the last window reaches past the end padding, which
  // is not counted.
  CheckPool({1, 1, 6, 6}, Kind::kAvgIncludePad,
            {.kernel = {3, 3}, .strides = {2, 2}, .pads = {1, 1, 0, 0}, .out = {3, 3}},
            Attrs().Int("ceil_mode", 1));
  CheckPool({1, 1, 6, 6}, Kind::kAvg,
            {.kernel = {3, 3}, .strides = {2, 2}, .pads = {1, 1, 0, 0}, .out = {3, 3}},
            Attrs().Int("ceil_mode", 1));
}

TEST(AveragePoolTest, DilationsOpset19) {
  CheckPool({1, 2, 9, 9}, Kind::kAvg,
            {.kernel = {2, 2}, .dilations = {3, 2}, .pads = {1, 1, 1, 1}, .out = {8, 9}});
}

TEST(AveragePoolTest, OneDThreeDAndOpset7) {
  CheckPool({2, 2, 10}, Kind::kAvg, {.kernel = {4}, .strides = {3}, .out = {3}}, Attrs(), 7);
  CheckPool({1, 2, 4, 5, 6}, Kind::kAvgIncludePad,
            {.kernel = {2, 2, 3}, .strides = {2, 2, 2}, .pads = {1, 1, 1, 1, 1, 1},
             .out = {3, 3, 3}});
}

TEST(AveragePoolTest, AutoPadSameLowerExcludesPad) {
  // in 5, k 3, s 2: out 3, total = 2*2 + 3 - 5 = 2 -> 1/1.
  CheckPool({1, 1, 5, 5}, Kind::kAvg,
            {.kernel = {3, 3}, .strides = {2, 2}, .pads = {1, 1, 1, 1}, .out = {3, 3}},
            Attrs().String("auto_pad", "SAME_LOWER"));
}

TEST(AveragePoolTest, Float64) {
  Tensor x = MakeTensor<double>({1, 1, 1, 4}, {1, 2, 3, 5});
  auto out = RunOp({.op_type = "AveragePool", .attrs = Attrs().Ints("kernel_shape", {1, 2})}, {x});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<double>({1, 1, 1, 3}, {1.5, 2.5, 4}));
}

TEST(AveragePoolTest, Errors) {
  auto out = RunOp({.op_type = "AveragePool",
                    .attrs = Attrs().Ints("kernel_shape", {2, 2}).Int("count_include_pad", 5)},
                   {RandomFloat({1, 1, 4, 4}, 1)});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("count_include_pad"), std::string::npos);
}

TEST(LpPoolTest, P2) {
  CheckPool({2, 2, 6, 5}, Kind::kLp2,
            {.kernel = {2, 3}, .strides = {2, 1}, .pads = {0, 1, 1, 1}, .out = {3, 5}},
            Attrs().Int("p", 2), 18);
  CheckPool({1, 2, 6}, Kind::kLp2, {.kernel = {3}, .out = {4}}, Attrs(), 11);
}

TEST(LpPoolTest, P1AndP3) {
  Tensor x = MakeTensor<float>({1, 1, 1, 3}, {1, -2, 3});
  auto p1 = RunOp({.op_type = "LpPool", .opset = 11,
                   .attrs = Attrs().Ints("kernel_shape", {1, 3}).Int("p", 1)}, {x});
  ASSERT_TRUE(p1.ok()) << p1.status().ToString();
  EXPECT_TENSOR_NEAR((*p1)[0], MakeTensor<float>({1, 1, 1, 1}, {6}), 1e-6, 1e-6);
  auto p3 = RunOp({.op_type = "LpPool", .opset = 11,
                   .attrs = Attrs().Ints("kernel_shape", {1, 3}).Int("p", 3)}, {x});
  ASSERT_TRUE(p3.ok()) << p3.status().ToString();
  EXPECT_TENSOR_NEAR((*p3)[0], MakeTensor<float>({1, 1, 1, 1}, {float(std::cbrt(36.0))}), 1e-5,
                     1e-5);
  auto bad = RunOp({.op_type = "LpPool", .attrs = Attrs().Ints("kernel_shape", {1, 3}).Int("p", 0)},
                   {x});
  ASSERT_FALSE(bad.ok());
}

// ---- Global pools --------------------------------------------------------------------------

TEST(GlobalPoolTest, AverageMaxLp) {
  Tensor x = RandomFloat({2, 3, 4, 5}, 8);
  auto avg = RunOp({.op_type = "GlobalAveragePool"}, {x});
  auto mx = RunOp({.op_type = "GlobalMaxPool"}, {x});
  auto lp = RunOp({.op_type = "GlobalLpPool", .attrs = Attrs().Int("p", 2)}, {x});
  ASSERT_TRUE(avg.ok() && mx.ok() && lp.ok());
  Tensor ea = *Tensor::Allocate(DType::kFloat32, {2, 3, 1, 1});
  Tensor em = *Tensor::Allocate(DType::kFloat32, {2, 3, 1, 1});
  Tensor el = *Tensor::Allocate(DType::kFloat32, {2, 3, 1, 1});
  for (int p = 0; p < 6; ++p) {
    double s = 0, m = -1e30, q = 0;
    for (int i = 0; i < 20; ++i) {
      const double v = x.data<float>()[p * 20 + i];
      s += v;
      m = std::max(m, v);
      q += v * v;
    }
    ea.data<float>()[p] = float(s / 20);
    em.data<float>()[p] = float(m);
    el.data<float>()[p] = float(std::sqrt(q));
  }
  EXPECT_TENSOR_NEAR((*avg)[0], ea, 1e-6, 1e-6);
  EXPECT_TENSOR_EQ((*mx)[0], em);
  EXPECT_TENSOR_NEAR((*lp)[0], el, 1e-6, 1e-6);
}

TEST(GlobalPoolTest, OneDThreeDEmptyBatchAndFloat64) {
  auto one = RunOp({.op_type = "GlobalAveragePool"}, {MakeTensor<double>({1, 2, 3},
                                                                          {1, 2, 3, 4, 5, 7})});
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_TENSOR_EQ((*one)[0], MakeTensor<double>({1, 2, 1}, {2, 16.0 / 3}));
  auto three = RunOp({.op_type = "GlobalMaxPool"}, {RandomFloat({1, 2, 2, 3, 4}, 1)});
  ASSERT_TRUE(three.ok());
  EXPECT_EQ((*three)[0].shape(), Shape({1, 2, 1, 1, 1}));
  auto empty = RunOp({.op_type = "GlobalAveragePool"},
                     {*Tensor::Zeros(DType::kFloat32, {0, 4, 3, 3})});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ((*empty)[0].shape(), Shape({0, 4, 1, 1}));
  auto bad = RunOp({.op_type = "GlobalMaxPool"}, {RandomFloat({3, 3}, 1)});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("input 0 'X'"), std::string::npos);
}

// ---- MaxUnpool -----------------------------------------------------------------------------

TEST(MaxUnpoolTest, InvertsMaxPoolIndices) {
  Tensor x = RandomFloat({2, 2, 4, 4}, 9);
  auto pooled = RunOp({.op_type = "MaxPool", .opset = 12,
                       .attrs = Attrs().Ints("kernel_shape", {2, 2}).Ints("strides", {2, 2}),
                       .num_outputs = 2},
                      {x});
  ASSERT_TRUE(pooled.ok()) << pooled.status().ToString();
  auto out = RunOp({.op_type = "MaxUnpool", .opset = 11,
                    .attrs = Attrs().Ints("kernel_shape", {2, 2}).Ints("strides", {2, 2})},
                   {(*pooled)[0], (*pooled)[1]});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  Tensor expected = *Tensor::Zeros(DType::kFloat32, {2, 2, 4, 4});
  for (int64_t i = 0; i < (*pooled)[1].num_elements(); ++i)
    expected.data<float>()[(*pooled)[1].data<int64_t>()[i]] = (*pooled)[0].data<float>()[i];
  EXPECT_TENSOR_EQ((*out)[0], expected);
}

TEST(MaxUnpoolTest, OutputShapeInputAndPads) {
  Tensor x = MakeTensor<float>({1, 1, 2, 2}, {5, 6, 7, 8});
  Tensor i = MakeTensor<int64_t>({1, 1, 2, 2}, {5, 7, 13, 15});
  auto out = RunOp({.op_type = "MaxUnpool", .opset = 11,
                    .attrs = Attrs().Ints("kernel_shape", {2, 2}).Ints("strides", {2, 2})},
                   {x, i, MakeTensor<int64_t>({4}, {1, 1, 5, 5})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  std::vector<float> e(25, 0.f);
  // Indices address the default 4x4 output; its values keep their coordinates in 5x5.
  e[6] = 5;
  e[8] = 6;
  e[16] = 7;
  e[18] = 8;
  EXPECT_TENSOR_EQ((*out)[0], MakeTensor<float>({1, 1, 5, 5}, e));
  // (2 - 1) * 2 + 2 - 1 - 0 = 3
  auto padded = RunOp({.op_type = "MaxUnpool", .opset = 11,
                       .attrs = Attrs().Ints("kernel_shape", {2, 2}).Ints("strides", {2, 2})
                                    .Ints("pads", {1, 1, 0, 0})},
                      {x, MakeTensor<int64_t>({1, 1, 2, 2}, {0, 2, 6, 8})});
  ASSERT_TRUE(padded.ok()) << padded.status().ToString();
  EXPECT_EQ((*padded)[0].shape(), Shape({1, 1, 3, 3}));
}

TEST(MaxUnpoolTest, Errors) {
  Tensor x = MakeTensor<float>({1, 1, 2, 2}, {5, 6, 7, 8});
  auto oob = RunOp({.op_type = "MaxUnpool", .attrs = Attrs().Ints("kernel_shape", {2, 2})},
                   {x, MakeTensor<int64_t>({1, 1, 2, 2}, {0, 1, 2, 99})});
  ASSERT_FALSE(oob.ok());
  EXPECT_NE(oob.status().message().find("input 1 'I'"), std::string::npos);
  auto shape = RunOp({.op_type = "MaxUnpool", .attrs = Attrs().Ints("kernel_shape", {2, 2})},
                     {x, MakeTensor<int64_t>({1, 1, 4}, {0, 1, 2, 3})});
  ASSERT_FALSE(shape.ok());
  auto small = RunOp({.op_type = "MaxUnpool", .attrs = Attrs().Ints("kernel_shape", {2, 2})},
                     {x, MakeTensor<int64_t>({1, 1, 2, 2}, {0, 1, 2, 3}),
                      MakeTensor<int64_t>({4}, {1, 1, 2, 2})});
  ASSERT_FALSE(small.ok());
  EXPECT_NE(small.status().message().find("output_shape"), std::string::npos);
  auto no_kernel =
      RunOp({.op_type = "MaxUnpool"}, {x, MakeTensor<int64_t>({1, 1, 2, 2}, {0, 1, 2, 3})});
  ASSERT_FALSE(no_kernel.ok());
  EXPECT_NE(no_kernel.status().message().find("kernel_shape"), std::string::npos);
}


TEST(PoolInferenceTest, SymbolicBatchFlowsThrough) {
  const Dim n = Dim::Symbol("N");
  ir::TypeInfo x{DType::kFloat32, Sym({n, Dim::Known(64), Dim::Known(112), Dim::Unknown()})};
  EXPECT_EQ(testing::InferOutputString("MaxPool", 12,
                        Attrs().Ints("kernel_shape", {3, 3}).Ints("strides", {2, 2})
                            .Ints("pads", {1, 1, 1, 1}),
                        {x}, 2, 1),
            "int64 [N, 64, 56, ?]");
  EXPECT_EQ(testing::InferOutputString("AveragePool", 19,
                        Attrs().Ints("kernel_shape", {2, 2}).Int("ceil_mode", 1)
                            .Ints("strides", {2, 2}),
                        {x}),
            "float32 [N, 64, 56, ?]");
  EXPECT_EQ(testing::InferOutputString("GlobalAveragePool", 13, Attrs(), {x}), "float32 [N, 64, 1, 1]");
  EXPECT_EQ(testing::InferOutputString("LpPool", 18, Attrs().Ints("kernel_shape", {3, 1}), {x}),
            "float32 [N, 64, 110, ?]");
  EXPECT_EQ(testing::InferOutputString("MaxUnpool", 11,
                        Attrs().Ints("kernel_shape", {2, 2}).Ints("strides", {2, 2}),
                        {x, ir::TypeInfo{DType::kInt64, x.shape}}),
            "float32 [N, 64, 224, ?]");
  EXPECT_NE(
      testing::InferOutputString("MaxPool", 12, Attrs().Ints("kernel_shape", {200, 1}), {x}).find("larger"),
      std::string::npos);
}

}  // namespace
}  // namespace brisk
