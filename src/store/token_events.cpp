#include "store/token_events.hpp"

#include "clock/time_format.hpp"

namespace glisk::store {
namespace {

SqlValue opt(const std::optional<std::string>& v) { return v ? SqlValue{*v} : SqlValue{nullptr}; }

}  // namespace

void record_token_event(Transaction& tx, const TokenEvent& e) {
  tx.exec(std::string(kInsertTokenEvents) + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
          {e.token_id, opt(e.from_status), e.to_status, e.at, opt(e.instance), opt(e.stage),
           e.attempt ? SqlValue{*e.attempt} : SqlValue{nullptr}, opt(e.error), opt(e.tx_hash)});
}

std::vector<TokenEvent> token_events(Transaction& tx, int64_t token_id) {
  auto r = tx.exec(
      "SELECT id, token_id, from_status, to_status, at, instance, stage, attempt, error, tx_hash FROM token_events "
      "WHERE token_id = $1 ORDER BY at, id",
      {token_id});
  std::vector<TokenEvent> out;
  for (const Row row : r) {
    TokenEvent e;
    e.id = row.get<int64_t>("id");
    e.token_id = row.get<int64_t>("token_id");
    e.from_status = row.get_optional<std::string>("from_status");
    e.to_status = row.get<std::string>("to_status");
    // PostgreSQL answers in its own format; show one format everywhere.
    e.at = clock::format_time(row.get<clock::TimePoint>("at"));
    e.instance = row.get_optional<std::string>("instance");
    e.stage = row.get_optional<std::string>("stage");
    e.attempt = row.get_optional<int64_t>("attempt");
    e.error = row.get_optional<std::string>("error");
    e.tx_hash = row.get_optional<std::string>("tx_hash");
    out.push_back(std::move(e));
  }
  return out;
}

std::optional<std::vector<TokenEvent>> token_history(Database& db, int64_t token_id) {
  return in_transaction(db, TxMode::kRead, [&](Transaction& tx) -> std::optional<std::vector<TokenEvent>> {
    if (tx.exec("SELECT 1 FROM tokens_s0 WHERE token_id = $1", {token_id}).empty()) return std::nullopt;
    return token_events(tx, token_id);
  });
}

}  // namespace glisk::store
