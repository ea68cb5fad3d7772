#pragma once
// An eth_feeHistory answer, decoded once at the chain's edge: the base fees (one per block asked
// for, then the next block's), each block's gas-used ratio and its rewards at the percentiles
// asked for. Every entry is checked; the wrong shape is a MalformedResponse (transient) that says
// which part, so the fee strategy works on numbers only.

#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "chain/eth_rpc.hpp"
#include "eth/uint256.hpp"

namespace glisk::chain {

struct FeeHistory {
  std::vector<eth::U256> base_fee_per_gas;            // never empty: the last is the next block's base fee
  std::vector<std::optional<double>> gas_used_ratio;  // per block; nullopt where the node sent none
  std::vector<std::vector<eth::U256>> reward;         // per block, per percentile (never empty per block)
};

FeeHistory decode_fee_history(const JsonValue& answer);

FeeHistory fetch_fee_history(EthRpc& rpc, uint64_t block_count, const std::string& newest_block,
                             const std::vector<double>& reward_percentiles, std::stop_token stop = {});

}  // namespace glisk::chain
