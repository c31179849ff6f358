// fma_peak: estimates the real clock and the AVX-512 FMA rate of one core (the VM's /proc/cpuinfo
// shows a base clock only and hides turbo). bench/run.py compiles it with
// `c++ -O2 -mavx512f -mfma` and runs it; prints one JSON line:
//   clock_ghz         from a chain of dependent integer adds (1 cycle each on every x86 core)
//   fma_per_cycle     512-bit FMA instructions retired per cycle with 16 independent chains
//                     (2 on cores with two 512-bit FMA units; 1 on Zen 4, which splits them)
//   fma_gflops_1core  the measured FP32 FMA rate of one core (16 lanes x 2 flops per FMA)
// Run it on a quiet machine: with other processes on the core it measures the share it got.
#include <immintrin.h>

#include <chrono>
#include <cstdint>
#include <cstdio>

namespace {

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Cycles per second: each iteration is 16 adds, each depending on the previous one.
double AddChainHz() {
  constexpr long kIters = 50000000;
  double best = 1e30;
  for (int rep = 0; rep < 3; ++rep) {
    uint64_t x = 0;
    const auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < kIters; ++i) {
      asm volatile(
          "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
          "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
          "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
          "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0"
          : "+r"(x));
    }
    const double s = Seconds(start);
    if (s < best) best = s;
  }
  return double(kIters) * 16 / best;
}

// 512-bit FMA instructions per second with enough independent chains to fill every FMA port.
double FmaRate(float* sink) {
  constexpr int kChains = 16;
  constexpr long kIters = 20000000;
  __m512 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_ps(float(i) * 1e-3f);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  double best = 1e30;
  for (int rep = 0; rep < 3; ++rep) {
    const auto start = std::chrono::steady_clock::now();
    for (long it = 0; it < kIters; ++it) {
#pragma GCC unroll 16
      for (int i = 0; i < kChains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    }
    const double s = Seconds(start);
    if (s < best) best = s;
  }
  for (int i = 0; i < kChains; ++i) *sink += _mm512_reduce_add_ps(acc[i]);
  return double(kIters) * kChains / best;
}

}  // namespace

int main() {
  float sink = 0;
  const double hz = AddChainHz();
  const double fma = FmaRate(&sink);
  std::printf("{\"clock_ghz\": %.3f, \"fma_per_cycle\": %.2f, \"fma_gflops_1core\": %.1f, "
              "\"sink\": %g}\n",
              hz / 1e9, fma / hz, fma * 16 * 2 / 1e9, double(sink));
  return 0;
}
