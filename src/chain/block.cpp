#include "chain/block.hpp"

#include "chain/detail/json_fields.hpp"

namespace glisk::chain {

BlockHeader decode_block_header(const JsonValue& block) {
  const std::string what = "block";
  detail::require_object(block, "a block");
  BlockHeader header;
  header.number = detail::int64_quantity_field(block, "number", what);
  header.hash = detail::hash32_field(block, "hash", what);
  header.parent_hash = detail::hash32_field(block, "parentHash", what);
  header.timestamp = detail::int64_quantity_field(block, "timestamp", what);
  header.gas_limit = detail::int64_quantity_field(block, "gasLimit", what);
  if (detail::optional_field(block, "baseFeePerGas") != nullptr) {
    const std::string fee = detail::text_field(block, "baseFeePerGas", what);
    try {
      header.base_fee_per_gas = eth::U256::from_hex(fee);
    } catch (const std::exception& e) {
      throw MalformedResponse(std::string("block field baseFeePerGas: ") + e.what());
    }
  }
  return header;
}

std::optional<BlockHeader> fetch_block_header(EthRpc& rpc, const std::string& block, std::stop_token stop) {
  auto raw = rpc.get_block_by_number(block, false, stop);
  if (!raw) return std::nullopt;
  try {
    return decode_block_header(*raw);
  } catch (const MalformedResponse& e) {
    throw MalformedResponse("eth_getBlockByNumber(" + block.substr(0, 80) + ") at " + rpc.describe() + ": " + e.what());
  }
}

}  // namespace glisk::chain
