#pragma once
// Records what one attempt at a token came to: the queue move, its event and its metrics, in one
// table keyed by the outcome or, for a failure, by the error's kind (errors/errors.hpp):
//
//   outcome / kind                         move                     event                      duration label
//   finished                               complete                 <stage>.succeeded          succeeded
//   the image is gone (upload stage)       send_back_for_new_image  <stage>.sent_back          sent_back
//   rate limited                           postpone; stage pauses   provider.rate_limited      rate_limited
//   outage (the provider down, our account refused)  postpone to the breaker's next probe, no attempt;
//                                          the breaker counts it    worker.postponed           outage
//   unavailable (our database, config)     postpone, no attempt     worker.database_unavailable | worker.postponed
//   postponed bug (or not an errors::Error)          postpone RETRY_MAX       worker.bug                 bug transient
//   record_failure           <stage>.retry | .failed    transient_error permanent, content policy, bad input, too
//   large, unauthorized, not found, conflict                               fail                     <stage>.failed
//   permanent_error
//
// A move that finds the lease gone logs `token.lease_lost` (another holder's result stands); a
// move the database refuses even after riding out an outage logs `token.outcome_not_recorded`
// (the token returns when its lease ends). Provider errors are counted by class. Every outcome
// also tells the stage's Breaker whether the provider answered. Thread-safe.

#include <exception>
#include <functional>
#include <string>

#include "clock/clock.hpp"
#include "log/event_log.hpp"
#include "metrics/registry.hpp"
#include "store/token_lifecycle.hpp"
#include "workers/breaker.hpp"
#include "workers/stage_pause.hpp"
#include "workers/token_processor.hpp"

namespace glisk::workers {

struct RecorderOptions {
  int max_attempts = 3;
  queue::BackoffPolicy backoff;
  metrics::Registry* metrics = nullptr;  // optional
  std::string provider = "unknown";      // the provider label of the error counter
};

// One attempt at a token, as the recorder needs it.
struct Attempt {
  const store::Claim& claim;
  int number;  // from 1
  clock::SteadyPoint started;
  const std::function<void()>& settling;  // called just before the move that ends the lease
};

class OutcomeRecorder {
 public:
  OutcomeRecorder(token::Stage stage, std::string worker, store::TokenLifecycle& queue, const clock::Clock& clock,
                  const log::EventLog& log, StagePause& pause, Breaker& breaker, std::function<double()> jitter,
                  RecorderOptions options);

  void succeeded(const Attempt& attempt, const StageOutcome& outcome);
  // True when the failure was a bug: the caller's loop should start afresh.
  bool failed(const Attempt& attempt, std::exception_ptr failure);
  // The breaker holds the token back (it is open, and the token is not its probe): the token
  // waits for the next probe without calling the provider, no attempt counted.
  void held_back(const Attempt& attempt);

 private:
  bool settle_failure(const Attempt& attempt, std::exception_ptr failure);
  void measure(const Attempt& attempt, const char* outcome);
  void count_error(const char* error_class);
  void lease_lost(const Attempt& attempt, log::Fields more = log::Fields::object());
  // The move that records an outcome failed even after riding out an outage: the lease runs out.
  void not_recorded(int64_t token_id, const std::exception& e);

  const token::Stage stage_;
  const std::string worker_;
  store::TokenLifecycle& queue_;
  const clock::Clock& clock_;
  const log::EventLog& log_;
  StagePause& pause_;
  Breaker& breaker_;
  const std::function<double()> jitter_;
  const RecorderOptions options_;
  metrics::Histogram* duration_ = nullptr;  // null without a registry
  metrics::Counter* provider_errors_ = nullptr;
  metrics::Counter* retries_ = nullptr;
};

}  // namespace glisk::workers
