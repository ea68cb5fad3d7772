// token_events: every kind of move writes its row in the move's own transaction, on SQLite and
// PostgreSQL, and a move that rolls back leaves no event.
#include <gtest/gtest.h>

#include "clock/time_format.hpp"
#include "mints/mint_recorder.hpp"
#include "pipeline_data.hpp"
#include "store/migrations.hpp"

using namespace glisk;
using namespace std::chrono_literals;
using glisk::testing::Backend;
using glisk::testing::events_of;
using glisk::testing::TestDatabase;
using token::Stage;

class TokenEventsTest : public ::testing::TestWithParam<Backend> {
 protected:
  TestDatabase tdb{GetParam()};
  clock::ManualClock clock;
  queue::WakeBoard wake;
  store::TokenStore tokens{tdb.db(), clock};
  store::TokenLifecycle queue{tdb.db(), clock, wake, "instance-a", 60s};
  store::RevealJournal journal{tdb.db(), clock, "instance-a"};

  std::vector<std::pair<std::optional<std::string>, std::string>> moves(int64_t id) {
    std::vector<std::pair<std::optional<std::string>, std::string>> out;
    for (const auto& e : events_of(tdb.db(), id)) out.emplace_back(e.from_status, e.to_status);
    return out;
  }
  using Moves = std::vector<std::pair<std::optional<std::string>, std::string>>;
};

TEST_P(TokenEventsTest, MigrationFiveCreatesTheTableWithItsIndex) {
  EXPECT_EQ(store::schema_version(tdb.db()), store::migrations().back().version);
  EXPECT_EQ(store::migrations().at(4).version, 5);
  EXPECT_NE(std::string(store::migrations().at(4).name).find("token_events"), std::string::npos);
  const std::string index_query =
      GetParam() == Backend::kPostgres
          ? "SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'token_events_token' "
            "AND schemaname = current_schema()"
          : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'token_events_token'";
  EXPECT_EQ(glisk::testing::count_rows(tdb.db(), index_query), 1);
}

TEST_P(TokenEventsTest, EveryMoveOfTheLifecycleIsRecordedInOrder) {
  glisk::testing::make_every_state(tokens, queue, journal);
  EXPECT_EQ(moves(glisk::testing::kDetected),
            (Moves{{std::nullopt, "detected"}, {"detected", "generating"}, {"generating", "detected"}}));
  EXPECT_EQ(moves(glisk::testing::kGenerating), (Moves{{std::nullopt, "detected"}, {"detected", "generating"}}));
  EXPECT_EQ(moves(glisk::testing::kRevealed), (Moves{{std::nullopt, "detected"},
                                                     {"detected", "generating"},
                                                     {"generating", "uploading"},
                                                     {"uploading", "uploading"},  // claimed by the upload stage
                                                     {"uploading", "ready"},
                                                     {"ready", "ready"},  // claimed by the reveal stage
                                                     {"ready", "ready"},  // released
                                                     {"ready", "revealed"}}));
  EXPECT_EQ(moves(glisk::testing::kFailedImage),
            (Moves{{std::nullopt, "detected"}, {"detected", "generating"}, {"generating", "failed"}}));
  const auto failed = events_of(tdb.db(), glisk::testing::kFailedIpfs).back();
  EXPECT_EQ(failed.to_status, "failed");
  EXPECT_EQ(failed.stage, "ipfs");
  EXPECT_EQ(failed.attempt, 1);
  EXPECT_EQ(failed.error, "ipfs: pinata said no");
  EXPECT_EQ(failed.instance, "instance-a");
  const auto claimed = events_of(tdb.db(), glisk::testing::kGenerating).back();
  EXPECT_EQ(claimed.stage, "image");
  EXPECT_EQ(claimed.attempt, 1);
  EXPECT_EQ(claimed.at, clock::format_time(clock.now()));
}

