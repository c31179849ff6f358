// Tests of unary math ops and activations.
#include <cmath>
#include <limits>

#include "kernels/op_runner.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using testing::Attrs;
using testing::MakeBoolTensor;
using testing::MakeTensor;

using testing::ExpectErrorContains;
using testing::RunSingle;

// Applies `ref` to every element of a float tensor.
template <typename F>
Tensor MapRef(const Tensor& x, F ref) {
  Tensor y = *x.Clone();
  for (float& v : y.span<float>()) v = float(ref(double(v)));
  return y;
}

struct FloatCase {
  const char* op;
  int opset;
  double (*ref)(double);
  float lo, hi;
};

TEST(ElementwiseUnaryTest, FloatMathMatchesStd) {
  const FloatCase cases[] = {
      {"Exp", 13, [](double v) { return std::exp(v); }, -5, 5},
      {"Log", 13, [](double v) { return std::log(v); }, 0.01f, 10},
      {"Sqrt", 13, [](double v) { return std::sqrt(v); }, 0, 10},
      {"Reciprocal", 13, [](double v) { return 1 / v; }, 0.5f, 4},
      {"Floor", 13, [](double v) { return std::floor(v); }, -5, 5},
      {"Ceil", 13, [](double v) { return std::ceil(v); }, -5, 5},
      {"Sin", 7, [](double v) { return std::sin(v); }, -5, 5},
      {"Cos", 7, [](double v) { return std::cos(v); }, -5, 5},
      {"Tan", 7, [](double v) { return std::tan(v); }, -1, 1},
      {"Asin", 7, [](double v) { return std::asin(v); }, -1, 1},
      {"Acos", 7, [](double v) { return std::acos(v); }, -1, 1},
      {"Atan", 7, [](double v) { return std::atan(v); }, -5, 5},
      {"Sinh", 9, [](double v) { return std::sinh(v); }, -3, 3},
      {"Cosh", 9, [](double v) { return std::cosh(v); }, -3, 3},
      {"Asinh", 9, [](double v) { return std::asinh(v); }, -3, 3},
      {"Acosh", 9, [](double v) { return std::acosh(v); }, 1, 5},
      {"Atanh", 9, [](double v) { return std::atanh(v); }, -0.9f, 0.9f},
      {"Erf", 13, [](double v) { return std::erf(v); }, -3, 3},
      {"Tanh", 13, [](double v) { return std::tanh(v); }, -5, 5},
      {"Sigmoid", 13, [](double v) { return 1 / (1 + std::exp(-v)); }, -20, 20},
      {"Softplus", 1, [](double v) { return std::log(std::exp(v) + 1); }, -10, 10},
      {"Softsign", 1, [](double v) { return v / (1 + std::abs(v)); }, -10, 10},
      {"HardSwish", 14,
       [](double v) { return v * std::max(0.0, std::min(1.0, v / 6 + 0.5)); }, -6, 6},
      {"Mish", 18, [](double v) { return v * std::tanh(std::log1p(std::exp(v))); }, -5, 5},
      {"Gelu", 20, [](double v) { return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))); }, -4, 4},
  };
  for (const FloatCase& c : cases) {
    SCOPED_TRACE(c.op);
    Tensor x = testing::RandomFloat({3, 7}, 42, c.lo, c.hi);
    ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle(c.op, {x}, c.opset));
    EXPECT_TENSOR_NEAR(y, MapRef(x, c.ref), 1e-5, 1e-6);
  }
}

TEST(ElementwiseUnaryTest, FloatMathOtherFloatTypes) {
  Tensor d = MakeTensor<double>({2}, {0.5, 2.0});
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Exp", {d}));
  EXPECT_TENSOR_NEAR(y, MakeTensor<double>({2}, {std::exp(0.5), std::exp(2.0)}), 1e-15, 0);
  Tensor h = MakeTensor<Float16>({2}, {Float16(4.0f), Float16(9.0f)});
  ASSERT_OK_AND_ASSIGN(Tensor z, RunSingle("Sqrt", {h}));
  EXPECT_TENSOR_EQ(z, MakeTensor<Float16>({2}, {Float16(2.0f), Float16(3.0f)}));
  Tensor b = MakeTensor<BFloat16>({2}, {BFloat16(0.0f), BFloat16(-1.0f)});
  ASSERT_OK_AND_ASSIGN(Tensor w, RunSingle("Sigmoid", {b}));
  EXPECT_TENSOR_NEAR(w, MakeTensor<BFloat16>({2}, {BFloat16(0.5f), BFloat16(0.26894142f)}),
                     1e-2, 0);
}

