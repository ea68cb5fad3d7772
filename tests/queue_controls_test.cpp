// The operator's queue controls on SQLite and PostgreSQL: a stage paused in the database and
// honoured by a running worker within a second, tokens cancelled for good, a backoff cut short
// (retry --now), each recorded with its caller, and the counts every instance reports.
#include <gtest/gtest.h>

#include <thread>

#include "metrics/registry.hpp"
#include "ops/pipeline_metrics.hpp"
#include "pipeline_data.hpp"
#include "store/stage_controls.hpp"
#include "store/token_store.hpp"
#include "workers/stage_worker.hpp"

using namespace glisk;
using namespace std::chrono_literals;
using glisk::testing::Backend;
using glisk::testing::TestDatabase;
using token::Stage;
using token::TokenStatus;
namespace gt = glisk::testing;

namespace {

class CountingProcessor : public workers::TokenProcessor {
 public:
  std::atomic<int> calls{0};
  workers::StageOutcome process(const store::Claim& claim, store::TokenLifecycle&, std::stop_token) override {
    ++calls;
    return store::TokenPatch{.image_url = "https://img/" + std::to_string(claim.token.token_id)};
  }
};

}  // namespace

class QueueControlsTest : public ::testing::TestWithParam<Backend> {
 protected:
  TestDatabase tdb{GetParam()};
  clock::ManualClock clock;
  queue::WakeBoard wake;
  store::TokenStore tokens{tdb.db(), clock};
  store::TokenLifecycle queue{tdb.db(), clock, wake, "instance-a", 60s};
  store::RevealJournal journal{tdb.db(), clock, "instance-a"};
  store::StageControls controls{tdb.db(), clock};

  TokenStatus status_of(int64_t id) { return tokens.find_token(id)->status; }
  std::vector<std::vector<std::optional<std::string>>> all_rows() {
    return store::in_transaction(tdb.db(), store::TxMode::kRead, [&](store::Transaction& tx) {
      return tx.exec("SELECT * FROM tokens_s0 ORDER BY token_id").rows;
    });
  }
};

TEST_P(QueueControlsTest, APauseIsKeptWithWhoWhyAndWhenUntilResumed) {
  EXPECT_TRUE(controls.paused().empty());
  auto [pause, made] = controls.pause(Stage::kImage, "cli:ops@host", "Replicate billing is being fixed");
  EXPECT_TRUE(made);
  EXPECT_EQ(pause.by, "cli:ops@host");
  EXPECT_EQ(pause.reason, "Replicate billing is being fixed");
  EXPECT_EQ(pause.at, clock.now());

  // A second pause keeps the first one's who and when, and says it did not make it.
  clock.advance(30s);
  auto [again, made_again] = controls.pause(Stage::kImage, "admin-api:10.0.0.9", "again");
  EXPECT_FALSE(made_again);
  EXPECT_EQ(again.by, "cli:ops@host");
  EXPECT_EQ(again.at, pause.at);

  // Every reader on the database sees it (another instance's objects here).
  store::StageControls elsewhere(tdb.db(), clock);
  controls.pause(Stage::kReveal, "admin-api:10.0.0.9", "gas spike");
  auto paused = elsewhere.paused();
  ASSERT_EQ(paused.size(), 2u);
  EXPECT_EQ(paused[0].stage, Stage::kImage);  // pipeline order
  EXPECT_EQ(paused[1].stage, Stage::kReveal);
  EXPECT_EQ(paused[1].reason, "gas spike");

  auto ended = elsewhere.resume(Stage::kImage);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->by, "cli:ops@host");
  EXPECT_FALSE(controls.resume(Stage::kImage)) << "resuming a stage that is not paused says so";
  ASSERT_EQ(controls.paused().size(), 1u);
  EXPECT_EQ(controls.paused()[0].stage, Stage::kReveal);
}

TEST_P(QueueControlsTest, TheWorkersSwitchReadsTheDatabaseAtMostEveryRefresh) {
  store::PauseSwitch sw(controls, clock, 500ms);
  EXPECT_FALSE(sw.paused(Stage::kImage));
  controls.pause(Stage::kImage, "cli:ops@host", "billing");
  EXPECT_FALSE(sw.paused(Stage::kImage)) << "within the refresh the last answer stands";
  clock.advance(500ms);
  EXPECT_TRUE(sw.paused(Stage::kImage));
  EXPECT_FALSE(sw.paused(Stage::kIpfs));
  controls.resume(Stage::kImage);
  clock.advance(500ms);
  EXPECT_FALSE(sw.paused(Stage::kImage));
}

