// What this CPU can do, read once, and which microkernel ISA brisk uses.
//
// The ISA level can be lowered (never raised) with the environment variable BRISK_CPU_ISA
// (`avx512`, `avx2`, `generic`) so tests and benchmarks exercise every path on one machine.
#pragma once

#include <string_view>

namespace brisk {

enum class Isa { kGeneric = 0, kAvx2 = 1, kAvx512 = 2 };

struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
  bool f16c = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512vl = false;
  bool avx512dq = false;
  bool avx512_vnni = false;
  bool avx512_bf16 = false;
  bool avx512_fp16 = false;
};

const CpuFeatures& GetCpuFeatures();
// The best ISA both the CPU and BRISK_CPU_ISA allow.
Isa ActiveIsa();
std::string_view IsaName(Isa isa);

}  // namespace brisk
