// The image stage end to end: StageWorker + ImageGenerationProcessor + the Replicate client
// against the fake Replicate server, on SQLite and PostgreSQL.
#include "workers/image_generation.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "fakes/fake_replicate.hpp"
#include "image/local_generator.hpp"
#include "image/replicate_provider.hpp"
#include "store/token_events.hpp"
#include "store/token_lifecycle.hpp"
#include "test_support.hpp"

using namespace glisk;
using namespace std::chrono_literals;
using glisk::testing::Backend;
using glisk::testing::FakeReplicate;
using token::Stage;
using token::TokenStatus;

class ImageGenerationTest : public ::testing::TestWithParam<Backend> {
 protected:
  glisk::testing::TestDatabase tdb{GetParam()};
  clock::ManualClock clock;
  queue::WakeBoard wake;
  store::TokenStore tokens{tdb.db(), clock};
  store::AuthorStore authors{tdb.db(), clock};
  store::TokenLifecycle queue{tdb.db(), clock, wake, "img", 60s};
  glisk::testing::CapturedLog captured;
  FakeReplicate fake;
  net::HttpClient http;
  image::ReplicateProvider provider{http, [&] {
                                      image::ReplicateOptions o;
                                      o.api_url = fake.url();
                                      o.api_token = FakeReplicate::kToken;
                                      o.timeout = 5s;
                                      o.poll_initial = 5ms;
                                      o.poll_max = 20ms;
                                      return o;
                                    }()};
  workers::ImageGenerationProcessor processor{
      authors, provider, captured.log, {"a default prompt", "cute kittens, watercolor"}};
  workers::StageWorker worker{Stage::kImage,
                              queue,
                              wake,
                              processor,
                              clock,
                              captured.log,
                              [] {
                                workers::WorkerOptions o;
                                o.max_attempts = 3;
                                o.backoff = {2s, 60s};
                                return o;
                              }(),
                              [] { return 1.0; }};

  void add_token(int64_t id, std::optional<std::string> prompt, const std::string& wallet = "0xa1") {
    auto author = glisk::testing::add_author(tokens, wallet, prompt);
    glisk::testing::add_token(tokens, id, author);
  }
};

TEST_P(ImageGenerationTest, GeneratesAndMovesTheTokenOn) {
  add_token(1, std::string("a lighthouse at dusk"));
  fake.set_polls_to_finish(2);
  EXPECT_EQ(worker.step(), 1u);
  auto t = *tokens.find_token(1);
  EXPECT_EQ(t.status, TokenStatus::kUploading);
  ASSERT_TRUE(t.prediction_id);
  EXPECT_EQ(t.image_url, fake.url() + "/files/" + *t.prediction_id + ".webp");
  EXPECT_EQ(fake.prompts(), std::vector<std::string>{"a lighthouse at dusk"});
  EXPECT_EQ(captured.count("token.generation.started"), 1);
  EXPECT_EQ(captured.count("token.generation.succeeded"), 1);
  EXPECT_NE(captured.text().find("\"fallback_prompt\":false"), std::string::npos);
}

TEST_P(ImageGenerationTest, ThePredictionIdIsSavedBeforeWaiting) {
  add_token(1, std::string("a lighthouse"));
  fake.hold(true);
  std::thread step([&] { worker.step(); });
  std::optional<std::string> saved;
  for (int i = 0; i < 500 && !saved; ++i) {
    std::this_thread::sleep_for(10ms);
    saved = tokens.find_token(1)->prediction_id;
  }
  ASSERT_TRUE(saved) << "no prediction id on the token while the prediction runs";
  EXPECT_EQ(tokens.find_token(1)->status, TokenStatus::kGenerating);
  fake.hold(false);
  step.join();
  EXPECT_EQ(tokens.find_token(1)->status, TokenStatus::kUploading);
  EXPECT_EQ(tokens.find_token(1)->prediction_id, saved);
}

