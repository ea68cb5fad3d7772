// The Replicate client against the fake Replicate server: every answer shape and error class.
#include "image/replicate_provider.hpp"

#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "errors/errors.hpp"
#include "fakes/fake_replicate.hpp"
#include "test_support.hpp"

using namespace glisk;
using namespace std::chrono_literals;
using glisk::testing::FakeReplicate;

class ReplicateProviderTest : public ::testing::Test {
 protected:
  FakeReplicate fake;
  net::HttpClient http;
  std::vector<std::string> started;

  image::ReplicateOptions options(int prefer_wait = 0) {
    image::ReplicateOptions o;
    o.api_url = fake.url();
    o.api_token = FakeReplicate::kToken;
    o.timeout = 5s;
    o.prefer_wait_seconds = prefer_wait;
    o.poll_initial = 10ms;
    o.poll_max = 50ms;
    return o;
  }
  image::GeneratedImage generate(image::ReplicateProvider& p, const std::string& prompt = "a lighthouse",
                                 std::optional<std::string> resume = std::nullopt, std::stop_token stop = {}) {
    return p.generate(
        prompt, resume, [&](const std::string& id) { started.push_back(id); }, stop);
  }
};

TEST_F(ReplicateProviderTest, CreatesThenPollsUntilTheImageIsThere) {
  fake.set_polls_to_finish(3);
  image::ReplicateProvider p(http, options());
  auto image = generate(p);
  ASSERT_EQ(started.size(), 1u);
  EXPECT_EQ(image.prediction_id, started[0]);
  EXPECT_EQ(image.url, fake.url() + "/files/" + started[0] + ".webp");
  EXPECT_EQ(fake.creates(), 1);
  EXPECT_EQ(fake.gets(), 3);
  EXPECT_EQ(fake.last_prefer_header(), "") << "async by default: the id is saved before any waiting";
  EXPECT_EQ(fake.prompts(), std::vector<std::string>{"a lighthouse"});
}

TEST_F(ReplicateProviderTest, PreferWaitAcceptsProcessingWithOutput) {
  image::ReplicateProvider p(http, options(5));
  auto image = generate(p);
  EXPECT_EQ(fake.last_prefer_header(), "wait=5");
  EXPECT_EQ(fake.gets(), 0) << "the blocking answer carried the output";
  EXPECT_EQ(image.url, fake.url() + "/files/" + started.at(0) + ".webp");
}

TEST_F(ReplicateProviderTest, PinnedVersionsUseThePredictionsEndpoint) {
  auto o = options();
  o.model = "someone/other-model:" + std::string(64, 'a');
  image::ReplicateProvider p(http, o);
  EXPECT_NO_THROW(generate(p));  // the fake only knows flux-schnell under /v1/models/…
  EXPECT_THROW(image::ReplicateProvider(http,
                                        [&] {
                                          auto x = options();
                                          x.model = "flux";
                                          return x;
                                        }()),
               std::invalid_argument);
}

TEST_F(ReplicateProviderTest, ResumesAKnownPredictionInsteadOfPayingAgain) {
  fake.hold(true);
  image::ReplicateProvider p(http, options());
  std::stop_source stop;
  std::thread first(
      [&] { EXPECT_THROW(generate(p, "a lighthouse", std::nullopt, stop.get_token()), errors::TransientError); });
  while (fake.gets() == 0) std::this_thread::sleep_for(5ms);  // polling: the id was reported
  stop.request_stop();                                        // the process "dies" while waiting
  first.join();
  EXPECT_EQ(fake.cancels(), 0) << "an interrupted wait leaves the prediction to be resumed";
  fake.hold(false);
  std::string id = started[0];
  started.clear();
  auto image = generate(p, "a lighthouse", id);
  EXPECT_TRUE(started.empty());
  EXPECT_EQ(image.prediction_id, id);
  EXPECT_EQ(fake.creates(), 1);
}

TEST_F(ReplicateProviderTest, AnUnknownPredictionToResumeStartsANewOne) {
  image::ReplicateProvider p(http, options());
  auto image = generate(p, "a lighthouse", std::string("gone-prediction"));
  EXPECT_EQ(fake.creates(), 1);
  EXPECT_EQ(started.size(), 1u);
  EXPECT_NE(image.prediction_id, "gone-prediction");
}

