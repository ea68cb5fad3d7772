// The work-queue suite: claims, leases, guarded moves and wake-ups, on SQLite and PostgreSQL.
#include "store/token_lifecycle.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

#include "clock/time_format.hpp"
#include "pipeline_data.hpp"
#include "test_support.hpp"

using namespace glisk;
using namespace std::chrono_literals;
using glisk::testing::Backend;
using glisk::testing::TestDatabase;
using store::FailureOutcome;
using token::Stage;
using token::TokenStatus;

class TokenLifecycleTest : public ::testing::TestWithParam<Backend> {
 protected:
  TestDatabase tdb{GetParam()};
  clock::ManualClock clock;
  queue::WakeBoard wake;
  store::TokenStore tokens{tdb.db(), clock};
  store::TokenLifecycle queue{tdb.db(), clock, wake, "instance-a", 60s};
  store::TokenLifecycle other{tdb.db(), clock, wake, "instance-b", 60s};

  token::Token get(int64_t id) { return *tokens.find_token(id); }
};

TEST_P(TokenLifecycleTest, ClaimTakesDueTokensOldestFirstUnderALease) {
  glisk::testing::add_detected_tokens(tokens, 1, 3);
  clock.advance(1s);
  glisk::testing::add_detected_tokens(tokens, 0, 1);  // newer, lower id
  auto claims = queue.claim(Stage::kImage, 2);
  ASSERT_EQ(claims.size(), 2u);
  EXPECT_EQ(claims[0].token.token_id, 1);
  EXPECT_EQ(claims[1].token.token_id, 2);
  EXPECT_EQ(claims[0].token.status, TokenStatus::kGenerating);
  EXPECT_FALSE(claims[0].recovered_from);
  auto t = get(1);
  EXPECT_EQ(t.status, TokenStatus::kGenerating);
  EXPECT_EQ(t.locked_by, claims[0].lease);
  EXPECT_EQ(t.locked_until, clock.now() + 60s);
  // Held tokens are not claimed again, by anyone.
  auto rest = other.claim(Stage::kImage, 10);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].token.token_id, 3);
  EXPECT_EQ(rest[1].token.token_id, 0);
  EXPECT_TRUE(queue.claim(Stage::kImage, 10).empty());
}

TEST_P(TokenLifecycleTest, ClaimsMergeFreshRetriedAndExpiredTokensOldestFirst) {
  glisk::testing::add_detected_tokens(tokens, 10, 2);   // fresh: queued at t0
  ASSERT_EQ(other.claim(Stage::kImage, 1).size(), 1u);  // token 10 under another's lease
  auto retried = queue.claim(Stage::kImage, 1).at(0);   // token 11
  ASSERT_EQ(queue.record_failure(Stage::kImage, 11, retried.lease, "x", clock.now() + 5s, 3),
            FailureOutcome::kRetryScheduled);
  clock.advance(2s);
  glisk::testing::add_detected_tokens(tokens, 1, 1);  // fresh: queued at t0+2s
  clock.advance(70s);                                 // token 10's lease ran out at t0+60s; token 11 is due since t0+5s
  glisk::testing::add_detected_tokens(tokens, 2, 1);  // fresh: queued now, the newest
  auto claims = queue.claim(Stage::kImage, 3);
  ASSERT_EQ(claims.size(), 3u);
  // By COALESCE(next_attempt_at, queued_at): 10 (t0, expired), 1 (t0+2s), 11 (t0+5s); 2 waits.
  EXPECT_EQ(claims[0].token.token_id, 10);
  EXPECT_TRUE(claims[0].recovered_from);
  EXPECT_EQ(claims[1].token.token_id, 1);
  EXPECT_EQ(claims[2].token.token_id, 11);
  EXPECT_EQ(queue.claim(Stage::kImage, 3).at(0).token.token_id, 2);
}

