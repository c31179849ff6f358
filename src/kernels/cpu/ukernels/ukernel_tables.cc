// Picks each microkernel family's table for ActiveIsa() (once) and lists the variants this CPU
// supports for tests and benchmarks. Baseline-compiled: it only compares and returns pointers.
#include "core/cpu_features.h"
#include "kernels/cpu/ukernels/f32_elementwise.h"
#include "kernels/cpu/ukernels/f32_rows.h"

namespace brisk::ukernels {
namespace {

// Every ISA level up to what the CPU itself supports (BRISK_CPU_ISA is not consulted).
bool CpuSupports(Isa isa) {
  const CpuFeatures& f = GetCpuFeatures();
  const bool avx2 = f.avx2 && f.fma && f.f16c;
  switch (isa) {
    case Isa::kGeneric: return true;
    case Isa::kAvx2: return avx2;
    case Isa::kAvx512: return avx2 && f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq;
  }
  return false;
}

template <typename Table>
const Table& Pick(const Table& (*generic)(), const Table& (*avx2)(), const Table& (*avx512)()) {
  switch (ActiveIsa()) {
    case Isa::kAvx512: return avx512();
    case Isa::kAvx2: return avx2();
    case Isa::kGeneric: break;
  }
  return generic();
}

template <typename Table>
std::vector<const Table*> Supported(const Table& (*generic)(), const Table& (*avx2)(),
                                    const Table& (*avx512)()) {
  std::vector<const Table*> out = {&generic()};
  if (CpuSupports(Isa::kAvx2)) out.push_back(&avx2());
  if (CpuSupports(Isa::kAvx512)) out.push_back(&avx512());
  return out;
}

}  // namespace

const F32ElementwiseUkernels& ActiveF32Elementwise() {
  static const F32ElementwiseUkernels& table =
      Pick(&F32ElementwiseGeneric, &F32ElementwiseAvx2, &F32ElementwiseAvx512);
  return table;
}

std::vector<const F32ElementwiseUkernels*> F32ElementwiseVariants() {
  return Supported(&F32ElementwiseGeneric, &F32ElementwiseAvx2, &F32ElementwiseAvx512);
}

const F32RowsUkernels& ActiveF32Rows() {
  static const F32RowsUkernels& table = Pick(&F32RowsGeneric, &F32RowsAvx2, &F32RowsAvx512);
  return table;
}

std::vector<const F32RowsUkernels*> F32RowsVariants() {
  return Supported(&F32RowsGeneric, &F32RowsAvx2, &F32RowsAvx512);
}

}  // namespace brisk::ukernels
