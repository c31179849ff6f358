// brisk: the command-line front end. One file per sub-command.
#include <iostream>

#include "brisk/logging.h"
#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{"brisk: compile an ONNX model once, run it fast"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "brisk 0.1.0");
  int exit_code = 0;
  brisk::cli::AddInspectCommand(app, exit_code);
  brisk::cli::AddRunCommand(app, exit_code);
  brisk::cli::AddExportCommand(app, exit_code);
  brisk::cli::AddOpsCommand(app, exit_code);
  brisk::cli::AddProfileCommand(app, exit_code);
  brisk::cli::AddOptimizeCommand(app, exit_code);
  brisk::cli::AddServeCommand(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return exit_code;
}
