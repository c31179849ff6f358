// brisk inspect model.onnx: inputs, outputs (symbolic shapes), op histogram, parameters, FLOPs.
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "onnx/importer.h"
#include "runtime/model_stats.h"
#include "runtime/type_inference.h"

namespace brisk::cli {
namespace {

std::string Human(double v, const char* unit) {
  const char* prefixes[] = {"", "K", "M", "G", "T"};
  int p = 0;
  while (v >= 1000 && p < 4) {
    v /= 1000;
    ++p;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f %s%s", v, prefixes[p], unit);
  return buf;
}

int Inspect(const std::string& path) {
  auto model = onnx_io::LoadModel(path);
  if (!model.ok()) {
    std::cerr << "error: " << model.status().ToString() << "\n";
    return 1;
  }
  Status s = InferModelTypes(*model->graph);
  if (!s.ok()) {
    std::cerr << "error: " << s.WithContext(path).ToString() << "\n";
    return 1;
  }
  auto stats = ComputeModelStats(*model);
  if (!stats.ok()) {
    std::cerr << "error: " << stats.status().WithContext(path).ToString() << "\n";
    return 1;
  }
  std::cout << "model: " << path << "\n";
  std::cout << "producer: " << model->producer_name << " " << model->producer_version
            << ", IR version " << model->ir_version << ", opsets:";
  for (const auto& [domain, v] : model->opset_imports)
    std::cout << " " << (domain.empty() ? "ai.onnx" : domain) << "=" << v;
  std::cout << "\ninputs:\n";
  for (const ir::Value* v : model->graph->inputs())
    std::cout << "  " << v->name() << ": " << v->type.ToString()
              << (v->constant ? "  (has a default)" : "") << "\n";
  std::cout << "outputs:\n";
  for (const ir::Value* v : model->graph->outputs())
    std::cout << "  " << v->name() << ": " << v->type.ToString() << "\n";
  std::cout << "ops (" << model->graph->nodes().size() << " nodes in the main graph):\n";
  for (const auto& [op, count] : stats->op_histogram) {
    std::printf("  %-24s %6d", op.c_str(), count);
    if (auto it = stats->flops_by_op.find(op); it != stats->flops_by_op.end() && it->second > 0)
      std::printf("   %s", Human(it->second, "FLOP").c_str());
    std::printf("\n");
  }
  std::cout << "parameters: " << stats->parameters << " (" << Human(double(stats->weight_bytes), "B")
            << ")\n";
  std::cout << "FLOPs per sample: " << Human(stats->flops, "FLOP")
            << " (symbolic dims bound to 1";
  if (!stats->uncounted_nodes.empty())
    std::cout << "; " << stats->uncounted_nodes.size() << " nodes with unresolved shapes not counted";
  std::cout << ")\n";
  return 0;
}

}  // namespace

CLI::App* AddInspectCommand(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("inspect", "Show a model's inputs, outputs, ops, size and FLOPs");
  auto path = std::make_shared<std::string>();
  cmd->add_option("model", *path, "ONNX model file")->required();
  cmd->callback([path, &exit_code] { exit_code = Inspect(*path); });
  return cmd;
}

}  // namespace brisk::cli
