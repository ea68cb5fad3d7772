#include "store/token_store.hpp"

#include "clock/time_format.hpp"
#include "store/token_events.hpp"

namespace glisk::store {

const std::string_view kTokenColumns =
    "token_id, author_id, minter_address, status, image_url, image_cid, metadata_cid, reveal_tx_hash, "
    "prediction_id, generation_attempts, upload_attempts, reveal_attempts, generation_error, failed_stage, "
    "next_attempt_at, locked_by, locked_until, queued_at, created_at, updated_at";

namespace {

clock::TimePoint to_time(const std::optional<std::string>& text, std::string_view column) {
  auto t = text ? clock::parse_time(*text) : std::nullopt;
  if (!t) throw QueryError("column " + std::string(column) + " holds no timestamp: '" + text.value_or("NULL") + "'");
  return *t;
}

std::optional<clock::TimePoint> to_opt_time(const std::optional<std::string>& text, std::string_view column) {
  if (!text) return std::nullopt;
  return to_time(text, column);
}

}  // namespace

token::Token token_from_row(const Result& r, size_t i) {
  const auto& row = r.rows.at(i);
  auto at = [&](std::string_view name) -> const std::optional<std::string>& { return row.at(r.column(name)); };
  auto integer = [&](std::string_view name) -> int64_t { return std::stoll(at(name).value_or("0")); };
  token::Token t;
  t.token_id = integer("token_id");
  t.author_id = integer("author_id");
  t.minter_address = at("minter_address");
  const auto& status = at("status");
  auto parsed = status ? token::parse_status(*status) : std::nullopt;
  if (!parsed) throw QueryError("token " + std::to_string(t.token_id) + " has unknown status '" + status.value_or("NULL") + "'");
  t.status = *parsed;
  t.image_url = at("image_url");
  t.image_cid = at("image_cid");
  t.metadata_cid = at("metadata_cid");
  t.reveal_tx_hash = at("reveal_tx_hash");
  t.prediction_id = at("prediction_id");
  t.generation_attempts = static_cast<int>(integer("generation_attempts"));
  t.upload_attempts = static_cast<int>(integer("upload_attempts"));
  t.reveal_attempts = static_cast<int>(integer("reveal_attempts"));
  t.generation_error = at("generation_error");
  if (const auto& stage = at("failed_stage")) t.failed_stage = token::parse_stage(*stage);
  t.next_attempt_at = to_opt_time(at("next_attempt_at"), "next_attempt_at");
  t.locked_by = at("locked_by");
  t.locked_until = to_opt_time(at("locked_until"), "locked_until");
  t.queued_at = to_time(at("queued_at"), "queued_at");
  t.created_at = to_time(at("created_at"), "created_at");
  t.updated_at = to_time(at("updated_at"), "updated_at");
  return t;
}

void TokenStore::ping() {
  in_transaction(db_, TxMode::kRead, [](Transaction& tx) { tx.exec("SELECT 1"); });
}

int64_t TokenStore::upsert_author(const std::string& wallet_address, const std::optional<std::string>& prompt_text) {
  const std::string now = clock::format_time(clock_.now());
  return in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    SqlValue prompt = prompt_text ? SqlValue{*prompt_text} : SqlValue{nullptr};
    auto r = tx.exec(
        "INSERT INTO authors (wallet_address, prompt_text, created_at, updated_at) VALUES ($1, $2, $3, $3) "
        "ON CONFLICT (wallet_address) DO UPDATE SET prompt_text = COALESCE(excluded.prompt_text, authors.prompt_text), "
        "updated_at = excluded.updated_at RETURNING id",
        {wallet_address, prompt, now});
    return std::stoll(r.rows.at(0).at(0).value());
  });
}

namespace {
std::optional<Author> author_from(const Result& r) {
  if (r.rows.empty()) return std::nullopt;
  return Author{std::stoll(r.rows[0][0].value()), r.rows[0][1].value(), r.rows[0][2], r.rows[0][3], r.rows[0][4]};
}
}  // namespace

