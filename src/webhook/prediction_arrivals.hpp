#pragma once
// The image provider's inbox (image/prediction_inbox.hpp) fed by Replicate's webhook: a waiter
// for a prediction is woken when a delivery of it is kept — by this process's webhook, or by
// another instance's (its notification on the wake channel reaches arrived() through the
// service's listener) — and reads it from prediction_results. A holder that died never reads
// it; the next claim resumes the prediction and finds it there at once. Thread-safe.

#include <deque>
#include <optional>
#include <string>

#include "clock/clock.hpp"
#include "image/prediction_inbox.hpp"
#include "queue/wake_signal.hpp"
#include "store/prediction_results.hpp"
#include "sync/mutex.hpp"

namespace glisk::webhook {

class PredictionArrivals final : public image::PredictionInbox {
 public:
  PredictionArrivals(store::PredictionResults& results, const clock::Clock& clock) : results_(results), clock_(clock) {}

  // A delivery of `prediction_id` was kept: wake its waiter.
  void arrived(const std::string& prediction_id);

  // The database failing makes this wait out `until` and say nothing came: the provider polls.
  std::optional<std::string> wait(const std::string& prediction_id, clock::SteadyPoint until,
                                  std::stop_token stop) override;

 private:
  bool came(const std::string& prediction_id) const;

  store::PredictionResults& results_;
  const clock::Clock& clock_;
  queue::WakeSignal signal_;
  mutable sync::Mutex mutex_;
  std::deque<std::string> recent_ GLISK_GUARDED_BY(mutex_);  // the last arrivals, newest last
};

}  // namespace glisk::webhook
