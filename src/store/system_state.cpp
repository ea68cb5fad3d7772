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

}  // namespace glisk::store