TEST(ElementwiseUnaryTest, FloatOnlyOpsRejectIntegers) {
  ExpectErrorContains(RunSingle("Exp", {MakeTensor<int32_t>({1}, {1})}), "'X'");
  ExpectErrorContains(RunSingle("Sigmoid", {MakeTensor<int32_t>({1}, {1})}), "'X'");
}

TEST(ElementwiseUnaryTest, SpecialValues) {
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Log", {MakeTensor<float>({3}, {0, -1, INFINITY})}));
  EXPECT_TRUE(std::isinf(y.data<float>()[0]) && y.data<float>()[0] < 0);
  EXPECT_TRUE(std::isnan(y.data<float>()[1]));
  EXPECT_TRUE(std::isinf(y.data<float>()[2]));
  ASSERT_OK_AND_ASSIGN(Tensor s, RunSingle("Sigmoid", {MakeTensor<float>({2}, {-1000, 1000})}));
  EXPECT_TENSOR_EQ(s, MakeTensor<float>({2}, {0, 1}));
  ASSERT_OK_AND_ASSIGN(Tensor sp, RunSingle("Softplus", {MakeTensor<float>({2}, {-1000, 1000})}));
  EXPECT_TENSOR_EQ(sp, MakeTensor<float>({2}, {0, 1000}));
}

TEST(ElementwiseUnaryTest, EmptyAndScalar) {
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Exp", {MakeTensor<float>({0, 4}, {})}));
  EXPECT_EQ(y.shape(), Shape({0, 4}));
  ASSERT_OK_AND_ASSIGN(Tensor z, RunSingle("Neg", {Tensor::Scalar(2.0f)}));
  EXPECT_TENSOR_EQ(z, Tensor::Scalar(-2.0f));
}

TEST(ElementwiseUnaryTest, MissingInputIsError) {
  ExpectErrorContains(RunSingle("Abs", {std::nullopt}), "'X'");
}

TEST(ElementwiseUnaryTest, RoundHalfToEven) {
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Round", {MakeTensor<float>(
                                              {8}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4f, 2.6f,
                                                    -2.6f})}, 11));
  EXPECT_TENSOR_EQ(y, MakeTensor<float>({8}, {0, 2, 2, -0.0f, -2, 2, 3, -3}));
}

TEST(ElementwiseUnaryTest, AbsNegSignIntegers) {
  const int8_t mn = std::numeric_limits<int8_t>::min();
  Tensor x = MakeTensor<int8_t>({4}, {-3, 0, 5, mn});
  ASSERT_OK_AND_ASSIGN(Tensor a, RunSingle("Abs", {x}));
  EXPECT_TENSOR_EQ(a, MakeTensor<int8_t>({4}, {3, 0, 5, mn}));  // wraps, no UB
  ASSERT_OK_AND_ASSIGN(Tensor n, RunSingle("Neg", {x}));
  EXPECT_TENSOR_EQ(n, MakeTensor<int8_t>({4}, {3, 0, -5, mn}));
  ASSERT_OK_AND_ASSIGN(Tensor s, RunSingle("Sign", {x}));
  EXPECT_TENSOR_EQ(s, MakeTensor<int8_t>({4}, {-1, 0, 1, -1}));
  ASSERT_OK_AND_ASSIGN(Tensor u, RunSingle("Abs", {MakeTensor<uint32_t>({2}, {7, 0})}));
  EXPECT_TENSOR_EQ(u, MakeTensor<uint32_t>({2}, {7, 0}));
  ASSERT_OK_AND_ASSIGN(Tensor su, RunSingle("Sign", {MakeTensor<uint32_t>({2}, {7, 0})}));
  EXPECT_TENSOR_EQ(su, MakeTensor<uint32_t>({2}, {1, 0}));
  ASSERT_FALSE(RunSingle("Neg", {MakeTensor<uint32_t>({1}, {1})}).ok());
}

TEST(ElementwiseUnaryTest, SignFloatKeepsNaN) {
  ASSERT_OK_AND_ASSIGN(Tensor s, RunSingle("Sign", {MakeTensor<float>({4}, {-2.5f, 0, 3, NAN})}));
  EXPECT_TENSOR_EQ(s, MakeTensor<float>({4}, {-1, 0, 1, NAN}));
}

