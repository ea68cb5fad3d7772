#pragma once
// Reads a node's HTTP answer to one JSON-RPC call: the part of RpcClient that sees what the node
// sent, apart from the transport so that the fuzz target (fuzz/rpc_answer.cpp) reads answers
// exactly as the service does. The body goes through json_input (size and nesting capped: a
// hostile or broken node cannot crash the service); every message quotes the answer through a
// bounded excerpt. Returns "result" (possibly null) or throws as chain/rpc_client.hpp lists:
// RpcError, errors::TransientError (HTTP 429/5xx, with the Retry-After given), errors::PermanentError
// (HTTP 401/403), MalformedResponse. Pure function, thread-safe.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "chain/eth_rpc.hpp"

namespace glisk::chain {

struct RpcAnswer {
  long status = 200;
  std::string body;
  std::optional<std::chrono::milliseconds> retry_after;  // from the Retry-After header
};

// `where` names the call for messages ("eth_getLogs at http://node:8545"); `id` is the request's.
JsonValue read_rpc_answer(const std::string& method, const std::string& where, uint64_t id, const RpcAnswer& answer,
                          size_t max_body_bytes);

}  // namespace glisk::chain
