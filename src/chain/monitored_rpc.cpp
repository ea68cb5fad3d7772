#include "chain/monitored_rpc.hpp"

namespace glisk::chain {

MonitoredRpc::MonitoredRpc(EthRpc& node, const log::EventLog& log, const clock::Clock& clock,
                           std::chrono::milliseconds remind_every)
    : node_(node),
      unreachable_(log, clock, "rpc.unreachable", "rpc.recovered", log::Level::kWarning, remind_every,
                   {{"rpc", node.describe()}}) {}

JsonValue MonitoredRpc::call(const std::string& method, const JsonValue& params, std::stop_token stop) {
  try {
    JsonValue result = node_.call(method, params, stop);
    unreachable_.succeeded();
    return result;
  } catch (const NodeUnreachable& e) {
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
