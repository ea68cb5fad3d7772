#pragma once
// Records decoded BatchMinted events inside the caller's transaction, so the chain watcher
// commits its cursor with the tokens it found (and the webhook commits a whole payload at once):
//   - the prompt author is created in `authors` (EIP-55 wallet) when new; never changed otherwise;
//   - the event goes to `mint_events`, unique on (tx_hash, log_index): a second delivery of the
//     same log (watcher and webhook, a rescan after a reorg, a retried webhook) changes nothing
//     and is reported as a duplicate;
//   - one `detected` token per id start..start+quantity-1, idempotent on token_id. A token that
//     already exists (gap recovery made it, or an overlapping event) is left alone except that a
//     missing minter_address is filled in; one with a different author is reported in
//     `conflicting_token_ids` (the chain was rewritten deeper than the confirmations; docs/OPERATIONS.md, "Symptoms").
// After the commit the caller wakes the image stage (queue.announce(token::Stage::kImage)).
// Throws store::DatabaseError; the caller's transaction then rolls back. Thread-safe (no state
// beyond the clock).

#include <cstdint>
#include <vector>

#include "clock/clock.hpp"
#include "log/event_log.hpp"
#include "mints/mint_event.hpp"
#include "store/database.hpp"

namespace glisk::mints {

struct RecordOutcome {
  bool duplicate = false;  // the event was recorded before: nothing changed
  int64_t tokens_created = 0;
  std::vector<int64_t> conflicting_token_ids;
};

// Logs a newly recorded mint (`mint.detected`, and `mint.token_conflict` when a token id already
// belonged to another author); `source` says which way it came in ("watcher", "webhook").
void log_recorded(const log::EventLog& log, const MintEvent& event, const RecordOutcome& outcome, const char* source);

struct RecordTotals {
  int64_t events = 0;      // new events recorded
  int64_t duplicates = 0;  // events already known
  int64_t tokens_created = 0;

  void add(const RecordOutcome& o) {
    if (o.duplicate) {
      ++duplicates;
    } else {
      ++events;
    }
    tokens_created += o.tokens_created;
  }
};

class MintRecorder {
 public:
  explicit MintRecorder(clock::Clock& clock) : clock_(clock) {}

  RecordOutcome record(store::Transaction& tx, const MintEvent& event);

 private:
  clock::Clock& clock_;
};

}  // namespace glisk::mints
