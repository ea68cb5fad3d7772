#pragma once
// A transaction receipt, decoded once at the chain's edge (eth_getTransactionReceipt): callers get
// typed fields, never the node's JSON. Every field the keeper acts on is checked: a receipt
// without a block number, with a status that is neither 0x1 nor 0x0, or with a quantity that is
// not one is a MalformedResponse (transient: usually a proxy in front of the node), never read as
// "reverted" — a reveal is not failed because an answer was garbled.

#include <cstdint>
#include <optional>
#include <string>

#include "chain/eth_rpc.hpp"
#include "eth/uint256.hpp"

namespace glisk::chain {

struct Receipt {
  uint64_t block_number = 0;
  std::string block_hash;  // as sent (0x-hex)
  uint64_t gas_used = 0;
  eth::U256 effective_gas_price;                // 0 when the node does not say (before EIP-1559)
  bool succeeded = false;                       // status 0x1; false: 0x0, reverted
  std::optional<std::string> contract_address;  // set by a deployment
};

// Throws MalformedResponse naming the field.
Receipt decode_receipt(const JsonValue& receipt);

// nullopt while the transaction is pending or unknown.
std::optional<Receipt> fetch_receipt(EthRpc& rpc, const std::string& tx_hash, std::stop_token stop = {});

}  // namespace glisk::chain
