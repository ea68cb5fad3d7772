#include "fakes/fake_replicate.hpp"

#include <cryptopp/base64.h>
#include <cryptopp/filters.h>
#include <cryptopp/hmac.h>
#include <cryptopp/sha.h>

namespace glisk::testing {

using nlohmann::json;

namespace {
json problem(int status, const std::string& title, const std::string& detail) {
  return {{"title", title}, {"detail", detail}, {"status", status}};
}
void reply(httplib::Response& res, int status, const std::string& body, const char* type = "application/json") {
  res.status = status;
  res.set_content(body, type);
}

// Replicate's signature, written here from its documentation (not glisk's code): base64
// HMAC-SHA256 of "<id>.<timestamp>.<body>" under the base64-decoded part after whsec_.
std::string sign(const std::string& id, const std::string& timestamp, const std::string& body) {
  std::string key;
  const std::string encoded = std::string(FakeReplicate::kWebhookSecret).substr(6);
  CryptoPP::StringSource(encoded, true, new CryptoPP::Base64Decoder(new CryptoPP::StringSink(key)));
  std::string mac, out;
  CryptoPP::HMAC<CryptoPP::SHA256> hmac(reinterpret_cast<const CryptoPP::byte*>(key.data()), key.size());
  CryptoPP::StringSource(id + "." + timestamp + "." + body, true,
                         new CryptoPP::HashFilter(hmac, new CryptoPP::StringSink(mac)));
  CryptoPP::StringSource(mac, true, new CryptoPP::Base64Encoder(new CryptoPP::StringSink(out), false));
  return out;
}
}  // namespace

FakeReplicate::FakeReplicate() {
  server_.Post(R"(/v1/models/([^/]+)/([^/]+)/predictions|/v1/predictions)", [this](const httplib::Request& req,
                                                                                   httplib::Response& res) {
    wait_latency();
    if (!authorized(req, res)) return;
    std::unique_lock lock(mutex_);
    last_prefer_ = req.get_header_value("Prefer");
    if (drops_ > 0) {
      --drops_;
      lock.unlock();
      drop_midway(res);
      return;
    }
    if (!create_answers_.empty()) {
      auto [status, body, headers] = create_answers_.front();
      create_answers_.pop_front();
      for (auto& [k, v] : headers) res.set_header(k, v);
      reply(res, status, body, body.starts_with("{") ? "application/problem+json" : "text/plain");
      return;
    }
    if (error_rate_ > 0 && std::uniform_real_distribution<double>(0, 1)(random_) < error_rate_) {
      const bool throttle = (++injected_errors_ % 2) == 0;
      if (throttle) res.set_header("Retry-After", "1");
      reply(res, throttle ? 429 : 500,
            throttle
                ? problem(429, "Request was throttled", "Request was throttled. Expected available in 1 second.").dump()
                : problem(500, "Internal Server Error", "Something went wrong.").dump(),
            "application/problem+json");
      return;
    }
    if (req.matches.size() > 2 && req.matches[1].matched &&
        !(req.matches[1] == "black-forest-labs" && req.matches[2] == "flux-schnell")) {
      reply(res, 404, problem(404, "Not found", "The requested resource could not be found.").dump());
      return;
    }
    auto body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("input") || !body["input"].contains("prompt") ||
        !body["input"]["prompt"].is_string()) {
      reply(res, 422, problem(422, "Input validation failed", "- input: prompt is required").dump());
      return;
    }
    if (failing_creates_ > 0 && body["input"]["prompt"].get<std::string>().find(failing_word_) != std::string::npos) {
      --failing_creates_;
      reply(res, 500, problem(500, "Internal Server Error", "Something went wrong.").dump(),
            "application/problem+json");
      return;
    }
    ++creates_;
    Prediction p;
    if (body.contains("webhook") && body["webhook"].is_string()) {
      p.webhook = body["webhook"].get<std::string>();
      last_webhook_request_ = {{"webhook", body["webhook"]},
                               {"webhook_events_filter", body.value("webhook_events_filter", json())}};
    }
    p.id = "fake" + std::to_string(++next_id_) + "abcdefghij";
    p.prompt = body["input"]["prompt"].get<std::string>();
    prompts_.push_back(p.prompt);
    if (!refused_word_.empty() && p.prompt.find(refused_word_) != std::string::npos) {
      p.status = "failed";
      p.error = kNsfwError;
    } else if (prediction_mean_.count() > 0) {
      const auto spread = prediction_jitter_.count();
      const auto offset = spread > 0 ? std::uniform_int_distribution<int64_t>(-spread, spread)(random_) : 0;
      p.ready_at = std::chrono::steady_clock::now() + prediction_mean_ + std::chrono::milliseconds(offset);
    } else if (polls_to_finish_ == 0 && !held_) {
      // With Prefer: wait the real API can answer "processing" with the output already there.
      p.status = last_prefer_.empty() ? "succeeded" : "processing";
    }
    predictions_[p.id] = p;
    reply(res, 201, to_json(p).dump());
  });