TEST_P(TokenLifecycleTest, AClaimReadsIndexesInItsOrderAndScansNoBacklog) {
  // Enough tokens that a planner would rather read a table than an index if the index did not fit.
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  store::in_transaction(tdb.db(), store::TxMode::kWrite, [&](store::Transaction& tx) {
    tx.exec(
        "INSERT INTO tokens_s0 (token_id, author_id, status, queued_at, created_at, updated_at) "
        "SELECT 1 + n, (SELECT MIN(id) FROM authors), 'detected', $1, $1, $1 FROM (" +
            std::string(GetParam() == Backend::kPostgres ? "SELECT generate_series(1, 20000) AS n"
                                                         : "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 "
                                                           "FROM s WHERE n < 20000) SELECT n FROM s") +
            ") AS numbers",
        {clock::format_time(clock.now())});
    tx.exec("ANALYZE tokens_s0");
  });
  for (Stage stage : {Stage::kImage, Stage::kIpfs}) {
    const std::string plan = queue.explain_claim(stage, 10);
    EXPECT_NE(plan.find("tokens_s0_fresh"), std::string::npos) << plan;
    EXPECT_NE(plan.find("tokens_s0_retry"), std::string::npos) << plan;
    EXPECT_EQ(plan.find("SCAN tokens_s0"), std::string::npos) << "a full scan of the table\n" << plan;
    EXPECT_EQ(plan.find("Seq Scan on tokens_s0"), std::string::npos) << plan;
  }
  EXPECT_NE(queue.explain_claim(Stage::kImage, 10).find("tokens_s0_leases"), std::string::npos);
}

TEST_P(TokenLifecycleTest, AtShutdownEveryTokenThisInstanceHoldsIsGivenBack) {
  glisk::testing::add_detected_tokens(tokens, 1, 5);
  store::TokenLifecycle lookalike{tdb.db(), clock, wake, "instance_a", 60s};  // '_' would match 'instance-a' in LIKE
  ASSERT_EQ(queue.claim(Stage::kImage, 2).size(), 2u);
  ASSERT_EQ(queue.claim(Stage::kImage, 1).size(), 1u);
  ASSERT_EQ(lookalike.claim(Stage::kImage, 1).size(), 1u);
  ASSERT_EQ(other.claim(Stage::kImage, 1).size(), 1u);
  EXPECT_EQ(queue.release_all_held({Stage::kImage, Stage::kIpfs}), 3u);
  EXPECT_EQ(tokens.count_by_status()[TokenStatus::kDetected], 3);
  EXPECT_EQ(tokens.count_by_status()[TokenStatus::kGenerating], 2) << "the others' leases stand";
  for (int64_t id : {1, 2, 3}) {
    EXPECT_FALSE(get(id).locked_by);
    EXPECT_EQ(get(id).generation_attempts, 0) << "no attempt counted";
  }
  EXPECT_EQ(queue.release_all_held({Stage::kImage}), 0u);
}

TEST_P(TokenLifecycleTest, EachClaimHasItsOwnLease) {
  glisk::testing::add_detected_tokens(tokens, 1, 2);
  auto a = queue.claim(Stage::kImage, 1);
  auto b = queue.claim(Stage::kImage, 1);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_NE(a[0].lease, b[0].lease);
  EXPECT_EQ(a[0].lease.rfind("instance-a#", 0), 0u);
}

