#pragma once
// An event log, decoded once at the chain's edge (eth_getLogs): callers get typed fields, never
// the node's JSON. Every field is checked (hashes 32 bytes, quantities 0x-hex fitting int64,
// topics and data strings); a log the node marks `removed` (a reorganisation took it away) is
// refused. Anything else is a MalformedResponse naming the field. What the log means (which
// event, which arguments) is its reader's business: mints::decode_batch_minted.

#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "chain/eth_rpc.hpp"

namespace glisk::chain {

struct LogEntry {
  std::string address;  // the emitting contract, as sent
  std::vector<std::string> topics;
  std::string data;  // 0x-hex, as sent
  int64_t block_number = 0;
  std::optional<std::string> block_hash;  // lowercase; eth_getLogs always sends it, a webhook may not
  std::string tx_hash;                    // lowercase
  int64_t log_index = 0;
};

// Throws MalformedResponse naming the field.
LogEntry decode_log_entry(const JsonValue& log);

// eth_getLogs with `filter`, each log decoded.
std::vector<LogEntry> fetch_logs(EthRpc& rpc, const JsonValue& filter, std::stop_token stop = {});

}  // namespace glisk::chain
