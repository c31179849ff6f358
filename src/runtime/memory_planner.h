// The memory planner: places the intermediate tensors of one compiled plan in a single arena.
//
// Every buffer has a lifetime [first_step, last_step] (inclusive: it is written at first_step
// and read for the last time at last_step). Two buffers may share arena bytes only when their
// lifetimes do not overlap. Buffers are placed largest first, each at the lowest 64-byte-aligned
// offset that does not collide with an already placed buffer whose lifetime overlaps — the
// greedy-by-size heuristic, which lands within a few percent of the optimum on CNN and
// transformer graphs. The arena is then allocated once per workspace and reused by every run.
#pragma once

#include <cstdint>
#include <vector>

namespace brisk {

struct BufferRequest {
  int64_t bytes = 0;
  int first_step = 0;
  int last_step = 0;
};

struct MemoryPlan {
  int64_t arena_bytes = 0;
  std::vector<int64_t> offsets;  // per request, in request order
  int64_t requested_bytes = 0;   // sum of the (aligned) requests: the arena without reuse
};

// Each request's bytes are rounded up to kTensorAlignment plus the tail padding kernels may
// over-read.
MemoryPlan PlanMemory(const std::vector<BufferRequest>& requests);

// The bytes a request of `bytes` occupies in the arena.
int64_t ArenaBytesFor(int64_t bytes);

}  // namespace brisk
