#pragma once
// The keeper: sends reveal transactions from one key and sees each through to an outcome.
//
// send() prices the transaction from the fee market (reveal/fees.hpp), sizes its gas from
// eth_estimateGas × REVEAL_GAS_BUFFER, checks the wallet can pay for it, takes the nonce from the
// node, signs it (EIP-1559, the node's chain id), writes it to the journal and only then
// broadcasts it. settle() follows every pending transaction of this key:
//   mined, status 1, REVEAL_CONFIRMATIONS deep → journal confirm: tokens `revealed`;
//   mined, reverted → the reason is read by replaying the call, tokens wait (permanent error);
//   unknown to the node (dropped, or the crash came before the broadcast) → sent again unchanged;
//   pending longer than TRANSACTION_TIMEOUT_SECONDS → replaced at the same nonce with higher fees;
//   its nonce used by a transaction that is not ours → abandoned, tokens due again.
// "nonce too low", "already known" and "replacement underpriced" answers are never taken as a
// failure of the batch: the receipts of every hash sent at that nonce decide.
// Only the holder of the sender lease calls it (reveal/sender_lease.hpp). Not thread-safe: one
// reveal worker drives it.

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <vector>

#include "chain/eth_rpc.hpp"
#include "chain/receipt.hpp"
#include "clock/clock.hpp"
#include "errors/errors.hpp"
#include "eth/signer.hpp"
#include "log/event_log.hpp"
#include "metrics/registry.hpp"
#include "reveal/fees.hpp"
#include "store/reveal_journal.hpp"

