#pragma once
// An Ethereum JSON-RPC 2.0 client over HTTP (net::HttpClient): one request per call, each with its
// own id and a per-attempt timeout. How it fails, so callers can decide from the type alone:
//   RpcError            – the node answered with a JSON-RPC error object (a revert, a bad nonce, an
//                         unknown method, a rate limit); code, message and data are kept as sent.
//                         data is a string because a revert carries its ABI-encoded reason there.
//   errors::TransientError – the node could not be reached or answered garbage: connection
//                         refused, timeouts and dropped connections are retried a few times with a
//                         short backoff first; HTTP 429/5xx carry Retry-After when the node sent it.
//   RpcAborted          – the stop token fired (shutdown); a TransientError, so the work is retried
//                         by whoever runs next.
//   MalformedResponse   – an answer that is not a JSON-RPC response to this request (not JSON, a
//                         wrong id, a result of the wrong shape, an unexpected status such as 404);
//                         transient, because it usually comes from a proxy in front of the node.
//   errors::PermanentError – the endpoint refused access (HTTP 401/403: RPC_URL or its key is
//                         wrong), or the answer exceeded max_response_bytes (ask for less).
// Retrying is safe for every method used here: a resent raw transaction is the same transaction,
// which the node answers with "already known" or its hash.
// Quantities that fit (chain id, block numbers, nonces, gas) are uint64_t; 256-bit values (wei
// balances) stay 0x-hex strings. Thread-safe: calls share nothing but an atomic id counter.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "errors/errors.hpp"
#include "net/http_client.hpp"

namespace glisk::chain {

using JsonValue = nlohmann::json;

class RpcError : public std::runtime_error {
 public:
  RpcError(const std::string& method, int64_t code, std::string message, std::string data);
  int64_t code() const { return code_; }
  const std::string& message() const { return message_; }
  // The error's data member: as sent when it is a string (revert data is 0x-hex), else its JSON
  // text; empty when the node sent none.
  const std::string& data() const { return data_; }

 private:
  int64_t code_;
  std::string message_;
  std::string data_;
};

class MalformedResponse : public errors::TransientError {
 public:
  using errors::TransientError::TransientError;
};

class RpcAborted : public errors::TransientError {
 public:
  using errors::TransientError::TransientError;
};

struct RpcOptions {
  std::chrono::milliseconds timeout{10'000};          // per attempt
  int max_attempts = 3;                               // for transport failures
  std::chrono::milliseconds retry_backoff{200};       // before the 2nd attempt; doubles after
  size_t max_response_bytes = 32u << 20;              // eth_getLogs answers can be large
};

// "0x" followed by lowercase hex without leading zeros, as JSON-RPC quantities are written.
std::string to_quantity(uint64_t value);
// Parses a JSON-RPC quantity; throws std::invalid_argument unless it is 0x-hex fitting 64 bits.
uint64_t parse_quantity(std::string_view hex);

class RpcClient {
 public:
  // `url` is the node's HTTP endpoint (it may carry an API key; errors show only its scheme, host
  // and port). `http` must outlive the client.
  RpcClient(const net::HttpClient& http, std::string url, RpcOptions options = {});

  // Sends {"jsonrpc":"2.0","id":n,"method":method,"params":params} and returns "result", which may
  // be null. Throws as described at the top.
  JsonValue call(const std::string& method, const JsonValue& params, std::stop_token stop = {});

  uint64_t chain_id(std::stop_token stop = {});
  uint64_t block_number(std::stop_token stop = {});
  // Wei, as a 0x-hex quantity.
  std::string get_balance(const std::string& address, const std::string& block = "latest", std::stop_token stop = {});
  uint64_t get_transaction_count(const std::string& address, const std::string& block = "pending",
                                 std::stop_token stop = {});
  // eth_call of `data` against contract `to`; returns the returned bytes as 0x-hex. (Not named
  // call: call("eth_x", "...") would be ambiguous with the generic call above.)
  std::string eth_call(const std::string& to, const std::string& data, const std::string& block = "latest",
                       std::stop_token stop = {});
  // Returns the transaction hash.
  std::string send_raw_transaction(const std::string& signed_tx_hex, std::stop_token stop = {});
  // nullopt while the transaction is pending or unknown.
  std::optional<JsonValue> get_transaction_receipt(const std::string& tx_hash, std::stop_token stop = {});
  std::optional<JsonValue> get_transaction_by_hash(const std::string& tx_hash, std::stop_token stop = {});
  // `tx` is a call object ({"from","to","data","value",...}).
  uint64_t estimate_gas(const JsonValue& tx, std::stop_token stop = {});
  // The node's eth_feeHistory object (baseFeePerGas, gasUsedRatio, oldestBlock, reward).
  JsonValue fee_history(uint64_t block_count, const std::string& newest_block = "latest",
                        const std::vector<double>& reward_percentiles = {}, std::stop_token stop = {});
  // `filter` is an eth_getLogs filter object; returns the array of logs.
  JsonValue get_logs(const JsonValue& filter, std::stop_token stop = {});
  // `block` is a tag ("latest", "finalized", …) or a quantity (to_quantity(n)); nullopt when the
  // node does not have it yet.
  std::optional<JsonValue> get_block_by_number(const std::string& block, bool full_transactions = false,
                                               std::stop_token stop = {});

  const std::string& url() const { return url_; }

 private:
  JsonValue call_once(const std::string& method, const JsonValue& params, std::stop_token stop);
  std::string string_result(const std::string& method, const JsonValue& result) const;
  uint64_t quantity_result(const std::string& method, const JsonValue& result) const;

  const net::HttpClient& http_;
  std::string url_;
  std::string safe_url_;  // for messages: scheme, host and port only
  RpcOptions options_;
  std::atomic<uint64_t> next_id_{1};
};

}  // namespace glisk::chain
