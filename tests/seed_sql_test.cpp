// The seed's Monitoring and Troubleshooting statements, verbatim, on both schemas: they run and
// they mean what the seed says. The reset statement puts failed tokens back into the pipeline.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "store/token_lifecycle.hpp"
#include "test_support.hpp"

using namespace glisk;
using namespace std::chrono_literals;
using glisk::testing::Backend;
using token::Stage;
using token::TokenStatus;

namespace {
// Copied from ../shared/spec/workers-seed.md; do not reformat.
constexpr const char* kStatusDistribution = "SELECT status, COUNT(*) FROM tokens_s0 GROUP BY status";
constexpr const char* kRecentlyUpdated =
    "SELECT token_id, status, created_at FROM tokens_s0 ORDER BY created_at DESC LIMIT 10";
constexpr const char* kImageQueue = "SELECT COUNT(*) FROM tokens_s0 WHERE status='detected'";
constexpr const char* kUploadQueue = "SELECT COUNT(*) FROM tokens_s0 WHERE status='uploading'";
constexpr const char* kRevealQueue = "SELECT COUNT(*) FROM tokens_s0 WHERE status='ready'";
constexpr const char* kStuck =
    "SELECT token_id, status, generation_attempts, generation_error FROM tokens_s0 WHERE status IN ('generating', "
    "'uploading') ORDER BY created_at";
constexpr const char* kCountFailures = "SELECT COUNT(*) FROM tokens_s0 WHERE status='failed'";
constexpr const char* kInspectErrors =
    "SELECT token_id, generation_error FROM tokens_s0 WHERE status='failed' ORDER BY created_at DESC LIMIT 5";
constexpr const char* kReset = R"(UPDATE tokens_s0
SET status = 'detected', generation_attempts = 0, generation_error = NULL
WHERE status = 'failed' AND generation_attempts < 3;)";
}  // namespace

class SeedSqlTest : public ::testing::TestWithParam<Backend> {
 protected:
  glisk::testing::TestDatabase tdb{GetParam()};
  clock::ManualClock clock;
  queue::WakeBoard wake;
  store::TokenStore tokens{tdb.db(), clock};
  store::TokenLifecycle q{tdb.db(), clock, wake, "i", 60s};

  store::Result run(const char* sql) {
    return store::in_transaction(tdb.db(), store::TxMode::kWrite, [&](store::Transaction& tx) { return tx.exec(sql); });
  }
  int64_t count(const char* sql) { return std::stoll(run(sql).rows.at(0).at(0).value()); }

  // Tokens 1..10: 1-3 detected, 4 generating, 5-6 uploading, 7 ready, 8 revealed,
  // 9 failed permanently (1 attempt), 10 failed after 3 attempts.
  void populate() {
    glisk::testing::add_detected_tokens(tokens, 1, 10);
    auto advance_to = [&](int64_t id, Stage last) {
      for (Stage s : token::kAllStages) {
        auto c = q.claim(s, 100);
        for (auto& claim : c) {
          if (claim.token.token_id == id) {
            ASSERT_TRUE(q.complete(s, id, claim.lease));
          } else {
            ASSERT_TRUE(q.release(s, claim.token.token_id, claim.lease));
          }
        }
        if (s == last) break;
      }
    };
    advance_to(5, Stage::kImage);
    advance_to(6, Stage::kImage);
    advance_to(7, Stage::kIpfs);
    advance_to(8, Stage::kReveal);
    for (auto& c : q.claim(Stage::kImage, 100)) {
      if (c.token.token_id == 9) {
        ASSERT_TRUE(q.fail(Stage::kImage, 9, c.lease, "image: 401 Unauthorized: check REPLICATE_API_TOKEN"));
      } else if (c.token.token_id == 10) {
        ASSERT_EQ(q.record_failure(Stage::kImage, 10, c.lease, "image: timeout", clock.now(), 1),
                  store::FailureOutcome::kFailed);
      } else if (c.token.token_id != 4) {
        ASSERT_TRUE(q.release(Stage::kImage, c.token.token_id, c.lease));
      }
    }
    store::in_transaction(tdb.db(), store::TxMode::kWrite, [](store::Transaction& tx) {
      tx.exec("UPDATE tokens_s0 SET generation_attempts = 3 WHERE token_id = 10");
    });
  }
};

TEST_P(SeedSqlTest, MonitoringQueriesRunAndMeanWhatTheSeedSays) {
  populate();
  std::map<std::string, int64_t> distribution;
  for (const auto& row : run(kStatusDistribution).rows) distribution[row[0].value()] = std::stoll(row[1].value());
  EXPECT_EQ(distribution,
            (std::map<std::string, int64_t>{
                {"detected", 3}, {"generating", 1}, {"uploading", 2}, {"ready", 1}, {"revealed", 1}, {"failed", 2}}));
  EXPECT_EQ(run(kRecentlyUpdated).rows.size(), 10u);
  EXPECT_EQ(count(kImageQueue), 3);
  EXPECT_EQ(count(kUploadQueue), 2);
  EXPECT_EQ(count(kRevealQueue), 1);
  auto stuck = run(kStuck);
  ASSERT_EQ(stuck.rows.size(), 3u);
  EXPECT_EQ(count(kCountFailures), 2);
  auto errors = run(kInspectErrors);
  ASSERT_EQ(errors.rows.size(), 2u);
  std::set<std::string> messages{errors.rows[0][1].value(), errors.rows[1][1].value()};
  EXPECT_TRUE(messages.count("image: 401 Unauthorized: check REPLICATE_API_TOKEN"));
  EXPECT_TRUE(messages.count("image: timeout"));
}

TEST_P(SeedSqlTest, TheResetStatementPutsFailedTokensThroughThePipelineAgain) {
  populate();
  clock.advance(1h);
  auto reset = run(kReset);
  EXPECT_EQ(reset.affected, 1) << "only the token below the attempt limit";
  auto t9 = *tokens.find_token(9);
  EXPECT_EQ(t9.status, TokenStatus::kDetected);
  EXPECT_EQ(tokens.find_token(10)->status, TokenStatus::kFailed);
  // No hidden column holds it back: it is claimed, and flows to revealed.
  for (Stage s : token::kAllStages) {
    bool moved = false;
    for (auto& c : q.claim(s, 100)) {
      if (c.token.token_id == 9)
        moved = q.complete(s, 9, c.lease);
      else
        ASSERT_TRUE(q.release(s, c.token.token_id, c.lease));
    }
    ASSERT_TRUE(moved) << token::to_string(s);
  }
  EXPECT_EQ(tokens.find_token(9)->status, TokenStatus::kRevealed);
}

INSTANTIATE_TEST_SUITE_P(Backends, SeedSqlTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         glisk::testing::backend_param_name);
