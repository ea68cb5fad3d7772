// The operator's commands against hostile conditions (issue 14): read-only commands never write
// and never wait for a busy service; no form of DATABASE_URL secret reaches any message.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "store/migrations.hpp"
#include "store/stage_reports.hpp"
#include "subprocess.hpp"
#include "test_support.hpp"

using namespace glisk;
using namespace std::chrono_literals;
using glisk::testing::Backend;
using glisk::testing::Subprocess;

namespace {

std::filesystem::path workdir() {
  auto dir = std::filesystem::temp_directory_path() / ("glisk_ops_cli_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

struct CliRun {
  int exit_code;
  std::string err;
  std::string out;
};

CliRun glisk_cli(std::vector<std::string> args, const std::string& database_url) {
  args.insert(args.begin(), GLISK_BINARY);
  Subprocess p(args, {{"DATABASE_URL", database_url}, {"LOG_FORMAT", "json"}}, workdir().string());
  const int code = p.wait(60s);
  return {code, p.all_stderr(), p.all_stdout()};
}

}  // namespace

TEST(OperatorCli, AReadOnlyCommandOnAMissingSqliteFileNamesItAndCreatesNothing) {
  const auto path = workdir() / "no-such.db";
  std::filesystem::remove(path);
  for (const char* command : {"status", "queues", "failures"}) {
    const CliRun r = glisk_cli({command}, "sqlite://" + path.string());
    EXPECT_EQ(r.exit_code, 1) << command;
    EXPECT_NE(r.err.find(path.string()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("glisk migrate"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(path)) << command << " created the database";
  }
}

TEST(OperatorCli, StatusAnswersWhileAWriterHoldsTheDatabase) {
  glisk::testing::TestDatabase tdb{Backend::kSqlite};
  clock::SystemClock clock;
  store::TokenStore tokens(tdb.db(), clock);
  glisk::testing::add_detected_tokens(tokens, 1, 3);
  // A service busy in a long write (the old claim sorted a whole backlog inside BEGIN IMMEDIATE).
  auto writer = tdb.db().begin(store::TxMode::kWrite);
  writer->exec("UPDATE tokens_s0 SET updated_at = updated_at WHERE token_id = 1");
  const auto began = std::chrono::steady_clock::now();
  const CliRun r = glisk_cli({"status", "--json"}, tdb.url());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"detected\": 3"), std::string::npos) << r.out;
  EXPECT_LT(std::chrono::steady_clock::now() - began, 9s) << "it waited for the writer's lock";
  writer.reset();
}

TEST(OperatorCli, AReadOnlyCommandOnAnOlderSchemaSaysToMigrate) {
  glisk::testing::TestDatabase tdb{Backend::kSqlite};
  const int latest = store::migrations().back().version;
  store::in_transaction(tdb.db(), store::TxMode::kWrite, [&](store::Transaction& tx) {
    tx.exec("DELETE FROM schema_migrations WHERE version = $1", {int64_t{latest}});
  });
  const CliRun r = glisk_cli({"tokens"}, tdb.url());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("has schema version " + std::to_string(latest - 1) + "; this glisk needs " +
                       std::to_string(latest) + ": run `glisk migrate`"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(store::schema_version(tdb.db()), latest - 1) << "nothing was migrated";
}

TEST(OperatorCli, AProvidersEscapeSequencesArePrintedNotObeyed) {
  glisk::testing::TestDatabase tdb{Backend::kSqlite};
  clock::SystemClock clock;
  store::TokenStore tokens(tdb.db(), clock);
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  store::in_transaction(tdb.db(), store::TxMode::kWrite, [](store::Transaction& tx) {
    tx.exec("UPDATE tokens_s0 SET status = 'failed', failed_stage = 'image', generation_error = $1 WHERE token_id = 1",
            {std::string("image: Replicate said \x1b[2J\x1b]0;owned\x07 and \xc2\x9b"
                         "31m")});
  });
  for (const char* command : {"show", "failures"}) {
    std::vector<std::string> args = {command};
    if (std::string(command) == "show") args.push_back("1");
    const CliRun r = glisk_cli(args, tdb.url());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << command << " printed an escape character";
    EXPECT_EQ(r.out.find("\x07"), std::string::npos);
    EXPECT_NE(r.out.find("\\x1b[2J"), std::string::npos) << r.out;
  }
}

TEST(OperatorCli, AReadOnlyPostgresSessionRefusesWrites) {
  glisk::testing::TestDatabase tdb{Backend::kPostgres};
  auto reader = store::open_database(tdb.url(), 1, store::Access::kReadOnly);
  EXPECT_NO_THROW(store::require_current_schema(*reader));
  const std::string error = glisk::testing::error_of<store::DatabaseError>([&] {
    store::in_transaction(*reader, store::TxMode::kWrite,
                          [](store::Transaction& tx) { tx.exec("DELETE FROM system_state"); });
  });
  EXPECT_NE(error.find("read-only transaction"), std::string::npos) << error;
}

// Each DATABASE_URL shape whose password once reached a message, through the library (libpq),
// the commands and the service's startup.
TEST(OperatorCli, NoFormOfTheDatabasePasswordReachesAnyMessage) {
  const std::vector<std::pair<std::string, std::string>> urls = {
      {"postgresql://glisk:s3cr%zzpw@127.0.0.1:1/db", "s3cr%zzpw"},                   // libpq quotes the bad %-escape
      {"postgresql://glisk:hunter2secret@[::1/db", "hunter2secret"},                  // libpq quotes the whole URI
      {"postgresql://glisk@127.0.0.1:1/db?password=hunter2secret", "hunter2secret"},  // in the query string
      {"postgresql://glisk:p%40ss%2Fw0rd@127.0.0.1:1/db", "p@ss/w0rd"},               // said decoded
  };
  for (const auto& [url, password] : urls) {
    const std::string library = glisk::testing::error_of<store::DatabaseError>([&] {
      auto db = store::open_database(url, 1);
      db->begin(store::TxMode::kRead);
    });
    EXPECT_NE(library, "no error") << url;
    EXPECT_EQ(library.find(password), std::string::npos) << library;
    for (const char* command : {"status", "migrate"}) {
      const CliRun r = glisk_cli({command}, url);
      EXPECT_NE(r.exit_code, 0) << command << " " << url;
      EXPECT_EQ(r.err.find(password), std::string::npos) << r.err;
    }
    Subprocess serve({GLISK_BINARY, "serve"}, {{"DATABASE_URL", url}, {"LOG_FORMAT", "json"}, {"PORT", "0"}},
                     workdir().string());
    EXPECT_EQ(serve.wait(60s), 1);
    EXPECT_NE(serve.all_stderr().find("application.startup_failed"), std::string::npos) << serve.all_stderr();
    EXPECT_EQ(serve.all_stderr().find(password), std::string::npos) << serve.all_stderr();
  }
}

TEST(OperatorCli, QueuesAndStatusShowAStagePausedOnAnyInstanceWithItsReasonAndNextProbe) {
  glisk::testing::TestDatabase tdb{Backend::kSqlite};
  clock::SystemClock clock;
  store::TokenStore tokens(tdb.db(), clock);
  glisk::testing::add_detected_tokens(tokens, 1, 2);
  store::StageReports reports(tdb.db(), clock);
  const auto r = glisk::testing::breaker_pause("image", "box:42:abcd", "replicate",
                                               "Replicate refused our API token (401): check REPLICATE_API_TOKEN",
                                               clock.now() - 3min, clock.now() + 20s);
  reports.publish(r.instance, {r});
  for (const char* command : {"queues", "status"}) {
    const CliRun text = glisk_cli({command}, tdb.url());
    EXPECT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("image    paused on box:42:abcd: Replicate refused our API token (401): check "
                            "REPLICATE_API_TOKEN"),
              std::string::npos)
        << text.out;
    EXPECT_NE(text.out.find("(3 min ago), next probe"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("(in 1"), std::string::npos) << text.out;  // in 19 or 20 s
  }
  const CliRun queues = glisk_cli({"queues", "--json"}, tdb.url());
  const auto j = nlohmann::json::parse(queues.out);
  ASSERT_EQ(j["image"]["paused"].size(), 1u) << queues.out;
  EXPECT_EQ(j["image"]["paused"][0]["cause"], "breaker");
  EXPECT_TRUE(j["ipfs"]["paused"].empty());
  const CliRun status = glisk_cli({"status", "--json"}, tdb.url());
  EXPECT_EQ(nlohmann::json::parse(status.out)["paused"][0]["instance"], "box:42:abcd") << status.out;

  reports.publish(r.instance, {});  // the stage resumed
  const CliRun resumed = glisk_cli({"queues"}, tdb.url());
  EXPECT_EQ(resumed.out.find("paused"), std::string::npos) << resumed.out;
}
