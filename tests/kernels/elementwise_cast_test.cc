// Tests of Cast, CastLike, Where and the variadic Max/Min/Sum/Mean.
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

// ONNX TensorProto data types.
constexpr int64_t kFloat = 1, kUInt8 = 2, kInt8 = 3, kInt32 = 6, kInt64 = 7, kString = 8,
                  kBool = 9, kFloat16 = 10, kDouble = 11, kUInt64 = 13, kBFloat16 = 16;

StatusOr<Tensor> Cast(const Tensor& x, int64_t to, int opset = 21) {
  return RunSingle("Cast", {x}, opset, Attrs().Int("to", to));
}

TEST(ElementwiseCastTest, FloatToIntTruncates) {
  Tensor x = MakeTensor<float>({5}, {1.9f, -1.9f, 0.5f, -0.5f, 100.0f});
  ASSERT_OK_AND_ASSIGN(Tensor y, Cast(x, kInt32));
  EXPECT_TENSOR_EQ(y, MakeTensor<int32_t>({5}, {1, -1, 0, 0, 100}));
  ASSERT_OK_AND_ASSIGN(Tensor z, Cast(x, kInt64, 6));
  EXPECT_TENSOR_EQ(z, MakeTensor<int64_t>({5}, {1, -1, 0, 0, 100}));
}

TEST(ElementwiseCastTest, FloatToIntOutOfRangeHasNoUB) {
  Tensor x = MakeTensor<float>({4}, {NAN, 1e30f, -1e30f, 300.0f});
  ASSERT_OK_AND_ASSIGN(Tensor y, Cast(x, kInt32));
  EXPECT_EQ(y.data<int32_t>()[0], 0);
  ASSERT_OK_AND_ASSIGN(Tensor u, Cast(x, kUInt8));
  EXPECT_EQ(u.data<uint8_t>()[3], 300 % 256);
  ASSERT_OK_AND_ASSIGN(Tensor w, Cast(x, kUInt64));
  EXPECT_EQ(w.data<uint64_t>()[1], std::numeric_limits<uint64_t>::max());
}

TEST(ElementwiseCastTest, IntegerAndBool) {
  Tensor x = MakeTensor<int32_t>({4}, {0, 1, -1, 300});
  ASSERT_OK_AND_ASSIGN(Tensor b, Cast(x, kBool));
  EXPECT_TENSOR_EQ(b, MakeBoolTensor({4}, {0, 1, 1, 1}));
  ASSERT_OK_AND_ASSIGN(Tensor i8, Cast(x, kInt8));
  EXPECT_TENSOR_EQ(i8, MakeTensor<int8_t>({4}, {0, 1, -1, 44}));
  ASSERT_OK_AND_ASSIGN(Tensor f, Cast(MakeBoolTensor({2}, {1, 0}), kFloat));
  EXPECT_TENSOR_EQ(f, MakeTensor<float>({2}, {1, 0}));
  ASSERT_OK_AND_ASSIGN(Tensor d, Cast(MakeTensor<int64_t>({1}, {1LL << 40}), kDouble));
  EXPECT_TENSOR_EQ(d, MakeTensor<double>({1}, {double(1LL << 40)}));
}

TEST(ElementwiseCastTest, HalfTypes) {
  Tensor x = MakeTensor<float>({3}, {1.0f, 0.1f, 65536.0f});
  ASSERT_OK_AND_ASSIGN(Tensor h, Cast(x, kFloat16));
  EXPECT_TENSOR_EQ(h, MakeTensor<Float16>({3}, {Float16(1.0f), Float16(0.1f), Float16(65536.0f)}));
  EXPECT_TRUE(std::isinf(float(h.data<Float16>()[2])));
  ASSERT_OK_AND_ASSIGN(Tensor b, Cast(x, kBFloat16));
  EXPECT_TENSOR_EQ(b, MakeTensor<BFloat16>({3}, {BFloat16(1.0f), BFloat16(0.1f),
                                                  BFloat16(65536.0f)}));
  ASSERT_OK_AND_ASSIGN(Tensor back, Cast(h, kDouble));
  EXPECT_EQ(back.data<double>()[1], double(float(Float16(0.1f))));
}

TEST(ElementwiseCastTest, SameTypeAndEmpty) {
  Tensor x = MakeTensor<float>({2}, {1, 2});
  ASSERT_OK_AND_ASSIGN(Tensor y, Cast(x, kFloat));
  EXPECT_TENSOR_EQ(y, x);
  ASSERT_OK_AND_ASSIGN(Tensor e, Cast(MakeTensor<float>({0, 2}, {}), kString));
  EXPECT_EQ(e.shape(), Shape({0, 2}));
  EXPECT_EQ(e.dtype(), DType::kString);
}