TEST_P(TokenLifecycleTest, CompleteMovesOnAndWakesTheNextStage) {
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  auto c = queue.claim(Stage::kImage, 1).at(0);
  const auto seen = wake.of(Stage::kIpfs).sequence();
  store::TokenPatch patch;
  patch.image_url = "https://replicate.delivery/x.webp";
  clock.advance(5s);
  ASSERT_TRUE(queue.complete(Stage::kImage, 1, c.lease, patch));
  EXPECT_GT(wake.of(Stage::kIpfs).sequence(), seen);
  auto t = get(1);
  EXPECT_EQ(t.status, TokenStatus::kUploading);
  EXPECT_EQ(t.image_url, "https://replicate.delivery/x.webp");
  EXPECT_FALSE(t.locked_by);
  EXPECT_FALSE(t.locked_until);
  EXPECT_EQ(t.queued_at, clock.now());
  // The next stage finds it at once.
  auto up = queue.claim(Stage::kIpfs, 5);
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(up[0].token.status, TokenStatus::kUploading);
  ASSERT_TRUE(queue.complete(Stage::kIpfs, 1, up[0].lease, {.image_cid = "bafkimg", .metadata_cid = "bafkmeta"}));
  auto r = queue.claim(Stage::kReveal, 5);
  ASSERT_EQ(r.size(), 1u);
  ASSERT_TRUE(queue.complete(Stage::kReveal, 1, r[0].lease, {.reveal_tx_hash = "0xfeed"}));
  t = get(1);
  EXPECT_EQ(t.status, TokenStatus::kRevealed);
  EXPECT_EQ(t.metadata_cid, "bafkmeta");
  EXPECT_EQ(t.reveal_tx_hash, "0xfeed");
}

TEST_P(TokenLifecycleTest, MovesWithAWrongOrLostLeaseChangeNothing) {
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  auto c = queue.claim(Stage::kImage, 1).at(0);
  EXPECT_FALSE(queue.complete(Stage::kImage, 1, "someone-else#1"));
  EXPECT_FALSE(queue.complete(Stage::kIpfs, 1, c.lease));  // wrong stage: the token is not uploading
  EXPECT_EQ(get(1).status, TokenStatus::kGenerating);
  // The lease runs out and another instance takes the token over.
  clock.advance(61s);
  auto taken = other.claim(Stage::kImage, 1);
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].recovered_from, c.lease);
  // The first holder wakes up late: every move it tries is refused.
  EXPECT_FALSE(queue.complete(Stage::kImage, 1, c.lease, {.image_url = "late"}));
  EXPECT_FALSE(queue.save(Stage::kImage, 1, c.lease, {.prediction_id = "late"}));
  EXPECT_EQ(queue.record_failure(Stage::kImage, 1, c.lease, "late", clock.now(), 3), FailureOutcome::kLeaseLost);
  EXPECT_FALSE(queue.fail(Stage::kImage, 1, c.lease, "late"));
  EXPECT_FALSE(queue.release(Stage::kImage, 1, c.lease));
  EXPECT_TRUE(queue.renew(Stage::kImage, {{1, c.lease}}).empty());
  auto t = get(1);
  EXPECT_EQ(t.locked_by, taken[0].lease);
  EXPECT_FALSE(t.image_url);
  EXPECT_TRUE(other.complete(Stage::kImage, 1, taken[0].lease, {.image_url = "fresh"}));
  EXPECT_EQ(get(1).image_url, "fresh");
}

TEST_P(TokenLifecycleTest, RenewKeepsTheTokenOurs) {
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  auto c = queue.claim(Stage::kImage, 1).at(0);
  clock.advance(50s);
  EXPECT_EQ(queue.renew(Stage::kImage, {{1, c.lease}}), std::vector<int64_t>{1});
  clock.advance(50s);  // 100 s after the claim, 50 s after the renewal
  EXPECT_TRUE(other.claim(Stage::kImage, 1).empty());
  EXPECT_TRUE(queue.complete(Stage::kImage, 1, c.lease));
}

