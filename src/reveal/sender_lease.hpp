#pragma once
// One sender per keeper key, across every process on one database. Two processes sending from
// one key would pick the same nonce and replace each other's reveals; so a process sends only
// while it holds this lease: a row `reveal_sender:<address>` in system_state naming the holder
// and an expiry. hold() takes a free or expired lease, or renews one's own; the holder renews it
// every step, and a process that dies loses it when it expires (LEASE_SECONDS), after which
// another instance takes over and first settles what the dead one sent (reveal_journal.hpp).
// The same code on SQLite and PostgreSQL; no session-bound lock, so it survives a connection
// pool. Thread-safe.

#include <chrono>
#include <optional>
#include <string>

#include "clock/clock.hpp"
#include "store/database.hpp"
#include "store/system_state.hpp"

namespace glisk::reveal {

class SenderLease {
 public:
  SenderLease(store::Database& db, clock::Clock& clock, const std::string& sender_address, std::string holder,
              std::chrono::milliseconds length);

  // Takes or renews the lease; false while another live holder has it.
  bool hold();
  // Gives it up (shutdown) so another instance need not wait for the expiry.
  void release();
  // Who holds it now, if anybody (for the standby log line).
  std::optional<std::string> holder();

  const std::string& key() const { return key_; }

 private:
  store::Database& db_;
  clock::Clock& clock_;
  store::SystemState state_;
  const std::string key_;
  const std::string holder_;
  const std::chrono::milliseconds length_;
};

}  // namespace glisk::reveal
