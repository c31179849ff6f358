#include "kernels/op_runner.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

using testing::MakeTensor;

TEST(IdentityTest, PassesThroughValuesAndShape) {
  Tensor x = MakeTensor<float>({2, 2}, {1, 2, 3, 4});
  auto out = RunOp({.op_type = "Identity", .opset = 16}, {x});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TENSOR_EQ((*out)[0], x);
}

TEST(IdentityTest, UnknownOpsetIsAnError) {
  auto out = RunOp({.op_type = "NoSuchOp"}, {MakeTensor<float>({1}, {1})});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("no kernel registered"), std::string::npos);
}

}  // namespace
}  // namespace brisk
