#include "clock/sleep.hpp"

#include <condition_variable>
#include <mutex>

namespace glisk::clock {

bool sleep_unless_stopped(std::chrono::milliseconds delay, std::stop_token stop) {
  std::mutex mutex;
  std::condition_variable_any cv;
  std::unique_lock lock(mutex);
  cv.wait_for(lock, stop, delay, [] { return false; });  // nothing notifies: only time or stop end it
  return !stop.stop_requested();
}

}  // namespace glisk::clock
