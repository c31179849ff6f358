// brisk serve --model-repository DIR: the model server (KServe v2 REST + gRPC, TF Serving REST,
// /metrics) until SIGINT or SIGTERM, then a graceful shutdown.
#include <csignal>
#include <iostream>
#include <pthread.h>

#include "commands.h"
#include "server/server.h"

namespace brisk::cli {
namespace {

int Serve(const server::ServeOptions& options) {
  // Block the stop signals in every thread (the server's threads inherit this mask) so that
  // sigwait below receives them in this thread, outside any signal handler.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // A client closing its connection mid-answer must not kill the server.
  std::signal(SIGPIPE, SIG_IGN);

  StatusOr<std::unique_ptr<server::Server>> started = server::Server::Start(options);
  if (!started.ok()) {
    std::cerr << "error: " << started.status().ToString() << "\n";
    return 1;
  }
  std::unique_ptr<server::Server> server = std::move(started).value();
  const std::string host = options.host == "0.0.0.0" ? "0.0.0.0" : options.host;
  if (server->http_port() >= 0) {
    std::cerr << "brisk serve: HTTP on " << host << ":" << server->http_port() << std::endl;
  }
  if (server->grpc_port() >= 0) {
    std::cerr << "brisk serve: gRPC on " << host << ":" << server->grpc_port() << std::endl;
  }
  std::cerr << "brisk serve: ready (models from " << options.model_repository << ")" << std::endl;
  int signal = 0;
  sigwait(&stop_signals, &signal);
  std::cerr << "brisk serve: " << (signal == SIGINT ? "SIGINT" : "SIGTERM")
            << ", shutting down" << std::endl;
  server->Shutdown();
  std::cerr << "brisk serve: stopped" << std::endl;
  return 0;
}

}  // namespace

CLI::App* AddServeCommand(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "serve", "Serve a model repository over KServe v2 (REST, gRPC) and TF Serving REST");
  auto options = std::make_shared<server::ServeOptions>();
  auto grace_seconds = std::make_shared<double>(30);
  cmd->add_option("--model-repository", options->model_repository,
                  "Folder of <model>/<version>/model.onnx (+ optional <model>/config.pbtxt)")
      ->required();
  cmd->add_option("--host", options->host, "Address to listen on")->capture_default_str();
  cmd->add_option("--http-port", options->http_port, "HTTP port (0 = any free port, -1 = off)")
      ->capture_default_str();
  cmd->add_option("--grpc-port", options->grpc_port, "gRPC port (0 = any free port, -1 = off)")
      ->capture_default_str();
  cmd->add_option("--http-threads", options->http_threads, "HTTP I/O threads")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--max-body-bytes", options->max_body_bytes,
                  "Largest request body (HTTP 413 / gRPC RESOURCE_EXHAUSTED beyond)")
      ->capture_default_str();
  cmd->add_option("--max-queue-size", options->max_queue_size,
                  "Requests queued per model version at most, unless its config sets "
                  "dynamic_batching.default_queue_policy.max_queue_size (429 beyond)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--shutdown-grace-seconds", *grace_seconds,
                  "On SIGTERM/SIGINT, how long requests in flight may take to finish")
      ->capture_default_str();
  cmd->add_option("--access-log", options->access_log,
                  "One JSON line per HTTP response: '-' = stderr, or a file (default: off)");
  cmd->callback([options, grace_seconds, &exit_code] {
    options->shutdown_grace = std::chrono::milliseconds(int64_t(*grace_seconds * 1000));
    exit_code = Serve(*options);
  });
  return cmd;
}

}  // namespace brisk::cli
