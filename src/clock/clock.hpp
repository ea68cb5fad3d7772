#pragma once
// The time source, injected so that tests control time (Envoy's TimeSource, Bitcoin's
// SetMockTime). Three things come from it and from nowhere else:
//   now()          wall time: what is stored (leases, backoff, timestamps) and shown;
//   steady_now()   monotonic time: durations and deadlines inside the process;
//   wait_until()   waiting for an event, a deadline on this clock, or a stop request.
// SystemClock is the production clock. ManualClock is the tests': its time moves only when the
// test calls advance(), which wakes every waiter whose deadline that passes, so loop, lease,
// shutdown and pause tests run without sleeping. Both are thread-safe.

#include <atomic>
#include <chrono>
#include <functional>
#include <list>
#include <stop_token>

#include "sync/mutex.hpp"

namespace glisk::clock {

using TimePoint = std::chrono::system_clock::time_point;
using SteadyPoint = std::chrono::steady_clock::time_point;
using Millis = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  virtual SteadyPoint steady_now() const = 0;

  // Waits on `cv` until `ready()` holds, `deadline` passes on this clock, or `stop` is requested;
  // returns ready(). `lock` holds the mutex that guards what ready() reads, as for
  // sync::CondVar; whoever makes ready() true notifies `cv` holding that mutex.
  // The mutex may be released and taken again before ready() is first evaluated.
  virtual bool wait_until(std::unique_lock<sync::Mutex>& lock, sync::CondVar& cv, std::stop_token stop,
                          SteadyPoint deadline, const std::function<bool()>& ready) const = 0;

  // Sleeps until `deadline` (on this clock) unless `stop` fires first; false when it did.
  bool sleep_until(SteadyPoint deadline, std::stop_token stop = {}) const;
  bool sleep_for(Millis delay, std::stop_token stop = {}) const { return sleep_until(steady_now() + delay, stop); }
};

// How long to wait for `when` on `clock`: never less than a millisecond (a past `when` is due
// now, but a loop that waits nothing spins) and never more than `at_most` (the poll interval).
Millis wait_for_at_most(const Clock& clock, TimePoint when, Millis at_most);

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
  SteadyPoint steady_now() const override { return std::chrono::steady_clock::now(); }
  bool wait_until(std::unique_lock<sync::Mutex>& lock, sync::CondVar& cv, std::stop_token stop, SteadyPoint deadline,
                  const std::function<bool()>& ready) const override;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint{std::chrono::seconds{1'800'000'000}})
      : wall_start_(start.time_since_epoch().count()) {}

  TimePoint now() const override { return TimePoint{TimePoint::duration{wall_start_.load() + offset_.load()}}; }
  SteadyPoint steady_now() const override {
    return SteadyPoint{std::chrono::duration_cast<SteadyPoint::duration>(TimePoint::duration{offset_.load()})};
  }
  bool wait_until(std::unique_lock<sync::Mutex>& lock, sync::CondVar& cv, std::stop_token stop, SteadyPoint deadline,
                  const std::function<bool()>& ready) const override;

  // Moves both times forward and wakes every waiter (each checks its own deadline).
  void advance(TimePoint::duration by);
  // Sets the wall time only (steady time never goes back); wakes nobody.
  void set(TimePoint t) { wall_start_ = t.time_since_epoch().count() - offset_.load(); }
  // How many threads wait on this clock now: a test advances once the threads it drives wait.
  size_t waiters() const;

 private:
  struct Waiter {
    sync::Mutex* mutex;
    sync::CondVar* cv;
  };
  std::atomic<TimePoint::duration::rep> wall_start_;
  std::atomic<TimePoint::duration::rep> offset_{0};
  mutable sync::Mutex waiters_mutex_;
  mutable std::list<Waiter> waiters_ GLISK_GUARDED_BY(waiters_mutex_);
};

}  // namespace glisk::clock
