#include "workers/breaker.hpp"

#include <algorithm>

namespace glisk::workers {
namespace {

double seconds(std::chrono::milliseconds ms) { return static_cast<double>(ms.count()) / 1000.0; }

}  // namespace

std::string_view to_string(BreakerState state) {
  switch (state) {
    case BreakerState::kClosed:
      return "closed";
    case BreakerState::kOpen:
      return "open";
    case BreakerState::kProbing:
      return "probing";
  }
  return "closed";
}

Breaker::Breaker(const clock::Clock& clock, const log::EventLog& log, BreakerOptions options, std::string stage,
                 std::string provider, metrics::Registry* metrics)
    : clock_(clock),
      options_(options),
      stage_(std::move(stage)),
      provider_(std::move(provider)),
      said_(log, clock, "provider.breaker_opened", "provider.breaker_closed", log::Level::kError, options.remind_every,
            {{"stage", stage_}, {"provider", provider_}}) {
  if (metrics != nullptr) {
    open_gauge_ = &metrics->gauge("glisk_breaker_open",
                                  "1 while a stage's breaker is open or probing: its provider is down or refuses "
                                  "the account, and the stage claims nothing but probes",
                                  {"stage", "provider"});
    probes_ =
        &metrics->counter("glisk_breaker_probes_total", "probes of an open breaker, by result: failed | succeeded",
                          {"stage", "provider", "result"});
    open_gauge_->set({stage_, provider_}, 0);
    for (const char* result : {"failed", "succeeded"}) probes_->inc({stage_, provider_, result}, 0);
  }
}

void Breaker::set_gauge(bool open) {
  if (open_gauge_ != nullptr) open_gauge_->set({stage_, provider_}, open ? 1 : 0);
}

Breaker::Allowance Breaker::allowance(int wanted) {
  sync::MutexLock lock(mutex_);
  switch (state_) {
    case BreakerState::kClosed:
      return {wanted, false, {}};
    case BreakerState::kProbing:
      return {0, false, clock_.now() + options_.first_probe};  // the probe's outcome wakes nobody: look again soon
    case BreakerState::kOpen:
      if (clock_.now() < next_probe_ || wanted <= 0) return {0, false, next_probe_};
      state_ = BreakerState::kProbing;
      probe_token_ = -1;
      return {1, true, {}};
  }
  return {0, false, next_probe_};
}

void Breaker::probe_unused() {
  sync::MutexLock lock(mutex_);
  if (state_ == BreakerState::kProbing) state_ = BreakerState::kOpen;  // next_probe_ has passed: at once
}

void Breaker::set_probe(int64_t token_id) {
  sync::MutexLock lock(mutex_);
  probe_token_ = token_id;
}

bool Breaker::holds_back(int64_t token_id) const {
  sync::MutexLock lock(mutex_);
  return state_ != BreakerState::kClosed && !(state_ == BreakerState::kProbing && token_id == probe_token_);
}

void Breaker::open(const std::string& reason) {
  const auto now = clock_.now();
  const bool first = state_ == BreakerState::kClosed;
  if (first) {
    failed_probes_ = 0;
    since_ = now;
  } else {
    ++failed_probes_;
  }
  // 1 s, 2 s, 4 s, … at most max_probe (failed_probes_ is small: the shift is capped).
  const auto wait = std::min<std::chrono::milliseconds>(
      options_.first_probe * (int64_t{1} << std::min(failed_probes_, 20)), options_.max_probe);
  state_ = BreakerState::kOpen;
  reason_ = reason;
  opened_ = clock_.steady_now();
  next_probe_ = now + wait;
  faults_in_a_row_ = 0;
  said_.failed({{"error", reason},
                {"next_probe_in_seconds", seconds(wait)},
                {"detail", "the stage claims nothing but one probe per backoff step; no token is charged an attempt"}});
}

void Breaker::answered(clock::SteadyPoint started) {
  bool closed = false;
  {
    sync::MutexLock lock(mutex_);
    if (state_ == BreakerState::kClosed) {
      faults_in_a_row_ = 0;
      return;
    }
    if (started < opened_) return;  // on its way before the outage began: proves nothing
    state_ = BreakerState::kClosed;
    faults_in_a_row_ = 0;
    closed = true;
  }
  if (closed) {
    if (probes_ != nullptr) probes_->inc({stage_, provider_, "succeeded"});
    set_gauge(false);
    said_.succeeded();
  }
}

void Breaker::fault(clock::SteadyPoint started, bool account, const std::string& reason) {
  bool probe_failed = false;
  bool opened = false;
  {
    sync::MutexLock lock(mutex_);
    if (state_ == BreakerState::kClosed) {
      ++faults_in_a_row_;
      if (!account && faults_in_a_row_ < options_.faults_to_open) return;
      open(reason);
      opened = true;
    } else if (started >= opened_) {
      probe_failed = state_ == BreakerState::kProbing;
      open(reason);  // a fault after it opened: the probe (or a call after it) failed
    }
  }
  if (probe_failed && probes_ != nullptr) probes_->inc({stage_, provider_, "failed"});
  if (opened) set_gauge(true);
}

void Breaker::abandoned(clock::SteadyPoint started) {
  sync::MutexLock lock(mutex_);
  if (state_ == BreakerState::kProbing && started >= opened_) state_ = BreakerState::kOpen;  // probe again at once
}

BreakerView Breaker::view() const {
  sync::MutexLock lock(mutex_);
  BreakerView v;
  v.state = state_;
  if (state_ != BreakerState::kClosed) {
    v.reason = reason_;
    v.since = since_;
    v.next_probe = next_probe_;
    v.failed_probes = failed_probes_;
  }
  return v;
}

clock::TimePoint Breaker::retry_at(std::chrono::milliseconds soon) const {
  sync::MutexLock lock(mutex_);
  const auto now = clock_.now();
  if (state_ == BreakerState::kClosed) return now + soon;
  return std::max(next_probe_, now);
}

}  // namespace glisk::workers
