#include "store/stage_reports.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "clock/time_format.hpp"
#include "errors/assert.hpp"

namespace glisk::store {
namespace {

constexpr std::string_view kPrefix = "stage_paused:";

std::string key_of(const std::string& instance, const std::string& stage) {
  return std::string(kPrefix) + instance + ":" + stage;
}

// A row another version wrote, or a hand edit, is skipped rather than breaking every reader.
std::optional<StagePauseReport> parse(const SystemState::Row& row) {
  try {
    const auto j = nlohmann::json::parse(row.value);
    StagePauseReport r;
    r.stage = j.at("stage").get<std::string>();
    r.instance = j.at("instance").get<std::string>();
    r.provider = j.at("provider").get<std::string>();
    r.cause = j.at("cause").get<std::string>();
    r.reason = j.at("reason").get<std::string>();
    const auto since = clock::parse_time(j.at("since").get<std::string>());
    const auto next_probe = clock::parse_time(j.at("next_probe").get<std::string>());
    if (!since || !next_probe) return std::nullopt;
    r.since = *since;
    r.next_probe = *next_probe;
    r.reported_at = row.updated_at;
    return r;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace

void StageReports::publish(const std::string& instance, const std::vector<StagePauseReport>& paused) {
  for (const auto& r : paused) {
    GLISK_ASSERT(r.instance == instance, "a stage report of another instance");
  }
  const std::string own = std::string(kPrefix) + instance + ":";
  in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    std::set<std::string> keep;
    for (const auto& r : paused) {
      const std::string key = key_of(instance, r.stage);
      keep.insert(key);
      state_.put(tx, key,
                 nlohmann::json{{"stage", r.stage},
                                {"instance", r.instance},
                                {"provider", r.provider},
                                {"cause", r.cause},
                                {"reason", r.reason},
                                {"since", clock::format_time(r.since)},
                                {"next_probe", clock::format_time(r.next_probe)}}
                     .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    for (const auto& row : state_.with_prefix(tx, own)) {
      if (!keep.contains(row.key)) state_.remove(tx, row.key);
    }
  });
}

std::vector<StagePauseReport> StageReports::current(std::chrono::milliseconds fresh) {
  const auto oldest = clock_.now() - fresh;
  auto rows =
      in_transaction(db_, TxMode::kRead, [&](Transaction& tx) { return state_.with_prefix(tx, std::string(kPrefix)); });
  std::vector<StagePauseReport> out;
  for (const auto& row : rows) {
    if (row.updated_at < oldest) continue;
    if (auto r = parse(row)) out.push_back(std::move(*r));
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return std::tie(a.stage, a.instance) < std::tie(b.stage, b.instance); });
  return out;
}

}  // namespace glisk::store
