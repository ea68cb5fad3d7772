// Tests across real processes: several claimers on one database, a claimer killed with SIGKILL,
// and the `glisk` binary itself (serve, SIGTERM, migrate, bad configuration).
#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "fakes/fake_replicate.hpp"
#include "prometheus_text.hpp"
#include "store/migrations.hpp"
#include "store/token_lifecycle.hpp"
#include "subprocess.hpp"
#include "test_support.hpp"

using namespace glisk;
using namespace std::chrono_literals;
using glisk::testing::Backend;
using glisk::testing::Subprocess;
using token::Stage;
using token::TokenStatus;

namespace {

std::string temp_workdir() {
  auto dir = std::filesystem::temp_directory_path() / ("glisk_proc_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::vector<int64_t> claimed_ids(const std::string& out) {
  std::vector<int64_t> ids;
  std::regex line(R"(claimed (\d+))");
  for (std::sregex_iterator it(out.begin(), out.end(), line), end; it != end; ++it) ids.push_back(std::stoll((*it)[1]));
  return ids;
}

}  // namespace

class ProcessTest : public ::testing::TestWithParam<Backend> {
 protected:
  glisk::testing::TestDatabase tdb{GetParam()};
  clock::SystemClock clock;
  queue::WakeBoard wake;
  store::TokenStore tokens{tdb.db(), clock};
  std::string workdir = temp_workdir();
};

TEST_P(ProcessTest, ClaimersInSeparateProcessesNeverShareATokenAndLoseNone) {
  constexpr int kTokens = 400;
  glisk::testing::add_detected_tokens(tokens, 1, kTokens);
  std::vector<std::unique_ptr<Subprocess>> claimers;
  for (int i = 0; i < 3; ++i) {
    claimers.push_back(
        std::make_unique<Subprocess>(std::vector<std::string>{GLISK_QUEUE_CLAIMER, tdb.url(), "drain", "60000", "5"},
                                     std::map<std::string, std::string>{}, workdir));
  }
  std::vector<int64_t> all;
  for (auto& c : claimers) {
    ASSERT_EQ(c->wait(120s), 0) << c->all_stderr();
    auto ids = claimed_ids(c->all_stdout());
    EXPECT_EQ(c->all_stdout().find("lost"), std::string::npos);
    all.insert(all.end(), ids.begin(), ids.end());
  }
  std::set<int64_t> unique(all.begin(), all.end());
  EXPECT_EQ(all.size(), unique.size()) << "a token was claimed twice";
  EXPECT_EQ(unique.size(), static_cast<size_t>(kTokens));
  EXPECT_EQ(tokens.count_by_status()[TokenStatus::kUploading], kTokens);
}

TEST_P(ProcessTest, TokensOfAKilledProcessAreTakenUpWhenItsLeaseRunsOut) {
  glisk::testing::add_detected_tokens(tokens, 1, 5);
  Subprocess holder({GLISK_QUEUE_CLAIMER, tdb.url(), "hold", "2000", "5"}, {}, workdir);
  ASSERT_TRUE(holder.read_stdout_until([](const std::string& l) { return l == "holding"; }, 30s))
      << holder.all_stderr();
  ASSERT_EQ(claimed_ids(holder.all_stdout()).size(), 5u);
  holder.signal(SIGKILL);
  EXPECT_EQ(holder.wait(10s), 128 + SIGKILL);

  store::TokenLifecycle survivor(tdb.db(), clock, wake, "survivor", 60s);
  EXPECT_TRUE(survivor.claim(Stage::kImage, 10).empty()) << "the dead holder's leases are still running";
  EXPECT_EQ(tokens.count_by_status()[TokenStatus::kGenerating], 5) << "nothing resets in-flight tokens";
  std::vector<store::Claim> taken;
  for (int i = 0; i < 100 && taken.empty(); ++i) {
    std::this_thread::sleep_for(50ms);
    taken = survivor.claim(Stage::kImage, 10);
  }
  ASSERT_EQ(taken.size(), 5u);
  for (auto& c : taken) {
    EXPECT_TRUE(c.recovered_from) << c.token.token_id;
    EXPECT_TRUE(survivor.complete(Stage::kImage, c.token.token_id, c.lease));
  }
  EXPECT_EQ(tokens.count_by_status()[TokenStatus::kUploading], 5);
}

TEST_P(ProcessTest, ServeIsHealthyAndStopsCleanlyOnSigterm) {
  Subprocess serve(
      {GLISK_BINARY, "serve"},
      {{"DATABASE_URL", tdb.url()}, {"PORT", "0"}, {"LOG_FORMAT", "json"}, {"SHUTDOWN_TIMEOUT_SECONDS", "5"}}, workdir);
  int port = 0;
  ASSERT_TRUE(serve.read_stderr_until(
      [&](const std::string& line) {
        if (line.find("\"application.startup\"") == std::string::npos) return false;
        port = nlohmann::json::parse(line)["port"].get<int>();
        return true;
      },
      30s))
      << serve.all_stderr();
  httplib::Client client("127.0.0.1", port);
  auto res = client.Get("/health");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(nlohmann::json::parse(res->body)["status"], "healthy");
  // /metrics as Prometheus reads it: every family named by the conventions, the process_* families
  // any exporter has, and this very process's requests counted by route.
  auto scraped = client.Get("/metrics");
  ASSERT_TRUE(scraped);
  auto families = glisk::testing::parse_prometheus_text(scraped->body);
  const auto problems = glisk::testing::naming_problems(families);
  EXPECT_TRUE(problems.empty()) << [&] {
    std::string all;
    for (const auto& p : problems) all += p + "\n";
    return all;
  }();
  for (const char* family :
       {"process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes",
        "process_start_time_seconds", "process_open_fds", "process_max_fds"}) {
    ASSERT_TRUE(families.contains(family)) << family;
  }
  EXPECT_GT(families["process_resident_memory_bytes"].value(), 1e6);
  EXPECT_GT(families["process_open_fds"].value(), 3);
  EXPECT_NEAR(families["process_start_time_seconds"].value(),
              std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(), 120);
  EXPECT_GE(families["glisk_http_requests_total"].value({{"route", "/health"}, {"method", "GET"}, {"status", "200"}}),
            1);
  // What Docker's HEALTHCHECK and systemd run: 0 while it is healthy, 1 once it is gone (never 2,
  // which Docker reserves, not even for a PORT that is not a number).
  auto healthcheck = [&](const std::string& port_text) {
    Subprocess probe({GLISK_BINARY, "healthcheck", "--timeout", "5"}, {{"PORT", port_text}, {"HOST", "0.0.0.0"}},
                     workdir);
    const int code = probe.wait(30s);  // before reading what it said (argument order is unspecified)
    return std::make_pair(code, probe.all_stdout() + probe.all_stderr());
  };
  auto [healthy, said] = healthcheck(std::to_string(port));
  EXPECT_EQ(healthy, 0) << said;
  EXPECT_NE(said.find("healthy"), std::string::npos) << said;
  serve.signal(SIGTERM);
  EXPECT_EQ(serve.wait(30s), 0) << serve.all_stderr();
  auto [gone, why] = healthcheck(std::to_string(port));
  EXPECT_EQ(gone, 1) << why;
  EXPECT_NE(why.find("unhealthy"), std::string::npos) << why;
  EXPECT_EQ(healthcheck("not-a-port").first, 1);
  const std::string& log = serve.all_stderr();
  EXPECT_NE(log.find("\"application.shutdown\""), std::string::npos) << log;
  // Every line names its instance (the one application.startup gives) and says something in words.
  std::istringstream lines(log);
  std::string line;
  std::string instance;
  std::set<std::string> wake_listener;
  while (std::getline(lines, line)) {
    auto entry = nlohmann::json::parse(line);
    ASSERT_TRUE(entry.contains("message")) << line;
    ASSERT_TRUE(entry.contains("instance")) << line;
    if (instance.empty()) instance = entry["instance"];
    EXPECT_EQ(entry["instance"], instance) << line;
    if (entry.value("worker", "") == "wake_listener") wake_listener.insert(entry["event"].get<std::string>());
  }
  if (GetParam() == Backend::kPostgres) {
    EXPECT_TRUE(wake_listener.contains("worker.started")) << log;
    EXPECT_TRUE(wake_listener.contains("worker.stopped")) << log;
  }
  EXPECT_EQ(log.find("glisk:glisk@"), std::string::npos) << "the database password reached the log";
}

TEST_P(ProcessTest, MigrateAppliesTheSchema) {
  glisk::testing::TestDatabase fresh{GetParam(), /*migrate=*/false};
  Subprocess migrate({GLISK_BINARY, "migrate"}, {{"DATABASE_URL", fresh.url()}, {"LOG_FORMAT", "json"}}, workdir);
  EXPECT_EQ(migrate.wait(30s), 0) << migrate.all_stderr();
  EXPECT_NE(migrate.all_stderr().find("\"database.migrated\""), std::string::npos);
  EXPECT_EQ(store::schema_version(fresh.db()), static_cast<int>(store::migrations().size()));
}

TEST_P(ProcessTest, AServiceKilledMidPredictionResumesItAfterRestartWithoutPayingAgain) {
  glisk::testing::FakeReplicate fake;
  fake.hold(true);
  glisk::testing::add_detected_tokens(tokens, 1, 1);
  const std::map<std::string, std::string> env = {{"DATABASE_URL", tdb.url()},
                                                  {"PORT", "0"},
                                                  {"LOG_FORMAT", "json"},
                                                  {"IMAGE_PROVIDER", "replicate"},
                                                  {"REPLICATE_API_URL", fake.url()},
                                                  {"REPLICATE_API_TOKEN", glisk::testing::FakeReplicate::kToken},
                                                  {"LEASE_SECONDS", "2"},
                                                  {"POLL_INTERVAL_SECONDS", "0.2"}};
  {
    Subprocess first({GLISK_BINARY, "serve"}, env, workdir);
    std::optional<std::string> saved;
    for (int i = 0; i < 300 && !saved; ++i) {
      std::this_thread::sleep_for(50ms);
      saved = tokens.find_token(1)->prediction_id;
    }
    ASSERT_TRUE(saved) << first.all_stderr();
    first.signal(SIGKILL);
    EXPECT_EQ(first.wait(10s), 128 + SIGKILL);
  }
  EXPECT_EQ(tokens.find_token(1)->status, TokenStatus::kGenerating);
  const auto prediction = tokens.find_token(1)->prediction_id;
  fake.hold(false);  // the prediction finishes while nobody watches

  Subprocess second({GLISK_BINARY, "serve"}, env, workdir);
  // The image stage finishes the token; the upload stage (local store) may take it on at once.
  auto past_image = [&] {
    auto s = tokens.find_token(1)->status;
    return s == TokenStatus::kUploading || s == TokenStatus::kReady;
  };
  for (int i = 0; i < 300 && !past_image(); ++i) std::this_thread::sleep_for(50ms);
  auto t = *tokens.find_token(1);
  EXPECT_TRUE(past_image()) << second.all_stderr();
  EXPECT_EQ(t.prediction_id, prediction);
  EXPECT_EQ(t.image_url, fake.url() + "/files/" + *prediction + ".webp");
  EXPECT_EQ(fake.creates(), 1) << "a second prediction was paid for";
  second.signal(SIGTERM);
  EXPECT_EQ(second.wait(30s), 0);
  EXPECT_NE(second.all_stderr().find("\"worker.recovery\""), std::string::npos);
}

TEST_P(ProcessTest, ACleanStopLeavesNoLeaseBehindEvenWhenTheDatabaseIsBusy) {
  // Predictions that never finish: every slot holds a token when SIGTERM comes, and the database
  // is kept busy by another writer while the service gives its tokens back.
  glisk::testing::FakeReplicate fake;
  fake.hold(true);
  glisk::testing::add_detected_tokens(tokens, 1, 40);
  const std::map<std::string, std::string> env = {{"DATABASE_URL", tdb.url()},
                                                  {"PORT", "0"},
                                                  {"LOG_FORMAT", "json"},
                                                  {"IMAGE_PROVIDER", "replicate"},
                                                  {"REPLICATE_API_URL", fake.url()},
                                                  {"REPLICATE_API_TOKEN", glisk::testing::FakeReplicate::kToken},
                                                  {"WORKER_BATCH_SIZE", "8"},
                                                  {"SHUTDOWN_TIMEOUT_SECONDS", "1"},
                                                  {"POLL_INTERVAL_SECONDS", "0.2"}};
  Subprocess serve({GLISK_BINARY, "serve"}, env, workdir);
  for (int i = 0; i < 300 && tokens.count_by_status()[TokenStatus::kGenerating] < 8; ++i)
    std::this_thread::sleep_for(50ms);
  ASSERT_EQ(tokens.count_by_status()[TokenStatus::kGenerating], 8) << serve.all_stderr();
  auto other = tdb.open_another(1);
  std::jthread busy([&] {
    auto tx = other->begin(store::TxMode::kWrite);  // SQLite: the write lock; PostgreSQL: row locks
    tx->exec("UPDATE tokens_s0 SET updated_at = updated_at WHERE token_id > 8");
    std::this_thread::sleep_for(1500ms);
    tx->commit();
  });
  std::this_thread::sleep_for(100ms);
  serve.signal(SIGTERM);
  EXPECT_EQ(serve.wait(30s), 0) << serve.all_stderr();
  busy.join();
  auto held = store::in_transaction(tdb.db(), store::TxMode::kRead, [](store::Transaction& tx) {
    return tx.exec("SELECT COUNT(*) FROM tokens_s0 WHERE locked_by IS NOT NULL");
  });
  EXPECT_EQ(held.rows.at(0).at(0), "0") << "a token still waits for this process's lease:\n" << serve.all_stderr();
  EXPECT_EQ(tokens.count_by_status()[TokenStatus::kDetected], 40);
  EXPECT_EQ(tokens.find_token(1)->generation_attempts, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, ProcessTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         glisk::testing::backend_param_name);

TEST(Cli, BadConfigurationStopsStartupWithOneMessageListingEverything) {
  Subprocess serve({GLISK_BINARY, "serve"}, {{"WORKER_BATCH_SIZE", "abc"}, {"POLL_INTERVAL_SECONDS", "-1"}},
                   temp_workdir());
  EXPECT_EQ(serve.wait(10s), 2);
  const std::string& err = serve.all_stderr();
  EXPECT_NE(err.find("invalid configuration (2 problems)"), std::string::npos) << err;
  EXPECT_NE(err.find("WORKER_BATCH_SIZE: 'abc' is not a whole number"), std::string::npos) << err;
  EXPECT_NE(err.find("POLL_INTERVAL_SECONDS: -1 is out of range"), std::string::npos) << err;
}

namespace {

// The service manager's end of systemd's notify protocol: a unix datagram socket bound at `path`,
// each datagram one message of newline-separated KEY=VALUE lines.
class NotifySocket {
 public:
  explicit NotifySocket(std::string path) : path_(std::move(path)) {
    ::unlink(path_.c_str());
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path_.size() >= sizeof address.sun_path) throw std::runtime_error("socket path too long: " + path_);
    std::copy(path_.begin(), path_.end(), address.sun_path);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("cannot bind " + path_);
    }
  }
  ~NotifySocket() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  // The next message, or nullopt when none comes within `timeout`.
  std::optional<std::string> next(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n < 0) return std::nullopt;
    return std::string(buffer, static_cast<size_t>(n));
  }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace

// systemd's Type=notify and WatchdogSec=, as the unit in packaging/ asks for them: READY=1 once
// /health answers, WATCHDOG=1 at half of WATCHDOG_USEC while healthy, STOPPING=1 on SIGTERM.
TEST(Cli, ServeTellsSystemdItIsReadyAliveAndStopping) {
  const std::string dir = temp_workdir() + "/notify";
  std::filesystem::create_directories(dir);
  NotifySocket manager(dir + "/notify.sock");
  Subprocess serve({GLISK_BINARY, "serve"},
                   {{"DATABASE_URL", "sqlite://" + dir + "/glisk.db"},
                    {"PORT", "0"},
                    {"LOG_FORMAT", "json"},
                    {"SHUTDOWN_TIMEOUT_SECONDS", "5"},
                    {"NOTIFY_SOCKET", dir + "/notify.sock"},
                    {"WATCHDOG_USEC", "400000"}},
                   dir);
  const auto ready = manager.next(30s);
  ASSERT_TRUE(ready) << "no message from glisk serve: " << serve.all_stderr();
  ASSERT_TRUE(ready->starts_with("READY=1\nSTATUS=serving on 127.0.0.1:")) << *ready;
  // Ready means serving: /health answers at once, on the port the status names.
  std::smatch port;
  ASSERT_TRUE(std::regex_search(*ready, port, std::regex(R"(127\.0\.0\.1:(\d+))"))) << *ready;
  httplib::Client client("127.0.0.1", std::stoi(port[1]));
  auto health = client.Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  // Every 200 ms (half of 400 ms) while healthy: a second and a half holds several.
  int pets = 0;
  for (auto until = std::chrono::steady_clock::now() + 1500ms; std::chrono::steady_clock::now() < until;) {
    if (auto message = manager.next(100ms)) {
      EXPECT_EQ(*message, "WATCHDOG=1");
      ++pets;
    }
  }
  EXPECT_GE(pets, 4) << serve.all_stderr();
  serve.signal(SIGTERM);
  std::optional<std::string> stopping;
  for (auto until = std::chrono::steady_clock::now() + 10s; !stopping && std::chrono::steady_clock::now() < until;) {
    if (auto message = manager.next(100ms); message && *message != "WATCHDOG=1") stopping = message;
  }
  ASSERT_TRUE(stopping) << serve.all_stderr();
  EXPECT_TRUE(stopping->starts_with("STOPPING=1\nSTATUS=stopping")) << *stopping;
  EXPECT_EQ(serve.wait(30s), 0) << serve.all_stderr();
}

TEST(Cli, BadConfigurationIsOneJsonLineWhenJsonLogsAreAsked) {
  Subprocess serve({GLISK_BINARY, "serve"}, {{"WORKER_BATCH_SIZE", "abc"}, {"LOG_FORMAT", "json"}}, temp_workdir());
  EXPECT_EQ(serve.wait(10s), 2);
  std::istringstream lines(serve.all_stderr());
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  auto entry = nlohmann::json::parse(line);
  EXPECT_EQ(entry["event"], "application.config_invalid");
  EXPECT_EQ(entry["level"], "error");
  ASSERT_EQ(entry["problems"].size(), 1u);
  EXPECT_NE(entry["problems"][0].get<std::string>().find("WORKER_BATCH_SIZE"), std::string::npos);
  EXPECT_FALSE(std::getline(lines, line)) << "one line: " << line;
}

// `glisk config` shows what a process started here would run with, and where each value comes
// from; secrets and the secret parts of URLs never.
TEST(Cli, ConfigShowsTheValuesInEffectAndWhereTheyComeFrom) {
  auto dir = temp_workdir() + "/config_in_effect";
  std::filesystem::create_directories(dir);
  {
    std::ofstream env(dir + "/.env");
    env << "WORKER_BATCH_SIZE=7\nPORT=1234\nADMIN_TOKEN=dotenv-admin-token-0123456789abcdef\n";
    std::ofstream jwt(dir + "/pinata_jwt");
    jwt << "eyJ-pinata-jwt-in-a-file\n";
  }
  const std::map<std::string, std::string> vars = {
      {"PORT", "9999"},
      {"DATABASE_URL", "postgresql://glisk:db-password-42@db.internal/glisk"},
      {"RPC_URL", "https://eth-mainnet.example.org/v2/rpc-api-key-42"},
      {"PINATA_JWT_FILE", dir + "/pinata_jwt"}};
  Subprocess text({GLISK_BINARY, "config"}, vars, dir);
  EXPECT_EQ(text.wait(10s), 0) << text.all_stderr();
  const std::string& out = text.all_stdout();
  EXPECT_NE(out.find("PORT=9999\t# environment"), std::string::npos) << out;
  EXPECT_NE(out.find("WORKER_BATCH_SIZE=7\t# .env"), std::string::npos) << out;
  EXPECT_NE(out.find("LOG_LEVEL=info\t# default"), std::string::npos) << out;
  EXPECT_NE(out.find("ADMIN_TOKEN=****\t# .env"), std::string::npos) << out;
  EXPECT_NE(out.find("RPC_URL=https://eth-mainnet.example.org/***\t# environment"), std::string::npos) << out;
  EXPECT_NE(out.find("DATABASE_URL=postgresql://glisk:***@db.internal/glisk\t# environment"), std::string::npos) << out;
  EXPECT_NE(out.find("PINATA_JWT=****\t# file " + dir + "/pinata_jwt"), std::string::npos) << out;
  for (const char* secret : {"dotenv-admin-token", "db-password-42", "rpc-api-key-42", "pinata-jwt-in-a-file"}) {
    EXPECT_EQ(out.find(secret), std::string::npos) << secret;
  }
  Subprocess json({GLISK_BINARY, "config", "--json"}, vars, dir);
  EXPECT_EQ(json.wait(10s), 0) << json.all_stderr();
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& v : nlohmann::json::parse(json.all_stdout())) by_name[v["name"]] = v;
  EXPECT_EQ(by_name["PORT"]["value"], "9999");
  EXPECT_EQ(by_name["PORT"]["source"], "environment");
  EXPECT_EQ(by_name["WORKER_BATCH_SIZE"]["source"], ".env");
  EXPECT_EQ(by_name["ADMIN_TOKEN"]["secret"], true);
  EXPECT_EQ(by_name["PINATA_JWT"]["source"], "file " + dir + "/pinata_jwt");
  EXPECT_TRUE(by_name["GLISK_NFT_CONTRACT_ADDRESS"]["value"].is_null()) << "unset";
  // A value the service would refuse is listed, then said, with exit 2.
  auto bad = vars;
  bad["WORKER_BATCH_SIZE"] = "lots";
  Subprocess refused({GLISK_BINARY, "config"}, bad, dir);
  EXPECT_EQ(refused.wait(10s), 2);
  EXPECT_NE(refused.all_stdout().find("WORKER_BATCH_SIZE=lots"), std::string::npos);
  EXPECT_NE(refused.all_stderr().find("would not start"), std::string::npos) << refused.all_stderr();
}

