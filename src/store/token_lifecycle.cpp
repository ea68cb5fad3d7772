#include "store/token_lifecycle.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <unordered_map>

#include "clock/time_format.hpp"
#include "errors/assert.hpp"
#include "store/system_state.hpp"
#include "store/token_events.hpp"
#include "store/token_store.hpp"

namespace glisk::store {
namespace {

using token::Stage;

std::string status_text(token::TokenStatus s) { return std::string(token::to_string(s)); }

// The always-on check of a move against the one table (token::is_legal_transition). A stay — a
// claim or postponement that keeps the status — is no transition.
void check_move(token::TokenStatus from, token::TokenStatus to, const char* what) {
  GLISK_ASSERT(from == to || token::is_legal_transition(from, to), what);
}

// The same for a status the database answered (a CASE in the statement chose it).
token::TokenStatus checked_status(token::TokenStatus from, const std::string& to, const char* what) {
  const auto parsed = token::parse_status(to);
  GLISK_ASSERT(parsed.has_value(), "the database answered a status glisk knows");
  check_move(from, *parsed, what);
  return *parsed;
}

// The stage whose input `status` is, if any (uploading → ipfs, ready → reveal).
std::optional<Stage> stage_waiting_in(token::TokenStatus status) {
  for (Stage s : token::kAllStages) {
    if (token::spec(s).input == status) return s;
  }
  return std::nullopt;
}

SqlValue opt(const std::optional<std::string>& v) { return v ? SqlValue{*v} : SqlValue{nullptr}; }

// The event of a one-token move, written in the move's transaction (store/token_events.hpp).
TokenEvent move_event(int64_t token_id, std::string from, std::string to, const std::string& at,
                      const std::string& instance, Stage stage, int64_t attempt,
                      std::optional<std::string> error = std::nullopt) {
  TokenEvent e;
  e.token_id = token_id;
  e.from_status = std::move(from);
  e.to_status = std::move(to);
  e.at = at;
  e.instance = instance;
  e.stage = std::string(token::to_string(stage));
  e.attempt = attempt;
  e.error = std::move(error);
  return e;
}

// The guard every move after a claim carries: still ours, still in the stage.
constexpr std::string_view kLeaseGuard = " WHERE token_id = $1 AND locked_by = $2 AND status = $3";

// Runs `move` until it gets through a database outage or lock contention (a busy SQLite file, a
// PostgreSQL serialization failure), for up to `budget` (see the header). On `pace`, the real
// clock: it waits for a server, an operator or another writer, not for the lease clock.
template <typename Move>
auto riding_out_outage(const clock::Clock& pace, std::chrono::milliseconds budget, Move&& move) {
  const auto deadline = pace.steady_now() + budget;
  auto pause = std::chrono::milliseconds(100);
  for (;;) {
    try {
      return move();
    } catch (const UnavailableError&) {
      if (pace.steady_now() + pause > deadline) throw;
    } catch (const BusyError&) {
      if (pace.steady_now() + pause > deadline) throw;
    }
    pace.sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(2000));
  }
}

}  // namespace

namespace {

// Rows per multi-row INSERT: few round trips for a large mint, far below either backend's limit
// on bound parameters.
constexpr int64_t kTokensPerInsert = 200;

}  // namespace

std::vector<int64_t> create_detected(Transaction& tx, const NewTokens& tokens, const std::string& now) {
  std::vector<int64_t> created;
  for (int64_t first = tokens.first_id; first <= tokens.last_id; first += kTokensPerInsert) {
    const int64_t last = std::min(tokens.last_id, first + kTokensPerInsert - 1);
    std::string sql =
        "INSERT INTO tokens_s0 (token_id, author_id, minter_address, status, queued_at, created_at, updated_at) "
        "VALUES ";
    Params params = {tokens.author_id, tokens.minter ? SqlValue{*tokens.minter} : SqlValue{nullptr}, now};
    for (int64_t id = first; id <= last; ++id) {
      params.emplace_back(id);
      if (id != first) sql += ", ";
      sql += "($" + std::to_string(params.size()) + ", $1, $2, 'detected', $3, $3, $3)";
    }
    sql += " ON CONFLICT (token_id) DO NOTHING RETURNING token_id";
    auto inserted = tx.exec(sql, params);
    if (inserted.empty()) continue;
    // Their first event (from nothing to detected), one statement for the chunk.
    std::string ids = "(";
    for (const Row row : inserted) {
      created.push_back(row.get<int64_t>("token_id"));
      ids += (ids.size() > 1 ? "," : "") + std::to_string(created.back());
    }
    tx.exec(std::string(kInsertTokenEvents) +
                "SELECT token_id, NULL, 'detected', created_at, $1, NULL, NULL, NULL, $2 FROM tokens_s0 WHERE token_id "
                "IN " +
                ids + ")",
            {tokens.source, tokens.tx_hash ? SqlValue{*tokens.tx_hash} : SqlValue{nullptr}});
  }
  return created;
}

std::vector<int64_t> adopt_existing(Transaction& tx, int64_t first_id, int64_t last_id, int64_t author_id,
                                    const std::string& minter, const std::string& now) {
  tx.exec(
      "UPDATE tokens_s0 SET minter_address = $1, updated_at = $2 "
      "WHERE token_id >= $3 AND token_id <= $4 AND minter_address IS NULL",
      {minter, now, first_id, last_id});
  auto other = tx.exec(
      "SELECT token_id FROM tokens_s0 WHERE token_id >= $1 AND token_id <= $2 AND author_id <> $3 "
      "ORDER BY token_id",
      {first_id, last_id, author_id});
  std::vector<int64_t> out;
  for (const Row row : other) out.push_back(row.get<int64_t>("token_id"));
  return out;
}

namespace {

// Token ids come from our own rows (int64), so writing them into the statement is safe, and an
// IN list reads the same on both backends.
std::string in_list(const std::vector<int64_t>& ids, size_t first, size_t last) {
  std::string out = "(";
  for (size_t i = first; i < last; ++i) out += (i > first ? "," : "") + std::to_string(ids[i]);
  return out + ")";
}

std::string in_list(const std::vector<int64_t>& ids) { return in_list(ids, 0, ids.size()); }

}  // namespace