TEST_P(QueueControlsTest, APausedStageClaimsNothingAndARunningWorkerObeysBothWaysWithinASecond) {
  clock::SystemClock real;
  store::TokenLifecycle q(tdb.db(), real, wake, "instance-a", 60s);
  store::StageControls live(tdb.db(), real);
  store::PauseSwitch sw(live, real);
  gt::CapturedLog captured;
  CountingProcessor processor;
  workers::WorkerOptions options;
  options.poll_interval = 30s;  // long on purpose: the switch, not polling, must end the wait
  options.operator_paused = [&sw] { return sw.paused(Stage::kImage); };

  // step() claims nothing while paused.
  live.pause(Stage::kImage, "cli:ops@host", "billing");
  gt::add_detected_tokens(tokens, 1, 2);
  {
    workers::StageWorker stepper(Stage::kImage, q, wake, processor, real, captured.log, options);
    EXPECT_EQ(stepper.step(), 0u);
    EXPECT_EQ(status_of(1), TokenStatus::kDetected);
  }

  workers::StageWorker worker(Stage::kImage, q, wake, processor, real, captured.log, options);
  std::jthread loop([&](std::stop_token stop) { worker.run(stop); });
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(processor.calls, 0) << "a paused stage claims nothing";
  EXPECT_EQ(status_of(1), TokenStatus::kDetected);

  // Resumed by "another instance": no wake-up reaches this worker, only the switch.
  const auto resumed_at = std::chrono::steady_clock::now();
  live.resume(Stage::kImage);
  while (status_of(2) != TokenStatus::kUploading && std::chrono::steady_clock::now() - resumed_at < 10s) {
    std::this_thread::sleep_for(20ms);
  }
  const auto took = std::chrono::steady_clock::now() - resumed_at;
  EXPECT_EQ(status_of(1), TokenStatus::kUploading);
  EXPECT_EQ(status_of(2), TokenStatus::kUploading);
  EXPECT_LT(took, 1s) << "the resume reached the worker in " << std::chrono::duration<double>(took).count() << " s";

  // Paused again while running: after a second, new work waits.
  live.pause(Stage::kImage, "cli:ops@host", "again");
  std::this_thread::sleep_for(1s);
  gt::add_detected_tokens(tokens, 3, 2);
  wake.notify(Stage::kImage);
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(status_of(3), TokenStatus::kDetected);
  EXPECT_EQ(processor.calls, 2);
  loop.request_stop();
  loop.join();
  EXPECT_NE(captured.text().find("\"worker.paused\""), std::string::npos);
  EXPECT_NE(captured.text().find("\"worker.resumed\""), std::string::npos);
}

TEST_P(QueueControlsTest, CancelFailsTokensForGoodWithTheCallerInTheirHistory) {
  gt::make_every_state(tokens, queue, journal);
  // Token 2 is held by the image stage: its holder's next move must find the lease gone.
  const auto held = store::in_transaction(tdb.db(), store::TxMode::kRead, [&](store::Transaction& tx) {
    return tx.exec("SELECT locked_by FROM tokens_s0 WHERE token_id = 2").rows.at(0).at(0).value();
  });
  clock.advance(10s);
  auto report =
      queue.cancel({{1, 2, 3, 4, 5, 6, 404}, std::nullopt, std::nullopt}, "wrong author", false, "cli:ops@host");
  ASSERT_EQ(report.tokens.size(), 5u);
  const std::vector<std::tuple<int64_t, TokenStatus, Stage>> expected = {{1, TokenStatus::kDetected, Stage::kImage},
                                                                         {2, TokenStatus::kGenerating, Stage::kImage},
                                                                         {3, TokenStatus::kUploading, Stage::kIpfs},
                                                                         {4, TokenStatus::kReady, Stage::kReveal},
                                                                         {6, TokenStatus::kFailed, Stage::kImage}};
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& [id, from, stage] = expected[i];
    EXPECT_EQ(report.tokens[i].token_id, id);
    EXPECT_EQ(report.tokens[i].from, from) << id;
    EXPECT_EQ(report.tokens[i].stage, stage) << id;
    const auto t = *tokens.find_token(id);
    EXPECT_EQ(t.status, TokenStatus::kFailed) << id;
    EXPECT_EQ(t.failed_stage, stage) << id;
    EXPECT_EQ(t.cancelled_at, clock.now()) << id;
    EXPECT_FALSE(t.locked_by) << id;
    EXPECT_FALSE(t.next_attempt_at) << id;
    EXPECT_EQ(t.generation_error, "cancelled by cli:ops@host: wrong author") << id;
    const auto e = gt::events_of(tdb.db(), id).back();
    EXPECT_EQ(e.to_status, "failed");
    EXPECT_EQ(e.instance, "cli:ops@host");
    EXPECT_EQ(e.error, "cancelled by cli:ops@host: wrong author");
  }
  ASSERT_EQ(report.skipped.size(), 2u);
  EXPECT_EQ(report.skipped[0].token_id, 5);
  EXPECT_NE(report.skipped[0].reason.find("revealed"), std::string::npos);
  EXPECT_EQ(report.skipped[1].token_id, 404);
  EXPECT_NE(report.skipped[1].reason.find("not known"), std::string::npos);
  EXPECT_EQ(status_of(5), TokenStatus::kRevealed);

  // The holder of token 2 changes nothing: its work is not recorded.
  EXPECT_FALSE(queue.complete(Stage::kImage, 2, held, {.image_url = "https://img/2"}));
  EXPECT_EQ(status_of(2), TokenStatus::kFailed);

  // No retry takes a cancelled token; cancelling again says it is done already.
  const auto retried = queue.retry_failed({{}, true, std::nullopt}, false, "cli:ops@host");
  ASSERT_EQ(retried.tokens.size(), 2u);  // 7 and 8, failed but not cancelled
  EXPECT_EQ(retried.tokens[0].token_id, gt::kFailedIpfs);
  EXPECT_EQ(queue.retry_failed({{1, 6}, false, std::nullopt}, false, "x").skipped, (std::vector<int64_t>{1, 6}));
  auto again = queue.cancel({{1}, std::nullopt, std::nullopt}, "again", false, "x");
  EXPECT_TRUE(again.tokens.empty());
  ASSERT_EQ(again.skipped.size(), 1u);
  EXPECT_EQ(again.skipped[0].reason, "already cancelled");
  EXPECT_TRUE(queue.claim(Stage::kImage, 10).empty()) << "no stage takes a cancelled token";

  // Counted for every instance's metrics, by stage.
  const auto totals = controls.totals();
  EXPECT_EQ(totals.cancels.at("image"), 3);
  EXPECT_EQ(totals.cancels.at("ipfs"), 1);
  EXPECT_EQ(totals.cancels.at("reveal"), 1);
  EXPECT_EQ(totals.retries.at("ipfs"), 1);
  EXPECT_EQ(totals.retries.at("reveal"), 1);
  EXPECT_EQ(totals.retries.at("image"), 0);
}

