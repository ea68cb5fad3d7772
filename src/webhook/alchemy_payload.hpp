#pragma once
// The body of an Alchemy Custom Webhook (GraphQL) delivery, read into the mints it carries. Kept
// apart from AlchemyWebhook (which authenticates, stores and wakes) so that it runs without a
// database, and the fuzz target (fuzz/webhook_payload.cpp) reads bodies exactly as the service does.
//   {"webhookId":…, "id":…, "type":"GRAPHQL", "event":{"data":{"block":{"number":N, "hash":"0x…",
//    "logs":[{"account":{"address":"0x…"}, "topics":[…], "data":"0x…", "index":I,
//             "transaction":{"hash":"0x…", "status":1, …}}, …]}}, "sequenceNumber":"…"}}
// Numbers may be JSON integers or 0x-hex strings, and must fit int64. Logs of another contract,
// of another event, or of a failed transaction (status ≠ 1) are counted as ignored; BatchMinted
// logs of the contract are decoded (mints/mint_event.hpp). Any malformed part throws
// MalformedWebhook naming it, for the whole delivery. Pure function, thread-safe.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "errors/errors.hpp"
#include "eth/address.hpp"
#include "mints/mint_event.hpp"

namespace glisk::webhook {

// The largest delivery read: Alchemy's block payloads are far smaller.
inline constexpr size_t kMaxDeliveryBytes = 1u << 20;

class MalformedWebhook : public errors::BadInput {
 public:
  using errors::BadInput::BadInput;
};

struct AlchemyDelivery {
  int64_t block_number = -1;              // -1 when the block has no logs (its number is not read then)
  std::optional<std::string> block_hash;  // lowercase 0x-hex, when the delivery names it
  std::vector<mints::MintEvent> mints;
  int64_t ignored = 0;  // logs of another contract or event, or of a failed transaction
};

// `contract` is the one glisk watches; logs of any other are ignored.
AlchemyDelivery parse_alchemy_delivery(std::string_view body, const eth::Address& contract);

}  // namespace glisk::webhook
