#include "image/replicate_provider.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>
#include <vector>

#include "errors/errors.hpp"
#include "json_input/json_input.hpp"

namespace glisk::image {
namespace {

using errors::ContentPolicyError;
using errors::OutageError;
using errors::PermanentError;
using errors::TransientError;
using nlohmann::json;

// What Replicate said, for messages: the problem's detail (or title), or the start of the body.
std::string problem_text(const net::HttpResponse& r) {
  auto body = json_input::parse_or_discarded(r.body, {r.body.size()});
  if (body.is_object()) {
    for (const char* key : {"detail", "title", "error"}) {
      if (body.contains(key) && body[key].is_string() && !body[key].get<std::string>().empty()) {
        return body[key].get<std::string>().substr(0, 300);
      }
    }
  }
  std::string text = r.body.substr(0, 200);
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return text.empty() ? "(empty body)" : text;
}

// The wait a 429's detail names when no Retry-After came: "Expected available in 1 second" /
// "… in 12 seconds" (what the API answers), or "Your rate limit resets in ~30s." (the shape its
// rate-limit documentation shows).
std::optional<std::chrono::milliseconds> retry_after_from_detail(const std::string& detail) {
  static const std::regex kWait(R"((?:available|resets) in ~?([0-9]+(?:\.[0-9]+)?) ?(?:seconds?|s\b))",
                                std::regex::icase);
  std::smatch m;
  if (!std::regex_search(detail, m, kWait)) return std::nullopt;
  return std::chrono::milliseconds(static_cast<int64_t>(std::stod(m[1]) * 1000));
}

bool is_content_policy(const std::string& error) {
  std::string lower = error;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower.find("nsfw") != std::string::npos || lower.find("sensitive") != std::string::npos ||
         lower.find("content policy") != std::string::npos || lower.find("safety") != std::string::npos;
}

// Turns an answer into a prediction object, or throws the error class it stands for.
json prediction_from(const net::HttpResponse& r, const std::string& what, const std::string& model,
                     clock::TimePoint now) {
  const std::string said = problem_text(r);
  const std::string status = std::to_string(r.status);
  // Our account's faults and the service's: no token's. The stage's breaker pauses it.
  if (r.status == 401 || r.status == 403) {
    throw OutageError(OutageError::Cause::kAccount,
                      "Replicate refused the API token (" + status + ": " + said + "): check REPLICATE_API_TOKEN");
  }
  if (r.status == 402) {
    throw OutageError(OutageError::Cause::kAccount,
                      "Replicate requires payment (402: " + said + "): add credit or billing to the Replicate account");
  }
  if (r.status == 404) {
    throw PermanentError("Replicate does not know '" + model + "' (404: " + said + "): check REPLICATE_MODEL_VERSION");
  }
  if (r.status == 400 || r.status == 422) {
    throw PermanentError("Replicate refused the input to " + what + " (" + status + ": " + said +
                         "): check REPLICATE_MODEL_VERSION and the prompt");
  }
  if (r.status == 429) {
    std::optional<std::chrono::milliseconds> wait;
    if (const auto* h = r.header("retry-after")) wait = net::parse_retry_after(*h, now);
    if (!wait) wait = retry_after_from_detail(said);
    throw errors::RateLimitedError("Replicate rate limit on " + what + " (429: " + said + ")", wait);
  }
  if (r.status >= 500) {
    throw OutageError(OutageError::Cause::kService,
                      "Replicate answered " + status + " to " + what + ": " + said + " (see replicatestatus.com)");
  }
  if (r.status < 200 || r.status >= 300) {
    throw TransientError("Replicate answered " + status + " to " + what + ": " + said);
  }
  auto body = json_input::parse_or_discarded(r.body, {r.body.size()});
  if (!body.is_object() || !body.contains("id") || !body["id"].is_string() || !body.contains("status") ||
      !body["status"].is_string()) {
    throw TransientError("Replicate answered " + what +
                         " with something that is not a prediction: " + r.body.substr(0, 120));
  }
  return body;
}

// The first image URL of the output, which is a list of URLs or a single URL.
std::optional<std::string> first_output_url(const json& prediction) {
  if (!prediction.contains("output")) return std::nullopt;
  const json& out = prediction["output"];
  const json* first = out.is_array() ? (out.empty() ? nullptr : &out[0]) : &out;
  if (first == nullptr || !first->is_string()) return std::nullopt;
  const auto& url = first->get_ref<const std::string&>();
  if (!url.starts_with("https://") && !url.starts_with("http://")) return std::nullopt;
  return url;
}

}  // namespace

ReplicateProvider::ReplicateProvider(const net::HttpClient& http, ReplicateOptions options)
    : http_(http), options_(std::move(options)), first_look_(options_.poll_initial, options_.timeout / 2) {
  static const std::regex kModel(R"(^([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)(?::([0-9a-f]{64}))?$)");
  std::smatch m;
  if (!std::regex_match(options_.model, m, kModel)) {
    throw std::invalid_argument("REPLICATE_MODEL_VERSION '" + options_.model +
                                "' is not owner/name or owner/name:<64-hex version>");
  }
  if (m[3].matched) {
    version_ = m[3];
    create_path_ = "/v1/predictions";
  } else {
    create_path_ = "/v1/models/" + std::string(m[1]) + "/" + std::string(m[2]) + "/predictions";
  }
}

net::HttpResponse ReplicateProvider::call(const std::string& method, const std::string& path, const std::string& body,
                                          std::chrono::milliseconds timeout, bool prefer_wait,
                                          std::stop_token stop) const {
  net::HttpRequest request;
  request.method = method;
  request.url = options_.api_url + path;
  request.headers = {{"Authorization", "Bearer " + options_.api_token}, {"Accept", "application/json"}};
  if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  if (prefer_wait) request.headers.emplace_back("Prefer", "wait=" + std::to_string(options_.prefer_wait_seconds));
  request.body = body;
  request.timeout = timeout;
  request.max_response_bytes = 4u << 20;
  const bool create = method == "POST" && path == create_path_;
  request.reuse_connection = !create;  // a create re-sent by libcurl would be a second paid prediction
  // Replicate counts creates and the other requests apart: wait for the right budget first.
  net::RateBudget* budget = create ? options_.creates : options_.reads;
  if (budget != nullptr && !budget->acquire(stop))
    throw TransientError("interrupted by shutdown while calling Replicate");
  try {
    auto response = http_.send(request, stop);
    if (response.status == 429 && budget != nullptr) {
      // The account's limit: nothing of this kind goes before the wait it names (else a second).
      const auto* header = response.header("retry-after");
      const auto wait = header != nullptr ? net::parse_retry_after(*header, http_.clock().now()) : std::nullopt;
      budget->hold_for(wait.value_or(std::chrono::seconds(1)));
    }
    return response;
  } catch (const net::TransportError& e) {
    if (e.failure() == net::TransportError::Failure::kAborted)
      throw TransientError("interrupted by shutdown while calling Replicate");
    if (e.failure() == net::TransportError::Failure::kTooLarge)
      throw TransientError(std::string("Replicate answered too much: ") + e.what());
    throw OutageError(OutageError::Cause::kService,
                      std::string("Replicate unreachable: ") + e.what() + " (check REPLICATE_API_URL and the network)");
  }
}

void ReplicateProvider::cancel(const std::string& id) const {
  try {
    call("POST", "/v1/predictions/" + id + "/cancel", "{}", std::chrono::seconds(10), false, {});
  } catch (const std::exception&) {
    // best effort: an uncanceled prediction still ends on its own
  }
}

std::string ReplicateProvider::webhook_secret(std::stop_token stop) const {
  const auto r = call("GET", "/v1/webhooks/default/secret", "", std::chrono::seconds(10), false, stop);
  if (r.status == 401 || r.status == 403) {
    throw OutageError(OutageError::Cause::kAccount, "Replicate refused the API token asking for the webhook secret (" +
                                                        std::to_string(r.status) + "): check REPLICATE_API_TOKEN");
  }
  if (r.status != 200) {
    throw TransientError("Replicate answered " + std::to_string(r.status) +
                         " asking for the webhook secret: " + problem_text(r));
  }
  const auto body = json_input::parse_or_discarded(r.body, {64u << 10});
  if (!body.is_object() || !body.contains("key") || !body["key"].is_string() ||
      !body["key"].get_ref<const std::string&>().starts_with("whsec_")) {
    throw TransientError("Replicate's webhook secret answer holds no whsec_ key");
  }
  return body["key"].get<std::string>();
}

std::optional<json> ReplicateProvider::delivered(const std::string& id, clock::SteadyPoint until,
                                                 std::stop_token stop) const {
  if (options_.inbox == nullptr) return std::nullopt;
  const auto text = options_.inbox->wait(id, until, stop);
  if (!text) return std::nullopt;
  auto prediction = json_input::parse_or_discarded(*text, {4u << 20});
  if (!prediction.is_object() || prediction.value("id", json()) != json(id) || !prediction.contains("status") ||
      !prediction["status"].is_string()) {
    return std::nullopt;  // not this prediction as we know it: the poll tells
  }
  return prediction;
}

std::chrono::milliseconds FirstLook::after() const {
  sync::MutexLock lock(mutex_);
  return after_;
}

void FirstLook::seen(bool done_at_first_look) {
  sync::MutexLock lock(mutex_);
  const auto ms = static_cast<double>(after_.count()) * (done_at_first_look ? 1.0 / 1.1 : later_);
  after_ = std::clamp(std::chrono::milliseconds(static_cast<int64_t>(ms)), at_least_, at_most_);
}

GeneratedImage ReplicateProvider::generate(const std::string& prompt, const std::optional<std::string>& resume_id,
                                           const PredictionStarted& on_started, std::stop_token stop) {
  const auto deadline = http_.clock().steady_now() + options_.timeout;
  const auto per_call = std::chrono::milliseconds(30'000);
  json prediction;
  // When this call created the prediction (unset: it resumed one). A plain time and a flag, not an
  // optional: GCC 12 takes the optional's reads for uninitialised ones.
  bool created = false;
  clock::SteadyPoint created_at{};

  if (resume_id) {
    // Delivered while nobody waited (the holder died): no need to ask.
    if (auto known = delivered(*resume_id, http_.clock().steady_now(), stop)) {
      prediction = std::move(*known);
    } else if (auto r = call("GET", "/v1/predictions/" + *resume_id, "", per_call, false, stop); r.status != 404) {
      prediction = prediction_from(r, "a prediction lookup", options_.model, http_.clock().now());
      const auto& status = prediction["status"].get_ref<const std::string&>();
      const std::string error =
          prediction.value("error", json()).is_string() ? prediction["error"].get<std::string>() : "";
      if (status == "failed" && is_content_policy(error))
        throw ContentPolicyError("the model refused the prompt: " + error);
      // A failed or canceled prediction delivers nothing: start a new one below.
      if ((status == "failed" || status == "canceled") && !first_output_url(prediction)) prediction = json();
    }
  }

  if (prediction.is_null()) {
    json body = {{"input", {{"prompt", prompt}, {"num_outputs", 1}}}};
    if (!version_.empty()) body["version"] = version_;
    if (!options_.webhook_url.empty()) {
      body["webhook"] = options_.webhook_url;
      body["webhook_events_filter"] = json::array({"completed"});
    }
    const bool wait = options_.prefer_wait_seconds > 0;
    created = true;
    created_at = http_.clock().steady_now();
    auto r = call("POST", create_path_, body.dump(), per_call + std::chrono::seconds(options_.prefer_wait_seconds),
                  wait, stop);
    prediction = prediction_from(r, "creating a prediction", options_.model, http_.clock().now());
    on_started(prediction["id"].get<std::string>());
  }

  const std::string id = prediction["id"].get<std::string>();
  // The first look when recent predictions were done (less what the create itself waited), then
  // short steps: a fixed backoff would look at 0.25, 0.75, 1.75, 3.75 s and find a 1.8 s image
  // two seconds late.
  auto delay = options_.poll_initial;
  if (created) {
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(http_.clock().steady_now() - created_at);
    delay = std::max(options_.poll_initial, first_look_.after() - waited);
  }
  // With a webhook the end is told, not found: a look is only for a delivery that did not come.
  const auto grace = options_.inbox != nullptr ? options_.webhook_grace : std::chrono::milliseconds(0);
  delay += grace;
  auto step = options_.poll_initial;
  int looks = 0;  // GETs made so far
  for (;;) {
    // A blocking create can answer "processing" with the output already there: that counts.
    if (auto url = first_output_url(prediction)) {
      if (created && looks <= 1) first_look_.seen(true);  // done by the first look
      return {*url, id};
    }
    const auto& status = prediction["status"].get_ref<const std::string&>();
    const std::string error =
        prediction.contains("error") && prediction["error"].is_string() ? prediction["error"].get<std::string>() : "";
    if (status == "succeeded")
      throw TransientError("Replicate prediction " + id + " succeeded without an image URL in its output");
    if (status == "failed") {
      if (is_content_policy(error)) throw ContentPolicyError("the model refused the prompt: " + error);
      throw TransientError("Replicate prediction " + id + " failed: " + (error.empty() ? "no reason given" : error));
    }
    if (status == "canceled") throw TransientError("Replicate prediction " + id + " was canceled");
    if (status != "starting" && status != "processing") {
      throw TransientError("Replicate prediction " + id + " has unknown status '" + status + "'");
    }
    if (http_.clock().steady_now() + delay > deadline) {
      cancel(id);
      throw TransientError("Replicate prediction " + id + " did not finish within " +
                           std::to_string(options_.timeout.count() / 1000) + " s (IMAGE_TIMEOUT_SECONDS); canceled it");
    }
    std::optional<json> told;
    if (options_.inbox != nullptr) {
      told = delivered(id, http_.clock().steady_now() + delay, stop);
    } else {
      http_.clock().sleep_for(delay, stop);
    }
    if (stop.stop_requested()) throw TransientError("interrupted by shutdown while waiting for prediction " + id);
    if (told) {
      // The webhook says when it was done: it keeps the estimate of the first look current for
      // the polls that a lost delivery still needs.
      if (created) first_look_.seen(http_.clock().steady_now() - created_at <= first_look_.after());
      created = false;
      prediction = std::move(*told);
      continue;
    }
    if (created && looks == 1) first_look_.seen(false);  // the first look was too early
    delay = std::max(step, grace);
    step = std::min(options_.poll_max, step * 2);
    ++looks;
    prediction = prediction_from(call("GET", "/v1/predictions/" + id, "", per_call, false, stop), "a prediction lookup",
                                 options_.model, http_.clock().now());
  }
}

}  // namespace glisk::image
