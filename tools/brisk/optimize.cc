// brisk optimize in.onnx -o out.onnx [--level basic|extended]: import, infer types, run the
// graph passes (src/passes/) and write the result as ONNX; prints what each pass did.
// `basic` keeps plain ONNX (onnxruntime loads the result); `extended` may write brisk's fused
// ops (domain ai.brisk), which only brisk runs.
#include <iostream>
#include <memory>
#include <string>

#include "commands.h"
#include "onnx/exporter.h"
#include "onnx/importer.h"
#include "passes/pass.h"
#include "runtime/type_inference.h"

namespace brisk::cli {
namespace {

StatusOr<OptimizationLevel> ParseLevel(const std::string& level) {
  if (level == "none") return OptimizationLevel::kNone;
  if (level == "basic") return OptimizationLevel::kBasic;
  if (level == "extended") return OptimizationLevel::kExtended;
  return InvalidArgument("--level must be none, basic or extended, got '" + level + "'");
}

Status Optimize(const std::string& in, const std::string& out, const std::string& level_name) {
  BRISK_ASSIGN_OR_RETURN(OptimizationLevel level, ParseLevel(level_name));
  BRISK_ASSIGN_OR_RETURN(ir::Model model, onnx_io::LoadModel(in));
  BRISK_RETURN_IF_ERROR(InferModelTypes(*model.graph).WithContext(in));
  auto report = passes::OptimizeGraph(*model.graph, level);
  if (!report.ok()) return report.status().WithContext(in + ": graph optimization");
  BRISK_RETURN_IF_ERROR(onnx_io::SaveModel(model, out));
  std::cout << report->ToString() << "wrote " << out << "\n";
  return Status::Ok();
}

}  // namespace

CLI::App* AddOptimizeCommand(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("optimize", "Run the graph passes and write the result as ONNX");
  auto in = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto level = std::make_shared<std::string>("extended");
  cmd->add_option("model", *in, "ONNX model file")->required();
  cmd->add_option("-o,--output", *out, "Output .onnx file")->required();
  cmd->add_option("--level", *level,
                  "basic (plain ONNX, loads in other runtimes) or extended (brisk fused ops)")
      ->capture_default_str();
  cmd->callback([in, out, level, &exit_code] {
    Status s = Optimize(*in, *out, *level);
    if (!s.ok()) {
      std::cerr << "error: " << s.ToString() << "\n";
      exit_code = 1;
    }
  });
  return cmd;
}

}  // namespace brisk::cli
