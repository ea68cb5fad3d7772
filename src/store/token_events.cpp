#include "store/token_events.hpp"

#include "clock/time_format.hpp"

namespace glisk::store {
namespace {

SqlValue opt(const std::optional<std::string>& v) { return v ? SqlValue{*v} : SqlValue{nullptr}; }

}  // namespace

TokenEvent creation_event(int64_t token_id, const std::string& at, std::optional<std::string> instance) {
  TokenEvent e;
  e.token_id = token_id;
  e.to_status = "detected";
  e.at = at;
  e.instance = std::move(instance);
  return e;
}

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
  for (const auto& row : r.rows) {
    TokenEvent e;
    e.id = std::stoll(row[0].value());
    e.token_id = std::stoll(row[1].value());
    e.from_status = row[2];
    e.to_status = row[3].value_or("");
    // PostgreSQL answers in its own format; show one format everywhere.
    const auto at = clock::parse_time(row[4].value_or(""));
    e.at = at ? clock::format_time(*at) : row[4].value_or("");
    e.instance = row[5];
    e.stage = row[6];
    if (row[7]) e.attempt = std::stoll(*row[7]);
    e.error = row[8];
    e.tx_hash = row[9];
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace glisk::store
