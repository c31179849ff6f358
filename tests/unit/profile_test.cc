// The profiler records one event per executed step per run, with the kernel that ran, and its
// summaries and Chrome trace agree with the events.
#include "brisk/profile.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "brisk/session.h"
#include "testing/tensor_testing.h"

namespace brisk {
namespace {

constexpr char kDigits[] = "models/digits/digits_cnn.onnx";

TEST(ProfileTest, RecordsEveryStepOfEveryRun) {
  ASSERT_OK_AND_ASSIGN(auto session, Session::Load(kDigits));
  ASSERT_OK_AND_ASSIGN(Tensor images, Tensor::Zeros(DType::kFloat32, Shape({4, 1, 8, 8})));
  Profile profile;
  RunOptions options;
  options.profile = &profile;
  constexpr int kRuns = 3;
  for (int i = 0; i < kRuns; ++i) ASSERT_TRUE(session->Run({images}, options).ok());
  ASSERT_EQ(profile.runs(), kRuns);
  ASSERT_FALSE(profile.events().empty());
  ASSERT_EQ(profile.events().size() % kRuns, 0u);
  const size_t steps = profile.events().size() / kRuns;
  for (size_t i = 0; i < profile.events().size(); ++i) {
    const ProfileEvent& e = profile.events()[i];
    EXPECT_EQ(e.run, int(i / steps));
    EXPECT_FALSE(e.kernel.empty()) << e.node;
    EXPECT_GE(e.duration_ns, 0);
    EXPECT_EQ(e.node, profile.events()[i % steps].node) << "runs execute the same steps";
  }
  EXPECT_LE(profile.total_step_ns(), profile.total_run_ns());
}

TEST(ProfileTest, SummariesAddUp) {
  ASSERT_OK_AND_ASSIGN(auto session, Session::Load(kDigits));
  ASSERT_OK_AND_ASSIGN(Tensor images, Tensor::Zeros(DType::kFloat32, Shape({2, 1, 8, 8})));
  Profile profile;
  RunOptions options;
  options.profile = &profile;
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(session->Run({images}, options).ok());
  int64_t node_ns = 0, op_ns = 0, calls = 0;
  double share = 0, conv_flops = 0;
  for (const auto& row : profile.ByNode()) {
    node_ns += row.total_ns;
    calls += row.calls;
    share += row.share;
    EXPECT_EQ(row.calls, 2) << row.name;
  }
  for (const auto& row : profile.ByOpType()) {
    op_ns += row.total_ns;
    if (row.op_type.find("Conv") != std::string::npos) conv_flops += row.flops;
  }
  EXPECT_EQ(node_ns, profile.total_step_ns());
  EXPECT_EQ(op_ns, profile.total_step_ns());
  EXPECT_EQ(calls, int64_t(profile.events().size()));
  EXPECT_NEAR(share, 1.0, 1e-9);
  EXPECT_GT(conv_flops, 0) << "convolutions report their FLOPs";
  EXPECT_NE(profile.ToTable().find("slowest nodes"), std::string::npos);
}

TEST(ProfileTest, ChromeTraceHasOneCompleteEventPerStep) {
  ASSERT_OK_AND_ASSIGN(auto session, Session::Load(kDigits));
  ASSERT_OK_AND_ASSIGN(Tensor images, Tensor::Zeros(DType::kFloat32, Shape({1, 1, 8, 8})));
  Profile profile;
  RunOptions options;
  options.profile = &profile;
  ASSERT_TRUE(session->Run({images}, options).ok());
  const auto trace = nlohmann::json::parse(profile.ToChromeTraceJson());
  ASSERT_TRUE(trace.contains("traceEvents"));
  ASSERT_EQ(trace["traceEvents"].size(), profile.events().size());
  for (const auto& e : trace["traceEvents"]) {
    EXPECT_EQ(e["ph"], "X");
    EXPECT_TRUE(e["args"].contains("kernel"));
    EXPECT_GE(e["dur"].get<double>(), 0.0);
  }
}

TEST(ProfileTest, RunWithoutProfileRecordsNothing) {
  ASSERT_OK_AND_ASSIGN(auto session, Session::Load(kDigits));
  ASSERT_OK_AND_ASSIGN(Tensor images, Tensor::Zeros(DType::kFloat32, Shape({1, 1, 8, 8})));
  Profile profile;
  ASSERT_TRUE(session->Run({images}).ok());
  EXPECT_EQ(profile.runs(), 0);
  EXPECT_TRUE(profile.events().empty());
}

}  // namespace
}  // namespace brisk