int64_t reveal_tokens(Transaction& tx, const std::vector<int64_t>& ids, const std::optional<std::string>& tx_hash,
                      const std::string& instance, const std::string& now) {
  using token::TokenStatus;
  check_move(TokenStatus::kReady, TokenStatus::kRevealed, "a mined reveal reveals a ready token");
  check_move(TokenStatus::kFailed, TokenStatus::kRevealed,
             "a mined reveal reveals a failed token (revealed after failure)");
  if (ids.empty()) return 0;
  // Our transaction counts as the attempt that ended; a reveal not ours counts none.
  const std::string attempt = tx_hash ? "reveal_attempts + 1" : "reveal_attempts";
  const std::optional<std::string> note =
      tx_hash ? std::nullopt : std::optional<std::string>("already revealed on chain");
  tx.exec(std::string(kInsertTokenEvents) + "SELECT token_id, status, 'revealed', $1, $2, 'reveal', " + attempt +
              ", CASE WHEN status = 'failed' THEN $3 ELSE $4 END, $5 FROM tokens_s0 "
              "WHERE status IN ('ready', 'failed') AND token_id IN " +
              in_list(ids),
          {now, instance.empty() ? SqlValue{nullptr} : SqlValue{instance}, std::string(token::kRevealedAfterFailure),
           note ? SqlValue{*note} : SqlValue{nullptr}, tx_hash ? SqlValue{*tx_hash} : SqlValue{nullptr}});
  // Without a hash of ours the token keeps none (COALESCE keeps what an earlier save recorded).
  return tx
      .exec(
          "UPDATE tokens_s0 SET status = 'revealed', reveal_tx_hash = COALESCE($1, reveal_tx_hash), "
          "locked_by = NULL, locked_until = NULL, next_attempt_at = NULL, generation_error = NULL, "
          "failed_stage = NULL, updated_at = $2 WHERE status IN ('ready', 'failed') AND token_id IN " +
              in_list(ids),
          {tx_hash ? SqlValue{*tx_hash} : SqlValue{nullptr}, now})
      .affected;
}

void postpone_reveal(Transaction& tx, const std::vector<int64_t>& ids, const std::optional<std::string>& reason,
                     const std::string& retry_at, const std::string& now, bool count_attempt,
                     const std::string& instance) {
  if (ids.empty()) return;
  // A stay: the token keeps `ready`, so the event's from and to agree.
  const std::string attempt = std::string("reveal_attempts + ") + (count_attempt ? "1" : "0");
  tx.exec(
      std::string(kInsertTokenEvents) + "SELECT token_id, status, 'ready', $1, $2, 'reveal', " + attempt +
          ", $3, NULL FROM tokens_s0 WHERE status = 'ready' AND token_id IN " + in_list(ids),
      {now, instance.empty() ? SqlValue{nullptr} : SqlValue{instance}, reason ? SqlValue{*reason} : SqlValue{nullptr}});
  tx.exec("UPDATE tokens_s0 SET reveal_attempts = " + attempt +
              ", generation_error = COALESCE($1, generation_error), next_attempt_at = $2, locked_by = NULL, "
              "locked_until = NULL, updated_at = $3 WHERE status = 'ready' AND token_id IN " +
              in_list(ids),
          {reason ? SqlValue{*reason} : SqlValue{nullptr}, retry_at, now});
}

TokenLifecycle::TokenLifecycle(Database& db, clock::Clock& clock, queue::WakeBoard& wake, std::string instance,
                               std::chrono::milliseconds lease)
    : db_(db), clock_(clock), wake_(wake), instance_(std::move(instance)), lease_(lease) {}

std::string TokenLifecycle::next_lease() { return instance_ + "#" + std::to_string(++lease_counter_); }

namespace {

// Due tokens, oldest first (by COALESCE(next_attempt_at, queued_at), then id), read from indexes
// in their order (migration 6) so that neither backend sorts the whole due set: a claim holds
// SQLite's write lock for milliseconds even with a million tokens waiting. Three sources, each
// giving at most `limit` from the front of its index, merged and cut to the oldest `limit`:
//   fresh    – never tried in this stage: next_attempt_at IS NULL, by queued_at (tokens_s0_fresh);
//   retried  – due again after a backoff: next_attempt_at <= now (tokens_s0_retry), which ends
//              at the first token not due yet however many wait behind it;
//   expired  – held under a lease that ran out (tokens_s0_leases; few). In the input status
//              itself for stages whose working status is the input (ipfs, reveal).
//   $1 working  $4 now  $5 input  $6 limit; `columns` are selected (plus due_at), `id` names
//   the token id among them.
std::string due_tokens_sql(const token::StageSpec& s, Dialect dialect, const std::string& columns,
                           const std::string& id) {
  const bool pg = dialect == Dialect::kPostgres;
  const std::string lock = pg ? " FOR UPDATE SKIP LOCKED" : "";
  const std::string head =
      "SELECT " + columns + ", COALESCE(next_attempt_at, queued_at) AS due_at FROM tokens_s0 WHERE ";
  const std::string free = " AND (locked_until IS NULL OR locked_until < $4)";
  std::vector<std::string> sources = {
      head + "status = $5 AND next_attempt_at IS NULL" + free + " ORDER BY queued_at, token_id LIMIT $6" + lock,
      head + "status = $5 AND next_attempt_at <= $4" + free + " ORDER BY next_attempt_at, token_id LIMIT $6" + lock,
  };
  if (s.input != s.working) {
    sources.push_back(head +
                      "status = $1 AND locked_until < $4 AND (next_attempt_at IS NULL OR next_attempt_at <= $4) "
                      "ORDER BY locked_until LIMIT $6" +
                      lock);
  }
  std::string out;
  if (pg) {
    // FOR UPDATE is not allowed beside UNION: each source locks its rows in its own CTE.
    out = "WITH ";
    for (size_t i = 0; i < sources.size(); ++i)
      out += (i ? ", s" : "s") + std::to_string(i) + " AS (" + sources[i] + ")";
    out += " ";
    for (size_t i = 0; i < sources.size(); ++i)
      out += (i ? " UNION ALL " : "") + std::string("SELECT * FROM s") + std::to_string(i);
  } else {
    for (size_t i = 0; i < sources.size(); ++i)
      out += (i ? " UNION ALL " : "") + std::string("SELECT * FROM (") + sources[i] + ")";
  }
  return out + " ORDER BY due_at, " + id + " LIMIT $6";
}

// PostgreSQL claims in one statement: SKIP LOCKED lets concurrent claimers take disjoint tokens
// without waiting, and the events go in with it (a data-modifying CTE), from the status each had.
//   $1 working  $2 lease  $3 until  $4 now  $5 input  $6 limit  $7 instance  $8 stage
std::string postgres_claim_sql(const token::StageSpec& s) {
  const std::string due =
      due_tokens_sql(s, Dialect::kPostgres,
                     "token_id AS claimed_id, locked_by AS previous_lease, status AS previous_status", "claimed_id");
  return "WITH c AS (" + due +
         "), moved AS (UPDATE tokens_s0 AS t SET status = $1, locked_by = $2, "
         "locked_until = $3, updated_at = $4 FROM c WHERE t.token_id = c.claimed_id RETURNING "
         "c.previous_lease, c.previous_status, " +
         std::string(kTokenColumns) +
         "), "
         "events AS (" +
         std::string(kInsertTokenEvents) + "SELECT token_id, previous_status, $1, $4, $7, $8, " +
         std::string(s.attempts_column) + " + 1, NULL, NULL FROM moved) SELECT * FROM moved";
}

}  // namespace

