#include "passes/pass_list.h"

#include <algorithm>
#include <string>

namespace brisk::passes {
namespace {

struct Registration {
  int order;
  PassFactory factory;
};

std::vector<Registration>& Registrations() {
  static auto* registrations = new std::vector<Registration>();  // used during static init
  return *registrations;
}

}  // namespace

bool RegisterPass(int order, PassFactory factory) {
  Registrations().push_back({order, std::move(factory)});
  return true;
}

std::vector<std::unique_ptr<Pass>> MakePassList() {
  std::vector<std::pair<int, std::unique_ptr<Pass>>> ordered;
  for (const Registration& r : Registrations()) ordered.emplace_back(r.order, r.factory());
  std::sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second->name() < b.second->name();
  });
  std::vector<std::unique_ptr<Pass>> passes;
  for (auto& [order, pass] : ordered) passes.push_back(std::move(pass));
  return passes;
}

}  // namespace brisk::passes
