#include "workers/stage_worker.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "store/database.hpp"

namespace glisk::workers {
namespace {

double seconds(std::chrono::milliseconds ms) { return static_cast<double>(ms.count()) / 1000.0; }
double seconds(clock::TimePoint::duration d) { return std::chrono::duration<double>(d).count(); }

// The longest pause for a rate limit without a Retry-After: Pinata and Replicate count requests
// per minute, so waiting longer gains nothing.
constexpr std::chrono::milliseconds kRateLimitMaxPause{60'000};

// The database's outages are reported once by store/monitored_database.hpp; a worker's own line
// about one is debug. Other database errors (a bad statement, a wrong schema) stay loud.
log::Level database_error_level(const std::exception& e, log::Level otherwise) {
  return dynamic_cast<const store::UnavailableError*>(&e) != nullptr ? log::Level::kDebug : otherwise;
}
log::Level database_error_level(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    return database_error_level(e, log::Level::kWarning);
  } catch (...) {
    return log::Level::kWarning;
  }
}

}  // namespace

StageWorker::StageWorker(token::Stage stage, queue::WorkQueue& queue, queue::WakeBoard& wake, TokenProcessor& processor,
                         clock::Clock& clock, const log::EventLog& log, WorkerOptions options,
                         std::function<double()> jitter)
    : stage_(stage),
      name_(token::spec(stage).worker_name),
      queue_(queue),
      wake_(wake),
      processor_(processor),
      clock_(clock),
      log_(log),
      options_(options),
      jitter_(jitter ? std::move(jitter) : queue::seeded_jitter()),
      rate_limited_(log, clock, "provider.rate_limited", "provider.recovered", log::Level::kWarning,
                    log::kFaultReminder, {{"worker", name_}, {"provider", options.provider}}) {
  if (options_.metrics != nullptr) {
    duration_ = &options_.metrics->histogram("glisk_stage_duration_seconds",
                                             "time of one attempt of a stage, from claim to its recorded outcome",
                                             {"stage", "outcome"});
    provider_errors_ = &options_.metrics->counter(
        "glisk_provider_errors_total", "errors of the outside providers, by class: transient | permanent | content_policy",
        {"provider", "class"});
    retries_ = &options_.metrics->counter("glisk_stage_retries_total",
                                          "failed attempts that were scheduled for another try", {"stage"});
  }
}

clock::TimePoint StageWorker::paused_until() const {
  std::lock_guard lock(pause_mutex_);
  return paused_until_;
}

double StageWorker::next_jitter() {
  std::lock_guard lock(jitter_mutex_);
  return jitter_();
}

clock::TimePoint StageWorker::pause_for_rate_limit(std::optional<std::chrono::milliseconds> retry_after) {
  const double jitter = next_jitter();
  std::lock_guard lock(pause_mutex_);
  const auto now = clock_.now();
  if (now < paused_until_) {
    // Answers to calls made before the pause began belong to the same limit: they only lengthen
    // the pause when the provider asks for longer.
    if (retry_after && now + *retry_after > paused_until_) paused_until_ = now + *retry_after;
    return paused_until_;
  }
  ++rate_limit_streak_;
  const queue::BackoffPolicy policy{options_.backoff.base, std::min(options_.backoff.max, kRateLimitMaxPause)};
  paused_until_ = now + queue::retry_delay(policy, rate_limit_streak_, jitter, retry_after);
  return paused_until_;
}

size_t StageWorker::step() {
  if (clock_.now() < paused_until()) return 0;
  auto claims = queue_.claim(stage_, options_.batch_size);
  for (const auto& claim : claims) handle(claim, {}, [] {});
  return claims.size();
}

bool StageWorker::handle(const queue::Claim& claim, std::stop_token stop, const std::function<void()>& settling) {
  const int64_t id = claim.token.token_id;
  const auto& spec = token::spec(stage_);
  const std::string stage_name(token::to_string(stage_));
  const std::string prefix(spec.event_prefix);
  const int attempt = claim.token.attempts(stage_) + 1;
  if (claim.recovered_from) {
    log_.warn("worker.recovery", {{"worker", name_}, {"token_id", id}, {"previous_lease", *claim.recovered_from},
                                  {"reason", "the previous holder's lease expired (process died or hung)"}});
  }
  log_.info(prefix + ".started", {{"worker", name_}, {"token_id", id}, {"attempt", attempt}});
  const auto started = clock_.steady_now();
  auto measure = [&](const char* outcome) {
    if (duration_ == nullptr) return;
    duration_->observe({stage_name, outcome},
                       std::chrono::duration<double>(clock_.steady_now() - started).count());
  };
  auto count_error = [&](const char* error_class) {
    if (provider_errors_ != nullptr) provider_errors_->inc({options_.provider, error_class});
  };
  auto lease_lost = [&](const log::Fields& more = log::Fields::object()) {
    log::Fields fields = {{"worker", name_}, {"token_id", id}};
    for (const auto& [k, v] : more.items()) fields[k] = v;
    log_.warn("token.lease_lost", fields);
  };
  // The provider answered: a rate limit is over once an attempt succeeds after its pause
  // (a call that was already on its way when the limit began proves nothing).
  auto provider_answered = [&] {
    std::lock_guard lock(pause_mutex_);
    if (clock_.now() < paused_until_) return;
    rate_limit_streak_ = 0;
    rate_limited_.succeeded();
  };
  bool bug = false;
  try {
    std::exception_ptr failure;
    try {
      auto outcome = processor_.process(claim, queue_, stop);
      provider_answered();
      if (outcome.new_image_reason) {
        const std::string reason = stage_name + ": " + *outcome.new_image_reason;
        measure("sent_back");
        settling();
        if (queue_.send_back_for_new_image(id, claim.lease, reason, options_.max_attempts)) {
          log_.warn(prefix + ".sent_back", {{"worker", name_}, {"token_id", id}, {"reason", reason},
                                            {"detail", "back to detected for a new image (counts as an image attempt)"}});
        } else {
          lease_lost();
        }
        return false;
      }
      measure("succeeded");
      // The model refused the author's prompt and the fallback prompt was used.
      if (outcome.details.is_object() && outcome.details.value("fallback_prompt", false)) count_error("content_policy");
      settling();
      if (queue_.complete(stage_, id, claim.lease, outcome.patch)) {
        log::Fields fields = {{"worker", name_}, {"token_id", id}, {"attempt", attempt},
                              {"duration_seconds", std::chrono::duration<double>(clock_.steady_now() - started).count()},
                              {"status", token::to_string(spec.output)}};
        for (const auto& [k, v] : outcome.details.items()) fields[k] = v;
        log_.info(prefix + ".succeeded", fields);
      } else {
        lease_lost({{"detail", "finished after its lease was lost; another holder's result stands"}});
      }
      return false;
    } catch (...) {
      failure = std::current_exception();
    }

    // What failed decides the token's move by its kind alone (errors/errors.hpp has the table).
    errors::Kind kind = errors::Kind::kBug;
    std::string error = "an exception that is not a std::exception";
    std::optional<std::chrono::milliseconds> retry_after;
    bool from_database = false;
    try {
      std::rethrow_exception(failure);
    } catch (const errors::TransientError& e) {
      kind = e.kind();
      error = e.what();
      retry_after = e.retry_after();
    } catch (const store::DatabaseError& e) {
      kind = e.kind();
      error = e.what();
      from_database = true;
    } catch (const std::exception& e) {
      kind = errors::kind_of(e);
      error = e.what();
    } catch (...) {
    }
    const std::string message = stage_name + ": " + error;

    switch (kind) {
      case errors::Kind::kRateLimited: {
        const auto until = pause_for_rate_limit(retry_after);
        measure("rate_limited");
        count_error("rate_limited");
        log::Fields fields = {{"token_id", id}, {"error", message},
                              {"paused_for_seconds", seconds(until - clock_.now())},
                              {"detail", "the provider's limit, not the tokens' fault: the stage pauses and no attempt "
                                         "is counted"}};
        if (retry_after) fields["retry_after_seconds"] = seconds(*retry_after);
        rate_limited_.failed(fields);
        settling();
        if (!queue_.postpone(stage_, id, claim.lease, until, std::string("rate limited: ") + error)) lease_lost();
        return false;
      }
      case errors::Kind::kUnavailable: {
        // Our own database (gone, full, locked by another writer) or configuration failed
        // mid-work: never the token's fault, so never one of its attempts. An outage itself is
        // reported by store/monitored_database.hpp, so the worker's line about one is debug.
        measure("postponed");
        log_.write(from_database ? database_error_level(failure) : log::Level::kWarning,
                   from_database ? "worker.database_unavailable" : "worker.postponed",
                   {{"worker", name_}, {"token_id", id}, {"error", error},
                    {"detail", "the token waits and is tried again; no attempt is counted"}});
        settling();
        if (!queue_.postpone(stage_, id, claim.lease, clock_.now() + options_.backoff.base,
                             std::string(from_database ? "database unavailable: " : "unavailable: ") + error)) {
          lease_lost();
        }
        return false;
      }
      case errors::Kind::kBug: {
        // A bug is not the token's fault either: it waits (RETRY_MAX_SECONDS, so a token that
        // always meets the bug is not spun on), and the worker starts afresh.
        measure("bug");
        log_.error("worker.bug", {{"worker", name_}, {"token_id", id}, {"error", error},
                                  {"detail", "a bug, not the token's fault: no attempt counted; the worker restarts"}});
        settling();
        if (!queue_.postpone(stage_, id, claim.lease, clock_.now() + options_.backoff.max, "bug: " + error)) lease_lost();
        bug = true;
        return true;
      }
      case errors::Kind::kTransient: {
        measure("transient_error");
        count_error("transient");
        const auto delay = queue::retry_delay(options_.backoff, attempt, next_jitter(), retry_after);
        settling();
        switch (queue_.record_failure(stage_, id, claim.lease, message, clock_.now() + delay, options_.max_attempts)) {
          case queue::FailureOutcome::kRetryScheduled:
            if (retries_ != nullptr) retries_->inc({stage_name});
            log_.warn(std::string(spec.retry_event), {{"worker", name_}, {"token_id", id}, {"attempt", attempt},
                                                      {"max_attempts", options_.max_attempts},
                                                      {"retry_in_seconds", seconds(delay)}, {"error", message}});
            break;
          case queue::FailureOutcome::kFailed:
            log_.error(prefix + ".failed", {{"worker", name_}, {"token_id", id}, {"attempts", attempt},
                                            {"error", message}, {"permanent", false}});
            break;
          case queue::FailureOutcome::kLeaseLost:
            lease_lost({{"error", message}});
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
        measure("permanent_error");
        count_error(kind == errors::Kind::kContentPolicy ? "content_policy" : "permanent");
        settling();
        if (queue_.fail(stage_, id, claim.lease, message)) {
          log_.error(prefix + ".failed", {{"worker", name_}, {"token_id", id}, {"attempts", attempt}, {"error", message},
                                          {"permanent", true}});
        } else {
          lease_lost();
        }
        return false;
      }
    }
    return false;
  } catch (const std::exception& e) {
    // The database refused the outcome even after riding out an outage for a lease length: the
    // lease runs out and the token is taken up again.
    log_.error("token.outcome_not_recorded", {{"worker", name_}, {"token_id", id}, {"error", e.what()},
                                              {"detail", "the token returns to the queue when its lease expires"}});
    return bug;
  }
}

void StageWorker::run(std::stop_token stop) {
  std::mutex mutex;
  std::condition_variable_any work_ready;
  std::condition_variable_any drained;  // in_flight lost a token (the drain waits for none)
  struct Held {
    std::string lease;
    bool settling = false;  // its outcome is being recorded: the lease ends by our own move
  };
  std::deque<queue::Claim> pending;  // claimed, not yet started; guarded by mutex
  std::map<int64_t, Held> in_flight;  // token id → its lease, pending or running; guarded by mutex
  std::stop_source abandon;                  // asks running processors to give up: shutdown timeout passed
  std::atomic<bool> bug_met{false};          // a slot met a bug: the worker restarts (see handle)

  auto slot_body = [&](std::stop_token slot_stop) {
    for (;;) {
      std::optional<queue::Claim> next;
      {
        std::unique_lock lock(mutex);
        work_ready.wait(lock, slot_stop, [&] { return !pending.empty(); });
        if (pending.empty()) return;  // stopped
        next = std::move(pending.front());
        pending.pop_front();
      }
      const int64_t id = next->token.token_id;
      const bool bug = handle(*next, abandon.get_token(), [&] {
        std::lock_guard lock(mutex);
        if (auto it = in_flight.find(id); it != in_flight.end()) it->second.settling = true;
      });
      if (bug) bug_met = true;  // the dispatcher stops, the worker drains and restarts
      {
        std::lock_guard lock(mutex);
        in_flight.erase(next->token.token_id);
        drained.notify_all();
      }
      wake_.notify(stage_);  // a slot is free: let the dispatcher claim again
    }
  };
  std::vector<std::jthread> slots;
  for (int i = 0; i < options_.batch_size; ++i) {
    slots.emplace_back(slot_body);
  }

  auto renew_body = [&](std::stop_token renew_stop) {
    const auto every = std::max<std::chrono::milliseconds>(queue_.lease_length() / 3, std::chrono::milliseconds(100));
    for (;;) {
      if (!clock_.sleep_for(every, renew_stop)) return;
      std::vector<std::pair<int64_t, std::string>> held;
      {
        std::lock_guard lock(mutex);
        for (const auto& [id, h] : in_flight) held.emplace_back(id, h.lease);
      }
      try {
        auto renewed = queue_.renew(stage_, held);
        if (renewed.size() != held.size()) {
          // A token finished between the snapshot and the renewal is not lost: its own move ended
          // the lease. Only tokens still running on the lease we hold count.
          const std::set<int64_t> kept(renewed.begin(), renewed.end());
          size_t lost = 0;
          std::lock_guard lock(mutex);
          for (const auto& [id, lease] : held) {
            auto it = in_flight.find(id);
            if (!kept.contains(id) && it != in_flight.end() && it->second.lease == lease && !it->second.settling) ++lost;
          }
          if (lost > 0) {
            log_.warn("token.lease_lost", {{"worker", name_}, {"count", lost},
                                           {"detail", "lease renewal found tokens no longer ours"}});
          }
        }
      } catch (const std::exception& e) {
        log_.write(database_error_level(e, log::Level::kWarning), "worker.lease_renewal_failed",
                   {{"worker", name_}, {"error", e.what()}});
      }
    }
  };
  std::jthread renewer(renew_body);

  log_.info("worker.ready", {{"worker", name_}, {"slots", options_.batch_size},
                             {"poll_interval_seconds", seconds(options_.poll_interval)}});
  auto& signal = wake_.of(stage_);
  std::exception_ptr crash;
  try {
  while (!stop.stop_requested() && !bug_met) {
    const uint64_t seen = signal.sequence();
    size_t free = 0;
    {
      std::lock_guard lock(mutex);
      free = static_cast<size_t>(options_.batch_size) - in_flight.size();
    }
    auto timeout = options_.poll_interval;
    const auto pause_ends = paused_until();
    if (free > 0 && clock_.now() < pause_ends) {
      // A rate limit pauses the stage: claim nothing until it ends.
      timeout = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(pause_ends - clock_.now()),
                           std::chrono::milliseconds(1), options_.poll_interval);
    } else if (free > 0) {
      try {
        auto claims = queue_.claim(stage_, static_cast<int>(free));
        if (!claims.empty()) {
          {
            std::lock_guard lock(mutex);
            for (auto& c : claims) {
              in_flight.emplace(c.token.token_id, Held{c.lease});
              pending.push_back(std::move(c));
            }
          }
          work_ready.notify_all();
          continue;  // more may be due: claim again while slots are free
        }
        // Nothing due: sleep until woken, or until the earliest backoff ends, or one poll interval.
        if (auto due = queue_.next_due(stage_)) {
          auto until = std::chrono::duration_cast<std::chrono::milliseconds>(*due - clock_.now());
          timeout = std::clamp(until, std::chrono::milliseconds(1), options_.poll_interval);
        }
      } catch (const store::DatabaseError& e) {
        log_.write(database_error_level(e, log::Level::kError), "worker.database_unavailable",
                   {{"worker", name_}, {"error", e.what()}, {"retry_in_seconds", seconds(options_.poll_interval)}});
      }
    }
    signal.wait(clock_, seen, timeout, stop);
  }
  } catch (...) {
    crash = std::current_exception();  // settle the in-flight tokens first, then let the supervisor see it
  }

  // Drain: nothing new starts; give back what never started, let running work finish in time.
  std::vector<queue::Claim> unstarted;
  {
    std::lock_guard lock(mutex);
    unstarted.assign(std::make_move_iterator(pending.begin()), std::make_move_iterator(pending.end()));
    pending.clear();
    for (const auto& c : unstarted) in_flight.erase(c.token.token_id);
  }
  for (const auto& c : unstarted) {
    try {
      if (!queue_.release(stage_, c.token.token_id, c.lease)) {
        log_.warn("token.lease_lost", {{"worker", name_}, {"token_id", c.token.token_id}});
      }
    } catch (const std::exception& e) {
      log_.warn("token.release_failed", {{"worker", name_}, {"token_id", c.token.token_id}, {"error", e.what()}});
    }
  }
  {
    std::unique_lock lock(mutex);
    const auto deadline = clock_.steady_now() + options_.shutdown_timeout;
    if (!in_flight.empty()) {
      log_.info("worker.draining", {{"worker", name_}, {"in_flight", in_flight.size()},
                                    {"shutdown_timeout_seconds", seconds(options_.shutdown_timeout)}});
    }
    clock_.wait_until(lock, drained, {}, deadline, [&] { return in_flight.empty(); });
  }
  renewer.request_stop();
  renewer.join();
  std::vector<std::pair<int64_t, std::string>> unfinished;
  {
    std::lock_guard lock(mutex);
    for (const auto& [id, h] : in_flight) unfinished.emplace_back(id, h.lease);
  }
  for (const auto& [id, lease] : unfinished) {
    try {
      if (queue_.release(stage_, id, lease)) {
        log_.warn("token.released", {{"worker", name_}, {"token_id", id},
                                     {"detail", "still running at shutdown timeout; any instance takes it up again"}});
      }
    } catch (const std::exception& e) {
      log_.warn("token.release_failed", {{"worker", name_}, {"token_id", id}, {"error", e.what()}});
    }
  }
  // Only now ask running processors to give up: their leases are released, so whatever they
  // report is refused and the token waits, unharmed, for the next holder.
  abandon.request_stop();
  for (auto& slot : slots) slot.request_stop();
  slots.clear();  // joins; a processor still inside an outside call returns when it notices `stop`
  if (!crash && bug_met) {
    crash = std::make_exception_ptr(errors::Bug("a token met a bug (worker.bug): the worker starts afresh"));
  }
  if (crash) std::rethrow_exception(crash);
}

}  // namespace glisk::workers
