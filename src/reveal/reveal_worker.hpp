#pragma once
// Stage 3, `ready → revealed`: gathers ready tokens into batches, makes sure a batch would
// succeed before spending gas, and hands it to the Keeper (reveal/keeper.hpp), which sends it and
// sees it mined.
//
// One step (step(), what run() repeats):
//   1. hold the sender lease, or stand by (another instance sends for this key);
//   2. settle open transactions (Keeper::settle); while one is open, nothing new is sent;
//   3. send when a full batch is due, or when the oldest due token has waited
//      BATCH_REVEAL_WAIT_SECONDS; claim them. A full batch is BATCH_REVEAL_MAX_TOKENS, or fewer
//      when that many would need a gas limit above the ceiling: the 16,777,216 gas a transaction
//      may use (EIP-7825, Ethereum and Base) or REVEAL_BLOCK_GAS_SHARE of the block gas limit the
//      node reports, whichever is lower (sized from the gas per token of the last estimate);
//   4. simulate REVEAL_FUNCTION with eth_call from the keeper, before any nonce is taken: in the
//      digest mode (reveal/reveal_call.hpp) each metadata CID's sha2-256 digest, in the legacy mode
//      each "ipfs://{metadata_cid}". The first batch of a worker first calls the function with no
//      tokens: a contract without it answers a revert without data, which holds the batch with an
//      error naming the legacy mode instead of failing tokens. A revert is decoded: AlreadyRevealed(id) → that token is
//      marked `revealed` (reveal.already_revealed_sync) and the rest simulated again; ERC721NonexistentToken(id) → that
//      token is `failed`; NotKeeper / not the owner → the batch waits (a permanent error of the keeper, not of the
//      tokens); anything else → the batch is split in halves until the offending tokens are found (a single token that
//      still reverts is checked with isRevealed, then failed with the reason). One bad token never holds the others
//      back, and no gas is spent on a transaction known to fail;
//   5. estimate the batch's gas; above the ceiling, the batch is cut in proportion and the rest
//      released for the next one (a batch the node will not estimate is halved);
//   6. Keeper::send. Gas above REVEAL_MAX_GAS_PRICE_GWEI → the tokens wait in `ready`.
// After a reveal is confirmed, tokenURI of a few of its tokens (first, middle, last) is read back
// and compared with ipfs://{metadata_cid}: a mismatch is an error line (reveal.uri_mismatch) and
// glisk_reveal_uri_checks_total{result="mismatch"}, never silent.
// Tokens are never `failed` for the keeper's or the node's troubles (RPC down, no funds, not
// authorized, a revert of the whole batch): they stay `ready` with a backoff and the reason in
// generation_error, as the seed says; only a token the contract rejects by itself is failed.
// An unreachable node or database is logged here at debug only: it is reported once per outage
// (chain/monitored_rpc.hpp, store/monitored_database.hpp).
// Not thread-safe: one worker per process, driven by one thread.

#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <vector>

#include "chain/eth_rpc.hpp"
#include "clock/clock.hpp"
#include "log/event_log.hpp"
#include "metrics/registry.hpp"
#include "queue/backoff.hpp"
#include "reveal/keeper.hpp"
#include "reveal/reveal_call.hpp"
#include "reveal/sender_lease.hpp"
#include "store/reveal_journal.hpp"
#include "store/token_lifecycle.hpp"
#include "store/token_store.hpp"

