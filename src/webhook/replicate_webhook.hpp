#pragma once
// POST /webhooks/replicate: Replicate tells us a prediction finished (predictions are created with
// `webhook` = REPLICATE_WEBHOOK_URL + "/webhooks/replicate" and `webhook_events_filter:
// ["completed"]`), so the token's holder sees its image at once instead of polling for it.
//
// Authentication: the Standard Webhooks signature (webhook/standard_signature.hpp) under the
// account's signing secret — REPLICATE_WEBHOOK_SECRET, or else read from Replicate
// (GET /v1/webhooks/default/secret) by the service in the background and given by set_secret(),
// never on a delivery's path (a flood of deliveries must not become a flood of calls to Replicate
// or of handlers waiting on it) — with the timestamp within 5 minutes.
// The body must be a prediction object (an id, a status); a finished one (succeeded, failed,
// canceled) is kept in prediction_results once per webhook id and handed to the waiting holder
// (webhook/prediction_arrivals.hpp); any other status is acknowledged and ignored. The image is
// still taken only from what the provider's own checks accept (an http(s) URL in the output).
// Errors: WebhookNotConfigured (503: no secret yet — Replicate delivers again), BadSignature
// (401), MalformedWebhook (400), WebhookTooLarge (413), store::DatabaseError (503). Nothing here
// logs the secret or a signature. Thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "clock/clock.hpp"
#include "log/event_log.hpp"
#include "metrics/registry.hpp"
#include "store/prediction_results.hpp"
#include "sync/mutex.hpp"
#include "webhook/alchemy_webhook.hpp"
#include "webhook/prediction_arrivals.hpp"
#include "webhook/standard_signature.hpp"

namespace glisk::webhook {

// A prediction object is small; its output is a list of URLs.
inline constexpr size_t kMaxReplicateDeliveryBytes = 256u << 10;

struct ReplicateDelivery {
  std::string webhook_id;  // header webhook-id
  std::string timestamp;   // header webhook-timestamp
  std::string signatures;  // header webhook-signature
};

struct ReplicateWebhookResult {
  std::string prediction_id;
  std::string status;
  bool duplicate = false;  // this webhook id (or this prediction's end) was kept before
  bool ignored = false;    // not finished: nothing kept
};

class ReplicateWebhook {
 public:
  // `secret`: the `whsec_…` signing secret, or empty while it is not known (every delivery then
  // answers WebhookNotConfigured, and Replicate delivers again). Throws errors::BadInput for a
  // secret that is not of that form. `metrics` (optional) gets
  // glisk_webhook_deliveries_total{source="replicate",result=ok|duplicate|ignored|refused}.
  ReplicateWebhook(store::PredictionResults& results, PredictionArrivals& arrivals, const clock::Clock& clock,
                   const log::EventLog& log, const std::string& secret, metrics::Registry* metrics = nullptr);

  // The secret once known (read from Replicate). Throws errors::BadInput as the constructor.
  void set_secret(const std::string& secret);
  bool has_secret() const;

  ReplicateWebhookResult handle(std::string_view body, const ReplicateDelivery& delivery);

 private:
  std::string key() const;  // the HMAC key, or WebhookNotConfigured
  ReplicateWebhookResult verified(std::string_view body, const ReplicateDelivery& delivery);

  store::PredictionResults& results_;
  PredictionArrivals& arrivals_;
  const clock::Clock& clock_;
  const log::EventLog& log_;
  metrics::Counter* deliveries_ = nullptr;
  mutable sync::Mutex mutex_;
  std::optional<std::string> key_ GLISK_GUARDED_BY(mutex_);
};

}  // namespace glisk::webhook
