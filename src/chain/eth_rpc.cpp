#include "chain/eth_rpc.hpp"

#include <charconv>

#include "json_input/json_input.hpp"

namespace glisk::chain {

// The node chooses the message and the data: what() shows at most a few hundred bytes of each
// (the whole data stays in data(), for decoding a revert).
RpcError::RpcError(const std::string& method, int64_t code, std::string message, std::string data)
    : errors::Error(errors::Kind::kTransient,
                    method + ": node answered error " + std::to_string(code) + ": " + message.substr(0, 500) +
                        (data.empty() ? "" : " (data " + data.substr(0, 500) + (data.size() > 500 ? "…" : "") + ")")),
      code_(code),
      message_(std::move(message)),
      data_(std::move(data)) {}

std::string to_quantity(uint64_t value) {
  char buf[16];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, 16);
  return "0x" + std::string(buf, end);
}

uint64_t parse_quantity(std::string_view hex) {
  if (hex.size() < 3 || hex.size() > 18 || hex[0] != '0' || (hex[1] != 'x' && hex[1] != 'X')) {
    throw std::invalid_argument("not a 0x-hex quantity of at most 64 bits: \"" + std::string(hex) + "\"");
  }
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(hex.data() + 2, hex.data() + hex.size(), value, 16);
  if (ec != std::errc{} || end != hex.data() + hex.size()) {
    throw std::invalid_argument("not a 0x-hex quantity of at most 64 bits: \"" + std::string(hex) + "\"");
  }
  return value;
}

std::string EthRpc::string_result(const std::string& method, const JsonValue& result) {
  if (!result.is_string())
    throw MalformedResponse(method + " at " + describe() + ": expected a string result, got " +
                            json_input::excerpt(result));
  return result.get<std::string>();
}

uint64_t EthRpc::quantity_result(const std::string& method, const JsonValue& result) {
  try {
    return parse_quantity(string_result(method, result));
  } catch (const std::invalid_argument& e) {
    throw MalformedResponse(method + " at " + describe() + ": " + e.what());
  }
}

uint64_t EthRpc::chain_id(std::stop_token stop) {
  return quantity_result("eth_chainId", call("eth_chainId", JsonValue::array(), stop));
}

uint64_t EthRpc::block_number(std::stop_token stop) {
  return quantity_result("eth_blockNumber", call("eth_blockNumber", JsonValue::array(), stop));
}

std::string EthRpc::get_balance(const std::string& address, const std::string& block, std::stop_token stop) {
  return string_result("eth_getBalance", call("eth_getBalance", JsonValue::array({address, block}), stop));
}

uint64_t EthRpc::get_transaction_count(const std::string& address, const std::string& block, std::stop_token stop) {
  return quantity_result("eth_getTransactionCount",
                         call("eth_getTransactionCount", JsonValue::array({address, block}), stop));
}

std::string EthRpc::eth_call(const std::string& to, const std::string& data, const std::string& block,
                             std::stop_token stop) {
  JsonValue tx{{"to", to}, {"data", data}};
  return string_result("eth_call", call("eth_call", JsonValue::array({tx, block}), stop));
}

std::string EthRpc::eth_call_from(const std::string& from, const std::string& to, const std::string& data,
                                  const std::string& block, std::stop_token stop) {
  JsonValue tx{{"from", from}, {"to", to}, {"data", data}};
  return string_result("eth_call", call("eth_call", JsonValue::array({tx, block}), stop));
}

std::string EthRpc::get_code(const std::string& address, const std::string& block, std::stop_token stop) {
  return string_result("eth_getCode", call("eth_getCode", JsonValue::array({address, block}), stop));
}

std::string EthRpc::max_priority_fee_per_gas(std::stop_token stop) {
  return string_result("eth_maxPriorityFeePerGas", call("eth_maxPriorityFeePerGas", JsonValue::array(), stop));
}

std::string EthRpc::send_raw_transaction(const std::string& signed_tx_hex, std::stop_token stop) {
  return string_result("eth_sendRawTransaction",
                       call("eth_sendRawTransaction", JsonValue::array({signed_tx_hex}), stop));
}

std::optional<JsonValue> EthRpc::get_transaction_receipt(const std::string& tx_hash, std::stop_token stop) {
  JsonValue result = call("eth_getTransactionReceipt", JsonValue::array({tx_hash}), stop);
  if (result.is_null()) return std::nullopt;
  return result;
}

std::optional<JsonValue> EthRpc::get_transaction_by_hash(const std::string& tx_hash, std::stop_token stop) {
  JsonValue result = call("eth_getTransactionByHash", JsonValue::array({tx_hash}), stop);
  if (result.is_null()) return std::nullopt;
  return result;
}

uint64_t EthRpc::estimate_gas(const JsonValue& tx, std::stop_token stop) {
  return quantity_result("eth_estimateGas", call("eth_estimateGas", JsonValue::array({tx}), stop));
}

JsonValue EthRpc::fee_history(uint64_t block_count, const std::string& newest_block,
                              const std::vector<double>& reward_percentiles, std::stop_token stop) {
  JsonValue result =
      call("eth_feeHistory", JsonValue::array({to_quantity(block_count), newest_block, reward_percentiles}), stop);
  if (!result.is_object())
    throw MalformedResponse("eth_feeHistory at " + describe() + ": expected an object, got " +
                            json_input::excerpt(result));
  return result;
}

JsonValue EthRpc::get_logs(const JsonValue& filter, std::stop_token stop) {
  JsonValue result = call("eth_getLogs", JsonValue::array({filter}), stop);
  if (!result.is_array())
    throw MalformedResponse("eth_getLogs at " + describe() + ": expected an array, got " + json_input::excerpt(result));
  return result;
}

std::optional<JsonValue> EthRpc::get_block_by_number(const std::string& block, bool full_transactions,
                                                     std::stop_token stop) {
  JsonValue result = call("eth_getBlockByNumber", JsonValue::array({block, full_transactions}), stop);
  if (result.is_null()) return std::nullopt;
  return result;
}

}  // namespace glisk::chain