TEST(Cli, UsageErrorsExitTwoAndHelpZero) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--no-such-option"}, {"serve", "--bogus"}, {"no-such-command"}, {"show"}}) {
    std::vector<std::string> argv = {GLISK_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    Subprocess p(argv, {}, temp_workdir());
    EXPECT_EQ(p.wait(10s), 2) << args[0] << ": " << p.all_stderr();
  }
  Subprocess help({GLISK_BINARY, "--help"}, {}, temp_workdir());
  EXPECT_EQ(help.wait(10s), 0);
  EXPECT_NE(help.all_stdout().find("serve"), std::string::npos);
}

TEST(Cli, DotenvIsReadAndTheEnvironmentWins) {
  auto dir = temp_workdir() + "/dotenv";
  std::filesystem::create_directories(dir);
  {
    std::ofstream env(dir + "/.env");
    env << "WORKER_BATCH_SIZE=not-a-number\nPORT=99999\n";
  }
  Subprocess serve({GLISK_BINARY, "serve"}, {{"PORT", "8123"}}, dir);
  EXPECT_EQ(serve.wait(10s), 2);
  EXPECT_NE(serve.all_stderr().find("WORKER_BATCH_SIZE: 'not-a-number'"), std::string::npos) << serve.all_stderr();
  EXPECT_EQ(serve.all_stderr().find("PORT"), std::string::npos) << "the environment's PORT wins over .env";
}

TEST(Cli, AnUnreachableDatabaseFailsStartupClearly) {
  Subprocess serve({GLISK_BINARY, "serve"},
                   {{"DATABASE_URL", "postgresql://glisk:pw@127.0.0.1:1/glisk"}, {"LOG_FORMAT", "json"}},
                   temp_workdir());
  EXPECT_EQ(serve.wait(30s), 1);
  EXPECT_NE(serve.all_stderr().find("application.startup_failed"), std::string::npos) << serve.all_stderr();
  EXPECT_NE(serve.all_stderr().find("cannot connect to PostgreSQL"), std::string::npos) << serve.all_stderr();
}
