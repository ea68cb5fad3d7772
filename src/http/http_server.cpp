#include "http/http_server.hpp"

#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <deque>
#include <future>
#include <map>
#include <set>
#include <thread>

#include "log/fault_log.hpp"
#include "sync/mutex.hpp"

namespace glisk::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

const std::string* Request::query_value(std::string_view name) const {
  const std::string* found = nullptr;
  for (const auto& [k, v] : query) {
    if (k == name) found = &v;
  }
  return found;
}

const std::string* Request::header(std::string_view lowercase_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lowercase_name) return &v;
  }
  return nullptr;
}

void Router::add(std::string method, std::string_view pattern, Handler handler, size_t max_body_bytes) {
  Route route{std::string(pattern), std::move(method), {}, true, std::move(handler), max_body_bytes};
  if (!pattern.starts_with('/'))
    throw std::invalid_argument("route pattern '" + std::string(pattern) + "' is not a path");
  // Split as Boost.URL splits a request's path: "/" has no segments, "/a/" has "a" and "".
  if (std::string_view rest = pattern.substr(1); !rest.empty()) {
    for (;;) {
      const size_t slash = rest.find('/');
      route.segments.emplace_back(rest.substr(0, slash));
      if (route.segments.back() == "{}") route.exact = false;
      if (slash == std::string_view::npos) break;
      rest.remove_prefix(slash + 1);
    }
  }
  routes_.push_back(std::move(route));
}

Router::Match Router::match(std::string_view method, const std::vector<std::string>& segments) const {
  Match best;
  best.status = 404;
  bool best_exact = false;
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::vector<std::string> params;
    bool same = true;
    for (size_t i = 0; i < segments.size() && same; ++i) {
      if (route.segments[i] == "{}") {
        params.push_back(segments[i]);
      } else {
        same = route.segments[i] == segments[i];
      }
    }
    if (!same) continue;
    if (route.method != method) {
      best.status = best.handler != nullptr ? best.status : 405;
      continue;
    }
    // An exact route beats a pattern; among equals the first added wins.
    if (best.handler == nullptr || (route.exact && !best_exact)) {
      best.handler = &route.handler;
      best.status = 0;
      best.max_body_bytes = route.max_body_bytes;
      best.params = std::move(params);
      best.pattern = route.pattern;
      best_exact = route.exact;
    }
  }
  return best;
}

const std::vector<std::pair<std::string, std::string>>& security_headers() {
  static const std::vector<std::pair<std::string, std::string>> kHeaders = {
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Content-Security-Policy",
       "default-src 'self'; img-src 'self' https: data:; object-src 'none'; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'none'"},
      {"Referrer-Policy", "no-referrer"},
  };
  return kHeaders;
}

