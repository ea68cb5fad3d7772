#pragma once
// POST /webhooks/replicate: Replicate tells us a prediction finished (predictions are created with
// `webhook` = REPLICATE_WEBHOOK_URL + "/webhooks/replicate" and `webhook_events_filter:
// ["completed"]`), so the token's holder sees its image at once instead of polling for it.
//
// Authentication: the Standard Webhooks signature (webhook/standard_signature.hpp) under the
// account's signing secret — REPLICATE_WEBHOOK_SECRET, or else read once from Replicate
// (GET /v1/webhooks/default/secret) at the first delivery — with the timestamp within 5 minutes.
// The body must be a prediction object (an id, a status); a finished one (succeeded, failed,
// canceled) is kept in prediction_results once per webhook id and handed to the waiting holder
// (webhook/prediction_arrivals.hpp); any other status is acknowledged and ignored. The image is
// still taken only from what the provider's own checks accept (an http(s) URL in the output).
// Errors: WebhookNotConfigured (503: no secret yet — Replicate delivers again), BadSignature
// (401), MalformedWebhook (400), WebhookTooLarge (413), store::DatabaseError (503). Nothing here
// logs the secret or a signature. Thread-safe.

#include <functional>
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
  // `secret` gives the `whsec_…` signing secret (from the configuration, or asked of Replicate);
  // it may throw when it cannot yet, and is asked again at the next delivery until it answers.
  // Empty function: the webhook is not configured (503). `metrics` (optional) gets
  // glisk_webhook_deliveries_total{source="replicate",result=ok|duplicate|ignored|refused}.
  ReplicateWebhook(store::PredictionResults& results, PredictionArrivals& arrivals, const clock::Clock& clock,
                   const log::EventLog& log, std::function<std::string()> secret, metrics::Registry* metrics = nullptr);

  ReplicateWebhookResult handle(std::string_view body, const ReplicateDelivery& delivery);

 private:
  std::string key();  // the HMAC key, asked for once
  ReplicateWebhookResult verified(std::string_view body, const ReplicateDelivery& delivery);

  store::PredictionResults& results_;
  PredictionArrivals& arrivals_;
  const clock::Clock& clock_;
  const log::EventLog& log_;
  const std::function<std::string()> secret_;
  metrics::Counter* deliveries_ = nullptr;
  sync::Mutex mutex_;
  std::optional<std::string> key_ GLISK_GUARDED_BY(mutex_);
};

}  // namespace glisk::webhook
