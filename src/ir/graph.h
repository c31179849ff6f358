// The graph IR: Model -> Graph -> Node / Value.
//
// A Graph owns its Nodes and Values. A Value is produced by at most one node (or is a graph
// input, an initializer, or a reference to a Value of an enclosing graph when the graph is the
// body of If/Loop/Scan). Missing optional inputs/outputs are nullptr entries in a node's lists.
// Nothing here knows about protobuf: src/onnx/ converts files to and from this IR.
// Thread-safety: a Graph is built and rewritten by one thread; once compiled it is read-only.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "brisk/shape.h"
#include "brisk/status.h"
#include "brisk/tensor.h"
#include "ir/attribute.h"

namespace brisk::ir {

class Graph;
class Node;

// What is known statically about a value: dtype (kUndefined when unknown) and shape (nullopt
// when even the rank is unknown). `constant` holds the value when it is known before run time
// (initializers, Constant nodes after folding).
struct TypeInfo {
  DType dtype = DType::kUndefined;
  std::optional<SymbolicShape> shape;
  std::string ToString() const;  // "float32[N, 3]", "float32[?rank]", "?"
};

class Value {
 public:
  const std::string& name() const { return name_; }
  int index() const { return index_; }  // position in the owning graph's value list
  Graph* graph() const { return graph_; }

  TypeInfo type;
  std::optional<Tensor> constant;  // initializer data
  Node* producer = nullptr;
  bool is_graph_input = false;
  // Set on a subgraph's placeholder for a value of an enclosing graph.
  Value* outer = nullptr;

 private:
  friend class Graph;
  std::string name_;
  int index_ = -1;
  Graph* graph_ = nullptr;
};

class Node {
 public:
  std::string name;
  std::string op_type;
  std::string domain;  // "" is the default ONNX domain
  int opset = 0;       // resolved from the model's opset imports for `domain`
  std::vector<Value*> inputs;
  std::vector<Value*> outputs;
  AttributeMap attrs;
  // Values of enclosing graphs read by this node's subgraphs (transitively): they must stay
  // alive until this node has run.
  std::vector<Value*> implicit_inputs;

  // "node 'conv1' (Conv, opset 13)" — the prefix of every error about this node.
  std::string Describe() const;
  int num_inputs() const { return int(inputs.size()); }
  int num_outputs() const { return int(outputs.size()); }
  bool has_input(int i) const { return i < num_inputs() && inputs[size_t(i)] != nullptr; }
  // Subgraphs held in attributes (If branches, Loop/Scan bodies).
  std::vector<Graph*> Subgraphs() const;
};

class Graph {
 public:
  explicit Graph(std::string name = "main", Graph* parent = nullptr)
      : name_(std::move(name)), parent_(parent) {}
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  const std::string& name() const { return name_; }
  Graph* parent() const { return parent_; }
  void set_parent(Graph* parent) { parent_ = parent; }

  // Creates a value; fails if the name is already used in this graph.
  StatusOr<Value*> AddValue(const std::string& name);
  // Finds a value of this graph only.
  Value* FindValue(const std::string& name) const;
  // Finds a value in this graph, else in an enclosing graph; in the latter case creates (once)
  // a placeholder in this graph pointing to it. nullptr when not found anywhere.
  Value* ResolveValue(const std::string& name);

  Node* AddNode(std::string op_type, std::string name = "", std::string domain = "");
  // Removes nodes for which pred is true (their outputs stay as values without producers).
  template <typename Pred>
  void RemoveNodesIf(Pred pred);

  const std::vector<std::unique_ptr<Node>>& nodes() const { return nodes_; }
  const std::vector<std::unique_ptr<Value>>& values() const { return values_; }
  int num_values() const { return int(values_.size()); }
  std::vector<Value*>& inputs() { return inputs_; }
  const std::vector<Value*>& inputs() const { return inputs_; }
  std::vector<Value*>& outputs() { return outputs_; }
  const std::vector<Value*>& outputs() const { return outputs_; }
  // Values with `constant` set that are not graph inputs.
  std::vector<Value*> Initializers() const;

  // Orders nodes so every node comes after the producers of its inputs; fails on a cycle,
  // naming a node on it.
  Status TopologicalSort();
  // Structural checks: inputs defined before use, single producer, outputs produced, no cycle.
  Status Verify() const;

 private:
  std::string name_;
  Graph* parent_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<std::unique_ptr<Value>> values_;
  std::unordered_map<std::string, Value*> by_name_;
  std::vector<Value*> inputs_;
  std::vector<Value*> outputs_;
};

template <typename Pred>
void Graph::RemoveNodesIf(Pred pred) {
  std::erase_if(nodes_, [&](const std::unique_ptr<Node>& n) {
    if (!pred(*n)) return false;
    for (Value* v : n->outputs)
      if (v != nullptr && v->producer == n.get()) v->producer = nullptr;
    return true;
  });
}

struct Model {
  std::unique_ptr<Graph> graph;
  std::map<std::string, int64_t> opset_imports;  // domain -> version ("" = ai.onnx)
  int64_t ir_version = 0;
  std::string producer_name;
  std::string producer_version;
  std::string domain;
  int64_t model_version = 0;
  std::string doc_string;
  std::map<std::string, std::string> metadata;
  std::string path;  // file it was loaded from, for messages; may be empty
};

}  // namespace brisk::ir