namespace {

// Runs handlers off the I/O thread. A bounded queue: past it a request is answered 503 at once.
class HandlerPool {
 public:
  HandlerPool(int threads, size_t max_queued) : max_queued_(max_queued) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
  }
  // Waits for the jobs still running: they use the server and whatever the handlers reach.
  ~HandlerPool() {
    {
      sync::MutexLock lock(mutex_);
      stopping_ = true;
      queue_.clear();
    }
    work_.notify_all();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

  bool submit(std::function<void()> job) {
    {
      sync::MutexLock lock(mutex_);
      if (stopping_ || queue_.size() >= max_queued_) return false;
      queue_.push_back(std::move(job));
    }
    work_.notify_one();
    return true;
  }

  // Lets queued and running jobs finish until `deadline`, then takes no more. True when all
  // finished (the threads are joined); otherwise the destructor waits for the ones still running
  // (`glisk serve` exits without running destructors when a stop was not clean).
  bool finish(clock::SteadyPoint deadline) {
    bool all = true;
    {
      sync::MutexLock lock(mutex_);
      all = idle_.wait_until(lock.unique(), deadline,
                             [&]() GLISK_REQUIRES(mutex_) { return queue_.empty() && running_ == 0; });
      stopping_ = true;
      queue_.clear();
    }
    work_.notify_all();
    if (all) {
      for (auto& t : threads_) {
        if (t.joinable()) t.join();
      }
    }
    return all;
  }

 private:
  void run() {
    for (;;) {
      std::function<void()> job;
      {
        sync::MutexLock lock(mutex_);
        work_.wait(lock.unique(), [&]() GLISK_REQUIRES(mutex_) { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        job = std::move(queue_.front());
        queue_.pop_front();
        ++running_;
      }
      job();
      {
        sync::MutexLock lock(mutex_);
        --running_;
      }
      idle_.notify_all();
    }
  }

  const size_t max_queued_;
  sync::Mutex mutex_;
  sync::CondVar work_;
  sync::CondVar idle_;
  std::deque<std::function<void()>> queue_ GLISK_GUARDED_BY(mutex_);
  int running_ GLISK_GUARDED_BY(mutex_) = 0;
  bool stopping_ GLISK_GUARDED_BY(mutex_) = false;
  std::vector<std::thread> threads_;
};

std::string error_body(std::string_view message) {
  return nlohmann::json{{"error", message}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Response error_response(int status, std::string_view message) {
  Response r;
  r.status = status;
  r.body = error_body(message);
  return r;
}

class Session;

}  // namespace

// The sessions, counts and budget are touched only on the I/O thread (or once it has stopped).
// Members are destroyed in reverse order: the pool, then `io` (and with it every session), then
// the state the sessions' destructors update.
struct detail::ServerCore {
  ServerCore(const Router& r, ServerLimits l, const log::EventLog& lg, metrics::Registry* metrics)
      : router(r),
        limits(l),
        log(lg),
        refused(lg, clock, "http.refused", "http.refused_ended", log::Level::kWarning, log::kFaultReminder),
        requests(metrics == nullptr ? nullptr
                                    : &metrics->counter("glisk_http_requests_total",
                                                        "HTTP answers, by route pattern (\"unmatched\" when none "
                                                        "matched or the request was refused before), method and status",
                                                        {"route", "method", "status"})),
        pool(l.handler_threads, l.max_queued_requests) {}

  void accept();
  void admit(tcp::socket socket);
  // Refusals are a fault said once and recalled (log/fault_log.hpp), so a flood of them cannot
  // flood the log; it counts as over once requests have been answered for a quiet while.
  void note_refusal(const log::Fields& fields) {
    last_refusal = clock.steady_now();
    refused.failed(fields);
  }
  void note_answered() {
    if (refused.ongoing() && clock.steady_now() - last_refusal > log::kFaultReminder) refused.succeeded();
  }
  void begin_drain();
  void close_all();

  const Router& router;
  const ServerLimits limits;
  const log::EventLog& log;
  const clock::SystemClock clock;  // the log's times; the sockets' deadlines are Asio's own timers
  log::FaultLog refused;
  metrics::Counter* requests;  // null without a registry
  clock::SteadyPoint last_refusal{};
  std::set<Session*> sessions;
  std::map<std::string, int> per_client;
  size_t body_bytes = 0;  // reserved by bodies being read
  bool draining = false;
  std::array<char, 16 * 1024> discarded{};  // where lingering connections' last bytes go (read, never looked at)
  std::atomic<size_t> open{0};
  asio::io_context io{1};
  // After `io`, so destroyed before it: a handler still running when the server goes away
  // finishes (the pool's destructor waits) and posts its answer into a live, stopped io_context.
  HandlerPool pool;
  tcp::acceptor acceptor{io};
  asio::steady_timer accept_pause{io};
  std::thread io_thread;
  bool stopped = false;
};

namespace {

constexpr size_t kReadChunk = 4096;
constexpr size_t kLingerBytes = 1u << 20;  // unread bytes discarded before closing after a refusal
constexpr std::chrono::seconds kLingerTime{2};

class Session : public std::enable_shared_from_this<Session> {
 public:
  enum class State { kIdle, kReading, kHandling, kWriting, kClosing };

  Session(detail::ServerCore& server, tcp::socket socket, std::string client)
      : server_(server),
        stream_(std::move(socket)),
        buffer_(server.limits.max_header_bytes + 64 * 1024),
        delay_(stream_.get_executor()),
        client_(std::move(client)) {
    ++server_.per_client[client_];
    server_.sessions.insert(this);
    ++server_.open;
  }
  ~Session() {
    release_body_budget();
    server_.sessions.erase(this);
    if (--server_.per_client[client_] <= 0) server_.per_client.erase(client_);
    --server_.open;
  }

  State state() const { return state_; }
  clock::SteadyPoint idle_since() const { return idle_since_; }

  void start() { wait_for_request(); }

  void close() {
    if (closed_) return;
    state_ = State::kClosing;
    closed_ = true;
    delay_.cancel();
    stream_.close();
  }

 private:
  const ServerLimits& limits() const { return server_.limits; }

  void wait_for_request() {
    if (server_.draining) return close();
    if (buffer_.size() > 0) return read_header();  // a pipelined request is already here
    state_ = State::kIdle;
    idle_since_ = server_.clock.steady_now();
    stream_.expires_after(limits().idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunk), [self = shared_from_this()](error_code ec, size_t n) {
      if (ec) return self->close();  // idle timeout, the client left, or the server drains
      self->buffer_.commit(n);
      self->read_header();
    });
  }

  void read_header() {
    state_ = State::kReading;
    route_label_ = "unmatched";
    method_label_ = "other";
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(limits().max_header_bytes));
    // The body's limit is the route's, known once the header is read (on_header); Beast would
    // check a Content-Length against any limit set now, before we know the route.
    parser_->body_limit(boost::none);
    // One deadline for the whole request, header and body: each byte does not buy more time.
    stream_.expires_after(limits().request_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](error_code ec, size_t) { self->on_header(ec); });
  }

  void on_header(error_code ec) {
    if (ec) return read_failed(ec);
    auto& req = parser_->get();
    version_ = req.version();
    if (static_cast<size_t>(std::distance(req.begin(), req.end())) > limits().max_header_fields) {
      return refuse(431, "more than " + std::to_string(limits().max_header_fields) + " header fields", "header fields");
    }
    auto target = boost::urls::parse_origin_form(std::string_view(req.target().data(), req.target().size()));
    if (!target) return refuse(400, "the request target is not a path (origin form, e.g. /health)", "bad target");
    request_ = Request{};
    request_.method = std::string(req.method_string());
    request_.path = std::string(target->encoded_path());
    request_.client = client_;
    std::vector<std::string> segments;
    for (auto segment : target->segments()) segments.push_back(std::move(segment));
    for (auto param : target->params()) request_.query.emplace_back(param.key, param.value);
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request_.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    keep_alive_ = req.keep_alive();

    auto match = server_.router.match(request_.method, segments);
    // Labels from the route table, never from the client's text: their number stays bounded.
    if (match.handler != nullptr) {
      route_label_ = match.pattern;
      method_label_ = request_.method;
    }
    const bool has_body = parser_->chunked() || (parser_->content_length() && *parser_->content_length() > 0);
    if (match.handler == nullptr) {
      must_close_ = has_body;  // the body is not read: the connection cannot be reused
      return respond(error_response(
          match.status, match.status == 405 ? "method " + request_.method + " is not allowed on " + request_.path
                                            : "no route " + request_.method + " " + request_.path));
    }
    handler_ = match.handler;
    request_.params = std::move(match.params);
    if (!has_body) return dispatch();

    if (match.max_body_bytes == 0)
      return refuse(413, request_.path + " takes no request body", "body on a bodiless route");
    if (parser_->content_length() && *parser_->content_length() > match.max_body_bytes) {
      return refuse(413, "the body is over " + size_text(match.max_body_bytes) + "; nothing was read or stored",
                    "body too large");
    }
    // Memory for every body being read at once is bounded: reserve this one's share first.
    const size_t reserve =
        parser_->content_length() ? static_cast<size_t>(*parser_->content_length()) : match.max_body_bytes;
    if (server_.body_bytes + reserve > limits().body_budget_bytes) {
      return refuse(503, "too many request bodies are being received at once; retry shortly", "body budget");
    }
    server_.body_bytes += reserve;
    reserved_ = reserve;
    body_limit_ = match.max_body_bytes;
    parser_->body_limit(body_limit_);
    if (boost::beast::iequals(req[bhttp::field::expect], "100-continue")) {
      auto go_on = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, version_);
      bhttp::async_write(stream_, *go_on, [self = shared_from_this(), go_on](error_code e, size_t) {
        if (e) return self->close();
        self->read_body();
      });
      return;
    }
    read_body();
  }

  void read_body() {
    bhttp::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](error_code ec, size_t) {
      if (ec) return self->read_failed(ec);
      self->request_.body = std::move(self->parser_->get().body());
      self->dispatch();
    });
  }

  void read_failed(error_code ec) {
    if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
      return refuse(431, "the request header is over " + size_text(limits().max_header_bytes), "header too large");
    }
    if (ec == bhttp::error::body_limit) {
      return refuse(413, "the body is over " + size_text(body_limit_) + "; nothing was stored", "body too large");
    }
    if (ec == beast::error::timeout) {
      server_.note_refusal({{"reason", "request not received in time"},
                            {"client", client_},
                            {"timeout_seconds", static_cast<double>(limits().request_timeout.count()) / 1000.0}});
      return close();  // the stream closed the socket already: nothing can be answered
    }
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::error::operation_aborted || ec == bhttp::error::partial_message) {
      return close();
    }
    refuse(400, "malformed HTTP request: " + ec.message(), "malformed request");
  }

  void dispatch() {
    state_ = State::kHandling;
    stream_.expires_never();  // nothing is read while the handler runs; pipelined bytes wait
    parser_.reset();
    const bool queued = server_.pool.submit([self = shared_from_this()]() mutable {
      Response response;
      try {
        response = (*self->handler_)(self->request_);
      } catch (const std::exception& e) {
        response = error_response(500, std::string("internal error: ") + e.what());
      } catch (...) {
        response = error_response(500, "internal error");
      }
      // The reference moves to the I/O thread with the answer: the session must never be
      // destroyed on a handler thread, because its destructor changes the server's connection
      // tables, which only the I/O thread touches (TSan found the race).
      auto executor = self->stream_.get_executor();
      asio::post(executor, [self = std::move(self), response = std::move(response)]() mutable {
        self->respond(std::move(response));
      });
    });
    if (!queued) {
      must_close_ = true;
      respond(error_response(503, "the server is busy (every handler thread is taken); retry shortly"));
    }
  }

  // Refuses the request being read: answers, then closes without reading the rest.
  void refuse(int status, const std::string& message, const char* reason) {
    server_.note_refusal({{"reason", reason}, {"client", client_}, {"status", status}});
    must_close_ = true;
    respond(error_response(status, message));
  }

  void respond(Response response) {
    if (closed_) return;
    if (server_.requests != nullptr) {
      server_.requests->inc({std::string(route_label_), method_label_, std::to_string(response.status)});
    }
    release_body_budget();
    request_.body.clear();
    request_.body.shrink_to_fit();
    state_ = State::kWriting;
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(version_ == 10 ? 10 : 11);
    res->result(static_cast<unsigned>(response.status));
    res->set(bhttp::field::content_type, response.content_type);
    bool has_cache_control = false;
    for (const auto& [name, value] : response.headers) {
      res->set(name, value);
      if (beast::iequals(name, "cache-control")) has_cache_control = true;
    }
    for (const auto& [name, value] : security_headers()) res->set(name, value);
    if (!has_cache_control) res->set(bhttp::field::cache_control, "no-store");
    const bool keep = keep_alive_ && !must_close_ && !server_.draining;
    res->keep_alive(keep);
    res->body() = std::move(response.body);
    res->prepare_payload();
    if (response.status < 400) server_.note_answered();

    auto write = [self = shared_from_this(), res, keep] {
      self->stream_.expires_after(self->limits().write_timeout);
      bhttp::async_write(self->stream_, *res, [self, res, keep](error_code ec, size_t) {
        if (ec) return self->close();
        if (!keep) return self->linger_close();
        self->wait_for_request();
      });
    };
    if (response.delay.count() > 0 && !server_.draining) {
      delay_.expires_after(response.delay);
      delay_.async_wait([self = shared_from_this(), write](error_code ec) {
        if (ec || self->closed_) return self->close();
        write();
      });
      return;
    }
    write();
  }

  // Closing a socket with unread bytes makes the kernel send a reset, which can destroy the
  // answer before the client reads it: stop sending, discard what still comes for a moment, close.
  void linger_close() {
    state_ = State::kClosing;
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTime);
    discard();
  }

  void discard() {
    if (discarded_ >= kLingerBytes) return close();
    stream_.async_read_some(asio::buffer(server_.discarded), [self = shared_from_this()](error_code ec, size_t n) {
      if (ec) return self->close();
      self->discarded_ += n;
      self->discard();
    });
  }

  void release_body_budget() {
    server_.body_bytes -= reserved_;
    reserved_ = 0;
  }

  static std::string size_text(size_t bytes) {
    if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
    if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes >> 10) + " KiB";
    return std::to_string(bytes) + " bytes";
  }

  detail::ServerCore& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  asio::steady_timer delay_;
  const std::string client_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Request request_;
  const Handler* handler_ = nullptr;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool must_close_ = false;
  std::string_view route_label_ = "unmatched";  // the matched pattern (the router outlives the session)
  std::string method_label_ = "other";
  bool closed_ = false;
  size_t body_limit_ = 0;
  size_t reserved_ = 0;
  size_t discarded_ = 0;
  State state_ = State::kIdle;
  clock::SteadyPoint idle_since_{};
};

}  // namespace

