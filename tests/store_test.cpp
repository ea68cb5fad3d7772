// The store suite: runs unchanged against SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <thread>

#include "clock/time_format.hpp"
#include "store/migrations.hpp"
#include "store/stage_reports.hpp"
#include "store/system_state.hpp"
#include "store/token_store.hpp"
#include "test_support.hpp"

using namespace glisk;
using glisk::testing::Backend;
using glisk::testing::TestDatabase;

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  TestDatabase tdb{GetParam()};
  clock::ManualClock clock;
  store::TokenStore tokens{tdb.db(), clock};
};

TEST_P(StoreTest, MigrationsAreRecordedAndIdempotent) {
  EXPECT_EQ(store::schema_version(tdb.db()), static_cast<int>(store::migrations().size()));
  EXPECT_TRUE(store::migrate(tdb.db(), clock.now()).empty());
  auto r = store::in_transaction(tdb.db(), store::TxMode::kRead, [](store::Transaction& tx) {
    return tx.exec("SELECT version, name FROM schema_migrations");
  });
  ASSERT_EQ(r.rows.size(), store::migrations().size());
  EXPECT_EQ(r.rows[0][0], "1");
}

TEST_P(StoreTest, ConcurrentMigrationsOnAFreshDatabaseApplyOnce) {
  TestDatabase fresh{GetParam(), /*migrate=*/false};
  std::vector<std::thread> threads;
  std::atomic<int> applied{0}, errors{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      try {
        auto db = fresh.open_another(1);
        applied += static_cast<int>(store::migrate(*db, clock.now()).size());
      } catch (const std::exception& e) {
        ++errors;
        ADD_FAILURE() << e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(applied, static_cast<int>(store::migrations().size()));
}

TEST_P(StoreTest, AuthorsAreUpsertedByWallet) {
  auto id = glisk::testing::add_author(tokens, "0xabc", std::string("first prompt"));
  EXPECT_EQ(glisk::testing::add_author(tokens, "0xabc", std::nullopt), id);  // no prompt given: keeps the old one
  EXPECT_EQ(glisk::testing::find_author(tokens, "0xabc")->prompt_text, "first prompt");
  EXPECT_EQ(glisk::testing::add_author(tokens, "0xabc", std::string("second")), id);
  EXPECT_EQ(glisk::testing::author_by_id(tokens, id)->prompt_text, "second");
  EXPECT_FALSE(glisk::testing::find_author(tokens, "0xdef"));
}

TEST_P(StoreTest, TokensInsertOnceAndReadBack) {
  auto author = glisk::testing::add_author(tokens, "0xabc", std::nullopt);
  EXPECT_TRUE(glisk::testing::add_token(tokens, 42, author, std::string("0xminter")));
  EXPECT_FALSE(glisk::testing::add_token(tokens, 42, author));  // idempotent
  auto t = tokens.find_token(42);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->status, token::TokenStatus::kDetected);
  EXPECT_EQ(t->author_id, author);
  EXPECT_EQ(t->minter_address, "0xminter");
  EXPECT_EQ(t->generation_attempts, 0);
  EXPECT_EQ(std::chrono::floor<std::chrono::milliseconds>(clock.now()), t->created_at);
  EXPECT_FALSE(tokens.find_token(43));
}

TEST_P(StoreTest, ATokenNeedsAKnownAuthor) {
  EXPECT_THROW(glisk::testing::add_token(tokens, 1, 999), store::ConstraintError);
}

TEST_P(StoreTest, StatusIsCheckedByTheSchema) {
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  EXPECT_THROW(store::in_transaction(tdb.db(), store::TxMode::kWrite,
                                     [](store::Transaction& tx) { tx.exec("UPDATE tokens_s0 SET status = 'lost'"); }),
               store::ConstraintError);
  EXPECT_EQ(tokens.find_token(1)->status, token::TokenStatus::kDetected);
}

TEST_P(StoreTest, AnExceptionRollsTheTransactionBack) {
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  EXPECT_THROW(store::in_transaction(tdb.db(), store::TxMode::kWrite,
                                     [](store::Transaction& tx) {
                                       tx.exec("UPDATE tokens_s0 SET status = 'ready'");
                                       throw std::runtime_error("boom");
                                     }),
               std::runtime_error);
  EXPECT_EQ(tokens.find_token(1)->status, token::TokenStatus::kDetected);
}

TEST_P(StoreTest, CountsByStatusIncludeEveryStatus) {
  glisk::testing::add_detected_tokens(tokens, 1, 3);
  auto counts = tokens.count_by_status();
  EXPECT_EQ(counts.size(), token::kAllStatuses.size());
  EXPECT_EQ(counts[token::TokenStatus::kDetected], 3);
  EXPECT_EQ(counts[token::TokenStatus::kRevealed], 0);
}

TEST_P(StoreTest, QueueStatsShowDepthAndAgeOfTheOldestDue) {
  glisk::testing::add_detected_tokens(tokens, 1, 2);
  clock.advance(std::chrono::seconds(30));
  auto stats = tokens.queue_stats();
  ASSERT_EQ(stats.size(), 3u);
  EXPECT_EQ(stats[0].stage, token::Stage::kImage);
  EXPECT_EQ(stats[0].depth, 2);
  EXPECT_EQ(stats[0].due, 2);
  EXPECT_EQ(stats[0].in_flight, 0);
  ASSERT_TRUE(stats[0].oldest_due_age_seconds);
  EXPECT_NEAR(*stats[0].oldest_due_age_seconds, 30.0, 0.01);
  EXPECT_EQ(stats[1].depth, 0);
  EXPECT_FALSE(stats[1].oldest_due_age_seconds);
}

TEST_P(StoreTest, PingAnswers) { EXPECT_NO_THROW(tokens.ping()); }

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         glisk::testing::backend_param_name);