std::string TokenLifecycle::explain_claim(Stage stage, int limit) {
  const auto& s = token::spec(stage);
  const std::string now_text = clock::format_time(clock_.now());
  const bool pg = db_.dialect() == Dialect::kPostgres;
  auto r = in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
    if (pg) {
      return tx.exec("EXPLAIN " + postgres_claim_sql(s),
                     {status_text(s.working), std::string("explain"), now_text, now_text, status_text(s.input),
                      int64_t{limit}, instance_, std::string(token::to_string(stage))});
    }
    return tx.exec("EXPLAIN QUERY PLAN " + due_tokens_sql(s, db_.dialect(), "token_id, locked_by", "token_id"),
                   {status_text(s.working), nullptr, nullptr, now_text, status_text(s.input), int64_t{limit}});
  });
  std::string plan;
  const size_t column = pg ? 0 : r.column("detail");
  for (const auto& row : r.rows) plan += row.at(column).value_or("") + "\n";
  return plan;
}

std::vector<Claim> TokenLifecycle::claim(Stage stage, int limit) {
  if (limit <= 0) return {};
  const auto& s = token::spec(stage);
  const auto now = clock_.now();
  const std::string now_text = clock::format_time(now);
  const std::string until = clock::format_time(now + lease_);
  const std::string lease = next_lease();
  const std::string input = status_text(s.input);
  const std::string working = status_text(s.working);
  check_move(s.input, s.working, "a claim moves a token from the stage's input to its working status");

  std::vector<Claim> claims;
  std::unordered_map<int64_t, std::optional<std::string>> previous;
  auto result = in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    if (db_.dialect() == Dialect::kPostgres) {
      return tx.exec(postgres_claim_sql(s), {working, lease, until, now_text, input, int64_t{limit}, instance_,
                                             std::string(token::to_string(stage))});
    }
    // SQLite: BEGIN IMMEDIATE holds the write lock, so the read and the update are one atomic step.
    auto picked = tx.exec(due_tokens_sql(s, db_.dialect(), "token_id, locked_by", "token_id"),
                          {working, nullptr, nullptr, now_text, input, int64_t{limit}});
    std::string ids = "[";
    for (const Row row : picked) {
      const auto id = row.get<int64_t>("token_id");
      previous[id] = row.get_optional<std::string>("locked_by");
      ids += (ids.size() > 1 ? "," : "") + std::to_string(id);
    }
    ids += "]";
    if (picked.rows.empty()) return Result{};
    tx.exec(std::string(kInsertTokenEvents) + "SELECT token_id, status, $1, $2, $3, $4, " +
                std::string(s.attempts_column) +
                " + 1, NULL, NULL FROM tokens_s0 WHERE token_id IN (SELECT value FROM json_each($5))",
            {working, now_text, instance_, std::string(token::to_string(stage)), ids});
    return tx.exec(
        "UPDATE tokens_s0 SET status = $1, locked_by = $2, locked_until = $3, updated_at = $4 "
        "WHERE token_id IN (SELECT value FROM json_each($5)) RETURNING " +
            std::string(kTokenColumns),
        {working, lease, until, now_text, ids});
  });

  const bool has_previous_column = !result.columns.empty() && result.columns[0] == "previous_lease";
  for (size_t i = 0; i < result.rows.size(); ++i) {
    Claim c{token_from_row(result, i), lease, std::nullopt};
    c.recovered_from =
        has_previous_column ? result.row(i).get_optional<std::string>("previous_lease") : previous[c.token.token_id];
    claims.push_back(std::move(c));
  }
  // Oldest first, as selected (RETURNING does not keep the order).
  std::sort(claims.begin(), claims.end(), [](const Claim& a, const Claim& b) {
    auto ka = a.token.next_attempt_at.value_or(a.token.queued_at);
    auto kb = b.token.next_attempt_at.value_or(b.token.queued_at);
    return ka != kb ? ka < kb : a.token.token_id < b.token.token_id;
  });
  return claims;
}

std::vector<int64_t> TokenLifecycle::renew(Stage stage, const std::vector<std::pair<int64_t, std::string>>& held) {
  if (held.empty()) return {};
  const auto& s = token::spec(stage);
  const auto now = clock_.now();
  const std::string until = clock::format_time(now + lease_);
  const std::string now_text = clock::format_time(now);
  return in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    std::vector<int64_t> renewed;
    for (const auto& [id, lease] : held) {
      auto r = tx.exec("UPDATE tokens_s0 SET locked_until = $4, updated_at = $5" + std::string(kLeaseGuard),
                       {id, lease, status_text(s.working), until, now_text});
      if (r.affected == 1) renewed.push_back(id);
    }
    return renewed;
  });
}

