#pragma once
// What `glisk serve` tells the service manager that started it, in systemd's notify protocol:
// that it is ready (its port listens and its workers run), that it is stopping, and a sign of life
// at the pace the manager's watchdog asks for. The manager is an outside system, so this is an
// interface: serve takes one, and tests pass their own.

#include <chrono>
#include <memory>
#include <string_view>

namespace glisk::notify {

class ServiceManager {
 public:
  virtual ~ServiceManager() = default;
  // READY=1 with STATUS=`status`.
  virtual void ready(std::string_view status) = 0;
  // STOPPING=1 with STATUS=`status`.
  virtual void stopping(std::string_view status) = 0;
  // WATCHDOG=1: the service is alive and well.
  virtual void watchdog() = 0;
  // How long the manager waits for a watchdog() before it restarts the service; zero when it
  // watches nothing.
  virtual std::chrono::microseconds watchdog_timeout() const = 0;
};

// systemd's, through libsystemd's sd_notify(3): NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID come
// from the environment. Without NOTIFY_SOCKET (not started by systemd with Type=notify) every call
// does nothing. A message that cannot be sent is not an error of the service: it is dropped, and
// the manager acts on the silence (a start timeout, a watchdog restart). Thread-safe.
std::unique_ptr<ServiceManager> make_systemd_manager();

}  // namespace glisk::notify
