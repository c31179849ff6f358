// KServe v2 gRPC messages <-> the InferenceService's requests and results, and brisk Status ->
// grpc::Status. Pure functions: tested without a server (tests/server/grpc_codec_test.cc).
#pragma once

#include <grpcpp/support/status.h>

#include "inference_grpc.pb.h"
#include "server/inference.h"

namespace brisk::server {

// Inputs come from raw_input_contents (one entry per input, in order, exact byte size) or from
// each input's typed `contents`, never both. Errors name the input. The request parameter
// "timeout" (microseconds) becomes the queue deadline.
StatusOr<InferRequest> InferRequestFromGrpc(const inference::ModelInferRequest& request);
// Outputs as raw_output_contents (what tritonclient reads), with Triton datatype names.
void InferResultToGrpc(const InferResult& result, inference::ModelInferResponse* response);

grpc::Status ToGrpcStatus(const Status& status);

}  // namespace brisk::server