bool TokenLifecycle::save(Stage stage, int64_t token_id, const std::string& lease, const TokenPatch& patch) {
  const auto& s = token::spec(stage);
  return riding_out_outage(real_time_, lease_, [&] {
    return in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
      const std::string now_text = clock::format_time(clock_.now());
      auto r = tx.exec(
          "UPDATE tokens_s0 SET image_url = COALESCE($4, image_url), image_cid = COALESCE($5, image_cid), "
          "metadata_cid = COALESCE($6, metadata_cid), reveal_tx_hash = COALESCE($7, reveal_tx_hash), "
          "predictions_created = predictions_created + "
          "CASE WHEN COALESCE($9, prediction_id) IS DISTINCT FROM prediction_id THEN 1 ELSE 0 END, "
          "prediction_id = CASE WHEN $8 = 1 THEN NULL ELSE COALESCE($9, prediction_id) END, updated_at = $10, "
          "prompt_refused_at = CASE WHEN $11 = 1 THEN COALESCE(prompt_refused_at, $10) ELSE prompt_refused_at END" +
              std::string(kLeaseGuard),
          {token_id, lease, status_text(s.working), opt(patch.image_url), opt(patch.image_cid), opt(patch.metadata_cid),
           opt(patch.reveal_tx_hash), int64_t{patch.clear_prediction_id ? 1 : 0}, opt(patch.prediction_id), now_text,
           int64_t{patch.prompt_refused ? 1 : 0}});
      if (r.affected != 1) return false;
      if (patch.prompt_refused) {
        // In the history too, without a change of status: why the token's image is the fallback's.
        TokenEvent e;
        e.token_id = token_id;
        e.from_status = e.to_status = status_text(s.working);
        e.at = now_text;
        e.instance = instance_;
        e.stage = std::string(token::to_string(stage));
        e.error = "the model refused the author's prompt (" + patch.prompt_refused->substr(0, 300) +
                  "): every later attempt uses FALLBACK_CENSORED_PROMPT";
        record_token_event(tx, e);
      }
      return true;
    });
  });
}

bool TokenLifecycle::complete(Stage stage, int64_t token_id, const std::string& lease, const TokenPatch& patch) {
  const auto& s = token::spec(stage);
  check_move(s.working, s.output, "completing a stage moves the token to the stage's output");
  const auto next = stage_waiting_in(s.output);
  // The next stage starts with a clean attempt count, so the seed's reset never leaves a token
  // held back by a counter it cannot see.
  const std::string reset_next = next ? ", " + std::string(token::spec(*next).attempts_column) + " = 0" : "";
  const std::string now_text = clock::format_time(clock_.now());
  const std::string update =
      "UPDATE tokens_s0 SET status = $4, locked_by = NULL, locked_until = NULL, next_attempt_at = NULL, "
      "generation_error = NULL, failed_stage = NULL, queued_at = $5, updated_at = $5, "
      "image_url = COALESCE($6, image_url), image_cid = COALESCE($7, image_cid), "
      "metadata_cid = COALESCE($8, metadata_cid), reveal_tx_hash = COALESCE($9, reveal_tx_hash), "
      "prediction_id = CASE WHEN $10 = 1 THEN NULL ELSE COALESCE($11, prediction_id) END" +
      reset_next + std::string(kLeaseGuard) + " RETURNING " + std::string(s.attempts_column) +
      " AS attempts, reveal_tx_hash";
  Params params{token_id,
                lease,
                status_text(s.working),
                status_text(s.output),
                now_text,
                opt(patch.image_url),
                opt(patch.image_cid),
                opt(patch.metadata_cid),
                opt(patch.reveal_tx_hash),
                int64_t{patch.clear_prediction_id ? 1 : 0},
                opt(patch.prediction_id)};
  bool done = false;
  if (db_.dialect() == Dialect::kPostgres) {
    // One round trip instead of three: the move, its event and the next stage's wake-up in one
    // statement (every token passes here once per stage, so the round trips are the stage's cost
    // on the database). pg_notify is delivered at commit, like notify_on_commit's.
    params.insert(params.end(), {instance_, std::string(token::to_string(stage))});
    if (next) params.insert(params.end(), {std::string(kWakeChannel), std::string(token::to_string(*next))});
    done = riding_out_outage(real_time_, lease_, [&] {
      return in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
        auto r = tx.exec("WITH moved AS (" + update + "), events AS (" + std::string(kInsertTokenEvents) +
                             "SELECT $1, $3, $4, $5, $12, $13, attempts + 1, NULL, reveal_tx_hash FROM moved) "
                             "SELECT attempts" +
                             (next ? ", pg_notify($14, $15)" : std::string()) + " FROM moved",
                         params);
        return r.size() == 1;
      });
    });
  } else {
    done = riding_out_outage(real_time_, lease_, [&] {
      return in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
        auto r = tx.exec(update, params);
        if (r.size() != 1) return false;
        auto event = move_event(token_id, status_text(s.working), status_text(s.output), now_text, instance_, stage,
                                r.row(0).get<int64_t>("attempts") + 1);
        event.tx_hash = r.row(0).get_optional<std::string>("reveal_tx_hash");
        record_token_event(tx, event);
        return true;
      });
    });
  }
  if (done && next) wake_.notify(*next);
  return done;
}

FailureOutcome TokenLifecycle::record_failure(Stage stage, int64_t token_id, const std::string& lease,
                                              const std::string& error, clock::TimePoint retry_at, int max_attempts) {
  const auto& s = token::spec(stage);
  const std::string attempts(s.attempts_column);
  const std::string exhausted = "(" + attempts + " + 1 >= $4)";
  // Inside CASE PostgreSQL cannot infer the parameter's type from the column; SQLite has no casts.
  const std::string retry_at_param = db_.dialect() == Dialect::kPostgres ? "$7::timestamptz" : "$7";
  const std::string now_text = clock::format_time(clock_.now());
  auto r = riding_out_outage(real_time_, lease_, [&] {
    return in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
      auto moved = tx.exec("UPDATE tokens_s0 SET " + attempts + " = " + attempts + " + 1, " + "status = CASE WHEN " +
                               exhausted + " THEN 'failed' ELSE $5 END, " + "failed_stage = CASE WHEN " + exhausted +
                               " THEN $6 ELSE NULL END, " + "next_attempt_at = CASE WHEN " + exhausted +
                               " THEN NULL ELSE " + retry_at_param + " END, " +
                               "generation_error = $8, locked_by = NULL, locked_until = NULL, updated_at = $9" +
                               std::string(kLeaseGuard) + " RETURNING status, " + attempts,
                           {token_id, lease, status_text(s.working), int64_t{max_attempts}, status_text(s.input),
                            std::string(token::to_string(stage)), clock::format_time(retry_at), error, now_text});
      if (moved.size() == 1) {
        const Row row = moved.row(0);
        record_token_event(tx, move_event(token_id, status_text(s.working), row.get<std::string>("status"), now_text,
                                          instance_, stage, row.get<int64_t>(attempts), error));
      }
      return moved;
    });
  });
  if (r.empty()) return FailureOutcome::kLeaseLost;
  const auto to =
      checked_status(s.working, r.row(0).get<std::string>("status"), "a failed attempt retries or fails the token");
  return to == token::TokenStatus::kFailed ? FailureOutcome::kFailed : FailureOutcome::kRetryScheduled;
}

