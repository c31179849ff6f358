// Boost.Beast wiring: acceptor, one Connection per socket (read a request, hand it to the
// handler, write the answer when it comes, repeat while keep-alive), graceful shutdown.
//
// Ownership: a Connection is owned by its pending asynchronous operation, or, while the handler
// works on its request, by the reply callback. The reply callback also holds the server's Impl,
// so an answer arriving late (after Shutdown) finds a live io_context and is dropped.
#include "server/http_server.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <optional>
#include <thread>

#include "brisk/logging.h"

namespace brisk::server {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

const std::string& HttpRequest::Header(const std::string& name) const {
  static const std::string kEmpty;
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return kEmpty;
}

class HttpServer::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(HttpServerOptions options, HttpHandler handler, HttpObserver observer)
      : options_(std::move(options)), handler_(std::move(handler)),
        observer_(std::move(observer)), acceptor_(ioc_) {}

  Status Bind() {
    beast::error_code ec;
    const net::ip::address address = net::ip::make_address(options_.host, ec);
    const std::string where = options_.host + ":" + std::to_string(options_.port);
    if (ec) return InvalidArgument("HTTP address '" + options_.host + "': " + ec.message());
    const tcp::endpoint endpoint(address, static_cast<unsigned short>(options_.port));
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return InvalidArgument("cannot listen for HTTP on " + where + ": " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    return Status::Ok();
  }

  void Run() {
    Accept();
    // Keeps run() going while no operation is pending, e.g. when the acceptor is closed and
    // every connection waits for its handler's answer during a graceful shutdown.
    work_.emplace(net::make_work_guard(ioc_));
    for (int i = 0; i < std::max(1, options_.io_threads); ++i) {
      threads_.emplace_back([this] { ioc_.run(); });
    }
  }

  void Shutdown(std::chrono::milliseconds grace) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
    }
    net::post(ioc_, [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
    });
    const Clock::time_point until = Clock::now() + grace;
    while (inflight_.load() > 0 && Clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (inflight_.load() > 0) {
      Log(LogLevel::kWarning, "HTTP server: " + std::to_string(inflight_.load()) +
                                  " request(s) still unanswered after the shutdown grace period");
    }
    {
      std::lock_guard lock(mutex_);
      closed_ = true;  // late answers are dropped from now on
    }
    work_.reset();
    ioc_.stop();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }

  // Runs `fn` on the I/O threads unless the server has closed (then drops it).
  template <typename Fn>
  void PostUnlessClosed(const tcp::socket::executor_type& executor, Fn&& fn) {
    std::lock_guard lock(mutex_);
    if (!closed_) net::post(executor, std::forward<Fn>(fn));
  }

  bool stopping() {
    std::lock_guard lock(mutex_);
    return stopping_;
  }

  int port() const { return port_; }
  const HttpServerOptions& options() const { return options_; }
  HttpHandler& handler() { return handler_; }
  HttpObserver& observer() { return observer_; }
  std::atomic<int64_t>& inflight() { return inflight_; }

 private:
  void Accept();

  net::io_context ioc_;  // first: destroyed last, after everything that uses it
  HttpServerOptions options_;
  HttpHandler handler_;
  HttpObserver observer_;
  tcp::acceptor acceptor_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  std::atomic<int64_t> inflight_{0};
  std::mutex mutex_;
  bool stopping_ = false;
  bool closed_ = false;
  int port_ = 0;
};

