#include "ir/graph.h"

#include <gtest/gtest.h>

namespace brisk::ir {
namespace {

// x -> A -> a -> B -> b ; nodes added in reverse order.
TEST(GraphTest, TopologicalSortOrdersProducersFirst) {
  Graph g;
  Value* x = *g.AddValue("x");
  x->is_graph_input = true;
  g.inputs().push_back(x);
  Value* a = *g.AddValue("a");
  Value* b = *g.AddValue("b");
  Node* nb = g.AddNode("Relu", "B");
  nb->inputs = {a};
  nb->outputs = {b};
  b->producer = nb;
  Node* na = g.AddNode("Relu", "A");
  na->inputs = {x};
  na->outputs = {a};
  a->producer = na;
  g.outputs().push_back(b);
  ASSERT_TRUE(g.TopologicalSort().ok());
  EXPECT_EQ(g.nodes()[0]->name, "A");
  EXPECT_EQ(g.nodes()[1]->name, "B");
  EXPECT_TRUE(g.Verify().ok());
}

TEST(GraphTest, CycleIsReportedWithANodeName) {
  Graph g("g");
  Value* a = *g.AddValue("a");
  Value* b = *g.AddValue("b");
  Node* n1 = g.AddNode("Relu", "first");
  Node* n2 = g.AddNode("Relu", "second");
  n1->inputs = {b};
  n1->outputs = {a};
  a->producer = n1;
  n2->inputs = {a};
  n2->outputs = {b};
  b->producer = n2;
  Status s = g.TopologicalSort();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cycle"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("'first'"), std::string::npos) << s.message();
}

TEST(GraphTest, DuplicateValueNamesAreRejected) {
  Graph g;
  ASSERT_TRUE(g.AddValue("v").ok());
  auto again = g.AddValue("v");
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("'v'"), std::string::npos);
}

TEST(GraphTest, SubgraphResolvesOuterValuesThroughPlaceholders) {
  Graph outer("outer");
  Value* w = *outer.AddValue("w");
  w->type.dtype = DType::kFloat32;
  Graph inner("inner", &outer);
  Graph innermost("innermost", &inner);
  Value* p = innermost.ResolveValue("w");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->graph(), &innermost);
  ASSERT_NE(p->outer, nullptr);
  EXPECT_EQ(p->outer->graph(), &inner);  // one level at a time
  EXPECT_EQ(p->outer->outer, w);
  EXPECT_EQ(p->type.dtype, DType::kFloat32);
  EXPECT_EQ(innermost.ResolveValue("nope"), nullptr);
}

TEST(GraphTest, VerifyRejectsUseBeforeDefinition) {
  Graph g;
  Value* a = *g.AddValue("a");  // produced by nothing, not an input
  Value* b = *g.AddValue("b");
  Node* n = g.AddNode("Relu", "r");
  n->inputs = {a};
  n->outputs = {b};
  b->producer = n;
  Status s = g.Verify();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("input 0 'a'"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace brisk::ir