bool TokenLifecycle::fail(Stage stage, int64_t token_id, const std::string& lease, const std::string& error) {
  const auto& s = token::spec(stage);
  check_move(s.working, token::TokenStatus::kFailed, "a permanent error fails the token");
  const std::string attempts(s.attempts_column);
  const std::string now_text = clock::format_time(clock_.now());
  return riding_out_outage(real_time_, lease_, [&] {
    return in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
      auto r = tx.exec(
          "UPDATE tokens_s0 SET " + attempts + " = " + attempts + " + 1, status = 'failed', failed_stage = $4, " +
              "next_attempt_at = NULL, generation_error = $5, locked_by = NULL, locked_until = NULL, updated_at = $6" +
              std::string(kLeaseGuard) + " RETURNING " + attempts,
          {token_id, lease, status_text(s.working), std::string(token::to_string(stage)), error, now_text});
      if (r.size() != 1) return false;
      record_token_event(tx, move_event(token_id, status_text(s.working), "failed", now_text, instance_, stage,
                                        r.row(0).get<int64_t>(attempts), error));
      return true;
    });
  });
}

bool TokenLifecycle::release(Stage stage, int64_t token_id, const std::string& lease) {
  // At shutdown: worth a few seconds of waiting for a busy database, not a whole lease.
  return riding_out_outage(real_time_, std::min(lease_, kReleasePatience), [&] {
    return give_back(stage, token_id, lease, std::nullopt, "released unfinished (shutdown)");
  });
}

size_t TokenLifecycle::release_all_held(const std::vector<Stage>& stages) {
  const std::string now_text = clock::format_time(clock_.now());
  const std::string prefix = instance_ + "#";
  size_t released = 0;
  for (Stage stage : stages) {
    const auto& s = token::spec(stage);
    check_move(s.working, s.input, "a release at shutdown puts the token at the stage's input");
    // Leases are "<instance>#<n>": compare the prefix exactly (LIKE would read '_' in a host name
    // as a wildcard). The status index narrows the scan to the stage's working tokens.
    const std::string mine = " WHERE status = $1 AND locked_by IS NOT NULL AND substr(locked_by, 1, $2) = $3";
    auto moved = riding_out_outage(real_time_, std::min(lease_, kReleasePatience), [&] {
      return in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
        tx.exec(std::string(kInsertTokenEvents) + "SELECT token_id, status, $4, $5, $6, $7, " +
                    std::string(s.attempts_column) + " + 1, 'released unfinished (shutdown)', NULL FROM tokens_s0" +
                    mine,
                {status_text(s.working), static_cast<int64_t>(prefix.size()), prefix, status_text(s.input), now_text,
                 instance_, std::string(token::to_string(stage))});
        auto r = tx.exec(
            "UPDATE tokens_s0 SET status = $4, locked_by = NULL, locked_until = NULL, updated_at = $5" + mine +
                " RETURNING token_id",
            {status_text(s.working), static_cast<int64_t>(prefix.size()), prefix, status_text(s.input), now_text});
        if (!r.empty()) db_.notify_on_commit(tx, kWakeChannel, token::to_string(stage));
        return r.size();
      });
    });
    if (moved > 0) wake_.notify(stage);
    released += moved;
  }
  return released;
}

bool TokenLifecycle::postpone(Stage stage, int64_t token_id, const std::string& lease, clock::TimePoint retry_at,
                              const std::string& reason) {
  return riding_out_outage(real_time_, lease_, [&] { return give_back(stage, token_id, lease, retry_at, reason); });
}

bool TokenLifecycle::give_back(Stage stage, int64_t token_id, const std::string& lease,
                               std::optional<clock::TimePoint> retry_at, const std::string& reason) {
  const auto& s = token::spec(stage);
  check_move(s.working, s.input, "giving a token back puts it at the stage's input");
  const std::string now_text = clock::format_time(clock_.now());
  // A release leaves the backoff and the last error as they were; a postponement sets both.
  const std::string postponed = retry_at ? ", next_attempt_at = $6, generation_error = $7" : "";
  Params params = {token_id, lease, status_text(s.working), status_text(s.input), now_text};
  if (retry_at) {
    params.emplace_back(clock::format_time(*retry_at));
    params.emplace_back(std::string(token::to_string(stage)) + ": " + reason);
  }
  bool done = in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    auto r = tx.exec("UPDATE tokens_s0 SET status = $4, locked_by = NULL, locked_until = NULL, updated_at = $5" +
                         postponed + std::string(kLeaseGuard) + " RETURNING " + std::string(s.attempts_column),
                     params);
    if (r.size() != 1) return false;
    record_token_event(tx, move_event(token_id, status_text(s.working), status_text(s.input), now_text, instance_,
                                      stage, r.row(0).get<int64_t>(s.attempts_column) + 1, reason));
    if (!retry_at) db_.notify_on_commit(tx, kWakeChannel, token::to_string(stage));
    return true;
  });
  if (done && !retry_at) wake_.notify(stage);
  return done;
}

