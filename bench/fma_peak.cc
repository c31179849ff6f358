// fma_peak: measures one core's AVX-512 FP32 FMA throughput with a tight loop of independent
// FMA chains, to estimate the real clock (the VM's /proc/cpuinfo shows the base clock only).
// bench/run.py compiles it with `c++ -O2 -mavx512f -mfma` and runs it; prints one JSON line.
// clock_ghz assumes 2 FMA units per core (one 512-bit FMA per unit per cycle).
#include <immintrin.h>

#include <chrono>
#include <cstdio>

int main() {
  constexpr int kChains = 16;          // > latency (4) x units (2): keeps both ports busy
  constexpr long kIters = 200000000;   // ~1 s at 3 GHz
  __m512 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_ps(float(i) * 1e-3f);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  double best = 1e30;
  for (int rep = 0; rep < 3; ++rep) {
    const auto start = std::chrono::steady_clock::now();
    for (long it = 0; it < kIters / 10; ++it) {
#pragma GCC unroll 16
      for (int i = 0; i < kChains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (s < best) best = s;
  }
  float sink = 0;
  for (int i = 0; i < kChains; ++i) sink += _mm512_reduce_add_ps(acc[i]);
  const double fmas = double(kIters / 10) * kChains;  // 512-bit FMA instructions
  const double gflops = fmas * 16 * 2 / best / 1e9;
  std::printf("{\"fma_gflops_1core\": %.1f, \"clock_ghz\": %.3f, \"sink\": %g}\n", gflops,
              fmas / best / 2 / 1e9, double(sink));
  return 0;
}