TEST_F(ReplicateProviderTest, ABadTokenIsAnAccountOutageAndNamesTheVariable) {
  auto o = options();
  o.api_token = "r8_wrong_secret";
  image::ReplicateProvider p(http, o);
  auto e = glisk::testing::thrown<errors::OutageError>([&] { generate(p); });
  EXPECT_EQ(e.cause(), errors::OutageError::Cause::kAccount);
  std::string m = e.what();
  EXPECT_NE(m.find("401"), std::string::npos) << m;
  EXPECT_NE(m.find("check REPLICATE_API_TOKEN"), std::string::npos) << m;
  EXPECT_EQ(m.find("r8_wrong_secret"), std::string::npos) << m;
}

TEST_F(ReplicateProviderTest, AnUnknownModelIsPermanent) {
  auto o = options();
  o.model = "black-forest-labs/flux-nonexistent";
  image::ReplicateProvider p(http, o);
  auto e = glisk::testing::thrown<errors::PermanentError>([&] { generate(p); });
  EXPECT_NE(std::string(e.what()).find("check REPLICATE_MODEL_VERSION"), std::string::npos) << e.what();
}

TEST_F(ReplicateProviderTest, InvalidInputIsPermanent) {
  fake.queue_create_answer(422,
                           R"({"title":"Input validation failed","detail":"- input.prompt: too long","status":422})");
  image::ReplicateProvider p(http, options());
  auto e = glisk::testing::thrown<errors::PermanentError>([&] { generate(p); });
  EXPECT_NE(std::string(e.what()).find("422: - input.prompt: too long"), std::string::npos) << e.what();
}

TEST_F(ReplicateProviderTest, RateLimitsHonourRetryAfter) {
  fake.queue_create_answer(429, R"({"title":"Too Many Requests","detail":"Request was throttled.","status":429})",
                           {{"Retry-After", "7"}});
  image::ReplicateProvider p(http, options());
  auto e = glisk::testing::thrown<errors::TransientError>([&] { generate(p); });
  EXPECT_EQ(e.retry_after(), 7000ms);
}

TEST_F(ReplicateProviderTest, RateLimitsWithOnlyADetailAreHonoured) {
  fake.queue_create_answer(
      429,
      R"({"title":"Too Many Requests","detail":"Request was throttled. Expected available in 3 seconds.","status":429})");
  image::ReplicateProvider p(http, options());
  auto e = glisk::testing::thrown<errors::TransientError>([&] { generate(p); });
  EXPECT_EQ(e.retry_after(), 3000ms);
  // The body Replicate's rate-limit page documents.
  fake.queue_create_answer(429, R"({"detail":"Request was throttled. Your rate limit resets in ~30s."})");
  auto documented = glisk::testing::thrown<errors::TransientError>([&] { generate(p); });
  EXPECT_EQ(documented.retry_after(), 30000ms);
  fake.queue_create_answer(429, R"({"detail":"Request was throttled. Try again in a while (3 sessions open)."})");
  EXPECT_EQ(glisk::testing::thrown<errors::TransientError>([&] { generate(p); }).retry_after(), std::nullopt);
}

TEST_F(ReplicateProviderTest, ServerErrorsMalformedAnswersAndDropsAreTransient) {
  image::ReplicateProvider p(http, options());
  fake.queue_create_answer(500, R"({"title":"Internal Server Error","detail":"boom","status":500})");
  EXPECT_THROW(generate(p), errors::TransientError);
  fake.queue_create_answer(200, "{not json");
  EXPECT_THROW(generate(p), errors::TransientError);
  fake.queue_create_drop();
  EXPECT_THROW(generate(p), errors::TransientError);
  EXPECT_NO_THROW(generate(p));
}

TEST_F(ReplicateProviderTest, ARefusedPromptIsAContentPolicyError) {
  image::ReplicateProvider p(http, options());
  auto e = glisk::testing::thrown<errors::ContentPolicyError>([&] { generate(p, "something nsfw"); });
  EXPECT_NE(std::string(e.what()).find("NSFW"), std::string::npos);
}

