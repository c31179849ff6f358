// Float32 elementwise microkernels for AVX2 + FMA (8 lanes): the templates of
// f32_elementwise_impl.inc at this vector width (compiled with the ISA flags).
#include <immintrin.h>

#include <cstdint>

namespace brisk::ukernels {
namespace {
typedef float VF __attribute__((vector_size(32)));
typedef int32_t VI __attribute__((vector_size(32)));
inline VF SqrtV(VF v) { return VF(_mm256_sqrt_ps(v)); }
inline VF FmaV(VF a, VF b, VF c) { return VF(_mm256_fmadd_ps(a, b, c)); }
}  // namespace
}  // namespace brisk::ukernels

#include "kernels/cpu/ukernels/f32_elementwise_impl.inc"

namespace brisk::ukernels {

const F32ElementwiseUkernels& F32ElementwiseAvx2() {
  static const F32ElementwiseUkernels table = MakeF32ElementwiseTable(Isa::kAvx2);
  return table;
}

}  // namespace brisk::ukernels
