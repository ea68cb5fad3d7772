// The stage worker: outcomes of one step (driven with a manual clock), continuous concurrency,
// wake-ups and graceful shutdown (driven with real threads).
#include "workers/stage_worker.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <functional>
#include <thread>

#include "store/token_lifecycle.hpp"
#include "test_support.hpp"

using namespace glisk;
using namespace std::chrono_literals;
using glisk::testing::Backend;
using glisk::testing::TestDatabase;
using token::Stage;
using token::TokenStatus;

namespace {

// A processor whose behaviour each test scripts.
class ScriptedProcessor : public workers::TokenProcessor {
 public:
  std::function<store::TokenPatch(const store::Claim&, std::stop_token)> script;
  std::atomic<int> calls{0};
  workers::StageOutcome process(const store::Claim& claim, store::TokenLifecycle&, std::stop_token stop) override {
    ++calls;
    return script(claim, stop);
  }
};

}  // namespace

class StageWorkerTest : public ::testing::TestWithParam<Backend> {
 protected:
  TestDatabase tdb{GetParam()};
  clock::ManualClock manual;
  clock::SystemClock system;
  queue::WakeBoard wake;
  store::TokenStore tokens{tdb.db(), manual};
  glisk::testing::CapturedLog captured;
  ScriptedProcessor processor;

  workers::WorkerOptions options(int batch = 10) {
    workers::WorkerOptions o;
    o.batch_size = batch;
    o.poll_interval = 30s;  // long on purpose: the tests must be woken, not polled
    o.max_attempts = 3;
    o.backoff = {2s, 300s};
    o.shutdown_timeout = 5s;
    return o;
  }
};

TEST_P(StageWorkerTest, StepCompletesTokensAndRecordsTheirFields) {
  store::TokenLifecycle q(tdb.db(), manual, wake, "i", 60s);
  glisk::testing::add_detected_tokens(tokens, 1, 3);
  processor.script = [](const store::Claim& c, std::stop_token) {
    return store::TokenPatch{.image_url = "https://img/" + std::to_string(c.token.token_id)};
  };
  workers::StageWorker worker(Stage::kImage, q, wake, processor, manual, captured.log, options());
  EXPECT_EQ(worker.step(), 3u);
  EXPECT_EQ(worker.step(), 0u);
  for (int id = 1; id <= 3; ++id) {
    auto t = *tokens.find_token(id);
    EXPECT_EQ(t.status, TokenStatus::kUploading);
    EXPECT_EQ(t.image_url, "https://img/" + std::to_string(id));
  }
  EXPECT_EQ(captured.count("token.generation.succeeded"), 3);
}

TEST_P(StageWorkerTest, TransientErrorsRetryWithBackoffThenFail) {
  store::TokenLifecycle q(tdb.db(), manual, wake, "i", 60s);
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  processor.script = [](const store::Claim&, std::stop_token) -> store::TokenPatch {
    throw errors::TransientError("Replicate answered 503");
  };
  workers::StageWorker worker(Stage::kImage, q, wake, processor, manual, captured.log, options(), [] { return 1.0; });
  EXPECT_EQ(worker.step(), 1u);
  auto t = *tokens.find_token(1);
  EXPECT_EQ(t.status, TokenStatus::kDetected);
  EXPECT_EQ(t.next_attempt_at, manual.now() + 2s);  // base × 2^0, full jitter
  EXPECT_EQ(worker.step(), 0u) << "the backoff holds it";
  manual.advance(2s);
  EXPECT_EQ(worker.step(), 1u);
  EXPECT_EQ(tokens.find_token(1)->next_attempt_at, manual.now() + 4s);
  manual.advance(4s);
  EXPECT_EQ(worker.step(), 1u);
  t = *tokens.find_token(1);
  EXPECT_EQ(t.status, TokenStatus::kFailed);
  EXPECT_EQ(t.generation_attempts, 3);
  EXPECT_EQ(t.generation_error, "image: Replicate answered 503");
  EXPECT_EQ(captured.count("token.generation.retry"), 2);
  EXPECT_EQ(captured.count("token.generation.failed"), 1);
}

