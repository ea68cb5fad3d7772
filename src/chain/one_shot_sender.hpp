#pragma once
// Sends one transaction and waits for its receipt: for operator commands (`glisk chain deploy`,
// setting a keeper), where a person watches and retries. The keeper's reveals do NOT use this:
// they need the journal, replacement and crash recovery of reveal/keeper.hpp.
// Fees: 2 × next base fee + the node's suggested tip; gas: eth_estimateGas × 1.2.
// Throws RpcError (a revert or refusal, with the node's message), errors::TransientError (node
// unreachable, no receipt within `timeout`) or std::runtime_error (mined but reverted).

#include <chrono>
#include <optional>
#include <stop_token>

#include "chain/eth_rpc.hpp"
#include "eth/address.hpp"
#include "eth/signer.hpp"
#include "eth/uint256.hpp"

namespace glisk::chain {

struct OneShotTransaction {
  std::optional<eth::Address> to;  // nullopt: contract creation
  eth::Bytes data;
  eth::U256 value;
};

// Returns the receipt (status 1).
JsonValue send_and_wait(EthRpc& rpc, const eth::PrivateKey& key, const OneShotTransaction& transaction,
                        std::chrono::milliseconds timeout = std::chrono::minutes(3), std::stop_token stop = {});

}  // namespace glisk::chain
