#include "chain/fee_history.hpp"

#include "json_input/json_input.hpp"

namespace glisk::chain {
namespace {

eth::U256 wei_of(const JsonValue& value, const char* what) {
  if (!value.is_string()) throw MalformedResponse(std::string("eth_feeHistory: ") + what + " is not a hex quantity");
  try {
    return eth::U256::from_hex(value.get<std::string>());
  } catch (const eth::InvalidNumber&) {
    throw MalformedResponse(std::string("eth_feeHistory: ") + what +
                            " is not a hex quantity: " + json_input::excerpt(value));
  }
}

}  // namespace

FeeHistory decode_fee_history(const JsonValue& answer) {
  if (!answer.is_object() || !answer.contains("baseFeePerGas") || !answer["baseFeePerGas"].is_array() ||
      answer["baseFeePerGas"].empty()) {
    throw MalformedResponse("eth_feeHistory: no baseFeePerGas array (does the chain support EIP-1559?)");
  }
  FeeHistory history;
  for (const auto& fee : answer["baseFeePerGas"]) history.base_fee_per_gas.push_back(wei_of(fee, "baseFeePerGas"));
  if (answer.contains("gasUsedRatio") && answer["gasUsedRatio"].is_array()) {
    for (const auto& ratio : answer["gasUsedRatio"]) {
      history.gas_used_ratio.push_back(ratio.is_number() ? std::optional<double>(ratio.get<double>()) : std::nullopt);
    }
  }
  if (answer.contains("reward") && answer["reward"].is_array()) {
    for (const auto& block : answer["reward"]) {
      if (!block.is_array() || block.empty()) throw MalformedResponse("eth_feeHistory: reward entry is not a list");
      std::vector<eth::U256> rewards;
      for (const auto& reward : block) rewards.push_back(wei_of(reward, "reward"));
      history.reward.push_back(std::move(rewards));
    }
  }
  return history;
}

FeeHistory fetch_fee_history(EthRpc& rpc, uint64_t block_count, const std::string& newest_block,
                             const std::vector<double>& reward_percentiles, std::stop_token stop) {
  return decode_fee_history(rpc.fee_history(block_count, newest_block, reward_percentiles, stop));
}

}  // namespace glisk::chain