TEST(ElementwiseUnaryTest, ErfIntegers) {
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Erf", {MakeTensor<int32_t>({3}, {0, 1, 10})}));
  EXPECT_TENSOR_EQ(y, MakeTensor<int32_t>({3}, {0, 0, 1}));
}

TEST(ElementwiseUnaryTest, IsNaNIsInf) {
  Tensor x = MakeTensor<float>({4}, {1, NAN, INFINITY, -INFINITY});
  ASSERT_OK_AND_ASSIGN(Tensor n, RunSingle("IsNaN", {x}));
  EXPECT_TENSOR_EQ(n, MakeBoolTensor({4}, {0, 1, 0, 0}));
  ASSERT_OK_AND_ASSIGN(Tensor i, RunSingle("IsInf", {x}));
  EXPECT_TENSOR_EQ(i, MakeBoolTensor({4}, {0, 0, 1, 1}));
  ASSERT_OK_AND_ASSIGN(Tensor p, RunSingle("IsInf", {x}, 10, Attrs().Int("detect_negative", 0)));
  EXPECT_TENSOR_EQ(p, MakeBoolTensor({4}, {0, 0, 1, 0}));
  ASSERT_OK_AND_ASSIGN(Tensor m, RunSingle("IsInf", {x}, 10, Attrs().Int("detect_positive", 0)));
  EXPECT_TENSOR_EQ(m, MakeBoolTensor({4}, {0, 0, 0, 1}));
  ExpectErrorContains(RunSingle("IsInf", {x}, 10, Attrs().Int("detect_positive", 3)),
                      "'detect_positive'");
  ASSERT_OK_AND_ASSIGN(Tensor d, RunSingle("IsNaN", {MakeTensor<double>({1}, {NAN})}));
  EXPECT_TENSOR_EQ(d, MakeBoolTensor({1}, {1}));
  ASSERT_FALSE(RunSingle("IsNaN", {MakeTensor<int32_t>({1}, {1})}).ok());
}

TEST(ElementwiseUnaryTest, NotAndBitwiseNot) {
  ASSERT_OK_AND_ASSIGN(Tensor n, RunSingle("Not", {MakeBoolTensor({3}, {1, 0, 1})}));
  EXPECT_TENSOR_EQ(n, MakeBoolTensor({3}, {0, 1, 0}));
  ASSERT_FALSE(RunSingle("Not", {MakeTensor<int32_t>({1}, {1})}).ok());
  ASSERT_OK_AND_ASSIGN(Tensor b, RunSingle("BitwiseNot", {MakeTensor<int32_t>({3}, {0, -1, 5})}, 18));
  EXPECT_TENSOR_EQ(b, MakeTensor<int32_t>({3}, {-1, 0, -6}));
  ASSERT_OK_AND_ASSIGN(Tensor u, RunSingle("BitwiseNot", {MakeTensor<uint8_t>({2}, {0, 0xf0})}, 18));
  EXPECT_TENSOR_EQ(u, MakeTensor<uint8_t>({2}, {0xff, 0x0f}));
}

// ---- Activations ---------------------------------------------------------------------------

TEST(ElementwiseActivationTest, Relu) {
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Relu", {MakeTensor<float>({4}, {-1, 0, 2, NAN})}));
  EXPECT_TENSOR_EQ(y, MakeTensor<float>({4}, {0, 0, 2, NAN}));
  ASSERT_OK_AND_ASSIGN(Tensor i, RunSingle("Relu", {MakeTensor<int8_t>({3}, {-5, 0, 7})}, 14));
  EXPECT_TENSOR_EQ(i, MakeTensor<int8_t>({3}, {0, 0, 7}));
}

