// Small helpers shared by brisk's own float32 CPU kernels (src/kernels/cpu/*.cc): reading what a
// factory knows about its inputs, and the ParallelFor grain they use.
#pragma once

#include <cstdint>
#include <optional>

#include "brisk/dtype.h"
#include "brisk/shape.h"
#include "brisk/tensor.h"
#include "kernels/registry.h"

namespace brisk::cpu {

// Elements per ParallelFor chunk for streaming kernels: 16K floats (64 KiB) per chunk, so a
// tensor below that stays on the calling thread, where waking another costs more than it saves.
inline constexpr int64_t kStreamGrain = 16384;

// Whether input i is present and declared float32.
inline bool IsFloat32Input(const KernelInit& init, int i) {
  return i < int(init.input_types.size()) && init.input_types[size_t(i)].dtype == DType::kFloat32;
}

// Input i's shape when every dim is known at create time.
inline std::optional<Shape> KnownShape(const KernelInit& init, int i) {
  if (i >= int(init.input_types.size())) return std::nullopt;
  const auto& s = init.input_types[size_t(i)].shape;
  if (!s.has_value()) return std::nullopt;
  return s->ToShape();
}

// Input i's rank when known.
inline std::optional<int> KnownRank(const KernelInit& init, int i) {
  if (i >= int(init.input_types.size())) return std::nullopt;
  const auto& s = init.input_types[size_t(i)].shape;
  if (!s.has_value()) return std::nullopt;
  return s->rank();
}

// Input i's value when it is a compile-time constant, else null.
inline const Tensor* ConstantInput(const KernelInit& init, int i) {
  return i < int(init.input_constants.size()) ? init.input_constants[size_t(i)] : nullptr;
}

}  // namespace brisk::cpu
