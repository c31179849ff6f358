// A small asynchronous HTTP/1.1 server on Boost.Beast: keep-alive connections served by a few
// I/O threads, requests handed to one handler that may answer later from any thread (so a
// request waiting for a batched model run holds no thread).
//
// The HTTP parsing, body limits and keep-alive rules are Beast's; this file only wires them to
// a handler, counts requests in flight and shuts down gracefully: Shutdown() stops accepting,
// waits for the answers of requests already received (up to a grace period), then closes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "brisk/status.h"

namespace brisk::server {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // target without the query, not percent-decoded
  std::string query;   // after '?', or ""
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string peer;    // "127.0.0.1:53422"
  // The value of header `name` (lower-case), or "".
  const std::string& Header(const std::string& name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Sends the response; call exactly once, from any thread.
using HttpReply = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(HttpRequest&&, HttpReply)>;
// Called after each response is written (for access logs and metrics).
using HttpObserver = std::function<void(const HttpRequest&, int status, size_t bytes_out,
                                        double seconds)>;

struct HttpServerOptions {
  std::string host = "0.0.0.0";
  int port = 8000;  // 0 = any free port (see HttpServer::port())
  int io_threads = 2;
  // Larger bodies get 413 without being read.
  uint64_t max_body_bytes = uint64_t(64) << 20;
  // A connection idle (or slow to send a request) this long is closed.
  std::chrono::seconds idle_timeout{60};
};

class HttpServer {
 public:
  // Binds and starts serving; fails when the address cannot be bound (names it).
  static StatusOr<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                     HttpHandler handler,
                                                     HttpObserver observer = nullptr);
  ~HttpServer();  // Shutdown(0)
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const;
  // Stops accepting connections, waits up to `grace` for requests in flight to be answered,
  // then closes every connection and joins the I/O threads. Idempotent.
  void Shutdown(std::chrono::milliseconds grace);

  class Impl;

 private:
  explicit HttpServer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

}  // namespace brisk::server