std::optional<Author> TokenStore::find_author(const std::string& wallet_address) {
  return in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
    return author_from(tx.exec("SELECT id, wallet_address, prompt_text, x_handle, farcaster_handle FROM authors WHERE wallet_address = $1", {wallet_address}));
  });
}

std::optional<Author> TokenStore::author_by_id(int64_t id) {
  return in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
    return author_from(tx.exec("SELECT id, wallet_address, prompt_text, x_handle, farcaster_handle FROM authors WHERE id = $1", {id}));
  });
}

void TokenStore::set_author_handles(int64_t id, const std::optional<std::string>& x_handle,
                                    const std::optional<std::string>& farcaster_handle) {
  auto opt = [](const std::optional<std::string>& v) { return v ? SqlValue{*v} : SqlValue{nullptr}; };
  in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    tx.exec("UPDATE authors SET x_handle = $2, farcaster_handle = $3, updated_at = $4 WHERE id = $1",
            {id, opt(x_handle), opt(farcaster_handle), clock::format_time(clock_.now())});
  });
}

bool TokenStore::insert_token(const NewToken& token) {
  const std::string now = clock::format_time(clock_.now());
  return in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    SqlValue minter = token.minter_address ? SqlValue{*token.minter_address} : SqlValue{nullptr};
    auto r = tx.exec(
        "INSERT INTO tokens_s0 (token_id, author_id, minter_address, status, queued_at, created_at, updated_at) "
        "VALUES ($1, $2, $3, 'detected', $4, $4, $4) ON CONFLICT (token_id) DO NOTHING",
        {token.token_id, token.author_id, minter, now});
    if (r.affected != 1) return false;
    record_token_event(tx, creation_event(token.token_id, now, std::nullopt));
    return true;
  });
}

std::optional<token::Token> TokenStore::find_token(int64_t token_id) {
  return in_transaction(db_, TxMode::kRead, [&](Transaction& tx) -> std::optional<token::Token> {
    auto r = tx.exec("SELECT " + std::string(kTokenColumns) + " FROM tokens_s0 WHERE token_id = $1", {token_id});
    if (r.rows.empty()) return std::nullopt;
    return token_from_row(r, 0);
  });
}

std::map<token::TokenStatus, int64_t> TokenStore::count_by_status() {
  std::map<token::TokenStatus, int64_t> counts;
  for (auto s : token::kAllStatuses) counts[s] = 0;
  auto r = in_transaction(db_, TxMode::kRead,
                          [](Transaction& tx) { return tx.exec("SELECT status, COUNT(*) FROM tokens_s0 GROUP BY status"); });
  for (const auto& row : r.rows) {
    if (auto s = token::parse_status(row.at(0).value_or(""))) counts[*s] = std::stoll(row.at(1).value_or("0"));
  }
  return counts;
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
        "SELECT COUNT(*), "
        "COALESCE(SUM(CASE WHEN (locked_until IS NULL OR locked_until < $1) AND "
        "(next_attempt_at IS NULL OR next_attempt_at <= $1) THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN locked_until >= $1 THEN 1 ELSE 0 END), 0), "
        "MIN(CASE WHEN (locked_until IS NULL OR locked_until < $1) AND (next_attempt_at IS NULL OR next_attempt_at <= $1) "
        "THEN COALESCE(next_attempt_at, queued_at) END) "
        "FROM tokens_s0 WHERE status IN ($2, $3)",
        {now_text, std::string(token::to_string(s.input)), std::string(token::to_string(s.working))});
  });
  const auto& row = r.rows.at(0);
  StageQueueStats stats{stage, std::stoll(row[0].value_or("0")), std::stoll(row[1].value_or("0")),
                        std::stoll(row[2].value_or("0")), std::nullopt};
  if (row[3]) {
    if (auto oldest = clock::parse_time(*row[3])) {
      stats.oldest_due_age_seconds = std::max(0.0, std::chrono::duration<double>(now - *oldest).count());
    }
  }
  return stats;
}

}  // namespace glisk::store