TEST_P(ImageGenerationTest, ATokenTakenOverAfterACrashResumesItsPrediction) {
  add_token(1, std::string("a lighthouse"));
  fake.hold(true);
  // A holder that dies mid-wait: its processing stops, its lease is left behind.
  store::TokenLifecycle dead(tdb.db(), clock, wake, "dead", 60s);
  auto claim = dead.claim(Stage::kImage, 1).at(0);
  std::stop_source crash;
  std::thread holder([&] { EXPECT_ANY_THROW(processor.process(claim, dead, crash.get_token())); });
  while (fake.gets() == 0) std::this_thread::sleep_for(5ms);
  crash.request_stop();
  holder.join();
  fake.hold(false);
  EXPECT_EQ(worker.step(), 0u) << "the lease is still running";
  clock.advance(61s);
  EXPECT_EQ(worker.step(), 1u);
  EXPECT_EQ(fake.creates(), 1) << "the second holder paid for nothing new";
  EXPECT_EQ(tokens.find_token(1)->status, TokenStatus::kUploading);
  EXPECT_EQ(tokens.find_token(1)->predictions_created, 1) << "a resumed prediction is counted once";
  EXPECT_EQ(captured.count("worker.recovery"), 1);
  EXPECT_NE(captured.text().find("\"resumed\":true"), std::string::npos);
}

TEST_P(ImageGenerationTest, ARefusedPromptIsRetriedOnceWithTheFallback) {
  add_token(1, std::string("something nsfw and secret"));
  worker.step();
  auto t = *tokens.find_token(1);
  EXPECT_EQ(t.status, TokenStatus::kUploading);
  EXPECT_EQ(fake.prompts(), (std::vector<std::string>{"something nsfw and secret", "cute kittens, watercolor"}));
  EXPECT_EQ(t.predictions_created, 2) << "what the image cost: the refused prediction and the fallback's";
  EXPECT_EQ(tokens.prediction_totals().created, 2);
  EXPECT_EQ(tokens.prediction_totals().tokens_with_several, 1);
  EXPECT_EQ(captured.count("token.censored"), 1);
  EXPECT_EQ(captured.text().find("nsfw and secret"), std::string::npos) << "the prompt reached the log";
  EXPECT_NE(captured.text().find("\"fallback_prompt\":true"), std::string::npos);
}

TEST_P(ImageGenerationTest, ARefusedPromptIsNeverSentAgainForTheToken) {
  metrics::Registry registry;
  workers::ImageGenerationProcessor counted{
      authors, provider, captured.log, {"a default prompt", "cute kittens, watercolor", &registry}};
  workers::StageWorker counted_worker{Stage::kImage, queue, wake, counted, clock, captured.log, [] {
                                        workers::WorkerOptions o;
                                        o.backoff = {2s, 60s};
                                        return o;
                                      }()};
  add_token(1, std::string("something nsfw and secret"));
  fake.fail_creates_containing("kittens", 1);  // the fallback's first create fails
  counted_worker.step();
  auto t = *tokens.find_token(1);
  EXPECT_EQ(t.status, TokenStatus::kDetected);
  ASSERT_TRUE(t.prompt_refused_at) << "the refusal is recorded before the fallback is sent";
  clock.advance(2s);
  counted_worker.step();
  t = *tokens.find_token(1);
  EXPECT_EQ(t.status, TokenStatus::kUploading);
  EXPECT_EQ(fake.prompts(), (std::vector<std::string>{"something nsfw and secret", "cute kittens, watercolor"}))
      << "the second attempt went straight to the fallback";
  // After the operator's retry or the seed's reset too.
  store::in_transaction(tdb.db(), store::TxMode::kWrite, [](store::Transaction& tx) {
    tx.exec("UPDATE tokens_s0 SET status = 'detected', image_url = NULL, prediction_id = NULL");
  });
  counted_worker.step();
  EXPECT_EQ(fake.prompts().back(), "cute kittens, watercolor");
  EXPECT_EQ(fake.prompts().size(), 3u);
  auto& created = registry.counter("glisk_predictions_created_total", "", {"prompt"});
  EXPECT_EQ(created.value({"author"}), 1);
  EXPECT_EQ(created.value({"fallback"}), 2);
  const auto history = store::token_history(tdb.db(), 1);
  ASSERT_TRUE(history);
  bool told = false;
  for (const auto& e : *history)
    told = told || (e.error && e.error->find("refused the author's prompt") != std::string::npos);
  EXPECT_TRUE(told) << "the refusal is in the token's history";
  EXPECT_EQ(captured.text().find("nsfw and secret"), std::string::npos) << "the prompt reached the log";
}