TEST(ElementwiseActivationTest, LeakyReluEluSeluCelu) {
  Tensor x = MakeTensor<float>({3}, {-1, 0, 2});
  ASSERT_OK_AND_ASSIGN(Tensor l, RunSingle("LeakyRelu", {x}));
  EXPECT_TENSOR_NEAR(l, MakeTensor<float>({3}, {-0.01f, 0, 2}), 1e-6, 0);
  ASSERT_OK_AND_ASSIGN(Tensor l2, RunSingle("LeakyRelu", {x}, 16, Attrs().Float("alpha", 0.5f)));
  EXPECT_TENSOR_NEAR(l2, MakeTensor<float>({3}, {-0.5f, 0, 2}), 1e-6, 0);
  ASSERT_OK_AND_ASSIGN(Tensor e, RunSingle("Elu", {x}, 6, Attrs().Float("alpha", 2.0f)));
  EXPECT_TENSOR_NEAR(e, MakeTensor<float>({3}, {float(2 * (std::exp(-1.0) - 1)), 0, 2}), 1e-6, 0);
  ASSERT_OK_AND_ASSIGN(Tensor s, RunSingle("Selu", {x}));
  const double alpha = 1.67326319217681884765625, gamma = 1.05070102214813232421875;
  EXPECT_TENSOR_NEAR(s, MakeTensor<float>({3}, {float(gamma * alpha * (std::exp(-1.0) - 1)), 0,
                                                float(gamma * 2)}),
                     1e-6, 0);
  ASSERT_OK_AND_ASSIGN(Tensor c, RunSingle("Celu", {x}, 12, Attrs().Float("alpha", 2.0f)));
  EXPECT_TENSOR_NEAR(c, MakeTensor<float>({3}, {float(2 * (std::exp(-0.5) - 1)), 0, 2}), 1e-6, 0);
  ExpectErrorContains(RunSingle("Celu", {x}, 12, Attrs().Float("alpha", 0.0f)), "'alpha'");
  ExpectErrorContains(RunSingle("Elu", {x}, 6, Attrs().String("alpha", "big")), "alpha");
}

TEST(ElementwiseActivationTest, HardSigmoidThresholdedRelu) {
  Tensor x = MakeTensor<float>({4}, {-5, 0, 1, 5});
  ASSERT_OK_AND_ASSIGN(Tensor h, RunSingle("HardSigmoid", {x}));
  EXPECT_TENSOR_NEAR(h, MakeTensor<float>({4}, {0, 0.5f, 0.7f, 1}), 1e-6, 0);
  ASSERT_OK_AND_ASSIGN(Tensor h2, RunSingle("HardSigmoid", {x}, 6,
                                  Attrs().Float("alpha", 0.5f).Float("beta", 0.25f)));
  EXPECT_TENSOR_NEAR(h2, MakeTensor<float>({4}, {0, 0.25f, 0.75f, 1}), 1e-6, 0);
  ASSERT_OK_AND_ASSIGN(Tensor t, RunSingle("ThresholdedRelu", {x}, 10));
  EXPECT_TENSOR_EQ(t, MakeTensor<float>({4}, {0, 0, 0, 5}));
  ASSERT_OK_AND_ASSIGN(Tensor t2, RunSingle("ThresholdedRelu", {x}, 10, Attrs().Float("alpha", 0.5f)));
  EXPECT_TENSOR_EQ(t2, MakeTensor<float>({4}, {0, 0, 1, 5}));
}

TEST(ElementwiseActivationTest, GeluTanhAndBadAttr) {
  Tensor x = MakeTensor<float>({3}, {-1, 0, 1.5f});
  ASSERT_OK_AND_ASSIGN(Tensor g, RunSingle("Gelu", {x}, 20, Attrs().String("approximate", "tanh")));
  auto ref = [](double v) {
    return 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
  };
  EXPECT_TENSOR_NEAR(g, MapRef(x, ref), 1e-5, 1e-6);
  ExpectErrorContains(RunSingle("Gelu", {x}, 20, Attrs().String("approximate", "fast")),
                      "'approximate'");
  ASSERT_FALSE(RunSingle("Gelu", {x}, 19).ok());  // not an ONNX op before opset 20
}

TEST(ElementwiseActivationTest, Shrink) {
  Tensor x = MakeTensor<float>({5}, {-2, -0.5f, 0, 0.5f, 2});
  ASSERT_OK_AND_ASSIGN(
      Tensor y, RunSingle("Shrink", {x}, 9, Attrs().Float("lambd", 1.0f).Float("bias", 0.5f)));
  EXPECT_TENSOR_EQ(y, MakeTensor<float>({5}, {-1.5f, 0, 0, 0, 1.5f}));
  ASSERT_OK_AND_ASSIGN(Tensor i, RunSingle("Shrink", {MakeTensor<int32_t>({3}, {-3, 0, 3})}, 9,
                                 Attrs().Float("lambd", 1.0f).Float("bias", 1.0f)));
  EXPECT_TENSOR_EQ(i, MakeTensor<int32_t>({3}, {-2, 0, 2}));
}

