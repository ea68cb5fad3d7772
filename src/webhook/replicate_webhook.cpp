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
                                   const clock::Clock& clock, const log::EventLog& log, const std::string& secret,
                                   metrics::Registry* metrics)
    : results_(results), arrivals_(arrivals), clock_(clock), log_(log) {
  if (!secret.empty()) set_secret(secret);
  if (metrics != nullptr) {
    deliveries_ = &metrics->counter("glisk_webhook_deliveries_total",
                                    "webhook deliveries taken, by source and result (ok, duplicate, ignored: not an "
                                    "end; refused: bad signature, timestamp or body)",
                                    {"source", "result"});
    for (const char* result : {"ok", "duplicate", "ignored", "refused"}) deliveries_->inc({"replicate", result}, 0);
  }
}

void ReplicateWebhook::set_secret(const std::string& secret) {
  std::string key = standard_webhook_key(secret, "REPLICATE_WEBHOOK_SECRET (or the secret Replicate gave)");
  sync::MutexLock lock(mutex_);
  key_ = std::move(key);
}

bool ReplicateWebhook::has_secret() const {
  sync::MutexLock lock(mutex_);
  return key_.has_value();
}

std::string ReplicateWebhook::key() const {
  sync::MutexLock lock(mutex_);
  if (!key_) {
    throw WebhookNotConfigured(
        "Replicate's webhook signing secret is not known yet (glisk is reading it from Replicate, or set "
        "REPLICATE_WEBHOOK_SECRET): Replicate delivers again");
  }
  return *key_;
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
