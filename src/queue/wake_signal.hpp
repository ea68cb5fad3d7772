#pragma once
// Wake-ups between stages inside one process: when the image stage finishes a token, the IPFS
// worker waits no poll interval. Each stage has a WakeSignal, a counter plus a condition
// variable; a waiter remembers the counter it saw and sleeps until it moves, a timeout passes or
// its stop token is triggered. Across processes, PostgreSQL NOTIFY feeds the same signals.

#include <array>
#include <chrono>
#include <cstdint>
#include <stop_token>

#include "clock/clock.hpp"
#include "sync/mutex.hpp"
#include "token/token.hpp"

namespace glisk::queue {

class WakeSignal {
 public:
  void notify();
  uint64_t sequence() const;
  // Returns true when the sequence moved past `seen` (work may have arrived), false when
  // `timeout` passed on `clock` or `stop` was requested.
  bool wait(const clock::Clock& clock, uint64_t seen, std::chrono::milliseconds timeout, std::stop_token stop);

 private:
  mutable sync::Mutex mutex_;
  sync::CondVar changed_;
  uint64_t sequence_ GLISK_GUARDED_BY(mutex_) = 0;
};

// One signal per stage.
class WakeBoard {
 public:
  WakeSignal& of(token::Stage stage) { return signals_[static_cast<size_t>(stage)]; }
  void notify(token::Stage stage) { of(stage).notify(); }

 private:
  std::array<WakeSignal, token::kAllStages.size()> signals_;
};

}  // namespace glisk::queue
