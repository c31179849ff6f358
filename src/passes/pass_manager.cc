#include <memory>

#include "passes/pass.h"
#include "passes/pass_list.h"
#include "runtime/type_inference.h"

namespace brisk::passes {

std::string OptimizeReport::ToString() const {
  std::string text;
  for (const PassRecord& r : records)
    text += r.pass + ": " + std::to_string(r.changes) + " rewrite" +
            (r.changes == 1 ? "" : "s") + "\n";
  text += "nodes: " + std::to_string(nodes_before) + " -> " + std::to_string(nodes_after) + "\n";
  return text;
}

namespace {

// Runs `pass` on the bodies of `graph`'s control-flow nodes (innermost first), then on `graph`;
// re-sorts each graph it changed. Returns the total number of rewrites.
StatusOr<int> RunOnGraphTree(Pass& pass, ir::Graph& graph) {
  int changes = 0;
  for (const auto& node : graph.nodes()) {
    for (ir::Graph* sub : node->Subgraphs()) {
      BRISK_ASSIGN_OR_RETURN(int c, RunOnGraphTree(pass, *sub));
      changes += c;
    }
  }
  BRISK_ASSIGN_OR_RETURN(int c, pass.Run(graph));
  if (c > 0) BRISK_RETURN_IF_ERROR(graph.TopologicalSort());
  return changes + c;
}

}  // namespace

StatusOr<OptimizeReport> OptimizeGraph(ir::Graph& graph, OptimizationLevel level) {
  OptimizeReport report;
  report.nodes_before = int(graph.nodes().size());
  if (level != OptimizationLevel::kNone) {
    std::vector<std::unique_ptr<Pass>> passes = MakePassList();
    constexpr int kMaxRounds = 8;  // a round that changes nothing ends it sooner
    for (int round = 0; round < kMaxRounds; ++round) {
      int round_changes = 0;
      for (const auto& pass : passes) {
        if (int(pass->level()) > int(level)) continue;
        auto changes = RunOnGraphTree(*pass, graph);
        if (!changes.ok()) return changes.status().WithContext("pass " + std::string(pass->name()));
        if (*changes == 0) continue;
        round_changes += *changes;
        BRISK_RETURN_IF_ERROR(graph.Verify().WithContext("after pass " + std::string(pass->name())));
        BRISK_RETURN_IF_ERROR(InferModelTypes(graph).WithContext(
            "type inference after pass " + std::string(pass->name())));
        if (!report.records.empty() && report.records.back().pass == pass->name()) {
          report.records.back().changes += *changes;
        } else {
          report.records.push_back({std::string(pass->name()), *changes});
        }
      }
      if (round_changes == 0) break;
    }
  }
  report.nodes_after = int(graph.nodes().size());
  return report;
}

}  // namespace brisk::passes
