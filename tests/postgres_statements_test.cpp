// How the PostgreSQL backend runs statements: parameterized statements are prepared once per
// connection (store/detail/postgres_database.cpp), and reads run without BEGIN/COMMIT. These tests pin
// what that must not change: answers, rollbacks, a schema that changes under a cached plan, the
// server's own view of what ran, and a dead pooled connection met by a write.
#include <gtest/gtest.h>

#include <thread>

#include "store/detail/postgres_database.hpp"
#include "test_support.hpp"

using namespace glisk;
using namespace std::chrono_literals;
using glisk::testing::Backend;
using glisk::testing::TestDatabase;

namespace {

int64_t int_of(const store::Result& r) { return std::stoll(r.rows.at(0).at(0).value_or("0")); }

// One connection, so every statement below meets the same statement cache.
class PostgresStatements : public ::testing::Test {
 protected:
  TestDatabase tdb{Backend::kPostgres};
  std::unique_ptr<store::Database> db = store::open_database(tdb.url(), 1);

  store::Result run(store::TxMode mode, const std::string& sql, const store::Params& params = {}) {
    return store::in_transaction(*db, mode, [&](store::Transaction& tx) { return tx.exec(sql, params); });
  }
};

}  // namespace

TEST_F(PostgresStatements, APreparedStatementAnswersForEveryParameterAndPlanChoice) {
  run(store::TxMode::kWrite, "CREATE TABLE numbers (n BIGINT PRIMARY KEY, word TEXT)");
  run(store::TxMode::kWrite, "INSERT INTO numbers SELECT g, 'w' || g FROM generate_series(1, 200) g");
  // PostgreSQL switches a prepared statement to a generic plan after five runs: the answers must
  // not change when it does.
  for (int64_t n = 1; n <= 20; ++n) {
    auto r = run(store::TxMode::kRead, "SELECT word FROM numbers WHERE n = $1", {n * 7});
    ASSERT_EQ(r.rows.size(), n * 7 <= 200 ? 1u : 0u);
    if (!r.rows.empty()) {
      EXPECT_EQ(r.rows[0][0], "w" + std::to_string(n * 7));
    }
  }
  EXPECT_EQ(int_of(run(store::TxMode::kRead, "SELECT COUNT(*) FROM numbers WHERE word = $1", {nullptr})), 0);
  // The server holds one prepared statement for the text, not one per run.
  auto prepared = run(store::TxMode::kRead, "SELECT COUNT(*) FROM pg_prepared_statements WHERE statement LIKE $1",
                      {std::string("SELECT word FROM numbers%")});
  EXPECT_EQ(int_of(prepared), 1);
}

TEST_F(PostgresStatements, APreparedStatementOutlivesTheRollbackOfTheTransactionThatPreparedIt) {
  run(store::TxMode::kWrite, "CREATE TABLE items (id BIGINT PRIMARY KEY)");
  EXPECT_THROW(store::in_transaction(*db, store::TxMode::kWrite,
                                     [&](store::Transaction& tx) {
                                       tx.exec("INSERT INTO items (id) VALUES ($1)", {int64_t{1}});
                                       throw std::runtime_error("abandon");
                                     }),
               std::runtime_error);
  EXPECT_EQ(int_of(run(store::TxMode::kRead, "SELECT COUNT(*) FROM items WHERE id > $1", {int64_t{0}})), 0);
  run(store::TxMode::kWrite, "INSERT INTO items (id) VALUES ($1)", {int64_t{2}});
  EXPECT_EQ(int_of(run(store::TxMode::kRead, "SELECT COUNT(*) FROM items WHERE id > $1", {int64_t{0}})), 1);
}

TEST_F(PostgresStatements, AFailedPreparedStatementLeavesTheConnectionUsable) {
  run(store::TxMode::kWrite, "CREATE TABLE uniq (id BIGINT PRIMARY KEY)");
  run(store::TxMode::kWrite, "INSERT INTO uniq (id) VALUES ($1)", {int64_t{1}});
  EXPECT_THROW(run(store::TxMode::kWrite, "INSERT INTO uniq (id) VALUES ($1)", {int64_t{1}}), store::ConstraintError);
  run(store::TxMode::kWrite, "INSERT INTO uniq (id) VALUES ($1)", {int64_t{3}});
  EXPECT_EQ(int_of(run(store::TxMode::kRead, "SELECT COUNT(*) FROM uniq WHERE id >= $1", {int64_t{0}})), 2);
}

