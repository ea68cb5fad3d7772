#include "queue/wake_signal.hpp"

namespace glisk::queue {

void WakeSignal::notify() {
  std::lock_guard lock(mutex_);
  ++sequence_;
  changed_.notify_all();
}

uint64_t WakeSignal::sequence() const {
  std::lock_guard lock(mutex_);
  return sequence_;
}

bool WakeSignal::wait(const clock::Clock& clock, uint64_t seen, std::chrono::milliseconds timeout,
                      std::stop_token stop) {
  std::unique_lock lock(mutex_);
  return clock.wait_until(lock, changed_, stop, clock.steady_now() + timeout, [&] { return sequence_ != seen; });
}

}  // namespace glisk::queue
