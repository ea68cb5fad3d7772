#pragma once
// Where every instance says which of its stages are paused, so that `glisk queues`, `glisk status`,
// /api/stats and the dashboard of any instance show it: a row per paused stage per instance in
// system_state (`stage_paused:<instance>:<stage>`), written by that instance only. A stage that
// resumes loses its row; an instance that dies stops refreshing its rows, and readers ignore rows
// older than the freshness they ask for. Thread-safe (no state beyond the database).

#include <chrono>
#include <string>
#include <vector>

#include "clock/clock.hpp"
#include "store/database.hpp"
#include "store/system_state.hpp"

namespace glisk::store {

// A paused stage's row is refreshed every quarter of this; a row older than it is a dead
// instance's, and nobody shows it.
inline constexpr std::chrono::milliseconds kStageReportFreshness{60'000};

struct StagePauseReport {
  std::string stage;     // "image", "ipfs", "reveal"
  std::string instance;  // who reports it
  std::string provider;  // whose fault or limit
  std::string cause;     // "breaker" (an outage) or "rate_limit" (a 429)
  std::string reason;    // what happened and what to do
  clock::TimePoint since{};
  clock::TimePoint next_probe{};   // when the stage calls the provider again
  clock::TimePoint reported_at{};  // set by current(): when the instance last said so
};

class StageReports {
 public:
  StageReports(Database& db, clock::Clock& clock) : db_(db), state_(clock), clock_(clock) {}

  // `instance`'s paused stages now: these rows are written, its other rows go. Every report's
  // instance must be `instance`.
  void publish(const std::string& instance, const std::vector<StagePauseReport>& paused);
  // Every instance's reports refreshed within `fresh`, by stage then instance.
  std::vector<StagePauseReport> current(std::chrono::milliseconds fresh = kStageReportFreshness);

 private:
  Database& db_;
  SystemState state_;
  clock::Clock& clock_;
};

}  // namespace glisk::store
