#include "chain/rpc_client.hpp"

#include "chain/rpc_answer.hpp"

namespace glisk::chain {
namespace {

// Keeps only scheme, host and port: providers put API keys in the query string, in userinfo, and
// in the path (Alchemy's /v2/KEY), and these messages end up in logs.
std::string redact_url(const std::string& url) {
  size_t scheme_end = url.find("://");
  size_t host_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  size_t host_end = url.find_first_of("/?#", host_start);
  std::string authority =
      url.substr(host_start, host_end == std::string::npos ? std::string::npos : host_end - host_start);
  size_t at = authority.rfind('@');
  if (at != std::string::npos) authority.erase(0, at + 1);
  return url.substr(0, host_start) + authority;
}

bool transport_retryable(net::TransportError::Failure failure) {
  using Failure = net::TransportError::Failure;
  return failure == Failure::kConnect || failure == Failure::kTimeout || failure == Failure::kDropped ||
         failure == Failure::kOther;
}

}  // namespace

RpcClient::RpcClient(const net::HttpClient& http, std::string url, RpcOptions options)
    : http_(http), url_(std::move(url)), safe_url_(redact_url(url_)), options_(options) {}

JsonValue RpcClient::call(const std::string& method, const JsonValue& params, std::stop_token stop) {
  const int attempts = std::max(1, options_.max_attempts);
  std::chrono::milliseconds backoff = options_.retry_backoff;
  for (int attempt = 1;; ++attempt) {
    if (stop.stop_requested()) throw RpcAborted(method + " at " + safe_url_ + ": aborted (shutting down)");
    try {
      return call_once(method, params, stop);
    } catch (const net::TransportError& e) {
      using Failure = net::TransportError::Failure;
      if (e.failure() == Failure::kAborted) throw RpcAborted(method + " at " + safe_url_ + ": aborted (shutting down)");
      if (e.failure() == Failure::kTooLarge) {
        throw errors::PermanentError(method + " at " + safe_url_ + ": answer larger than " +
                                     std::to_string(options_.max_response_bytes) +
                                     " bytes; ask for less (e.g. a narrower block range)");
      }
      if (!transport_retryable(e.failure()) || attempt >= attempts) {
        // The transport's message starts with the URL up to the query string, which can still
        // hold a key in its path; keep only the reason after it.
        std::string reason = e.what();
        const std::string prefix = "POST " + url_.substr(0, url_.find('?')) + ": ";
        if (reason.starts_with(prefix)) reason.erase(0, prefix.size());
        throw NodeUnreachable(method + " at " + safe_url_ + ": node unreachable after " + std::to_string(attempt) +
                              (attempt == 1 ? " attempt" : " attempts") + " (last: " + reason + ")");
      }
    }
    if (!http_.clock().sleep_for(backoff, stop)) {
      throw RpcAborted(method + " at " + safe_url_ + ": aborted (shutting down)");
    }
    backoff *= 2;
  }
}

JsonValue RpcClient::call_once(const std::string& method, const JsonValue& params, std::stop_token stop) {
  const uint64_t id = next_id_.fetch_add(1, std::memory_order_relaxed);
  net::HttpRequest request;
  request.method = "POST";
  request.url = url_;
  request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  request.body = JsonValue{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}}.dump();
  request.timeout = options_.timeout;
  request.max_response_bytes = options_.max_response_bytes;
  net::HttpResponse response = http_.send(request, stop);

  RpcAnswer answer{response.status, std::move(response.body), std::nullopt};
  if (const std::string* value = response.header("retry-after")) {
    answer.retry_after = net::parse_retry_after(*value, http_.clock().now());
  }
  return read_rpc_answer(method, method + " at " + safe_url_, id, answer, options_.max_response_bytes);
}

}  // namespace glisk::chain
