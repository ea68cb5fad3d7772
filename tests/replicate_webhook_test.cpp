// Replicate's webhook (issue 16): the Standard Webhooks signature against the specification's own
// vector and every way a delivery can be wrong; deliveries kept once per webhook id on both
// stores; a waiting holder woken at once, a later holder finding the result without a poll; and
// the provider taking its image from the webhook with no poll at all (against the fake Replicate,
// which signs and delivers as Replicate does), or from polls when deliveries never come.
#include "webhook/replicate_webhook.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <future>
#include <sstream>
#include <thread>

#include "fakes/fake_replicate.hpp"
#include "image/replicate_provider.hpp"
#include "store/prediction_results.hpp"
#include "test_support.hpp"
#include "webhook/prediction_arrivals.hpp"
#include "webhook/standard_signature.hpp"

using namespace glisk;
using namespace std::chrono_literals;
using glisk::testing::Backend;
using glisk::testing::FakeReplicate;
using glisk::testing::TestDatabase;

namespace {

// The Standard Webhooks specification's example (also svix's test vector).
constexpr const char* kSpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char* kSpecId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr const char* kSpecTimestamp = "1614265330";
constexpr const char* kSpecBody = R"({"test": 2432232314})";
constexpr const char* kSpecSignature = "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
const clock::TimePoint kSpecTime{std::chrono::seconds(1614265330)};

void expect_refused(const std::string& signatures, const std::string& body, clock::TimePoint now,
                    const std::string& why, const char* secret = kSpecSecret) {
  const std::string key = webhook::standard_webhook_key(secret, "TEST");
  try {
    webhook::verify_standard_webhook(key, kSpecId, kSpecTimestamp, signatures, body, now);
    ADD_FAILURE() << "accepted: " << why;
  } catch (const webhook::BadSignature& e) {
    EXPECT_EQ(std::string(e.what()).find(kSpecSignature), std::string::npos) << "a signature in a message";
  }
}

}  // namespace

TEST(StandardWebhookSignature, MatchesTheSpecificationsVector) {
  const std::string key = webhook::standard_webhook_key(kSpecSecret, "TEST");
  EXPECT_EQ(webhook::standard_webhook_signature(key, kSpecId, kSpecTimestamp, kSpecBody), kSpecSignature);
  EXPECT_NO_THROW(webhook::verify_standard_webhook(key, kSpecId, kSpecTimestamp, std::string("v1,") + kSpecSignature,
                                                   kSpecBody, kSpecTime));
  // Several entries (a key being rotated), an asymmetric one among them: one match is enough.
  EXPECT_NO_THROW(webhook::verify_standard_webhook(key, kSpecId, kSpecTimestamp,
                                                   std::string("v1a,AAAA v1,bm90IHRoaXM= v1,") + kSpecSignature,
                                                   kSpecBody, kSpecTime + 4min));
}

TEST(StandardWebhookSignature, RefusesEveryWrongDelivery) {
  const std::string good = std::string("v1,") + kSpecSignature;
  expect_refused(good, R"({"test": 2432232315})", kSpecTime, "a changed body");
  expect_refused(good, kSpecBody, kSpecTime + 5min + 1s, "a delivery over five minutes old (a replay)");
  expect_refused(good, kSpecBody, kSpecTime - 5min - 1s, "a delivery from the future");
  expect_refused(std::string("v1a,") + kSpecSignature, kSpecBody, kSpecTime, "another scheme's entry");
  expect_refused(kSpecSignature, kSpecBody, kSpecTime, "no scheme");
  expect_refused("", kSpecBody, kSpecTime, "no signature");
  expect_refused(good, kSpecBody, kSpecTime, "another account's key", FakeReplicate::kWebhookSecret);
  const std::string key = webhook::standard_webhook_key(kSpecSecret, "TEST");
  EXPECT_THROW(webhook::verify_standard_webhook(key, "", kSpecTimestamp, good, kSpecBody, kSpecTime),
               webhook::BadSignature);
  EXPECT_THROW(webhook::verify_standard_webhook(key, kSpecId, "1614265330x", good, kSpecBody, kSpecTime),
               webhook::BadSignature);
  EXPECT_THROW(webhook::standard_webhook_key("whsec_not base64!", "REPLICATE_WEBHOOK_SECRET"), errors::BadInput);
  EXPECT_THROW(webhook::standard_webhook_key("whsec_c2hvcnQ=", "REPLICATE_WEBHOOK_SECRET"), errors::BadInput);
}

class ReplicateWebhookTest : public ::testing::TestWithParam<Backend> {
 protected:
  TestDatabase tdb{GetParam()};
  clock::ManualClock clock;
  std::ostringstream log_text;
  log::EventLog log{log::Format::kJson, log::Level::kDebug, log_text};
  store::PredictionResults results{tdb.db(), clock};
  webhook::PredictionArrivals arrivals{results, clock};
  webhook::ReplicateWebhook hook{results, arrivals, clock, log, FakeReplicate::kWebhookSecret};

