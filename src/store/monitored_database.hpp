#pragma once
// A Database that forwards to another and tells the operator when it cannot be used, once per
// outage rather than once per failed statement (log/fault_log.hpp):
//   store.unavailable (error) — the server is unreachable or a connection broke (a restart);
//   store.disk_full (error)   — the disk that holds the database is full, with what to do;
//   store.recovered (info)    — the first success after either, with `fault` and its length.
// It changes no outcome: every error still reaches the caller, who retries (the work queue's
// moves ride out an outage; the loops poll again). A connection is back when a transaction
// begins; the disk has room again when a transaction that changed rows commits (a no-op write
// proves nothing: SQLite commits it without touching the disk).
// Thread-safe as the wrapped Database is.

#include <chrono>
#include <memory>

#include "clock/clock.hpp"
#include "log/event_log.hpp"
#include "log/fault_log.hpp"
#include "store/database.hpp"

namespace glisk::store {

class MonitoredDatabase final : public Database {
 public:
  MonitoredDatabase(std::unique_ptr<Database> inner, const log::EventLog& log, const clock::Clock& clock,
                    std::chrono::milliseconds remind_every = log::kFaultReminder);

  Dialect dialect() const override { return inner_->dialect(); }
  std::unique_ptr<Transaction> begin(TxMode mode) override;
  void notify_on_commit(Transaction& tx, std::string_view channel, std::string_view payload) override;
  std::unique_ptr<Subscription> subscribe(std::string_view channel) override;
  std::string describe() const override { return inner_->describe(); }

  // Called by the wrappers of transactions and subscriptions.
  void failed(const UnavailableError& e);
  void connected();
  void wrote();

 private:
  std::unique_ptr<Database> inner_;
  log::FaultLog unavailable_;
  log::FaultLog disk_full_;
};

}  // namespace glisk::store
