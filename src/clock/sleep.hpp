#pragma once
// A sleep that a std::stop_token cuts short, for retry delays and poll waits in background
// tasks: shutdown must not wait out a backoff. Real time (not the injected Clock): it paces
// calls to the outside world. Thread-safe.

#include <chrono>
#include <stop_token>

namespace glisk::clock {

// Sleeps for `delay` unless `stop` fires first; returns false when it did.
bool sleep_unless_stopped(std::chrono::milliseconds delay, std::stop_token stop);

}  // namespace glisk::clock