TEST(ElementwiseCastTest, NumbersToStringLikeNumpy) {
  Tensor x = MakeTensor<float>({10}, {1.0f, 0.1f, -2.5f, 1e6f, 123456.0f, 1e-5f, 0.0f, NAN,
                                      -INFINITY, 0.47892547f});
  ASSERT_OK_AND_ASSIGN(Tensor s, Cast(x, kString));
  EXPECT_TENSOR_EQ(s, MakeTensor<std::string>({10}, {"1.0", "0.1", "-2.5", "1e+06", "123456.0",
                                                     "1e-05", "0.0", "nan", "-inf",
                                                     "0.47892547"}));
  ASSERT_OK_AND_ASSIGN(Tensor d, Cast(MakeTensor<double>({2}, {0.1, 1e16}), kString));
  EXPECT_TENSOR_EQ(d, MakeTensor<std::string>({2}, {"0.1", "1e+16"}));
  ASSERT_OK_AND_ASSIGN(Tensor h, Cast(MakeTensor<Float16>({2}, {Float16(0.1f), Float16(1000.0f)}),
                                 kString));
  EXPECT_TENSOR_EQ(h, MakeTensor<std::string>({2}, {"0.1", "1e+03"}));
  ASSERT_OK_AND_ASSIGN(Tensor i, Cast(MakeTensor<int64_t>({2}, {-42, 7}), kString));
  EXPECT_TENSOR_EQ(i, MakeTensor<std::string>({2}, {"-42", "7"}));
  ASSERT_OK_AND_ASSIGN(Tensor b, Cast(MakeBoolTensor({2}, {1, 0}), kString));
  EXPECT_TENSOR_EQ(b, MakeTensor<std::string>({2}, {"True", "False"}));
}

TEST(ElementwiseCastTest, StringsToNumbers) {
  Tensor s = MakeTensor<std::string>({7}, {"3.14", "-1e5", "INF", "-inf", "NaN", "+2", " 7 "});
  ASSERT_OK_AND_ASSIGN(Tensor f, Cast(s, kFloat));
  EXPECT_TENSOR_EQ(f, MakeTensor<float>({7}, {3.14f, -1e5f, INFINITY, -INFINITY, NAN, 2, 7}));
  ASSERT_OK_AND_ASSIGN(Tensor i, Cast(MakeTensor<std::string>({3}, {"42", "-7", "100.5"}), kInt64));
  EXPECT_TENSOR_EQ(i, MakeTensor<int64_t>({3}, {42, -7, 100}));
  ASSERT_OK_AND_ASSIGN(Tensor b, Cast(MakeTensor<std::string>({3}, {"0", "1", "true"}), kBool));
  EXPECT_TENSOR_EQ(b, MakeBoolTensor({3}, {0, 1, 1}));
  ExpectErrorContains(Cast(MakeTensor<std::string>({1}, {"hello"}), kFloat), "hello");
  ExpectErrorContains(Cast(MakeTensor<std::string>({1}, {""}), kInt32), "cannot parse");
}

TEST(ElementwiseCastTest, BadToAttribute) {
  Tensor x = MakeTensor<float>({1}, {1});
  ExpectErrorContains(RunSingle("Cast", {x}), "'to'");
  ExpectErrorContains(Cast(x, 99), "'to'");
  ExpectErrorContains(Cast(x, 17), "'to'");  // float8
}

TEST(ElementwiseCastTest, CastLike) {
  Tensor x = MakeTensor<float>({2}, {1.5f, -2.5f});
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("CastLike", {x, MakeTensor<int32_t>({0}, {})}, 15));
  EXPECT_TENSOR_EQ(y, MakeTensor<int32_t>({2}, {1, -2}));
  ASSERT_OK_AND_ASSIGN(Tensor s, RunSingle("CastLike", {x, MakeTensor<std::string>({1}, {""})}, 19));
  EXPECT_TENSOR_EQ(s, MakeTensor<std::string>({2}, {"1.5", "-2.5"}));
  ExpectErrorContains(RunSingle("CastLike", {x, std::nullopt}, 15), "'target_type'");
}

// ---- Where ---------------------------------------------------------------------------------

TEST(ElementwiseWhereTest, ThreeWayBroadcast) {
  Tensor c = MakeBoolTensor({2, 1}, {1, 0});
  Tensor x = MakeTensor<float>({1, 3}, {1, 2, 3});
  Tensor y = Tensor::Scalar(-1.0f);
  ASSERT_OK_AND_ASSIGN(Tensor out, RunSingle("Where", {c, x, y}, 16));
  EXPECT_TENSOR_EQ(out, MakeTensor<float>({2, 3}, {1, 2, 3, -1, -1, -1}));
}

