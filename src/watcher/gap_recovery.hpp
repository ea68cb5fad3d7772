#pragma once
// Gap recovery: the chain is the truth about which tokens exist. It asks the contract for
// nextTokenId() and creates every id 1..nextTokenId−1 missing from tokens_s0, with its author
// from tokenPromptAuthor(id) (minter unknown: NULL, filled in if the watcher later sees the
// mint). Both calls read the chain at latest − confirmations + 1, the same depth the watcher
// trusts, so a mint that a reorganisation may still undo is left to the watcher.
// Runs at service start (when a contract is set) and as `glisk recover`.
// Events: recovery.token_created (per token), recovery.complete.
// Throws errors::TransientError / chain::RpcError (node), eth::InvalidAbi (an answer that is not
// the contract's), store::DatabaseError; tokens created before the failure stay (each batch is
// committed on its own) and a second run finishes the job. Not thread-safe; run one at a time
// per process (several processes are safe: inserts are idempotent).

#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

#include "chain/eth_rpc.hpp"
#include "clock/clock.hpp"
#include "log/event_log.hpp"
#include "store/database.hpp"
#include "store/token_lifecycle.hpp"

namespace glisk::watcher {

struct RecoveredToken {
  int64_t token_id = 0;
  std::string author;  // EIP-55
};

struct RecoveryReport {
  int64_t next_token_id = 0;            // as the contract answered
  uint64_t block = 0;                   // the height it was read at
  int64_t missing = 0;                  // ids absent from the database before the run
  std::vector<RecoveredToken> created;  // what this run inserted
};

class GapRecovery {
 public:
  GapRecovery(store::Database& db, chain::EthRpc& rpc, store::TokenLifecycle& queue, clock::Clock& clock,
              const log::EventLog& log, std::string contract, uint64_t confirmations);

  RecoveryReport run(std::stop_token stop = {});

  // Called after each committed chunk with (missing ids handled, missing ids in all); for
  // `glisk recover`'s progress line. Set before run().
  void on_progress(std::function<void(size_t done, size_t total)> progress) { progress_ = std::move(progress); }

 private:
  std::function<void(size_t, size_t)> progress_;
  store::Database& db_;
  chain::EthRpc& rpc_;
  store::TokenLifecycle& queue_;
  clock::Clock& clock_;
  const log::EventLog& log_;
  const std::string contract_;
  const uint64_t confirmations_;
};

}  // namespace glisk::watcher
