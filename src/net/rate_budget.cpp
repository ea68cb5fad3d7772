#include "net/rate_budget.hpp"

#include <algorithm>
#include <cmath>

namespace glisk::net {

RateBudget::RateBudget(const clock::Clock& clock, int per_minute, int burst)
    : clock_(clock),
      per_minute_(per_minute),
      burst_(burst > 0 ? burst : std::max(1, per_minute / 10)),
      tokens_(burst_),
      refilled_(clock.steady_now()) {}

void RateBudget::refill(clock::SteadyPoint now) const {
  const double minutes = std::chrono::duration<double, std::ratio<60>>(now - refilled_).count();
  tokens_ = std::min(burst_, tokens_ + minutes * per_minute_);
  refilled_ = now;
}

bool RateBudget::acquire(std::stop_token stop) {
  if (per_minute_ <= 0) return !stop.stop_requested();
  for (;;) {
    clock::SteadyPoint until;
    {
      sync::MutexLock lock(mutex_);
      const auto now = clock_.steady_now();
      refill(now);
      if (now >= held_until_ && tokens_ >= 1.0 - 1e-9) {  // the earned request, give or take rounding
        tokens_ -= 1.0;
        return true;
      }
      // Until the hold ends, and until a whole request has been earned back.
      const auto earn = std::chrono::duration<double, std::ratio<60>>((1.0 - tokens_) / per_minute_);
      until = std::max(held_until_, now + std::chrono::ceil<std::chrono::milliseconds>(earn));
    }
    if (!clock_.sleep_until(until, stop)) return false;
  }
}

void RateBudget::hold_for(std::chrono::milliseconds wait) {
  sync::MutexLock lock(mutex_);
  held_until_ = std::max(held_until_, clock_.steady_now() + wait);
}

double RateBudget::available() const {
  sync::MutexLock lock(mutex_);
  const auto now = clock_.steady_now();
  refill(now);
  if (per_minute_ <= 0 || now < held_until_) return 0;
  return std::floor(tokens_ + 1e-9);
}

}  // namespace glisk::net
