#pragma once
// Reports a fault that lasts — the database unreachable, its disk full, the node down, a provider
// rate-limiting — as a few lines instead of one per failed call, which would bury everything else:
//   `<fault_event>` at the first failure (with the caller's fields: the error, what to do);
//   the same event with "ongoing": true at most once per `remind_every` while it lasts, saying
//   how long and how many calls failed;
//   `<recovered_event>` (info) at the first success after it, with the outage's length.
// Thread-safe: one FaultLog is shared by every thread that meets the fault. succeeded() is a
// single atomic load while nothing is wrong, so callers may call it on every success.

#include <atomic>
#include <chrono>
#include <optional>
#include <string>

#include "clock/clock.hpp"
#include "log/event_log.hpp"
#include "sync/mutex.hpp"

namespace glisk::log {

// How often a lasting fault is recalled in the log, unless a caller chooses otherwise.
inline constexpr std::chrono::milliseconds kFaultReminder{10'000};

class FaultLog {
 public:
  // `context` goes into every line (e.g. which database, which provider).
  FaultLog(const EventLog& log, const clock::Clock& clock, std::string fault_event, std::string recovered_event,
           Level level, std::chrono::milliseconds remind_every, Fields context = Fields::object());

  // A failed call. Returns true when it wrote a line (the first failure, or a reminder).
  bool failed(const Fields& fields = Fields::object());
  // A successful call. Returns true when it ended a fault (and wrote the recovery line).
  bool succeeded(const Fields& fields = Fields::object());
  bool ongoing() const { return ongoing_.load(std::memory_order_acquire); }
  // When the fault in progress began (nullopt when none is).
  std::optional<clock::TimePoint> since() const;

 private:
  Fields line(const Fields& fields) const;  // context + fields

  const EventLog& log_;
  const clock::Clock& clock_;
  const std::string fault_event_;
  const std::string recovered_event_;
  const Level level_;
  const std::chrono::milliseconds remind_every_;
  const Fields context_;
  std::atomic<bool> ongoing_{false};
  mutable sync::Mutex mutex_;
  clock::TimePoint since_ GLISK_GUARDED_BY(mutex_){};  // first failure of the fault
  clock::TimePoint last_written_ GLISK_GUARDED_BY(mutex_){};
  int64_t failures_ GLISK_GUARDED_BY(mutex_) = 0;
};

}  // namespace glisk::log
