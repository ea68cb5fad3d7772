#include "store/stage_controls.hpp"

#include <nlohmann/json.hpp>

#include "store/token_lifecycle.hpp"

namespace glisk::store {
namespace {

constexpr std::string_view kPrefix = "operator_pause:";

std::string key_of(token::Stage stage) { return std::string(kPrefix) + std::string(token::to_string(stage)); }

// A row another version wrote, or a hand edit, still pauses its stage: the switch must not be
// lost to a formatting slip. Its who and why are shown as unreadable instead.
OperatorPause parse(token::Stage stage, const SystemState::Row& row) {
  OperatorPause p{stage, "?", "(unreadable pause row " + row.key + ")", row.updated_at};
  const auto j = nlohmann::json::parse(row.value, nullptr, false);
  if (j.is_object() && j.contains("by") && j["by"].is_string() && j.contains("reason") && j["reason"].is_string()) {
    p.by = j["by"].get<std::string>();
    p.reason = j["reason"].get<std::string>();
  }
  return p;
}

}  // namespace

std::pair<OperatorPause, bool> StageControls::pause(token::Stage stage, const std::string& by,
                                                    const std::string& reason) {
  return in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    const std::string value = nlohmann::json{{"by", by}, {"reason", reason}}.dump();
    const bool made = state_.compare_and_set(tx, key_of(stage), std::nullopt, value);
    for (const auto& row : state_.with_prefix(tx, key_of(stage))) {
      if (row.key == key_of(stage)) return std::make_pair(parse(stage, row), made);
    }
    throw QueryError("the pause of stage " + std::string(token::to_string(stage)) + " was not stored");
  });
}

std::optional<OperatorPause> StageControls::resume(token::Stage stage) {
  return in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) -> std::optional<OperatorPause> {
    for (const auto& row : state_.with_prefix(tx, key_of(stage))) {
      if (row.key != key_of(stage)) continue;
      state_.remove(tx, row.key);
      return parse(stage, row);
    }
    return std::nullopt;
  });
}

std::vector<OperatorPause> StageControls::paused() {
  const auto rows =
      in_transaction(db_, TxMode::kRead, [&](Transaction& tx) { return state_.with_prefix(tx, std::string(kPrefix)); });
  std::vector<OperatorPause> out;
  for (token::Stage stage : token::kAllStages) {
    for (const auto& row : rows) {
      if (row.key == key_of(stage)) out.push_back(parse(stage, row));
    }
  }
  return out;
}

StageControls::Totals StageControls::totals() {
  Totals totals;
  for (token::Stage stage : token::kAllStages) {
    totals.retries[std::string(token::to_string(stage))] = 0;
    totals.cancels[std::string(token::to_string(stage))] = 0;
  }
  in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
    for (const auto& [prefix, into] :
         {std::pair{kOperatorRetriesKey, &totals.retries}, std::pair{kOperatorCancelsKey, &totals.cancels}}) {
      for (const auto& row : state_.with_prefix(tx, std::string(prefix))) {
        const std::string stage = row.key.substr(prefix.size());
        if (!into->contains(stage)) continue;  // not a stage this glisk knows
        try {
          (*into)[stage] = std::stoll(row.value);
        } catch (const std::exception&) {
          // A hand-edited count: left at what was read before it (0), the others still shown.
        }
      }
    }
  });
  return totals;
}

bool PauseSwitch::paused(token::Stage stage) {
  const auto now = clock_.steady_now();
  {
    sync::MutexLock lock(mutex_);
    if (read_at_ && now - *read_at_ < refresh_) return paused_[static_cast<size_t>(stage)];
    read_at_ = now;  // this caller reads; the others keep the last answer meanwhile
  }
  // The read outside the lock: the other stages' threads never wait behind a slow database.
  std::optional<std::array<bool, 3>> fresh;
  try {
    fresh.emplace();
    for (const auto& p : controls_.paused()) (*fresh)[static_cast<size_t>(p.stage)] = true;
  } catch (const std::exception&) {
    fresh.reset();  // the last answer stands; the stage's own moves meet the same outage and say so
  }
  sync::MutexLock lock(mutex_);
  if (fresh) paused_ = *fresh;
  return paused_[static_cast<size_t>(stage)];
}

}  // namespace glisk::store
