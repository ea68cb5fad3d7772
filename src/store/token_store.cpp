#include "store/token_store.hpp"

#include "clock/time_format.hpp"
#include "store/token_events.hpp"

namespace glisk::store {

const std::string_view kTokenColumns =
    "token_id, author_id, minter_address, status, image_url, image_cid, metadata_cid, reveal_tx_hash, "
    "prediction_id, generation_attempts, upload_attempts, reveal_attempts, generation_error, failed_stage, "
    "next_attempt_at, locked_by, locked_until, prompt_refused_at, predictions_created, cancelled_at, queued_at, "
    "created_at, updated_at";

token::Token token_from_row(const Result& r, size_t i) {
  const Row row = r.row(i);
  token::Token t;
  t.token_id = row.get<int64_t>("token_id");
  t.author_id = row.get<int64_t>("author_id");
  t.minter_address = row.get_optional<std::string>("minter_address");
  const auto status = row.get<std::string>("status");
  auto parsed = token::parse_status(status);
  if (!parsed) throw QueryError("token " + std::to_string(t.token_id) + " has unknown status '" + status + "'");
  t.status = *parsed;
  t.image_url = row.get_optional<std::string>("image_url");
  t.image_cid = row.get_optional<std::string>("image_cid");
  t.metadata_cid = row.get_optional<std::string>("metadata_cid");
  t.reveal_tx_hash = row.get_optional<std::string>("reveal_tx_hash");
  t.prediction_id = row.get_optional<std::string>("prediction_id");
  t.generation_attempts = row.get<int>("generation_attempts");
  t.upload_attempts = row.get<int>("upload_attempts");
  t.reveal_attempts = row.get<int>("reveal_attempts");
  t.generation_error = row.get_optional<std::string>("generation_error");
  if (auto stage = row.get_optional<std::string>("failed_stage")) t.failed_stage = token::parse_stage(*stage);
  t.next_attempt_at = row.get_optional<clock::TimePoint>("next_attempt_at");
  t.locked_by = row.get_optional<std::string>("locked_by");
  t.locked_until = row.get_optional<clock::TimePoint>("locked_until");
  t.prompt_refused_at = row.get_optional<clock::TimePoint>("prompt_refused_at");
  t.predictions_created = row.get<int>("predictions_created");
  t.cancelled_at = row.get_optional<clock::TimePoint>("cancelled_at");
  t.queued_at = row.get<clock::TimePoint>("queued_at");
  t.created_at = row.get<clock::TimePoint>("created_at");
  t.updated_at = row.get<clock::TimePoint>("updated_at");
  return t;
}

void TokenStore::ping() {
  in_transaction(db_, TxMode::kRead, [](Transaction& tx) { tx.exec("SELECT 1"); });
}

std::vector<int64_t> TokenStore::ids_between(int64_t first, int64_t last) {
  auto r = in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
    return tx.exec("SELECT token_id FROM tokens_s0 WHERE token_id >= $1 AND token_id <= $2 ORDER BY token_id",
                   {first, last});
  });
  std::vector<int64_t> out;
  out.reserve(r.size());
  for (const Row row : r) out.push_back(row.get<int64_t>("token_id"));
  return out;
}

std::optional<token::Token> TokenStore::find_token(int64_t token_id) {
  return in_transaction(db_, TxMode::kRead, [&](Transaction& tx) -> std::optional<token::Token> {
    auto r = tx.exec("SELECT " + std::string(kTokenColumns) + " FROM tokens_s0 WHERE token_id = $1", {token_id});
    if (r.rows.empty()) return std::nullopt;
    return token_from_row(r, 0);
  });
}

std::vector<token::Token> TokenStore::recent(int limit) {
  auto r = in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
    return tx.exec(
        "SELECT " + std::string(kTokenColumns) + " FROM tokens_s0 ORDER BY updated_at DESC, token_id DESC LIMIT $1",
        {int64_t{limit}});
  });
  std::vector<token::Token> out;
  for (size_t i = 0; i < r.size(); ++i) out.push_back(token_from_row(r, i));
  return out;
}