void detail::ServerCore::accept() {
  acceptor.async_accept([this](error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (ec) {
      // Out of file descriptors (or similar): say so and pause rather than spin.
      note_refusal({{"reason", "accept failed"}, {"error", ec.message()}});
      accept_pause.expires_after(std::chrono::milliseconds(100));
      accept_pause.async_wait([this](error_code e) {
        if (!e) accept();
      });
      return;
    }
    admit(std::move(socket));
    accept();
  });
}

void detail::ServerCore::admit(tcp::socket socket) {
  error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec || draining) return;  // the socket closes as it goes out of scope
  std::string client = remote.address().to_string();
  if (auto it = per_client.find(client); it != per_client.end() && it->second >= limits.max_connections_per_client) {
    note_refusal({{"reason", "too many connections from one client"},
                  {"client", client},
                  {"limit", limits.max_connections_per_client}});
    return;
  }
  if (sessions.size() >= static_cast<size_t>(limits.max_connections)) {
    // Make room by closing the connection that has idled longest, if any does.
    Session* oldest = nullptr;
    for (Session* s : sessions) {
      if (s->state() == Session::State::kIdle && (oldest == nullptr || s->idle_since() < oldest->idle_since()))
        oldest = s;
    }
    if (oldest == nullptr) {
      note_refusal({{"reason", "too many connections"}, {"client", client}, {"limit", limits.max_connections}});
      return;
    }
    oldest->close();
  }
  std::make_shared<Session>(*this, std::move(socket), std::move(client))->start();
}