TEST_P(TokenLifecycleTest, FailuresBackOffThenFailAtMaxAttempts) {
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  for (int attempt = 1; attempt <= 2; ++attempt) {
    auto c = queue.claim(Stage::kImage, 1);
    ASSERT_EQ(c.size(), 1u) << attempt;
    EXPECT_EQ(queue.record_failure(Stage::kImage, 1, c[0].lease, "image: timeout", clock.now() + 10s, 3),
              FailureOutcome::kRetryScheduled);
    auto t = get(1);
    EXPECT_EQ(t.status, TokenStatus::kDetected);
    EXPECT_EQ(t.generation_attempts, attempt);
    EXPECT_EQ(t.generation_error, "image: timeout");
    EXPECT_EQ(t.next_attempt_at, clock.now() + 10s);
    EXPECT_TRUE(queue.claim(Stage::kImage, 1).empty()) << "not due before its backoff ends";
    EXPECT_EQ(queue.next_due(Stage::kImage), clock.now() + 10s);
    clock.advance(10s);
  }
  auto c = queue.claim(Stage::kImage, 1).at(0);
  EXPECT_EQ(queue.record_failure(Stage::kImage, 1, c.lease, "image: timeout again", clock.now() + 10s, 3),
            FailureOutcome::kFailed);
  auto t = get(1);
  EXPECT_EQ(t.status, TokenStatus::kFailed);
  EXPECT_EQ(t.generation_attempts, 3);
  EXPECT_EQ(t.failed_stage, Stage::kImage);
  EXPECT_EQ(t.generation_error, "image: timeout again");
  EXPECT_FALSE(t.next_attempt_at);
  EXPECT_FALSE(t.locked_by);
  clock.advance(1h);
  EXPECT_TRUE(queue.claim(Stage::kImage, 1).empty());
}

TEST_P(TokenLifecycleTest, PermanentFailureIsImmediate) {
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  auto c = queue.claim(Stage::kImage, 1).at(0);
  ASSERT_TRUE(queue.fail(Stage::kImage, 1, c.lease, "image: 401 Unauthorized: set REPLICATE_API_TOKEN"));
  auto t = get(1);
  EXPECT_EQ(t.status, TokenStatus::kFailed);
  EXPECT_EQ(t.generation_attempts, 1);
  EXPECT_EQ(t.failed_stage, Stage::kImage);
}

TEST_P(TokenLifecycleTest, ReleaseGivesTheTokenBackWithoutCountingAnAttempt) {
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  auto c = queue.claim(Stage::kImage, 1).at(0);
  const auto seen = wake.of(Stage::kImage).sequence();
  ASSERT_TRUE(queue.release(Stage::kImage, 1, c.lease));
  EXPECT_GT(wake.of(Stage::kImage).sequence(), seen);
  auto t = get(1);
  EXPECT_EQ(t.status, TokenStatus::kDetected);
  EXPECT_EQ(t.generation_attempts, 0);
  EXPECT_FALSE(t.locked_by);
  auto again = other.claim(Stage::kImage, 1);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_FALSE(again[0].recovered_from);
}

TEST_P(TokenLifecycleTest, PostponeWaitsWithoutCountingAnAttemptAndSaysWhy) {
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  auto c = queue.claim(Stage::kImage, 1).at(0);
  ASSERT_TRUE(queue.postpone(Stage::kImage, 1, c.lease, clock.now() + 30s, "rate limited: 429"));
  auto t = get(1);
  EXPECT_EQ(t.status, TokenStatus::kDetected);
  EXPECT_EQ(t.generation_attempts, 0);
  EXPECT_EQ(t.next_attempt_at, clock.now() + 30s);
  EXPECT_EQ(t.generation_error, "image: rate limited: 429");
  EXPECT_FALSE(t.locked_by);
  EXPECT_TRUE(queue.claim(Stage::kImage, 1).empty());
  clock.advance(30s);
  EXPECT_EQ(queue.claim(Stage::kImage, 1).size(), 1u);
  EXPECT_FALSE(queue.postpone(Stage::kImage, 1, c.lease, clock.now(), "stale lease"));
}

