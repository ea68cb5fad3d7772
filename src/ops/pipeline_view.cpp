#include "ops/pipeline_view.hpp"

#include "clock/time_format.hpp"
#include "store/reveal_journal.hpp"
#include "store/token_store.hpp"

namespace glisk::ops {
namespace {

using store::Transaction;
using store::TxMode;

void check_limit(int limit) {
  if (limit < 1 || limit > kMaxLimit) {
    throw InvalidRequest("the limit must be 1.." + std::to_string(kMaxLimit) + ", got " + std::to_string(limit));
  }
}

// Both stores' timestamps in one format.
std::string normalized_time(const std::optional<std::string>& text) {
  if (!text) return "";
  const auto t = clock::parse_time(*text);
  return t ? clock::format_time(*t) : *text;
}

std::optional<int64_t> optional_int(const std::optional<std::string>& v) {
  if (!v) return std::nullopt;
  return std::stoll(*v);
}

}  // namespace

std::vector<token::Token> PipelineView::recent_tokens(int limit) {
  check_limit(limit);
  auto r = store::in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
    return tx.exec("SELECT " + std::string(store::kTokenColumns) +
                       " FROM tokens_s0 ORDER BY updated_at DESC, token_id DESC LIMIT $1",
                   {int64_t{limit}});
  });
  std::vector<token::Token> out;
  for (size_t i = 0; i < r.rows.size(); ++i) out.push_back(store::token_from_row(r, i));
  return out;
}

std::vector<Failure> PipelineView::failures(int limit) {
  check_limit(limit);
  auto r = store::in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
    return tx.exec(
        "SELECT token_id, COALESCE(failed_stage, 'image'), generation_attempts, upload_attempts, reveal_attempts, "
        "generation_error, updated_at FROM tokens_s0 WHERE status = 'failed' ORDER BY updated_at DESC, token_id DESC "
        "LIMIT $1",
        {int64_t{limit}});
  });
  std::vector<Failure> out;
  for (const auto& row : r.rows) {
    Failure f;
    f.token_id = std::stoll(row[0].value());
    f.stage = row[1].value_or("image");
    const int column = f.stage == "ipfs" ? 3 : f.stage == "reveal" ? 4 : 2;
    f.attempts = std::stoi(row[static_cast<size_t>(column)].value_or("0"));
    f.error = row[5].value_or("");
    f.failed_at = normalized_time(row[6]);
    out.push_back(std::move(f));
  }
  return out;
}

std::optional<std::vector<store::TokenEvent>> PipelineView::history(int64_t token_id) {
  return store::in_transaction(db_, TxMode::kRead,
                               [&](Transaction& tx) -> std::optional<std::vector<store::TokenEvent>> {
                                 if (tx.exec("SELECT 1 FROM tokens_s0 WHERE token_id = $1", {token_id}).rows.empty())
                                   return std::nullopt;
                                 return store::token_events(tx, token_id);
                               });
}

std::vector<RevealTransaction> PipelineView::reveals(int limit) {
  check_limit(limit);
  auto r = store::in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
    return tx.exec(
        "SELECT id, tx_hash, status, token_ids, nonce, block_number, gas_used, effective_gas_price, error, created_at, "
        "confirmed_at FROM reveal_transactions ORDER BY id DESC LIMIT $1",
        {int64_t{limit}});
  });
  std::vector<RevealTransaction> out;
  for (const auto& row : r.rows) {
    RevealTransaction t;
    t.id = std::stoll(row[0].value());
    t.tx_hash = row[1];
    t.status = row[2].value_or("");
    try {
      t.token_count = store::parse_token_ids(row[3].value_or("[]")).size();
    } catch (const std::invalid_argument&) {
      t.token_count = 0;  // a row written by hand; shown, not trusted
    }
    t.nonce = optional_int(row[4]);
    t.block_number = optional_int(row[5]);
    t.gas_used = optional_int(row[6]);
    t.effective_gas_price = row[7];
    t.error = row[8];
    t.created_at = normalized_time(row[9]);
    if (row[10]) t.confirmed_at = normalized_time(row[10]);
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<ThroughputMinute> PipelineView::throughput() {
  using std::chrono::minutes;
  const auto now = clock_.now();
  const auto end = std::chrono::floor<minutes>(now) + minutes(1);
  const auto start = end - minutes(60);
  auto r = store::in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
    return tx.exec(
        "SELECT to_status, at FROM token_events WHERE at >= $1 AND (from_status IS NULL OR from_status <> to_status)",
        {clock::format_time(start)});
  });
  std::vector<ThroughputMinute> out(60);
  for (size_t i = 0; i < out.size(); ++i) out[i].minute = clock::format_time(start + minutes(i));
  for (const auto& row : r.rows) {
    const auto at = clock::parse_time(row[1].value_or(""));
    if (!at || *at < start || *at >= end) continue;
    const auto index = static_cast<size_t>(std::chrono::floor<minutes>(*at - start).count());
    if (index < out.size()) ++out[index].moved_to[row[0].value_or("")];
  }
  return out;
}

}  // namespace glisk::ops
