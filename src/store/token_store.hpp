#pragma once
// Reads and writes of authors and tokens that are not work-queue moves: inserting detected tokens,
// looking tokens up, and the counts the API and the operator commands show. Queue moves (claim,
// complete, retry, fail) live in queue/work_queue.hpp. Thread-safe (the Database is).

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "clock/clock.hpp"
#include "store/database.hpp"
#include "token/token.hpp"

namespace glisk::store {

struct Author {
  int64_t id = 0;
  std::string wallet_address;
  std::optional<std::string> prompt_text;
  std::optional<std::string> x_handle;
  std::optional<std::string> farcaster_handle;
};

struct NewToken {
  int64_t token_id = 0;
  int64_t author_id = 0;
  std::optional<std::string> minter_address;
};

struct StageQueueStats {
  token::Stage stage;
  int64_t depth = 0;      // tokens waiting for or held by the stage
  int64_t due = 0;        // of those, claimable now
  int64_t in_flight = 0;  // held under a live lease
  std::optional<double> oldest_due_age_seconds;  // how long the longest-waiting due token has waited
};

// The columns every Token read selects, in the order token_from_row expects by name.
extern const std::string_view kTokenColumns;
token::Token token_from_row(const Result& result, size_t row);

class TokenStore {
 public:
  TokenStore(Database& db, clock::Clock& clock) : db_(db), clock_(clock) {}

  // A database round trip; throws DatabaseError when the database cannot answer.
  void ping();

  // Creates the author or updates the prompt (when given); returns the author's id.
  int64_t upsert_author(const std::string& wallet_address, const std::optional<std::string>& prompt_text);
  std::optional<Author> find_author(const std::string& wallet_address);
  std::optional<Author> author_by_id(int64_t id);
  // Sets the author's social handles (shown in metadata); empty optionals clear them.
  void set_author_handles(int64_t id, const std::optional<std::string>& x_handle,
                          const std::optional<std::string>& farcaster_handle);

  // Inserts a `detected` token; false when the token id already exists (idempotent).
  bool insert_token(const NewToken& token);
  std::optional<token::Token> find_token(int64_t token_id);

  std::map<token::TokenStatus, int64_t> count_by_status();
  std::vector<StageQueueStats> queue_stats();
  StageQueueStats stage_queue_stats(token::Stage stage);

 private:
  Database& db_;
  clock::Clock& clock_;
};

}  // namespace glisk::store
