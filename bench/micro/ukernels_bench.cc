// Micro-benchmark of brisk's own float32 CPU kernels (src/kernels/cpu/) against the reference
// kernels on one BERT-base activation shape, 32 x 128 x 768, with 1 and 2 threads. Each kernel
// is created once and run repeatedly into the same output slot, as the executor does; the
// reported bytes are the tensors read and written (bias/scale vectors excluded), so
// bytes_per_second is effective memory bandwidth.
//
//   ukernels_bench [--benchmark_filter=Gelu]   (BRISK_CPU_ISA=avx2|generic to compare ISAs)
// On a loaded machine compare the CPU-time column: real time includes waiting for a core.
#include <benchmark/benchmark.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "brisk/tensor.h"
#include "core/threads.h"
#include "ir/graph.h"
#include "kernels/registry.h"

namespace brisk {
namespace {

constexpr int64_t kB = 32, kS = 128, kH = 768;

Tensor Random(Shape shape, uint32_t seed, float lo = -3.f, float hi = 3.f) {
  Tensor t = *Tensor::Allocate(DType::kFloat32, std::move(shape));
  uint32_t s = seed * 2654435761u + 1;
  for (float& v : t.span<float>()) {
    s = s * 1664525u + 1013904223u;
    v = lo + (hi - lo) * float(s >> 8) / float(1 << 24);
  }
  return t;
}

struct Case {
  std::string op;
  int opset;
  ir::AttributeMap attrs;
  std::vector<Tensor> inputs;
  int64_t bytes;  // read + written per run
};

// One node, its kernel for `backend` ("reference" or "cpu"), run in a loop.
void RunCase(benchmark::State& state, const Case& c, const std::string& backend, int threads) {
  ir::Graph graph("bench");
  ir::Node* node = graph.AddNode(c.op, c.op, "");
  node->opset = c.opset;
  node->attrs = c.attrs;
  std::vector<ir::TypeInfo> types;
  std::vector<const Tensor*> constants, inputs;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    ir::Value* v = *graph.AddValue("in" + std::to_string(i));
    v->type = {DType::kFloat32, SymbolicShape::FromShape(c.inputs[i].shape())};
    node->inputs.push_back(v);
    types.push_back(v->type);
    // Parameters (everything after input 0) are constants, as initializers would be.
    constants.push_back(i == 0 ? nullptr : &c.inputs[i]);
    inputs.push_back(&c.inputs[i]);
  }
  ir::Value* out = *graph.AddValue("out");
  out->producer = node;
  node->outputs.push_back(out);
  std::unique_ptr<Kernel> kernel;
  for (const OpDef* d : OpRegistry::Global().FindKernels("", c.op, c.opset)) {
    if (d->backend != backend) continue;
    auto k = d->create(KernelInit{*node, types, constants, nullptr});
    if (k.ok() && *k != nullptr) kernel = std::move(*k);
  }
  if (kernel == nullptr) {
    state.SkipWithError(("no " + backend + " kernel").c_str());
    return;
  }
  RunScope scope(threads, true);
  std::vector<Tensor> outputs(1);
  KernelContext ctx(*node, inputs, &outputs);
  for (auto _ : state) {
    Status s = kernel->Run(ctx);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(outputs[0].raw_data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * c.bytes);
  state.SetLabel(kernel->Describe());
}

std::vector<Case> Cases() {
  const Shape x_shape{kB, kS, kH};
  const int64_t n = kB * kS * kH * 4;
  const Tensor x = Random(x_shape, 1), x2 = Random(x_shape, 2);
  const Tensor vec = Random(Shape{kH}, 3), scale = Random(Shape{kH}, 4, 0.5f, 1.5f);
  ir::AttributeMap none;
  return {
      {"Add", 14, none, {x, x2}, 3 * n},
      {"Add", 14, none, {x, vec}, 2 * n},  // bias over the hidden dim
      {"Relu", 14, none, {x}, 2 * n},
      {"Gelu", 20, none, {x}, 2 * n},
      {"Softmax", 13, none, {x}, 2 * n},
      {"LayerNormalization", 17, none, {x, scale, vec}, 2 * n},
  };
}

void RegisterAll() {
  static const std::vector<Case> cases = Cases();
  for (const Case& c : cases) {
    const std::string name = c.op + (c.inputs.size() == 2 && c.inputs[1].rank() == 1 &&
                                             c.op == "Add"
                                         ? "Bias"
                                         : "");
    for (const char* backend : {"reference", "cpu"}) {
      for (int threads : {1, 2}) {
        benchmark::RegisterBenchmark(
            (name + "/" + backend + "/threads:" + std::to_string(threads)).c_str(),
            [&c, backend, threads](benchmark::State& st) { RunCase(st, c, backend, threads); })
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
      }
    }
  }
}

}  // namespace
}  // namespace brisk

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  brisk::RegisterAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
