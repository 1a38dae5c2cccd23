#include <utility>  // before Boost.Asio, whose awaitable.hpp needs std::exchange
#include <restinio/all.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <thread>

#include "http/server.h"

namespace tuoke::http {
namespace {

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Entity";
    case 423: return "Locked";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

Request ToRequest(const restinio::request_handle_t& incoming) {
  Request request;
  const auto& header = incoming->header();
  request.method = std::string(header.method().c_str());
  std::string target(header.request_target());
  auto question = target.find('?');
  request.path = UrlDecode(std::string_view(target).substr(0, question), false);
  if (question != std::string::npos) {
    request.raw_query = target.substr(question + 1);
    request.query = ParseQuery(request.raw_query);
  }
  for (const auto& field : header) {
    std::string name(field.name());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  // The handle keeps RESTinio's buffer (a const std::string) alive: no copy of an upload.
  request.body = RequestBody::Borrowed(incoming, incoming->body());
  request.remote_ip = incoming->remote_endpoint().address().to_string();
  return request;
}

}  // namespace

void RunServer(const ServerOptions& options, RequestHandler handler, std::function<void()> on_ready) {
  using traits_t = restinio::default_traits_t;
  restinio::asio_ns::io_context io_context;

  auto request_handler = [&handler](restinio::request_handle_t incoming) {
    Request request = ToRequest(incoming);
    Response response = handler(request);
    auto outgoing = incoming->create_response(restinio::http_status_line_t{
        restinio::http_status_code_t{static_cast<std::uint16_t>(response.status)},
        ReasonPhrase(response.status)});
    if (!response.content_type.empty())
      outgoing.append_header(restinio::http_field::content_type, response.content_type);
    for (auto& [name, value] : response.headers) outgoing.append_header(name, value);
    if (request.method != "HEAD") outgoing.set_body(std::move(response.body));
    return outgoing.done();
  };

  restinio::http_server_t<traits_t> server{
      restinio::external_io_context(io_context),
      restinio::server_settings_t<traits_t>{}
          .address(options.bind_address)
          .port(options.port)
          .request_handler(std::move(request_handler))
          .incoming_http_msg_limits(
              restinio::incoming_http_msg_limits_t{}.max_body_size(options.hard_body_limit))
          .socket_options_setter([](auto& socket_options) {
            // Small JSON answers must not wait for Nagle's algorithm.
            socket_options.set_option(restinio::asio_ns::ip::tcp::no_delay{true});
          })
          .max_pipelined_requests(16)
          .handle_request_timeout(std::chrono::seconds(60))
          .read_next_http_message_timelimit(std::chrono::seconds(75))
          .concurrent_accepts_count(static_cast<std::size_t>(options.threads))
          .separate_accept_and_create_connect(true)};

  std::exception_ptr open_failure;
  server.open_async([&on_ready] { on_ready(); },
                    [&](std::exception_ptr failure) {
                      open_failure = failure;
                      io_context.stop();
                    });

  restinio::asio_ns::signal_set signals(io_context, SIGINT, SIGTERM);
  signals.async_wait([&](const auto& error, int) {
    if (error) return;
    spdlog::info("shutting down");
    server.close_async([&io_context] { io_context.stop(); },
                       [&io_context](std::exception_ptr) { io_context.stop(); });
  });

  std::vector<std::thread> workers;
  for (int i = 1; i < options.threads; ++i) workers.emplace_back([&io_context] { io_context.run(); });
  io_context.run();
  for (auto& worker : workers) worker.join();
  if (open_failure) {
    try {
      std::rethrow_exception(open_failure);
    } catch (const std::exception& error) {
      throw std::runtime_error(std::string("cannot listen on ") + options.bind_address + ":" +
                               std::to_string(options.port) + ": " + error.what());
    }
  }
}

}  // namespace tuoke::http