bool TokenLifecycle::send_back_for_new_image(int64_t token_id, const std::string& lease, const std::string& reason,
                                             int max_attempts) {
  const auto& s = token::spec(Stage::kIpfs);
  check_move(s.working, token::TokenStatus::kDetected, "an expired image sends the token back");
  const std::string now_text = clock::format_time(clock_.now());
  bool done = riding_out_outage(real_time_, lease_, [&] {
    return in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
      auto r = tx.exec(
          "UPDATE tokens_s0 SET "
          "status = CASE WHEN generation_attempts + 1 >= $6 THEN 'failed' ELSE 'detected' END, "
          "failed_stage = CASE WHEN generation_attempts + 1 >= $6 THEN 'image' ELSE NULL END, "
          "generation_attempts = generation_attempts + 1, "
          "image_url = NULL, prediction_id = NULL, generation_error = $4, next_attempt_at = NULL, "
          "locked_by = NULL, locked_until = NULL, queued_at = $5, updated_at = $5" +
              std::string(kLeaseGuard) + " RETURNING status, generation_attempts",
          {token_id, lease, status_text(s.working), reason, now_text, int64_t{max_attempts}});
      if (r.size() != 1) return false;
      const auto to = r.row(0).get<std::string>("status");
      checked_status(s.working, to, "an expired image sends the token back, or fails it");
      record_token_event(tx, move_event(token_id, status_text(s.working), to, now_text, instance_, Stage::kIpfs,
                                        r.row(0).get<int64_t>("generation_attempts"), reason));
      db_.notify_on_commit(tx, kWakeChannel, token::to_string(Stage::kImage));
      return true;
    });
  });
  if (done) wake_.notify(Stage::kImage);
  return done;
}

namespace {

// A retried token's target: the input of the stage that failed it (token::spec is the one table).
std::string retry_target_case() {
  std::string out = "CASE COALESCE(failed_stage, 'image')";
  for (Stage stage : token::kAllStages) {
    GLISK_ASSERT(token::is_legal_transition(token::TokenStatus::kFailed, token::spec(stage).input),
                 "a retry puts a failed token back at the input of the stage that failed it");
    out += " WHEN '" + std::string(token::to_string(stage)) + "' THEN '" + status_text(token::spec(stage).input) + "'";
  }
  return out + " END";
}

// The tokens a pending reveal transaction lists: it may still mine and reveal them, whoever holds
// them now.
std::set<int64_t> pending_reveal_ids(Transaction& tx) {
  std::set<int64_t> out;
  for (const Row row : tx.exec("SELECT token_ids FROM reveal_transactions WHERE status = 'pending'")) {
    const auto ids = nlohmann::json::parse(row.get<std::string>("token_ids"), nullptr, false);
    if (!ids.is_array()) continue;
    for (const auto& id : ids) {
      if (id.is_number_integer()) out.insert(id.get<int64_t>());
    }
  }
  return out;
}

// One transaction's operator retries, by stage, added to the counts every instance reports
// (glisk_operator_retries_total): the CLI's retries count as much as the admin API's.
void count_operator_retries(Transaction& tx, const std::map<std::string, int64_t>& per_stage, clock::Clock& clock) {
  SystemState state(clock);
  for (const auto& [stage, n] : per_stage) state.add(tx, std::string(kOperatorRetriesKey) + stage, n);
}

// The stage whose input the token's status is (image for detected, …), as SQL.
std::string input_stage_case() {
  std::string out = "CASE status";
  for (Stage stage : token::kAllStages) {
    out += " WHEN '" + status_text(token::spec(stage).input) + "' THEN '" + std::string(token::to_string(stage)) + "'";
  }
  return out + " END";
}

// Tokens waiting out a backoff: at a stage's input, held by nobody, due after now ($1).
std::string waiting_filter() {
  std::string inputs;
  for (Stage stage : token::kAllStages)
    inputs += (inputs.empty() ? "'" : ", '") + status_text(token::spec(stage).input) + "'";
  return "status IN (" + inputs +
         ") AND cancelled_at IS NULL AND next_attempt_at IS NOT NULL AND next_attempt_at > $1 AND "
         "(locked_until IS NULL OR locked_until <= $1)";
}

}  // namespace

