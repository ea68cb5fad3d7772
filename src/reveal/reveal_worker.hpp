#pragma once
// Stage 3, `ready → revealed`: gathers ready tokens into batches, makes sure a batch would
// succeed before spending gas, and hands it to the Keeper (reveal/keeper.hpp), which sends it and
// sees it mined.
//
// One step (step(), what run() repeats):
//   1. hold the sender lease, or stand by (another instance sends for this key);
//   2. settle open transactions (Keeper::settle); while one is open, nothing new is sent;
//   3. send when BATCH_REVEAL_MAX_TOKENS tokens are due, or when the oldest due token has waited
//      BATCH_REVEAL_WAIT_SECONDS; claim them;
//   4. simulate REVEAL_FUNCTION(ids, "ipfs://{metadata_cid}"…) with eth_call from the keeper,
//      before any nonce is taken. A revert is decoded: AlreadyRevealed(id) → that token is marked
//      `revealed` (reveal.already_revealed_sync) and the rest simulated again;
//      ERC721NonexistentToken(id) → that token is `failed`; NotKeeper / not the owner → the batch
//      waits (a permanent error of the keeper, not of the tokens); anything else → the batch is
//      split in halves until the offending tokens are found (a single token that still reverts
//      is checked with isRevealed, then failed with the reason). One bad token never holds the
//      others back, and no gas is spent on a transaction known to fail;
//   5. Keeper::send. Gas above REVEAL_MAX_GAS_PRICE_GWEI → the tokens wait in `ready`.
// Tokens are never `failed` for the keeper's or the node's troubles (RPC down, no funds, not
// authorized, a revert of the whole batch): they stay `ready` with a backoff and the reason in
// generation_error, as the seed says; only a token the contract rejects by itself is failed.
// An unreachable node or database is logged here at debug only: it is reported once per outage
// (chain/monitored_rpc.hpp, store/monitored_database.hpp).
// Not thread-safe: one worker per process, driven by one thread.

#include <chrono>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "chain/eth_rpc.hpp"
#include "clock/clock.hpp"
#include "log/event_log.hpp"
#include "queue/backoff.hpp"
#include "reveal/keeper.hpp"
#include "reveal/sender_lease.hpp"
#include "store/reveal_journal.hpp"
#include "store/token_lifecycle.hpp"
#include "store/token_store.hpp"

namespace glisk::reveal {

struct RevealOptions {
  std::string contract;  // EIP-55
  std::string function = "batchRevealMultiple(uint256[],string[])";
  int max_batch = 50;
  std::chrono::milliseconds batch_wait{5000};
  std::chrono::milliseconds poll_interval{1000};  // longest sleep when nothing wakes the worker
  std::chrono::milliseconds receipt_poll{1000};   // how often an open transaction is checked, at most
  // The first look after a send that found no receipt waits this long; each next one twice as
  // long, up to receipt_poll. A dev chain mines at once and a 2 s chain within a block; the keeper
  // sends nothing new while one is open, so a second lost here is a second of every batch.
  std::chrono::milliseconds first_receipt_check{100};
  std::chrono::milliseconds gas_cap_recheck{15'000};
  queue::BackoffPolicy backoff;                              // after transient errors
  std::chrono::milliseconds permanent_error_delay{300'000};  // after the keeper's permanent errors
};

enum class StepOutcome {
  kStandby,          // another instance holds the sender lease
  kTransactionOpen,  // a reveal is on its way; checked again soon, then every receipt_poll
  kIdle,             // nothing due
  kWaitingForBatch,  // tokens due, batch not full, the oldest has not waited batch_wait yet
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
  void run(std::stop_token stop);

 private:
  struct Candidate {
    int64_t token_id;
    std::string lease;
    std::string uri;
    int attempt;
  };
  void process(std::vector<store::Claim> claims, std::stop_token stop);
  // The subset of `batch` whose reveal simulates cleanly, after settling the tokens that are
  // already revealed or rejected by the contract. Throws errors::PermanentError when the keeper
  // itself is refused.
  std::vector<Candidate> resolve(std::vector<Candidate> batch, std::stop_token stop);
  // nullopt when the call would succeed; else the node's revert.
  std::optional<chain::RpcError> simulate(const std::vector<Candidate>& batch, std::stop_token stop);
  eth::Bytes calldata(const std::vector<Candidate>& batch) const;
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
  const std::function<double()> jitter_;       // thread-safe (queue::seeded_jitter, or a test's)
  std::chrono::milliseconds receipt_wait_{0};  // the wait before the next look at an open transaction
  bool standby_logged_ = false;
};

}  // namespace glisk::reveal