TEST_P(StageWorkerTest, RetryAfterIsHonoured) {
  store::TokenLifecycle q(tdb.db(), manual, wake, "i", 60s);
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  processor.script = [](const store::Claim&, std::stop_token) -> store::TokenPatch {
    throw errors::TransientError("429 Too Many Requests", 45s);
  };
  workers::StageWorker worker(Stage::kImage, q, wake, processor, manual, captured.log, options(), [] { return 0.5; });
  worker.step();
  EXPECT_EQ(tokens.find_token(1)->next_attempt_at, manual.now() + 45s);
}

TEST_P(StageWorkerTest, ARateLimitPausesTheStageAndNeverUsesUpAttempts) {
  store::TokenLifecycle q(tdb.db(), manual, wake, "i", 60s);
  glisk::testing::add_detected_tokens(tokens, 1, 3);
  // 429s for the first five calls, then the provider answers again.
  processor.script = [&](const store::Claim& c, std::stop_token) -> store::TokenPatch {
    if (processor.calls <= 5) throw errors::RateLimitedError("Pinata rate limit (429: RATE_LIMITED)");
    return store::TokenPatch{.image_url = "https://img/" + std::to_string(c.token.token_id)};
  };
  workers::StageWorker worker(Stage::kImage, q, wake, processor, manual, captured.log, options(), [] { return 1.0; });
  EXPECT_EQ(worker.step(), 3u);  // all three meet the limit: one pause
  EXPECT_EQ(worker.paused_until(), manual.now() + 2s);
  EXPECT_EQ(worker.step(), 0u) << "the stage is paused";
  // After each pause (doubling from RETRY_BASE, 2 s) one token probes the limit, not every slot.
  for (auto pause : {4s, 8s}) {
    manual.advance(worker.paused_until() - manual.now());
    EXPECT_EQ(worker.step(), 1u) << "only a probe goes after a pause";
    EXPECT_EQ(worker.paused_until(), manual.now() + pause);
  }
  manual.advance(worker.paused_until() - manual.now());
  EXPECT_EQ(worker.step(), 1u) << "the probe, answered";
  EXPECT_EQ(worker.step(), 2u) << "answered: every slot goes again";
  for (int id = 1; id <= 3; ++id) {
    auto t = *tokens.find_token(id);
    EXPECT_EQ(t.status, TokenStatus::kUploading) << id;
    EXPECT_EQ(t.generation_attempts, 0) << "a rate limit used up an attempt of token " << id;
  }
  EXPECT_EQ(processor.calls, 8) << "3 at the first 429, a probe per pause, then the 2 others";
  EXPECT_EQ(captured.count("provider.rate_limited"), 1) << "said once, not per token or per pause";
  EXPECT_EQ(captured.count("provider.recovered"), 1);
  EXPECT_EQ(captured.count("token.generation.retry"), 0);
  EXPECT_EQ(captured.count("token.generation.failed"), 0);
}

TEST_P(StageWorkerTest, ARateLimitHonoursRetryAfterAndIsRecalledWhileItLasts) {
  store::TokenLifecycle q(tdb.db(), manual, wake, "i", 60s);
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  processor.script = [](const store::Claim&, std::stop_token) -> store::TokenPatch {
    throw errors::RateLimitedError("Replicate rate limit (429)", 45s);
  };
  workers::StageWorker worker(Stage::kImage, q, wake, processor, manual, captured.log, options(), [] { return 0.0; });
  worker.step();
  EXPECT_EQ(worker.paused_until(), manual.now() + 45s);
  EXPECT_EQ(tokens.find_token(1)->next_attempt_at, manual.now() + 45s);
  EXPECT_NE(captured.text().find("\"retry_after_seconds\":45"), std::string::npos) << captured.text();
  manual.advance(45s);
  worker.step();  // still limited, 45 s after the first: a reminder with how long it lasts
  EXPECT_EQ(captured.count("provider.rate_limited"), 2);
  EXPECT_NE(captured.text().find("\"ongoing\":true"), std::string::npos);
  EXPECT_EQ(tokens.find_token(1)->generation_attempts, 0);
}