TEST_P(TokenEventsTest, RetriesAndSendBacksAndRecoveredClaimsAreRecorded) {
  glisk::testing::add_detected_tokens(tokens, 1, 2);
  auto c = queue.claim(Stage::kImage, 2);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(queue.record_failure(Stage::kImage, 1, c[0].lease, "image: 503", clock.now() + 5s, 3),
            store::FailureOutcome::kRetryScheduled);
  ASSERT_TRUE(queue.complete(Stage::kImage, 2, c[1].lease, {}));
  auto up = queue.claim(Stage::kIpfs, 1);
  ASSERT_EQ(up.size(), 1u);
  ASSERT_TRUE(queue.send_back_for_new_image(2, up[0].lease, "ipfs: image expired", 3));
  auto e1 = events_of(tdb.db(), 1).back();
  EXPECT_EQ(e1.from_status, "generating");
  EXPECT_EQ(e1.to_status, "detected");
  EXPECT_EQ(e1.attempt, 1);
  EXPECT_EQ(e1.error, "image: 503");
  auto e2 = events_of(tdb.db(), 2).back();
  EXPECT_EQ(e2.from_status, "uploading");
  EXPECT_EQ(e2.to_status, "detected");
  EXPECT_EQ(e2.stage, "ipfs");
  EXPECT_EQ(e2.error, "ipfs: image expired");

  // A lease that ran out: the claim by another instance records generating → generating.
  auto again = queue.claim(Stage::kImage, 1);
  ASSERT_EQ(again.size(), 1u);
  clock.advance(61s);
  store::TokenLifecycle other(tdb.db(), clock, wake, "instance-b", 60s);
  auto taken = other.claim(Stage::kImage, 5);
  ASSERT_FALSE(taken.empty());
  auto last = events_of(tdb.db(), again[0].token.token_id).back();
  EXPECT_EQ(last.from_status, "generating");
  EXPECT_EQ(last.to_status, "generating");
  EXPECT_EQ(last.instance, "instance-b");
}

TEST_P(TokenEventsTest, RevealOutcomesAreRecordedWithTheTransaction) {
  glisk::testing::add_detected_tokens(tokens, 1, 3);
  for (auto& c : queue.claim(Stage::kImage, 3))
    ASSERT_TRUE(queue.complete(Stage::kImage, c.token.token_id, c.lease, {}));
  for (auto& c : queue.claim(Stage::kIpfs, 3)) ASSERT_TRUE(queue.complete(Stage::kIpfs, c.token.token_id, c.lease, {}));
  store::SignedReveal signed_reveal;
  signed_reveal.sender = "0x00000000000000000000000000000000000000b1";
  signed_reveal.nonce = 7;
  signed_reveal.tx_hash = "0x" + std::string(64, 'a');
  signed_reveal.token_ids = {1, 2};
  signed_reveal.gas_limit = 100000;
  signed_reveal.raw_tx = "0x02";
  store::JournalEntry entry;
  static_cast<store::SignedReveal&>(entry) = signed_reveal;
  entry.id = journal.record_pending(signed_reveal);
  EXPECT_EQ(journal.confirm(entry, 10, 50000, eth::U256(1000)), 2);
  auto e = events_of(tdb.db(), 1).back();
  EXPECT_EQ(e.from_status, "ready");
  EXPECT_EQ(e.to_status, "revealed");
  EXPECT_EQ(e.tx_hash, signed_reveal.tx_hash);
  EXPECT_EQ(e.stage, "reveal");

  journal.postpone({3}, std::string("gas above the cap"), clock.now() + 30s, false);
  auto p = events_of(tdb.db(), 3).back();
  EXPECT_EQ(p.from_status, "ready");
  EXPECT_EQ(p.to_status, "ready");
  EXPECT_EQ(p.error, "gas above the cap");
}

