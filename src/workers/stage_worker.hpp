#pragma once
// Runs one stage over the work queue with continuous concurrency: up to `batch_size` tokens in
// flight, each on its own slot; a finished token frees its slot at once and the worker claims
// again, so nobody waits for the slowest of a batch (the seed's schedule did). The worker wakes
// when work arrives (WakeBoard), or after `poll_interval` at the latest. Leases of in-flight
// tokens are renewed every third of the lease.
//
// step() is the single-step form for tests and one-shot runs: claim what is due and process it in
// the calling thread. run() is the loop; on stop it claims nothing more, lets in-flight work
// finish for up to `shutdown_timeout`, and releases the leases of what did not.
//
// The parts, each its own class: the stage's own work is a TokenProcessor; the slots are a
// SlotPool; the leases are kept by a LeaseRenewer; what an attempt came to is recorded by the
// OutcomeRecorder from the outcome or the error's kind (its header has the table: a rate limit
// pauses the stage through StagePause, a provider's outage opens the stage's Breaker (the stage
// then claims only a probe per backoff step), our own database failing or a bug postpones the token
// without counting an attempt, transient errors retry with backoff, permanent ones fail). A bug
// also ends the loop, so that the supervisor starts the worker afresh. All waiting is on the
// injected clock.

#include <atomic>
#include <chrono>
#include <functional>
#include <stop_token>
#include <string>

#include "clock/clock.hpp"
#include "log/event_log.hpp"
#include "metrics/registry.hpp"
#include "queue/backoff.hpp"
#include "store/token_lifecycle.hpp"
#include "workers/breaker.hpp"
#include "workers/lease_renewer.hpp"
#include "workers/outcome_recorder.hpp"
#include "workers/slot_pool.hpp"
#include "workers/stage_pause.hpp"
#include "workers/token_processor.hpp"

namespace glisk::workers {

struct WorkerOptions {
  int batch_size = 10;
  std::chrono::milliseconds poll_interval{1000};
  int max_attempts = 3;
  queue::BackoffPolicy backoff;
  std::chrono::milliseconds shutdown_timeout{25'000};
  // Optional: stage durations (glisk_stage_duration_seconds{stage,outcome}), provider errors by
  // class (glisk_provider_errors_total{provider,class}) and retries (glisk_stage_retries_total).
  metrics::Registry* metrics = nullptr;
  std::string provider = "unknown";  // the provider label of those metrics (replicate, pinata, local, …)
  BreakerOptions breaker;            // when the provider's outages pause the stage (workers/breaker.hpp)
  // Optional: whether an operator paused the stage (store::PauseSwitch); asked before each claim.
  std::function<bool()> operator_paused;
};

// How often a stage an operator paused looks at the switch again, at most.
inline constexpr std::chrono::milliseconds kOperatorPauseRecheck{250};

class StageWorker {
 public:
  // `jitter` returns uniform numbers in [0,1) for the backoff; defaults to a seeded generator.
  StageWorker(token::Stage stage, store::TokenLifecycle& queue, queue::WakeBoard& wake, TokenProcessor& processor,
              clock::Clock& clock, const log::EventLog& log, WorkerOptions options,
              std::function<double()> jitter = {});

  const std::string& name() const { return name_; }
  token::Stage stage() const { return stage_; }

  // Claims up to batch_size due tokens and processes them one after another. Returns the count
  // (0 while a rate limit pauses the stage). A bug postpones its token; restarting is the loop's.
  size_t step();

  // Until when a provider's rate limit pauses the stage (a past time when it does not).
  clock::TimePoint paused_until() const { return pause_.until(); }
  // When the run of rate-limit pauses that paused_until() belongs to began.
  clock::TimePoint paused_since() const { return pause_.since(); }
  const std::string& provider() const { return options_.provider; }
  // The provider's breaker: closed, or open (the stage claims only probes) since when, and why.
  BreakerView breaker() const { return breaker_.view(); }

  // The loop (see above). Returns after stop is requested and in-flight work is settled; throws
  // errors::Bug after a bug, once the drain is done.
  void run(std::stop_token stop);

 private:
  // One token: the processor's work, then its outcome recorded. True when it met a bug.
  bool handle(const store::Claim& claim, std::stop_token stop, const std::function<void()>& settling);
  // Whether an operator paused the stage now; says so once when that changes.
  bool operator_paused();
  // Claims for free slots until `stop` (or a bug): woken by new work, else the next due token or
  // the poll interval.
  void dispatch(std::stop_token stop, SlotPool& slots, const std::atomic<bool>& bug);
  // Gives back what never started, lets running work finish for up to the shutdown timeout,
  // releases the rest, then abandons it.
  void drain(SlotPool& slots, LeaseRenewer& renewer);

  const token::Stage stage_;
  const std::string name_;
  store::TokenLifecycle& queue_;
  queue::WakeBoard& wake_;
  TokenProcessor& processor_;
  clock::Clock& clock_;
  const log::EventLog& log_;
  const WorkerOptions options_;
  const std::function<double()> jitter_;  // serialized: a test's generator need not be thread-safe
  StagePause pause_;
  Breaker breaker_;
  OutcomeRecorder recorder_;
  bool operator_paused_ = false;  // as last seen (the dispatching thread, or step()'s caller)
};

}  // namespace glisk::workers
