// Intra-op parallelism: one OpenMP team, shared with oneDNN.
//
// Debian's oneDNN is built on the OpenMP runtime (libgomp), so its primitives parallelise on
// OpenMP threads. brisk's own kernels use the same runtime through ParallelFor, so the two never
// run two pools against each other (no oversubscription) and share the same warm threads.
// libgomp threads spin briefly after a parallel region and then sleep on a futex (GOMP_SPINCOUNT),
// so an idle session costs no CPU.
//
// The thread count is per calling thread (OpenMP's nthreads ICV): a RunScope sets it for the
// duration of one Session::Run, so two sessions with different thread counts in one process
// each get their own.
#pragma once

#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>

namespace brisk {

// A non-owning reference to a callable: unlike std::function it never allocates (a kernel's
// lambda with many captures would), so ParallelFor costs nothing per call. The callable must
// outlive the call it is passed to — true for a lambda written at the call site.
template <typename Signature>
class FunctionRef;

template <typename R, typename... Args>
class FunctionRef<R(Args...)> {
 public:
  template <typename F,
            typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, FunctionRef>>>
  FunctionRef(F&& f)  // NOLINT: implicit, like std::function
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* object, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(object))(
              std::forward<Args>(args)...);
        }) {}
  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

// CPUs this process may run on: the affinity mask, capped by the cgroup CPU quota (cpu.max)
// when one is set. At least 1.
int AvailableCpus();
// Physical cores among the available CPUs (hyper-threads of one core count once). At least 1.
int PhysicalCores();

// Calls fn(begin, end) on disjoint chunks covering [0, n), in parallel on the current run's
// threads. Chunks hold at least `grain` items (except the last); with one thread, n <= grain,
// or when already inside a parallel region, runs fn(0, n) on the caller.
void ParallelFor(int64_t n, int64_t grain, FunctionRef<void(int64_t, int64_t)> fn);

// Threads ParallelFor (and oneDNN) will use on this thread right now.
int CurrentThreads();

// For the duration of a run: sets the thread count for this thread's parallel regions and,
// when asked, flushes denormals to zero (FTZ/DAZ) on the caller and on the worker threads —
// denormal arithmetic is ~100x slower on x86 and shows up in models with tiny activations.
// Restores the caller's previous settings when it ends.
class RunScope {
 public:
  RunScope(int threads, bool flush_denormals);
  ~RunScope();
  RunScope(const RunScope&) = delete;
  RunScope& operator=(const RunScope&) = delete;

 private:
  int previous_threads_;
  unsigned previous_csr_;
  bool flush_denormals_;
};

}  // namespace brisk