TEST_P(StoreTest, RowsAreReadByNameAndTypeAndAMismatchIsABugNamingTheColumn) {
  auto r = store::in_transaction(tdb.db(), store::TxMode::kRead, [](store::Transaction& tx) {
    return tx.exec("SELECT 42 AS n, 'text' AS s, NULL AS missing, 1 AS yes, '2026-01-02T03:04:05.678Z' AS at");
  });
  const store::Row row = r.row(0);
  EXPECT_EQ(row.get<int64_t>("n"), 42);
  EXPECT_EQ(row.get<int>("n"), 42);
  EXPECT_EQ(row.get<std::string>("s"), "text");
  EXPECT_TRUE(row.get<bool>("yes"));
  EXPECT_FALSE(row.get_optional<std::string>("missing"));
  EXPECT_TRUE(row.is_null("missing"));
  EXPECT_EQ(clock::format_time(row.get<clock::TimePoint>("at")), "2026-01-02T03:04:05.678Z");
  try {
    (void)row.get<int64_t>("s");
    FAIL() << "text read as an integer";
  } catch (const store::QueryError& e) {
    EXPECT_NE(std::string(e.what()).find("column s"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)row.get<std::string>("missing"), store::QueryError);
  EXPECT_THROW((void)row.get<int64_t>("absent"), store::QueryError);
  EXPECT_THROW((void)r.row(1), store::QueryError);
}

TEST_P(StoreTest, SystemStateChangesOnlyByCompareAndSet) {
  store::SystemState state(clock);
  store::in_transaction(tdb.db(), store::TxMode::kWrite, [&](store::Transaction& tx) {
    EXPECT_TRUE(state.compare_and_set(tx, "k", std::nullopt, "one"));
    EXPECT_FALSE(state.compare_and_set(tx, "k", std::nullopt, "two"));  // exists already
    EXPECT_FALSE(state.compare_and_set(tx, "k", std::string("stale"), "two"));
    EXPECT_TRUE(state.compare_and_set(tx, "k", std::string("one"), "two"));
    EXPECT_FALSE(state.compare_and_delete(tx, "k", "one"));
  });
  EXPECT_EQ(state.get(tdb.db(), "k"), "two");
  store::in_transaction(tdb.db(), store::TxMode::kWrite,
                        [&](store::Transaction& tx) { EXPECT_TRUE(state.compare_and_delete(tx, "k", "two")); });
  EXPECT_FALSE(state.get(tdb.db(), "k"));
}

TEST_P(StoreTest, StageReportsAreEachInstancesOwnAndAStaleOneIsIgnored) {
  using namespace std::chrono_literals;
  store::StageReports reports(tdb.db(), clock);
  auto report = [&](std::string stage, std::string instance, std::string reason) {
    store::StagePauseReport r;
    r.stage = std::move(stage);
    r.instance = std::move(instance);
    r.provider = "replicate";
    r.cause = "breaker";
    r.reason = std::move(reason);
    r.since = clock.now();
    r.next_probe = clock.now() + 4s;
    return r;
  };
  reports.publish("a:1:x", {report("image", "a:1:x", "401: check REPLICATE_API_TOKEN")});
  // A key's LIKE wildcards are matched as written: this instance's name holds one.
  reports.publish("b_1%y", {report("image", "b_1%y", "503"), report("ipfs", "b_1%y", "pinata 503")});
  auto now = reports.current();
  ASSERT_EQ(now.size(), 3u);
  EXPECT_EQ(now[0].stage, "image");
  EXPECT_EQ(now[0].instance, "a:1:x");
  EXPECT_EQ(now[0].reason, "401: check REPLICATE_API_TOKEN");
  EXPECT_EQ(now[0].next_probe, clock.now() + 4s);
  EXPECT_EQ(now[2].stage, "ipfs");

  // b's ipfs stage resumed: only its row goes; a's are untouched.
  reports.publish("b_1%y", {report("image", "b_1%y", "503 again")});
  now = reports.current();
  ASSERT_EQ(now.size(), 2u);
  EXPECT_EQ(now[1].reason, "503 again");

  // a stops refreshing (it died): after the freshness its row is no longer shown.
  clock.advance(40s);
  reports.publish("b_1%y", {report("image", "b_1%y", "503 again")});
  clock.advance(30s);
  now = reports.current();
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0].instance, "b_1%y");
  reports.publish("b_1%y", {});
  EXPECT_TRUE(reports.current().empty());

  // A row nobody can read (another version's, a hand edit) is skipped, not fatal.
  store::SystemState state(clock);
  store::in_transaction(tdb.db(), store::TxMode::kWrite,
                        [&](store::Transaction& tx) { state.put(tx, "stage_paused:c:image", "{not json"); });
  EXPECT_TRUE(reports.current().empty());
}