TEST_F(ReplicateProviderTest, APredictionPastTheTimeoutIsCanceled) {
  fake.hold(true);
  auto o = options();
  o.timeout = 300ms;
  image::ReplicateProvider p(http, o);
  auto e = glisk::testing::thrown<errors::TransientError>([&] { generate(p); });
  EXPECT_NE(std::string(e.what()).find("IMAGE_TIMEOUT_SECONDS"), std::string::npos) << e.what();
  EXPECT_EQ(fake.cancels(), 1);
}

TEST_F(ReplicateProviderTest, AnUnreachableApiIsTransient) {
  auto o = options();
  o.api_url = "http://127.0.0.1:1";
  image::ReplicateProvider p(http, o);
  auto e = glisk::testing::thrown<errors::TransientError>([&] { generate(p); });
  EXPECT_NE(std::string(e.what()).find("Replicate unreachable"), std::string::npos) << e.what();
}

TEST_F(ReplicateProviderTest, SlowAnswersPastTheRequestTimeoutAreTransient) {
  net::HttpRequest request;
  request.url = fake.url() + "/v1/predictions/x";
  request.headers = {{"Authorization", std::string("Bearer ") + FakeReplicate::kToken}};
  request.timeout = 100ms;
  fake.set_latency(500ms);
  auto e = glisk::testing::thrown<net::TransportError>([&] { http.send(request); });
  EXPECT_EQ(e.failure(), net::TransportError::Failure::kTimeout) << e.what();
}

TEST(RetryAfter, ReadsSecondsAndHttpDates) {
  auto now = std::chrono::system_clock::from_time_t(1'700'000'000);
  EXPECT_EQ(net::parse_retry_after("12", now), 12000ms);
  EXPECT_EQ(net::parse_retry_after("Tue, 14 Nov 2023 22:13:40 GMT", now), 20000ms);
  EXPECT_FALSE(net::parse_retry_after("soon", now));
}

TEST(FirstLook, SettlesWhereTheChosenShareOfPredictionsIsDoneAndFollowsAChange) {
  using std::chrono::milliseconds;
  image::FirstLook first(milliseconds(250), milliseconds(60'000), 0.65);
  std::mt19937 random(7);
  auto run = [&](int mean_ms, int n) {
    std::uniform_int_distribution<int> took(mean_ms - 500, mean_ms + 500);
    int found_at_first = 0;
    for (int i = 0; i < n; ++i) {
      const bool done = first.after() >= milliseconds(took(random));
      found_at_first += done;
      first.seen(done);
    }
    return found_at_first;
  };
  run(1500, 40);  // from 250 ms up to the model's pace
  EXPECT_GE(first.after(), milliseconds(1300));
  EXPECT_LE(first.after(), milliseconds(2000));
  const int found = run(1500, 200);
  EXPECT_GE(found, 100) << "about two thirds of the predictions are found at the first look";
  EXPECT_LE(found, 160);
  image::FirstLook median(milliseconds(1500), milliseconds(60'000));  // the service's: 0.5
  int at_median = 0;
  std::uniform_int_distribution<int> took(1000, 2000);
  for (int i = 0; i < 400; ++i) {
    const bool done = median.after() >= milliseconds(took(random));
    at_median += done;
    median.seen(done);
  }
  EXPECT_GE(at_median, 140) << "about half are found at the first look";
  EXPECT_LE(at_median, 260);
  run(4000, 60);  // the model slows down: the first look follows
  EXPECT_GE(first.after(), milliseconds(3500));
}

TEST_F(ReplicateProviderTest, CreatesWaitForTheAccountsBudgetAndA429HoldsIt) {
  net::RateBudget creates(http.clock(), 600, 1);  // one create per 100 ms, no burst
  auto o = options();
  o.creates = &creates;
  image::ReplicateProvider p(http, o);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) generate(p);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms) << "4 creates at 10 a second take 0.3 s at least";
  fake.queue_create_answer(429, R"({"title":"Too Many Requests","detail":"throttled","status":429})",
                           {{"Retry-After", "1"}});
  EXPECT_THROW(generate(p), errors::RateLimitedError);
  EXPECT_EQ(creates.available(), 0) << "the 429's second holds the budget";
  const auto held = std::chrono::steady_clock::now();
  generate(p);
  EXPECT_GE(std::chrono::steady_clock::now() - held, 900ms) << "no create went before Replicate's Retry-After";
  EXPECT_EQ(fake.creates(), 5);
}
