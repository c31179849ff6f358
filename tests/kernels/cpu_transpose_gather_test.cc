// Fast Transpose / Gather(axis 0) / Where(same shapes) CPU kernels
// (src/kernels/cpu/transpose_gather.cc) against the reference: every permutation of ranks 2-4
// on odd sizes (tile edges), size-1 dims, batch 1, empty tensors, 1 and 2 threads, negative
// and out-of-range Gather indices, and what they decline.
#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "core/threads.h"
#include "kernels/op_runner.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using testing::Attrs;
using testing::MakeBoolTensor;
using testing::MakeTensor;
using testing::RandomFloat;

void CheckBoth(const OpSpec& spec, const std::vector<std::optional<Tensor>>& inputs) {
  ASSERT_OK_AND_ASSIGN(auto expected, RunOp(spec, inputs));
  for (int threads : {1, 2}) {
    SCOPED_TRACE("threads=" + std::to_string(threads));
    RunScope scope(threads, false);
    OpSpec fast = spec;
    fast.backend = "cpu";
    ASSERT_OK_AND_ASSIGN(auto got, RunOp(fast, inputs));
    EXPECT_TENSOR_EQ(got[0], expected[0]);
  }
}

void CheckAllPerms(const Shape& shape, uint64_t seed) {
  const Tensor x = RandomFloat(shape, seed);
  std::vector<int64_t> perm(size_t(shape.rank()));
  std::iota(perm.begin(), perm.end(), 0);
  do {
    std::string p;
    for (int64_t v : perm) p += std::to_string(v);
    SCOPED_TRACE(shape.ToString() + " perm " + p);
    CheckBoth({.op_type = "Transpose", .opset = 13, .attrs = Attrs().Ints("perm", perm)}, {x});
  } while (std::next_permutation(perm.begin(), perm.end()));
}

TEST(CpuTranspose, EveryPermutation) {
  CheckAllPerms(Shape{17, 33}, 1);
  CheckAllPerms(Shape{16, 16}, 2);
  CheckAllPerms(Shape{1, 15}, 3);
  CheckAllPerms(Shape{3, 17, 5}, 4);
  CheckAllPerms(Shape{2, 1, 17, 65}, 5);
  CheckAllPerms(Shape{3, 4, 5, 6}, 6);
  CheckAllPerms(Shape{2, 3, 1, 4, 5}, 7);
}

TEST(CpuTranspose, DefaultPermLargeAndEmpty) {
  CheckBoth({.op_type = "Transpose", .opset = 13}, {RandomFloat(Shape{5, 7, 9}, 8)});
  // BERT attention reshuffles, big enough for two threads.
  const Tensor qkv = RandomFloat(Shape{4, 128, 12, 64}, 9);
  CheckBoth({.op_type = "Transpose", .opset = 13, .attrs = Attrs().Ints("perm", {0, 2, 1, 3})},
            {qkv});
  CheckBoth({.op_type = "Transpose", .opset = 13, .attrs = Attrs().Ints("perm", {0, 2, 3, 1})},
            {qkv});
  CheckBoth({.op_type = "Transpose", .opset = 13}, {RandomFloat(Shape{768, 1000}, 10)});
  CheckBoth({.op_type = "Transpose", .opset = 13, .attrs = Attrs().Ints("perm", {1, 0, 2})},
            {RandomFloat(Shape{0, 3, 4}, 1)});
  CheckBoth({.op_type = "Transpose", .opset = 13},
            {MakeTensor<int32_t>({2, 3}, {1, 2, 3, 4, 5, 6})});
}

TEST(CpuTranspose, Declines) {
  EXPECT_FALSE(RunOp({.op_type = "Transpose", .opset = 13, .backend = "cpu"},
                     {MakeTensor<int64_t>({2}, {1, 2})})
                   .ok());
}

TEST(CpuGather, EmbeddingLookup) {
  const Tensor table = RandomFloat(Shape{1000, 33}, 1);
  const Tensor ids64 = MakeTensor<int64_t>({2, 5}, {0, 999, -1, 17, 17, 3, -1000, 500, 1, 2});
  const Tensor ids32 = MakeTensor<int32_t>({5}, {4, -2, 0, 999, 7});
  CheckBoth({.op_type = "Gather", .opset = 13}, {table, ids64});
  CheckBoth({.op_type = "Gather", .opset = 13}, {table, ids32});
  CheckBoth({.op_type = "Gather", .opset = 13}, {table, MakeTensor<int64_t>({}, {42})});
  CheckBoth({.op_type = "Gather", .opset = 13},
            {RandomFloat(Shape{7}, 2), MakeTensor<int64_t>({3}, {6, 0, -7})});  // rank-1 data
  // Big enough for two threads: [batch 8, seq 128] ids into a 30522 x 64 table.
  std::vector<int64_t> ids(8 * 128);
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = int64_t((i * 7919) % 3000);
  CheckBoth({.op_type = "Gather", .opset = 13},
            {RandomFloat(Shape{3000, 64}, 3), MakeTensor<int64_t>({8, 128}, ids)});
  CheckBoth({.op_type = "Gather", .opset = 13, .attrs = Attrs().Int("axis", -2)},
            {RandomFloat(Shape{4, 6}, 3), MakeTensor<int64_t>({0}, {})});
}

TEST(CpuGather, OutOfRangeIndexIsAnErrorNamingIt) {
  const Tensor table = RandomFloat(Shape{5, 3}, 1);
  auto r = RunOp({.op_type = "Gather", .opset = 13, .backend = "cpu"},
                 {table, MakeTensor<int64_t>({3}, {0, 7, 1})});
  testing::ExpectErrorContains(r, {"input 1 'indices'", "index 7", "out of range", "size 5"});
  auto r2 = RunOp({.op_type = "Gather", .opset = 13, .backend = "cpu"},
                  {table, MakeTensor<int32_t>({1}, {-6})});
  testing::ExpectErrorContains(r2, {"index -6"});
}

TEST(CpuGather, Declines) {
  const Tensor x = RandomFloat(Shape{4, 6}, 3);
  EXPECT_FALSE(RunOp({.op_type = "Gather", .opset = 13, .attrs = Attrs().Int("axis", 1),
                      .backend = "cpu"},
                     {x, MakeTensor<int64_t>({1}, {0})})
                   .ok());
  EXPECT_FALSE(RunOp({.op_type = "Gather", .opset = 13, .backend = "cpu"},
                     {MakeTensor<int64_t>({2}, {1, 2}), MakeTensor<int64_t>({1}, {0})})
                   .ok());
}

TEST(CpuWhere, SameShapes) {
  for (int64_t n : {1, 17, 4099, 70001}) {
    std::vector<int> c(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) c[size_t(i)] = int((i * 31) % 7 < 3);
    CheckBoth({.op_type = "Where", .opset = 16},
              {MakeBoolTensor({n}, c), RandomFloat(Shape{n}, 1), RandomFloat(Shape{n}, 2)});
  }
  // Broadcasting is left to the reference.
  EXPECT_FALSE(RunOp({.op_type = "Where", .opset = 16, .backend = "cpu"},
                     {MakeBoolTensor({2}, {1, 0}), RandomFloat(Shape{2}, 1),
                      RandomFloat(Shape{}, 2)})
                   .ok());
}

}  // namespace
}  // namespace brisk
