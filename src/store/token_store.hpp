#pragma once
// Reads and writes of authors and tokens that are not work-queue moves: inserting detected tokens,
// looking tokens up, and the counts the API and the operator commands show. Queue moves (claim,
// complete, retry, fail) live in store/token_lifecycle.hpp. Thread-safe (the Database is).

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "clock/clock.hpp"
#include "store/database.hpp"
#include "token/token.hpp"

namespace glisk::store {

struct StageQueueStats {
  token::Stage stage;
  int64_t depth = 0;                             // tokens waiting for or held by the stage
  int64_t due = 0;                               // of those, claimable now
  int64_t in_flight = 0;                         // held under a live lease
  std::optional<double> oldest_due_age_seconds;  // how long the longest-waiting due token has waited
};

// A failed token as operators list it.
struct FailedToken {
  int64_t token_id = 0;
  std::string stage;  // the stage that failed it ("image" when none was recorded, as the retry reads it)
  int attempts = 0;   // that stage's attempts
  std::string error;
  std::string failed_at;  // clock/time_format text
};

// The columns every Token read selects, in the order token_from_row expects by name.
extern const std::string_view kTokenColumns;
token::Token token_from_row(const Result& result, size_t row);

class TokenStore {
 public:
  TokenStore(Database& db, clock::Clock& clock) : db_(db), clock_(clock) {}

  // What it reads with, for another store over the same database (test helpers, benchmarks).
  Database& database() const { return db_; }
  clock::Clock& clock() const { return clock_; }

  // A database round trip; throws DatabaseError when the database cannot answer.
  void ping();

  // The ids of the tokens that exist among first..last, ascending.
  std::vector<int64_t> ids_between(int64_t first, int64_t last);
  std::optional<token::Token> find_token(int64_t token_id);

  // The most recently changed tokens, newest first.
  std::vector<token::Token> recent(int limit);
  // The most recently failed tokens, newest first.
  std::vector<FailedToken> failures(int limit);

  std::map<token::TokenStatus, int64_t> count_by_status();
  // What images cost: paid predictions started in all, and how many tokens needed more than one.
  struct PredictionTotals {
    int64_t created = 0;
    int64_t tokens_with_several = 0;
  };
  PredictionTotals prediction_totals();
  std::vector<StageQueueStats> queue_stats();
  StageQueueStats stage_queue_stats(token::Stage stage);

 private:
  Database& db_;
  clock::Clock& clock_;
};

}  // namespace glisk::store
