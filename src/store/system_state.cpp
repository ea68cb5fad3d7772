#include "store/system_state.hpp"

#include "clock/time_format.hpp"

namespace glisk::store {

std::optional<std::string> SystemState::get(Transaction& tx, const std::string& key) {
  auto r = tx.exec("SELECT value FROM system_state WHERE key = $1", {key});
  if (r.empty()) return std::nullopt;
  return r.row(0).get_optional<std::string>("value");
}

std::optional<std::string> SystemState::get(Database& db, const std::string& key) {
  return in_transaction(db, TxMode::kRead, [&](Transaction& tx) { return get(tx, key); });
}

bool SystemState::compare_and_set(Transaction& tx, const std::string& key, const std::optional<std::string>& expected,
                                  const std::string& value) {
  const std::string now = clock::format_time(clock_.now());
  if (expected) {
    return tx.exec("UPDATE system_state SET value = $1, updated_at = $2 WHERE key = $3 AND value = $4",
                   {value, now, key, *expected})
               .affected == 1;
  }
  // Two instances may both have seen no row: the primary key lets one of them in.
  return tx.exec("INSERT INTO system_state (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
                 {key, value, now})
             .affected == 1;
}

bool SystemState::compare_and_delete(Transaction& tx, const std::string& key, const std::string& expected) {
  return tx.exec("DELETE FROM system_state WHERE key = $1 AND value = $2", {key, expected}).affected == 1;
}

void SystemState::put(Transaction& tx, const std::string& key, const std::string& value) {
  tx.exec(
      "INSERT INTO system_state (key, value, updated_at) VALUES ($1, $2, $3) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
      {key, value, clock::format_time(clock_.now())});
}

void SystemState::add(Transaction& tx, const std::string& key, int64_t n) {
  tx.exec(
      "INSERT INTO system_state (key, value, updated_at) VALUES ($1, $2, $3) "
      "ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(system_state.value AS BIGINT) + $4 AS TEXT), "
      "updated_at = excluded.updated_at",
      {key, std::to_string(n), clock::format_time(clock_.now()), n});
}

void SystemState::remove(Transaction& tx, const std::string& key) {
  tx.exec("DELETE FROM system_state WHERE key = $1", {key});
}

std::vector<SystemState::Row> SystemState::with_prefix(Transaction& tx, const std::string& prefix) {
  // LIKE with its wildcards escaped: a prefix is matched as written on both backends.
  std::string pattern;
  for (char c : prefix) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  auto r = tx.exec("SELECT key, value, updated_at FROM system_state WHERE key LIKE $1 ESCAPE '\\' ORDER BY key",
                   {pattern + "%"});
  std::vector<Row> rows;
  for (const auto row : r) {
    rows.push_back(
        {row.get<std::string>("key"), row.get<std::string>("value"), row.get<clock::TimePoint>("updated_at")});
  }
  return rows;
}

}  // namespace glisk::store