TEST_P(StageWorkerTest, AProviderOutagePausesTheStageBehindItsBreakerAndChargesNoToken) {
  store::TokenLifecycle q(tdb.db(), manual, wake, "i", 60s);
  glisk::testing::add_detected_tokens(tokens, 1, 4);
  // The key is revoked for the first three calls (the one that opens the breaker, two probes),
  // then the operator fixes it.
  processor.script = [&](const store::Claim& c, std::stop_token) -> store::TokenPatch {
    if (processor.calls <= 3) {
      throw errors::OutageError(errors::OutageError::Cause::kAccount,
                                "Replicate refused the API token (401): check REPLICATE_API_TOKEN");
    }
    return store::TokenPatch{.image_url = "https://img/" + std::to_string(c.token.token_id)};
  };
  workers::StageWorker worker(Stage::kImage, q, wake, processor, manual, captured.log, options(1), [] { return 1.0; });
  EXPECT_EQ(worker.step(), 1u);  // token 1 meets the 401: the breaker opens at once
  EXPECT_EQ(worker.breaker().state, workers::BreakerState::kOpen);
  EXPECT_EQ(worker.step(), 0u) << "the stage claims nothing while the breaker is open";
  EXPECT_EQ(tokens.find_token(1)->next_attempt_at, manual.now() + 1s) << "back with the first probe";
  for (auto wait : {1s, 2s}) {  // two failed probes, the wait doubling
    manual.advance(wait);
    EXPECT_EQ(worker.step(), 1u) << "one probe";
    EXPECT_EQ(worker.step(), 0u);
  }
  manual.advance(4s);
  EXPECT_EQ(worker.step(), 1u) << "the probe that succeeds closes the breaker";
  EXPECT_EQ(worker.breaker().state, workers::BreakerState::kClosed);
  while (worker.step() > 0) {
  }
  for (int id = 1; id <= 4; ++id) {
    const auto t = *tokens.find_token(id);
    EXPECT_EQ(t.status, TokenStatus::kUploading) << id;
    EXPECT_EQ(t.generation_attempts, 0) << "no token pays for the provider's outage";
  }
  EXPECT_EQ(processor.calls, 7) << "3 refused calls (one per probe step), then the 4 tokens";
  EXPECT_EQ(captured.count("provider.breaker_opened"), 1);
  EXPECT_EQ(captured.count("provider.breaker_closed"), 1);
  EXPECT_EQ(captured.count("token.generation.failed"), 0);
  EXPECT_EQ(captured.count("token.generation.retry"), 0);
}

TEST_P(StageWorkerTest, TheDatabaseGoneMidWorkCostsTheTokenNoAttempt) {
  store::TokenLifecycle q(tdb.db(), manual, wake, "i", 60s);
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  processor.script = [](const store::Claim&, std::stop_token) -> store::TokenPatch {
    throw store::ConnectionError("PostgreSQL connection lost (test)");
  };
  workers::StageWorker worker(Stage::kImage, q, wake, processor, manual, captured.log, options());
  EXPECT_EQ(worker.step(), 1u);
  auto t = *tokens.find_token(1);
  EXPECT_EQ(t.status, TokenStatus::kDetected);
  EXPECT_EQ(t.generation_attempts, 0);
  EXPECT_EQ(t.next_attempt_at, manual.now() + 2s);
  EXPECT_EQ(captured.count("token.generation.retry"), 0);
}

TEST_P(StageWorkerTest, PermanentErrorsFailAtOnceWithTheirMessage) {
  store::TokenLifecycle q(tdb.db(), manual, wake, "i", 60s);
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  processor.script = [](const store::Claim&, std::stop_token) -> store::TokenPatch {
    throw errors::PermanentError("401 Unauthorized: check REPLICATE_API_TOKEN");
  };
  workers::StageWorker worker(Stage::kImage, q, wake, processor, manual, captured.log, options());
  worker.step();
  auto t = *tokens.find_token(1);
  EXPECT_EQ(t.status, TokenStatus::kFailed);
  EXPECT_EQ(t.generation_attempts, 1);
  EXPECT_EQ(t.generation_error, "image: 401 Unauthorized: check REPLICATE_API_TOKEN");
  EXPECT_EQ(processor.calls, 1);
}