TEST_P(TokenEventsTest, AMintRecordsEachCreatedTokenWithTheMintTransaction) {
  mints::MintRecorder recorder(clock);
  mints::MintEvent mint;
  mint.tx_hash = "0x" + std::string(64, 'c');
  mint.log_index = 0;
  mint.block_number = 5;
  mint.minter = "0x00000000000000000000000000000000000000a2";
  mint.prompt_author = "0x00000000000000000000000000000000000000a3";
  mint.start_token_id = 10;
  mint.quantity = 3;
  mint.total_paid = "0";
  store::in_transaction(tdb.db(), store::TxMode::kWrite, [&](store::Transaction& tx) { recorder.record(tx, mint); });
  for (int64_t id = 10; id <= 12; ++id) {
    auto events = events_of(tdb.db(), id);
    ASSERT_EQ(events.size(), 1u) << id;
    EXPECT_FALSE(events[0].from_status);
    EXPECT_EQ(events[0].to_status, "detected");
    EXPECT_EQ(events[0].tx_hash, mint.tx_hash);
  }
  // Recording the same mint again creates nothing and records nothing.
  store::in_transaction(tdb.db(), store::TxMode::kWrite, [&](store::Transaction& tx) { recorder.record(tx, mint); });
  EXPECT_EQ(glisk::testing::count_rows(tdb.db(), "SELECT COUNT(*) FROM token_events"), 3);
  // A mint whose transaction is not committed leaves neither tokens nor events.
  mint.tx_hash = "0x" + std::string(64, 'd');
  mint.start_token_id = 20;
  {
    auto tx = tdb.db().begin(store::TxMode::kWrite);
    recorder.record(*tx, mint);
  }
  EXPECT_EQ(glisk::testing::count_rows(tdb.db(), "SELECT COUNT(*) FROM token_events"), 3);
  EXPECT_FALSE(tokens.find_token(20));
}

TEST_P(TokenEventsTest, AMoveThatRollsBackLeavesNoEvent) {
  glisk::testing::add_detected_tokens(tokens, 1, 4);
  glisk::testing::CommitFailingDatabase failing(tdb.db());
  store::TokenLifecycle q(failing, clock, wake, "instance-f", 60s);
  store::RevealJournal j(failing, clock, "instance-f");
  auto claims = q.claim(Stage::kImage, 4);
  ASSERT_EQ(claims.size(), 4u);
  const int64_t before = glisk::testing::count_rows(tdb.db(), "SELECT COUNT(*) FROM token_events");

  failing.fail_commits = true;
  EXPECT_THROW(q.claim(Stage::kImage, 4), store::QueryError);
  EXPECT_THROW((void)q.complete(Stage::kImage, 1, claims[0].lease, {}), store::QueryError);
  EXPECT_THROW((void)q.record_failure(Stage::kImage, 2, claims[1].lease, "x", clock.now(), 3), store::QueryError);
  EXPECT_THROW((void)q.fail(Stage::kImage, 3, claims[2].lease, "x"), store::QueryError);
  EXPECT_THROW((void)q.release(Stage::kImage, 4, claims[3].lease), store::QueryError);
  EXPECT_THROW(j.postpone({1}, std::string("x"), clock.now(), true), store::QueryError);
  EXPECT_EQ(glisk::testing::count_rows(tdb.db(), "SELECT COUNT(*) FROM token_events"), before);
  for (int64_t id = 1; id <= 4; ++id) EXPECT_EQ(tokens.find_token(id)->status, token::TokenStatus::kGenerating) << id;

  failing.fail_commits = false;
  ASSERT_TRUE(q.fail(Stage::kImage, 3, claims[2].lease, "x"));
  failing.fail_commits = true;
  EXPECT_THROW(q.retry_failed({{3}, false, std::nullopt}, false, "cli"), store::QueryError);
  EXPECT_EQ(tokens.find_token(3)->status, token::TokenStatus::kFailed);
  EXPECT_EQ(events_of(tdb.db(), 3).back().to_status, "failed");
}

INSTANTIATE_TEST_SUITE_P(Backends, TokenEventsTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         glisk::testing::backend_param_name);

TEST_P(TokenEventsTest, AFailedTokenTheChainRevealedIsRevealedWithTheNamedReason) {
  glisk::testing::make_every_state(tokens, queue, journal);
  EXPECT_EQ(journal.mark_revealed_on_chain({glisk::testing::kReady, glisk::testing::kFailedReveal}), 2);
  const auto failed = events_of(tdb.db(), glisk::testing::kFailedReveal);
  ASSERT_FALSE(failed.empty());
  EXPECT_EQ(failed.back().from_status, "failed");
  EXPECT_EQ(failed.back().to_status, "revealed");
  EXPECT_EQ(failed.back().error, std::string(token::kRevealedAfterFailure));
  const auto ready = events_of(tdb.db(), glisk::testing::kReady);
  EXPECT_EQ(ready.back().error, "already revealed on chain");
  EXPECT_EQ(tokens.find_token(glisk::testing::kFailedReveal)->status, token::TokenStatus::kRevealed);
}
