#pragma once
// Slows whoever guesses the admin token. Each client address has a window of `window`; after
// `max_failures` failed attempts in it, the address is locked out until the window ends (the
// admin API answers 429 without looking at the token), and every failed attempt is answered
// only after `failure_delay` (the server holds the answer on a timer, not a thread). With the
// defaults a guesser gets 10 tries a minute per address: 14,400 a day, against a token of at
// least 32 characters in production.
// Memory is bounded: at most `max_clients` addresses are remembered (the oldest forgotten).
// Thread-safe.

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "clock/clock.hpp"
#include "sync/mutex.hpp"

namespace glisk::ops {

struct AdminThrottleOptions {
  int max_failures = 10;
  std::chrono::seconds window{60};
  std::chrono::milliseconds failure_delay{1000};
  size_t max_clients = 10'000;
};

class AdminThrottle {
 public:
  explicit AdminThrottle(const clock::Clock& clock, AdminThrottleOptions options = {});

  // How long `client` stays locked out, or nullopt when it may try.
  std::optional<std::chrono::seconds> locked_out(const std::string& client);
  // Counts a failed attempt; returns the failures of `client` in its current window.
  int failed(const std::string& client);
  std::chrono::milliseconds failure_delay() const { return options_.failure_delay; }

 private:
  struct Window {
    clock::TimePoint start;
    int failures = 0;
  };

  const clock::Clock& clock_;
  const AdminThrottleOptions options_;
  sync::Mutex mutex_;
  std::map<std::string, Window> clients_ GLISK_GUARDED_BY(mutex_);
};

}  // namespace glisk::ops
