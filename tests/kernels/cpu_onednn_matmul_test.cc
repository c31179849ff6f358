// The oneDNN MatMul / Gemm / FusedMatMul kernels against the reference kernels on seeded random
// data: 2-D and batched shapes with broadcasting, vector operands, constant and variable B,
// transposed Gemm with alpha/beta and every C broadcast, FusedMatMul's bias/Sum/activations,
// 1 and 2 threads; and the nodes the kernel must decline.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cpu_onednn_test_util.h"
#include "kernels/registry.h"

namespace brisk::testing {
namespace {

struct MatMulCase {
  std::string name;
  std::vector<int64_t> a, b;
};

class MatMulTest : public ::testing::TestWithParam<MatMulCase> {};

TEST_P(MatMulTest, MatchesReferenceWithConstantAndVariableB) {
  const MatMulCase& c = GetParam();
  Tensor a = RandomFloat(Shape(c.a), 1);
  Tensor b = RandomFloat(Shape(c.b), 2);
  for (int threads : {1, 2}) {
    for (bool constant : {true, false}) {
      ExpectCpuMatchesReference({.op_type = "MatMul", .opset = 13}, {a, b}, threads, constant);
    }
  }
  ExpectCpuMatchesReference({.op_type = "MatMul", .opset = 1}, {a, b}, 1);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, MatMulTest,
    ::testing::Values(MatMulCase{"m5k7n3", {5, 7}, {7, 3}}, MatMulCase{"m1", {1, 17}, {17, 33}},
                      MatMulCase{"batched_b2d", {2, 3, 5, 7}, {7, 9}},
                      MatMulCase{"batched_same", {3, 5, 7}, {3, 7, 4}},
                      MatMulCase{"broadcast_both", {2, 1, 5, 7}, {1, 3, 7, 4}},
                      MatMulCase{"a2d_b3d", {4, 6}, {3, 6, 5}},
                      MatMulCase{"vector_a", {7}, {7, 3}},
                      MatMulCase{"vector_b", {2, 5, 7}, {7}},
                      MatMulCase{"bert_like", {1, 16, 64}, {64, 48}},
                      MatMulCase{"seq_first_batch1", {9, 1, 16}, {16, 24}},
                      MatMulCase{"attention", {2, 4, 9, 16}, {2, 4, 16, 9}}),
    [](const auto& info) { return info.param.name; });

struct GemmCase {
  std::string name;
  int64_t m, k, n;
  bool trans_a, trans_b;
  float alpha, beta;
  std::optional<std::vector<int64_t>> c;  // C's shape, absent when nullopt
};

class GemmTest : public ::testing::TestWithParam<GemmCase> {};

TEST_P(GemmTest, MatchesReference) {
  const GemmCase& g = GetParam();
  Tensor a = RandomFloat(g.trans_a ? Shape{g.k, g.m} : Shape{g.m, g.k}, 1);
  Tensor b = RandomFloat(g.trans_b ? Shape{g.n, g.k} : Shape{g.k, g.n}, 2);
  std::vector<std::optional<Tensor>> inputs = {a, b};
  if (g.c) inputs.push_back(RandomFloat(Shape(*g.c), 3));
  Attrs attrs;
  attrs.Int("transA", g.trans_a).Int("transB", g.trans_b).Float("alpha", g.alpha).Float(
      "beta", g.beta);
  const OpSpec spec{.op_type = "Gemm", .opset = 13, .attrs = attrs};
  // A C broadcast along rows ([M, 1]) would need oneDNN's naive reference matmul.
  const bool column_c = g.c && g.c->size() == 2 && (*g.c)[1] == 1 && g.n > 1 && g.beta != 0.f;
  if (column_c) {
    ExpectCpuDeclines(spec, inputs);
    return;
  }
  // beta other than 0 or 1 needs a constant C (folded into it at create).
  const bool variable_ok = g.beta == 1.f || g.beta == 0.f || !g.c;
  for (int threads : {1, 2}) {
    ExpectCpuMatchesReference(spec, inputs, threads);
    if (variable_ok) ExpectCpuMatchesReference(spec, inputs, threads, false);
  }
  if (!variable_ok) ExpectCpuDeclines(spec, inputs, /*inputs_are_constant=*/false);
}

INSTANTIATE_TEST_SUITE_P(
    Variants, GemmTest,
    ::testing::Values(
        GemmCase{"plain_bias", 5, 7, 3, false, false, 1.f, 1.f, std::vector<int64_t>{3}},
        GemmCase{"transB_bias_row", 4, 17, 9, false, true, 1.f, 1.f, std::vector<int64_t>{1, 9}},
        GemmCase{"transA", 6, 7, 5, true, false, 1.f, 1.f, std::vector<int64_t>{6, 5}},
        GemmCase{"transA_transB_alpha_beta", 6, 7, 5, true, true, 0.5f, 2.f,
                 std::vector<int64_t>{6, 5}},
        GemmCase{"column_c_declined", 6, 7, 5, false, false, 1.f, 1.f,
                 std::vector<int64_t>{6, 1}},
        GemmCase{"alpha_bias", 3, 8, 10, false, true, 1.5f, 1.f, std::vector<int64_t>{10}},
        GemmCase{"beta_row", 3, 8, 10, false, false, 1.f, -0.5f, std::vector<int64_t>{10}},
        GemmCase{"scalar_c", 4, 5, 6, false, false, 1.f, 1.f, std::vector<int64_t>{}},
        GemmCase{"one_c", 4, 5, 6, false, true, 2.f, 1.f, std::vector<int64_t>{1}},
        GemmCase{"beta0", 4, 5, 6, false, false, 1.f, 0.f, std::vector<int64_t>{4, 6}},
        GemmCase{"no_c_alpha", 7, 3, 2, true, false, -1.f, 1.f, std::nullopt},
        GemmCase{"fc_1000", 2, 64, 1000, false, true, 1.f, 1.f, std::vector<int64_t>{1000}}),
    [](const auto& info) { return info.param.name; });

struct ActivationCase {
  std::string name;
  std::vector<float> params;
};

class FusedMatMulTest : public ::testing::TestWithParam<ActivationCase> {};

TEST_P(FusedMatMulTest, EveryCombinationOfBiasAndSum) {
  const ActivationCase& act = GetParam();
  Tensor a = RandomFloat(Shape{2, 7, 33}, 1, -2.f, 2.f);
  Tensor b = RandomFloat(Shape{33, 17}, 2);
  Tensor bt = RandomFloat(Shape{17, 33}, 3);
  Tensor bias = RandomFloat(Shape{17}, 4);
  Tensor sum = RandomFloat(Shape{2, 7, 17}, 5, -3.f, 3.f);
  for (int trans_b : {0, 1}) {
    Attrs attrs;
    attrs.Int("transB", trans_b);
    if (!act.name.empty()) attrs.String("activation", act.name);
    if (!act.params.empty()) attrs.Floats("activation_params", act.params);
    const OpSpec spec{
        .op_type = "FusedMatMul", .opset = 1, .domain = std::string(kBriskDomain), .attrs = attrs};
    const Tensor& w = trans_b ? bt : b;
    for (int threads : {1, 2}) {
      ExpectCpuMatchesReference(spec, {a, w}, threads);
      ExpectCpuMatchesReference(spec, {a, w, bias}, threads);
      ExpectCpuMatchesReference(spec, {a, w, std::nullopt, sum}, threads);
      ExpectCpuMatchesReference(spec, {a, w, bias, sum}, threads);
      ExpectCpuMatchesReference(spec, {a, w, bias, sum}, threads, /*inputs_are_constant=*/false);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Activations, FusedMatMulTest,
    ::testing::Values(ActivationCase{"", {}}, ActivationCase{"Relu", {}},
                      ActivationCase{"LeakyRelu", {0.1f}}, ActivationCase{"Clip", {-0.5f, 6.f}},
                      ActivationCase{"Sigmoid", {}}, ActivationCase{"Tanh", {}},
                      ActivationCase{"HardSigmoid", {0.2f, 0.5f}}, ActivationCase{"HardSwish", {}},
                      ActivationCase{"Silu", {}}, ActivationCase{"Gelu", {}},
                      ActivationCase{"GeluTanh", {}}),
    [](const auto& info) { return info.param.name.empty() ? std::string("None") : info.param.name; });

TEST(OnednnMatMulDeclines, IntegerTypes) {
  Tensor a = MakeTensor<int32_t>(Shape{2, 2}, {1, 2, 3, 4});
  Tensor b = MakeTensor<int32_t>(Shape{2, 2}, {1, 0, 0, 1});
  ExpectCpuDeclines({.op_type = "MatMul", .opset = 13}, {a, b});
  Tensor ad = *Tensor::Zeros(DType::kFloat64, Shape{2, 2});
  ExpectCpuDeclines({.op_type = "Gemm", .opset = 13}, {ad, ad});
}

TEST(OnednnMatMulDeclines, EmptyAndVectorFused) {
  Tensor a = *Tensor::Zeros(DType::kFloat32, Shape{0, 4});
  Tensor b = RandomFloat(Shape{4, 3}, 1);
  ExpectCpuDeclines({.op_type = "MatMul", .opset = 13}, {a, b});
  Tensor v = RandomFloat(Shape{4}, 2);
  ExpectCpuDeclines({.op_type = "FusedMatMul", .opset = 1, .domain = std::string(kBriskDomain)},
                    {v, b});
}

}  // namespace
}  // namespace brisk::testing
