#include "queue/wake_signal.hpp"

namespace glisk::queue {

void WakeSignal::notify() {
  sync::MutexLock lock(mutex_);
  ++sequence_;
  changed_.notify_all();
}

uint64_t WakeSignal::sequence() const {
  sync::MutexLock lock(mutex_);
  return sequence_;
}

bool WakeSignal::wait(const clock::Clock& clock, uint64_t seen, std::chrono::milliseconds timeout,
                      std::stop_token stop) {
  sync::MutexLock lock(mutex_);
  return clock.wait_until(lock.unique(), changed_, stop, clock.steady_now() + timeout,
                          [&]() GLISK_REQUIRES(mutex_) { return sequence_ != seen; });
}

}  // namespace glisk::queue