TEST_P(TokenLifecycleTest, MovesThatRecordWorkRideOutADatabaseOutage) {
  glisk::testing::add_detected_tokens(tokens, 1, 2);
  glisk::testing::CommitFailingDatabase failing(tdb.db());
  store::TokenLifecycle q(failing, clock, wake, "instance-f", 2s);
  auto claims = q.claim(Stage::kImage, 2);
  ASSERT_EQ(claims.size(), 2u);
  failing.unavailable_commits = 3;  // the server comes back after three tries
  EXPECT_TRUE(q.complete(Stage::kImage, claims[0].token.token_id, claims[0].lease, {.image_url = "https://x/1.png"}));
  EXPECT_EQ(failing.unavailable_commits.load(), 0);
  EXPECT_EQ(get(claims[0].token.token_id).status, TokenStatus::kUploading);
  // Longer than a lease: the move gives up and says so; the token waits for its lease to end.
  failing.unavailable_commits = 1000;
  const auto started = std::chrono::steady_clock::now();
  EXPECT_THROW((void)q.complete(Stage::kImage, claims[1].token.token_id, claims[1].lease, {}), store::ConnectionError);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_EQ(get(claims[1].token.token_id).status, TokenStatus::kGenerating);
}

TEST_P(TokenLifecycleTest, SaveCheckpointsWhileHoldingTheLease) {
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  auto c = queue.claim(Stage::kImage, 1).at(0);
  ASSERT_TRUE(queue.save(Stage::kImage, 1, c.lease, {.prediction_id = "pred-123"}));
  auto t = get(1);
  EXPECT_EQ(t.prediction_id, "pred-123");
  EXPECT_EQ(t.locked_by, c.lease);
  EXPECT_EQ(t.status, TokenStatus::kGenerating);
  // A crash: the next holder sees the prediction id and can resume it instead of paying again.
  clock.advance(61s);
  auto taken = other.claim(Stage::kImage, 1).at(0);
  EXPECT_EQ(taken.token.prediction_id, "pred-123");
  ASSERT_TRUE(other.save(Stage::kImage, 1, taken.lease, {.clear_prediction_id = true}));
  EXPECT_FALSE(get(1).prediction_id);
}

TEST_P(TokenLifecycleTest, AnExpiredImageGoesBackForANewOne) {
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  auto c = queue.claim(Stage::kImage, 1).at(0);
  ASSERT_TRUE(queue.complete(Stage::kImage, 1, c.lease, {.image_url = "https://old", .prediction_id = "p1"}));
  auto up = queue.claim(Stage::kIpfs, 1).at(0);
  ASSERT_TRUE(queue.send_back_for_new_image(1, up.lease, "ipfs: image URL answered 404 (expired)", 3));
  auto t = get(1);
  EXPECT_EQ(t.status, TokenStatus::kDetected);
  EXPECT_EQ(t.generation_attempts, 1);
  EXPECT_FALSE(t.image_url);
  EXPECT_FALSE(t.prediction_id);
  EXPECT_EQ(queue.claim(Stage::kImage, 1).size(), 1u);
}

TEST_P(TokenLifecycleTest, AnImageThatKeepsExpiringFailsAtMaxAttempts) {
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  for (int i = 1; i <= 2; ++i) {
    auto c = queue.claim(Stage::kImage, 1).at(0);
    ASSERT_TRUE(queue.complete(Stage::kImage, 1, c.lease, {.image_url = "https://x"}));
    auto up = queue.claim(Stage::kIpfs, 1).at(0);
    ASSERT_TRUE(queue.send_back_for_new_image(1, up.lease, "ipfs: 410 Gone", 2));
  }
  auto t = get(1);
  EXPECT_EQ(t.status, TokenStatus::kFailed);
  EXPECT_EQ(t.failed_stage, Stage::kImage);
  EXPECT_EQ(t.generation_attempts, 2);
}