// Was "UnexpectedExceptionsCountAsTransient": the error policy (issue 15) makes an exception that
// is not an errors::Error a bug, which is never the token's fault.
TEST_P(StageWorkerTest, AnUnexpectedExceptionIsABugThatChargesNoAttempt) {
  store::TokenLifecycle q(tdb.db(), manual, wake, "i", 60s);
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  processor.script = [](const store::Claim&, std::stop_token) -> store::TokenPatch { throw std::logic_error("bug"); };
  workers::StageWorker worker(Stage::kImage, q, wake, processor, manual, captured.log, options());
  worker.step();
  auto t = *tokens.find_token(1);
  EXPECT_EQ(t.status, TokenStatus::kDetected);
  EXPECT_EQ(t.generation_attempts, 0);
  EXPECT_EQ(t.generation_error, "image: bug: bug");
  EXPECT_EQ(t.next_attempt_at, manual.now() + 300s)
      << "RETRY_MAX_SECONDS: a token that keeps meeting it is not spun on";
  EXPECT_EQ(captured.count("worker.bug"), 1);
}

TEST_P(StageWorkerTest, ABugEndsTheLoopSoThatTheSupervisorStartsTheWorkerAfresh) {
  store::TokenLifecycle q(tdb.db(), system, wake, "i", 60s);
  glisk::testing::add_detected_tokens(tokens, 1, 3);
  processor.script = [](const store::Claim& c, std::stop_token) -> store::TokenPatch {
    if (c.token.token_id == 2) throw std::out_of_range("vector::at");
    return {};
  };
  workers::StageWorker worker(Stage::kImage, q, wake, processor, system, captured.log, options(1));
  std::stop_source never;
  EXPECT_THROW(worker.run(never.get_token()), errors::Bug);
  EXPECT_EQ(tokens.find_token(2)->generation_attempts, 0);
  EXPECT_EQ(tokens.find_token(2)->status, TokenStatus::kDetected);
  EXPECT_EQ(tokens.find_token(1)->status, TokenStatus::kUploading);
}

TEST_P(StageWorkerTest, OurOwnDatabaseFailingMidWorkNeverCostsTheTokenAnAttempt) {
  store::TokenLifecycle q(tdb.db(), manual, wake, "i", 60s);
  glisk::testing::add_detected_tokens(tokens, 1, 2);
  processor.script = [](const store::Claim& c, std::stop_token) -> store::TokenPatch {
    if (c.token.token_id == 1) throw store::BusyError("SQLite statement failed: database is locked");
    throw store::QueryError("SQLite statement failed: no such column");
  };
  workers::StageWorker worker(Stage::kImage, q, wake, processor, manual, captured.log, options());
  EXPECT_EQ(worker.step(), 2u);
  for (int64_t id : {1, 2}) {
    auto t = *tokens.find_token(id);
    EXPECT_EQ(t.status, TokenStatus::kDetected);
    EXPECT_EQ(t.generation_attempts, 0) << "a local lock or a bad statement is not the token's fault";
    EXPECT_TRUE(t.next_attempt_at);
  }
  EXPECT_NE(tokens.find_token(1)->generation_error.value_or("").find("database unavailable"), std::string::npos);
  EXPECT_EQ(captured.count("worker.database_unavailable"), 1);
  EXPECT_EQ(captured.count("worker.bug"), 1) << "a statement the database does not understand is a bug";
  EXPECT_EQ(captured.count("token.generation.retry"), 0);
}

TEST_P(StageWorkerTest, TokensThatFinishDuringALeaseRenewalAreNotReportedLost) {
  // Renewals every 200 ms while 600 quick tokens finish: some finish between a renewal's snapshot
  // of the held tokens and its UPDATE. The renewal must not call them lost.
  store::TokenLifecycle q(tdb.db(), system, wake, "i", 600ms);
  glisk::testing::add_detected_tokens(tokens, 1, 600);
  processor.script = [](const store::Claim&, std::stop_token) {
    std::this_thread::sleep_for(2ms);
    return store::TokenPatch{};
  };
  workers::StageWorker worker(Stage::kImage, q, wake, processor, system, captured.log, options(8));
  {
    std::jthread runner([&](std::stop_token stop) { worker.run(stop); });
    for (int i = 0; i < 1200 && tokens.count_by_status()[TokenStatus::kUploading] < 600; ++i) {
      std::this_thread::sleep_for(25ms);
    }
  }
  EXPECT_EQ(tokens.count_by_status()[TokenStatus::kUploading], 600);
  // A lease that really ran out (a machine so loaded that a renewal came late) is reported by the
  // token's own move, with another detail; the renewal reports only what it finds lost.
  EXPECT_EQ(captured.text().find("lease renewal found tokens no longer ours"), std::string::npos) << captured.text();
}