  server_.Get(R"(/v1/predictions/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    wait_latency();
    if (!authorized(req, res)) return;
    ++gets_;
    std::lock_guard lock(mutex_);
    if (!get_answers_.empty()) {
      auto [status, body] = get_answers_.front();
      get_answers_.pop_front();
      reply(res, status, body);
      return;
    }
    auto it = predictions_.find(req.matches[1]);
    if (it == predictions_.end()) {
      reply(res, 404, problem(404, "Not found", "The requested resource could not be found.").dump());
      return;
    }
    advance(it->second);
    reply(res, 200, to_json(it->second).dump());
  });

  server_.Post(R"(/v1/predictions/([^/]+)/cancel)", [this](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    ++cancels_;
    std::lock_guard lock(mutex_);
    auto it = predictions_.find(req.matches[1]);
    if (it == predictions_.end()) {
      reply(res, 404, problem(404, "Not found", "The requested resource could not be found.").dump());
      return;
    }
    if (it->second.status == "starting" || it->second.status == "processing") it->second.status = "canceled";
    reply(res, 200, to_json(it->second).dump());
  });

  server_.Get("/v1/webhooks/default/secret", [this](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    reply(res, 200, json{{"key", kWebhookSecret}}.dump());
  });

  server_.Get(R"(/files/([^/]+)\.webp)", [](const httplib::Request& req, httplib::Response& res) {
    reply(res, 200, image_bytes(req.matches[1]), "image/webp");
  });

  listen();
  deliverer_ = std::jthread([this](std::stop_token stop) { deliver_webhooks(stop); });
}

void FakeReplicate::deliver_webhooks(std::stop_token stop) {
  while (!stop.stop_requested()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::vector<std::tuple<std::string, std::string, json>> due;  // webhook URL, webhook-id, prediction
    std::vector<std::string> ids;
    bool twice = false;
    {
      std::lock_guard lock(mutex_);
      if (webhooks_dropped_) continue;
      twice = webhooks_twice_;
      for (auto& [id, p] : predictions_) {
        if (p.webhook.empty() || p.deliveries > 0) continue;
        if (p.status == "starting" || p.status == "processing") {
          // The model's own pace: done when its time has come (polls are not needed for that).
          if (held_ || p.ready_at == std::chrono::steady_clock::time_point{} ||
              std::chrono::steady_clock::now() < p.ready_at)
            continue;
          p.status = "succeeded";
        }
        if (p.webhook_message.empty()) p.webhook_message = "msg_fake" + std::to_string(++next_webhook_id_);
        due.emplace_back(p.webhook, p.webhook_message, to_json(p));
        ids.push_back(id);
      }
    }
    for (size_t i = 0; i < due.size(); ++i) {
      const auto& [url, webhook_id, prediction] = due[i];
      const auto scheme_end = url.find("://");
      const auto path_start = url.find('/', scheme_end + 3);
      httplib::Client client(url.substr(0, path_start));
      client.set_connection_timeout(2);
      client.set_read_timeout(5);
      const std::string body = prediction.dump();
      bool delivered = false;
      for (int copy = 0; copy < (twice ? 2 : 1); ++copy) {
        const std::string timestamp = std::to_string(
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                .count());
        httplib::Headers headers = {{"webhook-id", webhook_id},
                                    {"webhook-timestamp", timestamp},
                                    {"webhook-signature", "v1," + sign(webhook_id, timestamp, body)}};
        auto res = client.Post(url.substr(path_start), headers, body, "application/json");
        if (res && res->status / 100 == 2) {
          ++webhooks_delivered_;
          delivered = true;
        } else {
          ++webhooks_refused_;
        }
      }
      if (delivered) {
        std::lock_guard lock(mutex_);
        ++predictions_[ids[i]].deliveries;
      }
      // else: the next round sends it again, with the same webhook-id, as Replicate retries
    }
  }
}

void FakeReplicate::drop_webhooks(bool dropped) {
  std::lock_guard lock(mutex_);
  webhooks_dropped_ = dropped;
}
void FakeReplicate::duplicate_webhooks(bool twice) {
  std::lock_guard lock(mutex_);
  webhooks_twice_ = twice;
}
json FakeReplicate::last_webhook_request() const {
  std::lock_guard lock(mutex_);
  return last_webhook_request_;
}

void FakeReplicate::wait_latency() const {
  std::chrono::milliseconds latency;
  {
    std::lock_guard lock(mutex_);
    latency = latency_;
  }
  std::this_thread::sleep_for(latency);
}

void FakeReplicate::fail_creates_containing(std::string word, int times) {
  std::lock_guard lock(mutex_);
  failing_word_ = std::move(word);
  failing_creates_ = times;
}

