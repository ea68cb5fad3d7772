#pragma once
// The HTTP/1.1 server under the API, built for clients that may be hostile: the webhook route
// faces the internet, so anyone can connect. Boost.Beast on one I/O thread (connections cost no
// thread while they idle or drip), handlers on a bounded pool (they may wait on the database).
//
// What it holds, whatever a client does (the numbers are ServerLimits):
// - a request is at most `max_header_bytes` of header in at most `max_header_fields` fields (431)
//   and its route's body limit, for every transfer encoding: a chunked body is counted while it
//   is read and cut at the limit (413), never read whole first. All bodies being read at once
//   share `body_budget_bytes` (503 past it), so memory stays bounded with every connection busy;
// - a deadline for the whole request, first header byte to last body byte (`request_timeout`),
//   not per read: a client dripping a byte a second is closed when it runs out. A kept-alive
//   connection may wait `idle_timeout` for its next request; an answer must be taken within
//   `write_timeout`;
// - at most `max_connections` open, `max_connections_per_client` per remote address; past the
//   first the oldest idle connection is closed to make room, else the new one is refused; the
//   kernel's accept queue is `backlog` long. Refusals are logged as a fault (said once, recalled);
// - pipelined requests are answered one at a time, in order (the next is read after the answer);
// - the port is exclusive: no SO_REUSEPORT, so a second process on a taken port gets AddressInUse;
// - every answer carries the security headers (nosniff, frame-ancestors 'none', no referrer);
// - stop(drain): stops accepting, closes idle connections, answers what was read (with
//   `Connection: close`), and closes whatever is left when `drain` has passed.
// Handlers run on the pool; one that throws answers 500. Thread-safe: start/stop from any thread.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "errors/errors.hpp"
#include "log/event_log.hpp"
#include "metrics/registry.hpp"

namespace glisk::http {

namespace detail {
struct ServerCore;  // the I/O thread's state (http_server.cpp)
}

struct Request {
  std::string method;                                        // e.g. "GET"
  std::string path;                                          // as sent, without the query
  std::vector<std::string> params;                           // the route's {} segments, percent-decoded
  std::vector<std::pair<std::string, std::string>> query;    // percent-decoded, in order
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercase
  std::string body;
  std::string client;  // the remote address

  // The last value of a query parameter / the first of a header (`name` lowercase); null when absent.
  const std::string* query_value(std::string_view name) const;
  const std::string* header(std::string_view lowercase_name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Hold the answer this long before sending it (slows a guesser without holding a thread).
  std::chrono::milliseconds delay{0};
};

using Handler = std::function<Response(const Request&)>;

// Routes by method and path. A pattern is a path whose `{}` segments match any one segment
// (empty included), e.g. "/api/tokens/{}/events". Exact patterns win over ones with `{}`.
class Router {
 public:
  // `max_body_bytes` 0: the route takes no body (one is refused with 413 before it is read).
  void add(std::string method, std::string_view pattern, Handler handler, size_t max_body_bytes = 0);

  struct Match {
    const Handler* handler = nullptr;  // null: no route (status says 404 or 405)
    int status = 0;
    size_t max_body_bytes = 0;
    std::vector<std::string> params;
    std::string_view pattern;  // the matched route's pattern, as added (the router outlives it)
  };
  Match match(std::string_view method, const std::vector<std::string>& segments) const;

 private:
  struct Route {
    std::string pattern;
    std::string method;
    std::vector<std::string> segments;  // "{}" for a parameter
    bool exact = true;
    Handler handler;
    size_t max_body_bytes = 0;
  };
  std::vector<Route> routes_;
};

struct ServerLimits {
  size_t max_header_bytes = 16 * 1024;
  size_t max_header_fields = 100;
  size_t body_budget_bytes = 32u << 20;
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::milliseconds idle_timeout{5'000};
  std::chrono::milliseconds write_timeout{10'000};
  int max_connections = 512;
  int max_connections_per_client = 64;
  int backlog = 128;
  int handler_threads = 8;
  size_t max_queued_requests = 256;  // read and waiting for a handler thread; past it: 503
};

// The address is taken by another socket (another glisk serve still running?).
class AddressInUse : public errors::Conflict {
 public:
  using errors::Conflict::Conflict;
};

// The security headers every answer carries (the dashboard's CSP allows only its own files and
// https images).
const std::vector<std::pair<std::string, std::string>>& security_headers();

class HttpServer {
 public:
  // `router` must outlive the server. With `metrics`, every answer is counted in
  // glisk_http_requests_total{route, method, status} (route: the matched pattern, or "unmatched").
  HttpServer(const Router& router, ServerLimits limits, const log::EventLog& log, metrics::Registry* metrics = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens on host:port (0 picks a free port); returns the port. Throws AddressInUse,
  // or std::runtime_error for an address that cannot be used.
  int bind(const std::string& host, int port);
  // Accepts and serves in the background (after bind).
  void start();
  // See the header comment. True when every handler returned in time. Idempotent.
  bool stop(std::chrono::milliseconds drain);

  // Connections open now (tests and the attack suite read it).
  size_t open_connections() const;

 private:
  std::unique_ptr<detail::ServerCore> impl_;
};

}  // namespace glisk::http
