#include "reveal/fees.hpp"

#include <algorithm>
#include <cmath>

namespace glisk::reveal {
namespace {

__extension__ typedef unsigned __int128 u128;  // GCC and Clang; -Wpedantic wants the marker
using eth::U256;

uint64_t small_wei(const U256& value, const char* what) {
  if (!value.fits_u64()) {
    throw chain::MalformedResponse(std::string("eth_feeHistory: ") + what + " " + value.to_dec() +
                                   " wei per gas is beyond any real chain; is RPC_URL an Ethereum node?");
  }
  return value.low_u64();
}

// x × 9/8, rounded up: the 12.5% bump.
uint64_t bumped(uint64_t x) {
  u128 v = (static_cast<u128>(x) * 9 + 7) / 8;
  return v > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(v);
}

// x × 11/10, rounded up: the least a node accepts for a replacement.
uint64_t least_replacement(uint64_t x) {
  u128 v = (static_cast<u128>(x) * 11 + 9) / 10;
  return v > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(v);
}

}  // namespace

FeeQuote quote_fees(const chain::JsonValue& fee_history, const std::optional<U256>& suggested_tip,
                    const std::optional<U256>& cap) {
  return quote_fees(chain::decode_fee_history(fee_history), suggested_tip, cap);
}

FeeQuote quote_fees(const chain::FeeHistory& history, const std::optional<U256>& suggested_tip,
                    const std::optional<U256>& cap) {
  // The array has one entry per block asked for, plus the block after the newest: the next one.
  const uint64_t next_base = small_wei(history.base_fee_per_gas.back(), "base fee");

  std::vector<uint64_t> rewards;
  for (size_t i = 0; i < history.reward.size(); ++i) {
    // An empty block's "reward" is 0 by definition, not a price anybody paid.
    if (i < history.gas_used_ratio.size() && history.gas_used_ratio[i] == 0.0) continue;
    rewards.push_back(small_wei(history.reward[i].front(), "reward"));
  }
  uint64_t tip = 0;
  if (!rewards.empty()) {
    std::sort(rewards.begin(), rewards.end());
    tip = rewards[rewards.size() / 2];
  } else if (suggested_tip) {
    tip = small_wei(*suggested_tip, "suggested tip");
  }

  FeeQuote quote;
  quote.next_base_fee = next_base;
  quote.tip = tip;
  u128 max_fee = static_cast<u128>(next_base) * 2 + tip;
  if (max_fee > UINT64_MAX) max_fee = UINT64_MAX;
  U256 offered = static_cast<uint64_t>(max_fee);
  if (cap) {
    const u128 needed = static_cast<u128>(next_base) + tip;
    quote.above_cap = !cap->fits_u64() ? false : needed > cap->low_u64();
    if (offered > *cap) offered = *cap;
  }
  quote.fees = {offered, std::min(U256(tip), offered)};
  return quote;
}

FeeQuote current_fees(chain::EthRpc& rpc, double tip_percentile, const std::optional<U256>& cap, std::stop_token stop) {
  const auto history = chain::fetch_fee_history(rpc, kFeeHistoryBlocks, "latest", {tip_percentile}, stop);
  FeeQuote quote = quote_fees(history, std::nullopt, cap);
  if (quote.tip.is_zero()) {
    // No recent block had transactions (a quiet chain, or a dev node): ask the node.
    U256 suggested;
    try {
      suggested = U256::from_hex(rpc.max_priority_fee_per_gas(stop));
    } catch (const eth::InvalidNumber& e) {
      throw chain::MalformedResponse(std::string("eth_maxPriorityFeePerGas: ") + e.what());
    }
    quote = quote_fees(history, suggested, cap);
  }
  return quote;
}

std::optional<Fees> replacement_fees(const Fees& previous, const FeeQuote& now, const std::optional<U256>& cap) {
  const uint64_t old_max = small_wei(previous.max_fee_per_gas, "previous max fee");
  const uint64_t old_tip = small_wei(previous.max_priority_fee_per_gas, "previous tip");
  uint64_t tip = std::max(bumped(old_tip), small_wei(now.tip, "tip"));
  u128 market_max = static_cast<u128>(small_wei(now.next_base_fee, "base fee")) * 2 + tip;
  uint64_t max_fee =
      std::max<uint64_t>(bumped(old_max), market_max > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(market_max));
  if (cap && cap->fits_u64()) max_fee = std::min(max_fee, cap->low_u64());
  tip = std::min(tip, max_fee);
  if (max_fee < least_replacement(old_max) || tip < least_replacement(old_tip)) return std::nullopt;
  return Fees{max_fee, tip};
}

std::optional<U256> gwei_to_wei(double gwei) {
  if (!(gwei > 0)) return std::nullopt;
  const double wei = std::round(gwei * 1e9);
  if (wei >= 1.8e19) return U256(UINT64_MAX);
  return U256(static_cast<uint64_t>(std::max(1.0, wei)));
}

std::string format_gwei(const U256& wei) {
  if (!wei.fits_u64()) return wei.to_dec() + " wei";
  const uint64_t v = wei.low_u64();
  std::string out = std::to_string(v / 1'000'000'000);
  uint64_t fraction = v % 1'000'000'000;
  if (fraction != 0) {
    std::string digits = std::to_string(fraction);
    digits = std::string(9 - digits.size(), '0') + digits;
    while (digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  return out;
}

}  // namespace glisk::reveal
