// KServe v2 gRPC messages to requests and back: raw and typed contents, every malformed case
// named, status codes mapped.
#include "server/grpc_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "testing/tensor_testing.h"

namespace brisk::server {
namespace {

using ::testing::HasSubstr;

inference::ModelInferRequest RawRequest(const std::vector<float>& values) {
  inference::ModelInferRequest r;
  r.set_model_name("m");
  r.set_model_version("2");
  r.set_id("req-1");
  auto* input = r.add_inputs();
  input->set_name("x");
  input->set_datatype("FP32");
  input->add_shape(1);
  input->add_shape(int64_t(values.size()));
  r.add_raw_input_contents(std::string(reinterpret_cast<const char*>(values.data()),
                                       values.size() * sizeof(float)));
  return r;
}

TEST(GrpcCodec, RawContentsBecomeOwnedTensors) {
  inference::ModelInferRequest r = RawRequest({1, 2, 3});
  (*r.mutable_parameters())["timeout"].set_int64_param(500);
  r.add_outputs()->set_name("y");
  ASSERT_OK_AND_ASSIGN(InferRequest req, InferRequestFromGrpc(r));
  r.Clear();  // the request's tensors must not point into the message
  EXPECT_EQ(req.model, "m");
  EXPECT_EQ(req.version, "2");
  EXPECT_EQ(req.id, "req-1");
  EXPECT_EQ(req.timeout_us, 500);
  EXPECT_EQ(req.protocol, Protocol::kKServeGrpc);
  ASSERT_EQ(req.inputs.size(), 1u);
  EXPECT_EQ(req.inputs[0].second.shape(), Shape({1, 3}));
  EXPECT_EQ(req.inputs[0].second.data<float>()[2], 3.0f);
  EXPECT_EQ(req.outputs, std::vector<std::string>{"y"});
}

TEST(GrpcCodec, TypedContentsAreRangeChecked) {
  inference::ModelInferRequest r;
  auto* input = r.add_inputs();
  input->set_name("ids");
  input->set_datatype("INT8");
  input->add_shape(2);
  input->mutable_contents()->add_int_contents(-5);
  input->mutable_contents()->add_int_contents(100);
  ASSERT_OK_AND_ASSIGN(InferRequest req, InferRequestFromGrpc(r));
  EXPECT_EQ(req.inputs[0].second.data<int8_t>()[0], -5);
  input->mutable_contents()->set_int_contents(1, 300);
  auto bad = InferRequestFromGrpc(r);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("input 'ids': element 1 (300) is out of range"));
  input->mutable_contents()->add_int_contents(1);
  EXPECT_THAT(InferRequestFromGrpc(r).status().message(), HasSubstr("3 values in 'contents'"));
}

TEST(GrpcCodec, MalformedRequestsNameTheInput) {
  auto message = [](const inference::ModelInferRequest& r) {
    return InferRequestFromGrpc(r).status().message();
  };
  inference::ModelInferRequest wrong_size = RawRequest({1, 2, 3});
  wrong_size.mutable_raw_input_contents(0)->pop_back();
  EXPECT_THAT(message(wrong_size), HasSubstr("input 'x': 11 bytes"));
  inference::ModelInferRequest both = RawRequest({1});
  both.mutable_inputs(0)->mutable_contents()->add_fp32_contents(1);
  EXPECT_THAT(message(both), HasSubstr("both"));
  inference::ModelInferRequest no_data = RawRequest({1});
  no_data.clear_raw_input_contents();
  EXPECT_THAT(message(no_data), HasSubstr("input 'x': no data"));
  inference::ModelInferRequest bad_type = RawRequest({1});
  bad_type.mutable_inputs(0)->set_datatype("FLOAT");
  EXPECT_THAT(message(bad_type), HasSubstr("input 'x': unknown datatype 'FLOAT'"));
  inference::ModelInferRequest count = RawRequest({1});
  count.add_raw_input_contents("");
  EXPECT_THAT(message(count), HasSubstr("2 raw_input_contents for 1 inputs"));
  inference::ModelInferRequest bytes = RawRequest({1});
  bytes.mutable_inputs(0)->set_datatype("BYTES");
  EXPECT_EQ(InferRequestFromGrpc(bytes).status().code(), StatusCode::kUnimplemented);
  inference::ModelInferRequest timeout = RawRequest({1});
  (*timeout.mutable_parameters())["timeout"].set_string_param("soon");
  EXPECT_THAT(message(timeout), HasSubstr("timeout"));
}

TEST(GrpcCodec, ResultsAreRawOutputContents) {
  InferResult result;
  result.model = "m";
  result.version = 3;
  result.id = "abc";
  result.outputs.emplace_back("y", brisk::testing::MakeTensor<int64_t>({2}, {7, -8}));
  inference::ModelInferResponse response;
  InferResultToGrpc(result, &response);
  EXPECT_EQ(response.model_version(), "3");
  EXPECT_EQ(response.id(), "abc");
  ASSERT_EQ(response.outputs_size(), 1);
  EXPECT_EQ(response.outputs(0).datatype(), "INT64");
  EXPECT_EQ(response.outputs(0).shape(0), 2);
  ASSERT_EQ(response.raw_output_contents(0).size(), 16u);
  int64_t values[2];
  std::memcpy(values, response.raw_output_contents(0).data(), 16);
  EXPECT_EQ(values[1], -8);
}

TEST(GrpcCodec, StatusCodesMapToGrpcCodes) {
  EXPECT_EQ(ToGrpcStatus(Status::Ok()).error_code(), grpc::StatusCode::OK);
  EXPECT_EQ(ToGrpcStatus(ResourceExhausted("full")).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ToGrpcStatus(NotFound("m")).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ToGrpcStatus(Status(StatusCode::kCancelled, "bye")).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ToGrpcStatus(InvalidArgument("bad x")).error_message(), "bad x");
}

}  // namespace
}  // namespace brisk::server
