#include "reveal/sender_lease.hpp"

#include <nlohmann/json.hpp>

#include "clock/time_format.hpp"

namespace glisk::reveal {
namespace {

struct LeaseValue {
  std::string holder;
  clock::TimePoint until{};
};

std::optional<LeaseValue> parse(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object() || !j.contains("holder") || !j["holder"].is_string() || !j.contains("until") || !j["until"].is_string()) {
    return std::nullopt;  // unreadable: treated as expired
  }
  auto until = clock::parse_time(j["until"].get<std::string>());
  if (!until) return std::nullopt;
  return LeaseValue{j["holder"].get<std::string>(), *until};
}

}  // namespace

SenderLease::SenderLease(store::Database& db, clock::Clock& clock, const std::string& sender_address, std::string holder,
                         std::chrono::milliseconds length)
    : db_(db), clock_(clock), key_("reveal_sender:" + sender_address), holder_(std::move(holder)), length_(length) {}

bool SenderLease::hold() {
  const auto now = clock_.now();
  const std::string now_text = clock::format_time(now);
  const std::string value = nlohmann::json{{"holder", holder_}, {"until", clock::format_time(now + length_)}}.dump();
  const std::string lock = db_.dialect() == store::Dialect::kPostgres ? " FOR UPDATE" : "";
  return store::in_transaction(db_, store::TxMode::kWrite, [&](store::Transaction& tx) {
    auto current = tx.exec("SELECT value FROM system_state WHERE key = $1" + lock, {key_});
    if (current.rows.empty()) {
      // Two instances may both see no row: the primary key lets one of them in.
      auto inserted = tx.exec("INSERT INTO system_state (key, value, updated_at) VALUES ($1, $2, $3) "
                              "ON CONFLICT (key) DO NOTHING",
                              {key_, value, now_text});
      return inserted.affected == 1;
    }
    auto lease = parse(current.rows[0][0]);
    if (lease && lease->holder != holder_ && lease->until > now) return false;
    tx.exec("UPDATE system_state SET value = $2, updated_at = $3 WHERE key = $1", {key_, value, now_text});
    return true;
  });
}

void SenderLease::release() {
  const std::string lock = db_.dialect() == store::Dialect::kPostgres ? " FOR UPDATE" : "";
  store::in_transaction(db_, store::TxMode::kWrite, [&](store::Transaction& tx) {
    auto current = tx.exec("SELECT value FROM system_state WHERE key = $1" + lock, {key_});
    if (current.rows.empty()) return;
    auto lease = parse(current.rows[0][0]);
    if (lease && lease->holder == holder_) tx.exec("DELETE FROM system_state WHERE key = $1", {key_});
  });
}

std::optional<std::string> SenderLease::holder() {
  auto current = store::in_transaction(db_, store::TxMode::kRead, [&](store::Transaction& tx) {
    return tx.exec("SELECT value FROM system_state WHERE key = $1", {key_});
  });
  if (current.rows.empty()) return std::nullopt;
  auto lease = parse(current.rows[0][0]);
  if (!lease || lease->until <= clock_.now()) return std::nullopt;
  return lease->holder;
}

}  // namespace glisk::reveal
