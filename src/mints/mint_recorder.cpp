#include "mints/mint_recorder.hpp"

#include <algorithm>

#include "clock/time_format.hpp"
#include "store/author_store.hpp"
#include "store/token_events.hpp"

namespace glisk::mints {
namespace {

// Rows per multi-row INSERT: few round trips for a large mint, far below either backend's limit
// on bound parameters.
constexpr int64_t kTokensPerInsert = 200;

}  // namespace

RecordOutcome MintRecorder::record(store::Transaction& tx, const MintEvent& e) {
  const std::string now = clock::format_time(clock_.now());
  RecordOutcome outcome;
  auto inserted = tx.exec(
      "INSERT INTO mint_events (tx_hash, log_index, block_number, block_hash, minter_address, author_wallet, "
      "start_token_id, quantity, total_paid, detected_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
      "ON CONFLICT (tx_hash, log_index) DO NOTHING",
      {e.tx_hash, e.log_index, e.block_number, e.block_hash ? store::SqlValue{*e.block_hash} : store::SqlValue{nullptr},
       e.minter, e.prompt_author, e.start_token_id, e.quantity, e.total_paid, now});
  if (inserted.affected == 0) {
    outcome.duplicate = true;
    return outcome;
  }
  const int64_t author_id = store::ensure_author(tx, e.prompt_author, now);

  for (int64_t first = e.start_token_id; first <= e.last_token_id(); first += kTokensPerInsert) {
    const int64_t last = std::min(e.last_token_id(), first + kTokensPerInsert - 1);
    std::string sql =
        "INSERT INTO tokens_s0 (token_id, author_id, minter_address, status, queued_at, created_at, updated_at) "
        "VALUES ";
    store::Params params = {author_id, e.minter, now};
    for (int64_t id = first; id <= last; ++id) {
      params.emplace_back(id);
      if (id != first) sql += ", ";
      sql += "($" + std::to_string(params.size()) + ", $1, $2, 'detected', $3, $3, $3)";
    }
    sql += " ON CONFLICT (token_id) DO NOTHING RETURNING token_id";
    auto created = tx.exec(sql, params);
    outcome.tokens_created += static_cast<int64_t>(created.rows.size());
    if (!created.rows.empty()) {
      // Their first event (from nothing to detected), one statement for the chunk.
      std::string ids = "(";
      for (size_t i = 0; i < created.rows.size(); ++i) ids += (i ? "," : "") + created.rows[i].at(0).value();
      tx.exec(std::string(store::kInsertTokenEvents) +
                  "SELECT token_id, NULL, 'detected', created_at, $1, NULL, NULL, NULL, $2 FROM tokens_s0 WHERE token_id IN " +
                  ids + ")",
              {std::string("mint"), e.tx_hash});
    }
  }
  if (outcome.tokens_created < e.quantity) {
    // Some ids existed already: fill a minter that gap recovery could not know, and report ids
    // that belong to another author (a mint the chain no longer has).
    tx.exec(
        "UPDATE tokens_s0 SET minter_address = $1, updated_at = $2 "
        "WHERE token_id >= $3 AND token_id <= $4 AND minter_address IS NULL",
        {e.minter, now, e.start_token_id, e.last_token_id()});
    auto other = tx.exec(
        "SELECT token_id FROM tokens_s0 WHERE token_id >= $1 AND token_id <= $2 AND author_id <> $3 "
        "ORDER BY token_id",
        {e.start_token_id, e.last_token_id(), author_id});
    for (const auto& row : other.rows) outcome.conflicting_token_ids.push_back(std::stoll(row.at(0).value()));
  }
  return outcome;
}

void log_recorded(const log::EventLog& log, const MintEvent& e, const RecordOutcome& o, const char* source) {
  log.info("mint.detected", {{"tx", e.tx_hash},
                             {"block", e.block_number},
                             {"start_token_id", e.start_token_id},
                             {"quantity", e.quantity},
                             {"author", e.prompt_author},
                             {"minter", e.minter},
                             {"tokens_created", o.tokens_created},
                             {"source", source}});
  if (!o.conflicting_token_ids.empty()) {
    log.warn("mint.token_conflict", {{"tx", e.tx_hash}, {"token_ids", o.conflicting_token_ids}, {"author", e.prompt_author}});
  }
}

}  // namespace glisk::mints
