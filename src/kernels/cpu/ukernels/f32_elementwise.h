// Float32 elementwise microkernels (unary activations and math, binary arithmetic, per-channel
// affine) in one table per instruction set. The kernels in src/kernels/cpu/ call them on chunks
// handed out by ParallelFor; a call never allocates and never fails.
//
// One file per ISA fills a table (f32_elementwise_{generic,avx2,avx512}.cc, each compiling the
// same templates in f32_elementwise_impl.inc for its vector width); ActiveF32Elementwise() picks
// the one ActiveIsa() allows, once. F32ElementwiseVariants() lists every table this CPU can run
// so tests and benchmarks cover all of them in one process.
#pragma once

#include <cstdint>
#include <vector>

#include "core/cpu_features.h"

namespace brisk::ukernels {

enum class UnaryOp {
  kRelu,
  kLeakyRelu,    // alpha
  kSigmoid,
  kTanh,
  kErf,
  kGelu,         // exact: x/2 (1 + erf(x/sqrt 2))
  kGeluTanh,     // tanh approximation
  kHardSigmoid,  // alpha, beta
  kHardSwish,
  kClip,         // alpha = min, beta = max
  kExp,
  kSqrt,
  kNeg,
  kAbs,
  kSquare,
};

struct UnaryParams {
  UnaryOp op = UnaryOp::kRelu;
  float alpha = 0.f;
  float beta = 0.f;
};

enum class BinaryOp { kAdd, kSub, kMul, kDiv };

struct F32ElementwiseUkernels {
  Isa isa;
  // y[i] = f(x[i]) for i < n. x == y is allowed.
  void (*unary)(const UnaryParams& p, const float* x, float* y, int64_t n);
  // y[i] = a[i] op b[i].
  void (*binary)(BinaryOp op, const float* a, const float* b, float* y, int64_t n);
  // y[i] = a[i] op s, or s op a[i] when scalar_first (for Sub/Div with a broadcast left side).
  void (*binary_scalar)(BinaryOp op, const float* a, float s, bool scalar_first, float* y,
                        int64_t n);
  // y[i] = x[i] * scale + shift (inference BatchNormalization).
  void (*affine)(const float* x, float scale, float shift, float* y, int64_t n);
};

const F32ElementwiseUkernels& F32ElementwiseGeneric();
const F32ElementwiseUkernels& F32ElementwiseAvx2();
const F32ElementwiseUkernels& F32ElementwiseAvx512();

// The table for ActiveIsa().
const F32ElementwiseUkernels& ActiveF32Elementwise();
// Every table this CPU supports (generic first), regardless of BRISK_CPU_ISA.
std::vector<const F32ElementwiseUkernels*> F32ElementwiseVariants();

}  // namespace brisk::ukernels