TEST_P(QueueControlsTest, CancelLeavesTokensAPendingRevealMayStillMine) {
  gt::make_every_state(tokens, queue, journal);
  // Token 4 held by the reveal stage (its transaction may be on its way).
  ASSERT_EQ(queue.claim(Stage::kReveal, 10).size(), 1u);
  // Token 6 listed in a pending journal row (a batch sent by an instance that died since).
  store::in_transaction(tdb.db(), store::TxMode::kWrite, [&](store::Transaction& tx) {
    tx.exec(
        "INSERT INTO reveal_transactions (tx_hash, token_ids, nonce, status) VALUES ('0xabc', '[6]', 1, 'pending')");
  });
  auto report = queue.cancel({{4, 6}, std::nullopt, std::nullopt}, "no", false, "x");
  EXPECT_TRUE(report.tokens.empty());
  ASSERT_EQ(report.skipped.size(), 2u);
  for (const auto& s : report.skipped) EXPECT_NE(s.reason.find("reveal transaction"), std::string::npos) << s.reason;
  EXPECT_EQ(status_of(4), TokenStatus::kReady);
  EXPECT_FALSE(tokens.find_token(6)->cancelled_at);
}

TEST_P(QueueControlsTest, CancelByStatusAndStageWithADryRunFirst) {
  gt::make_every_state(tokens, queue, journal);
  const auto before = all_rows();
  const auto events_before = gt::count_rows(tdb.db(), "SELECT COUNT(*) FROM token_events");
  auto dry = queue.cancel({{}, TokenStatus::kFailed, Stage::kIpfs}, "bad image host", true, "x");
  ASSERT_EQ(dry.tokens.size(), 1u);
  EXPECT_EQ(dry.tokens[0].token_id, gt::kFailedIpfs);
  EXPECT_EQ(all_rows(), before) << "a dry run changes nothing";
  EXPECT_EQ(gt::count_rows(tdb.db(), "SELECT COUNT(*) FROM token_events"), events_before);

  auto done = queue.cancel({{}, TokenStatus::kFailed, Stage::kIpfs}, "bad image host", false, "x");
  ASSERT_EQ(done.tokens.size(), 1u);
  EXPECT_TRUE(tokens.find_token(gt::kFailedIpfs)->cancelled_at);
  EXPECT_FALSE(tokens.find_token(gt::kFailedImage)->cancelled_at);
  EXPECT_TRUE(queue.cancel({{}, TokenStatus::kRevealed, std::nullopt}, "no", false, "x").tokens.empty());
}

