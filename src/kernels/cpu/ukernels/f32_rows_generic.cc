// Float32 rows microkernels for SSE2, baseline x86-64 (4 lanes): the templates of
// f32_rows_impl.inc at this vector width (compiled with the ISA flags).
#include <emmintrin.h>

#include <cstdint>

namespace brisk::ukernels {
namespace {
typedef float VF __attribute__((vector_size(16)));
typedef int32_t VI __attribute__((vector_size(16)));
inline VF SqrtV(VF v) { return VF(_mm_sqrt_ps(v)); }
inline VF FmaV(VF a, VF b, VF c) { return a * b + c; }  // no FMA in SSE2
}  // namespace
}  // namespace brisk::ukernels

#include "kernels/cpu/ukernels/f32_rows_impl.inc"

namespace brisk::ukernels {

const F32RowsUkernels& F32RowsGeneric() {
  static const F32RowsUkernels table = MakeF32RowsTable(Isa::kGeneric);
  return table;
}

}  // namespace brisk::ukernels
