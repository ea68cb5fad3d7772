#include "chain/monitored_rpc.hpp"

namespace glisk::chain {

MonitoredRpc::MonitoredRpc(EthRpc& node, const log::EventLog& log, const clock::Clock& clock,
                           std::chrono::milliseconds remind_every, net::RateBudget* budget)
    : node_(node),
      budget_(budget),
      unreachable_(log, clock, "rpc.unreachable", "rpc.recovered", log::Level::kWarning, remind_every,
                   {{"rpc", node.describe()}}) {}

std::optional<MonitoredRpc::Outage> MonitoredRpc::outage() const {
  const auto since = unreachable_.since();
  if (!since) return std::nullopt;
  sync::MutexLock lock(mutex_);
  return Outage{*since, last_error_};
}

JsonValue MonitoredRpc::call(const std::string& method, const JsonValue& params, std::stop_token stop) {
  if (budget_ != nullptr && !budget_->acquire(stop)) {
    throw NodeUnreachable("interrupted by shutdown while waiting for the RPC_REQUESTS_PER_MINUTE budget");
  }
  try {
    JsonValue result = node_.call(method, params, stop);
    unreachable_.succeeded();
    return result;
  } catch (const NodeUnreachable& e) {
    {
      sync::MutexLock lock(mutex_);
      last_error_ = e.what();
    }
    unreachable_.failed({{"method", method},
                         {"error", e.what()},
                         {"action",
                          "check that the node at RPC_URL is up and reachable; reveals and the mint watcher "
                          "wait and resume by themselves, and no reveal is sent twice"}});
    throw;
  } catch (const RpcError&) {
    unreachable_.succeeded();  // the node answered
    throw;
  }
}

}  // namespace glisk::chain
