// Tests of the broadcasting binary engine and the binary/compare/logic ops.
#include <cmath>
#include <limits>

#include "ir/graph.h"
#include "kernels/op_runner.h"
#include "kernels/registry.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using testing::Attrs;
using testing::MakeBoolTensor;
using testing::MakeTensor;

using testing::ExpectErrorContains;
using testing::RunSingle;

// ---- Broadcasting engine -------------------------------------------------------------------

TEST(ElementwiseBinaryTest, AddSameShape) {
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Add", {MakeTensor<float>({2, 2}, {1, 2, 3, 4}),
                                          MakeTensor<float>({2, 2}, {10, 20, 30, 40})}));
  EXPECT_TENSOR_EQ(y, MakeTensor<float>({2, 2}, {11, 22, 33, 44}));
}

TEST(ElementwiseBinaryTest, AddScalarEitherSide) {
  ASSERT_OK_AND_ASSIGN(Tensor y,
                         RunSingle("Add", {MakeTensor<float>({3}, {1, 2, 3}), Tensor::Scalar(1.5f)}));
  EXPECT_TENSOR_EQ(y, MakeTensor<float>({3}, {2.5, 3.5, 4.5}));
  ASSERT_OK_AND_ASSIGN(Tensor z,
                         RunSingle("Sub", {Tensor::Scalar(10.0f), MakeTensor<float>({3}, {1, 2, 3})}));
  EXPECT_TENSOR_EQ(z, MakeTensor<float>({3}, {9, 8, 7}));
}

TEST(ElementwiseBinaryTest, BroadcastRowAndColumn) {
  // [3,1] + [1,4] -> [3,4]
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Add", {MakeTensor<int32_t>({3, 1}, {0, 10, 20}),
                                          MakeTensor<int32_t>({1, 4}, {1, 2, 3, 4})}));
  EXPECT_TENSOR_EQ(y, MakeTensor<int32_t>({3, 4}, {1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24}));
}

TEST(ElementwiseBinaryTest, BroadcastMiddleDim) {
  // [2,1,3] * [2,2,1] -> [2,2,3]: exercises the strided (non-coalescible) path.
  Tensor a = MakeTensor<int64_t>({2, 1, 3}, {1, 2, 3, 4, 5, 6});
  Tensor b = MakeTensor<int64_t>({2, 2, 1}, {1, 10, 100, 1000});
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Mul", {a, b}));
  EXPECT_TENSOR_EQ(y, MakeTensor<int64_t>({2, 2, 3}, {1, 2, 3, 10, 20, 30, 400, 500, 600, 4000,
                                                      5000, 6000}));
}

TEST(ElementwiseBinaryTest, BroadcastMatchesNaiveOnRandomShapes) {
  // [4,1,5,1] - [3,1,6] -> [4,3,5,6], compared against an index-by-index computation.
  Tensor a = testing::RandomFloat({4, 1, 5, 1}, 1);
  Tensor b = testing::RandomFloat({3, 1, 6}, 2);
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Sub", {a, b}));
  ASSERT_EQ(y.shape(), Shape({4, 3, 5, 6}));
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 5; ++k)
        for (int l = 0; l < 6; ++l) {
          const float expect = a.data<float>()[i * 5 + k] - b.data<float>()[j * 6 + l];
          ASSERT_EQ(y.data<float>()[((i * 3 + j) * 5 + k) * 6 + l], expect);
        }
}

TEST(ElementwiseBinaryTest, RankExtension) {
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Add", {MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6}),
                                          MakeTensor<float>({3}, {10, 20, 30})}));
  EXPECT_TENSOR_EQ(y, MakeTensor<float>({2, 3}, {11, 22, 33, 14, 25, 36}));
}