RetryReport TokenLifecycle::retry_failed(const RetrySelection& selection, bool dry_run, const std::string& actor,
                                         const RetryProgress& progress) {
  const std::string stage_filter = selection.stage ? " AND COALESCE(failed_stage, 'image') = '" +
                                                         std::string(token::to_string(*selection.stage)) + "'"
                                                   : "";
  std::vector<int64_t> ids = selection.token_ids;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  const std::string now_text = clock::format_time(clock_.now());
  // Candidates first (ids are integers we parsed: safe to write into the statement), by id.
  auto read = [&](const std::string& where, const std::string& stage_column, bool all, bool uses_now) {
    std::vector<std::pair<int64_t, std::string>> found;
    auto fetch = [&](const std::string& id_filter) {
      auto r = in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
        return tx.exec("SELECT token_id, " + stage_column + " AS stage FROM tokens_s0 WHERE " + where + id_filter +
                           " ORDER BY token_id",
                       uses_now ? std::vector<SqlValue>{now_text} : std::vector<SqlValue>{});
      });
      for (const Row row : r) found.emplace_back(row.get<int64_t>("token_id"), row.get<std::string>("stage"));
    };
    if (all) {
      fetch("");
    } else {
      for (size_t first = 0; first < ids.size(); first += kRetryChunk) {
        fetch(" AND token_id IN " + in_list(ids, first, std::min(ids.size(), first + kRetryChunk)));
      }
    }
    std::sort(found.begin(), found.end());
    return found;
  };
  const std::string failed_where = "status = 'failed' AND cancelled_at IS NULL" + stage_filter;
  const auto failed = read(failed_where, "COALESCE(failed_stage, 'image')", selection.all_failed, false);
  std::string waiting_where = waiting_filter();
  if (selection.stage) waiting_where += " AND status = '" + status_text(token::spec(*selection.stage).input) + "'";
  std::vector<std::pair<int64_t, std::string>> waiting;
  if (selection.now) waiting = read(waiting_where, input_stage_case(), selection.all_waiting, true);

  RetryReport report;
  auto listed = [](const std::vector<std::pair<int64_t, std::string>>& rows, int64_t id) {
    return std::binary_search(rows.begin(), rows.end(), std::make_pair(id, std::string()),
                              [](const auto& a, const auto& b) { return a.first < b.first; });
  };
  for (int64_t id : ids) {
    const bool taken = (!selection.all_failed && listed(failed, id)) || (!selection.all_waiting && listed(waiting, id));
    if (!taken) report.skipped.push_back(id);
  }
  auto parsed_stage = [](const std::string& text) { return token::parse_stage(text).value_or(Stage::kImage); };
  if (dry_run) {
    for (const auto& [id, stage] : failed)
      report.tokens.push_back({id, parsed_stage(stage), token::spec(parsed_stage(stage)).input});
    for (const auto& [id, stage] : waiting)
      report.made_due.push_back({id, parsed_stage(stage), token::spec(parsed_stage(stage)).input});
    return report;
  }

  bool woken[3] = {false, false, false};
  // The moved tokens' stages are woken after the commit and their retries counted in it.
  auto wake_and_count = [&](Transaction& tx, const Result& moved) {
    std::map<std::string, int64_t> per_stage;
    for (const Row row : moved) {
      const auto status = token::parse_status(row.get<std::string>("status")).value_or(token::TokenStatus::kDetected);
      if (auto stage = stage_waiting_in(status)) {
        woken[static_cast<int>(*stage)] = true;
        db_.notify_on_commit(tx, kWakeChannel, token::to_string(*stage));
        ++per_stage[std::string(token::to_string(*stage))];
      }
    }
    count_operator_retries(tx, per_stage, clock_);
  };
  const std::string target = retry_target_case();
  auto reset = [](Stage stage) {
    const std::string column(token::spec(stage).attempts_column);
    return column + " = CASE WHEN COALESCE(failed_stage, 'image') = '" + std::string(token::to_string(stage)) +
           "' THEN 0 ELSE " + column + " END, ";
  };
  const size_t total = failed.size() + waiting.size();
  for (size_t first = 0; first < failed.size(); first += kRetryChunk) {
    std::vector<int64_t> chunk;
    for (size_t i = first; i < std::min(failed.size(), first + kRetryChunk); ++i) chunk.push_back(failed[i].first);
    const std::string where = " WHERE " + failed_where + " AND token_id IN " + in_list(chunk);
    auto moved = in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
      tx.exec(std::string(kInsertTokenEvents) + "SELECT token_id, status, " + target +
                  ", $1, $2, COALESCE(failed_stage, 'image'), NULL, NULL, NULL FROM tokens_s0" + where,
              {now_text, actor});
      auto r = tx.exec("UPDATE tokens_s0 SET " + reset(Stage::kImage) + reset(Stage::kIpfs) + reset(Stage::kReveal) +
                           "status = " + target +
                           ", generation_error = NULL, failed_stage = NULL, next_attempt_at = NULL, "
                           "locked_by = NULL, locked_until = NULL, queued_at = $1, updated_at = $1" +
                           where + " RETURNING token_id, status",
                       {now_text});
      wake_and_count(tx, r);
      return r;
    });
    for (const Row row : moved) {
      const auto status = checked_status(token::TokenStatus::kFailed, row.get<std::string>("status"),
                                         "an operator's retry puts a failed token at a stage's input");
      report.tokens.push_back({row.get<int64_t>("token_id"), stage_waiting_in(status).value_or(Stage::kImage), status});
    }
    if (progress) progress(std::min(failed.size(), first + kRetryChunk), total);
  }
  for (size_t first = 0; first < waiting.size(); first += kRetryChunk) {
    std::vector<int64_t> chunk;
    for (size_t i = first; i < std::min(waiting.size(), first + kRetryChunk); ++i) chunk.push_back(waiting[i].first);
    const std::string where = " WHERE " + waiting_where + " AND token_id IN " + in_list(chunk);
    auto moved = in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
      tx.exec(std::string(kInsertTokenEvents) + "SELECT token_id, status, status, $1, $2, " + input_stage_case() +
                  ", NULL, $3, NULL FROM tokens_s0" + where,
              {now_text, actor, std::string("retry now: its backoff cut short by an operator")});
      auto r =
          tx.exec("UPDATE tokens_s0 SET next_attempt_at = $1, updated_at = $1" + where + " RETURNING token_id, status",
                  {now_text});
      wake_and_count(tx, r);
      return r;
    });
    for (const Row row : moved) {
      const auto status = token::parse_status(row.get<std::string>("status")).value_or(token::TokenStatus::kDetected);
      report.made_due.push_back(
          {row.get<int64_t>("token_id"), stage_waiting_in(status).value_or(Stage::kImage), status});
    }
    if (progress) progress(failed.size() + std::min(waiting.size(), first + kRetryChunk), total);
  }
  for (Stage stage : token::kAllStages) {
    if (woken[static_cast<int>(stage)]) wake_.notify(stage);
  }
  auto by_id = [](const RetriedToken& a, const RetriedToken& b) { return a.token_id < b.token_id; };
  std::sort(report.tokens.begin(), report.tokens.end(), by_id);
  std::sort(report.made_due.begin(), report.made_due.end(), by_id);
  return report;
}

