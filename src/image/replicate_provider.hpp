#pragma once
// Replicate's predictions API (https://replicate.com/docs/reference/http), for flux-schnell and
// any model that takes {"prompt": …} and returns image URLs.
//
// - Create: POST /v1/models/{owner}/{name}/predictions, or POST /v1/predictions with "version"
//   for a pinned `owner/name:version`. Bearer token. With prefer_wait > 0 the create call asks
//   `Prefer: wait=N` and may come back already done (even "processing" with the output filled).
// - The id goes to `on_started` before any waiting; then GET /v1/predictions/{id} is polled until
//   succeeded / failed / canceled, within `timeout`: the first look near the median time recent
//   predictions took (FirstLook), then short steps from `poll_initial` doubling to `poll_max`,
//   so an image is seen done soon after it is, with about two reads a prediction; a prediction
//   still running at the timeout is canceled (POST …/cancel). An interrupted wait (shutdown) does not
//   cancel: the next holder of the token resumes the same prediction.
// - Errors: problem+json (title, detail, status). 401/403/402/404/422/400 are permanent, with a
//   message naming the variable to fix; 429 is a RateLimitedError (Retry-After, or "Expected
//   available in N seconds"); 5xx, timeouts, dropped connections and malformed answers are transient; a prediction that
//   failed for NSFW/sensitive content is a ContentPolicyError.
// The token never appears in an error message.

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>

#include "image/image_provider.hpp"
#include "image/prediction_inbox.hpp"
#include "net/http_client.hpp"
#include "net/rate_budget.hpp"
#include "sync/mutex.hpp"

namespace glisk::image {

struct ReplicateOptions {
  std::string api_url = "https://api.replicate.com";
  std::string api_token;
  std::string model = "black-forest-labs/flux-schnell";  // owner/name or owner/name:version
  std::chrono::milliseconds timeout{120'000};            // a prediction's whole life
  int prefer_wait_seconds = 0;                           // 0: create returns at once (async)
  std::chrono::milliseconds poll_initial{250};
  std::chrono::milliseconds poll_max{2000};
  // The account's budgets (optional, shared by every slot): creates, and every other request.
  net::RateBudget* creates = nullptr;  // REPLICATE_CREATES_PER_MINUTE
  net::RateBudget* reads = nullptr;    // REPLICATE_READS_PER_MINUTE
  // Replicate's webhook (REPLICATE_WEBHOOK_URL): predictions are created with `webhook` set to
  // this URL and `webhook_events_filter: ["completed"]`, and their end is awaited in `inbox`;
  // polling goes on `webhook_grace` later than it would, for a delivery that never comes.
  std::string webhook_url;
  PredictionInbox* inbox = nullptr;
  std::chrono::milliseconds webhook_grace{5000};
};

// When to look first at a new prediction: a running estimate of the time within which a share
// `quantile` of recent predictions were done. Each prediction moves it: done by the first look →
// 10% sooner, not yet → later by 1.1^(quantile / (1 − quantile)), which balances at that share
// whatever the model's pace (and follows the pace when it changes). The service looks at the
// median (0.5): measured on the pipeline bench, 5.1 tokens/s at 2.10 reads a prediction, where
// 0.65 made 1.82 reads but 3.6 tokens/s (the early images wait for a later first look). With
// Replicate's webhook there is no look at all. Recording when a prediction was seen done would
// only ever push it later. Thread-safe (every slot's predictions feed it).
class FirstLook {
 public:
  FirstLook(std::chrono::milliseconds initial, std::chrono::milliseconds at_most, double quantile = 0.5)
      : at_most_(at_most), after_(initial), at_least_(initial), later_(std::pow(1.1, quantile / (1.0 - quantile))) {}
  std::chrono::milliseconds after() const;
  void seen(bool done_at_first_look);

 private:
  const std::chrono::milliseconds at_most_;
  mutable sync::Mutex mutex_;
  std::chrono::milliseconds after_ GLISK_GUARDED_BY(mutex_);
  const std::chrono::milliseconds at_least_;
  const double later_;  // the factor of a look that came too early
};

class ReplicateProvider final : public ImageProvider {
 public:
  // Throws std::invalid_argument when the model name is not owner/name[:version].
  ReplicateProvider(const net::HttpClient& http, ReplicateOptions options);

  std::string_view name() const override { return "replicate"; }
  GeneratedImage generate(const std::string& prompt, const std::optional<std::string>& resume_id,
                          const PredictionStarted& on_started, std::stop_token stop) override;

  // The account's webhook signing secret (`whsec_…`), from GET /v1/webhooks/default/secret.
  // Throws TransientError / OutageError as any call.
  std::string webhook_secret(std::stop_token stop = {}) const;

 private:
  // A prediction delivered to the inbox, when it is one (else nullopt: poll for it).
  std::optional<nlohmann::json> delivered(const std::string& id, clock::SteadyPoint until, std::stop_token stop) const;
  net::HttpResponse call(const std::string& method, const std::string& path, const std::string& body,
                         std::chrono::milliseconds timeout, bool prefer_wait, std::stop_token stop) const;
  void cancel(const std::string& id) const;

  const net::HttpClient& http_;
  const ReplicateOptions options_;
  std::string create_path_;
  std::string version_;  // the pinned version id, when the model names one
  FirstLook first_look_;
};

}  // namespace glisk::image
