// brisk.Batcher: the automatic batcher from Python. run() converts the feeds with the GIL held,
// then waits for the batched result with the GIL released, so many Python threads calling run()
// at once are merged into one batched engine run.
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/vector.h>

#include <memory>
#include <mutex>
#include <set>

#include "arrays.h"
#include "brisk/batcher.h"
#include "errors.h"
#include "session_binding.h"

namespace brisk::python {
namespace {

namespace nb = nanobind;
using namespace nb::literals;

// Live batchers, stopped by the atexit hook before the interpreter finalizes.
std::mutex g_batchers_mutex;
std::set<Batcher*> g_batchers;

struct PyBatcher {
  std::shared_ptr<Session> session;
  std::unique_ptr<Batcher> batcher;

  PyBatcher(std::shared_ptr<Session> s, std::unique_ptr<Batcher> b)
      : session(std::move(s)), batcher(std::move(b)) {
    std::lock_guard lock(g_batchers_mutex);
    g_batchers.insert(batcher.get());
  }
  ~PyBatcher() {
    {
      std::lock_guard lock(g_batchers_mutex);
      g_batchers.erase(batcher.get());
    }
    nb::gil_scoped_release release;  // workers never need the GIL, but joining can take a while
    batcher.reset();
  }
};

void CloseAllBatchers() {
  std::lock_guard lock(g_batchers_mutex);
  nb::gil_scoped_release release;
  for (Batcher* b : g_batchers) b->Shutdown();
}

}  // namespace

void BindBatcher(nb::module_& m) {
  nb::class_<PyBatcher>(m, "Batcher",
                        "Merges concurrent run() calls with a few rows each into batched runs.")
      .def("__init__",
           [](PyBatcher* self, const PySession& session, int max_batch_size, int64_t max_delay_us,
              std::optional<std::vector<int>> allowed_batch_sizes, int64_t max_queue_size,
              int workers) {
             BatcherOptions options;
             options.max_batch_size = max_batch_size;
             options.max_delay_us = max_delay_us;
             options.allowed_batch_sizes = allowed_batch_sizes.value_or(std::vector<int>{});
             options.max_queue_size = max_queue_size;
             options.workers = workers;
             new (self) PyBatcher(session.session,
                                  ValueOrThrow(Batcher::Create(session.session, options)));
           },
           "session"_a, "max_batch_size"_a = 32, "max_delay_us"_a = 2000,
           "allowed_batch_sizes"_a = nb::none(), "max_queue_size"_a = 1024, "workers"_a = 1)
      .def(
          "run",
          [](PyBatcher& b, nb::handle feeds, int64_t timeout_us) {
            std::vector<InputTensor> arrays;
            NamedTensors named = NamedFeeds(*b.session, feeds, &arrays);
            // The batcher copies the rows into the batch before run() returns, so views of
            // the caller's arrays are safe while we wait.
            StatusOr<std::vector<Tensor>> outputs = [&] {
              nb::gil_scoped_release release;
              return b.batcher->Run(named, timeout_us);
            }();
            return OutputsDict(*b.session, ValueOrThrow(std::move(outputs)));
          },
          "feeds"_a, "timeout_us"_a = 0,
          "Like Session.run for a request of a few rows (dim 0); blocks until its batch ran. "
          "Raises ResourceExhaustedError when the queue is full.")
      .def("stats", [](const PyBatcher& b) {
        BatcherStats s = b.batcher->stats();
        nb::dict d, sizes;
        d["requests"] = s.requests;
        d["rejected"] = s.rejected;
        d["failed"] = s.failed;
        d["batches"] = s.batches;
        d["rows"] = s.rows;
        for (const auto& [size, count] : s.batch_sizes) sizes[nb::int_(size)] = count;
        d["batch_sizes"] = sizes;
        d["queue_seconds"] = s.queue_seconds;
        d["run_seconds"] = s.run_seconds;
        d["retried_batches"] = s.retried_batches;
        return d;
      }, "Counters: requests, batches, batch-size histogram, queue and run time.")
      .def("close", [](PyBatcher& b) {
        nb::gil_scoped_release release;
        b.batcher->Shutdown();
      }, "Finishes queued requests and stops the workers; later run() calls fail.");
  m.def("_close_all_batchers", &CloseAllBatchers);
}

}  // namespace brisk::python
