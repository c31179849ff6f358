#include "ir/graph.h"

#include <algorithm>
#include <unordered_set>

namespace brisk::ir {

std::string TypeInfo::ToString() const {
  if (dtype == DType::kUndefined && !shape) return "?";
  std::string s = dtype == DType::kUndefined ? "?" : std::string(DTypeName(dtype));
  return s + (shape ? shape->ToString() : "[?rank]");
}

std::string Node::Describe() const {
  std::string op = domain.empty() || domain == "ai.onnx" ? op_type : domain + "." + op_type;
  return "node '" + name + "' (" + op + ", opset " + std::to_string(opset) + ")";
}

std::vector<Graph*> Node::Subgraphs() const {
  std::vector<Graph*> out;
  for (const auto& [name, a] : attrs.all())
    if (a.kind == Attribute::Kind::kGraph && a.g) out.push_back(a.g.get());
  return out;
}

StatusOr<Value*> Graph::AddValue(const std::string& name) {
  if (!name.empty() && by_name_.count(name)) {
    return InvalidArgument("value name '" + name + "' is defined twice in graph '" + name_ + "'");
  }
  auto v = std::make_unique<Value>();
  v->name_ = name;
  v->index_ = int(values_.size());
  v->graph_ = this;
  Value* raw = v.get();
  values_.push_back(std::move(v));
  if (!name.empty()) by_name_[name] = raw;
  return raw;
}

Value* Graph::FindValue(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

Value* Graph::ResolveValue(const std::string& name) {
  if (Value* v = FindValue(name)) return v;
  if (parent_ == nullptr) return nullptr;
  Value* outer = parent_->ResolveValue(name);
  if (outer == nullptr) return nullptr;
  Value* placeholder = *AddValue(name);  // cannot fail: the name is not in this graph
  placeholder->outer = outer;
  placeholder->type = outer->type;
  return placeholder;
}

Node* Graph::AddNode(std::string op_type, std::string name, std::string domain) {
  auto n = std::make_unique<Node>();
  n->op_type = std::move(op_type);
  n->name = std::move(name);
  n->domain = std::move(domain);
  Node* raw = n.get();
  nodes_.push_back(std::move(n));
  return raw;
}

std::vector<Value*> Graph::Initializers() const {
  std::vector<Value*> out;
  for (const auto& v : values_)
    if (v->constant && !v->is_graph_input && v->producer == nullptr && v->outer == nullptr)
      out.push_back(v.get());
  return out;
}

Status Graph::TopologicalSort() {
  // Kahn's algorithm, stable with respect to the file's order.
  std::unordered_map<const Node*, int> pending;
  std::unordered_map<const Node*, std::vector<Node*>> users;
  for (const auto& n : nodes_) {
    int count = 0;
    auto depend = [&](const Value* v) {
      if (v != nullptr && v->producer != nullptr && v->graph() == this) {
        ++count;
        users[v->producer].push_back(n.get());
      }
    };
    for (const Value* v : n->inputs) depend(v);
    for (const Value* v : n->implicit_inputs) depend(v);
    pending[n.get()] = count;
  }
  std::vector<Node*> order;
  order.reserve(nodes_.size());
  for (const auto& n : nodes_)
    if (pending[n.get()] == 0) order.push_back(n.get());
  for (size_t i = 0; i < order.size(); ++i) {
    for (Node* u : users[order[i]])
      if (--pending[u] == 0) order.push_back(u);
  }
  if (order.size() != nodes_.size()) {
    for (const auto& n : nodes_)
      if (pending[n.get()] > 0)
        return InvalidArgument("graph '" + name_ + "' has a cycle through " + n->Describe());
  }
  std::unordered_map<const Node*, size_t> position;
  for (size_t i = 0; i < order.size(); ++i) position[order[i]] = i;
  std::sort(nodes_.begin(), nodes_.end(), [&](const auto& a, const auto& b) {
    return position[a.get()] < position[b.get()];
  });
  return Status::Ok();
}

Status Graph::Verify() const {
  std::unordered_set<const Value*> available;
  for (const auto& v : values_)
    if (v->is_graph_input || v->constant || v->outer != nullptr) available.insert(v.get());
  for (const auto& n : nodes_) {
    for (size_t i = 0; i < n->inputs.size(); ++i) {
      const Value* v = n->inputs[i];
      if (v == nullptr) continue;
      if (v->graph() != this) {
        return Internal(n->Describe() + ": input " + std::to_string(i) + " '" + v->name() +
                        "' belongs to another graph");
      }
      if (!available.count(v)) {
        return InvalidArgument(n->Describe() + ": input " + std::to_string(i) + " '" +
                               v->name() + "' is not produced before it is used");
      }
    }
    for (const Value* v : n->outputs) {
      if (v == nullptr) continue;
      if (v->producer != n.get()) {
        return InvalidArgument(n->Describe() + ": output '" + v->name() +
                               "' is produced by more than one node");
      }
      available.insert(v);
    }
    for (const Graph* sub : n->Subgraphs()) BRISK_RETURN_IF_ERROR(sub->Verify());
  }
  for (const Value* v : outputs_) {
    if (!available.count(v)) {
      return InvalidArgument("graph '" + name_ + "': output '" + v->name() +
                             "' is not produced by any node");
    }
  }
  return Status::Ok();
}

}  // namespace brisk::ir