std::vector<FailedToken> TokenStore::failures(int limit) {
  auto r = in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
    return tx.exec(
        "SELECT token_id, COALESCE(failed_stage, 'image') AS stage, CASE COALESCE(failed_stage, 'image') "
        "WHEN 'ipfs' THEN upload_attempts WHEN 'reveal' THEN reveal_attempts ELSE generation_attempts END AS attempts, "
        "generation_error, updated_at FROM tokens_s0 WHERE status = 'failed' AND cancelled_at IS NULL "
        "ORDER BY updated_at DESC, token_id DESC "
        "LIMIT $1",
        {int64_t{limit}});
  });
  std::vector<FailedToken> out;
  for (const Row row : r) {
    out.push_back({row.get<int64_t>("token_id"), row.get<std::string>("stage"), row.get<int>("attempts"),
                   row.get_optional<std::string>("generation_error").value_or(""),
                   clock::format_time(row.get<clock::TimePoint>("updated_at"))});
  }
  return out;
}

std::map<token::TokenStatus, int64_t> TokenStore::count_by_status() {
  std::map<token::TokenStatus, int64_t> counts;
  for (auto s : token::kAllStatuses) counts[s] = 0;
  auto r = in_transaction(db_, TxMode::kRead, [](Transaction& tx) {
    return tx.exec("SELECT status, COUNT(*) AS n FROM tokens_s0 GROUP BY status");
  });
  for (const Row row : r) {
    if (auto s = token::parse_status(row.get<std::string>("status"))) counts[*s] = row.get<int64_t>("n");
  }
  return counts;
}

TokenStore::PredictionTotals TokenStore::prediction_totals() {
  auto r = in_transaction(db_, TxMode::kRead, [](Transaction& tx) {
    return tx.exec(
        "SELECT COALESCE(SUM(predictions_created), 0) AS created, "
        "COALESCE(SUM(CASE WHEN predictions_created > 1 THEN 1 ELSE 0 END), 0) AS several FROM tokens_s0");
  });
  return {r.row(0).get<int64_t>("created"), r.row(0).get<int64_t>("several")};
}

std::vector<StageQueueStats> TokenStore::queue_stats() {
  std::vector<StageQueueStats> out;
  for (auto stage : token::kAllStages) out.push_back(stage_queue_stats(stage));
  return out;
}

StageQueueStats TokenStore::stage_queue_stats(token::Stage stage) {
  const auto now = clock_.now();
  const std::string now_text = clock::format_time(now);
  const auto& s = token::spec(stage);
  auto r = in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
    return tx.exec(
        "SELECT COUNT(*) AS depth, "
        "COALESCE(SUM(CASE WHEN (locked_until IS NULL OR locked_until < $1) AND "
        "(next_attempt_at IS NULL OR next_attempt_at <= $1) THEN 1 ELSE 0 END), 0) AS due, "
        "COALESCE(SUM(CASE WHEN locked_until >= $1 THEN 1 ELSE 0 END), 0) AS in_flight, "
        "MIN(CASE WHEN (locked_until IS NULL OR locked_until < $1) AND (next_attempt_at IS NULL OR next_attempt_at <= "
        "$1) "
        "THEN COALESCE(next_attempt_at, queued_at) END) AS oldest_due "
        "FROM tokens_s0 WHERE status IN ($2, $3)",
        {now_text, std::string(token::to_string(s.input)), std::string(token::to_string(s.working))});
  });
  const Row row = r.row(0);
  StageQueueStats stats{stage, row.get<int64_t>("depth"), row.get<int64_t>("due"), row.get<int64_t>("in_flight"),
                        std::nullopt};
  if (auto oldest = row.get_optional<clock::TimePoint>("oldest_due")) {
    stats.oldest_due_age_seconds = std::max(0.0, std::chrono::duration<double>(now - *oldest).count());
  }
  return stats;
}

}  // namespace glisk::store
