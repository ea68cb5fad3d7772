#pragma once
// token_events: one row per state change of a token (migration 5), written by the component that
// moves the token, inside the same database transaction, so the history can never disagree with
// the token: a rolled-back move leaves no event. Writers use record_token_event() (one row,
// VALUES) or an `INSERT … SELECT` built on kInsertTokenEvents (one statement for a whole batch;
// PostgreSQL types untyped parameters of an INSERT … SELECT from the target columns).
// `attempt` is the stage's attempt the event belongs to (the one starting at a claim, the one
// that ended at a failure); `instance` names the process or actor (`cli`, `admin-api`).
// Throws DatabaseError like any statement. Thread-safe as the Transaction it is given (one thread).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clock/clock.hpp"
#include "store/database.hpp"

namespace glisk::store {

inline constexpr std::string_view kInsertTokenEvents =
    "INSERT INTO token_events (token_id, from_status, to_status, at, instance, stage, attempt, error, tx_hash) ";

struct TokenEvent {
  int64_t id = 0;
  int64_t token_id = 0;
  std::optional<std::string> from_status;  // nullopt: the token was created
  std::string to_status;
  std::string at;  // clock/time_format.hpp text
  std::optional<std::string> instance;
  std::optional<std::string> stage;
  std::optional<int64_t> attempt;
  std::optional<std::string> error;
  std::optional<std::string> tx_hash;
};

// Appends one event (its id is ignored).
void record_token_event(Transaction& tx, const TokenEvent& event);

// The events of one token, oldest first.
std::vector<TokenEvent> token_events(Transaction& tx, int64_t token_id);
// The same, read together with the token's existence: nullopt when there is no such token.
std::optional<std::vector<TokenEvent>> token_history(Database& db, int64_t token_id);

}  // namespace glisk::store
