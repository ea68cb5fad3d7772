#pragma once
// A stage's circuit breaker for its provider's outages (errors::OutageError: our account refused
// — 401/402/403 — or the service failing — 5xx, unreachable, timed out). Such a fault is nobody's
// token's: the token is postponed with no attempt counted, and the breaker decides whether the
// stage goes on calling.
//
//   closed    the stage claims freely. An account fault opens the breaker at once; service
//             faults open it after `faults_to_open` attempts in a row met one.
//   open      the stage claims nothing until the next probe: `first_probe` after opening,
//             doubling per failed probe up to `max_probe`.
//   probing   one token was claimed for the probe; its attempt's answer decides: the provider
//             answered (anything but an outage) → closed; another fault → open, the wait doubled;
//             the attempt ended without reaching the provider (our database, a bug) → open, and
//             the next probe may go at once.
//
// An attempt that started before the breaker opened proves nothing either way (it was on its way
// when the fault began), so its answer neither closes nor re-opens it. Said once when it opens
// (`provider.breaker_opened`, with the fault, which names what to do), recalled every
// `remind_every` while it stays open, and once when it closes (`provider.breaker_closed`, with
// how long it was open). Thread-safe; every time is the injected clock's.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "clock/clock.hpp"
#include "log/event_log.hpp"
#include "log/fault_log.hpp"
#include "metrics/registry.hpp"
#include "sync/mutex.hpp"

namespace glisk::workers {

struct BreakerOptions {
  int faults_to_open = 3;
  std::chrono::milliseconds first_probe{1000};
  std::chrono::milliseconds max_probe{60'000};
  std::chrono::milliseconds remind_every{60'000};
};

enum class BreakerState { kClosed, kOpen, kProbing };
std::string_view to_string(BreakerState state);  // "closed", "open", "probing"

// What an operator is shown.
struct BreakerView {
  BreakerState state = BreakerState::kClosed;
  std::string reason;             // the fault that opened it (or the last probe's)
  clock::TimePoint since{};       // when it opened
  clock::TimePoint next_probe{};  // when open
  int failed_probes = 0;
};

class Breaker {
 public:
  // `context` goes into every line; `metrics` (optional) gets glisk_breaker_open{stage,provider}
  // and glisk_breaker_probes_total{stage,provider,result}, labelled with `stage` and `provider`.
  Breaker(const clock::Clock& clock, const log::EventLog& log, BreakerOptions options, std::string stage,
          std::string provider, metrics::Registry* metrics = nullptr);

  // How many of `wanted` tokens the stage may claim now: all when closed; one when a probe is due
  // (the breaker is then probing); none otherwise, with `wait_until` the next probe.
  struct Allowance {
    int tokens = 0;
    bool probe = false;
    clock::TimePoint wait_until{};
  };
  Allowance allowance(int wanted);
  // The probe's claim found no token (or failed): the next one may go at once.
  void probe_unused();
  // The token the probe's claim got: the one token holds_back() lets through while not closed.
  void set_probe(int64_t token_id);
  // Whether a claimed token must wait instead of calling the provider: every token but the probe
  // while the breaker is not closed (tokens claimed just before it opened wait too).
  bool holds_back(int64_t token_id) const;

  // What an attempt that started at `started` (steady time) came to: the provider answered
  // (a success, or an error of the token's own); an outage (`account`: our key or credit, which
  // opens the breaker at once; `reason`: the error, naming what to do); or it ended before the
  // provider could answer (our database, a bug, a shutdown).
  void answered(clock::SteadyPoint started);
  void fault(clock::SteadyPoint started, bool account, const std::string& reason);
  void abandoned(clock::SteadyPoint started);

  BreakerView view() const;
  // When an outage's token should come back: the next probe while open, else `soon` from now.
  clock::TimePoint retry_at(std::chrono::milliseconds soon) const;

 private:
  void open(const std::string& reason) GLISK_REQUIRES(mutex_);
  void set_gauge(bool open);

  const clock::Clock& clock_;
  const BreakerOptions options_;
  const std::string stage_;
  const std::string provider_;
  log::FaultLog said_;
  metrics::Gauge* open_gauge_ = nullptr;
  metrics::Counter* probes_ = nullptr;
  mutable sync::Mutex mutex_;
  BreakerState state_ GLISK_GUARDED_BY(mutex_) = BreakerState::kClosed;
  int faults_in_a_row_ GLISK_GUARDED_BY(mutex_) = 0;
  int failed_probes_ GLISK_GUARDED_BY(mutex_) = 0;
  std::string reason_ GLISK_GUARDED_BY(mutex_);
  clock::TimePoint since_ GLISK_GUARDED_BY(mutex_){};
  clock::SteadyPoint opened_ GLISK_GUARDED_BY(mutex_){};  // attempts started before prove nothing
  clock::TimePoint next_probe_ GLISK_GUARDED_BY(mutex_){};
  int64_t probe_token_ GLISK_GUARDED_BY(mutex_) = -1;
};

}  // namespace glisk::workers
