#pragma once
// A block's header, decoded once at the chain's edge (eth_getBlockByNumber without its
// transactions): number, hash, parent, time, gas limit and base fee as typed fields. Every field
// read is checked; a garbled one is a MalformedResponse naming it (transient: usually a proxy in
// front of the node).

#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>

#include "chain/eth_rpc.hpp"
#include "eth/uint256.hpp"

namespace glisk::chain {

struct BlockHeader {
  int64_t number = 0;
  std::string hash;         // lowercase 0x-hex
  std::string parent_hash;  // lowercase 0x-hex
  int64_t timestamp = 0;    // seconds since the epoch
  int64_t gas_limit = 0;
  std::optional<eth::U256> base_fee_per_gas;  // absent before EIP-1559
};

// Throws MalformedResponse naming the field.
BlockHeader decode_block_header(const JsonValue& block);

// `block` is a tag ("latest", "finalized", …) or a quantity (to_quantity(n)); nullopt when the
// node does not have it (yet).
std::optional<BlockHeader> fetch_block_header(EthRpc& rpc, const std::string& block, std::stop_token stop = {});

}  // namespace glisk::chain