TEST(ElementwiseWhereTest, StringsAndEmpty) {
  Tensor c = MakeBoolTensor({3}, {1, 0, 1});
  Tensor x = MakeTensor<std::string>({3}, {"a", "b", "c"});
  Tensor y = MakeTensor<std::string>({1}, {"z"});
  ASSERT_OK_AND_ASSIGN(Tensor out, RunSingle("Where", {c, x, y}, 9));
  EXPECT_TENSOR_EQ(out, MakeTensor<std::string>({3}, {"a", "z", "c"}));
  ASSERT_OK_AND_ASSIGN(Tensor e, RunSingle("Where", {MakeBoolTensor({0}, {}), Tensor::Scalar<int64_t>(1),
                                           Tensor::Scalar<int64_t>(2)}));
  EXPECT_EQ(e.shape(), Shape({0}));
}

TEST(ElementwiseWhereTest, Errors) {
  Tensor x = MakeTensor<float>({2}, {1, 2});
  ExpectErrorContains(RunSingle("Where", {MakeTensor<int32_t>({2}, {1, 0}), x, x}), "'condition'");
  ExpectErrorContains(RunSingle("Where", {MakeBoolTensor({2}, {1, 0}), x,
                                     MakeTensor<double>({2}, {1, 2})}),
                      "'Y'");
  ExpectErrorContains(RunSingle("Where", {MakeBoolTensor({3}, {1, 0, 1}), x, x}), "broadcast");
}

// ---- Max / Min / Sum / Mean ----------------------------------------------------------------

TEST(ElementwiseVariadicTest, ManyInputsBroadcast) {
  Tensor a = MakeTensor<float>({2, 2}, {1, 5, 3, 7});
  Tensor b = MakeTensor<float>({2}, {4, 2});
  Tensor c = Tensor::Scalar(3.0f);
  ASSERT_OK_AND_ASSIGN(Tensor mx, RunSingle("Max", {a, b, c}));
  EXPECT_TENSOR_EQ(mx, MakeTensor<float>({2, 2}, {4, 5, 4, 7}));
  ASSERT_OK_AND_ASSIGN(Tensor mn, RunSingle("Min", {a, b, c}));
  EXPECT_TENSOR_EQ(mn, MakeTensor<float>({2, 2}, {1, 2, 3, 2}));
  ASSERT_OK_AND_ASSIGN(Tensor sm, RunSingle("Sum", {a, b, c}));
  EXPECT_TENSOR_EQ(sm, MakeTensor<float>({2, 2}, {8, 10, 10, 12}));
  ASSERT_OK_AND_ASSIGN(Tensor me, RunSingle("Mean", {a, b, c}));
  EXPECT_TENSOR_NEAR(me, MakeTensor<float>({2, 2}, {8 / 3.f, 10 / 3.f, 10 / 3.f, 4}), 1e-6, 0);
}

TEST(ElementwiseVariadicTest, SingleInputAndIntegers) {
  Tensor a = MakeTensor<int32_t>({3}, {1, -2, 3});
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Max", {a}, 8));
  EXPECT_TENSOR_EQ(y, a);
  ASSERT_OK_AND_ASSIGN(Tensor z, RunSingle("Min", {a, MakeTensor<int32_t>({1}, {0})}, 13));
  EXPECT_TENSOR_EQ(z, MakeTensor<int32_t>({3}, {0, -2, 0}));
  ASSERT_OK_AND_ASSIGN(Tensor u, RunSingle("Max", {MakeTensor<uint8_t>({2}, {1, 200}),
                                         MakeTensor<uint8_t>({2}, {100, 2})}, 12));
  EXPECT_TENSOR_EQ(u, MakeTensor<uint8_t>({2}, {100, 200}));
}

TEST(ElementwiseVariadicTest, NaNPropagatesAndEmpty) {
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Max", {MakeTensor<float>({2}, {NAN, 1}),
                                         MakeTensor<float>({2}, {1, NAN})}));
  EXPECT_TENSOR_EQ(y, MakeTensor<float>({2}, {NAN, NAN}));
  ASSERT_OK_AND_ASSIGN(Tensor e, RunSingle("Sum", {MakeTensor<float>({0, 2}, {}),
                                         MakeTensor<float>({2}, {1, 2})}));
  EXPECT_EQ(e.shape(), Shape({0, 2}));
}

TEST(ElementwiseVariadicTest, Errors) {
  Tensor f2 = MakeTensor<float>({2}, {1, 2});
  ExpectErrorContains(RunSingle("Sum", {f2, MakeTensor<int32_t>({2}, {1, 2})}), "'data_1'");
  ExpectErrorContains(RunSingle("Max", {f2, MakeTensor<float>({3}, {1, 2, 3})}), "broadcast");
  ASSERT_FALSE(RunSingle("Mean", {MakeTensor<int32_t>({1}, {1})}).ok());
  ASSERT_FALSE(RunSingle("Sum", {}).ok());
}

}  // namespace
}  // namespace brisk