TEST_P(TokenLifecycleTest, TheNextStageStartsWithAFreshAttemptCount) {
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  auto c = queue.claim(Stage::kImage, 1).at(0);
  ASSERT_TRUE(queue.complete(Stage::kImage, 1, c.lease));
  for (int i = 0; i < 2; ++i) {
    auto up = queue.claim(Stage::kIpfs, 1).at(0);
    (void)queue.record_failure(Stage::kIpfs, 1, up.lease, "ipfs: 503", clock.now(), 2);  // checked below
  }
  EXPECT_EQ(get(1).status, TokenStatus::kFailed);
  EXPECT_EQ(get(1).upload_attempts, 2);
  // An operator retry (the seed's reset) sends it through the image stage again...
  store::in_transaction(tdb.db(), store::TxMode::kWrite, [](store::Transaction& tx) {
    tx.exec(
        "UPDATE tokens_s0 SET status = 'detected', generation_attempts = 0, generation_error = NULL "
        "WHERE status = 'failed' AND generation_attempts < 3");
  });
  auto again = queue.claim(Stage::kImage, 1).at(0);
  ASSERT_TRUE(queue.complete(Stage::kImage, 1, again.lease));
  // ...and the upload stage gets its full number of attempts back.
  EXPECT_EQ(get(1).upload_attempts, 0);
  auto up = queue.claim(Stage::kIpfs, 1).at(0);
  EXPECT_EQ(queue.record_failure(Stage::kIpfs, 1, up.lease, "ipfs: 503", clock.now(), 2),
            FailureOutcome::kRetryScheduled);
}

TEST_P(TokenLifecycleTest, ConcurrentClaimersNeverShareATokenAndLoseNone) {
  constexpr int kTokens = 300;
  glisk::testing::add_detected_tokens(tokens, 1, kTokens);
  std::mutex mutex;
  std::set<int64_t> held, done;
  std::atomic<int> double_claims{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 6; ++w) {
    threads.emplace_back([&, w] {
      auto db = tdb.open_another(2);
      store::TokenLifecycle q(*db, clock, wake, "worker-" + std::to_string(w), 60s);
      for (;;) {
        std::vector<store::Claim> claims;
        try {
          claims = q.claim(Stage::kImage, 7);
        } catch (const store::BusyError&) {
          continue;  // SQLite under heavy write contention: try again
        }
        if (claims.empty()) return;
        {
          std::lock_guard lock(mutex);
          for (auto& c : claims) {
            if (!held.insert(c.token.token_id).second) ++double_claims;
          }
        }
        for (auto& c : claims) {
          {
            std::lock_guard lock(mutex);
            held.erase(c.token.token_id);
            if (!done.insert(c.token.token_id).second) ++double_claims;
          }
          for (;;) {
            try {
              EXPECT_TRUE(q.complete(Stage::kImage, c.token.token_id, c.lease));
              break;
            } catch (const store::BusyError&) {
            }
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(double_claims, 0);
  EXPECT_EQ(done.size(), static_cast<size_t>(kTokens));
  EXPECT_EQ(tokens.count_by_status()[TokenStatus::kUploading], kTokens);
}

TEST_P(TokenLifecycleTest, NotificationsReachOtherConnections) {
  if (GetParam() == Backend::kSqlite) {
    EXPECT_EQ(tdb.db().subscribe(store::kWakeChannel), nullptr);  // SQLite: polling only, by design
    return;
  }
  auto listener_db = tdb.open_another(1);
  auto subscription = listener_db->subscribe(store::kWakeChannel);
  ASSERT_NE(subscription, nullptr);
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  auto c = queue.claim(Stage::kImage, 1).at(0);
  ASSERT_TRUE(queue.complete(Stage::kImage, 1, c.lease));
  std::vector<std::string> got;
  for (int i = 0; i < 20 && std::find(got.begin(), got.end(), "ipfs") == got.end(); ++i) {
    for (auto& p : subscription->wait(250ms)) got.push_back(p);
  }
  EXPECT_NE(std::find(got.begin(), got.end(), "ipfs"), got.end());
}

INSTANTIATE_TEST_SUITE_P(Backends, TokenLifecycleTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         glisk::testing::backend_param_name);
