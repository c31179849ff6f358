// A blocking HTTP/1.1 client for the server tests (Boost.Beast), one connection per call.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <string>
#include <utility>
#include <vector>

namespace brisk::server::testing {

struct HttpResult {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string header_length;  // Inference-Header-Content-Length
};

inline HttpResult Fetch(int port, const std::string& method, const std::string& target,
                        const std::string& body = "",
                        const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket socket(ioc);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
  http::request<http::string_body> request(http::string_to_verb(method), target, 11);
  request.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  http::write(socket, request);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  beast::error_code ec;
  http::read(socket, buffer, response, ec);
  HttpResult result;
  if (ec) return result;  // status 0: the connection failed
  result.status = response.result_int();
  result.body = response.body();
  result.content_type = std::string(response[http::field::content_type]);
  result.header_length = std::string(response["Inference-Header-Content-Length"]);
  return result;
}

}  // namespace brisk::server::testing