TEST(ElementwiseBinaryTest, EmptyTensors) {
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Add", {MakeTensor<float>({0, 3}, {}),
                                          MakeTensor<float>({1, 3}, {1, 2, 3})}));
  EXPECT_EQ(y.shape(), Shape({0, 3}));
  ASSERT_OK_AND_ASSIGN(Tensor z, RunSingle("Less", {MakeTensor<float>({2, 0}, {}), Tensor::Scalar(1.0f)}));
  EXPECT_EQ(z.shape(), Shape({2, 0}));
  EXPECT_EQ(z.dtype(), DType::kBool);
}

TEST(ElementwiseBinaryTest, IncompatibleShapesFail) {
  auto r = RunSingle("Add", {MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6}),
                        MakeTensor<float>({2}, {1, 2})});
  ExpectErrorContains(r, "cannot be broadcast");
}

TEST(ElementwiseBinaryTest, MismatchedDTypesFail) {
  auto r = RunSingle("Add", {MakeTensor<float>({1}, {1}), MakeTensor<int32_t>({1}, {1})});
  ExpectErrorContains(r, "'B'");
}

TEST(ElementwiseBinaryTest, MissingInputFails) {
  auto r = RunSingle("Mul", {MakeTensor<float>({1}, {1}), std::nullopt});
  ExpectErrorContains(r, "'B'");
}

TEST(ElementwiseBinaryTest, UnsupportedDTypeFails) {
  auto r = RunSingle("Add", {MakeBoolTensor({1}, {1}), MakeBoolTensor({1}, {0})});
  ASSERT_FALSE(r.ok());
}

TEST(ElementwiseBinaryTest, SymbolicDimsPreserved) {
  // Inference only: run with non-constant inputs to see shapes flow (checked by RunOp).
  auto out = RunOp({.op_type = "Add", .opset = 14},
                   {MakeTensor<float>({2, 1}, {1, 2}), MakeTensor<float>({3}, {1, 2, 3})}, false);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({2, 3}));
}

// Runs only the inference function of `op` on the given input types.
StatusOr<ir::TypeInfo> InferOnly(const std::string& op, int opset,
                                 std::vector<ir::TypeInfo> types, ir::AttributeMap attrs = {}) {
  ir::Graph graph("g");
  ir::Node* node = graph.AddNode(op, op);
  node->opset = opset;
  node->attrs = std::move(attrs);
  for (size_t i = 0; i < types.size(); ++i) {
    BRISK_ASSIGN_OR_RETURN(ir::Value * v, graph.AddValue("in" + std::to_string(i)));
    node->inputs.push_back(v);
  }
  BRISK_ASSIGN_OR_RETURN(ir::Value * out, graph.AddValue("out"));
  node->outputs.push_back(out);
  const OpDef* def = OpRegistry::Global().Find("", op, opset);
  if (def == nullptr) return NotFound("no op");
  InferenceContext ctx(*node, types, std::vector<const Tensor*>(types.size(), nullptr));
  BRISK_RETURN_IF_ERROR(def->infer(ctx));
  return ctx.output_types()[0];
}

ir::TypeInfo Sym(DType d, std::vector<Dim> dims) { return {d, SymbolicShape(std::move(dims))}; }

