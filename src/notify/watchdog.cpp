#include "notify/watchdog.hpp"

#include <algorithm>
#include <exception>
#include <string>
#include <utility>

namespace glisk::notify {

Watchdog::Watchdog(ServiceManager& manager, std::function<bool()> healthy, const log::EventLog& log,
                   const clock::Clock& clock)
    : manager_(manager), healthy_(std::move(healthy)), log_(log), clock_(clock) {}

Watchdog::~Watchdog() { stop(); }

bool Watchdog::pet_if_healthy() {
  bool healthy = false;
  std::string error = "/health did not answer healthy";
  try {
    healthy = healthy_();
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (healthy) {
    manager_.watchdog();
    if (!was_healthy_) log_.info("watchdog.healthy", {{"detail", "telling the service manager it is alive again"}});
  } else if (was_healthy_) {
    log_.warn("watchdog.unhealthy",
              {{"error", error},
               {"detail",
                "not telling the service manager it is alive: it restarts the service when its watchdog "
                "timeout (WatchdogSec) passes before /health answers healthy again"}});
  }
  was_healthy_ = healthy;
  return healthy;
}

void Watchdog::start() {
  const auto timeout = manager_.watchdog_timeout();
  if (timeout <= std::chrono::microseconds::zero() || thread_.joinable()) return;
  // Half the timeout, as sd_watchdog_enabled(3) advises: one late or failed check is not yet a restart.
  const auto interval = std::chrono::duration_cast<std::chrono::milliseconds>(timeout / 2);
  log_.info("watchdog.started", {{"interval_ms", interval.count()}});
  thread_ = std::jthread([this, interval](std::stop_token stop) {
    while (!stop.stop_requested()) {
      pet_if_healthy();
      clock_.sleep_for(std::max(interval, std::chrono::milliseconds(1)), stop);
    }
  });
}

void Watchdog::stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  thread_.join();
}

}  // namespace glisk::notify