void detail::ServerCore::begin_drain() {
  draining = true;
  error_code ignored;
  acceptor.close(ignored);
  accept_pause.cancel();
  // Copies: close() may end a session, which erases itself from the set.
  std::vector<Session*> idle;
  for (Session* s : sessions) {
    if (s->state() == Session::State::kIdle) idle.push_back(s);
  }
  for (Session* s : idle) s->close();
}

void detail::ServerCore::close_all() {
  std::vector<Session*> all(sessions.begin(), sessions.end());
  for (Session* s : all) s->close();
}

HttpServer::HttpServer(const Router& router, ServerLimits limits, const log::EventLog& log, metrics::Registry* metrics)
    : impl_(std::make_unique<detail::ServerCore>(router, limits, log, metrics)) {}

HttpServer::~HttpServer() { stop(std::chrono::milliseconds(0)); }

int HttpServer::bind(const std::string& host, int port) {
  auto& acceptor = impl_->acceptor;
  error_code ec;
  asio::ip::address address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) {
    tcp::resolver resolver(impl_->io);
    auto found = resolver.resolve(host, std::to_string(port), ec);
    if (ec || found.empty())
      throw std::runtime_error("cannot listen on " + host + ": not an address or a known host name (set HOST)");
    address = found.begin()->endpoint().address();
  }
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  const std::string where = host + ":" + std::to_string(port);
  acceptor.open(endpoint.protocol(), ec);
  if (ec) throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
  // SO_REUSEADDR lets a restart bind while old connections sit in TIME_WAIT; on Linux it never
  // lets two sockets listen on one port (SO_REUSEPORT would, and is deliberately not set).
  acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  acceptor.bind(endpoint, ec);
  if (ec == asio::error::address_in_use) {
    acceptor.close();
    throw AddressInUse("cannot listen on " + where +
                       ": the port is taken (another glisk serve still running, or "
                       "another program): stop it, or set PORT (or HOST) to a free one");
  }
  if (ec) {
    acceptor.close();
    throw std::runtime_error("cannot listen on " + where + ": " + ec.message() + " (set HOST/PORT)");
  }
  acceptor.listen(impl_->limits.backlog, ec);
  if (ec) {
    acceptor.close();
    throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
  }
  return acceptor.local_endpoint().port();
}

