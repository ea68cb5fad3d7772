#pragma once
// The Ethereum JSON-RPC 2.0 client over HTTP (net::HttpClient): one request per call, each with
// its own id and a per-attempt timeout. How it fails, so callers can decide from the type alone:
//   RpcError            – the node answered with a JSON-RPC error object; code, message and data
//                         are kept as sent (data carries a revert's ABI-encoded reason).
//   NodeUnreachable     – (a TransientError) the node could not be reached: connection refused,
//                         timeouts and dropped connections, each retried a few times with a short
//                         backoff first.
//   errors::TransientError – the node answered garbage or was busy: HTTP 429/5xx carry
//                         Retry-After when the node sent it.
//   RpcAborted          – the stop token fired (shutdown); a TransientError, so the work is retried
//                         by whoever runs next.
//   MalformedResponse   – not JSON, a wrong id, a result of the wrong shape, an unexpected status
//                         such as 404.
//   errors::PermanentError – the endpoint refused access (HTTP 401/403: RPC_URL or its key is
//                         wrong), or the answer exceeded max_response_bytes (ask for less).
// Retrying is safe for every method used here: a resent raw transaction is the same transaction,
// which the node answers with "already known" or its hash.
// Thread-safe: calls share nothing but an atomic id counter.

#include <atomic>
#include <chrono>

#include "chain/eth_rpc.hpp"
#include "net/http_client.hpp"

namespace glisk::chain {

class RpcAborted : public errors::TransientError {
 public:
  using errors::TransientError::TransientError;
};

struct RpcOptions {
  std::chrono::milliseconds timeout{10'000};     // per attempt
  int max_attempts = 3;                          // for transport failures
  std::chrono::milliseconds retry_backoff{200};  // before the 2nd attempt; doubles after
  size_t max_response_bytes = 32u << 20;         // eth_getLogs answers can be large
};

class RpcClient : public EthRpc {
 public:
  // `url` is the node's HTTP endpoint (it may carry an API key; errors show only its scheme, host
  // and port). `http` must outlive the client.
  RpcClient(const net::HttpClient& http, std::string url, RpcOptions options = {});

  // Sends {"jsonrpc":"2.0","id":n,"method":method,"params":params} and returns "result", which may
  // be null. Throws as described at the top.
  JsonValue call(const std::string& method, const JsonValue& params, std::stop_token stop = {}) override;
  std::string describe() const override { return safe_url_; }

  const std::string& url() const { return url_; }

 private:
  JsonValue call_once(const std::string& method, const JsonValue& params, std::stop_token stop);

  const net::HttpClient& http_;
  std::string url_;
  std::string safe_url_;  // for messages: scheme, host and port only
  RpcOptions options_;
  std::atomic<uint64_t> next_id_{1};
};

}  // namespace glisk::chain