TEST_P(ImageGenerationTest, ARefusedFallbackFailsTheToken) {
  fake.set_refused_word("a");  // both prompts contain an "a"
  add_token(1, std::string("a lighthouse"));
  worker.step();
  auto t = *tokens.find_token(1);
  EXPECT_EQ(t.status, TokenStatus::kFailed);
  EXPECT_NE(t.generation_error->find("set a milder FALLBACK_CENSORED_PROMPT"), std::string::npos)
      << *t.generation_error;
}

TEST_P(ImageGenerationTest, PermanentErrorsFailAtOnceSayingWhatToFix) {
  add_token(1, std::string("a lighthouse"));
  fake.queue_create_answer(422, R"({"title":"Input validation failed","detail":"- input.prompt: bad","status":422})");
  worker.step();
  auto t = *tokens.find_token(1);
  EXPECT_EQ(t.status, TokenStatus::kFailed);
  EXPECT_EQ(t.generation_attempts, 1);
  EXPECT_EQ(t.failed_stage, Stage::kImage);
  EXPECT_NE(t.generation_error->find("check REPLICATE_MODEL_VERSION and the prompt"), std::string::npos)
      << *t.generation_error;
  EXPECT_EQ(captured.count("token.generation.failed"), 1);
}

TEST_P(ImageGenerationTest, ARevokedKeyPausesTheStageAndFailsNoToken) {
  add_token(1, std::string("a lighthouse"));
  add_token(2, std::string("a harbour"), "0xa2");
  fake.queue_create_answer(401, R"({"title":"Unauthenticated","detail":"Invalid token","status":401})");
  EXPECT_EQ(worker.step(), 2u);
  EXPECT_EQ(worker.breaker().state, workers::BreakerState::kOpen) << "the 401 opens the breaker at once";
  for (int64_t id : {1, 2}) {
    auto t = *tokens.find_token(id);
    EXPECT_EQ(t.status, TokenStatus::kDetected);
    EXPECT_EQ(t.generation_attempts, 0);
    EXPECT_EQ(t.next_attempt_at, clock.now() + 1s) << "back with the first probe";
  }
  EXPECT_EQ(fake.creates(), 0) << "the token claimed with the first waited: it never called Replicate";
  EXPECT_EQ(captured.count("provider.breaker_opened"), 1);
  EXPECT_NE(captured.text().find("check REPLICATE_API_TOKEN"), std::string::npos) << captured.text();
  EXPECT_EQ(worker.step(), 0u);
  clock.advance(1s);  // the key is fixed: the probe succeeds and the stage goes on
  EXPECT_EQ(worker.step(), 1u);
  EXPECT_EQ(worker.breaker().state, workers::BreakerState::kClosed);
  while (worker.step() > 0) {
  }
  EXPECT_EQ(tokens.find_token(1)->status, TokenStatus::kUploading);
  EXPECT_EQ(tokens.find_token(2)->status, TokenStatus::kUploading);
  EXPECT_EQ(captured.count("token.generation.failed"), 0);
  EXPECT_EQ(captured.count("provider.breaker_closed"), 1);
}

TEST_P(ImageGenerationTest, ServerErrorsNeverFailTheTokenAndOpenTheBreakerAfterThreeInARow) {
  add_token(1, std::string("a lighthouse"));
  for (int i = 0; i < 3; ++i)
    fake.queue_create_answer(503, R"({"title":"Service Unavailable","detail":"busy","status":503})");
  worker.step();
  EXPECT_EQ(tokens.find_token(1)->next_attempt_at, clock.now() + 2s);
  EXPECT_EQ(worker.step(), 0u);
  clock.advance(2s);
  worker.step();
  EXPECT_EQ(worker.breaker().state, workers::BreakerState::kClosed) << "two in a row";
  clock.advance(2s);
  worker.step();
  EXPECT_EQ(worker.breaker().state, workers::BreakerState::kOpen) << "three in a row";
  EXPECT_EQ(tokens.find_token(1)->next_attempt_at, clock.now() + 1s) << "back with the probe";
  clock.advance(1s);
  worker.step();
  auto t = *tokens.find_token(1);
  EXPECT_EQ(t.status, TokenStatus::kUploading);
  EXPECT_EQ(t.generation_attempts, 0);
  EXPECT_EQ(captured.count("token.generation.retry"), 0);
  EXPECT_EQ(fake.creates(), 1);
}

