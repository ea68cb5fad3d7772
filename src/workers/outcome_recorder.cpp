#include "workers/outcome_recorder.hpp"

#include "errors/errors.hpp"
#include "store/database.hpp"

namespace glisk::workers {
namespace {

double seconds(std::chrono::milliseconds ms) { return static_cast<double>(ms.count()) / 1000.0; }

// What failed, read once: its kind decides the move.
struct Failure {
  errors::Kind kind = errors::Kind::kBug;
  std::string error = "an exception that is not a std::exception";
  std::optional<std::chrono::milliseconds> retry_after;
  bool from_database = false;
  bool database_outage = false;  // reported once by store/monitored_database.hpp: our line is debug
  bool account_outage = false;   // an OutageError of our account (key, credit): opens the breaker at once
};

Failure read_failure(std::exception_ptr failure) {
  Failure f;
  try {
    std::rethrow_exception(failure);
  } catch (const errors::OutageError& e) {
    f.kind = e.kind();
    f.error = e.what();
    f.account_outage = e.cause() == errors::OutageError::Cause::kAccount;
  } catch (const errors::TransientError& e) {
    f.kind = e.kind();
    f.error = e.what();
    f.retry_after = e.retry_after();
  } catch (const store::DatabaseError& e) {
    f.kind = e.kind();
    f.error = e.what();
    f.from_database = true;
    f.database_outage = dynamic_cast<const store::UnavailableError*>(&e) != nullptr;
  } catch (const std::exception& e) {
    f.kind = errors::kind_of(e);
    f.error = e.what();
  } catch (...) {
  }
  return f;
}

}  // namespace

OutcomeRecorder::OutcomeRecorder(token::Stage stage, std::string worker, store::TokenLifecycle& queue,
                                 const clock::Clock& clock, const log::EventLog& log, StagePause& pause,
                                 Breaker& breaker, std::function<double()> jitter, RecorderOptions options)
    : stage_(stage),
      worker_(std::move(worker)),
      queue_(queue),
      clock_(clock),
      log_(log),
      pause_(pause),
      breaker_(breaker),
      jitter_(std::move(jitter)),
      options_(std::move(options)) {
  if (options_.metrics != nullptr) {
    duration_ = &options_.metrics->histogram("glisk_stage_duration_seconds",
                                             "time of one attempt of a stage, from claim to its recorded outcome",
                                             {"stage", "outcome"});
    provider_errors_ = &options_.metrics->counter(
        "glisk_provider_errors_total",
        "errors of the outside providers, by class: transient | permanent | content_policy | rate_limited | outage",
        {"provider", "class"});
    retries_ = &options_.metrics->counter("glisk_stage_retries_total",
                                          "failed attempts that were scheduled for another try", {"stage"});
    // Every label set this stage can write, at 0 from the start (see measure() and count_error()).
    const std::string stage_name(token::to_string(stage_));
    for (const char* outcome : {"succeeded", "transient_error", "permanent_error", "sent_back", "rate_limited",
                                "outage", "postponed", "bug"}) {
      duration_->touch({stage_name, outcome});
    }
    for (const char* error_class : {"transient", "permanent", "content_policy", "rate_limited", "outage"}) {
      provider_errors_->inc({options_.provider, error_class}, 0);
    }
    retries_->inc({stage_name}, 0);
  }
}

void OutcomeRecorder::measure(const Attempt& attempt, const char* outcome) {
  if (duration_ == nullptr) return;
  duration_->observe({std::string(token::to_string(stage_)), outcome},
                     std::chrono::duration<double>(clock_.steady_now() - attempt.started).count());
}

void OutcomeRecorder::count_error(const char* error_class) {
  if (provider_errors_ != nullptr) provider_errors_->inc({options_.provider, error_class});
}

void OutcomeRecorder::lease_lost(const Attempt& attempt, log::Fields more) {
  log::Fields fields = {{"worker", worker_}, {"token_id", attempt.claim.token.token_id}};
  for (const auto& [k, v] : more.items()) fields[k] = v;
  log_.warn("token.lease_lost", fields);
}

void OutcomeRecorder::succeeded(const Attempt& attempt, const StageOutcome& outcome) {
  const auto& spec = token::spec(stage_);
  const std::string prefix(spec.event_prefix);
  const int64_t id = attempt.claim.token.token_id;
  const std::string& lease = attempt.claim.lease;
  breaker_.answered(attempt.started);
  try {
    if (outcome.new_image_reason) {
      const std::string reason = std::string(token::to_string(stage_)) + ": " + *outcome.new_image_reason;
      measure(attempt, "sent_back");
      attempt.settling();
      if (queue_.send_back_for_new_image(id, lease, reason, options_.max_attempts)) {
        log_.warn(prefix + ".sent_back", {{"worker", worker_},
                                          {"token_id", id},
                                          {"reason", reason},
                                          {"detail", "back to detected for a new image (counts as an image attempt)"}});
      } else {
        lease_lost(attempt);
      }
      return;
    }
    measure(attempt, "succeeded");
    // The model refused the author's prompt and the fallback prompt was used.
    if (outcome.details.is_object() && outcome.details.value("fallback_prompt", false)) count_error("content_policy");
    attempt.settling();
    if (queue_.complete(stage_, id, lease, outcome.patch)) {
      log::Fields fields = {
          {"worker", worker_},
          {"token_id", id},
          {"attempt", attempt.number},
          {"duration_seconds", std::chrono::duration<double>(clock_.steady_now() - attempt.started).count()},
          {"status", token::to_string(spec.output)}};
      for (const auto& [k, v] : outcome.details.items()) fields[k] = v;
      log_.info(prefix + ".succeeded", fields);
    } else {
      lease_lost(attempt, {{"detail", "finished after its lease was lost; another holder's result stands"}});
    }
  } catch (const std::exception& e) {
    not_recorded(id, e);
  }
}

void OutcomeRecorder::not_recorded(int64_t token_id, const std::exception& e) {
  log_.error("token.outcome_not_recorded", {{"worker", worker_},
                                            {"token_id", token_id},
                                            {"error", e.what()},
                                            {"detail", "the token returns to the queue when its lease expires"}});
}

void OutcomeRecorder::held_back(const Attempt& attempt) {
  const int64_t id = attempt.claim.token.token_id;
  try {
    attempt.settling();
    if (!queue_.postpone(stage_, id, attempt.claim.lease, breaker_.retry_at(options_.backoff.base),
                         "provider outage: waits for the breaker's probe")) {
      lease_lost(attempt);
    }
  } catch (const std::exception& e) {
    not_recorded(id, e);
  }
}

bool OutcomeRecorder::failed(const Attempt& attempt, std::exception_ptr failure) {
  try {
    return settle_failure(attempt, failure);
  } catch (const std::exception& e) {
    // The database refused the outcome even after riding out an outage for a lease length: the
    // lease runs out and the token is taken up again.
    not_recorded(attempt.claim.token.token_id, e);
    return errors::kind_of(failure) == errors::Kind::kBug;
  }
}

bool OutcomeRecorder::settle_failure(const Attempt& attempt, std::exception_ptr failure) {
  const auto& spec = token::spec(stage_);
  const std::string stage_name(token::to_string(stage_));
  const std::string prefix(spec.event_prefix);
  const int64_t id = attempt.claim.token.token_id;
  const std::string& lease = attempt.claim.lease;
  const Failure f = read_failure(failure);
  const std::string message = stage_name + ": " + f.error;
  switch (f.kind) {
    case errors::Kind::kOutage:
      breaker_.fault(attempt.started, f.account_outage, f.error);
      break;
    case errors::Kind::kUnavailable:
    case errors::Kind::kBug:
      breaker_.abandoned(attempt.started);
      break;
    default:
      breaker_.answered(attempt.started);  // the provider answered: a limit, or the token's own error
  }

  switch (f.kind) {
    case errors::Kind::kRateLimited: {
      log::Fields fields = {{"token_id", id},
                            {"error", message},
                            {"detail",
                             "the provider's limit, not the tokens' fault: the stage pauses and no attempt "
                             "is counted"}};
      if (f.retry_after) fields["retry_after_seconds"] = seconds(*f.retry_after);
      const auto until = pause_.pause(f.retry_after, std::move(fields));
      measure(attempt, "rate_limited");
      count_error("rate_limited");
      attempt.settling();
      if (!queue_.postpone(stage_, id, lease, until, "rate limited: " + f.error)) lease_lost(attempt);
      return false;
    }
    case errors::Kind::kOutage: {
      // The provider is down or refuses our account: the breaker (told above) pauses the stage and
      // the token comes back with the next probe, its attempt uncounted.
      measure(attempt, "outage");
      count_error("outage");
      log_.info("worker.postponed",
                {{"worker", worker_},
                 {"token_id", id},
                 {"error", message},
                 {"detail", "the provider's outage, not the token's fault: no attempt is counted"}});
      attempt.settling();
      if (!queue_.postpone(stage_, id, lease, breaker_.retry_at(options_.backoff.base), "provider outage: " + f.error))
        lease_lost(attempt);
      return false;
    }
    case errors::Kind::kUnavailable: {
      // Our own database (gone, full, locked by another writer) or configuration failed mid-work:
      // never the token's fault, so never one of its attempts.
      measure(attempt, "postponed");
      log_.write(f.database_outage ? log::Level::kDebug : log::Level::kWarning,
                 f.from_database ? "worker.database_unavailable" : "worker.postponed",
                 {{"worker", worker_},
                  {"token_id", id},
                  {"error", f.error},
                  {"detail", "the token waits and is tried again; no attempt is counted"}});
      attempt.settling();
      if (!queue_.postpone(stage_, id, lease, clock_.now() + options_.backoff.base,
                           std::string(f.from_database ? "database unavailable: " : "unavailable: ") + f.error)) {
        lease_lost(attempt);
      }
      return false;
    }
    case errors::Kind::kBug: {
      // Not the token's fault either: it waits RETRY_MAX_SECONDS (a token that always meets the
      // bug is not spun on), and the worker starts afresh.
      measure(attempt, "bug");
      log_.error("worker.bug", {{"worker", worker_},
                                {"token_id", id},
                                {"error", f.error},
                                {"detail", "a bug, not the token's fault: no attempt counted; the worker restarts"}});
      attempt.settling();
      if (!queue_.postpone(stage_, id, lease, clock_.now() + options_.backoff.max, "bug: " + f.error))
        lease_lost(attempt);
      return true;
    }
    case errors::Kind::kTransient: {
      measure(attempt, "transient_error");
      count_error("transient");
      const auto delay = queue::retry_delay(options_.backoff, attempt.number, jitter_(), f.retry_after);
      attempt.settling();
      switch (queue_.record_failure(stage_, id, lease, message, clock_.now() + delay, options_.max_attempts)) {
        case store::FailureOutcome::kRetryScheduled:
          if (retries_ != nullptr) retries_->inc({stage_name});
          log_.warn(std::string(spec.retry_event), {{"worker", worker_},
                                                    {"token_id", id},
                                                    {"attempt", attempt.number},
                                                    {"max_attempts", options_.max_attempts},
                                                    {"retry_in_seconds", seconds(delay)},
                                                    {"error", message}});
          break;
        case store::FailureOutcome::kFailed:
          log_.error(prefix + ".failed", {{"worker", worker_},
                                          {"token_id", id},
                                          {"attempts", attempt.number},
                                          {"error", message},
                                          {"permanent", false}});
          break;
        case store::FailureOutcome::kLeaseLost:
          lease_lost(attempt, {{"error", message}});
          break;
      }
      return false;
    }
    case errors::Kind::kPermanent:
    case errors::Kind::kContentPolicy:
    case errors::Kind::kBadInput:
    case errors::Kind::kTooLarge:
    case errors::Kind::kUnauthorized:
    case errors::Kind::kNotFound:
    case errors::Kind::kConflict: {
      // The token's own data or the provider's final word: fail it now.
      measure(attempt, "permanent_error");
      count_error(f.kind == errors::Kind::kContentPolicy ? "content_policy" : "permanent");
      attempt.settling();
      if (queue_.fail(stage_, id, lease, message)) {
        log_.error(prefix + ".failed", {{"worker", worker_},
                                        {"token_id", id},
                                        {"attempts", attempt.number},
                                        {"error", message},
                                        {"permanent", true}});
      } else {
        lease_lost(attempt);
      }
      return false;
    }
  }
  return false;
}

}  // namespace glisk::workers