TEST(ElementwiseBinaryTest, InferenceKeepsSymbolicDims) {
  const Dim n = Dim::Symbol("N");
  auto add = InferOnly("Add", 14, {Sym(DType::kFloat32, {n, Dim::Known(3)}),
                                   Sym(DType::kFloat32, {Dim::Known(3)})});
  ASSERT_TRUE(add.ok()) << add.status().ToString();
  EXPECT_EQ(add->dtype, DType::kFloat32);
  EXPECT_EQ(*add->shape, SymbolicShape({n, Dim::Known(3)}));
  auto eq = InferOnly("Equal", 13, {Sym(DType::kInt64, {n, Dim::Known(1)}),
                                    Sym(DType::kInt64, {Dim::Known(4)})});
  ASSERT_TRUE(eq.ok()) << eq.status().ToString();
  EXPECT_EQ(eq->dtype, DType::kBool);
  EXPECT_EQ(*eq->shape, SymbolicShape({n, Dim::Known(4)}));
  auto where = InferOnly("Where", 16, {Sym(DType::kBool, {n, Dim::Known(1)}),
                                       Sym(DType::kString, {Dim::Known(2)}), ir::TypeInfo{}});
  ASSERT_TRUE(where.ok()) << where.status().ToString();
  EXPECT_EQ(where->dtype, DType::kString);
  EXPECT_FALSE(where->shape.has_value());  // Y's rank is unknown
  auto cast = InferOnly("Cast", 13, {Sym(DType::kFloat32, {n})}, Attrs().Int("to", 7));
  ASSERT_TRUE(cast.ok()) << cast.status().ToString();
  EXPECT_EQ(cast->dtype, DType::kInt64);
  EXPECT_EQ(*cast->shape, SymbolicShape({n}));
  auto pow = InferOnly("Pow", 15, {Sym(DType::kInt32, {n}), Sym(DType::kFloat32, {})});
  ASSERT_TRUE(pow.ok()) << pow.status().ToString();
  EXPECT_EQ(pow->dtype, DType::kInt32);
  // Certain contradictions fail at inference: mismatched dtypes, incompatible known dims.
  EXPECT_FALSE(InferOnly("Mul", 14, {Sym(DType::kFloat32, {n}), Sym(DType::kInt32, {n})}).ok());
  EXPECT_FALSE(InferOnly("Sub", 14, {Sym(DType::kFloat32, {Dim::Known(2)}),
                                     Sym(DType::kFloat32, {Dim::Known(3)})})
                   .ok());
  EXPECT_FALSE(InferOnly("Cast", 13, {Sym(DType::kFloat32, {n})}, Attrs().Int("to", 0)).ok());
}

// ---- Arithmetic ----------------------------------------------------------------------------

TEST(ElementwiseBinaryTest, HalfTypes) {
  Tensor a = MakeTensor<Float16>({2}, {Float16(1.5f), Float16(-2.0f)});
  Tensor b = MakeTensor<Float16>({2}, {Float16(0.5f), Float16(4.0f)});
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Mul", {a, b}));
  EXPECT_TENSOR_EQ(y, MakeTensor<Float16>({2}, {Float16(0.75f), Float16(-8.0f)}));
  Tensor c = MakeTensor<BFloat16>({2}, {BFloat16(1.0f), BFloat16(3.0f)});
  ASSERT_OK_AND_ASSIGN(Tensor z, RunSingle("Div", {c, c}));
  EXPECT_TENSOR_EQ(z, MakeTensor<BFloat16>({2}, {BFloat16(1.0f), BFloat16(1.0f)}));
}

TEST(ElementwiseBinaryTest, IntegerOverflowWraps) {
  const int32_t mx = std::numeric_limits<int32_t>::max();
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Add", {MakeTensor<int32_t>({1}, {mx}),
                                          MakeTensor<int32_t>({1}, {1})}));
  EXPECT_EQ(y.data<int32_t>()[0], std::numeric_limits<int32_t>::min());
  ASSERT_OK_AND_ASSIGN(Tensor z, RunSingle("Mul", {MakeTensor<uint16_t>({1}, {65535}),
                                          MakeTensor<uint16_t>({1}, {65535})}));
  EXPECT_EQ(z.data<uint16_t>()[0], 1);
}

TEST(ElementwiseBinaryTest, IntegerDivTruncates) {
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Div", {MakeTensor<int32_t>({4}, {7, -7, 7, -7}),
                                          MakeTensor<int32_t>({4}, {2, 2, -2, -2})}));
  EXPECT_TENSOR_EQ(y, MakeTensor<int32_t>({4}, {3, -3, -3, 3}));
  ASSERT_OK_AND_ASSIGN(Tensor u, RunSingle("Div", {MakeTensor<uint8_t>({2}, {255, 7}),
                                          MakeTensor<uint8_t>({1}, {2})}));
  EXPECT_TENSOR_EQ(u, MakeTensor<uint8_t>({2}, {127, 3}));
}

