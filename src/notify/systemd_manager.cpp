#include <systemd/sd-daemon.h>

#include <string>

#include "notify/service_manager.hpp"

namespace glisk::notify {
namespace {

class SystemdManager final : public ServiceManager {
 public:
  SystemdManager() {
    // Read once: sd_watchdog_enabled checks WATCHDOG_PID against this process, and the variables
    // do not change while it runs. A malformed WATCHDOG_USEC (negative return) is no watchdog.
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0) timeout_ = std::chrono::microseconds(usec);
  }

  void ready(std::string_view status) override { send("READY=1\nSTATUS=" + std::string(status)); }
  void stopping(std::string_view status) override { send("STOPPING=1\nSTATUS=" + std::string(status)); }
  void watchdog() override { send("WATCHDOG=1"); }
  std::chrono::microseconds watchdog_timeout() const override { return timeout_; }

 private:
  // sd_notify is a no-op returning 0 without NOTIFY_SOCKET; 0 keeps the variable for the whole
  // run, so every message finds it.
  static void send(const std::string& message) { (void)sd_notify(0, message.c_str()); }

  std::chrono::microseconds timeout_{0};
};

}  // namespace

std::unique_ptr<ServiceManager> make_systemd_manager() { return std::make_unique<SystemdManager>(); }

}  // namespace glisk::notify
