#pragma once
// EIP-1559 fees for reveal transactions, from the node's own fee market (eth_feeHistory):
//   tip      = the median, over the recent blocks that had transactions, of the reward percentile
//              asked for (KEEPER_GAS_STRATEGY: slow 30th, medium 50th, fast 85th); the node's
//              eth_maxPriorityFeePerGas when no recent block had any;
//   max fee  = 2 × the next block's base fee + tip: room for six full blocks of base-fee growth
//              (12.5% each) before the transaction stops being includable;
//   cap      = REVEAL_MAX_GAS_PRICE_GWEI: when next base fee + tip is above it the batch waits;
//              otherwise max fee is clipped to it, so a reveal never pays more per gas.
// A stuck transaction is replaced at the same nonce with both fees raised by 12.5% (nodes refuse
// a replacement below +10%), and at least to what the market asks now — never beyond the cap;
// when the cap leaves no room for a valid replacement, there is none (the old one keeps waiting).
// Wei amounts are U256 at the edges; the arithmetic is done in 128 bits on values below 2^64 wei
// per gas (18 ether per gas: no real chain comes near), and a node claiming more is refused as
// malformed. Pure functions, thread-safe.

#include <optional>
#include <string>
#include <vector>

#include "chain/eth_rpc.hpp"
#include "chain/fee_history.hpp"
#include "eth/transaction.hpp"
#include "eth/uint256.hpp"

namespace glisk::reveal {

using Fees = eth::Fees;

struct FeeQuote {
  eth::U256 next_base_fee;
  eth::U256 tip;
  Fees fees;               // what to offer (max fee already clipped to the cap)
  bool above_cap = false;  // next base fee + tip exceeds the cap: wait
};

// How many recent blocks the quote looks at.
inline constexpr uint64_t kFeeHistoryBlocks = 10;

// Builds the quote from an eth_feeHistory answer asked for kFeeHistoryBlocks blocks with the
// one tip percentile. `suggested_tip` (eth_maxPriorityFeePerGas) is used when no recent
// block had transactions. `cap` is wei per gas. Throws chain::MalformedResponse on fees beyond
// any real chain.
FeeQuote quote_fees(const chain::FeeHistory& fee_history, const std::optional<eth::U256>& suggested_tip,
                    const std::optional<eth::U256>& cap);
// The same from the node's JSON answer (decoded by chain::decode_fee_history: MalformedResponse
// on the wrong shape).
FeeQuote quote_fees(const chain::JsonValue& fee_history, const std::optional<eth::U256>& suggested_tip,
                    const std::optional<eth::U256>& cap);

// Asks `rpc` (eth_feeHistory, and eth_maxPriorityFeePerGas only when needed) and quotes.
FeeQuote current_fees(chain::EthRpc& rpc, double tip_percentile, const std::optional<eth::U256>& cap,
                      std::stop_token stop = {});

// The fees of a replacement for a transaction sent with `previous`, given the market `now`;
// nullopt when the cap leaves no room for one.
std::optional<Fees> replacement_fees(const Fees& previous, const FeeQuote& now, const std::optional<eth::U256>& cap);

// REVEAL_MAX_GAS_PRICE_GWEI in wei; nullopt for 0 (no cap).
std::optional<eth::U256> gwei_to_wei(double gwei);

// For logs: wei per gas as gwei with up to 9 decimals ("1.5", "0.000000007").
std::string format_gwei(const eth::U256& wei);

}  // namespace glisk::reveal
