#include "store/reveal_journal.hpp"

#include <nlohmann/json.hpp>

#include "clock/time_format.hpp"
#include "store/token_events.hpp"

namespace glisk::store {
namespace {


// Token ids come from our own rows (int64), so writing them into the statement is safe, and an
// IN list reads the same on both backends.
std::string in_list(const std::vector<int64_t>& ids) {
  std::string out = "(";
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out + ")";
}

constexpr std::string_view kColumns =
    "id, sender, nonce, tx_hash, token_ids, max_fee_per_gas, max_priority_fee_per_gas, gas_limit, raw_tx, status, "
    "submitted_at";

std::vector<JournalEntry> entries_of(const Result& r) {
  std::vector<JournalEntry> out;
  for (const auto& row : r.rows) {
    JournalEntry e;
    e.id = std::stoll(row[0].value());
    e.sender = row[1].value_or("");
    e.nonce = std::stoull(row[2].value_or("0"));
    e.tx_hash = row[3].value_or("");
    e.token_ids = parse_token_ids(row[4].value_or("[]"));
    e.fees.max_fee_per_gas = eth::U256::parse(row[5].value_or("0"));
    e.fees.max_priority_fee_per_gas = eth::U256::parse(row[6].value_or("0"));
    e.gas_limit = std::stoull(row[7].value_or("0"));
    e.raw_tx = row[8].value_or("");
    e.status = row[9].value_or("");
    if (row[10]) e.submitted_at = clock::parse_time(*row[10]).value_or(clock::TimePoint{});
    out.push_back(std::move(e));
  }
  return out;
}

// One token_events row per token of `ids` that `status_filter` selects, before the move (same transaction).
void record_reveal_events(Transaction& tx, const std::vector<int64_t>& ids, const std::string& status_filter,
                          const std::string& to_status, const std::string& now, const std::string& instance,
                          const std::string& attempt_expression, const std::optional<std::string>& error,
                          const std::optional<std::string>& tx_hash) {
  if (ids.empty()) return;
  tx.exec(std::string(kInsertTokenEvents) + "SELECT token_id, status, $1, $2, $3, 'reveal', " + attempt_expression +
              ", $4, $5 FROM tokens_s0 WHERE " + status_filter + " AND token_id IN " + in_list(ids),
          {to_status, now, instance.empty() ? SqlValue{nullptr} : SqlValue{instance},
           error ? SqlValue{*error} : SqlValue{nullptr}, tx_hash ? SqlValue{*tx_hash} : SqlValue{nullptr}});
}

void postpone_in(Transaction& tx, const std::vector<int64_t>& ids, const std::optional<std::string>& reason,
                 const std::string& retry_at, const std::string& now, bool count_attempt, const std::string& instance) {
  if (ids.empty()) return;
  record_reveal_events(tx, ids, "status = 'ready'", "ready", now, instance,
                       std::string("reveal_attempts + ") + (count_attempt ? "1" : "0"), reason, std::nullopt);
  tx.exec(std::string("UPDATE tokens_s0 SET reveal_attempts = reveal_attempts + ") + (count_attempt ? "1" : "0") +
              ", generation_error = COALESCE($1, generation_error), next_attempt_at = $2, locked_by = NULL, "
              "locked_until = NULL, updated_at = $3 WHERE status = 'ready' AND token_id IN " + in_list(ids),
          {reason ? SqlValue{*reason} : SqlValue{nullptr}, retry_at, now});
}

}  // namespace

std::string token_ids_text(const std::vector<int64_t>& ids) { return nlohmann::json(ids).dump(); }

std::vector<int64_t> parse_token_ids(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) throw std::invalid_argument("token_ids is not a JSON array: " + text.substr(0, 80));
  std::vector<int64_t> out;
  for (const auto& v : j) {
    if (!v.is_number_integer()) throw std::invalid_argument("token_ids holds a non-integer: " + text.substr(0, 80));
    out.push_back(v.get<int64_t>());
  }
  return out;
}

int64_t RevealJournal::record_pending(const SignedReveal& r) {
  const std::string now = clock::format_time(clock_.now());
  return in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    auto res = tx.exec(
        "INSERT INTO reveal_transactions (tx_hash, token_ids, nonce, max_fee_per_gas, max_priority_fee_per_gas, "
        "gas_limit, status, sender, raw_tx, submitted_at, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9, $9, $9) RETURNING id",
        {r.tx_hash, token_ids_text(r.token_ids), static_cast<int64_t>(r.nonce), r.fees.max_fee_per_gas.to_dec(),
         r.fees.max_priority_fee_per_gas.to_dec(), static_cast<int64_t>(r.gas_limit), r.sender, r.raw_tx, now});
    return std::stoll(res.rows.at(0).at(0).value());
  });
}

std::vector<JournalEntry> RevealJournal::pending(const std::string& sender) {
  return in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
    return entries_of(tx.exec("SELECT " + std::string(kColumns) +
                                  " FROM reveal_transactions WHERE status = 'pending' AND sender = $1 ORDER BY nonce, id",
                              {sender}));
  });
}

std::vector<JournalEntry> RevealJournal::sent_at(const std::string& sender, uint64_t nonce) {
  return in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
    return entries_of(tx.exec("SELECT " + std::string(kColumns) +
                                  " FROM reveal_transactions WHERE sender = $1 AND nonce = $2 AND tx_hash IS NOT NULL "
                                  "ORDER BY id",
                              {sender, static_cast<int64_t>(nonce)}));
  });
}

