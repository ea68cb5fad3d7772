#include "chain/log_entry.hpp"

#include "chain/detail/json_fields.hpp"
#include "json_input/json_input.hpp"

namespace glisk::chain {

LogEntry decode_log_entry(const JsonValue& log) {
  const std::string what = "log";
  detail::require_object(log, "a log");
  LogEntry entry;
  entry.address = detail::text_field(log, "address", what);
  const auto* topics = detail::optional_field(log, "topics");
  if (topics == nullptr) throw MalformedResponse("log field topics is missing");
  if (!topics->is_array())
    throw MalformedResponse("log field topics must be an array, got " + json_input::excerpt(*topics));
  for (const auto& t : *topics) {
    if (!t.is_string()) throw MalformedResponse("log topics must be strings, got " + json_input::excerpt(t));
    entry.topics.push_back(t.get<std::string>());
  }
  entry.data = detail::text_field(log, "data", what);
  entry.block_number = detail::int64_quantity_field(log, "blockNumber", what);
  entry.block_hash = detail::hash32_field(log, "blockHash", what);
  entry.tx_hash = detail::hash32_field(log, "transactionHash", what);
  entry.log_index = detail::int64_quantity_field(log, "logIndex", what);
  if (const auto* removed = detail::optional_field(log, "removed")) {
    if (!removed->is_boolean())
      throw MalformedResponse("log field removed must be a boolean, got " + json_input::excerpt(*removed));
    if (removed->get<bool>()) throw MalformedResponse("the log was removed by a chain reorganisation");
  }
  return entry;
}

std::vector<LogEntry> fetch_logs(EthRpc& rpc, const JsonValue& filter, std::stop_token stop) {
  const JsonValue logs = rpc.get_logs(filter, stop);
  std::vector<LogEntry> out;
  out.reserve(logs.size());
  for (size_t i = 0; i < logs.size(); ++i) {
    try {
      out.push_back(decode_log_entry(logs[i]));
    } catch (const MalformedResponse& e) {
      throw MalformedResponse("eth_getLogs at " + rpc.describe() + ", log " + std::to_string(i) + ": " + e.what());
    }
  }
  return out;
}

}  // namespace glisk::chain