void HttpServer::start() {
  impl_->accept();
  impl_->io_thread = std::thread([impl = impl_.get()] {
    auto guard = asio::make_work_guard(impl->io);
    impl->io.run();
  });
}

bool HttpServer::stop(std::chrono::milliseconds drain) {
  auto& impl = *impl_;
  if (impl.stopped) return true;
  impl.stopped = true;
  const auto deadline = impl.clock.steady_now() + drain;
  if (!impl.io_thread.joinable()) {
    error_code ignored;
    impl.acceptor.close(ignored);
    return impl.pool.finish(deadline);
  }
  asio::post(impl.io, [&impl] { impl.begin_drain(); });
  // Requests already read finish; new ones are not taken. Wait for the connections to end.
  while (impl.open.load() > 0 && impl.clock.steady_now() < deadline) {
    impl.clock.sleep_for(std::chrono::milliseconds(10));
  }
  std::promise<void> closed;
  asio::post(impl.io, [&impl, &closed] {
    impl.close_all();
    closed.set_value();
  });
  closed.get_future().wait_for(std::chrono::seconds(1));
  const bool handlers_done = impl.pool.finish(deadline);
  impl.io.stop();
  impl.io_thread.join();
  return handlers_done;
}

size_t HttpServer::open_connections() const { return impl_->open.load(); }

}  // namespace glisk::http