TEST(ElementwiseBinaryTest, IntegerDivByZeroIsError) {
  auto r = RunSingle("Div", {MakeTensor<int64_t>({2}, {1, 2}), MakeTensor<int64_t>({2}, {1, 0})});
  ExpectErrorContains(r, "division by zero");
}

TEST(ElementwiseBinaryTest, IntegerDivMinByMinusOneDoesNotTrap) {
  const int64_t mn = std::numeric_limits<int64_t>::min();
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Div", {MakeTensor<int64_t>({1}, {mn}),
                                          MakeTensor<int64_t>({1}, {-1})}));
  EXPECT_EQ(y.data<int64_t>()[0], mn);
}

TEST(ElementwiseBinaryTest, FloatDivByZeroIsInf) {
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Div", {MakeTensor<float>({2}, {1, -1}),
                                          MakeTensor<float>({2}, {0, 0})}));
  EXPECT_TRUE(std::isinf(y.data<float>()[0]) && y.data<float>()[0] > 0);
  EXPECT_TRUE(std::isinf(y.data<float>()[1]) && y.data<float>()[1] < 0);
}

TEST(ElementwiseBinaryTest, OldOpsetStillWorks) {
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Sub", {MakeTensor<float>({2}, {1, 2}),
                                          MakeTensor<float>({1}, {1})}, 7));
  EXPECT_TENSOR_EQ(y, MakeTensor<float>({2}, {0, 1}));
}

TEST(ElementwiseBinaryTest, ModIntegerSignFollowsDivisor) {
  Tensor a = MakeTensor<int32_t>({6}, {-4, 7, 5, 4, -7, 8});
  Tensor b = MakeTensor<int32_t>({6}, {2, -3, 8, -2, 3, 5});
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Mod", {a, b}));
  EXPECT_TENSOR_EQ(y, MakeTensor<int32_t>({6}, {0, -2, 5, 0, 2, 3}));
  ASSERT_OK_AND_ASSIGN(Tensor z, RunSingle("Mod", {a, b}, 13, Attrs().Int("fmod", 1)));
  EXPECT_TENSOR_EQ(z, MakeTensor<int32_t>({6}, {0, 1, 5, 0, -1, 3}));
}

TEST(ElementwiseBinaryTest, ModFloatUsesFmod) {
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Mod", {MakeTensor<float>({3}, {-4.5f, 7.25f, 5.0f}),
                                          MakeTensor<float>({3}, {2.0f, -3.0f, 8.0f})},
                                 13, Attrs().Int("fmod", 1)));
  EXPECT_TENSOR_NEAR(y, MakeTensor<float>({3}, {-0.5f, 1.25f, 5.0f}), 1e-6, 1e-6);
}

TEST(ElementwiseBinaryTest, ModByZeroAndBadAttr) {
  ExpectErrorContains(RunSingle("Mod", {MakeTensor<uint8_t>({1}, {3}), MakeTensor<uint8_t>({1}, {0})}),
                      "modulo by zero");
  ExpectErrorContains(RunSingle("Mod", {MakeTensor<int32_t>({1}, {3}), MakeTensor<int32_t>({1}, {2})},
                           13, Attrs().Int("fmod", 2)),
                      "'fmod'");
  const int8_t mn = std::numeric_limits<int8_t>::min();
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Mod", {MakeTensor<int8_t>({1}, {mn}),
                                          MakeTensor<int8_t>({1}, {-1})}));
  EXPECT_EQ(y.data<int8_t>()[0], 0);
}

TEST(ElementwiseBinaryTest, PowFloat) {
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Pow", {MakeTensor<float>({3}, {1, 2, 3}),
                                          MakeTensor<float>({3}, {4, 5, 6})}));
  EXPECT_TENSOR_NEAR(y, MakeTensor<float>({3}, {1, 32, 729}), 1e-6, 0);
}

