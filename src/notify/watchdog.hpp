#pragma once
// Pets the service manager's watchdog (WATCHDOG=1) every half of its timeout, and only while the
// service is healthy. `healthy` must ask something a wedged service cannot answer — `glisk serve`
// passes a GET of its own /health through its port, which needs the HTTP server and a database
// round trip — never a flag that a stuck thread would leave set: a thread that pets whatever
// happens keeps a hung service alive for ever, and the watchdog is there to restart it.

#include <chrono>
#include <functional>
#include <stop_token>
#include <thread>

#include "clock/clock.hpp"
#include "log/event_log.hpp"
#include "notify/service_manager.hpp"

namespace glisk::notify {

class Watchdog {
 public:
  // `healthy` runs on the watchdog's thread; it should give up within a quarter of the manager's
  // timeout, so that a pet is never later than three quarters of it. A throw counts as unhealthy.
  // `manager`, `log` and `clock` must outlive the Watchdog.
  Watchdog(ServiceManager& manager, std::function<bool()> healthy, const log::EventLog& log, const clock::Clock& clock);
  ~Watchdog();  // stop()
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // One step, as the thread takes it and tests drive it: asks healthy() and pets when it holds;
  // true when it petted. The turn to unhealthy, and back, is logged once each.
  bool pet_if_healthy();

  // Starts the thread: a step, then half the manager's timeout, until stop(). Nothing when the
  // manager watches nothing (watchdog_timeout() zero).
  void start();
  // Stops the thread, after the health check in progress if any. Idempotent.
  void stop();

 private:
  ServiceManager& manager_;
  const std::function<bool()> healthy_;
  const log::EventLog& log_;
  const clock::Clock& clock_;
  bool was_healthy_ = true;  // the thread's alone (or a test's, which drives the steps itself)
  std::jthread thread_;
};

}  // namespace glisk::notify
