// GRPCInferenceService on the callback API.
#include "server/grpc_frontend.h"

#include <grpcpp/grpcpp.h>

#include <mutex>

#include "inference_grpc.grpc.pb.h"
#include "server/grpc_codec.h"
#include "server/model_config.h"

namespace brisk::server {
namespace {

using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;

// Finishes a unary call at once with `status`.
ServerUnaryReactor* Finish(CallbackServerContext* context, const grpc::Status& status) {
  ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(status);
  return reactor;
}

class Service final : public inference::GRPCInferenceService::CallbackService {
 public:
  explicit Service(InferenceService& service) : service_(service) {}

  ServerUnaryReactor* ServerLive(CallbackServerContext* context,
                                 const inference::ServerLiveRequest*,
                                 inference::ServerLiveResponse* response) override {
    response->set_live(service_.Live());
    return Finish(context, grpc::Status::OK);
  }

  ServerUnaryReactor* ServerReady(CallbackServerContext* context,
                                  const inference::ServerReadyRequest*,
                                  inference::ServerReadyResponse* response) override {
    response->set_ready(service_.Ready());
    return Finish(context, grpc::Status::OK);
  }

  ServerUnaryReactor* ModelReady(CallbackServerContext* context,
                                 const inference::ModelReadyRequest* request,
                                 inference::ModelReadyResponse* response) override {
    response->set_ready(service_.ModelReady(request->name(), request->version()).ok());
    return Finish(context, grpc::Status::OK);
  }

  ServerUnaryReactor* ServerMetadata(CallbackServerContext* context,
                                     const inference::ServerMetadataRequest*,
                                     inference::ServerMetadataResponse* response) override {
    response->set_name("brisk");
    response->set_version("0.1.0");
    response->add_extensions("model_repository");
    return Finish(context, grpc::Status::OK);
  }

  ServerUnaryReactor* ModelMetadata(CallbackServerContext* context,
                                    const inference::ModelMetadataRequest* request,
                                    inference::ModelMetadataResponse* response) override {
    StatusOr<server::ModelMetadata> m = service_.Metadata(request->name(), request->version());
    if (!m.ok()) return Finish(context, ToGrpcStatus(m.status()));
    response->set_name(m->name);
    for (int64_t v : m->versions) response->add_versions(std::to_string(v));
    response->set_platform(m->platform);
    auto fill = [](const ModelMetadata::Tensor& t,
                   inference::ModelMetadataResponse::TensorMetadata* out) {
      out->set_name(t.name);
      out->set_datatype(std::string(TritonDTypeName(t.dtype)));
      for (int64_t d : t.shape) out->add_shape(d);
    };
    for (const auto& t : m->inputs) fill(t, response->add_inputs());
    for (const auto& t : m->outputs) fill(t, response->add_outputs());
    return Finish(context, grpc::Status::OK);
  }

  ServerUnaryReactor* ModelInfer(CallbackServerContext* context,
                                 const inference::ModelInferRequest* request,
                                 inference::ModelInferResponse* response) override {
    ServerUnaryReactor* reactor = context->DefaultReactor();
    StatusOr<InferRequest> infer = InferRequestFromGrpc(*request);
    if (!infer.ok()) {
      reactor->Finish(ToGrpcStatus(infer.status()));
      return reactor;
    }
    // The reactor and response stay valid until Finish is called.
    service_.Infer(std::move(infer).value(), [reactor, response](StatusOr<InferResult> result) {
      if (!result.ok()) {
        reactor->Finish(ToGrpcStatus(result.status()));
        return;
      }
      InferResultToGrpc(*result, response);
      reactor->Finish(grpc::Status::OK);
    });
    return reactor;
  }

  ServerUnaryReactor* RepositoryIndex(CallbackServerContext* context,
                                      const inference::RepositoryIndexRequest* request,
                                      inference::RepositoryIndexResponse* response) override {
    for (const ModelIndexEntry& e : service_.Index()) {
      if (request->ready() && e.state != "READY") continue;
      auto* m = response->add_models();
      m->set_name(e.name);
      m->set_version(e.version);
      m->set_state(e.state);
      m->set_reason(e.reason);
    }
    return Finish(context, grpc::Status::OK);
  }

  ServerUnaryReactor* RepositoryModelLoad(CallbackServerContext* context,
                                          const inference::RepositoryModelLoadRequest* request,
                                          inference::RepositoryModelLoadResponse*) override {
    return Finish(context, ToGrpcStatus(service_.Load(request->model_name())));
  }

  ServerUnaryReactor* RepositoryModelUnload(
      CallbackServerContext* context, const inference::RepositoryModelUnloadRequest* request,
      inference::RepositoryModelUnloadResponse*) override {
    return Finish(context, ToGrpcStatus(service_.Unload(request->model_name())));
  }

 private:
  InferenceService& service_;
};

}  // namespace

class GrpcFrontend::Impl {
 public:
  explicit Impl(InferenceService& service) : service(service) {}
  Service service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
  std::mutex mutex;
  bool shut_down = false;
};

StatusOr<std::unique_ptr<GrpcFrontend>> GrpcFrontend::Start(InferenceService& service,
                                                            const GrpcFrontendOptions& options) {
  auto impl = std::make_unique<Impl>(service);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.address, grpc::InsecureServerCredentials(), &impl->port);
  builder.RegisterService(&impl->service);
  builder.SetMaxReceiveMessageSize(int(std::min<int64_t>(options.max_message_bytes, INT32_MAX)));
  builder.SetMaxSendMessageSize(INT32_MAX);
  impl->server = builder.BuildAndStart();
  if (!impl->server || impl->port == 0) {
    return InvalidArgument("cannot listen for gRPC on " + options.address);
  }
  return std::unique_ptr<GrpcFrontend>(new GrpcFrontend(std::move(impl)));
}

GrpcFrontend::GrpcFrontend(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GrpcFrontend::~GrpcFrontend() { Shutdown(std::chrono::milliseconds(0)); }

int GrpcFrontend::port() const { return impl_->port; }

void GrpcFrontend::Shutdown(std::chrono::milliseconds grace) {
  std::lock_guard lock(impl_->mutex);
  if (impl_->shut_down) return;
  impl_->shut_down = true;
  impl_->server->Shutdown(std::chrono::system_clock::now() + grace);
  impl_->server->Wait();
}

}  // namespace brisk::server
