#pragma once
// Keeps the leases of a stage's in-flight tokens (those a SlotPool holds) alive: every third of
// a lease (at least 100 ms) on the clock, one renewal for all of them. A token the renewal finds
// no longer ours is reported (`token.lease_lost`) only when it is still running on that lease —
// one that finished meanwhile ended its lease by its own move. A failed renewal is said
// (`worker.lease_renewal_failed`; debug during a database outage, which its monitor reports) and
// tried again at the next turn. Runs on its own thread from construction to stop().

#include <stop_token>
#include <string>
#include <thread>

#include "clock/clock.hpp"
#include "log/event_log.hpp"
#include "store/token_lifecycle.hpp"
#include "workers/slot_pool.hpp"

namespace glisk::workers {

class LeaseRenewer {
 public:
  // Everything passed must outlive the renewer.
  LeaseRenewer(store::TokenLifecycle& queue, token::Stage stage, const SlotPool& slots, const clock::Clock& clock,
               const log::EventLog& log, std::string worker);
  ~LeaseRenewer() { stop(); }
  LeaseRenewer(const LeaseRenewer&) = delete;
  LeaseRenewer& operator=(const LeaseRenewer&) = delete;

  void stop();

 private:
  void renew_once();

  store::TokenLifecycle& queue_;
  const token::Stage stage_;
  const SlotPool& slots_;
  const clock::Clock& clock_;
  const log::EventLog& log_;
  const std::string worker_;
  std::jthread thread_;  // last: it uses everything above
};

}  // namespace glisk::workers
