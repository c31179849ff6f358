// The brisk CLI's sub-commands; each file adds one to the app.
#pragma once

#include <CLI/CLI.hpp>

namespace brisk::cli {

// Each returns the sub-command; its callback sets `exit_code`.
CLI::App* AddInspectCommand(CLI::App& app, int& exit_code);
CLI::App* AddRunCommand(CLI::App& app, int& exit_code);
CLI::App* AddExportCommand(CLI::App& app, int& exit_code);
CLI::App* AddOpsCommand(CLI::App& app, int& exit_code);
CLI::App* AddProfileCommand(CLI::App& app, int& exit_code);
CLI::App* AddOptimizeCommand(CLI::App& app, int& exit_code);
CLI::App* AddServeCommand(CLI::App& app, int& exit_code);

}  // namespace brisk::cli
