#pragma once
// Finished predictions as Replicate's webhook delivered them (table prediction_results), so that
// the token's holder sees its image without polling, whichever instance took the delivery and
// whoever holds the token by then (a holder that died leaves it to the next claim, which finds it
// here). A delivery is kept once per webhook id (Replicate sends a retry with the same id) and
// once per prediction; rows older than a week are pruned as new ones come. A notification on the
// wake channel (`prediction:<id>`) tells the other instances at commit. Thread-safe.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "clock/clock.hpp"
#include "store/database.hpp"

namespace glisk::store {

// The payload a delivery's notification carries on kWakeChannel: "prediction:<id>".
inline constexpr std::string_view kPredictionPayloadPrefix = "prediction:";

class PredictionResults {
 public:
  PredictionResults(Database& db, clock::Clock& clock) : db_(db), clock_(clock) {}

  // Keeps what a delivery said. False when that webhook id (or a delivery of that prediction)
  // was kept before: nothing changes.
  bool record(const std::string& webhook_id, const std::string& prediction_id, const std::string& status,
              const std::string& prediction_json);
  // The prediction as delivered, when a delivery of it was kept.
  std::optional<std::string> find(const std::string& prediction_id);

 private:
  Database& db_;
  clock::Clock& clock_;
};

}  // namespace glisk::store
