// brisk ops: the ops this build supports, with their domains and opset ranges.
#include <cstdio>
#include <map>
#include <set>

#include "commands.h"
#include "kernels/registry.h"

namespace brisk::cli {
namespace {

int ListOps() {
  // (domain, op) -> opset ranges, ordered.
  std::map<std::pair<std::string, std::string>, std::set<std::pair<int, int>>> ops;
  std::map<std::pair<std::string, std::string>, std::set<std::string>> fast_backends;
  for (const OpDef& d : OpRegistry::Global().defs()) {
    const std::pair<std::string, std::string> key{d.domain.empty() ? "ai.onnx" : d.domain,
                                                  d.op_type};
    if (d.backend == kReferenceBackend) {
      ops[key].insert({d.since, d.until});
    } else {
      fast_backends[key].insert(d.backend);
    }
  }
  for (const auto& [key, ranges] : ops) {
    std::string text;
    for (const auto& [since, until] : ranges) {
      if (!text.empty()) text += ", ";
      text += std::to_string(since) + (until == kMaxOpset ? "+" : "-" + std::to_string(until));
    }
    std::string backends = "reference";
    for (const std::string& b : fast_backends[key]) backends += ", " + b;
    std::printf("%-16s %-32s opsets %-12s kernels: %s\n", key.first.c_str(), key.second.c_str(),
                text.c_str(), backends.c_str());
  }
  std::printf("%zu ops\n", ops.size());
  return 0;
}

}  // namespace

CLI::App* AddOpsCommand(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("ops", "List the supported ops and their opset ranges");
  cmd->callback([&exit_code] { exit_code = ListOps(); });
  return cmd;
}

}  // namespace brisk::cli
