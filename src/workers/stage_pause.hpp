#pragma once
// A stage's pause for a provider's rate limit. The limit is the account's, not a token's, and the
// other slots would only hit it again: the whole stage pauses — for the provider's Retry-After, or
// else the backoff base doubling per pause in a row, at most the backoff max and a minute (the
// providers count per minute) — and its tokens wait with their attempt uncounted.
// `provider.rate_limited` says so once (then every few seconds while it lasts), `provider.recovered`
// when the provider answers an attempt made after the pause.
// When a pause ends the stage does not send every slot at once into a limit that may still hold:
// it sends one attempt (the probe) and the others wait until the provider answers one (its
// answer ends the run of pauses) or the probe's attempt ends otherwise (then another may go).
// Thread-safe.

#include <chrono>
#include <cstdint>
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

  // How many of `wanted` tokens the stage may claim now that it is not paused: all when the
  // provider has answered since the last pause; one, the probe, after a pause (none while it is
  // out).
  struct Allowance {
    int tokens = 0;
    bool probe = false;
  };
  Allowance allowance(int wanted) const;
  // The token claimed as the probe (claim with allowance 1 after a pause).
  void set_probe(int64_t token_id);
  // A token's attempt ended (whatever came of it): if it was the probe, another may go.
  void attempt_ended(int64_t token_id);
  // The worker (re)starts: no attempt of an earlier loop is out any more.
  void forget_probe();

 private:
  const clock::Clock& clock_;
  const queue::BackoffPolicy backoff_;
  const std::function<double()> jitter_;
  log::FaultLog said_;
  mutable sync::Mutex mutex_;
  clock::TimePoint until_ GLISK_GUARDED_BY(mutex_){};
  int streak_ GLISK_GUARDED_BY(mutex_) = 0;  // pauses in a row
  clock::TimePoint since_ GLISK_GUARDED_BY(mutex_){};
  std::optional<int64_t> probe_ GLISK_GUARDED_BY(mutex_);  // the token sent after a pause, until it ends
};

}  // namespace glisk::workers
