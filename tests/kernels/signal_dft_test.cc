#include <cmath>
#include <complex>
#include <numbers>
#include <string>
#include <vector>

#include "kernels/op_runner.h"
#include "linalg_norm_test_util.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using testing::Attrs;
using testing::CastTo;
using testing::ErrorContains;
using testing::FromDoubles;
using testing::InferOnly;
using testing::MakeTensor;
using testing::RandomFloat;
using testing::ToDoubles;
using testing::SpecType;

using C = std::complex<double>;

// Naive DFT of x (shape [..., 1|2]) along `axis` (non-negative).
Tensor NaiveDft(const Tensor& x, int axis, int64_t length, bool inverse, bool onesided) {
  const Shape& s = x.shape();
  const int rank = s.rank();
  const int64_t comps = s[rank - 1], n = s[axis];
  const int64_t outer = s.NumElements(0, axis), inner = s.NumElements(axis + 1, rank - 1);
  const int64_t out_len = onesided ? length / 2 + 1 : length;
  const std::vector<double> v = ToDoubles(x);
  std::vector<double> out(size_t(outer * out_len * inner * 2));
  const double sign = inverse ? 1 : -1;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i)
      for (int64_t k = 0; k < out_len; ++k) {
        C acc = 0;
        for (int64_t j = 0; j < std::min(n, length); ++j) {
          const size_t e = size_t(((o * n + j) * inner + i) * comps);
          const C xv(v[e], comps == 2 ? v[e + 1] : 0.0);
          acc += xv * std::polar(1.0, sign * 2 * std::numbers::pi * double(k * j) / double(length));
        }
        if (inverse) acc /= double(length);
        const size_t e = size_t(((o * out_len + k) * inner + i) * 2);
        out[e] = acc.real();
        out[e + 1] = acc.imag();
      }
  Shape os = s;
  os[axis] = out_len;
  os[rank - 1] = 2;
  return FromDoubles(x.dtype(), os, out);
}

struct Case {
  Shape shape;
  int64_t axis;
  std::optional<int64_t> length;
  bool inverse = false;
  bool onesided = false;
};

void Check(const Case& c, int opset, DType dtype = DType::kFloat32) {
  SCOPED_TRACE("opset " + std::to_string(opset) + " shape " + c.shape.ToString() + " axis " +
               std::to_string(c.axis) + " len " + (c.length ? std::to_string(*c.length) : "-") +
               (c.inverse ? " inverse" : "") + (c.onesided ? " onesided" : ""));
  Tensor x = CastTo(RandomFloat(c.shape, 11), dtype);
  Attrs attrs;
  attrs.Int("inverse", c.inverse).Int("onesided", c.onesided);
  std::vector<std::optional<Tensor>> in{x};
  if (c.length) in.push_back(MakeTensor<int64_t>({}, {*c.length}));
  else in.push_back(std::nullopt);
  if (opset >= 20) in.push_back(MakeTensor<int64_t>({}, {c.axis}));
  else attrs.Int("axis", c.axis);
  auto y = RunOp({.op_type = "DFT", .opset = opset, .attrs = attrs}, in);
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  const int axis = int(c.axis < 0 ? c.axis + c.shape.rank() : c.axis);
  const double tol = dtype == DType::kFloat32 || dtype == DType::kFloat64 ? 1e-4 : 5e-2;
  const int64_t length = c.length.value_or(c.shape[axis]);
  EXPECT_TENSOR_NEAR((*y)[0], NaiveDft(x, axis, length, c.inverse, c.onesided), tol, tol);
}

TEST(DftTest, RealAndComplexAlongEachAxis) {
  for (int opset : {17, 20}) {
    Check({{2, 6, 1}, 1, std::nullopt}, opset);
    Check({{2, 8, 2}, 1, std::nullopt}, opset);
    Check({{5, 3, 2}, 0, std::nullopt}, opset);
    Check({{2, 5, 3, 1}, -2, std::nullopt}, opset);
    Check({{2, 5, 3, 2}, -3, std::nullopt}, opset);
    Check({{4, 2, 3, 2}, -4, std::nullopt}, opset);
  }
}

TEST(DftTest, DftLengthPadsOrTruncates) {
  for (int opset : {17, 20}) {
    Check({{2, 6, 1}, 1, 9}, opset);
    Check({{2, 6, 2}, 1, 4}, opset);
    Check({{2, 7, 2}, 1, 16}, opset);
  }
}

TEST(DftTest, OnesidedAndInverse) {
  for (int opset : {17, 20}) {
    Check({{2, 8, 1}, 1, std::nullopt, false, true}, opset);
    Check({{2, 7, 1}, 1, std::nullopt, false, true}, opset);
    Check({{3, 6, 2}, 1, std::nullopt, true, false}, opset);
    Check({{3, 8, 2}, 1, std::nullopt, true, false}, opset);
    Check({{3, 8, 2}, 1, 5, true, true}, opset);
  }
}

