// The database's faults as the service meets them: a full disk (SQLite's max_page_count stands
// for it: SQLite answers SQLITE_FULL alike), a server that cannot be reached, and a pooled
// PostgreSQL connection that died while idle (a server restart), which must not fail the caller.
#include "store/monitored_database.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "ports.hpp"
#include "store/detail/postgres_database.hpp"
#include "store/detail/sqlite_database.hpp"
#include "test_support.hpp"

using namespace glisk;
using namespace std::chrono_literals;
using glisk::testing::Backend;
using glisk::testing::TestDatabase;

namespace {

int64_t int_of(store::Transaction& tx, const std::string& sql) {
  return std::stoll(tx.exec(sql).rows.at(0).at(0).value_or("0"));
}

}  // namespace

TEST(MonitoredDatabase, AFullDiskIsDiskFullErrorSaidOnceWithWhatToDoAndItsEnd) {
  const auto path = std::filesystem::temp_directory_path() / ("glisk_full_" + std::to_string(getpid()) + ".db");
  std::filesystem::remove(path);
  glisk::testing::CapturedLog captured;
  clock::ManualClock clock;
  // One connection, so the page limit set below holds for every transaction.
  store::MonitoredDatabase db(std::make_unique<store::SqliteDatabase>(path.string(), 1), captured.log, clock);
  store::in_transaction(db, store::TxMode::kWrite,
                        [](store::Transaction& tx) { tx.exec("CREATE TABLE filler (payload TEXT)"); });
  const int64_t pages = store::in_transaction(db, store::TxMode::kRead,
                                              [](store::Transaction& tx) { return int_of(tx, "PRAGMA page_count"); });
  store::in_transaction(db, store::TxMode::kRead, [&](store::Transaction& tx) {
    tx.exec("PRAGMA max_page_count = " + std::to_string(pages + 2));
  });
  auto fill = [&] {
    store::in_transaction(db, store::TxMode::kWrite, [](store::Transaction& tx) {
      tx.exec("INSERT INTO filler (payload) VALUES (zeroblob(3000))");
    });
  };
  std::string error = "no error";
  for (int i = 0; i < 50 && error == "no error"; ++i) error = glisk::testing::error_of<store::DiskFullError>(fill);
  ASSERT_NE(error, "no error") << "the limit was never reached";
  EXPECT_NE(error.find("database or disk is full"), std::string::npos) << error;
  EXPECT_NE(error.find("free space"), std::string::npos) << error;
  EXPECT_THROW(fill(), store::DiskFullError);
  EXPECT_THROW(fill(), store::UnavailableError) << "callers that ride out outages catch it";
  EXPECT_EQ(captured.count("store.disk_full"), 1) << captured.text();
  EXPECT_NE(captured.text().find("free space on the disk that holds the database"), std::string::npos);
  // Reads still work, and prove nothing about room to write.
  store::in_transaction(db, store::TxMode::kRead,
                        [](store::Transaction& tx) { tx.exec("SELECT COUNT(*) FROM filler"); });
  EXPECT_EQ(captured.count("store.recovered"), 0);

  store::in_transaction(db, store::TxMode::kRead,
                        [&](store::Transaction& tx) { tx.exec("PRAGMA max_page_count = 1000000"); });
  fill();
  EXPECT_EQ(captured.count("store.recovered"), 1);
  EXPECT_NE(captured.text().find(R"("fault":"disk_full")"), std::string::npos);
  for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + ext);
}

TEST(MonitoredDatabase, AnUnreachableServerIsSaidOnceNotPerAttempt) {
  glisk::testing::CapturedLog captured;
  clock::ManualClock clock;
  const std::string url =
      "postgresql://glisk:glisk@127.0.0.1:" + std::to_string(glisk::testing::unused_loopback_port()) + "/glisk_test";
  store::MonitoredDatabase db(store::open_database(url, 2), captured.log, clock);
  for (int i = 0; i < 5; ++i) EXPECT_THROW(db.begin(store::TxMode::kRead), store::ConnectionError);
  EXPECT_EQ(captured.count("store.unavailable"), 1);
  EXPECT_NE(captured.text().find("check that the database server is up"), std::string::npos) << captured.text();
  EXPECT_EQ(captured.text().find(":glisk@"), std::string::npos) << "no password in the log";
}

TEST(PostgresDatabase, APooledConnectionThatDiedWhileIdleIsReplacedNotReported) {
  TestDatabase tdb(Backend::kPostgres);
  glisk::testing::CapturedLog captured;
  clock::ManualClock clock;
  store::MonitoredDatabase db(store::open_database(tdb.url(), 1), captured.log, clock);
  const int64_t pid = store::in_transaction(
      db, store::TxMode::kRead, [](store::Transaction& tx) { return int_of(tx, "SELECT pg_backend_pid()"); });
  // What a server restart does to every idle connection.
  store::in_transaction(tdb.db(), store::TxMode::kWrite,
                        [&](store::Transaction& tx) { tx.exec("SELECT pg_terminate_backend($1)", {pid}); });
  for (int i = 0; i < 50; ++i) {  // until the server has really closed it
    auto gone = store::in_transaction(tdb.db(), store::TxMode::kRead, [&](store::Transaction& tx) {
      return int_of(tx, "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = " + std::to_string(pid));
    });
    if (gone == 0) break;
    std::this_thread::sleep_for(20ms);
  }
  const int64_t next = store::in_transaction(
      db, store::TxMode::kRead, [](store::Transaction& tx) { return int_of(tx, "SELECT pg_backend_pid()"); });
  EXPECT_NE(next, pid);
  EXPECT_EQ(captured.count("store.unavailable"), 0) << captured.text();
}
