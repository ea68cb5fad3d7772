#pragma once
// The Ethereum JSON-RPC seam: what glisk asks a node, as one virtual call() plus typed helpers
// built on it. RpcClient (chain/rpc_client.hpp) is the real implementation over HTTP; tests wrap
// it to inject faults (a node that goes away and comes back) without touching the callers.
// The helpers turn answers of the wrong shape into MalformedResponse; see rpc_client.hpp for how
// calls fail. Quantities that fit (chain id, block numbers, nonces, gas) are uint64_t; 256-bit
// values (wei) stay 0x-hex strings. Implementations must be thread-safe.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "errors/errors.hpp"

namespace glisk::chain {

using JsonValue = nlohmann::json;

// The node answered with a JSON-RPC error object (a revert, a bad nonce, an unknown method, a
// rate limit); code, message and data are kept as sent. Transient by kind (callers that know
// better — a revert names its token — read the code and the data).
class RpcError : public errors::Error {
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

// An answer that is not a JSON-RPC response to the request, or a result of the wrong shape;
// transient, because it usually comes from a proxy in front of the node.
class MalformedResponse : public errors::TransientError {
 public:
  using errors::TransientError::TransientError;
};

// The node could not be reached at all (refused, timed out, dropped), after the client's own
// retries; transient. Its own class so that one component can report the outage
// (chain/monitored_rpc.hpp) and the others need not repeat it.
class NodeUnreachable : public errors::TransientError {
 public:
  using errors::TransientError::TransientError;
};

// "0x" followed by lowercase hex without leading zeros, as JSON-RPC quantities are written.
std::string to_quantity(uint64_t value);
// Parses a JSON-RPC quantity; throws std::invalid_argument unless it is 0x-hex fitting 64 bits.
uint64_t parse_quantity(std::string_view hex);

class EthRpc {
 public:
  virtual ~EthRpc() = default;

  // Sends one JSON-RPC request and returns "result", which may be null. Throws RpcError,
  // errors::TransientError (unreachable, busy, malformed, aborted) or errors::PermanentError.
  virtual JsonValue call(const std::string& method, const JsonValue& params, std::stop_token stop = {}) = 0;
  // Where calls go, safe to log (no API key).
  virtual std::string describe() const = 0;

  uint64_t chain_id(std::stop_token stop = {});
  uint64_t block_number(std::stop_token stop = {});
  // Wei, as a 0x-hex quantity.
  std::string get_balance(const std::string& address, const std::string& block = "latest", std::stop_token stop = {});
  uint64_t get_transaction_count(const std::string& address, const std::string& block = "pending",
                                 std::stop_token stop = {});
  // eth_call of `data` against contract `to`, optionally as sent by `from` (access checks use
  // msg.sender); returns the returned bytes as 0x-hex.
  std::string eth_call(const std::string& to, const std::string& data, const std::string& block = "latest",
                       std::stop_token stop = {});
  std::string eth_call_from(const std::string& from, const std::string& to, const std::string& data,
                            const std::string& block = "latest", std::stop_token stop = {});
  // eth_getCode: the contract's runtime bytecode at `block` as 0x-hex ("0x" where no contract is).
  // Old blocks need a node that keeps their state (an archive node); others answer RpcError.
  std::string get_code(const std::string& address, const std::string& block = "latest", std::stop_token stop = {});
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
  // eth_maxPriorityFeePerGas: the node's suggested tip, in wei as 0x-hex.
  std::string max_priority_fee_per_gas(std::stop_token stop = {});
  // `filter` is an eth_getLogs filter object; returns the array of logs.
  JsonValue get_logs(const JsonValue& filter, std::stop_token stop = {});
  // `block` is a tag ("latest", "finalized", …) or a quantity (to_quantity(n)); nullopt when the
  // node does not have it yet.
  std::optional<JsonValue> get_block_by_number(const std::string& block, bool full_transactions = false,
                                               std::stop_token stop = {});

 private:
  std::string string_result(const std::string& method, const JsonValue& result);
  uint64_t quantity_result(const std::string& method, const JsonValue& result);
};

}  // namespace glisk::chain