  webhook::ReplicateDelivery signed_delivery(const std::string& id, const std::string& body) {
    const std::string timestamp =
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count());
    const std::string key = webhook::standard_webhook_key(FakeReplicate::kWebhookSecret, "TEST");
    return {id, timestamp, "v1," + webhook::standard_webhook_signature(key, id, timestamp, body)};
  }
  static std::string prediction(const std::string& id, const std::string& status) {
    return nlohmann::json{{"id", id},
                          {"status", status},
                          {"output", nlohmann::json::array({"https://replicate.delivery/x/" + id + ".webp"})}}
        .dump();
  }
};

TEST_P(ReplicateWebhookTest, KeepsAFinishedPredictionOncePerWebhookIdAndWakesItsHolder) {
  const std::string body = prediction("p1abc", "succeeded");
  auto waiter = std::async(std::launch::async, [&] { return arrivals.wait("p1abc", clock.steady_now() + 1h, {}); });
  while (clock.waiters() == 0) std::this_thread::sleep_for(1ms);  // the holder waits

  auto result = hook.handle(body, signed_delivery("msg_1", body));
  EXPECT_FALSE(result.duplicate);
  EXPECT_EQ(result.prediction_id, "p1abc");
  ASSERT_EQ(waiter.wait_for(10s), std::future_status::ready) << "the holder was not woken";
  const auto got = waiter.get();
  ASSERT_TRUE(got);
  EXPECT_EQ(nlohmann::json::parse(*got)["status"], "succeeded");

  // Replicate's retry of the same message changes nothing.
  EXPECT_TRUE(hook.handle(body, signed_delivery("msg_1", body)).duplicate);
  // A holder that comes later (the first died) finds it at once, without waiting.
  EXPECT_TRUE(arrivals.wait("p1abc", clock.steady_now(), {}));
  // An event before the end (the filter asks for none) is acknowledged and kept nowhere.
  const std::string running = prediction("p2abc", "processing");
  EXPECT_TRUE(hook.handle(running, signed_delivery("msg_2", running)).ignored);
  EXPECT_FALSE(results.find("p2abc"));
  // Nothing came: the wait ends at its time with nothing.
  auto nothing = std::async(std::launch::async, [&] { return arrivals.wait("p3abc", clock.steady_now() + 5s, {}); });
  while (clock.waiters() == 0) std::this_thread::sleep_for(1ms);
  clock.advance(6s);
  EXPECT_FALSE(nothing.get());
}

TEST_P(ReplicateWebhookTest, ABadDeliveryChangesNothing) {
  const std::string body = prediction("p1abc", "succeeded");
  auto delivery = signed_delivery("msg_1", body);
  auto forged = delivery;
  forged.signatures = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  EXPECT_THROW(hook.handle(body, forged), webhook::BadSignature);
  const std::string tampered = prediction("p9abc", "succeeded");
  EXPECT_THROW(hook.handle(tampered, delivery), webhook::BadSignature);
  clock.advance(6min);  // replayed later
  EXPECT_THROW(hook.handle(body, delivery), webhook::BadSignature);
  for (const std::string& bad : {std::string("[1]"), std::string("{\"id\":\"../x\",\"status\":\"succeeded\"}"),
                                 std::string("{\"id\":7,\"status\":\"succeeded\"}"), std::string("not json")}) {
    EXPECT_THROW(hook.handle(bad, signed_delivery("msg_x", bad)), webhook::MalformedWebhook) << bad;
  }
  EXPECT_FALSE(results.find("p1abc"));
  EXPECT_FALSE(results.find("p9abc"));
  EXPECT_EQ(log_text.str().find("v1,"), std::string::npos) << "a signature reached the log";
}

TEST_P(ReplicateWebhookTest, UntilItsSecretIsKnownEveryDeliveryAnswersUnavailableAndIsKeptNowhere) {
  webhook::ReplicateWebhook later(results, arrivals, clock, log, "");
  const std::string body = prediction("p1abc", "succeeded");
  EXPECT_FALSE(later.has_secret());
  EXPECT_THROW(later.handle(body, signed_delivery("msg_1", body)), webhook::WebhookNotConfigured);
  EXPECT_FALSE(results.find("p1abc"));
  EXPECT_THROW(later.set_secret("whsec_not base64!"), errors::BadInput);
  later.set_secret(FakeReplicate::kWebhookSecret);  // read from Replicate meanwhile
  EXPECT_FALSE(later.handle(body, signed_delivery("msg_1", body)).duplicate) << "Replicate's retry is taken";
  EXPECT_TRUE(results.find("p1abc"));
}