void FakeReplicate::outage_for(std::chrono::milliseconds duration, int status) {
  std::lock_guard lock(mutex_);
  outage_until_ = std::chrono::steady_clock::now() + duration;
  outage_status_ = status;
}

bool FakeReplicate::authorized(const httplib::Request& req, httplib::Response& res) {
  {
    std::lock_guard lock(mutex_);
    if (std::chrono::steady_clock::now() < outage_until_) {
      ++outage_answers_;
      const int status = outage_status_;
      if (status == 0) {  // nothing at all: the connection drops
        drop_midway(res);
        return false;
      }
      const json body = status == 401 ? problem(401, "Unauthenticated", "Invalid token")
                        : status == 402
                            ? problem(402, "Payment Required", "You have insufficient credit to run this model.")
                            : problem(status, "Service Unavailable", "Replicate is temporarily unavailable.");
      reply(res, status, body.dump(), "application/problem+json");
      return false;
    }
  }
  if (req.get_header_value("Authorization") == std::string("Bearer ") + kToken) return true;
  reply(res, 401, problem(401, "Unauthenticated", "You did not pass a valid authentication token").dump(),
        "application/problem+json");
  return false;
}

void FakeReplicate::advance(Prediction& p) {
  if (p.status != "starting" && p.status != "processing") return;
  ++p.polls;
  if (held_) {
    p.status = "processing";
  } else if (p.ready_at != std::chrono::steady_clock::time_point{}) {
    p.status = std::chrono::steady_clock::now() >= p.ready_at ? "succeeded" : "processing";
  } else if (p.polls >= polls_to_finish_) {
    p.status = "succeeded";
  } else {
    p.status = "processing";
  }
}

json FakeReplicate::to_json(const Prediction& p) const {
  json out = nullptr;
  if (p.status == "succeeded" ||
      (p.status == "processing" && !held_ && p.ready_at == std::chrono::steady_clock::time_point{} &&
       p.polls >= polls_to_finish_)) {
    out = json::array({url() + "/files/" + p.id + ".webp"});
  }
  return {{"id", p.id},
          {"model", "black-forest-labs/flux-schnell"},
          {"version", "dp-fake"},
          {"input", {{"prompt", p.prompt}, {"num_outputs", 1}}},
          {"logs", ""},
          {"output", out},
          {"error", p.error.empty() ? json(nullptr) : json(p.error)},
          {"status", p.status},
          {"created_at", "2026-11-30T11:16:20.000000Z"},
          {"urls",
           {{"get", url() + "/v1/predictions/" + p.id}, {"cancel", url() + "/v1/predictions/" + p.id + "/cancel"}}}};
}

void FakeReplicate::set_polls_to_finish(int polls) {
  std::lock_guard lock(mutex_);
  polls_to_finish_ = polls;
}
void FakeReplicate::hold(bool held) {
  std::lock_guard lock(mutex_);
  held_ = held;
}
void FakeReplicate::set_refused_word(std::string word) {
  std::lock_guard lock(mutex_);
  refused_word_ = std::move(word);
}
void FakeReplicate::queue_create_answer(int status, std::string body, std::map<std::string, std::string> headers) {
  std::lock_guard lock(mutex_);
  create_answers_.emplace_back(status, std::move(body), std::move(headers));
}
void FakeReplicate::queue_create_drop() {
  std::lock_guard lock(mutex_);
  ++drops_;
}
void FakeReplicate::set_latency(std::chrono::milliseconds latency) {
  std::lock_guard lock(mutex_);
  latency_ = latency;
}
void FakeReplicate::set_prediction_time(std::chrono::milliseconds mean, std::chrono::milliseconds jitter) {
  std::lock_guard lock(mutex_);
  prediction_mean_ = mean;
  prediction_jitter_ = jitter;
}
void FakeReplicate::set_transient_error_rate(double rate, uint64_t seed) {
  std::lock_guard lock(mutex_);
  error_rate_ = rate;
  random_.seed(seed);
}
void FakeReplicate::queue_get_answer(int status, std::string body) {
  std::lock_guard lock(mutex_);
  get_answers_.emplace_back(status, std::move(body));
}
std::vector<std::string> FakeReplicate::prompts() const {
  std::lock_guard lock(mutex_);
  return prompts_;
}
std::string FakeReplicate::last_prefer_header() const {
  std::lock_guard lock(mutex_);
  return last_prefer_;
}
std::string FakeReplicate::image_bytes(const std::string& prediction_id) {
  // A tiny WebP-looking payload: RIFF header, size, WEBP tag, and the id to tell images apart.
  std::string body = "WEBPVP8 " + prediction_id;
  std::string out = "RIFF";
  uint32_t size = static_cast<uint32_t>(body.size());
  out.append(reinterpret_cast<const char*>(&size), 4);
  return out + body;
}

}  // namespace glisk::testing
