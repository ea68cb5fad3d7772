#include "chain/rpc_client.hpp"

#include "clock/sleep.hpp"

namespace glisk::chain {
namespace {

// Keeps only scheme, host and port: providers put API keys in the query string, in userinfo, and
// in the path (Alchemy's /v2/KEY), and these messages end up in logs.
std::string redact_url(const std::string& url) {
  size_t scheme_end = url.find("://");
  size_t host_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  size_t host_end = url.find_first_of("/?#", host_start);
  std::string authority = url.substr(host_start, host_end == std::string::npos ? std::string::npos : host_end - host_start);
  size_t at = authority.rfind('@');
  if (at != std::string::npos) authority.erase(0, at + 1);
  return url.substr(0, host_start) + authority;
}

std::string data_as_string(const JsonValue& error) {
  auto it = error.find("data");
  if (it == error.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

bool transport_retryable(net::TransportError::Kind kind) {
  using Kind = net::TransportError::Kind;
  return kind == Kind::kConnect || kind == Kind::kTimeout || kind == Kind::kDropped || kind == Kind::kOther;
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
      using Kind = net::TransportError::Kind;
      if (e.kind() == Kind::kAborted) throw RpcAborted(method + " at " + safe_url_ + ": aborted (shutting down)");
      if (e.kind() == Kind::kTooLarge) {
        throw errors::PermanentError(method + " at " + safe_url_ + ": answer larger than " +
                                     std::to_string(options_.max_response_bytes) +
                                     " bytes; ask for less (e.g. a narrower block range)");
      }
      if (!transport_retryable(e.kind()) || attempt >= attempts) {
        // The transport's message starts with the URL up to the query string, which can still
        // hold a key in its path; keep only the reason after it.
        std::string reason = e.what();
        const std::string prefix = "POST " + url_.substr(0, url_.find('?')) + ": ";
        if (reason.starts_with(prefix)) reason.erase(0, prefix.size());
        throw NodeUnreachable(method + " at " + safe_url_ + ": node unreachable after " +
                                     std::to_string(attempt) + (attempt == 1 ? " attempt" : " attempts") +
                                     " (last: " + reason + ")");
      }
    }
    if (!clock::sleep_unless_stopped(backoff, stop)) {
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

  const std::string where = method + " at " + safe_url_;
  JsonValue body = JsonValue::parse(response.body, nullptr, /*allow_exceptions=*/false);
  // Some nodes send a JSON-RPC error with a 4xx/5xx status; the error object says more than the
  // status, so it wins whenever there is one.
  const bool has_error = body.is_object() && body.contains("error") && !body["error"].is_null();
  if (!has_error && (response.status < 200 || response.status >= 300)) {
    const std::string status = "HTTP " + std::to_string(response.status);
    if (response.status == 401 || response.status == 403) {
      throw errors::PermanentError(where + ": " + status + ": access refused; check RPC_URL and its API key");
    }
    if (response.status == 429 || response.status >= 500) {
      std::optional<std::chrono::milliseconds> retry_after;
      if (const std::string* value = response.header("retry-after")) {
        retry_after = net::parse_retry_after(*value, std::chrono::system_clock::now());
      }
      throw errors::TransientError(where + ": " + status + " (node busy or down)", retry_after);
    }
    throw MalformedResponse(where + ": " + status + " instead of a JSON-RPC answer; is RPC_URL a JSON-RPC endpoint?");
  }
  if (!body.is_object()) {
    std::string start = response.body.substr(0, 80);
    throw MalformedResponse(where + ": answer is not a JSON object: \"" + start + "\"");
  }
  auto id_it = body.find("id");
  if (id_it == body.end() || !id_it->is_number_unsigned() || id_it->get<uint64_t>() != id) {
    throw MalformedResponse(where + ": answer has id " + (id_it == body.end() ? "none" : id_it->dump()) +
                            ", expected " + std::to_string(id));
  }
  if (has_error) {
    const JsonValue& error = body["error"];
    if (!error.is_object() || !error.contains("code") || !error["code"].is_number_integer() ||
        !error.contains("message") || !error["message"].is_string()) {
      throw MalformedResponse(where + ": error member without an integer code and a message: " + error.dump());
    }
    throw RpcError(method, error["code"].get<int64_t>(), error["message"].get<std::string>(), data_as_string(error));
  }
  auto result = body.find("result");
  if (result == body.end()) throw MalformedResponse(where + ": answer has neither result nor error");
  return std::move(*result);
}

}  // namespace glisk::chain
