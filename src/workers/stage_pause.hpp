#pragma once
// A stage's pause for a provider's rate limit. The limit is the account's, not a token's, and the
// other slots would only hit it again: the whole stage pauses — for the provider's Retry-After, or
// else the backoff base doubling per pause in a row, at most the backoff max and a minute (the
// providers count per minute) — and its tokens wait with their attempt uncounted.
// `provider.rate_limited` says so once (then every few seconds while it lasts), `provider.recovered`
// when the provider answers an attempt made after the pause. Thread-safe.

#include <chrono>
#include <functional>
#include <optional>

#include "clock/clock.hpp"
#include "log/event_log.hpp"
#include "log/fault_log.hpp"
#include "queue/backoff.hpp"
#include "sync/mutex.hpp"

namespace glisk::workers {

class StagePause {
 public:
  // `jitter` returns uniform numbers in [0,1); `context` goes into every line.
  StagePause(const clock::Clock& clock, const log::EventLog& log, queue::BackoffPolicy backoff,
             std::function<double()> jitter, log::Fields context);

  // When the pause ends (a past time when the stage is not paused).
  clock::TimePoint until() const;
  // When the current run of pauses began (the first 429 of it).
  clock::TimePoint since() const;
  // Pauses (or lengthens the pause when the provider asks for longer); says so with `fields`.
  // Returns when the pause ends.
  clock::TimePoint pause(std::optional<std::chrono::milliseconds> retry_after, log::Fields fields);
  // The provider answered an attempt: a pause in effect is over once an attempt made after it
  // succeeds (an answer to a call already on its way when the limit began proves nothing).
  void answered();

 private:
  const clock::Clock& clock_;
  const queue::BackoffPolicy backoff_;
  const std::function<double()> jitter_;
  log::FaultLog said_;
  mutable sync::Mutex mutex_;
  clock::TimePoint until_ GLISK_GUARDED_BY(mutex_){};
  int streak_ GLISK_GUARDED_BY(mutex_) = 0;  // pauses in a row
  clock::TimePoint since_ GLISK_GUARDED_BY(mutex_){};
};

}  // namespace glisk::workers
