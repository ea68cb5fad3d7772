#include "store/reveal_journal.hpp"

#include <nlohmann/json.hpp>

#include "clock/time_format.hpp"
#include "store/token_lifecycle.hpp"

namespace glisk::store {
namespace {

constexpr std::string_view kColumns =
    "id, sender, nonce, tx_hash, token_ids, max_fee_per_gas, max_priority_fee_per_gas, gas_limit, raw_tx, status, "
    "submitted_at";

std::vector<JournalEntry> entries_of(const Result& r) {
  std::vector<JournalEntry> out;
  for (const Row row : r) {
    JournalEntry e;
    e.id = row.get<int64_t>("id");
    e.sender = row.get_optional<std::string>("sender").value_or("");
    e.nonce = row.get_optional<uint64_t>("nonce").value_or(0);
    e.tx_hash = row.get_optional<std::string>("tx_hash").value_or("");
    e.token_ids = parse_token_ids(row.get_optional<std::string>("token_ids").value_or("[]"));
    e.fees.max_fee_per_gas = eth::U256::parse(row.get_optional<std::string>("max_fee_per_gas").value_or("0"));
    e.fees.max_priority_fee_per_gas =
        eth::U256::parse(row.get_optional<std::string>("max_priority_fee_per_gas").value_or("0"));
    e.gas_limit = row.get_optional<uint64_t>("gas_limit").value_or(0);
    e.raw_tx = row.get_optional<std::string>("raw_tx").value_or("");
    e.status = row.get<std::string>("status");
    e.submitted_at = row.get_optional<clock::TimePoint>("submitted_at").value_or(clock::TimePoint{});
    out.push_back(std::move(e));
  }
  return out;
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
    return res.row(0).get<int64_t>("id");
  });
}

std::vector<JournalEntry> RevealJournal::pending(const std::string& sender) {
  return in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
    return entries_of(
        tx.exec("SELECT " + std::string(kColumns) +
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
    tx.exec(
        "UPDATE reveal_transactions SET status = 'confirmed', block_number = $2, gas_used = $3, "
        "effective_gas_price = $4, confirmed_at = $5, error = NULL, updated_at = $5 WHERE id = $1",
        {mined.id, static_cast<int64_t>(block_number), static_cast<int64_t>(gas_used), gas_price.to_dec(), now});
    tx.exec(
        "UPDATE reveal_transactions SET status = 'replaced', updated_at = $4 "
        "WHERE sender = $1 AND nonce = $2 AND id <> $3 AND status = 'pending'",
        {mined.sender, static_cast<int64_t>(mined.nonce), mined.id, now});
    return reveal_tokens(tx, mined.token_ids, mined.tx_hash, instance_, now);
  });
}

void RevealJournal::fail_reverted(const JournalEntry& mined, uint64_t block_number, uint64_t gas_used,
                                  const eth::U256& gas_price, const std::string& reason, clock::TimePoint retry_at) {
  const std::string now = clock::format_time(clock_.now());
  in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    tx.exec(
        "UPDATE reveal_transactions SET status = 'failed', block_number = $2, gas_used = $3, "
        "effective_gas_price = $4, error = $5, updated_at = $6 WHERE id = $1",
        {mined.id, static_cast<int64_t>(block_number), static_cast<int64_t>(gas_used), gas_price.to_dec(), reason,
         now});
    tx.exec(
        "UPDATE reveal_transactions SET status = 'replaced', updated_at = $4 "
        "WHERE sender = $1 AND nonce = $2 AND id <> $3 AND status = 'pending'",
        {mined.sender, static_cast<int64_t>(mined.nonce), mined.id, now});
    postpone_reveal(tx, mined.token_ids, "reveal transaction " + mined.tx_hash + " reverted: " + reason,
                    clock::format_time(retry_at), now, true, instance_);
  });
}

void RevealJournal::abandon(const std::string& sender, uint64_t nonce, const std::vector<int64_t>& token_ids,
                            const std::string& reason, clock::TimePoint retry_at, bool count_attempt) {
  const std::string now = clock::format_time(clock_.now());
  in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    tx.exec(
        "UPDATE reveal_transactions SET status = 'failed', error = $3, updated_at = $4 "
        "WHERE sender = $1 AND nonce = $2 AND status = 'pending'",
        {sender, static_cast<int64_t>(nonce), reason, now});
    postpone_reveal(tx, token_ids, reason, clock::format_time(retry_at), now, count_attempt, instance_);
  });
}

void RevealJournal::refuse(int64_t id, const std::string& reason) {
  in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    tx.exec(
        "UPDATE reveal_transactions SET status = 'failed', error = $2, updated_at = $3 WHERE id = $1 AND status = "
        "'pending'",
        {id, reason, clock::format_time(clock_.now())});
  });
}

