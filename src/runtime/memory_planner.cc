#include "runtime/memory_planner.h"

#include <algorithm>
#include <numeric>

#include "brisk/tensor.h"

namespace brisk {
namespace {
// Kernels may over-read (never over-write) up to this many bytes past a tensor's end; the same
// padding Buffer::Allocate gives heap tensors.
constexpr int64_t kArenaTailPadding = 64;
}  // namespace

int64_t ArenaBytesFor(int64_t bytes) {
  const int64_t align = int64_t(kTensorAlignment);
  return (bytes + kArenaTailPadding + align - 1) / align * align;
}

MemoryPlan PlanMemory(const std::vector<BufferRequest>& requests) {
  MemoryPlan plan;
  plan.offsets.assign(requests.size(), 0);
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return requests[a].bytes > requests[b].bytes;
  });
  struct Placed {
    int64_t offset, size;
    int first, last;
  };
  std::vector<Placed> placed;
  for (size_t index : order) {
    const BufferRequest& r = requests[index];
    const int64_t size = ArenaBytesFor(r.bytes);
    plan.requested_bytes += size;
    // Blocks already placed whose lifetimes overlap this one, by offset.
    std::vector<const Placed*> conflicts;
    for (const Placed& p : placed)
      if (p.first <= r.last_step && r.first_step <= p.last) conflicts.push_back(&p);
    std::sort(conflicts.begin(), conflicts.end(),
              [](const Placed* a, const Placed* b) { return a->offset < b->offset; });
    // The lowest gap that fits.
    int64_t offset = 0;
    for (const Placed* p : conflicts) {
      if (p->offset >= offset + size) break;
      offset = std::max(offset, p->offset + p->size);
    }
    plan.offsets[index] = offset;
    plan.arena_bytes = std::max(plan.arena_bytes, offset + size);
    placed.push_back({offset, size, r.first_step, r.last_step});
  }
  return plan;
}

}  // namespace brisk
