#pragma once
// POST /webhooks/alchemy: Alchemy Custom Webhook (GraphQL) deliveries of the contract's logs,
// the fast path for new mints (the chain watcher is the sure one; both record idempotently).
//
// Authentication: header X-Alchemy-Signature = lowercase hex HMAC-SHA256 of the raw body under
// the webhook's signing key (ALCHEMY_WEBHOOK_SECRET), compared in constant time. The body is read
// by parse_alchemy_delivery (webhook/alchemy_payload.hpp). Any malformed part rejects the whole
// delivery before anything is stored.
//
// A signature proves who sent the delivery, not that its mints happened: a leaked key, a replay
// of a block that was reorganised away, or a bug at the sender would otherwise create tokens the
// contract never minted, each paid for (an image, two pins) before its reveal fails. So the
// delivery is only believed as far as our own node confirms it: the contract's BatchMinted logs
// in the delivery's block are asked of the node (eth_getLogs by block hash, EIP-234), and each
// delivered mint is recorded as the NODE has it (its token range, author, minter), or not at all
// (`webhook.mint_unconfirmed`, counted in `unconfirmed`). A node that cannot answer yet (it does
// not know the block, or it is down) makes the delivery answer 503: Alchemy delivers again, and
// the chain watcher records whatever the chain holds in any case.
// The confirmed mints are recorded in ONE transaction, then the image stage is woken.
// Errors: WebhookNotConfigured (503), WebhookUnauthorized (401), MalformedWebhook (400),
// WebhookTooLarge (413), MintsNotConfirmed (503), store::DatabaseError (503: Alchemy retries).
// The secret and the signature are never logged. Thread-safe.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "chain/eth_rpc.hpp"
#include "clock/clock.hpp"
#include "errors/errors.hpp"
#include "log/event_log.hpp"
#include "mints/mint_recorder.hpp"
#include "store/database.hpp"
#include "store/token_lifecycle.hpp"
#include "webhook/alchemy_payload.hpp"

namespace glisk::webhook {

inline constexpr size_t kMaxBodyBytes = kMaxDeliveryBytes;  // 1 MiB

class WebhookNotConfigured : public errors::Unavailable {
 public:
  using errors::Unavailable::Unavailable;
};
class WebhookUnauthorized : public errors::Unauthorized {
 public:
  using errors::Unauthorized::Unauthorized;
};
class WebhookTooLarge : public errors::TooLarge {
 public:
  using errors::TooLarge::TooLarge;
};
// The node could not say whether the delivery's mints happened (yet): nothing was recorded.
class MintsNotConfirmed : public errors::Unavailable {
 public:
  using errors::Unavailable::Unavailable;
};

struct WebhookResult {
  bool duplicate = false;  // every mint in it was recorded before
  int64_t tokens_created = 0;
  int64_t mints = 0;        // new BatchMinted events
  int64_t ignored = 0;      // logs not counted: another contract or event, failed transaction
  int64_t unconfirmed = 0;  // mints the node does not have in that block: not recorded
};

// Lowercase hex HMAC-SHA256 (Crypto++) of `body` under `key`.
std::string hmac_sha256_hex(std::string_view key, std::string_view body);

class AlchemyWebhook {
 public:
  // `secret` empty: every delivery answers WebhookNotConfigured. `contract` is EIP-55, or empty
  // (no contract configured: WebhookNotConfigured too). `node` confirms the mints (null: every
  // delivery with mints answers WebhookNotConfigured); it must outlive the webhook.
  AlchemyWebhook(store::Database& db, store::TokenLifecycle& queue, clock::Clock& clock, const log::EventLog& log,
                 std::string secret, std::string contract, chain::EthRpc* node);

  // `signature` is the X-Alchemy-Signature header, nullopt when absent.
  WebhookResult handle(std::string_view body, const std::optional<std::string>& signature);

 private:
  struct Confirmation {
    std::vector<mints::MintEvent> mints;  // as the node has them
    int64_t unconfirmed = 0;
  };
  Confirmation confirm_on_chain(const AlchemyDelivery& delivery);

  store::Database& db_;
  store::TokenLifecycle& queue_;
  mints::MintRecorder recorder_;
  const log::EventLog& log_;
  const std::string secret_;
  const std::string contract_;
  chain::EthRpc* node_;
};

}  // namespace glisk::webhook