namespace glisk::reveal {

struct KeeperOptions {
  std::string contract;        // EIP-55
  double tip_percentile = 50;  // of recent blocks' priority fees (KEEPER_GAS_STRATEGY)
  double gas_buffer = 1.2;
  std::optional<eth::U256> max_gas_price;  // wei per gas
  int confirmations = 1;
  std::chrono::milliseconds transaction_timeout{180'000};
  // How long tokens wait after a reveal of theirs reverted on chain.
  std::chrono::milliseconds permanent_error_delay{300'000};
  // How long tokens wait after their transaction was made moot (its nonce taken by another).
  std::chrono::milliseconds transient_error_delay{2'000};
  // How long a nonce may look used while none of our hashes has a receipt before the batch is
  // given up: nodes (and load-balanced providers even more) can report the new nonce before
  // they serve the receipt of the transaction that used it.
  std::chrono::milliseconds nonce_taken_grace{30'000};
  // Optional: gas used, fees paid, mined reveals and time to confirmation (glisk_reveal_*).
  metrics::Registry* metrics = nullptr;
};

// Gas costs more than REVEAL_MAX_GAS_PRICE_GWEI allows: nothing was sent; try later.
class GasAboveCap : public errors::Unavailable {
 public:
  using errors::Unavailable::Unavailable;
};

// eth_estimateGas refused the call (it would revert, or needs more gas than the node allows one
// transaction): nothing was sent.
class EstimateRefused : public errors::TransientError {
 public:
  using errors::TransientError::TransientError;
};

// The node's answer to a broadcast, sorted by what it means for the batch.
enum class BroadcastAnswer {
  kAccepted,           // a hash, or "already known"/"already imported": it is in the pool
  kNonceUsed,          // "nonce too low": something mined at this nonce; receipts decide
  kUnderpriced,        // "replacement transaction underpriced": another one at this nonce waits
  kInsufficientFunds,  // the wallet cannot pay gas × max fee
  kRefused,            // anything else the node refused
};
BroadcastAnswer classify_broadcast_error(const chain::RpcError& error);

// `fields` with the batch's tokens for a log line: how many, the lowest and highest id, and the
// ids themselves (sorted) when there are at most 50.
log::Fields with_batch(log::Fields fields, std::vector<int64_t> token_ids);

class Keeper {
 public:
  Keeper(chain::EthRpc& rpc, store::RevealJournal& journal, const eth::PrivateKey& key, uint64_t chain_id,
         clock::Clock& clock, const log::EventLog& log, KeeperOptions options);

  const std::string& sender() const { return sender_; }  // EIP-55

  // Settles this key's pending transactions as described above; true while one is still open
  // (the caller sends nothing new meanwhile, so nonces stay in order). Throws
  // errors::TransientError when the node cannot be asked (nothing changed).
  bool settle(std::stop_token stop = {});

  // eth_estimateGas of `calldata` from the keeper. Throws EstimateRefused, or
  // errors::TransientError when the node cannot be asked.
  uint64_t estimate_gas(const eth::Bytes& calldata, std::stop_token stop = {});
  // The gas limit a transaction of that estimate is sent with (× REVEAL_GAS_BUFFER).
  uint64_t gas_limit_for(uint64_t estimate) const;
  double gas_buffer() const { return options_.gas_buffer; }

  // Sends a reveal of `token_ids` with `calldata` (simulated and estimated by the caller:
  // `gas_estimate`). On return it is journaled and broadcast (or its broadcast's fate is unknown,
  // which settle() resolves). Throws GasAboveCap, errors::PermanentError (the wallet cannot pay;
  // the node refused it) or errors::TransientError (node unreachable; nonce taken meanwhile);
  // after a throw nothing of this batch is pending and its tokens are untouched.
  void send(const std::vector<int64_t>& token_ids, const eth::Bytes& calldata, uint64_t gas_estimate,
            std::stop_token stop = {});

  // Whether this key may reveal on the contract (isKeeper, or the owner) and what it holds, read
  // from the node now: glisk_keeper_may_reveal (1/0) and glisk_keeper_balance_wei. Throws
  // errors::TransientError when the node cannot be asked (the gauges keep their last values).
  struct Standing {
    bool may_reveal = false;
    eth::U256 balance;
  };
  Standing check_standing(std::stop_token stop = {});

  // The transactions settle() confirmed since the last call (for the caller's checks of what the
  // chain now says), oldest first.
  std::vector<store::JournalEntry> take_confirmed();

 private:
  // Outcome of one nonce's rows: still open, or settled (and how).
  bool settle_nonce(const std::vector<store::JournalEntry>& rows, uint64_t latest_block, std::stop_token stop);
  bool settle_mined(const store::JournalEntry& row, const chain::Receipt& receipt, uint64_t latest_block,
                    std::stop_token stop);
  void replace(const store::JournalEntry& newest, std::stop_token stop);
  // Broadcasts `raw`; returns the node's answer (transport failures propagate).
  BroadcastAnswer broadcast(const std::string& raw, std::string* error_text, std::stop_token stop);
  // Broadcasts a journaled transaction; nullopt when the node could not be reached, so whether
  // it arrived is unknown (logged; its row stays pending and settle() finds out).
  std::optional<BroadcastAnswer> broadcast_journaled(const store::SignedReveal& reveal, std::string* error_text,
                                                     std::stop_token stop);
  std::string revert_reason(const store::JournalEntry& row, uint64_t block_number, std::stop_token stop);

  chain::EthRpc& rpc_;
  store::RevealJournal& journal_;
  const eth::PrivateKey key_;
  const uint64_t chain_id_;
  clock::Clock& clock_;
  const log::EventLog& log_;
  const KeeperOptions options_;
  void measure_mined(const store::JournalEntry& row, const char* outcome, uint64_t gas_used, const eth::U256& fee);
  // Registered at construction (so /metrics shows them at 0 before the first reveal); null without a registry.
  metrics::Counter* mined_ = nullptr;
  metrics::Counter* gas_used_ = nullptr;
  metrics::Counter* fees_paid_ = nullptr;
  metrics::Histogram* confirmation_ = nullptr;
  metrics::Histogram* gas_per_token_ = nullptr;
  metrics::Gauge* balance_ = nullptr;         // glisk_keeper_balance_wei
  metrics::Gauge* may_reveal_ = nullptr;      // glisk_keeper_may_reveal
  metrics::Gauge* cost_per_token_ = nullptr;  // glisk_keeper_reveal_cost_per_token_wei
  std::vector<store::JournalEntry> confirmed_;
  const std::string sender_;
  std::map<uint64_t, clock::TimePoint> nonce_taken_since_;  // nonces used, no receipt of ours yet
  int64_t capped_logged_for_ = -1;                          // the row whose "cannot replace under the cap" was logged
  // The row whose replacement the node refused, and when: not tried again before the timeout.
  int64_t refused_replacement_of_ = -1;
  clock::TimePoint refused_replacement_at_{};
};

}  // namespace glisk::reveal
