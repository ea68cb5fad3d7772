#pragma once
// The chain watcher: finds the contract's BatchMinted events with eth_getLogs and turns them into
// `detected` tokens (mints/mint_recorder.hpp), so tokens arrive even when no webhook is set up or
// a webhook delivery was lost.
//
// - A cursor in system_state (key "watcher.cursor.<contract>") holds the next block to scan and
//   the hash of the last scanned block. It is written in the same transaction as the tokens found
//   in the range, so a crash leaves neither a gap nor a duplicate; the write is a compare-and-set,
//   so two instances watching at once only repeat (idempotent) work.
// - First cursor: START_BLOCK when set, else the contract's deployment block (binary search over
//   eth_getCode), else 0 when the node cannot tell (no archive state).
// - A step scans at most `log_range_blocks` blocks and only up to latest − confirmations + 1, so
//   a mint becomes tokens once it has `confirmations` blocks (its own included).
// - Before each scan the stored hash is compared with the chain's block of that height; a
//   mismatch means a reorganisation deeper than the confirmations: `watcher.reorg_detected`, and
//   the cursor moves back `reorg_rescan_blocks` (never below the first block) to rescan.
// - RPC failures throw out of step() and change nothing; run() logs `watcher.rpc_error` and
//   tries again at the next poll. An unreachable node (chain::NodeUnreachable) or database
//   (store::UnavailableError) is logged at debug only: rpc.unreachable / store.unavailable report
//   the outage once (chain/monitored_rpc.hpp, store/monitored_database.hpp).
// Events: watcher.started, mint.detected, watcher.caught_up, watcher.reorg_detected,
// watcher.rpc_error, watcher.error, mint.token_conflict.
// Thread-safety: one thread drives a ChainWatcher (step() or run()); several watchers (processes)
// may share a database.

#include <chrono>
#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>

#include "chain/eth_rpc.hpp"
#include "clock/clock.hpp"
#include "log/event_log.hpp"
#include "metrics/registry.hpp"
#include "mints/mint_recorder.hpp"
#include "store/database.hpp"
#include "store/system_state.hpp"
#include "store/token_lifecycle.hpp"

namespace glisk::watcher {

struct WatcherOptions {
  std::string contract;                 // EIP-55 (config validated it)
  std::optional<uint64_t> start_block;  // START_BLOCK
  uint64_t log_range_blocks = 1000;
  uint64_t confirmations = 2;  // a mint's own block counts as one
  std::chrono::milliseconds poll_interval{2000};
  uint64_t reorg_rescan_blocks = 64;  // how far back a detected reorganisation rescans
  // Optional: glisk_watcher_head_block (the node's latest block) and glisk_watcher_lag_blocks
  // (confirmed blocks not scanned yet: 0 when caught up), set at every step.
  metrics::Registry* metrics = nullptr;
};

struct Cursor {
  uint64_t next_block = 0;               // first block not scanned yet
  uint64_t first_block = 0;              // where scanning began; a rescan never goes below
  std::optional<std::string> last_hash;  // hash of block next_block − 1 as scanned
};

struct StepResult {
  bool scanned = false;  // a range was scanned (false: nothing confirmed to scan yet)
  uint64_t from_block = 0;
  uint64_t to_block = 0;
  int64_t mints = 0;  // new BatchMinted events
  int64_t duplicates = 0;
  int64_t tokens_created = 0;
  bool caught_up = false;  // the cursor reached the confirmed head
  bool reorg = false;      // a reorganisation was detected and the cursor moved back
};

class ChainWatcher {
 public:
  ChainWatcher(store::Database& db, chain::EthRpc& rpc, store::TokenLifecycle& queue, clock::Clock& clock,
               const log::EventLog& log, WatcherOptions options);

  // Scans one range (or detects a reorganisation). Throws errors::TransientError / RpcError
  // for node failures, store::DatabaseError, mints::InvalidMintLog for a log the node should not
  // have sent; nothing is committed then.
  StepResult step(std::stop_token stop = {});

  // Steps until `stop`: at once while behind, every poll_interval when caught up or after an
  // error (logged, never thrown).
  void run(std::stop_token stop);

  // The stored cursor, if any (tests, operators).
  std::optional<Cursor> cursor();

  // The lowest block at which the contract has code; nullopt when the node cannot tell.
  // Throws errors::PermanentError when there is no contract at the address at all.
  std::optional<uint64_t> find_deployment_block(std::stop_token stop = {});

 private:
  Cursor initial_cursor(std::stop_token stop);
  std::string block_hash(uint64_t number, std::stop_token stop);
  bool save_cursor(store::Transaction& tx, const std::optional<Cursor>& expected, const Cursor& next);

  store::Database& db_;
  chain::EthRpc& rpc_;
  store::TokenLifecycle& queue_;
  clock::Clock& clock_;
  mints::MintRecorder recorder_;
  store::SystemState state_;
  const log::EventLog& log_;
  const WatcherOptions options_;
  const std::string cursor_key_;
  // The gauges above, from the node's latest block and the next block to scan.
  void report_position(uint64_t latest, uint64_t next_block);
  metrics::Gauge* head_ = nullptr;
  metrics::Gauge* lag_ = nullptr;
  bool started_logged_ = false;
  bool caught_up_logged_ = false;
};

std::string cursor_to_text(const Cursor& cursor);
Cursor cursor_from_text(const std::string& text);  // throws std::invalid_argument

}  // namespace glisk::watcher
