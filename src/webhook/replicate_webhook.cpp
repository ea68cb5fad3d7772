#include "webhook/replicate_webhook.hpp"

#include <nlohmann/json.hpp>

#include "json_input/json_input.hpp"

namespace glisk::webhook {
namespace {

bool is_prediction_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

ReplicateWebhook::ReplicateWebhook(store::PredictionResults& results, PredictionArrivals& arrivals,
                                   const clock::Clock& clock, const log::EventLog& log,
                                   std::function<std::string()> secret, metrics::Registry* metrics)
    : results_(results), arrivals_(arrivals), clock_(clock), log_(log), secret_(std::move(secret)) {
  if (metrics != nullptr) {
    deliveries_ = &metrics->counter("glisk_webhook_deliveries_total",
                                    "webhook deliveries taken, by source and result (ok, duplicate, ignored: not an "
                                    "end; refused: bad signature, timestamp or body)",
                                    {"source", "result"});
    for (const char* result : {"ok", "duplicate", "ignored", "refused"}) deliveries_->inc({"replicate", result}, 0);
  }
}

std::string ReplicateWebhook::key() {
  if (!secret_) {
    throw WebhookNotConfigured(
        "the Replicate webhook is not configured: set REPLICATE_WEBHOOK_URL (and IMAGE_PROVIDER=replicate)");
  }
  {
    sync::MutexLock lock(mutex_);
    if (key_) return *key_;
  }
  std::string secret;
  try {
    secret = secret_();
  } catch (const std::exception& e) {
    throw WebhookNotConfigured(std::string("cannot get Replicate's webhook signing secret yet (") + e.what() +
                               "); set REPLICATE_WEBHOOK_SECRET, or Replicate delivers again later");
  }
  std::string key = standard_webhook_key(secret, "the webhook secret Replicate gave");
  sync::MutexLock lock(mutex_);
  key_ = key;
  return key;
}

ReplicateWebhookResult ReplicateWebhook::handle(std::string_view body, const ReplicateDelivery& delivery) {
  try {
    auto result = verified(body, delivery);
    if (deliveries_ != nullptr)
      deliveries_->inc({"replicate", result.ignored ? "ignored" : result.duplicate ? "duplicate" : "ok"});
    return result;
  } catch (const errors::Error& e) {
    const auto kind = e.kind();
    if (deliveries_ != nullptr &&
        (kind == errors::Kind::kUnauthorized || kind == errors::Kind::kBadInput || kind == errors::Kind::kTooLarge)) {
      deliveries_->inc({"replicate", "refused"});
    }
    throw;
  }
}

ReplicateWebhookResult ReplicateWebhook::verified(std::string_view body, const ReplicateDelivery& delivery) {
  if (body.size() > kMaxReplicateDeliveryBytes) {
    throw WebhookTooLarge("a Replicate delivery is at most " + std::to_string(kMaxReplicateDeliveryBytes) + " bytes");
  }
  verify_standard_webhook(key(), delivery.webhook_id, delivery.timestamp, delivery.signatures, body, clock_.now());
  if (delivery.webhook_id.size() > 200) throw MalformedWebhook("webhook-id is longer than 200 characters");

  const auto prediction = json_input::parse_or_discarded(body, {kMaxReplicateDeliveryBytes});
  if (!prediction.is_object() || !prediction.contains("id") || !prediction["id"].is_string() ||
      !prediction.contains("status") || !prediction["status"].is_string()) {
    throw MalformedWebhook("a Replicate delivery must be a prediction object with a string id and status");
  }
  ReplicateWebhookResult result;
  result.prediction_id = prediction["id"].get<std::string>();
  result.status = prediction["status"].get<std::string>();
  if (!is_prediction_id(result.prediction_id)) {
    throw MalformedWebhook("the prediction id must be 1-64 letters and digits");
  }
  if (result.status != "succeeded" && result.status != "failed" && result.status != "canceled") {
    result.ignored = true;  // only "completed" events are asked for; an earlier one changes nothing
    return result;
  }
  // Kept as parsed and written again: what the holder reads is one JSON object, nothing more.
  result.duplicate = !results_.record(delivery.webhook_id, result.prediction_id, result.status,
                                      prediction.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  if (!result.duplicate) arrivals_.arrived(result.prediction_id);
  log_.debug("webhook.replicate",
             {{"prediction_id", result.prediction_id}, {"status", result.status}, {"duplicate", result.duplicate}});
  return result;
}

}  // namespace glisk::webhook
