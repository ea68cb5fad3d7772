#pragma once
// A fake Replicate API for tests, on real HTTP (127.0.0.1, a free port), speaking the documented
// wire format: prediction objects, problem+json errors, `Prefer: wait`, polling, cancel, and an
// output file server for the image URLs. Tests script its behaviour: predictions that need several
// polls or are held until released, NSFW refusals, queued error answers (429 with Retry-After,
// 500, 401, 422, malformed JSON), dropped connections and slow answers. A prediction created with
// a `webhook` is delivered there when it ends, signed as Replicate signs (Standard Webhooks, with
// kWebhookSecret, also served at GET /v1/webhooks/default/secret), and delivered again while the
// receiver does not answer 2xx. Thread-safe.

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "fakes/fake_server.hpp"

namespace glisk::testing {

class FakeReplicate : public FakeServer {
 public:
  FakeReplicate();
  ~FakeReplicate() {  // before the members the handlers and the deliverer use go
    deliverer_.request_stop();
    if (deliverer_.joinable()) deliverer_.join();
    stop_serving();
  }
  static constexpr const char* kToken = "r8_fake_token";
  static constexpr const char* kWebhookSecret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
  static constexpr const char* kNsfwError =
      "All generated images contained NSFW content. Try running it again with a different prompt.";

  // A prediction succeeds after this many GETs (0: at once).
  void set_polls_to_finish(int polls);
  // While held, predictions stay "processing" however often they are polled.
  void hold(bool held);
  // Prompts containing this word fail with kNsfwError.
  void set_refused_word(std::string word);
  // The next create calls answer this instead (first in, first out).
  void queue_create_answer(int status, std::string body, std::map<std::string, std::string> headers = {});
  // The next create calls drop the connection after part of the answer.
  void queue_create_drop();
  // Every answer waits this long first.
  void set_latency(std::chrono::milliseconds latency);
  // The next GET of a prediction answers this instead.
  void queue_get_answer(int status, std::string body);
  // Predictions take this long (uniform in mean ± jitter) of wall time to succeed, whatever the
  // polls, like the real model does; 0 (the default) leaves it to set_polls_to_finish.
  void set_prediction_time(std::chrono::milliseconds mean, std::chrono::milliseconds jitter);
  // Each create call fails with this probability (alternately 500, and 429 with Retry-After: 1),
  // as an overloaded provider does; a seeded generator keeps runs repeatable.
  void set_transient_error_rate(double rate, uint64_t seed = 1);
  int injected_errors() const { return injected_errors_; }
  // The next `times` creates whose prompt contains `word` answer 500 (others go through).
  void fail_creates_containing(std::string word, int times);
  // For `duration` from now every call is answered `status` (401: the key revoked; 402: no
  // credit; 5xx: the service down), as Replicate answers them, or with 0 the connection dropped
  // (nothing at all); counted in outage_answers().
  void outage_for(std::chrono::milliseconds duration, int status);
  int outage_answers() const { return outage_answers_; }

  // Webhooks: never sent (a receiver that is unreachable, as Replicate would see it), or each
  // sent twice (a retry Replicate makes when an answer is lost).
  void drop_webhooks(bool dropped);
  void duplicate_webhooks(bool twice);
  int webhooks_delivered() const { return webhooks_delivered_; }  // answered 2xx
  int webhooks_refused() const { return webhooks_refused_; }      // answered otherwise
  // The `webhook` and `webhook_events_filter` of the last create that had them.
  nlohmann::json last_webhook_request() const;

  int creates() const { return creates_; }
  int gets() const { return gets_; }
  int cancels() const { return cancels_; }
  std::vector<std::string> prompts() const;
  std::string last_prefer_header() const;
  // The bytes served for a prediction's output file.
  static std::string image_bytes(const std::string& prediction_id);

 private:
  struct Prediction {
    std::string id;
    std::string prompt;
    std::string status = "starting";
    int polls = 0;
    std::string error;
    std::chrono::steady_clock::time_point ready_at{};  // with a prediction time
    std::string webhook;                               // where its end is delivered, if anywhere
    std::string webhook_message;                       // its webhook-id, the same in every retry
    int deliveries = 0;                                // 2xx answers to it
  };
  // Delivers the ends of predictions with a webhook (a thread, every 10 ms).
  void deliver_webhooks(std::stop_token stop);
  nlohmann::json to_json(const Prediction& p) const;
  void advance(Prediction& p);  // one poll's worth of progress; mutex_ held
  bool authorized(const httplib::Request& req, httplib::Response& res);
  void wait_latency() const;

  mutable std::mutex mutex_;
  std::map<std::string, Prediction> predictions_;  // guarded by mutex_
  std::deque<std::tuple<int, std::string, std::map<std::string, std::string>>> create_answers_;
  std::deque<std::pair<int, std::string>> get_answers_;
  int drops_ = 0;
  int polls_to_finish_ = 0;
  bool held_ = false;
  std::string refused_word_ = "nsfw";
  std::chrono::milliseconds latency_{0};
  std::vector<std::string> prompts_;
  std::string last_prefer_;
  std::chrono::milliseconds prediction_mean_{0}, prediction_jitter_{0};
  double error_rate_ = 0;
  std::mt19937_64 random_{1};  // guarded by mutex_
  std::atomic<int> creates_{0}, gets_{0}, cancels_{0}, injected_errors_{0}, outage_answers_{0};
  int next_id_ = 0;
  std::chrono::steady_clock::time_point outage_until_{};  // guarded by mutex_
  int outage_status_ = 0;                                 // guarded by mutex_
  std::string failing_word_;                              // guarded by mutex_
  int failing_creates_ = 0;                               // guarded by mutex_
  bool webhooks_dropped_ = false;                         // guarded by mutex_
  bool webhooks_twice_ = false;                           // guarded by mutex_
  nlohmann::json last_webhook_request_;                   // guarded by mutex_
  std::atomic<int> webhooks_delivered_{0}, webhooks_refused_{0}, next_webhook_id_{0};
  std::jthread deliverer_;  // last: it uses everything above
};

}  // namespace glisk::testing