TEST_P(QueueControlsTest, RetryNowCutsABackoffShortAndLeavesTheAttemptsCounted) {
  gt::add_detected_tokens(tokens, 1, 3);
  auto claims = queue.claim(Stage::kImage, 3);
  ASSERT_EQ(claims.size(), 3u);
  for (const auto& c : claims) {
    ASSERT_EQ(queue.record_failure(Stage::kImage, c.token.token_id, c.lease, "image: timeout", clock.now() + 300s, 3),
              store::FailureOutcome::kRetryScheduled);
  }
  EXPECT_TRUE(queue.claim(Stage::kImage, 3).empty()) << "all three wait out their backoff";

  // Without --now a waiting token is not failed: left alone (as before).
  auto plain = queue.retry_failed({{1}, false, std::nullopt}, false, "cli:ops@host");
  EXPECT_TRUE(plain.tokens.empty());
  EXPECT_EQ(plain.skipped, (std::vector<int64_t>{1}));

  store::RetrySelection now{{1, 2, 404}, false, std::nullopt, true, false};
  auto dry = queue.retry_failed(now, true, "cli:ops@host");
  EXPECT_EQ(dry.made_due.size(), 2u);
  EXPECT_TRUE(queue.claim(Stage::kImage, 3).empty()) << "a dry run changes nothing";

  auto report = queue.retry_failed(now, false, "cli:ops@host");
  ASSERT_EQ(report.made_due.size(), 2u);
  EXPECT_EQ(report.made_due[0].token_id, 1);
  EXPECT_EQ(report.made_due[0].stage, Stage::kImage);
  EXPECT_EQ(report.made_due[0].to, TokenStatus::kDetected);
  EXPECT_EQ(report.skipped, (std::vector<int64_t>{404}));
  const auto t = *tokens.find_token(1);
  EXPECT_EQ(t.next_attempt_at, clock.now()) << "due now (not as fresh work: its queue age stays honest)";
  EXPECT_EQ(t.generation_attempts, 1) << "the attempt made stays counted";
  EXPECT_EQ(t.generation_error, "image: timeout") << "the latest error stays visible";
  const auto e = gt::events_of(tdb.db(), 1).back();
  EXPECT_EQ(e.from_status, "detected");
  EXPECT_EQ(e.to_status, "detected");
  EXPECT_EQ(e.instance, "cli:ops@host");
  EXPECT_NE(e.error.value_or("").find("retry now"), std::string::npos);
  auto taken = queue.claim(Stage::kImage, 3);
  ASSERT_EQ(taken.size(), 2u) << "due at once";

  // Every waiting token of a stage, by filter.
  auto rest = queue.retry_failed({{}, false, Stage::kIpfs, true, true}, false, "x");
  EXPECT_TRUE(rest.made_due.empty()) << "token 3 waits for the image stage, not ipfs";
  rest = queue.retry_failed({{}, false, Stage::kImage, true, true}, false, "x");
  ASSERT_EQ(rest.made_due.size(), 1u);
  EXPECT_EQ(rest.made_due[0].token_id, 3);
  EXPECT_EQ(controls.totals().retries.at("image"), 3);
}

TEST_P(QueueControlsTest, MetricsShowPausesAndOperatorCountsFromTheStartAndFromTheDatabase) {
  metrics::Registry registry;
  ops::install_control_metrics(registry, controls);
  auto text = registry.render();
  for (const char* stage : {"image", "ipfs", "reveal"}) {
    const std::string s(stage);
    EXPECT_NE(text.find("glisk_stage_paused_by_operator{stage=\"" + s + "\"} 0"), std::string::npos) << text;
    EXPECT_NE(text.find("glisk_operator_retries_total{stage=\"" + s + "\"} 0"), std::string::npos) << text;
    EXPECT_NE(text.find("glisk_operator_cancels_total{stage=\"" + s + "\"} 0"), std::string::npos) << text;
  }
  gt::make_every_state(tokens, queue, journal);
  controls.pause(Stage::kReveal, "x", "gas");
  // The CLI's retry, in another process in production: it reaches this registry through the database.
  store::TokenLifecycle cli(tdb.db(), clock, wake, "cli", 60s);
  cli.retry_failed({{gt::kFailedReveal}, false, std::nullopt}, false, "cli:ops@host");
  cli.cancel({{gt::kDetected}, std::nullopt, std::nullopt}, "no", false, "cli:ops@host");
  text = registry.render();
  EXPECT_NE(text.find("glisk_stage_paused_by_operator{stage=\"reveal\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("glisk_operator_retries_total{stage=\"reveal\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("glisk_operator_cancels_total{stage=\"image\"} 1"), std::string::npos) << text;
}

INSTANTIATE_TEST_SUITE_P(Backends, QueueControlsTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         glisk::testing::backend_param_name);