void RevealJournal::record_unsent(const std::string& sender, const std::vector<int64_t>& token_ids,
                                  const std::string& reason) {
  const std::string now = clock::format_time(clock_.now());
  in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    tx.exec(
        "INSERT INTO reveal_transactions (token_ids, status, sender, error, created_at, updated_at) "
        "VALUES ($1, 'failed', $2, $3, $4, $4)",
        {token_ids_text(token_ids), sender, reason, now});
  });
}

int64_t RevealJournal::mark_revealed_on_chain(const std::vector<int64_t>& token_ids) {
  if (token_ids.empty()) return 0;
  const std::string now = clock::format_time(clock_.now());
  return in_transaction(db_, TxMode::kWrite,
                        [&](Transaction& tx) { return reveal_tokens(tx, token_ids, std::nullopt, instance_, now); });
}

void RevealJournal::postpone(const std::vector<int64_t>& token_ids, const std::optional<std::string>& reason,
                             clock::TimePoint retry_at, bool count_attempt) {
  in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    postpone_reveal(tx, token_ids, reason, clock::format_time(retry_at), clock::format_time(clock_.now()),
                    count_attempt, instance_);
  });
}

namespace {

// A batch and its fee-bumped replacements share a nonce: one transaction on its way.
void read_open_transactions(Transaction& tx, JournalSummary& s) {
  auto open = tx.exec(
      "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM "
      "(SELECT sender, nonce, MIN(created_at) AS created_at FROM reveal_transactions WHERE status = 'pending' "
      "GROUP BY sender, nonce) AS open_nonces");
  s.open_transactions = open.row(0).get<int64_t>("n");
  s.oldest_open = open.row(0).get_optional<clock::TimePoint>("oldest");
}

}  // namespace

JournalSummary RevealJournal::summary() {
  return in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
    JournalSummary s;
    auto counts = tx.exec("SELECT status, COUNT(*) AS n FROM reveal_transactions GROUP BY status");
    for (const Row row : counts) {
      const auto status = row.get<std::string>("status");
      const auto n = row.get<int64_t>("n");
      if (status == "pending") s.pending = n;
      if (status == "confirmed") s.confirmed = n;
      if (status == "failed") s.failed = n;
    }
    auto last = tx.exec(
        "SELECT error, updated_at FROM reveal_transactions WHERE status = 'failed' "
        "ORDER BY updated_at DESC, id DESC LIMIT 1");
    if (!last.empty()) {
      s.last_error = last.row(0).get_optional<std::string>("error");
      s.last_error_at = last.row(0).get_optional<std::string>("updated_at");
    }
    read_open_transactions(tx, s);
    return s;
  });
}

JournalSummary RevealJournal::open_transactions() {
  return in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
    JournalSummary s;
    read_open_transactions(tx, s);
    return s;
  });
}

namespace {

constexpr const char* kRecordColumns =
    "id, tx_hash, status, token_ids, nonce, block_number, gas_used, effective_gas_price, error, created_at, "
    "confirmed_at";

std::vector<RevealRecord> records_of(const Result& r) {
  std::vector<RevealRecord> out;
  for (const Row row : r) {
    RevealRecord t;
    t.id = row.get<int64_t>("id");
    t.tx_hash = row.get_optional<std::string>("tx_hash");
    t.status = row.get<std::string>("status");
    try {
      t.token_count = parse_token_ids(row.get_optional<std::string>("token_ids").value_or("[]")).size();
    } catch (const std::invalid_argument&) {
      t.token_count = 0;  // a row written by hand; shown, not trusted
    }
    t.nonce = row.get_optional<int64_t>("nonce");
    t.block_number = row.get_optional<int64_t>("block_number");
    t.gas_used = row.get_optional<int64_t>("gas_used");
    t.effective_gas_price = row.get_optional<std::string>("effective_gas_price");
    t.error = row.get_optional<std::string>("error");
    if (auto at = row.get_optional<clock::TimePoint>("created_at")) t.created_at = clock::format_time(*at);
    if (auto at = row.get_optional<clock::TimePoint>("confirmed_at")) t.confirmed_at = clock::format_time(*at);
    if (t.gas_used && t.token_count > 0) t.gas_per_token = *t.gas_used / static_cast<int64_t>(t.token_count);
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

std::vector<RevealRecord> RevealJournal::recent(int limit) {
  return records_of(in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
    return tx.exec("SELECT " + std::string(kRecordColumns) + " FROM reveal_transactions ORDER BY id DESC LIMIT $1",
                   {int64_t{limit}});
  }));
}

std::optional<RevealRecord> RevealJournal::find_by_hash(const std::string& tx_hash) {
  auto rows = records_of(in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
    return tx.exec("SELECT " + std::string(kRecordColumns) + " FROM reveal_transactions WHERE tx_hash = $1", {tx_hash});
  }));
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::vector<RevealRecord> RevealJournal::recent_before(int64_t before_id, int limit) {
  return records_of(in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
    return tx.exec(
        "SELECT " + std::string(kRecordColumns) + " FROM reveal_transactions WHERE id < $1 ORDER BY id DESC LIMIT $2",
        {before_id, int64_t{limit}});
  }));
}

}  // namespace glisk::store
