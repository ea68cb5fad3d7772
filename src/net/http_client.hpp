#pragma once
// An HTTP client over libcurl for the outside APIs (Replicate, Pinata, the image hosts).
// One request per call, with a total timeout, a response size cap, and a stop token that aborts
// the transfer (shutdown). Transport failures become TransportError with a kind the callers map
// to their error classes; an HTTP status, even 5xx, is a normal response. Thread-safe: every
// call uses its own curl handle.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "clock/clock.hpp"
#include "errors/errors.hpp"

namespace glisk::net {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{30'000};
  size_t max_response_bytes = 64u << 20;
  // Whether a kept-alive connection may carry it. libcurl sends a request again, unasked, when
  // a reused connection turns out to have been closed: harmless for a read, a second paid
  // prediction for a create. A request that must go at most once takes a fresh connection.
  bool reuse_connection = true;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lowercased; the last value wins
  std::string body;

  const std::string* header(const std::string& lowercase_name) const;
};

// How the transfer failed; callers map it to their own errors (a retry, an abort on shutdown).
class TransportError : public errors::Error {
 public:
  enum class Failure { kTimeout, kConnect, kDropped, kTooLarge, kAborted, kOther };
  TransportError(Failure failure, const std::string& what)
      : errors::Error(failure == Failure::kTooLarge ? errors::Kind::kTooLarge : errors::Kind::kTransient, what),
        failure_(failure) {}
  Failure failure() const { return failure_; }

 private:
  Failure failure_;
};

// Connections are kept alive between requests (libcurl's connection cache, per easy handle; the
// handles are pooled and reused), so a poll, a download or a pin to a host spoken to a moment ago
// costs no new TCP and TLS handshake. Thread-safe: one handle per request in flight.
class HttpClient {
 public:
  // The outside world's pace (retry waits, polls, Retry-After dates) is kept on `clock`; by
  // default the real one, which the client then owns.
  HttpClient();
  explicit HttpClient(const clock::Clock& clock);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  // Throws TransportError; never for an HTTP status.
  HttpResponse send(const HttpRequest& request, std::stop_token stop = {}) const;
  const clock::Clock& clock() const { return clock_; }

 private:
  struct Handles;  // the idle easy handles, each with its open connections
  clock::SystemClock system_clock_;
  const clock::Clock& clock_;
  std::unique_ptr<Handles> handles_;
};

// Parses a Retry-After header value: delay-seconds or an HTTP date (relative to `now`).
std::optional<std::chrono::milliseconds> parse_retry_after(const std::string& value,
                                                           std::chrono::system_clock::time_point now);

}  // namespace glisk::net
