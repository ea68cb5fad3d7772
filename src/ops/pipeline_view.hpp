#pragma once
// What an operator looks at, read-only, on either store: recent tokens, tokens found by a search
// a page at a time, failures, one token's history (token_events) and page, reveal transactions
// and the throughput of the last hour. `glisk
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
#include "store/operator_reads.hpp"
#include "store/prediction_results.hpp"
#include "store/reveal_journal.hpp"
#include "store/token_events.hpp"
#include "store/token_store.hpp"
#include "token/token.hpp"

namespace glisk::ops {

using Failure = store::FailedToken;
using RevealTransaction = store::RevealRecord;

// Counts of token_events per minute, by the status they moved to.
struct ThroughputMinute {
  std::string minute;                       // start of the minute, clock/time_format.hpp text
  std::map<std::string, int64_t> moved_to;  // moves: a token retried three times counts three
  std::map<std::string, int64_t> tokens;    // distinct tokens that reached the status in the minute
};

// What the dashboard's token page shows beside the token itself.
struct TokenDetail {
  token::Token token;
  store::TokenOrigin origin;
  std::optional<RevealTransaction> reveal;         // the transaction of its reveal_tx_hash
  std::optional<std::string> prediction_delivery;  // Replicate's webhook delivery of its prediction (JSON)
};

class PipelineView {
 public:
  PipelineView(store::Database& db, clock::Clock& clock)
      : db_(db), clock_(clock), tokens_(db, clock), journal_(db, clock), predictions_(db, clock) {}

  // Most recently changed first.
  std::vector<token::Token> recent_tokens(int limit);
  // A page of the tokens `search` finds, highest id first; its limit must be 1..kMaxLimit.
  store::TokenPage tokens(const store::TokenSearch& search);
  // The token and what its page shows beside it; nullopt when the token does not exist.
  std::optional<TokenDetail> token_detail(int64_t token_id);
  // Failed tokens, most recently failed first.
  std::vector<Failure> failures(int limit);
  // The token's events, oldest first; nullopt when the token does not exist.
  std::optional<std::vector<store::TokenEvent>> history(int64_t token_id);
  // Newest first; with `before`, those with ids below it (the next page).
  std::vector<RevealTransaction> reveals(int limit, std::optional<int64_t> before = std::nullopt);
  // The reveal transaction `tx_hash` (a token's reveal_tx_hash), with its gas per token.
  std::optional<RevealTransaction> reveal(const std::string& tx_hash);
  // The 60 minutes up to now, oldest first (state changes only: a postpone is not throughput).
  std::vector<ThroughputMinute> throughput();

 private:
  store::Database& db_;
  clock::Clock& clock_;
  store::TokenStore tokens_;
  store::RevealJournal journal_;
  store::PredictionResults predictions_;
};

}  // namespace glisk::ops
