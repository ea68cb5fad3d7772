#include "chain/receipt.hpp"

#include "chain/detail/json_fields.hpp"
#include "json_input/json_input.hpp"

namespace glisk::chain {
namespace {

using detail::optional_field;

std::string text(const JsonValue& object, const char* name) {
  const auto* value = optional_field(object, name);
  if (value == nullptr || !value->is_string()) {
    throw MalformedResponse(std::string("receipt without ") + name + ": " + json_input::excerpt(object, 200));
  }
  return value->get<std::string>();
}

uint64_t quantity(const JsonValue& object, const char* name) {
  const std::string value = text(object, name);
  try {
    return parse_quantity(value);
  } catch (const std::invalid_argument& e) {
    throw MalformedResponse(std::string("receipt field ") + name + ": " + e.what());
  }
}

}  // namespace

Receipt decode_receipt(const JsonValue& receipt) {
  if (!receipt.is_object())
    throw MalformedResponse("a receipt that is not an object: " + json_input::excerpt(receipt, 200));
  Receipt r;
  r.block_number = quantity(receipt, "blockNumber");
  r.block_hash = text(receipt, "blockHash");
  r.gas_used = quantity(receipt, "gasUsed");
  if (optional_field(receipt, "effectiveGasPrice") != nullptr) {
    const std::string price = text(receipt, "effectiveGasPrice");
    try {
      r.effective_gas_price = eth::U256::from_hex(price);
    } catch (const std::exception& e) {
      throw MalformedResponse(std::string("receipt field effectiveGasPrice: ") + e.what());
    }
  }
  const std::string status = text(receipt, "status");
  if (status != "0x1" && status != "0x0") {
    throw MalformedResponse("receipt status '" + status.substr(0, 40) + "' is neither 0x1 nor 0x0");
  }
  r.succeeded = status == "0x1";
  if (const auto* address = optional_field(receipt, "contractAddress"); address != nullptr && address->is_string()) {
    r.contract_address = address->get<std::string>();
  }
  return r;
}

std::optional<Receipt> fetch_receipt(EthRpc& rpc, const std::string& tx_hash, std::stop_token stop) {
  auto raw = rpc.get_transaction_receipt(tx_hash, stop);
  if (!raw) return std::nullopt;
  return decode_receipt(*raw);
}

}  // namespace glisk::chain