TEST(ElementwiseActivationTest, PReluBroadcastSlope) {
  Tensor x = MakeTensor<float>({2, 3}, {-1, 2, -3, 4, -5, 6});
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("PRelu", {x, MakeTensor<float>({3}, {0.1f, 0.2f, 0.3f})}));
  EXPECT_TENSOR_NEAR(y, MakeTensor<float>({2, 3}, {-0.1f, 2, -0.9f, 4, -1.0f, 6}), 1e-6, 0);
  ASSERT_OK_AND_ASSIGN(Tensor s, RunSingle("PRelu", {x, Tensor::Scalar(0.5f)}, 9));
  EXPECT_TENSOR_NEAR(s, MakeTensor<float>({2, 3}, {-0.5f, 2, -1.5f, 4, -2.5f, 6}), 1e-6, 0);
  ASSERT_OK_AND_ASSIGN(Tensor i, RunSingle("PRelu", {MakeTensor<int32_t>({2}, {-3, 3}),
                                           MakeTensor<int32_t>({1}, {2})}));
  EXPECT_TENSOR_EQ(i, MakeTensor<int32_t>({2}, {-6, 3}));
  // slope larger than X is not unidirectional
  ExpectErrorContains(RunSingle("PRelu", {MakeTensor<float>({3}, {1, 2, 3}),
                                     MakeTensor<float>({2, 3}, {1, 1, 1, 1, 1, 1})}),
                      "'slope'");
  ExpectErrorContains(RunSingle("PRelu", {x, std::nullopt}), "'slope'");
}

TEST(ElementwiseActivationTest, ClipOpset6Attributes) {
  Tensor x = MakeTensor<float>({4}, {-3, -1, 1, 3});
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Clip", {x}, 6, Attrs().Float("min", -2).Float("max", 2)));
  EXPECT_TENSOR_EQ(y, MakeTensor<float>({4}, {-2, -1, 1, 2}));
  ASSERT_OK_AND_ASSIGN(Tensor z, RunSingle("Clip", {x}, 10));
  EXPECT_TENSOR_EQ(z, x);
}

TEST(ElementwiseActivationTest, ClipOpset11Inputs) {
  Tensor x = MakeTensor<float>({4}, {-3, -1, 1, NAN});
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Clip", {x, Tensor::Scalar(-2.0f), Tensor::Scalar(0.5f)}, 11));
  EXPECT_TENSOR_EQ(y, MakeTensor<float>({4}, {-2, -1, 0.5f, NAN}));
  ASSERT_OK_AND_ASSIGN(Tensor lo, RunSingle("Clip", {x, Tensor::Scalar(0.0f)}, 13));
  EXPECT_TENSOR_EQ(lo, MakeTensor<float>({4}, {0, 0, 1, NAN}));
  ASSERT_OK_AND_ASSIGN(Tensor hi, RunSingle("Clip", {x, std::nullopt, Tensor::Scalar(0.0f)}, 13));
  EXPECT_TENSOR_EQ(hi, MakeTensor<float>({4}, {-3, -1, 0, NAN}));
  ASSERT_OK_AND_ASSIGN(Tensor none, RunSingle("Clip", {x}, 13));
  EXPECT_TENSOR_EQ(none, x);
  // min > max: everything becomes max
  ASSERT_OK_AND_ASSIGN(Tensor inv, RunSingle("Clip", {MakeTensor<float>({2}, {-5, 5}), Tensor::Scalar(2.0f),
                                            Tensor::Scalar(1.0f)}, 13));
  EXPECT_TENSOR_EQ(inv, MakeTensor<float>({2}, {1, 1}));
}

TEST(ElementwiseActivationTest, ClipIntegersAndErrors) {
  Tensor x = MakeTensor<int64_t>({3}, {-100, 5, 100});
  ASSERT_OK_AND_ASSIGN(
      Tensor y, RunSingle("Clip", {x, Tensor::Scalar<int64_t>(0), Tensor::Scalar<int64_t>(10)}, 12));
  EXPECT_TENSOR_EQ(y, MakeTensor<int64_t>({3}, {0, 5, 10}));
  ExpectErrorContains(RunSingle("Clip", {x, Tensor::Scalar(0.0f)}, 12), "'min'");
  ExpectErrorContains(RunSingle("Clip", {x, MakeTensor<int64_t>({2}, {0, 1})}, 12), "'min'");
  ASSERT_OK_AND_ASSIGN(Tensor e, RunSingle("Clip", {MakeTensor<float>({0}, {}), Tensor::Scalar(0.0f)}, 13));
  EXPECT_EQ(e.shape(), Shape({0}));
}

}  // namespace
}  // namespace brisk
