#pragma once
// An EthRpc that forwards to the node's client and tells the operator when the node cannot be
// reached, once per outage rather than once per call of every task that uses it
// (log/fault_log.hpp): `rpc.unreachable` (warning) at the first NodeUnreachable, reminders while
// it lasts, `rpc.recovered` (info) at the first answer after it — a JSON-RPC error is an answer.
// It changes no outcome: errors reach the callers, who wait and retry (the watcher from its
// cursor, reveals through their journal), and log their own lines for an unreachable node at
// debug level only, since this one says it.
// Thread-safe.

#include <chrono>

#include "chain/eth_rpc.hpp"
#include "clock/clock.hpp"
#include "log/event_log.hpp"
#include "log/fault_log.hpp"

namespace glisk::chain {

class MonitoredRpc final : public EthRpc {
 public:
  // `node` must outlive this.
  MonitoredRpc(EthRpc& node, const log::EventLog& log, const clock::Clock& clock,
               std::chrono::milliseconds remind_every = log::kFaultReminder);

  JsonValue call(const std::string& method, const JsonValue& params, std::stop_token stop = {}) override;
  std::string describe() const override { return node_.describe(); }

 private:
  EthRpc& node_;
  log::FaultLog unreachable_;
};

}  // namespace glisk::chain