TEST_F(PostgresStatements, ASchemaChangeUnderACachedPlanCostsAtMostOneFailedStatement) {
  // A rolling upgrade: another instance migrates while this one holds prepared statements.
  run(store::TxMode::kWrite, "CREATE TABLE wide (id BIGINT PRIMARY KEY)");
  run(store::TxMode::kWrite, "INSERT INTO wide (id) VALUES (1)");
  const std::string select = "SELECT * FROM wide WHERE id = $1";
  EXPECT_EQ(run(store::TxMode::kRead, select, {int64_t{1}}).columns.size(), 1u);
  {
    auto other = store::open_database(tdb.url(), 1);
    store::in_transaction(*other, store::TxMode::kWrite,
                          [](store::Transaction& tx) { tx.exec("ALTER TABLE wide ADD COLUMN note TEXT"); });
  }
  // PostgreSQL refuses a cached plan whose result type changed; the statement is prepared afresh
  // on the next run instead of failing forever.
  try {
    run(store::TxMode::kRead, select, {int64_t{1}});
  } catch (const store::QueryError&) {
  }
  EXPECT_EQ(run(store::TxMode::kRead, select, {int64_t{1}}).columns.size(), 2u);
}

TEST_F(PostgresStatements, AReadRunsWithoutBeginAndAWriteInsideOne) {
  // txid_current_if_assigned() is NULL outside a transaction block that wrote; now() is the
  // transaction's start: equal across a write transaction's statements, not across a read's.
  auto reads = store::in_transaction(*db, store::TxMode::kRead, [](store::Transaction& tx) {
    auto a = tx.exec("SELECT statement_timestamp() = transaction_timestamp()").rows.at(0).at(0);
    std::this_thread::sleep_for(5ms);
    auto b = tx.exec("SELECT statement_timestamp() = transaction_timestamp()").rows.at(0).at(0);
    return std::make_pair(a, b);
  });
  EXPECT_EQ(reads.first, "t");
  EXPECT_EQ(reads.second, "t");  // each statement is its own transaction
  auto writes = store::in_transaction(*db, store::TxMode::kWrite, [](store::Transaction& tx) {
    tx.exec("SELECT 1");
    std::this_thread::sleep_for(5ms);
    return tx.exec("SELECT statement_timestamp() = transaction_timestamp()").rows.at(0).at(0);
  });
  EXPECT_EQ(writes, "f");  // one transaction around both
}

TEST_F(PostgresStatements, AWriteOnAPooledConnectionThatDiedWhileIdleStartsOnAnotherOne) {
  const int64_t pid = int_of(run(store::TxMode::kRead, "SELECT pg_backend_pid()"));
  run(store::TxMode::kWrite, "CREATE TABLE marks (id BIGINT PRIMARY KEY)");
  store::in_transaction(tdb.db(), store::TxMode::kWrite,
                        [&](store::Transaction& tx) { tx.exec("SELECT pg_terminate_backend($1)", {pid}); });
  for (int i = 0; i < 50; ++i) {  // until the server has really closed it
    auto gone = store::in_transaction(tdb.db(), store::TxMode::kRead, [&](store::Transaction& tx) {
      return int_of(tx.exec("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = $1", {pid}));
    });
    if (gone == 0) break;
    std::this_thread::sleep_for(20ms);
  }
  // The BEGIN meets the dead connection; nothing ran on it, so another one takes the write, and
  // the new connection prepares its statements anew.
  run(store::TxMode::kWrite, "INSERT INTO marks (id) VALUES ($1)", {int64_t{1}});
  EXPECT_NE(int_of(run(store::TxMode::kRead, "SELECT pg_backend_pid()")), pid);
  EXPECT_EQ(int_of(run(store::TxMode::kRead, "SELECT COUNT(*) FROM marks WHERE id = $1", {int64_t{1}})), 1);
}