CancelReport TokenLifecycle::cancel(const CancelSelection& selection, const std::string& reason, bool dry_run,
                                    const std::string& actor, const RetryProgress& progress) {
  const std::string now_text = clock::format_time(clock_.now());
  // The stage a token is at: the one whose input or work its status is; for a failed token, the
  // stage that failed it.
  std::string stage_of = "CASE status";
  for (Stage stage : token::kAllStages) {
    std::set<token::TokenStatus> at{token::spec(stage).input, token::spec(stage).working};
    for (auto status : at)
      stage_of += " WHEN '" + status_text(status) + "' THEN '" + std::string(token::to_string(stage)) + "'";
  }
  stage_of += " ELSE COALESCE(failed_stage, 'image') END";
  const std::set<int64_t> in_open_reveal =
      in_transaction(db_, TxMode::kRead, [](Transaction& tx) { return pending_reveal_ids(tx); });
  // Cancellable now: not revealed, not cancelled, not held by the reveal stage (its transaction
  // may be on its way).
  std::string where =
      "status <> 'revealed' AND cancelled_at IS NULL AND NOT (status = 'ready' AND locked_until "
      "IS NOT NULL AND locked_until > $1)";
  if (selection.status) where += " AND status = '" + status_text(*selection.status) + "'";
  if (selection.stage) where += " AND " + stage_of + " = '" + std::string(token::to_string(*selection.stage)) + "'";

  CancelReport report;
  struct Candidate {
    int64_t id;
    token::TokenStatus status;
    Stage stage;
  };
  std::vector<Candidate> candidates;
  auto classify = [&](const std::string& id_filter) {
    auto r = in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
      return tx.exec("SELECT token_id, status, " + stage_of + " AS stage, CASE WHEN " + where +
                         " THEN 1 ELSE 0 END AS cancellable, cancelled_at FROM tokens_s0 WHERE " +
                         (selection.status ? where : std::string("1 = 1")) + id_filter + " ORDER BY token_id",
                     {now_text});
    });
    for (const Row row : r) {
      const int64_t id = row.get<int64_t>("token_id");
      const auto status = token::parse_status(row.get<std::string>("status")).value_or(token::TokenStatus::kFailed);
      std::optional<std::string> refusal;
      if (status == token::TokenStatus::kRevealed) {
        refusal = "revealed: the chain holds it for good";
      } else if (row.get_optional<std::string>("cancelled_at")) {
        refusal = "already cancelled";
      } else if (row.get<int64_t>("cancellable") == 0 || in_open_reveal.contains(id)) {
        refusal = "in a reveal transaction that may still mine: cancel it once the transaction settles (glisk show " +
                  std::to_string(id) + ")";
      }
      if (refusal) {
        report.skipped.push_back({id, *refusal});
      } else {
        candidates.push_back({id, status, token::parse_stage(row.get<std::string>("stage")).value_or(Stage::kImage)});
      }
    }
    return r.size();
  };
  if (selection.status) {
    classify("");
  } else {
    std::vector<int64_t> ids = selection.token_ids;
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::set<int64_t> seen;
    for (size_t first = 0; first < ids.size(); first += kRetryChunk) {
      classify(" AND token_id IN " + in_list(ids, first, std::min(ids.size(), first + kRetryChunk)));
    }
    for (const auto& c : candidates) seen.insert(c.id);
    for (const auto& s : report.skipped) seen.insert(s.token_id);
    for (int64_t id : ids) {
      if (!seen.contains(id)) report.skipped.push_back({id, "not known (not minted yet, or not detected)"});
    }
    std::sort(report.skipped.begin(), report.skipped.end(),
              [](const SkippedToken& a, const SkippedToken& b) { return a.token_id < b.token_id; });
  }
  if (dry_run) {
    for (const auto& c : candidates) report.tokens.push_back({c.id, c.status, c.stage});
    return report;
  }
  const std::string error = "cancelled by " + actor + ": " + reason;
  std::map<int64_t, const Candidate*> by_id;
  for (const auto& c : candidates) by_id[c.id] = &c;
  for (size_t first = 0; first < candidates.size(); first += kRetryChunk) {
    std::vector<int64_t> chunk;
    for (size_t i = first; i < std::min(candidates.size(), first + kRetryChunk); ++i) {
      check_move(candidates[i].status, token::TokenStatus::kFailed, "an operator's cancel fails the token for good");
      chunk.push_back(candidates[i].id);
    }
    auto moved = in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
      // Read again in the write: a reveal sent since the first look keeps its tokens.
      const auto pending = pending_reveal_ids(tx);
      std::vector<int64_t> free;
      for (int64_t id : chunk) {
        if (!pending.contains(id)) free.push_back(id);
      }
      const std::string guarded = " WHERE " + where + " AND token_id IN " + in_list(free.empty() ? chunk : free) +
                                  (free.empty() ? " AND 1 = 0" : "");
      tx.exec(std::string(kInsertTokenEvents) + "SELECT token_id, status, 'failed', $1, $2, " + stage_of +
                  ", NULL, $3, NULL FROM tokens_s0" + guarded,
              {now_text, actor, error});
      auto r = tx.exec("UPDATE tokens_s0 SET failed_stage = " + stage_of +
                           ", status = 'failed', cancelled_at = $1, generation_error = $2, next_attempt_at = NULL, "
                           "locked_by = NULL, locked_until = NULL, updated_at = $1" +
                           guarded + " RETURNING token_id, failed_stage",
                       {now_text, error});
      std::map<std::string, int64_t> per_stage;
      for (const Row row : r) ++per_stage[row.get<std::string>("failed_stage")];
      SystemState state(clock_);
      for (const auto& [stage, n] : per_stage) state.add(tx, std::string(kOperatorCancelsKey) + stage, n);
      return r;
    });
    for (const Row row : moved) {
      const auto* c = by_id.at(row.get<int64_t>("token_id"));
      report.tokens.push_back({c->id, c->status, c->stage});
    }
    if (progress) progress(std::min(candidates.size(), first + kRetryChunk), candidates.size());
  }
  std::sort(report.tokens.begin(), report.tokens.end(),
            [](const CancelledToken& a, const CancelledToken& b) { return a.token_id < b.token_id; });
  return report;
}

void TokenLifecycle::announce(Stage stage) {
  if (db_.dialect() == Dialect::kPostgres) {
    in_transaction(db_, TxMode::kWrite,
                   [&](Transaction& tx) { db_.notify_on_commit(tx, kWakeChannel, token::to_string(stage)); });
  }
  wake_.notify(stage);
}

std::optional<clock::TimePoint> TokenLifecycle::next_due(Stage stage) {
  const auto& s = token::spec(stage);
  const std::string now_text = clock::format_time(clock_.now());
  // The first token of the input past `now` in the retry index (tokens_s0_retry): one index
  // probe, however many tokens wait in backoff.
  auto r = in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
    return tx.exec(
        "SELECT next_attempt_at FROM tokens_s0 WHERE status = $1 AND next_attempt_at > $2 AND "
        "(locked_until IS NULL OR locked_until < $2) ORDER BY next_attempt_at LIMIT 1",
        {status_text(s.input), now_text});
  });
  if (r.empty()) return std::nullopt;
  return r.row(0).get_optional<clock::TimePoint>("next_attempt_at");
}

}  // namespace glisk::store