namespace glisk::reveal {

// The most gas one transaction may use on Ethereum since Fusaka (EIP-7825), adopted by Base.
inline constexpr uint64_t kTransactionGasCap = 16'777'216;

struct RevealOptions {
  std::string contract;                    // EIP-55
  std::string function = kDigestFunction;  // REVEAL_FUNCTION (reveal/reveal_call.hpp)
  int max_batch = 50;
  double block_gas_share = 0.5;  // a reveal's gas limit stays under this share of the block gas limit
  uint64_t transaction_gas_cap = kTransactionGasCap;
  std::chrono::milliseconds block_gas_limit_refresh{600'000};  // how long the node's block gas limit is kept
  std::chrono::milliseconds batch_wait{5000};
  std::chrono::milliseconds poll_interval{1000};  // longest sleep when nothing wakes the worker
  std::chrono::milliseconds receipt_poll{1000};   // how often an open transaction is checked, at most
  // The first look after a send that found no receipt waits this long; each next one twice as
  // long, up to receipt_poll. A dev chain mines at once and a 2 s chain within a block; the keeper
  // sends nothing new while one is open, so a second lost here is a second of every batch.
  std::chrono::milliseconds first_receipt_check{100};
  std::chrono::milliseconds gas_cap_recheck{15'000};
  std::chrono::milliseconds standing_check{60'000};          // how often the keeper's balance and permission are read
  queue::BackoffPolicy backoff;                              // after transient errors
  std::chrono::milliseconds permanent_error_delay{300'000};  // after the keeper's permanent errors
  metrics::Registry* metrics = nullptr;                      // optional: glisk_reveal_uri_checks_total
  // Optional: whether an operator paused reveals (store::PauseSwitch). A paused worker still
  // settles the transaction it has open; it sends no new one.
  std::function<bool()> operator_paused;
};

enum class StepOutcome {
  kStandby,          // another instance holds the sender lease
  kTransactionOpen,  // a reveal is on its way; checked again soon, then every receipt_poll
  kIdle,             // nothing due
  kWaitingForBatch,  // tokens due, batch not full, the oldest has not waited batch_wait yet
  kPaused,           // an operator paused reveals: nothing new is sent
  kProcessed,        // a batch was simulated and sent (or settled without a transaction)
  kError,            // the node or the database failed; logged, retried later
};

struct StepResult {
  StepOutcome outcome = StepOutcome::kIdle;
  std::optional<clock::TimePoint> next_at;  // when to look again at the latest (run() may wake sooner)
};

class RevealWorker {
 public:
  // `jitter` returns uniform numbers in [0,1) for the backoff; defaults to a seeded generator.
  RevealWorker(store::TokenLifecycle& queue, queue::WakeBoard& wake, store::TokenStore& tokens,
               store::RevealJournal& journal, SenderLease& lease, Keeper& keeper, chain::EthRpc& rpc,
               clock::Clock& clock, const log::EventLog& log, RevealOptions options,
               std::function<double()> jitter = {});

  StepResult step(std::stop_token stop = {});
  // Reads the keeper's balance and permission (Keeper::check_standing) when standing_check has
  // passed; says so when the permission changes. Node trouble is logged at debug and tried later.
  void check_standing(std::stop_token stop);
  void run(std::stop_token stop);

 private:
  struct Candidate {
    int64_t token_id;
    std::string lease;
    RevealItem item;
    int attempt;
  };
  void process(std::vector<store::Claim> claims, std::stop_token stop);
  // The subset of `batch` whose reveal simulates cleanly, after settling the tokens that are
  // already revealed or rejected by the contract. Throws errors::PermanentError when the keeper
  // itself is refused.
  std::vector<Candidate> resolve(std::vector<Candidate> batch, std::stop_token stop);
  // nullopt when the call would succeed; else the node's revert (or its out-of-gas answer).
  std::optional<chain::RpcError> simulate(const std::vector<Candidate>& batch, std::stop_token stop);
  eth::Bytes calldata(const std::vector<Candidate>& batch) const;
  // Throws errors::PermanentError when the contract has no REVEAL_FUNCTION (checked once).
  void check_function(const std::vector<Candidate>& batch, std::stop_token stop);
  // Cuts `batch` until its gas limit fits the ceiling; returns the estimate of what remains.
  uint64_t fit_gas(std::vector<Candidate>& batch, std::stop_token stop);
  // Gives the tokens after the first `keep` back to the queue (due now, for the next batch).
  void release_tail(std::vector<Candidate>& batch, size_t keep, const std::string& why);
  // Removes the tokens released during this batch (they are no longer this worker's to postpone).
  void drop_released(std::vector<Candidate>& batch) const;
  // The gas limit one reveal may have: min(transaction cap, share × block gas limit).
  uint64_t gas_ceiling(std::stop_token stop);
  // How many tokens the next batch takes: max_batch, or fewer by the last gas per token.
  int batch_limit() const;
  // tokenURI of a sample of the transaction's tokens against their metadata CIDs.
  void check_uris(const store::JournalEntry& tx, std::stop_token stop);
  void sync_revealed(const std::vector<int64_t>& token_ids);
  void fail_token(const Candidate& token, const std::string& reason);
  bool is_revealed_on_chain(int64_t token_id, std::stop_token stop);
  void postpone(const std::vector<Candidate>& batch, const std::string& reason, std::chrono::milliseconds delay,
                bool count_attempt);

  store::TokenLifecycle& queue_;
  queue::WakeBoard& wake_;
  store::TokenStore& tokens_;
  store::RevealJournal& journal_;
  SenderLease& lease_;
  Keeper& keeper_;
  chain::EthRpc& rpc_;
  clock::Clock& clock_;
  const log::EventLog& log_;
  const RevealOptions options_;
  const RevealFunction function_;
  metrics::Counter* uri_checks_ = nullptr;
  bool function_checked_ = false;
  std::set<int64_t> released_;  // tokens of the current batch given back to the queue
  double gas_per_token_ = 0;    // of the last estimate (fixed costs shared out), 0 before the first
  uint64_t ceiling_ = 0;        // the last gas_ceiling(), 0 before the first
  clock::TimePoint ceiling_at_{};
  const std::function<double()> jitter_;       // thread-safe (queue::seeded_jitter, or a test's)
  std::chrono::milliseconds receipt_wait_{0};  // the wait before the next look at an open transaction
  bool standby_logged_ = false;
  bool paused_logged_ = false;                          // an operator's pause, as last said
  std::optional<clock::SteadyPoint> standing_checked_;  // the keeper's last check_standing()
  std::optional<bool> may_reveal_;                      // … and what it said
};

}  // namespace glisk::reveal
