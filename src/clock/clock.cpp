#include "clock/clock.hpp"

#include <algorithm>

namespace glisk::clock {

bool Clock::sleep_until(SteadyPoint deadline, std::stop_token stop) const {
  sync::Mutex mutex;
  sync::CondVar cv;
  sync::MutexLock lock(mutex);
  wait_until(lock.unique(), cv, stop, deadline, [] { return false; });  // nothing notifies: only time or stop end it
  return !stop.stop_requested();
}

Millis wait_for_at_most(const Clock& clock, TimePoint when, Millis at_most) {
  return std::clamp(std::chrono::duration_cast<Millis>(when - clock.now()), Millis(1), at_most);
}

bool SystemClock::wait_until(std::unique_lock<sync::Mutex>& lock, sync::CondVar& cv, std::stop_token stop,
                             SteadyPoint deadline, const std::function<bool()>& ready) const {
  return cv.wait_until(lock, stop, deadline, ready);
}

bool ManualClock::wait_until(std::unique_lock<sync::Mutex>& lock, sync::CondVar& cv, std::stop_token stop,
                             SteadyPoint deadline, const std::function<bool()>& ready) const {
  // advance() takes waiters_mutex_ and then each waiter's mutex to notify it; so a waiter never
  // holds its own mutex while it takes waiters_mutex_ (no deadlock), and it is registered before
  // it first looks at the time (no wake-up lost between its look and its wait).
  lock.unlock();
  std::list<Waiter>::iterator me;
  {
    sync::MutexLock registry(waiters_mutex_);
    me = waiters_.insert(waiters_.end(), Waiter{lock.mutex(), &cv});
  }
  lock.lock();
  cv.wait(lock, stop, [&] { return ready() || steady_now() >= deadline; });
  lock.unlock();
  {
    sync::MutexLock registry(waiters_mutex_);
    waiters_.erase(me);
  }
  lock.lock();
  return ready();
}

void ManualClock::advance(TimePoint::duration by) {
  offset_ += by.count();
  sync::MutexLock registry(waiters_mutex_);
  for (auto& w : waiters_) {
    sync::MutexLock guard(*w.mutex);
    w.cv->notify_all();
  }
}

size_t ManualClock::waiters() const {
  sync::MutexLock registry(waiters_mutex_);
  return waiters_.size();
}

}  // namespace glisk::clock
