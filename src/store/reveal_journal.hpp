#pragma once
// The keeper's journal: reveal_transactions, one row per signed transaction, written BEFORE the
// transaction is broadcast, so a crash at any point leaves a record of everything that may be on
// its way to the chain. Rows of one sender and nonce are the attempts of one batch (the first
// send and its fee-bumped replacements); exactly one of them can mine, and that one decides:
//   pending   – signed and (maybe) broadcast, outcome unknown;
//   confirmed – mined with status 1: its tokens are `revealed` with its hash (same transaction);
//   replaced  – a sibling of the confirmed or reverted row that did not mine;
//   failed    – mined but reverted, refused by the node, made moot (nonce taken by another
//               transaction), or never sent because simulation showed it would fail; `error`
//               says which.
// The token moves that go with an outcome happen in the same database transaction as the row's,
// and are keyed by status, not by a lease (each with its token_events row, same transaction): a process that crashed
// held leases that are gone, but the chain's word about its transaction still counts. Only the sender lease holder
// (reveal/sender_lease.hpp) calls the moving methods. Thread-safe (the Database is).

#include <optional>
#include <string>
#include <vector>

#include "clock/clock.hpp"
#include "eth/transaction.hpp"
#include "eth/uint256.hpp"
#include "store/database.hpp"

namespace glisk::store {

// A signed reveal transaction, as the keeper records it before broadcasting.
struct SignedReveal {
  std::string sender;
  uint64_t nonce = 0;
  std::string tx_hash;
  std::vector<int64_t> token_ids;
  eth::Fees fees;
  uint64_t gas_limit = 0;
  std::string raw_tx;  // 0x-hex, sent again unchanged when the node forgot it
};

// A row of the journal.
struct JournalEntry : SignedReveal {
  int64_t id = 0;
  std::string status;
  clock::TimePoint submitted_at{};
};

struct JournalSummary {
  int64_t pending = 0;
  int64_t confirmed = 0;
  int64_t failed = 0;
  std::optional<std::string> last_error;  // of the newest failed row
  std::optional<std::string> last_error_at;
  int64_t open_transactions = 0;                // nonces with a pending row: reveals on their way
  std::optional<clock::TimePoint> oldest_open;  // when the oldest pending row was signed
};

// A row as operators list it.
struct RevealRecord {
  int64_t id = 0;
  std::optional<std::string> tx_hash;
  std::string status;
  size_t token_count = 0;
  std::optional<int64_t> nonce;
  std::optional<int64_t> block_number;
  std::optional<int64_t> gas_used;
  std::optional<int64_t> gas_per_token;            // gas_used / token_count, when mined
  std::optional<std::string> effective_gas_price;  // wei, decimal
  std::optional<std::string> error;
  std::string created_at;  // clock/time_format text
  std::optional<std::string> confirmed_at;
};

class RevealJournal {
 public:
  // `instance` names this process in token_events (store/token_events.hpp).
  RevealJournal(Database& db, clock::Clock& clock, std::string instance = {})
      : db_(db), clock_(clock), instance_(std::move(instance)) {}

  // Writes the pending row; returns its id. Call before broadcasting.
  int64_t record_pending(const SignedReveal& reveal);
  // Pending rows of `sender`, by nonce then age.
  std::vector<JournalEntry> pending(const std::string& sender);
  // All rows of `sender` at `nonce` that were sent (pending, replaced, confirmed, failed with a hash).
  std::vector<JournalEntry> sent_at(const std::string& sender, uint64_t nonce);

  // `mined` is in a block with status 1: it is confirmed, its pending siblings replaced, and its
  // tokens (ready or failed) revealed with its hash. Returns how many tokens changed.
  int64_t confirm(const JournalEntry& mined, uint64_t block_number, uint64_t gas_used, const eth::U256& gas_price);
  // `mined` is in a block but reverted: failed with `reason`, siblings replaced; its tokens stay
  // ready, due again at `retry_at`, with the attempt counted and the reason kept.
  void fail_reverted(const JournalEntry& mined, uint64_t block_number, uint64_t gas_used, const eth::U256& gas_price,
                     const std::string& reason, clock::TimePoint retry_at);
  // None of the rows at `nonce` can mine any more: all its pending rows fail with `reason` and
  // the tokens are due again at `retry_at` (attempt counted when `count_attempt`).
  void abandon(const std::string& sender, uint64_t nonce, const std::vector<int64_t>& token_ids,
               const std::string& reason, clock::TimePoint retry_at, bool count_attempt);
  // One row the node refused (e.g. an underpriced replacement): failed; siblings untouched.
  void refuse(int64_t id, const std::string& reason);
  // A batch never sent because it would have failed (the keeper is not authorized, no funds):
  // a failed row without hash, for the operator. The tokens are not moved (see postpone).
  void record_unsent(const std::string& sender, const std::vector<int64_t>& token_ids, const std::string& reason);

  // Tokens the chain already shows revealed (an earlier run's transaction, or another keeper):
  // `revealed` without a hash of ours. Returns how many changed.
  int64_t mark_revealed_on_chain(const std::vector<int64_t>& token_ids);
  // Tokens that must wait (gas above the cap, node unreachable): due at `retry_at`, lease
  // dropped, status unchanged; `reason` kept as the token's latest error when given.
  void postpone(const std::vector<int64_t>& token_ids, const std::optional<std::string>& reason,
                clock::TimePoint retry_at, bool count_attempt);

  JournalSummary summary();
  // Just the summary's open_transactions and oldest_open (one query, for every metrics scrape).
  JournalSummary open_transactions();
  // The newest rows first.
  std::vector<RevealRecord> recent(int limit);
  // The row of the transaction `tx_hash` (a token's reveal_tx_hash); nullopt when none.
  std::optional<RevealRecord> find_by_hash(const std::string& tx_hash);
  // The next page after recent(): rows with ids below `before_id`, newest first (keyset paging).
  std::vector<RevealRecord> recent_before(int64_t before_id, int limit);

 private:
  Database& db_;
  clock::Clock& clock_;
  const std::string instance_;
};

// "[1,2,3]" and back; the parse throws std::invalid_argument on anything else.
std::string token_ids_text(const std::vector<int64_t>& ids);
std::vector<int64_t> parse_token_ids(const std::string& text);

}  // namespace glisk::store
