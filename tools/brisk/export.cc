// brisk export in.onnx -o out.onnx: import, verify and infer types, write back as ONNX (with the
// inferred types as value_info). The round trip the optimizer's output will take.
#include <iostream>

#include "commands.h"
#include "onnx/exporter.h"
#include "onnx/importer.h"
#include "runtime/type_inference.h"

namespace brisk::cli {
namespace {

Status Export(const std::string& in, const std::string& out) {
  BRISK_ASSIGN_OR_RETURN(ir::Model model, onnx_io::LoadModel(in));
  BRISK_RETURN_IF_ERROR(InferModelTypes(*model.graph).WithContext(in));
  BRISK_RETURN_IF_ERROR(onnx_io::SaveModel(model, out));
  std::cout << "wrote " << out << "\n";
  return Status::Ok();
}

}  // namespace

CLI::App* AddExportCommand(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("export", "Re-export a model as ONNX with inferred types");
  auto in = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  cmd->add_option("model", *in, "ONNX model file")->required();
  cmd->add_option("-o,--output", *out, "Output .onnx file")->required();
  cmd->callback([in, out, &exit_code] {
    Status s = Export(*in, *out);
    if (!s.ok()) {
      std::cerr << "error: " << s.ToString() << "\n";
      exit_code = 1;
    }
  });
  return cmd;
}

}  // namespace brisk::cli
