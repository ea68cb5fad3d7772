#include "store/prediction_results.hpp"

#include "clock/time_format.hpp"
#include "store/token_lifecycle.hpp"

namespace glisk::store {
namespace {

// Long past any prediction's life (IMAGE_TIMEOUT_SECONDS) and any resume of it.
constexpr std::chrono::hours kKeep{24 * 7};

}  // namespace

bool PredictionResults::record(const std::string& webhook_id, const std::string& prediction_id,
                               const std::string& status, const std::string& prediction_json) {
  const auto now = clock_.now();
  return in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    tx.exec("DELETE FROM prediction_results WHERE received_at < $1", {clock::format_time(now - kKeep)});
    const bool kept =
        tx.exec(
              "INSERT INTO prediction_results (prediction_id, webhook_id, status, prediction, received_at) "
              "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
              {prediction_id, webhook_id, status, prediction_json, clock::format_time(now)})
            .affected == 1;
    if (kept) db_.notify_on_commit(tx, kWakeChannel, std::string(kPredictionPayloadPrefix) + prediction_id);
    return kept;
  });
}

std::optional<std::string> PredictionResults::find(const std::string& prediction_id) {
  return in_transaction(db_, TxMode::kRead, [&](Transaction& tx) -> std::optional<std::string> {
    auto r = tx.exec("SELECT prediction FROM prediction_results WHERE prediction_id = $1", {prediction_id});
    if (r.empty()) return std::nullopt;
    return r.row(0).get<std::string>("prediction");
  });
}

}  // namespace glisk::store
