#pragma once
// What an operator looks at, read-only, on either store: recent tokens, failures, one token's
// history (token_events), reveal transactions and the throughput of the last hour. `glisk
// status|queues|tokens|failures|show`, the JSON endpoints and the dashboard all read through it,
// so the CLI and the HTTP API always agree. Counts per status and queue statistics stay in
// store::TokenStore. Limits outside 1..kMaxLimit throw InvalidRequest (nothing is read);
// database trouble throws store::DatabaseError. Thread-safe (the Database is).

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "clock/clock.hpp"
#include "ops/operator_input.hpp"
#include "store/database.hpp"
#include "store/reveal_journal.hpp"
#include "store/token_events.hpp"
#include "store/token_store.hpp"
#include "token/token.hpp"

namespace glisk::ops {

using Failure = store::FailedToken;
using RevealTransaction = store::RevealRecord;

// Counts of token_events per minute, by the status they moved to.
struct ThroughputMinute {
  std::string minute;  // start of the minute, clock/time_format.hpp text
  std::map<std::string, int64_t> moved_to;
};

class PipelineView {
 public:
  PipelineView(store::Database& db, clock::Clock& clock)
      : db_(db), clock_(clock), tokens_(db, clock), journal_(db, clock) {}

  // Most recently changed first.
  std::vector<token::Token> recent_tokens(int limit);
  // Failed tokens, most recently failed first.
  std::vector<Failure> failures(int limit);
  // The token's events, oldest first; nullopt when the token does not exist.
  std::optional<std::vector<store::TokenEvent>> history(int64_t token_id);
  // Newest first.
  std::vector<RevealTransaction> reveals(int limit);
  // The reveal transaction `tx_hash` (a token's reveal_tx_hash), with its gas per token.
  std::optional<RevealTransaction> reveal(const std::string& tx_hash);
  // The 60 minutes up to now, oldest first (state changes only: a postpone is not throughput).
  std::vector<ThroughputMinute> throughput();

 private:
  store::Database& db_;
  clock::Clock& clock_;
  store::TokenStore tokens_;
  store::RevealJournal journal_;
};

}  // namespace glisk::ops
