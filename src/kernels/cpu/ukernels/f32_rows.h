// Float32 row microkernels: reductions along a contiguous row and the ops built on them
// (Softmax, LayerNormalization, ReduceSum/ReduceMean), one table per instruction set, filled by
// f32_rows_{generic,avx2,avx512}.cc from the templates in f32_rows_impl.inc. Same dispatch
// scheme as f32_elementwise.h.
#pragma once

#include <cstdint>
#include <vector>

#include "core/cpu_features.h"

namespace brisk::ukernels {

struct F32RowsUkernels {
  Isa isa;
  // Softmax of each of `rows` contiguous rows of length n (max-subtracted).
  void (*softmax_rows)(const float* x, float* y, int64_t rows, int64_t n);
  // Softmax along the middle axis of an [axis_dim, inner] block (inner > 1): for each column j,
  // over x[k * inner + j], k < axis_dim. `scratch` holds 2 * inner floats.
  void (*softmax_strided)(const float* x, float* y, int64_t axis_dim, int64_t inner,
                          float* scratch);
  // LayerNormalization of each row of length n: y = (x - mean) / sqrt(var + eps) * gamma + beta
  // (beta may be null). mean/inv_std (may be null) receive one value per row.
  void (*layernorm_rows)(const float* x, float* y, int64_t rows, int64_t n, const float* gamma,
                         const float* beta, float eps, float* mean, float* inv_std);
  // out[r] = scale * sum of row r (length n).
  void (*sum_rows)(const float* x, float* out, int64_t rows, int64_t n, float scale);
};

const F32RowsUkernels& F32RowsGeneric();
const F32RowsUkernels& F32RowsAvx2();
const F32RowsUkernels& F32RowsAvx512();

const F32RowsUkernels& ActiveF32Rows();
std::vector<const F32RowsUkernels*> F32RowsVariants();

}  // namespace brisk::ukernels