TEST_P(ImageGenerationTest, RateLimitsSetTheNextAttempt) {
  add_token(1, std::string("a lighthouse"));
  fake.queue_create_answer(429, R"({"title":"Too Many Requests","detail":"throttled","status":429})",
                           {{"Retry-After", "30"}});
  worker.step();
  EXPECT_EQ(tokens.find_token(1)->next_attempt_at, clock.now() + 30s);
  clock.advance(30s);
  worker.step();
  EXPECT_EQ(tokens.find_token(1)->status, TokenStatus::kUploading);
}

TEST_P(ImageGenerationTest, PromptsAreValidated) {
  add_token(1, std::nullopt, "0xa1");                          // no prompt: the default
  add_token(2, std::string(1001, 'x'), "0xa2");                // too long
  add_token(3, std::string(" \t\n "), "0xa3");                 // blank
  add_token(4, "  " + std::string(1000, 'y') + "  ", "0xa4");  // exactly 1000 after trimming
  worker.step();
  EXPECT_EQ(tokens.find_token(1)->status, TokenStatus::kUploading);
  EXPECT_EQ(fake.prompts().at(0), "a default prompt");
  EXPECT_EQ(tokens.find_token(2)->status, TokenStatus::kFailed);
  EXPECT_NE(tokens.find_token(2)->generation_error->find("more than 1000"), std::string::npos);
  EXPECT_EQ(tokens.find_token(3)->status, TokenStatus::kFailed);
  EXPECT_NE(tokens.find_token(3)->generation_error->find("the prompt is empty"), std::string::npos);
  EXPECT_EQ(tokens.find_token(4)->status, TokenStatus::kUploading);
  EXPECT_EQ(fake.creates(), 2);
}

TEST_P(ImageGenerationTest, TheSeedsResetSendsFixedTokensThroughAgainWithoutPayingTwice) {
  add_token(1, std::string("a lighthouse"));
  fake.queue_create_answer(422, R"({"title":"Input validation failed","detail":"- input: bad","status":422})");
  worker.step();
  ASSERT_EQ(tokens.find_token(1)->status, TokenStatus::kFailed);
  // The operator fixes the model's input, then runs the seed's reset.
  store::in_transaction(tdb.db(), store::TxMode::kWrite, [](store::Transaction& tx) {
    tx.exec(
        "UPDATE tokens_s0 SET status = 'detected', generation_attempts = 0, generation_error = NULL "
        "WHERE status = 'failed' AND generation_attempts < 3");
  });
  EXPECT_EQ(worker.step(), 1u);
  EXPECT_EQ(tokens.find_token(1)->status, TokenStatus::kUploading);
  // Reset again (as if the upload had failed): the image it has is kept, nothing is paid again.
  store::in_transaction(tdb.db(), store::TxMode::kWrite,
                        [](store::Transaction& tx) { tx.exec("UPDATE tokens_s0 SET status = 'detected'"); });
  EXPECT_EQ(worker.step(), 1u);
  EXPECT_EQ(fake.creates(), 1);
  EXPECT_EQ(tokens.find_token(1)->status, TokenStatus::kUploading);
}

INSTANTIATE_TEST_SUITE_P(Backends, ImageGenerationTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         glisk::testing::backend_param_name);

TEST(LocalImageGenerator, SamePromptSameBytesDifferentPromptDifferentImage) {
  auto a = image::render_png("a lighthouse at dusk");
  EXPECT_EQ(a, image::render_png("a lighthouse at dusk"));
  EXPECT_EQ(a.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  auto b = image::render_png("a lighthouse at dawn");
  EXPECT_NE(a, b);
  EXPECT_GT(a.size(), 1000u);
}

TEST(LocalImageGenerator, WritesTheFileAndReturnsAFileUrl) {
  auto dir = std::filesystem::temp_directory_path() / ("glisk_local_" + std::to_string(getpid()));
  image::LocalImageGenerator generator(dir);
  auto image = generator.generate("a lighthouse", std::nullopt, [](const std::string&) {}, {});
  ASSERT_TRUE(image.url.starts_with("file://" + dir.string() + "/images/"));
  std::ifstream f(image.url.substr(7), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes, image::render_png("a lighthouse"));
  EXPECT_FALSE(image.prediction_id);
  EXPECT_EQ(generator.generate("a lighthouse", std::nullopt, [](const std::string&) {}, {}).url, image.url);
  std::filesystem::remove_all(dir);
}
