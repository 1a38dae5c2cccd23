// The HTTP stack's own hello-world, with the same server settings as tuoke serve
// (thread pool, TCP_NODELAY): the ceiling our endpoints are measured against.
#include <utility>  // before Boost.Asio, whose awaitable.hpp needs std::exchange
#include <restinio/all.hpp>

#include <cstdlib>
#include <thread>

int main(int argc, char** argv) {
  std::uint16_t port = argc > 1 ? static_cast<std::uint16_t>(std::atoi(argv[1])) : 18090;
  std::size_t threads = argc > 2 ? static_cast<std::size_t>(std::atoi(argv[2])) : 4;
  restinio::run(
      restinio::on_thread_pool<restinio::default_traits_t>(threads)
          .address("127.0.0.1")
          .port(port)
          .socket_options_setter([](auto& options) {
            options.set_option(restinio::asio_ns::ip::tcp::no_delay{true});
          })
          .max_pipelined_requests(16)
          .concurrent_accepts_count(threads)
          .separate_accept_and_create_connect(true)
          .request_handler([](auto request) {
            return request->create_response()
                .append_header(restinio::http_field::content_type, "text/plain")
                .set_body("Hello, World!")
                .done();
          }));
}
