#pragma once
// An operator's pause of a stage (`glisk pause image`, POST /api/admin/pause): to stop paying a
// provider while its billing is fixed, or reveals through a gas spike. One row per paused stage
// in system_state (`operator_pause:<stage>`: who, why; its updated_at is when), so every instance
// on the database obeys the same switch and every view shows it. A paused stage claims nothing
// new; what it holds finishes (a paid call is never thrown away, an open reveal transaction is
// still settled). Resuming deletes the row. Unlike the breaker's and rate limit's pauses
// (store/stage_reports.hpp), this one never ends by itself.
//
// PauseSwitch is the workers' side: it reads the rows at most every `refresh` (half a second by
// default), so a pause or resume on any instance is honoured everywhere within a second.
// Thread-safe.

#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "clock/clock.hpp"
#include "store/database.hpp"
#include "store/system_state.hpp"
#include "sync/mutex.hpp"
#include "token/token.hpp"

namespace glisk::store {

struct OperatorPause {
  token::Stage stage = token::Stage::kImage;
  std::string by;      // who paused it: `cli:<user>@<host>`, `admin-api:<address>`
  std::string reason;  // what they said
  clock::TimePoint at{};
};

class StageControls {
 public:
  StageControls(Database& db, clock::Clock& clock) : db_(db), state_(clock) {}

  // Pauses `stage`. A stage already paused keeps its first who and when (the answer says them).
  // Returns the pause in effect and whether this call made it.
  std::pair<OperatorPause, bool> pause(token::Stage stage, const std::string& by, const std::string& reason);
  // Ends the pause of `stage`: the pause it ended, or nullopt when the stage was not paused.
  std::optional<OperatorPause> resume(token::Stage stage);
  // The stages paused now, in pipeline order.
  std::vector<OperatorPause> paused();

  // What operators did, from every instance and the CLI: tokens retried and cancelled per stage
  // (store::kOperatorRetriesKey, kOperatorCancelsKey), every stage present (0 when none).
  struct Totals {
    std::map<std::string, int64_t> retries;
    std::map<std::string, int64_t> cancels;
  };
  Totals totals();

 private:
  Database& db_;
  SystemState state_;
};

class PauseSwitch {
 public:
  static constexpr std::chrono::milliseconds kRefresh{500};
  PauseSwitch(StageControls& controls, clock::Clock& clock, std::chrono::milliseconds refresh = kRefresh)
      : controls_(controls), clock_(clock), refresh_(refresh) {}

  // Whether an operator paused `stage`, as the database said at most `refresh` ago. When the
  // database cannot be read the last answer stands (the stage's own moves will meet the outage).
  bool paused(token::Stage stage);

 private:
  StageControls& controls_;
  clock::Clock& clock_;
  const std::chrono::milliseconds refresh_;
  sync::Mutex mutex_;
  std::array<bool, 3> paused_ GLISK_GUARDED_BY(mutex_){};
  std::optional<clock::SteadyPoint> read_at_ GLISK_GUARDED_BY(mutex_);
};

}  // namespace glisk::store
