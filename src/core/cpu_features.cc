#include "core/cpu_features.h"

#include <cpuid.h>

#include <cstdlib>
#include <string>

namespace brisk {

const CpuFeatures& GetCpuFeatures() {
  static const CpuFeatures features = [] {
    __builtin_cpu_init();
    CpuFeatures f;
    f.avx2 = __builtin_cpu_supports("avx2");
    f.fma = __builtin_cpu_supports("fma");
    // clang 14 does not know "f16c" for __builtin_cpu_supports: read CPUID leaf 1 directly.
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    f.f16c = __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 && (ecx & bit_F16C) != 0;
    f.avx512f = __builtin_cpu_supports("avx512f");
    f.avx512bw = __builtin_cpu_supports("avx512bw");
    f.avx512vl = __builtin_cpu_supports("avx512vl");
    f.avx512dq = __builtin_cpu_supports("avx512dq");
    f.avx512_vnni = __builtin_cpu_supports("avx512vnni");
    f.avx512_bf16 = __builtin_cpu_supports("avx512bf16");
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
    f.avx512_fp16 = __builtin_cpu_supports("avx512fp16");
#endif
    return f;
  }();
  return features;
}

Isa ActiveIsa() {
  static const Isa isa = [] {
    const CpuFeatures& f = GetCpuFeatures();
    Isa best = Isa::kGeneric;
    if (f.avx2 && f.fma && f.f16c) best = Isa::kAvx2;
    if (best == Isa::kAvx2 && f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq) {
      best = Isa::kAvx512;
    }
    if (const char* env = std::getenv("BRISK_CPU_ISA")) {
      const std::string wanted = env;
      Isa cap = best;
      if (wanted == "generic") cap = Isa::kGeneric;
      if (wanted == "avx2") cap = Isa::kAvx2;
      if (int(cap) < int(best)) best = cap;
    }
    return best;
  }();
  return isa;
}

std::string_view IsaName(Isa isa) {
  switch (isa) {
    case Isa::kAvx512: return "avx512";
    case Isa::kAvx2: return "avx2";
    case Isa::kGeneric: return "generic";
  }
  return "generic";
}

}  // namespace brisk
