#include "webhook/prediction_arrivals.hpp"

#include <algorithm>

#include "store/database.hpp"

namespace glisk::webhook {
namespace {

// Far more than the predictions in flight across instances: an arrival is looked up long before
// a thousand others push it out (and the database has it anyway, for the next look).
constexpr size_t kRecentArrivals = 1024;

}  // namespace

void PredictionArrivals::arrived(const std::string& prediction_id) {
  {
    sync::MutexLock lock(mutex_);
    recent_.push_back(prediction_id);
    if (recent_.size() > kRecentArrivals) recent_.pop_front();
  }
  signal_.notify();
}

bool PredictionArrivals::came(const std::string& prediction_id) const {
  sync::MutexLock lock(mutex_);
  return std::find(recent_.rbegin(), recent_.rend(), prediction_id) != recent_.rend();
}

std::optional<std::string> PredictionArrivals::wait(const std::string& prediction_id, clock::SteadyPoint until,
                                                    std::stop_token stop) {
  bool look = true;  // at first: it may have come before anyone waited (or to another holder)
  for (;;) {
    const uint64_t seen = signal_.sequence();
    if (look || came(prediction_id)) {
      try {
        if (auto prediction = results_.find(prediction_id)) return prediction;
      } catch (const store::DatabaseError&) {
        // The monitor says so; polling finds the prediction meanwhile.
      }
      look = false;
    }
    const auto now = clock_.steady_now();
    if (now >= until || stop.stop_requested()) return std::nullopt;
    signal_.wait(clock_, seen,
                 std::chrono::duration_cast<std::chrono::milliseconds>(until - now) + std::chrono::milliseconds(1),
                 stop);
  }
}

}  // namespace glisk::webhook