TEST(DftTest, InverseRoundTrip) {
  Tensor x = RandomFloat({2, 12, 2}, 3);
  auto f = RunOp({.op_type = "DFT", .opset = 17}, {x});
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  auto b = RunOp({.op_type = "DFT", .opset = 17, .attrs = Attrs().Int("inverse", 1)}, {(*f)[0]});
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_TENSOR_NEAR((*b)[0], x, 1e-5, 1e-5);
}

TEST(DftTest, Dtypes) {
  for (DType d : {DType::kFloat64, DType::kFloat16, DType::kBFloat16})
    Check({{2, 4, 1}, 1, std::nullopt}, 20, d);
}

TEST(DftTest, DefaultAxisByOpset) {
  // opset 17 default axis 1; opset 20 default axis -2 (the same for rank 3).
  Tensor x = RandomFloat({2, 3, 4, 1}, 5);
  auto y = RunOp({.op_type = "DFT", .opset = 17}, {x});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_NEAR((*y)[0], NaiveDft(x, 1, 3, false, false), 1e-5, 1e-5);
  y = RunOp({.op_type = "DFT", .opset = 20}, {x});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_NEAR((*y)[0], NaiveDft(x, 2, 4, false, false), 1e-5, 1e-5);
}

TEST(DftTest, EmptyBatch) {
  auto y = RunOp({.op_type = "DFT", .opset = 20}, {*Tensor::Allocate(DType::kFloat32, {0, 4, 1})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ((*y)[0].shape(), Shape({0, 4, 2}));
}

TEST(DftTest, BadInputsAreErrors) {
  Tensor x = RandomFloat({2, 4, 1}, 1);
  auto y = RunOp({.op_type = "DFT", .opset = 17, .attrs = Attrs().Int("axis", 2)}, {x});
  EXPECT_TRUE(ErrorContains(y.status(), "'axis'")) << y.status().ToString();
  y = RunOp({.op_type = "DFT", .opset = 17, .attrs = Attrs().Int("axis", -1)}, {x});
  EXPECT_TRUE(ErrorContains(y.status(), "'axis'")) << y.status().ToString();
  y = RunOp({.op_type = "DFT", .opset = 20}, {x, std::nullopt, MakeTensor<int64_t>({}, {5})});
  EXPECT_TRUE(ErrorContains(y.status(), "'axis'")) << y.status().ToString();
  y = RunOp({.op_type = "DFT", .opset = 20}, {x, MakeTensor<int64_t>({}, {0})});
  EXPECT_TRUE(ErrorContains(y.status(), "'dft_length'")) << y.status().ToString();
  y = RunOp({.op_type = "DFT", .opset = 20}, {RandomFloat({2, 4, 3}, 1)});
  EXPECT_TRUE(ErrorContains(y.status(), "'input'")) << y.status().ToString();
  y = RunOp({.op_type = "DFT", .opset = 20}, {RandomFloat({4}, 1)});
  EXPECT_TRUE(ErrorContains(y.status(), "'input'")) << y.status().ToString();
  y = RunOp({.op_type = "DFT", .opset = 20}, {MakeTensor<int32_t>({2, 1}, {1, 2})});
  EXPECT_TRUE(ErrorContains(y.status(), "'input'")) << y.status().ToString();
  y = RunOp({.op_type = "DFT", .opset = 20, .attrs = Attrs().Int("onesided", 2)}, {x});
  EXPECT_TRUE(ErrorContains(y.status(), "onesided")) << y.status().ToString();
}

TEST(DftInferenceTest, Shapes) {
  auto t = InferOnly("DFT", 20, Attrs().Int("onesided", 1),
                     {SpecType(DType::kFloat32, {"N", "16", "1"})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[N, 9, 2]");
  t = InferOnly("DFT", 20, {},
                {SpecType(DType::kFloat32, {"N", "T", "1"}), std::nullopt, SpecType(DType::kInt64, {})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[?, ?, 2]");
  t = InferOnly("DFT", 17, Attrs().Int("axis", 1), {SpecType(DType::kFloat32, {"N", "T", "2"})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[N, T, 2]");
  t = InferOnly("DFT", 17, {}, {SpecType(DType::kFloat32, {"N", "T", "3"})});
  EXPECT_TRUE(ErrorContains(t.status(), "'input'")) << t.status().ToString();
}

// ---- STFT ----------------------------------------------------------------------------------

Tensor NaiveStft(const Tensor& x, int64_t step, const std::vector<double>& window, int64_t fl,
                 bool onesided) {
  const int64_t batch = x.dim(0), len = x.dim(1), comps = x.dim(2);
  const int64_t frames = 1 + (len - fl) / step, bins = onesided ? fl / 2 + 1 : fl;
  const std::vector<double> v = ToDoubles(x);
  std::vector<double> out;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t f = 0; f < frames; ++f)
      for (int64_t k = 0; k < bins; ++k) {
        C acc = 0;
        for (int64_t j = 0; j < fl; ++j) {
          const size_t e = size_t((b * len + f * step + j) * comps);
          const C xv(v[e], comps == 2 ? v[e + 1] : 0.0);
          acc += xv * window[size_t(j)] *
                 std::polar(1.0, -2 * std::numbers::pi * double(k * j) / double(fl));
        }
        out.push_back(acc.real());
        out.push_back(acc.imag());
      }
  return FromDoubles(x.dtype(), Shape{batch, frames, bins, 2}, out);
}

TEST(StftTest, WithAndWithoutWindow) {
  Tensor x = RandomFloat({2, 20, 1}, 8);
  Tensor w = RandomFloat({6}, 9, 0, 1);
  for (bool onesided : {true, false}) {
    SCOPED_TRACE(onesided);
    auto y = RunOp({.op_type = "STFT", .opset = 17, .attrs = Attrs().Int("onesided", onesided)},
                   {x, MakeTensor<int64_t>({}, {4}), w, MakeTensor<int64_t>({}, {6})});
    ASSERT_TRUE(y.ok()) << y.status().ToString();
    EXPECT_TENSOR_NEAR((*y)[0], NaiveStft(x, 4, ToDoubles(w), 6, onesided), 1e-5, 1e-5);
    y = RunOp({.op_type = "STFT", .opset = 17, .attrs = Attrs().Int("onesided", onesided)},
              {x, MakeTensor<int64_t>({}, {3}), std::nullopt, MakeTensor<int64_t>({}, {8})});
    ASSERT_TRUE(y.ok()) << y.status().ToString();
    EXPECT_TENSOR_NEAR((*y)[0], NaiveStft(x, 3, std::vector<double>(8, 1.0), 8, onesided), 1e-5,
                       1e-5);
    y = RunOp({.op_type = "STFT", .opset = 17, .attrs = Attrs().Int("onesided", onesided)},
              {x, MakeTensor<int64_t>({}, {5}), w});
    ASSERT_TRUE(y.ok()) << y.status().ToString();
    EXPECT_TENSOR_NEAR((*y)[0], NaiveStft(x, 5, ToDoubles(w), 6, onesided), 1e-5, 1e-5);
  }
}

TEST(StftTest, ComplexSignalAndDouble) {
  Tensor x = CastTo(RandomFloat({1, 17, 2}, 4), DType::kFloat64);
  auto y = RunOp({.op_type = "STFT", .opset = 17, .attrs = Attrs().Int("onesided", 0)},
                 {x, MakeTensor<int32_t>({}, {2}), std::nullopt, MakeTensor<int32_t>({}, {5})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_TENSOR_NEAR((*y)[0], NaiveStft(x, 2, std::vector<double>(5, 1.0), 5, false), 1e-9, 1e-9);
}

TEST(StftTest, BadInputsAreErrors) {
  Tensor x = RandomFloat({1, 10, 1}, 1);
  auto y = RunOp({.op_type = "STFT", .opset = 17},
                 {x, MakeTensor<int64_t>({}, {0}), RandomFloat({4}, 1)});
  EXPECT_TRUE(ErrorContains(y.status(), "'frame_step'")) << y.status().ToString();
  y = RunOp({.op_type = "STFT", .opset = 17},
            {x, MakeTensor<int64_t>({}, {2}), RandomFloat({4}, 1), MakeTensor<int64_t>({}, {5})});
  EXPECT_TRUE(ErrorContains(y.status(), "'frame_length'")) << y.status().ToString();
  y = RunOp({.op_type = "STFT", .opset = 17},
            {x, MakeTensor<int64_t>({}, {2}), std::nullopt, MakeTensor<int64_t>({}, {11})});
  EXPECT_TRUE(ErrorContains(y.status(), "'signal'")) << y.status().ToString();
  y = RunOp({.op_type = "STFT", .opset = 17},
            {RandomFloat({10, 1}, 1), MakeTensor<int64_t>({}, {2}), RandomFloat({4}, 1)});
  EXPECT_TRUE(ErrorContains(y.status(), "'signal'")) << y.status().ToString();
  y = RunOp({.op_type = "STFT", .opset = 17},
            {x, MakeTensor<int64_t>({}, {2}), RandomFloat({2, 2}, 1)});
  EXPECT_TRUE(ErrorContains(y.status(), "'window'")) << y.status().ToString();
}

TEST(StftInferenceTest, Shapes) {
  auto t = InferOnly("STFT", 17, {},
                     {SpecType(DType::kFloat32, {"B", "T", "1"}), SpecType(DType::kInt64, {}),
                      SpecType(DType::kFloat32, {"400"})});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].shape->ToString(), "[B, ?, 201, 2]");
}

}  // namespace
}  // namespace brisk
