#pragma once
// A provider's request budget: `per_minute` requests a minute as a token bucket, so a burst of up
// to `burst` goes at once and the rest is spread evenly (Replicate documents 600 prediction
// creates and 3,000 other requests a minute; Pinata 180 API requests a minute). A caller waits
// for budget before it sends; the wait is the provider's pace, never a token's attempt. A 429's
// wait holds the budget: nothing is sent before it ends. One budget per provider and kind of
// request, shared by every slot of the process (instances on one account divide the budget:
// docs/OPERATIONS.md). Thread-safe; all waiting on the injected clock.

#include <chrono>
#include <stop_token>

#include "clock/clock.hpp"
#include "sync/mutex.hpp"

namespace glisk::net {

class RateBudget {
 public:
  // `per_minute` ≤ 0: unlimited. `burst` ≤ 0: a tenth of a minute's budget, at least 1.
  RateBudget(const clock::Clock& clock, int per_minute, int burst = 0);

  // Waits until a request may go and takes it from the budget; false when `stop` fired first.
  bool acquire(std::stop_token stop = {});
  // The provider asked for a pause (a 429's Retry-After): no request goes before it ends.
  void hold_for(std::chrono::milliseconds wait);
  // Requests that could go at once now.
  double available() const;
  int per_minute() const { return per_minute_; }

 private:
  // Earns back what the time since the last refill is worth (bookkeeping: const).
  void refill(clock::SteadyPoint now) const GLISK_REQUIRES(mutex_);

  const clock::Clock& clock_;
  const int per_minute_;
  const double burst_;
  mutable sync::Mutex mutex_;
  mutable double tokens_ GLISK_GUARDED_BY(mutex_);
  mutable clock::SteadyPoint refilled_ GLISK_GUARDED_BY(mutex_);
  clock::SteadyPoint held_until_ GLISK_GUARDED_BY(mutex_){};
};

}  // namespace glisk::net