namespace {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, HttpServer::Impl* server)
      : stream_(std::move(socket)), server_(server) {
    beast::error_code ec;
    const tcp::endpoint peer = stream_.socket().remote_endpoint(ec);
    if (!ec) peer_ = peer.address().to_string() + ":" + std::to_string(peer.port());
  }

  void Start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Connection::Read, shared_from_this()));
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->body_limit(server_->options().max_body_bytes);
    parser_->header_limit(64 * 1024);
    stream_.expires_after(server_->options().idle_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Connection::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t) {
    if (ec == http::error::end_of_stream || ec == net::error::eof ||
        ec == beast::error::timeout || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset) {
      Close();
      return;
    }
    started_ = Clock::now();
    logged_ = HttpRequest{};
    if (ec) {
      // The request could not be read as HTTP: answer and close (the stream is out of sync).
      keep_alive_ = false;
      version_ = 11;
      const bool too_large = ec == http::error::body_limit;
      const int status = too_large ? 413 : 400;
      const std::string message =
          too_large ? "request body larger than the server's limit of " +
                          std::to_string(server_->options().max_body_bytes) + " bytes"
                    : "malformed HTTP request: " + ec.message();
      logged_.method = "?";
      logged_.peer = peer_;
      server_->inflight()++;
      Write(HttpResponse{status, "application/json", {}, ErrorJson(message)});
      return;
    }
    http::request<http::string_body> message = parser_->release();
    keep_alive_ = message.keep_alive();
    version_ = message.version();
    HttpRequest request;
    request.method = std::string(message.method_string());
    const std::string_view target(message.target().data(), message.target().size());
    const size_t q = target.find('?');
    request.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) request.query = std::string(target.substr(q + 1));
    for (const auto& field : message) {
      std::string name(field.name_string());
      for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
      request.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request.body = std::move(message.body());
    request.peer = peer_;
    logged_.method = request.method;
    logged_.path = request.path;
    logged_.peer = peer_;
    server_->inflight()++;
    stream_.expires_never();  // the handler may take a while (queued for a batch)
    auto self = shared_from_this();
    auto server = server_->shared_from_this();
    server_->handler()(std::move(request), [self, server](HttpResponse response) {
      server->PostUnlessClosed(self->stream_.get_executor(),
                               [self, response = std::move(response)]() mutable {
                                 self->Write(std::move(response));
                               });
    });
  }

  static std::string ErrorJson(const std::string& message) {
    std::string escaped;
    for (char c : message) {
      if (c == '"' || c == '\\') escaped += '\\';
      escaped += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
    }
    return "{\"error\":\"" + escaped + "\"}";
  }

  void Write(HttpResponse r) {
    response_ = {};
    response_.version(version_);
    response_.result(static_cast<http::status>(r.status));
    response_.set(http::field::server, "brisk");
    response_.set(http::field::content_type, r.content_type);
    for (auto& [name, value] : r.headers) response_.set(name, value);
    response_.body() = std::move(r.body);
    response_.keep_alive(keep_alive_ && !server_->stopping());
    response_.prepare_payload();
    status_ = r.status;
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&Connection::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, size_t bytes) {
    server_->inflight()--;
    if (server_->observer()) {
      server_->observer()(logged_, status_, bytes,
                          std::chrono::duration<double>(Clock::now() - started_).count());
    }
    if (ec) {
      Close();
      return;
    }
    if (!response_.keep_alive()) {
      LingeringClose();
      return;
    }
    Read();
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  // After an answer that ends the connection (e.g. 413 before the body was read), read and drop
  // what the client is still sending for a short while: closing a socket with unread data
  // resets it, and the client would see a broken connection instead of the answer.
  void LingeringClose() {
    Close();
    stream_.expires_after(std::chrono::seconds(2));
    discard_.resize(64 * 1024);
    Discard(beast::error_code{}, 0);
  }
  void Discard(beast::error_code ec, size_t) {
    if (ec) return;  // EOF, timeout or reset: done, the connection goes away
    stream_.async_read_some(net::buffer(discard_),
                            beast::bind_front_handler(&Connection::Discard, shared_from_this()));
  }

  beast::tcp_stream stream_;
  HttpServer::Impl* server_;  // outlives the connection (see the file comment)
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  HttpRequest logged_;  // method, path and peer of the request being answered (no body)
  std::vector<char> discard_;
  std::string peer_;
  Clock::time_point started_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  int status_ = 0;
};

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;  // shut down
      Log(LogLevel::kWarning, "HTTP server: accept failed: " + ec.message());
    } else {
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Connection>(std::move(socket), this)->Start();
    }
    Accept();
  });
}

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                        HttpHandler handler,
                                                        HttpObserver observer) {
  auto impl = std::make_shared<Impl>(options, std::move(handler), std::move(observer));
  BRISK_RETURN_IF_ERROR(impl->Bind());
  impl->Run();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::~HttpServer() { Shutdown(std::chrono::milliseconds(0)); }

int HttpServer::port() const { return impl_->port(); }

void HttpServer::Shutdown(std::chrono::milliseconds grace) { impl_->Shutdown(grace); }

}  // namespace brisk::server