TEST(ElementwiseBinaryTest, PowMixedTypes) {
  // float base, int64 exponent
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Pow", {MakeTensor<float>({3}, {1, 2, 3}),
                                          MakeTensor<int64_t>({1}, {2})}));
  EXPECT_TENSOR_NEAR(y, MakeTensor<float>({3}, {1, 4, 9}), 1e-6, 0);
  // int32 base, float exponent: truncates
  ASSERT_OK_AND_ASSIGN(Tensor z, RunSingle("Pow", {MakeTensor<int32_t>({3}, {4, 9, 2}),
                                          MakeTensor<float>({3}, {0.5f, 0.5f, 3.0f})}));
  EXPECT_TENSOR_EQ(z, MakeTensor<int32_t>({3}, {2, 3, 8}));
  // int64 base, int64 exponent: exact
  ASSERT_OK_AND_ASSIGN(Tensor w, RunSingle("Pow", {MakeTensor<int64_t>({2}, {3, -2}),
                                          MakeTensor<int64_t>({2}, {39, 3})}));
  EXPECT_TENSOR_EQ(w, MakeTensor<int64_t>({2}, {4052555153018976267LL, -8}));
}

TEST(ElementwiseBinaryTest, PowBadExponentType) {
  ExpectErrorContains(RunSingle("Pow", {MakeTensor<float>({1}, {1}), MakeBoolTensor({1}, {1})}),
                      "'Y'");
}

TEST(ElementwiseBinaryTest, BitShift) {
  Tensor x = MakeTensor<uint32_t>({3}, {16, 4, 1});
  Tensor s = MakeTensor<uint32_t>({3}, {1, 2, 40});
  ASSERT_OK_AND_ASSIGN(Tensor r, RunSingle("BitShift", {x, s}, 11, Attrs().String("direction", "RIGHT")));
  EXPECT_TENSOR_EQ(r, MakeTensor<uint32_t>({3}, {8, 1, 0}));
  ASSERT_OK_AND_ASSIGN(Tensor l, RunSingle("BitShift", {x, s}, 11, Attrs().String("direction", "LEFT")));
  EXPECT_TENSOR_EQ(l, MakeTensor<uint32_t>({3}, {32, 16, 0}));
  ASSERT_OK_AND_ASSIGN(Tensor b, RunSingle("BitShift", {MakeTensor<uint8_t>({1}, {255}),
                                               MakeTensor<uint8_t>({1}, {1})},
                                 11, Attrs().String("direction", "LEFT")));
  EXPECT_EQ(b.data<uint8_t>()[0], 254);
}

TEST(ElementwiseBinaryTest, BitShiftErrors) {
  Tensor x = MakeTensor<uint32_t>({1}, {1});
  ExpectErrorContains(RunSingle("BitShift", {x, x}, 11), "'direction'");
  ExpectErrorContains(RunSingle("BitShift", {x, x}, 11, Attrs().String("direction", "UP")),
                      "'direction'");
  Tensor i = MakeTensor<int32_t>({1}, {1});
  ASSERT_FALSE(RunSingle("BitShift", {i, i}, 11, Attrs().String("direction", "LEFT")).ok());
}

TEST(ElementwiseBinaryTest, Bitwise) {
  Tensor a = MakeTensor<int16_t>({3}, {0b1100, -1, 5});
  Tensor b = MakeTensor<int16_t>({3}, {0b1010, 3, 0});
  ASSERT_OK_AND_ASSIGN(Tensor x, RunSingle("BitwiseAnd", {a, b}, 18));
  EXPECT_TENSOR_EQ(x, MakeTensor<int16_t>({3}, {0b1000, 3, 0}));
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("BitwiseOr", {a, b}, 18));
  EXPECT_TENSOR_EQ(y, MakeTensor<int16_t>({3}, {0b1110, -1, 5}));
  ASSERT_OK_AND_ASSIGN(Tensor z, RunSingle("BitwiseXor", {a, b}, 18));
  EXPECT_TENSOR_EQ(z, MakeTensor<int16_t>({3}, {0b0110, -4, 5}));
  ASSERT_FALSE(RunSingle("BitwiseAnd", {MakeTensor<float>({1}, {1}), MakeTensor<float>({1}, {1})},
                    18).ok());
}

