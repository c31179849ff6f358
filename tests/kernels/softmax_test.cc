#include <cmath>
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

// Naive: groups of `len` elements strided by `inner` along the op's axis.
Tensor Naive(const std::string& op, const Tensor& x, int axis, bool coerce) {
  const Shape& s = x.shape();
  int64_t outer = 1, len = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= s[i];
  if (coerce) {
    for (int i = axis; i < s.rank(); ++i) len *= s[i];
  } else {
    len = s[axis];
    for (int i = axis + 1; i < s.rank(); ++i) inner *= s[i];
  }
  const std::vector<double> v = ToDoubles(x);
  std::vector<double> y(v.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t n = 0; n < inner; ++n) {
      auto idx = [&](int64_t i) { return size_t((o * len + i) * inner + n); };
      double mx = -INFINITY;
      int64_t arg = 0;
      for (int64_t i = 0; i < len; ++i)
        if (v[idx(i)] > mx) mx = v[idx(i)], arg = i;
      double sum = 0;
      for (int64_t i = 0; i < len; ++i) sum += std::exp(v[idx(i)] - mx);
      for (int64_t i = 0; i < len; ++i) {
        if (op == "Softmax") y[idx(i)] = std::exp(v[idx(i)] - mx) / sum;
        else if (op == "LogSoftmax") y[idx(i)] = v[idx(i)] - mx - std::log(sum);
        else y[idx(i)] = i == arg ? 1 : 0;
      }
    }
  return FromDoubles(x.dtype(), s, y);
}

void Check(const std::string& op, Shape shape, int opset, std::optional<int64_t> axis,
           DType dtype = DType::kFloat32, float scale = 1) {
  SCOPED_TRACE(op + " opset " + std::to_string(opset) + " shape " + shape.ToString());
  Tensor x = CastTo(RandomFloat(shape, 5, -scale, scale), dtype);
  Attrs attrs;
  if (axis) attrs.Int("axis", *axis);
  auto y = RunOp({.op_type = op, .opset = opset, .attrs = attrs}, {x});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  int64_t a = axis.value_or(opset < 13 ? 1 : -1);
  if (a < 0) a += shape.rank();
  const double tol = dtype == DType::kFloat32 || dtype == DType::kFloat64 ? 1e-5 : 2e-2;
  EXPECT_TENSOR_NEAR((*y)[0], Naive(op, x, int(a), opset < 13), tol, tol);
}

const char* const kOps[] = {"Softmax", "LogSoftmax", "Hardmax"};

TEST(SoftmaxTest, DefaultAxisOpset13) {
  for (const char* op : kOps) {
    Check(op, {3, 5}, 13, std::nullopt);
    Check(op, {2, 3, 7}, 13, std::nullopt);
  }
}

TEST(SoftmaxTest, InnerAxes) {
  for (const char* op : kOps) {
    Check(op, {2, 3, 4}, 13, 1);
    Check(op, {2, 3, 4}, 13, 0);
    Check(op, {2, 3, 4}, 13, -2);
  }
}

TEST(SoftmaxTest, CoerceTo2DBeforeOpset13) {
  for (const char* op : kOps)
    for (int opset : {1, 11}) {
      Check(op, {2, 3, 4}, opset, std::nullopt);
      Check(op, {2, 3, 4}, opset, 0);
      Check(op, {2, 3, 4}, opset, 2);
      Check(op, {2, 3, 4}, opset, 3);
    }
  Check("Softmax", {2, 3, 4}, 11, -1);
}

TEST(SoftmaxTest, BatchOneAndOneDim) {
  for (const char* op : kOps) {
    Check(op, {1, 1, 9}, 13, std::nullopt);
    Check(op, {7}, 13, std::nullopt);
  }
}

TEST(SoftmaxTest, LargeValuesAreStable) {
  for (const char* op : kOps) Check(op, {4, 6}, 13, std::nullopt, DType::kFloat32, 1000.f);
  Tensor x = MakeTensor<float>({3}, {1000, 1000, 1000});
  auto y = RunOp({.op_type = "Softmax"}, {x});
  ASSERT_TRUE(y.ok());
  EXPECT_TENSOR_NEAR((*y)[0], MakeTensor<float>({3}, {1 / 3.f, 1 / 3.f, 1 / 3.f}), 1e-6, 1e-6);
}

TEST(SoftmaxTest, OtherDtypes) {
  for (const char* op : kOps)
    for (DType d : {DType::kFloat16, DType::kBFloat16, DType::kFloat64})
      Check(op, {3, 4}, 13, std::nullopt, d);
}

TEST(SoftmaxTest, EmptyTensors) {
  for (const char* op : kOps) {
    Check(op, {0, 4}, 13, std::nullopt);
    Check(op, {3, 0}, 13, std::nullopt);
    Check(op, {3, 0, 2}, 11, 1);
  }
}

TEST(HardmaxTest, TiesPickFirst) {
  Tensor x = MakeTensor<float>({2, 4}, {3, 1, 3, 2, 0, 5, 5, 5});
  auto y = RunOp({.op_type = "Hardmax"}, {x});
  ASSERT_TRUE(y.ok());
  EXPECT_TENSOR_EQ((*y)[0], MakeTensor<float>({2, 4}, {1, 0, 0, 0, 0, 1, 0, 0}));
}

TEST(SoftmaxTest, BadAxisIsAnError) {
  for (const char* op : kOps) {
    auto y = RunOp({.op_type = op, .opset = 13, .attrs = Attrs().Int("axis", 2)},
                   {RandomFloat({2, 2}, 1)});
    EXPECT_TRUE(ErrorContains(y.status(), "axis")) << y.status().ToString();
    y = RunOp({.op_type = op, .opset = 11, .attrs = Attrs().Int("axis", -4)},
              {RandomFloat({2, 2}, 1)});
    EXPECT_TRUE(ErrorContains(y.status(), "axis")) << y.status().ToString();
  }
}

TEST(SoftmaxTest, IntegerInputIsAnError) {
  auto y = RunOp({.op_type = "Softmax"}, {MakeTensor<int32_t>({2}, {1, 2})});
  EXPECT_TRUE(ErrorContains(y.status(), "input 0")) << y.status().ToString();
}

TEST(SoftmaxInferenceTest, SymbolicShapeFlows) {
  for (const char* op : kOps) {
    auto t = InferOnly(op, 13, {}, {SpecType(DType::kFloat32, {"N", "heads", "S", "S"})});
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ((*t)[0].shape->ToString(), "[N, heads, S, S]");
    EXPECT_EQ((*t)[0].dtype, DType::kFloat32);
  }
}

}  // namespace
}  // namespace brisk