TEST_P(StageWorkerTest, RecoveredTokensAreLogged) {
  store::TokenLifecycle dead(tdb.db(), manual, wake, "dead", 60s);
  store::TokenLifecycle q(tdb.db(), manual, wake, "alive", 60s);
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  ASSERT_EQ(dead.claim(Stage::kImage, 1).size(), 1u);
  manual.advance(61s);
  processor.script = [](const store::Claim&, std::stop_token) { return store::TokenPatch{}; };
  workers::StageWorker worker(Stage::kImage, q, wake, processor, manual, captured.log, options());
  EXPECT_EQ(worker.step(), 1u);
  EXPECT_EQ(captured.count("worker.recovery"), 1);
  EXPECT_EQ(tokens.find_token(1)->status, TokenStatus::kUploading);
}

// The loop tests below run on the manual clock: the worker's waits (the poll interval, the lease
// renewer, the shutdown timeout) are the clock's, so nothing here waits time out; the tests wait
// only for the worker's threads to make progress (eventually).

TEST_P(StageWorkerTest, ASlowTokenDoesNotHoldTheOthersBack) {
  store::TokenLifecycle q(tdb.db(), manual, wake, "i", 60s);
  glisk::testing::add_detected_tokens(tokens, 1, 1);  // the slow one is first in line
  glisk::testing::add_detected_tokens(tokens, 2, 30, "0x00000000000000000000000000000000000000b2");
  std::mutex m;
  std::condition_variable_any cv;
  bool release_slow = false;
  std::atomic<int> fast_done{0};
  processor.script = [&](const store::Claim& c, std::stop_token stop) {
    if (c.token.token_id == 1) {
      std::unique_lock lock(m);
      cv.wait(lock, stop, [&] { return release_slow; });
    } else {
      ++fast_done;
    }
    return store::TokenPatch{};
  };
  workers::StageWorker worker(Stage::kImage, q, wake, processor, manual, captured.log, options(4));
  std::jthread runner([&](std::stop_token stop) { worker.run(stop); });
  // All 30 fast tokens pass through the 3 other slots while the slow one holds its slot.
  EXPECT_TRUE(glisk::testing::eventually([&] { return fast_done == 30; }));
  EXPECT_EQ(tokens.find_token(1)->status, TokenStatus::kGenerating);
  {
    std::lock_guard lock(m);
    release_slow = true;
  }
  cv.notify_all();
  EXPECT_TRUE(glisk::testing::eventually([&] { return tokens.count_by_status()[TokenStatus::kUploading] == 31; }));
}

TEST_P(StageWorkerTest, WorkIsPickedUpWhenAnnouncedNotAfterThePollInterval) {
  store::TokenLifecycle q(tdb.db(), manual, wake, "i", 60s);
  std::atomic<int> done{0};
  processor.script = [&](const store::Claim&, std::stop_token) {
    ++done;
    return store::TokenPatch{};
  };
  workers::StageWorker worker(Stage::kIpfs, q, wake, processor, manual, captured.log, options());
  std::jthread runner([&](std::stop_token stop) { worker.run(stop); });
  // Idle: the dispatcher waits for a wake-up (or the 30 s poll interval), the renewer its turn.
  ASSERT_TRUE(glisk::testing::eventually([&] { return manual.waiters() == 2; }));
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  auto c = q.claim(Stage::kImage, 1).at(0);
  ASSERT_TRUE(q.complete(Stage::kImage, 1, c.lease));  // wakes the ipfs stage
  EXPECT_TRUE(glisk::testing::eventually([&] { return done == 1; })) << "the clock never moved: the wake-up did it";
}

