#pragma once
// An EthRpc that forwards to the node's client and tells the operator when the node cannot be
// reached, once per outage rather than once per call of every task that uses it
// (log/fault_log.hpp): `rpc.unreachable` (warning) at the first NodeUnreachable, reminders while
// it lasts, `rpc.recovered` (info) at the first answer after it — a JSON-RPC error is an answer.
// It changes no outcome: errors reach the callers, who wait and retry (the watcher from its
// cursor, reveals through their journal), and log their own lines for an unreachable node at
// debug level only, since this one says it.
// It is also the node's gate: RPC_REQUESTS_PER_MINUTE (a RateBudget, optional) paces every call
// of every task, waiting never counted against a reveal; and outage() says whether the node is
// out and since when, for the operator's views (a stage paused on it).
// Thread-safe.

#include <chrono>
#include <optional>
#include <string>

#include "chain/eth_rpc.hpp"
#include "clock/clock.hpp"
#include "log/event_log.hpp"
#include "log/fault_log.hpp"
#include "net/rate_budget.hpp"
#include "sync/mutex.hpp"

namespace glisk::chain {

class MonitoredRpc final : public EthRpc {
 public:
  // `node` (and `budget`, when given) must outlive this.
  MonitoredRpc(EthRpc& node, const log::EventLog& log, const clock::Clock& clock,
               std::chrono::milliseconds remind_every = log::kFaultReminder, net::RateBudget* budget = nullptr);

  JsonValue call(const std::string& method, const JsonValue& params, std::stop_token stop = {}) override;
  std::string describe() const override { return node_.describe(); }

  struct Outage {
    clock::TimePoint since;
    std::string error;  // the last call's
  };
  // The node unreachable now: since when, and why.
  std::optional<Outage> outage() const;

 private:
  EthRpc& node_;
  net::RateBudget* budget_;
  log::FaultLog unreachable_;
  mutable sync::Mutex mutex_;
  std::string last_error_ GLISK_GUARDED_BY(mutex_);
};

}  // namespace glisk::chain
