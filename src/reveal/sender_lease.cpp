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
  if (!j.is_object() || !j.contains("holder") || !j["holder"].is_string() || !j.contains("until") ||
      !j["until"].is_string()) {
    return std::nullopt;  // unreadable: treated as expired
  }
  auto until = clock::parse_time(j["until"].get<std::string>());
  if (!until) return std::nullopt;
  return LeaseValue{j["holder"].get<std::string>(), *until};
}

}  // namespace

SenderLease::SenderLease(store::Database& db, clock::Clock& clock, const std::string& sender_address,
                         std::string holder, std::chrono::milliseconds length)
    : db_(db),
      clock_(clock),
      state_(clock),
      key_("reveal_sender:" + sender_address),
      holder_(std::move(holder)),
      length_(length) {}

bool SenderLease::hold() {
  const auto now = clock_.now();
  const std::string value = nlohmann::json{{"holder", holder_}, {"until", clock::format_time(now + length_)}}.dump();
  return store::in_transaction(db_, store::TxMode::kWrite, [&](store::Transaction& tx) {
    const auto current = state_.get(tx, key_);
    if (auto lease = parse(current); lease && lease->holder != holder_ && lease->until > now) return false;
    // Compare-and-set on the value read: of two instances taking an expired lease, one wins.
    return state_.compare_and_set(tx, key_, current, value);
  });
}

void SenderLease::release() {
  store::in_transaction(db_, store::TxMode::kWrite, [&](store::Transaction& tx) {
    const auto current = state_.get(tx, key_);
    auto lease = parse(current);
    if (lease && lease->holder == holder_) (void)state_.compare_and_delete(tx, key_, *current);
  });
}

std::optional<std::string> SenderLease::holder() {
  auto lease = parse(state_.get(db_, key_));
  if (!lease || lease->until <= clock_.now()) return std::nullopt;
  return lease->holder;
}

}  // namespace glisk::reveal
