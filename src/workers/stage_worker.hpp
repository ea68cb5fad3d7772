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
// The stage's own work is a TokenProcessor; what happens to a token after an error is decided by
// the error's kind (errors/errors.hpp has the table): rate limited → the stage pauses, unavailable
// → postponed, transient → retried with backoff, permanent and the token's own bad data → failed,
// a bug (or any exception that is not an errors::Error) → postponed uncharged, logged as
// `worker.bug`, and the loop ends so that the supervisor restarts the worker. With a metrics
// registry (WorkerOptions::metrics) it also measures each attempt.
//
// Troubles that are not the token's never use up its attempts:
// - a provider's rate limit (errors::RateLimitedError) pauses the whole stage — the limit is the
//   account's, and the other slots would only hit it again — for the provider's Retry-After, or
//   else RETRY_BASE_SECONDS doubling per rate-limited pause in a row, at most RETRY_MAX_SECONDS
//   and a minute (the providers' limits are per minute). The token waits out the pause with its
//   attempt uncounted. `provider.rate_limited` says so once (then every few seconds while it
//   lasts), `provider.recovered` when the provider answers again;
// - our own database failing mid-work (store::DatabaseError from the processor: gone, full, or
//   locked by another writer): the token waits a moment, attempt uncounted; an outage itself is
//   reported by store/monitored_database.hpp, so the worker's own lines about one are debug.

#include <chrono>
#include <functional>
#include <mutex>
#include <stop_token>
#include <string>

#include "clock/clock.hpp"
#include "log/event_log.hpp"
#include "log/fault_log.hpp"
#include "queue/backoff.hpp"
#include "queue/work_queue.hpp"
#include "errors/errors.hpp"
#include "metrics/registry.hpp"

namespace glisk::workers {

// What a processor reports for a token it finished: the fields to record, and details for the
// `<stage>.succeeded` event (e.g. whether the fallback prompt was used). Or, for the upload
// stage, that the image is gone at its host and the token needs a new one.
struct StageOutcome {
  StageOutcome(queue::TokenPatch p = {}, log::Fields d = log::Fields::object())  // NOLINT: implicit on purpose
      : patch(std::move(p)), details(std::move(d)) {}
  static StageOutcome needs_new_image(std::string reason) {
    StageOutcome o;
    o.new_image_reason = std::move(reason);
    return o;
  }
  queue::TokenPatch patch;
  log::Fields details;
  std::optional<std::string> new_image_reason;
};

class TokenProcessor {
 public:
  virtual ~TokenProcessor() = default;
  // Does the stage's outside work for one claimed token. May call queue.save() to checkpoint
  // (e.g. a prediction id). Should return soon after `stop` is requested (the shutdown timeout
  // passed). Throws the errors of errors/errors.hpp.
  virtual StageOutcome process(const queue::Claim& claim, queue::WorkQueue& queue, std::stop_token stop) = 0;
};

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
};

class StageWorker {
 public:
  // `jitter` returns uniform numbers in [0,1) for the backoff; defaults to a seeded generator.
  StageWorker(token::Stage stage, queue::WorkQueue& queue, queue::WakeBoard& wake, TokenProcessor& processor,
              clock::Clock& clock, const log::EventLog& log, WorkerOptions options,
              std::function<double()> jitter = {});

  const std::string& name() const { return name_; }
  token::Stage stage() const { return stage_; }

  // Claims up to batch_size due tokens and processes them one after another. Returns the count
  // (0 while a rate limit pauses the stage). A bug postpones its token; restarting is the loop's.
  size_t step();

  // Until when a provider's rate limit pauses the stage (a past time when it does not).
  clock::TimePoint paused_until() const;

  // The loop (see above). Returns after stop is requested and in-flight work is settled.
  void run(std::stop_token stop);

 private:
  // `settling` is called just before the token's outcome is recorded (the move that ends the lease).
  // True when the processor met a bug (an error of kind kBug, or an exception that is not an
  // errors::Error): the token is postponed uncharged, and run() ends so that the supervisor starts
  // the worker afresh.
  bool handle(const queue::Claim& claim, std::stop_token stop, const std::function<void()>& settling);
  // Pauses the stage for a rate limit (see above); returns when the pause ends.
  clock::TimePoint pause_for_rate_limit(std::optional<std::chrono::milliseconds> retry_after);
  double next_jitter();

  const token::Stage stage_;
  const std::string name_;
  queue::WorkQueue& queue_;
  queue::WakeBoard& wake_;
  TokenProcessor& processor_;
  clock::Clock& clock_;
  const log::EventLog& log_;
  const WorkerOptions options_;
  metrics::Histogram* duration_ = nullptr;  // null without a registry
  metrics::Counter* provider_errors_ = nullptr;
  metrics::Counter* retries_ = nullptr;
  std::mutex jitter_mutex_;
  std::function<double()> jitter_;  // guarded by jitter_mutex_
  log::FaultLog rate_limited_;
  mutable std::mutex pause_mutex_;
  clock::TimePoint paused_until_{};  // guarded by pause_mutex_
  int rate_limit_streak_ = 0;        // rate-limited pauses in a row; guarded by pause_mutex_
};

}  // namespace glisk::workers