TEST_P(StageWorkerTest, ShutdownLetsInFlightWorkFinish) {
  store::TokenLifecycle q(tdb.db(), manual, wake, "i", 60s);
  glisk::testing::add_detected_tokens(tokens, 1, 2);
  std::atomic<int> started{0};
  std::atomic<bool> finish{false};
  processor.script = [&](const store::Claim&, std::stop_token) {
    ++started;
    glisk::testing::eventually([&] { return finish.load(); });  // a provider call still running
    return store::TokenPatch{.image_url = "done"};
  };
  workers::StageWorker worker(Stage::kImage, q, wake, processor, manual, captured.log, options(2));
  std::jthread runner([&](std::stop_token stop) { worker.run(stop); });
  ASSERT_TRUE(glisk::testing::eventually([&] { return started == 2; }));
  runner.request_stop();  // the drain waits (SHUTDOWN_TIMEOUT on the clock, which stays still)
  finish = true;
  runner.join();
  EXPECT_EQ(tokens.count_by_status()[TokenStatus::kUploading], 2);
  EXPECT_EQ(captured.count("token.released"), 0);
}

TEST_P(StageWorkerTest, ShutdownReleasesWhatDoesNotFinishInTime) {
  store::TokenLifecycle q(tdb.db(), manual, wake, "i", 60s);
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  std::atomic<bool> started{false}, saw_abandon{false};
  processor.script = [&](const store::Claim&, std::stop_token stop) -> store::TokenPatch {
    started = true;
    glisk::testing::eventually([&] { return stop.stop_requested(); }, 60s);  // a long provider call
    saw_abandon = true;
    throw errors::TransientError("interrupted by shutdown");
  };
  auto opts = options(1);
  opts.shutdown_timeout = 300ms;
  workers::StageWorker worker(Stage::kImage, q, wake, processor, manual, captured.log, opts);
  std::jthread runner([&](std::stop_token stop) { worker.run(stop); });
  ASSERT_TRUE(glisk::testing::eventually([&] { return started.load(); }));
  runner.request_stop();
  // The drain waits on the clock from worker.draining on: 299 ms are not the shutdown timeout, 300 are.
  ASSERT_TRUE(glisk::testing::eventually([&] { return captured.count("worker.draining") == 1; }));
  manual.advance(299ms);
  EXPECT_FALSE(saw_abandon);
  manual.advance(1ms);
  runner.join();
  EXPECT_TRUE(saw_abandon);
  auto t = *tokens.find_token(1);
  EXPECT_EQ(t.status, TokenStatus::kDetected);
  EXPECT_FALSE(t.locked_by);
  EXPECT_EQ(t.generation_attempts, 0) << "a shutdown is not the token's fault";
  EXPECT_EQ(captured.count("token.released"), 1);
}

TEST_P(StageWorkerTest, LeasesAreRenewedEveryThirdOfALeaseOnTheClock) {
  store::TokenLifecycle q(tdb.db(), manual, wake, "i", 60s);
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  std::atomic<bool> started{false}, finish{false};
  processor.script = [&](const store::Claim&, std::stop_token) {
    started = true;
    glisk::testing::eventually([&] { return finish.load(); }, 60s);
    return store::TokenPatch{};
  };
  workers::StageWorker worker(Stage::kImage, q, wake, processor, manual, captured.log, options(1));
  std::jthread runner([&](std::stop_token stop) { worker.run(stop); });
  ASSERT_TRUE(glisk::testing::eventually([&] { return started.load(); }));
  const auto first = *tokens.find_token(1)->locked_until;
  ASSERT_TRUE(glisk::testing::eventually([&] { return manual.waiters() == 2; }));
  manual.advance(19s);
  EXPECT_EQ(*tokens.find_token(1)->locked_until, first) << "renewed before a third of the lease";
  manual.advance(1s);
  EXPECT_TRUE(glisk::testing::eventually([&] { return *tokens.find_token(1)->locked_until == first + 20s; }));
  finish = true;
  runner.request_stop();
  runner.join();
  EXPECT_EQ(tokens.find_token(1)->status, TokenStatus::kUploading);
}

INSTANTIATE_TEST_SUITE_P(Backends, StageWorkerTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         glisk::testing::backend_param_name);
