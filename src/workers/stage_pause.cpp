#include "workers/stage_pause.hpp"

#include <algorithm>

namespace glisk::workers {
namespace {

// The longest pause for a rate limit without a Retry-After: Pinata and Replicate count requests
// per minute, so waiting longer gains nothing.
constexpr std::chrono::milliseconds kRateLimitMaxPause{60'000};

}  // namespace

StagePause::StagePause(const clock::Clock& clock, const log::EventLog& log, queue::BackoffPolicy backoff,
                       std::function<double()> jitter, log::Fields context)
    : clock_(clock),
      backoff_{backoff.base, std::min(backoff.max, kRateLimitMaxPause)},
      jitter_(std::move(jitter)),
      said_(log, clock, "provider.rate_limited", "provider.recovered", log::Level::kWarning, log::kFaultReminder,
            std::move(context)) {}

clock::TimePoint StagePause::until() const {
  sync::MutexLock lock(mutex_);
  return until_;
}

clock::TimePoint StagePause::since() const {
  sync::MutexLock lock(mutex_);
  return since_;
}

clock::TimePoint StagePause::pause(std::optional<std::chrono::milliseconds> retry_after, log::Fields fields) {
  const double jitter = jitter_();
  clock::TimePoint until;
  {
    sync::MutexLock lock(mutex_);
    const auto now = clock_.now();
    if (now < until_) {
      // Answers to calls made before the pause began belong to the same limit: they only lengthen
      // it when the provider asks for longer.
      if (retry_after && now + *retry_after > until_) until_ = now + *retry_after;
    } else {
      if (streak_++ == 0) since_ = now;
      until_ = now + queue::retry_delay(backoff_, streak_, jitter, retry_after);
    }
    until = until_;
  }
  fields["paused_for_seconds"] = std::chrono::duration<double>(until - clock_.now()).count();
  said_.failed(fields);
  return until;
}

void StagePause::answered() {
  sync::MutexLock lock(mutex_);
  if (clock_.now() < until_) return;
  streak_ = 0;
  said_.succeeded();
}

StagePause::Allowance StagePause::allowance(int wanted) const {
  sync::MutexLock lock(mutex_);
  if (streak_ == 0) return {wanted, false};  // no pause since the provider last answered
  if (probe_ || wanted <= 0) return {};
  return {1, true};
}

void StagePause::forget_probe() {
  sync::MutexLock lock(mutex_);
  probe_.reset();
}

void StagePause::set_probe(int64_t token_id) {
  sync::MutexLock lock(mutex_);
  if (streak_ > 0) probe_ = token_id;
}

void StagePause::attempt_ended(int64_t token_id) {
  sync::MutexLock lock(mutex_);
  if (probe_ == token_id) probe_.reset();
}

}  // namespace glisk::workers