// ---- Comparisons and logic -----------------------------------------------------------------

TEST(ElementwiseBinaryTest, Comparisons) {
  Tensor a = MakeTensor<float>({4}, {1, 2, 3, NAN});
  Tensor b = MakeTensor<float>({1}, {2});
  ASSERT_OK_AND_ASSIGN(Tensor eq, RunSingle("Equal", {a, b}));
  EXPECT_TENSOR_EQ(eq, MakeBoolTensor({4}, {0, 1, 0, 0}));
  ASSERT_OK_AND_ASSIGN(Tensor lt, RunSingle("Less", {a, b}));
  EXPECT_TENSOR_EQ(lt, MakeBoolTensor({4}, {1, 0, 0, 0}));
  ASSERT_OK_AND_ASSIGN(Tensor gt, RunSingle("Greater", {a, b}));
  EXPECT_TENSOR_EQ(gt, MakeBoolTensor({4}, {0, 0, 1, 0}));
  ASSERT_OK_AND_ASSIGN(Tensor le, RunSingle("LessOrEqual", {a, b}));
  EXPECT_TENSOR_EQ(le, MakeBoolTensor({4}, {1, 1, 0, 0}));
  ASSERT_OK_AND_ASSIGN(Tensor ge, RunSingle("GreaterOrEqual", {a, b}));
  EXPECT_TENSOR_EQ(ge, MakeBoolTensor({4}, {0, 1, 1, 0}));
}

TEST(ElementwiseBinaryTest, ComparisonIntegersBroadcast) {
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Greater", {MakeTensor<uint64_t>({2, 1}, {1, 5}),
                                              MakeTensor<uint64_t>({3}, {0, 3, 9})}, 9));
  EXPECT_TENSOR_EQ(y, MakeBoolTensor({2, 3}, {1, 0, 0, 1, 1, 0}));
}

TEST(ElementwiseBinaryTest, EqualStringsAndBools) {
  Tensor a = MakeTensor<std::string>({3}, {"a", "bc", ""});
  Tensor b = MakeTensor<std::string>({3}, {"a", "b", ""});
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Equal", {a, b}, 19));
  EXPECT_TENSOR_EQ(y, MakeBoolTensor({3}, {1, 0, 1}));
  ASSERT_OK_AND_ASSIGN(Tensor z, RunSingle("Equal", {MakeBoolTensor({2}, {1, 0}), MakeBoolTensor({1}, {0})}));
  EXPECT_TENSOR_EQ(z, MakeBoolTensor({2}, {0, 1}));
  ASSERT_FALSE(RunSingle("Less", {a, b}).ok());
}

TEST(ElementwiseBinaryTest, Logic) {
  Tensor a = MakeBoolTensor({2, 2}, {0, 0, 1, 1});
  Tensor b = MakeBoolTensor({2}, {0, 1});
  ASSERT_OK_AND_ASSIGN(Tensor x, RunSingle("And", {a, b}));
  EXPECT_TENSOR_EQ(x, MakeBoolTensor({2, 2}, {0, 0, 0, 1}));
  ASSERT_OK_AND_ASSIGN(Tensor y, RunSingle("Or", {a, b}));
  EXPECT_TENSOR_EQ(y, MakeBoolTensor({2, 2}, {0, 1, 1, 1}));
  ASSERT_OK_AND_ASSIGN(Tensor z, RunSingle("Xor", {a, b}));
  EXPECT_TENSOR_EQ(z, MakeBoolTensor({2, 2}, {0, 1, 1, 0}));
  ExpectErrorContains(RunSingle("And", {MakeTensor<int32_t>({1}, {1}), MakeTensor<int32_t>({1}, {1})}),
                      "expected bool");
}

}  // namespace
}  // namespace brisk
