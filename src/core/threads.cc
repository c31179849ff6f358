#include "core/threads.h"

#ifdef _OPENMP
#include <omp.h>
#endif
#include <sched.h>
#include <xmmintrin.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <string>
#include <utility>

namespace brisk {
namespace {

// cgroup v2 "cpu.max": "<quota> <period>" or "max <period>". 0 when unlimited or unreadable.
int CgroupCpuLimit() {
  std::ifstream in("/sys/fs/cgroup/cpu.max");
  std::string quota;
  double period = 0;
  if (!(in >> quota >> period) || quota == "max" || period <= 0) return 0;
  try {
    return std::max(1, int(std::ceil(std::stod(quota) / period)));
  } catch (...) {
    return 0;
  }
}

std::set<int> AllowedCpuIds() {
  std::set<int> ids;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    for (int i = 0; i < CPU_SETSIZE; ++i)
      if (CPU_ISSET(i, &set)) ids.insert(i);
  }
  return ids;
}

int ReadInt(const std::string& path, int fallback) {
  std::ifstream in(path);
  int value = 0;
  return (in >> value) ? value : fallback;
}

constexpr unsigned kFlushDenormals = 0x8040;  // MXCSR FTZ (bit 15) | DAZ (bit 6)

}  // namespace

int AvailableCpus() {
  static const int cpus = [] {
    int n = std::max(1, int(AllowedCpuIds().size()));
    if (int limit = CgroupCpuLimit(); limit > 0) n = std::min(n, limit);
    return n;
  }();
  return cpus;
}

int PhysicalCores() {
  static const int cores = [] {
    std::set<std::pair<int, int>> cores;  // (package, core)
    for (int cpu : AllowedCpuIds()) {
      const std::string topo = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
      cores.insert({ReadInt(topo + "physical_package_id", 0), ReadInt(topo + "core_id", cpu)});
    }
    return std::clamp(int(cores.size()), 1, AvailableCpus());
  }();
  return cores;
}

#ifdef _OPENMP
int CurrentThreads() { return omp_in_parallel() ? 1 : omp_get_max_threads(); }
#else
// Built without OpenMP (e.g. the clang fuzzing build): everything runs on the caller.
int CurrentThreads() { return 1; }
#endif

void ParallelFor(int64_t n, int64_t grain, FunctionRef<void(int64_t, int64_t)> fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  const int64_t max_chunks = (n + grain - 1) / grain;
  const int threads = int(std::min<int64_t>(CurrentThreads(), max_chunks));
  if (threads <= 1) {
    fn(0, n);
    return;
  }
#ifdef _OPENMP
#pragma omp parallel num_threads(threads)
  {
    // Static split into one contiguous range per thread: the kernels that call this are
    // uniform in cost per item, and contiguous ranges keep each thread's memory contiguous.
    const int64_t t = omp_get_thread_num();
    const int64_t nt = omp_get_num_threads();
    const int64_t begin = n * t / nt;
    const int64_t end = n * (t + 1) / nt;
    if (begin < end) fn(begin, end);
  }
#endif
}

#ifdef _OPENMP
RunScope::RunScope(int threads, bool flush_denormals)
    : previous_threads_(omp_get_max_threads()),
      previous_csr_(_mm_getcsr()),
      flush_denormals_(flush_denormals) {
  omp_set_num_threads(std::max(1, threads));
  if (!flush_denormals_) return;
  _mm_setcsr(previous_csr_ | kFlushDenormals);
  if (threads > 1 && !omp_in_parallel()) {
    // Worker threads persist in libgomp's pool and keep their MXCSR between regions.
#pragma omp parallel num_threads(threads)
    _mm_setcsr(_mm_getcsr() | kFlushDenormals);
  }
}

RunScope::~RunScope() {
  omp_set_num_threads(previous_threads_);
  if (flush_denormals_) _mm_setcsr(previous_csr_);
}
#else
RunScope::RunScope(int threads, bool flush_denormals)
    : previous_threads_(1), previous_csr_(_mm_getcsr()), flush_denormals_(flush_denormals) {
  if (flush_denormals_) _mm_setcsr(previous_csr_ | kFlushDenormals);
}

RunScope::~RunScope() {
  if (flush_denormals_) _mm_setcsr(previous_csr_);
}
#endif

}  // namespace brisk
