// The network server. RESTinio (on Boost.Asio) is included only in server_restinio.cc,
// which keeps its heavy headers out of every other translation unit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "http/router.h"

namespace tuoke::http {

struct ServerOptions {
  std::string bind_address = "127.0.0.1";
  uint16_t port = 8080;
  // Worker threads. Handlers may block on the database, so more than the core count;
  // `tuoke serve` chooses by backend when none is given (DefaultServerThreads).
  int threads = 4;
  // Connections sending more than this are cut off; smaller oversize bodies get a 413
  // from the application's own, lower limit.
  // Above the largest per-route limit (attachment uploads, 20 MiB).
  size_t hard_body_limit = 24 * 1024 * 1024;
};

using RequestHandler = std::function<Response(Request&)>;

// Serves until SIGINT or SIGTERM. `on_ready` runs once the socket listens.
// Throws std::runtime_error when the address cannot be bound.
void RunServer(const ServerOptions& options, RequestHandler handler,
               std::function<void()> on_ready);

}  // namespace tuoke::http