INSTANTIATE_TEST_SUITE_P(Backends, ReplicateWebhookTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         glisk::testing::backend_param_name);

// The provider with the webhook: the fake Replicate delivers to a receiver in front of the real
// handler, as Replicate delivers to glisk's POST /webhooks/replicate.
class ReplicateWebhookDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Read from Replicate, as the service does when REPLICATE_WEBHOOK_SECRET is not set.
    hook_.set_secret(image::ReplicateProvider(http, options()).webhook_secret());
    receiver_.Post("/webhooks/replicate", [this](const httplib::Request& req, httplib::Response& res) {
      try {
        hook_.handle(req.body, {req.get_header_value("webhook-id"), req.get_header_value("webhook-timestamp"),
                                req.get_header_value("webhook-signature")});
        res.status = 200;
      } catch (const std::exception& e) {
        res.status = 401;
        res.set_content(e.what(), "text/plain");
      }
    });
    port_ = receiver_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { receiver_.listen_after_bind(); });
    while (!receiver_.is_running()) std::this_thread::sleep_for(1ms);
  }
  void TearDown() override {
    receiver_.stop();
    thread_.join();
  }
  image::ReplicateOptions options() {
    image::ReplicateOptions o;
    o.api_url = fake.url();
    o.api_token = FakeReplicate::kToken;
    o.timeout = 20s;
    o.poll_initial = 50ms;
    o.poll_max = 200ms;
    o.webhook_url = "http://127.0.0.1:" + std::to_string(port_) + "/webhooks/replicate";
    o.inbox = &arrivals_;
    o.webhook_grace = 3s;
    return o;
  }

  FakeReplicate fake;
  net::HttpClient http;
  TestDatabase tdb{Backend::kSqlite};
  clock::SystemClock clock_;
  std::ostringstream log_text_;
  log::EventLog log_{log::Format::kJson, log::Level::kDebug, log_text_};
  store::PredictionResults results_{tdb.db(), clock_};
  webhook::PredictionArrivals arrivals_{results_, clock_};
  webhook::ReplicateWebhook hook_{results_, arrivals_, clock_, log_, ""};
  httplib::Server receiver_;
  std::thread thread_;
  int port_ = 0;
};

TEST_F(ReplicateWebhookDeliveryTest, TheImageComesByWebhookWithoutASinglePoll) {
  fake.set_prediction_time(400ms, 100ms);
  fake.duplicate_webhooks(true);  // and a retry of each, which changes nothing
  image::ReplicateProvider provider(http, options());
  std::vector<std::string> started;
  for (int i = 0; i < 4; ++i) {
    const auto began = std::chrono::steady_clock::now();
    auto image =
        provider.generate("a lighthouse", std::nullopt, [&](const std::string& id) { started.push_back(id); }, {});
    EXPECT_LT(std::chrono::steady_clock::now() - began, 2500ms) << "waited for a poll, not the webhook";
    EXPECT_EQ(image.url, fake.url() + "/files/" + started.back() + ".webp");
  }
  EXPECT_EQ(fake.gets(), 0) << "polled although every end was told";
  // The last retry may still be on its way when its first copy has woken the holder.
  for (int i = 0; i < 500 && fake.webhooks_delivered() < 8; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(fake.webhooks_delivered(), 8);
  EXPECT_EQ(fake.webhooks_refused(), 0);
  const auto asked = fake.last_webhook_request();
  EXPECT_EQ(asked["webhook"], options().webhook_url);
  EXPECT_EQ(asked["webhook_events_filter"], nlohmann::json::array({"completed"}));

  // A holder that died: the next one resumes the prediction and finds its end delivered, unasked.
  auto resumed = provider.generate("a lighthouse", started.front(), [](const std::string&) {}, {});
  EXPECT_EQ(resumed.prediction_id, started.front());
  EXPECT_EQ(fake.gets(), 0);
  EXPECT_EQ(fake.creates(), 4);
}

TEST_F(ReplicateWebhookDeliveryTest, WhenNoDeliveryComesPollingFindsTheImageAfterTheGrace) {
  fake.set_prediction_time(300ms, 0ms);
  fake.drop_webhooks(true);
  image::ReplicateProvider provider(http, options());
  const auto began = std::chrono::steady_clock::now();
  auto image = provider.generate("a lighthouse", std::nullopt, [](const std::string&) {}, {});
  const auto took = std::chrono::steady_clock::now() - began;
  EXPECT_FALSE(image.url.empty());
  EXPECT_GE(took, 3s) << "polled before the webhook's grace";
  EXPECT_LT(took, 8s);
  EXPECT_GE(fake.gets(), 1);
  EXPECT_LE(fake.gets(), 2);
}
