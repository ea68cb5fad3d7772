#include "workers/stage_worker.hpp"

#include <algorithm>
#include <memory>

#include "errors/errors.hpp"
#include "store/database.hpp"
#include "sync/mutex.hpp"

namespace glisk::workers {
namespace {

double seconds(std::chrono::milliseconds ms) { return static_cast<double>(ms.count()) / 1000.0; }

// A generator called from several slots at once, whoever wrote it.
std::function<double()> serialized(std::function<double()> generator) {
  auto mutex = std::make_shared<sync::Mutex>();
  return [mutex, generator = std::move(generator)] {
    sync::MutexLock lock(*mutex);
    return generator();
  };
}

}  // namespace

StageWorker::StageWorker(token::Stage stage, store::TokenLifecycle& queue, queue::WakeBoard& wake,
                         TokenProcessor& processor, clock::Clock& clock, const log::EventLog& log,
                         WorkerOptions options, std::function<double()> jitter)
    : stage_(stage),
      name_(token::spec(stage).worker_name),
      queue_(queue),
      wake_(wake),
      processor_(processor),
      clock_(clock),
      log_(log),
      options_(options),
      jitter_(serialized(jitter ? std::move(jitter) : queue::seeded_jitter())),
      pause_(clock, log, options.backoff, jitter_, {{"worker", name_}, {"provider", options.provider}}),
      breaker_(clock, log, options.breaker, std::string(token::to_string(stage)), options.provider, options.metrics),
      recorder_(stage, name_, queue, clock, log, pause_, breaker_, jitter_,
                {options.max_attempts, options.backoff, options.metrics, options.provider}) {}

bool StageWorker::operator_paused() {
  const bool paused = options_.operator_paused && options_.operator_paused();
  if (paused != operator_paused_) {
    operator_paused_ = paused;
    if (paused) {
      log_.warn("worker.paused", {{"worker", name_},
                                  {"detail",
                                   "an operator paused the stage: it claims nothing new (`glisk status` "
                                   "says who and why; `glisk resume " +
                                       std::string(token::to_string(stage_)) + "` ends it)"}});
    } else {
      log_.info("worker.resumed", {{"worker", name_}});
    }
  }
  return paused;
}

size_t StageWorker::step() {
  if (operator_paused()) return 0;
  if (clock_.now() < paused_until()) return 0;
  const auto after_pause = pause_.allowance(options_.batch_size);
  if (after_pause.tokens == 0) return 0;
  const auto allowance = breaker_.allowance(after_pause.tokens);
  if (allowance.tokens == 0) return 0;
  std::vector<store::Claim> claims;
  try {
    claims = queue_.claim(stage_, allowance.tokens);
  } catch (...) {
    if (allowance.probe) breaker_.probe_unused();
    throw;
  }
  if (claims.empty() && allowance.probe) breaker_.probe_unused();
  if (!claims.empty() && allowance.probe) breaker_.set_probe(claims.front().token.token_id);
  if (!claims.empty() && after_pause.probe) pause_.set_probe(claims.front().token.token_id);
  for (const auto& claim : claims) handle(claim, {}, [] {});
  return claims.size();
}

bool StageWorker::handle(const store::Claim& claim, std::stop_token stop, const std::function<void()>& settling) {
  const Attempt attempt{claim, claim.token.attempts(stage_) + 1, clock_.steady_now(), settling};
  const int64_t id = claim.token.token_id;
  if (claim.recovered_from) {
    log_.warn("worker.recovery", {{"worker", name_},
                                  {"token_id", id},
                                  {"previous_lease", *claim.recovered_from},
                                  {"reason", "the previous holder's lease expired (process died or hung)"}});
  }
  if (breaker_.holds_back(id)) {
    pause_.attempt_ended(id);
    recorder_.held_back(attempt);  // the provider is out: this token waits for the probe, uncalled
    return false;
  }
  log_.info(std::string(token::spec(stage_).event_prefix) + ".started",
            {{"worker", name_}, {"token_id", id}, {"attempt", attempt.number}});
  StageOutcome outcome;
  try {
    outcome = processor_.process(claim, queue_, stop);
  } catch (...) {
    const bool bug = recorder_.failed(attempt, std::current_exception());  // a 429 pauses again first
    pause_.attempt_ended(id);
    return bug;
  }
  pause_.answered();
  pause_.attempt_ended(id);
  recorder_.succeeded(attempt, outcome);
  return false;
}

void StageWorker::run(std::stop_token stop) {
  pause_.forget_probe();  // a probe of an earlier loop ended with it
  std::atomic<bool> bug{false};
  SlotPool slots(
      options_.batch_size, clock_,
      [&](const store::Claim& c, std::stop_token abandon, const std::function<void()>& settling) {
        if (handle(c, abandon, settling)) bug = true;  // the dispatcher stops; the worker restarts
      },
      [this] { wake_.notify(stage_); });  // a slot is free: let the dispatcher claim again
  LeaseRenewer renewer(queue_, stage_, slots, clock_, log_, name_);
  log_.info(
      "worker.ready",
      {{"worker", name_}, {"slots", options_.batch_size}, {"poll_interval_seconds", seconds(options_.poll_interval)}});
  std::exception_ptr crash;
  try {
    dispatch(stop, slots, bug);
  } catch (...) {
    crash = std::current_exception();  // settle the in-flight tokens first, then let the supervisor see it
  }
  drain(slots, renewer);
  if (!crash && bug)
    crash = std::make_exception_ptr(errors::Bug("a token met a bug (worker.bug): the worker starts afresh"));
  if (crash) std::rethrow_exception(crash);
}

void StageWorker::dispatch(std::stop_token stop, SlotPool& slots, const std::atomic<bool>& bug) {
  auto& signal = wake_.of(stage_);
  while (!stop.stop_requested() && !bug) {
    const uint64_t seen = signal.sequence();
    const size_t free = slots.free_slots();
    auto timeout = options_.poll_interval;
    auto wait_until = [&](clock::TimePoint when) {
      timeout = clock::wait_for_at_most(clock_, when, options_.poll_interval);
    };
    if (free > 0 && operator_paused()) {
      // Claim nothing; look again within the switch's refresh (a resume also wakes the stage).
      signal.wait(clock_, seen, std::min(options_.poll_interval, kOperatorPauseRecheck), stop);
      continue;
    }
    const bool paused = clock_.now() < paused_until();
    const auto after_pause = free > 0 && !paused ? pause_.allowance(static_cast<int>(free)) : StagePause::Allowance{};
    const auto allowance = after_pause.tokens > 0 ? breaker_.allowance(after_pause.tokens) : Breaker::Allowance{};
    if (free > 0 && paused) {
      wait_until(paused_until());  // a rate limit pauses the stage: claim nothing until it ends
    } else if (free > 0 && after_pause.tokens == 0) {
      // After a pause one probe goes; the rest wait for its answer (its slot's release wakes us).
    } else if (free > 0 && allowance.tokens == 0) {
      wait_until(allowance.wait_until);  // the provider is out: claim nothing until the next probe
    } else if (free > 0) {
      try {
        auto claims = queue_.claim(stage_, allowance.tokens);
        if (claims.empty() && allowance.probe) breaker_.probe_unused();
        if (!claims.empty() && allowance.probe) breaker_.set_probe(claims.front().token.token_id);
        if (!claims.empty() && after_pause.probe) pause_.set_probe(claims.front().token.token_id);
        if (!claims.empty()) {
          slots.submit(std::move(claims));
          continue;  // more may be due: claim again while slots are free
        }
        if (auto due = queue_.next_due(stage_)) wait_until(*due);  // nothing due: sleep until one is
      } catch (const store::DatabaseError& e) {
        if (allowance.probe) breaker_.probe_unused();
        const bool outage = dynamic_cast<const store::UnavailableError*>(&e) != nullptr;
        log_.write(outage ? log::Level::kDebug : log::Level::kError, "worker.database_unavailable",
                   {{"worker", name_}, {"error", e.what()}, {"retry_in_seconds", seconds(options_.poll_interval)}});
      }
    }
    signal.wait(clock_, seen, timeout, stop);
  }
}

void StageWorker::drain(SlotPool& slots, LeaseRenewer& renewer) {
  auto give_back = [&](int64_t id, const std::string& lease, bool started) {
    try {
      if (queue_.release(stage_, id, lease)) {
        if (started) {
          log_.warn("token.released",
                    {{"worker", name_},
                     {"token_id", id},
                     {"detail", "still running at shutdown timeout; any instance takes it up again"}});
        }
      } else if (!started) {
        log_.warn("token.lease_lost", {{"worker", name_}, {"token_id", id}});
      }
    } catch (const std::exception& e) {
      log_.warn("token.release_failed", {{"worker", name_}, {"token_id", id}, {"error", e.what()}});
    }
  };
  for (const auto& c : slots.take_unstarted()) give_back(c.token.token_id, c.lease, false);
  const auto deadline = clock_.steady_now() + options_.shutdown_timeout;
  if (const auto running = slots.held(); !running.empty()) {
    log_.info("worker.draining", {{"worker", name_},
                                  {"in_flight", running.size()},
                                  {"shutdown_timeout_seconds", seconds(options_.shutdown_timeout)}});
  }
  slots.wait_empty(deadline);
  renewer.stop();
  for (const auto& [id, lease] : slots.held()) give_back(id, lease, true);
  // Only now ask running processors to give up: their leases are released, so whatever they
  // report is refused and the token waits, unharmed, for the next holder.
  slots.abandon_and_join();
}

}  // namespace glisk::workers
