// Core types: DType, half-precision conversions, Shape arithmetic, Tensor ownership.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "brisk/tensor.h"

namespace brisk {
namespace {

TEST(DTypeTest, SizesAndNames) {
  EXPECT_EQ(DTypeSize(DType::kFloat16), 2u);
  EXPECT_EQ(DTypeSize(DType::kBFloat16), 2u);
  EXPECT_EQ(DTypeSize(DType::kInt64), 8u);
  EXPECT_EQ(DTypeSize(DType::kBool), 1u);
  EXPECT_EQ(DTypeName(DType::kUInt16), "uint16");
  EXPECT_TRUE(IsFloatingPoint(DType::kBFloat16));
  EXPECT_TRUE(IsSignedInteger(DType::kInt8));
  EXPECT_FALSE(IsInteger(DType::kBool));
}

TEST(Float16Test, RoundTripsEveryHalfValue) {
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    const float f = Float16::ToFloat(uint16_t(bits));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(Float16::ToFloat(Float16::FromFloat(f))));
      continue;
    }
    ASSERT_EQ(Float16::FromFloat(f), uint16_t(bits)) << "bits " << bits << " value " << f;
  }
}

TEST(Float16Test, RoundsToNearestEvenAndSaturatesToInfinity) {
  EXPECT_EQ(Float16::FromFloat(1.0f), 0x3c00);
  EXPECT_EQ(Float16::FromFloat(65504.0f), 0x7bff);    // largest finite half
  EXPECT_EQ(Float16::FromFloat(65520.0f), 0x7c00);    // rounds up to inf
  EXPECT_EQ(Float16::FromFloat(1e-8f), 0x0000);       // below half the smallest subnormal
  EXPECT_EQ(Float16::FromFloat(5.9604645e-8f), 0x0001);  // smallest subnormal
  // 1 + 2^-11 is exactly between 1 and the next half: ties go to even (1.0).
  EXPECT_EQ(Float16::FromFloat(1.0f + 1.0f / 2048), 0x3c00);
  EXPECT_EQ(Float16::FromFloat(1.0f + 3.0f / 2048), 0x3c02);
}

TEST(BFloat16Test, RoundsToNearestEven) {
  EXPECT_EQ(BFloat16::FromFloat(1.0f), 0x3f80);
  EXPECT_EQ(float(BFloat16(3.0f)), 3.0f);
  EXPECT_TRUE(std::isnan(float(BFloat16(std::numeric_limits<float>::quiet_NaN()))));
  // 1 + 2^-8 is a tie between 1 and 1 + 2^-7: even mantissa (1.0) wins.
  EXPECT_EQ(BFloat16::FromFloat(1.0f + 1.0f / 256), 0x3f80);
}

TEST(ShapeTest, CheckedElementCount) {
  EXPECT_EQ(*CheckedNumElements(std::vector<int64_t>{2, 3, 4}), 24);
  EXPECT_EQ(*CheckedNumElements(std::vector<int64_t>{}), 1);
  EXPECT_EQ(*CheckedNumElements(std::vector<int64_t>{5, 0, int64_t(1) << 62}), 0);
  auto negative = CheckedNumElements(std::vector<int64_t>{2, -1});
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find("negative"), std::string::npos);
  auto overflow = CheckedNumElements(std::vector<int64_t>{int64_t(1) << 40, int64_t(1) << 40});
  ASSERT_FALSE(overflow.ok());
  EXPECT_NE(overflow.status().message().find("more elements"), std::string::npos);
}

TEST(ShapeTest, SymbolicShapes) {
  SymbolicShape s({Dim::Symbol("N"), Dim::Known(3), Dim::Unknown()});
  EXPECT_EQ(s.ToString(), "[N, 3, ?]");
  EXPECT_FALSE(s.IsFullyKnown());
  EXPECT_FALSE(s.ToShape().has_value());
  EXPECT_EQ(SymbolicShape::FromShape(Shape{2, 5}).ToShape(), (Shape{2, 5}));
}

TEST(TensorTest, AllocationIsAlignedAndCloneIsDeep) {
  Tensor t = *Tensor::Zeros(DType::kFloat32, {3, 5});
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.raw_data()) % kTensorAlignment, 0u);
  EXPECT_EQ(t.num_elements(), 15);
  EXPECT_EQ(t.byte_size(), 60u);
  Tensor c = *t.Clone();
  c.data<float>()[0] = 7;
  EXPECT_EQ(t.data<float>()[0], 0.f);
  Tensor shared = t;  // copies share storage
  shared.data<float>()[1] = 9;
  EXPECT_EQ(t.data<float>()[1], 9.f);
}

TEST(TensorTest, ViewsDoNotOwn) {
  float buffer[6] = {1, 2, 3, 4, 5, 6};
  Tensor v = Tensor::View(DType::kFloat32, {2, 3}, buffer);
  EXPECT_FALSE(v.owns_data());
  EXPECT_EQ(v.data<float>()[4], 5.f);
  Tensor r = *v.Reshaped({3, 2});
  EXPECT_EQ(r.data<float>(), buffer);
  EXPECT_FALSE(v.Reshaped({4}).ok());
}

TEST(TensorTest, StringTensorsOwnTheirStrings) {
  Tensor s = *Tensor::Allocate(DType::kString, {2});
  s.data<std::string>()[0] = "hello";
  s.data<std::string>()[1] = std::string(1000, 'x');  // heap-allocated: checked by ASan/LSan
  Tensor c = *s.Clone();
  s.data<std::string>()[0] = "changed";
  EXPECT_EQ(c.data<std::string>()[0], "hello");
  EXPECT_EQ(c.data<std::string>()[1].size(), 1000u);
}

TEST(TensorTest, AbsurdSizesFailInsteadOfCrashing) {
  auto huge = Tensor::Allocate(DType::kFloat32, {int64_t(1) << 20, int64_t(1) << 20});
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.status().code(), StatusCode::kResourceExhausted) << huge.status().ToString();
  auto negative = Tensor::Allocate(DType::kFloat32, {-3});
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.status().code(), StatusCode::kInvalidArgument);
  auto empty = Tensor::Allocate(DType::kInt64, {0, 7});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->num_elements(), 0);
}

}  // namespace
}  // namespace brisk
