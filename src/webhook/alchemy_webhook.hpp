#pragma once
// POST /webhooks/alchemy: Alchemy Custom Webhook (GraphQL) deliveries of the contract's logs,
// the fast path for new mints (the chain watcher is the sure one; both record idempotently).
//
// Authentication: header X-Alchemy-Signature = lowercase hex HMAC-SHA256 of the raw body under
// the webhook's signing key (ALCHEMY_WEBHOOK_SECRET), compared in constant time. The body is read
// by parse_alchemy_delivery (webhook/alchemy_payload.hpp); its BatchMinted logs of the contract are
// recorded in ONE transaction, then the image stage is woken. Any malformed part rejects the whole
// delivery before anything is stored.
// Errors: WebhookNotConfigured (503), WebhookUnauthorized (401), MalformedWebhook (400),
// WebhookTooLarge (413), store::DatabaseError (503: Alchemy retries). The secret and the
// signature are never logged. Thread-safe.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "clock/clock.hpp"
#include "log/event_log.hpp"
#include "mints/mint_recorder.hpp"
#include "queue/work_queue.hpp"
#include "store/database.hpp"
#include "webhook/alchemy_payload.hpp"

namespace glisk::webhook {

inline constexpr size_t kMaxBodyBytes = 1u << 20;  // 1 MiB; Alchemy's block payloads are far smaller

class WebhookNotConfigured : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
class WebhookUnauthorized : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
class WebhookTooLarge : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct WebhookResult {
  bool duplicate = false;  // every mint in it was recorded before
  int64_t tokens_created = 0;
  int64_t mints = 0;    // new BatchMinted events
  int64_t ignored = 0;  // logs not counted: another contract or event, failed transaction
};

// Lowercase hex HMAC-SHA256 (Crypto++) of `body` under `key`.
std::string hmac_sha256_hex(std::string_view key, std::string_view body);

class AlchemyWebhook {
 public:
  // `secret` empty: every delivery answers WebhookNotConfigured. `contract` is EIP-55, or empty
  // (no contract configured: WebhookNotConfigured too).
  AlchemyWebhook(store::Database& db, queue::WorkQueue& queue, clock::Clock& clock, const log::EventLog& log,
                 std::string secret, std::string contract);

  // `signature` is the X-Alchemy-Signature header, nullopt when absent.
  WebhookResult handle(std::string_view body, const std::optional<std::string>& signature);

 private:
  store::Database& db_;
  queue::WorkQueue& queue_;
  mints::MintRecorder recorder_;
  const log::EventLog& log_;
  const std::string secret_;
  const std::string contract_;
};

}  // namespace glisk::webhook