int64_t RevealJournal::confirm(const JournalEntry& mined, uint64_t block_number, uint64_t gas_used,
                               const eth::U256& gas_price) {
  const std::string now = clock::format_time(clock_.now());
  return in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    tx.exec("UPDATE reveal_transactions SET status = 'confirmed', block_number = $2, gas_used = $3, "
            "effective_gas_price = $4, confirmed_at = $5, error = NULL, updated_at = $5 WHERE id = $1",
            {mined.id, static_cast<int64_t>(block_number), static_cast<int64_t>(gas_used), gas_price.to_dec(), now});
    tx.exec("UPDATE reveal_transactions SET status = 'replaced', updated_at = $4 "
            "WHERE sender = $1 AND nonce = $2 AND id <> $3 AND status = 'pending'",
            {mined.sender, static_cast<int64_t>(mined.nonce), mined.id, now});
    if (mined.token_ids.empty()) return int64_t{0};
    record_reveal_events(tx, mined.token_ids, "status IN ('ready', 'failed')", "revealed", now, instance_,
                         "reveal_attempts + 1", std::nullopt, mined.tx_hash);
    auto r = tx.exec("UPDATE tokens_s0 SET status = 'revealed', reveal_tx_hash = $1, locked_by = NULL, "
                     "locked_until = NULL, next_attempt_at = NULL, generation_error = NULL, failed_stage = NULL, "
                     "updated_at = $2 WHERE status IN ('ready', 'failed') AND token_id IN " + in_list(mined.token_ids),
                     {mined.tx_hash, now});
    return r.affected;
  });
}

void RevealJournal::fail_reverted(const JournalEntry& mined, uint64_t block_number, uint64_t gas_used,
                                  const eth::U256& gas_price, const std::string& reason, clock::TimePoint retry_at) {
  const std::string now = clock::format_time(clock_.now());
  in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    tx.exec("UPDATE reveal_transactions SET status = 'failed', block_number = $2, gas_used = $3, "
            "effective_gas_price = $4, error = $5, updated_at = $6 WHERE id = $1",
            {mined.id, static_cast<int64_t>(block_number), static_cast<int64_t>(gas_used), gas_price.to_dec(), reason, now});
    tx.exec("UPDATE reveal_transactions SET status = 'replaced', updated_at = $4 "
            "WHERE sender = $1 AND nonce = $2 AND id <> $3 AND status = 'pending'",
            {mined.sender, static_cast<int64_t>(mined.nonce), mined.id, now});
    postpone_in(tx, mined.token_ids, "reveal transaction " + mined.tx_hash + " reverted: " + reason,
                clock::format_time(retry_at), now, true, instance_);
  });
}

void RevealJournal::abandon(const std::string& sender, uint64_t nonce, const std::vector<int64_t>& token_ids,
                            const std::string& reason, clock::TimePoint retry_at, bool count_attempt) {
  const std::string now = clock::format_time(clock_.now());
  in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    tx.exec("UPDATE reveal_transactions SET status = 'failed', error = $3, updated_at = $4 "
            "WHERE sender = $1 AND nonce = $2 AND status = 'pending'",
            {sender, static_cast<int64_t>(nonce), reason, now});
    postpone_in(tx, token_ids, reason, clock::format_time(retry_at), now, count_attempt, instance_);
  });
}

void RevealJournal::refuse(int64_t id, const std::string& reason) {
  in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    tx.exec("UPDATE reveal_transactions SET status = 'failed', error = $2, updated_at = $3 WHERE id = $1 AND status = 'pending'",
            {id, reason, clock::format_time(clock_.now())});
  });
}

void RevealJournal::record_unsent(const std::string& sender, const std::vector<int64_t>& token_ids,
                                  const std::string& reason) {
  const std::string now = clock::format_time(clock_.now());
  in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    tx.exec("INSERT INTO reveal_transactions (token_ids, status, sender, error, created_at, updated_at) "
            "VALUES ($1, 'failed', $2, $3, $4, $4)",
            {token_ids_text(token_ids), sender, reason, now});
  });
}

int64_t RevealJournal::mark_revealed_on_chain(const std::vector<int64_t>& token_ids) {
  if (token_ids.empty()) return 0;
  const std::string now = clock::format_time(clock_.now());
  return in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    record_reveal_events(tx, token_ids, "status IN ('ready', 'failed')", "revealed", now, instance_, "reveal_attempts",
                         std::string("already revealed on chain"), std::nullopt);
    return tx.exec("UPDATE tokens_s0 SET status = 'revealed', locked_by = NULL, locked_until = NULL, "
                   "next_attempt_at = NULL, generation_error = NULL, failed_stage = NULL, updated_at = $1 "
                   "WHERE status IN ('ready', 'failed') AND token_id IN " + in_list(token_ids),
                   {now})
        .affected;
  });
}

void RevealJournal::postpone(const std::vector<int64_t>& token_ids, const std::optional<std::string>& reason,
                             clock::TimePoint retry_at, bool count_attempt) {
  in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    postpone_in(tx, token_ids, reason, clock::format_time(retry_at), clock::format_time(clock_.now()), count_attempt,
                instance_);
  });
}

JournalSummary RevealJournal::summary() {
  return in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
    JournalSummary s;
    auto counts = tx.exec("SELECT status, COUNT(*) FROM reveal_transactions GROUP BY status");
    for (const auto& row : counts.rows) {
      const int64_t n = std::stoll(row[1].value_or("0"));
      if (row[0] == "pending") s.pending = n;
      if (row[0] == "confirmed") s.confirmed = n;
      if (row[0] == "failed") s.failed = n;
    }
    auto last = tx.exec("SELECT error, updated_at FROM reveal_transactions WHERE status = 'failed' "
                        "ORDER BY updated_at DESC, id DESC LIMIT 1");
    if (!last.rows.empty()) {
      s.last_error = last.rows[0][0];
      s.last_error_at = last.rows[0][1];
    }
    return s;
  });
}

}  // namespace glisk::store
