// Fault runs (issue 8): a real `glisk serve` carries a few dozen tokens minted on anvil through
// fake Replicate and Pinata while one outside thing fails for a while in the middle of the run:
//   1. PostgreSQL stopped for 5 s and started again (a private cluster) while tokens move;
//   2. the RPC endpoint unreachable for 30 s (a proxy between glisk and anvil refuses and drops
//      connections) while reveals are due and new mints arrive;
//   3. Pinata answering 429 to every request for a minute, with the default MAX_ATTEMPTS (3);
//   4. the disk holding the SQLite file full (a small tmpfs filled up) while tokens move.
// The service is expected to recover by itself without a restart (the process must not exit), to
// lose nothing and to say what happened. Each run checks every token `revealed` with tokenURI =
// ipfs://{metadata_cid} on chain, each by exactly one transaction (by the reveal transactions' calldata), none
// failed, no image paid for twice (predictions created ≤ tokens), and the log's events naming the
// fault and the recovery, said once (with reminders) rather than once per failed call.
// The log of a failed run stays in the folder the failure names (of every run with
// GLISK_FAULT_RUNS_KEEP=1).

#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "anvil.hpp"
#include "chain/rpc_client.hpp"
#include "eth/address.hpp"
#include "fakes/fake_pinata.hpp"
#include "fakes/fake_replicate.hpp"
#include "fakes/toggleable_tcp_proxy.hpp"
#include "pipeline_data.hpp"
#include "ports.hpp"
#include "private_postgres.hpp"
#include "store/detail/sqlite_database.hpp"
#include "subprocess.hpp"
#include "test_support.hpp"

namespace glisk {
namespace {

using namespace std::chrono_literals;
using glisk::testing::Subprocess;
using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kAuthor = "0x00000000000000000000000000000000000000a1";

std::vector<json> events_named(const std::vector<json>& lines, const std::string& name) {
  std::vector<json> out;
  for (const auto& line : lines) {
    if (line.value("event", "") == name) out.push_back(line);
  }
  return out;
}

// A tmpfs of `size` mounted at `path` for the test's life; unmounted (lazily, so a process still
// holding files there cannot keep it) even when the test fails.
class TmpfsMount {
 public:
  TmpfsMount(std::filesystem::path path, const std::string& size) : path_(std::move(path)) {
    std::filesystem::create_directories(path_);
    const std::string options = "size=" + size;
    if (::mount("tmpfs", path_.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      throw std::runtime_error("cannot mount a tmpfs at " + path_.string() + ": " + std::strerror(errno) +
                               " (the disk-full run needs root with CAP_SYS_ADMIN)");
    }
  }
  ~TmpfsMount() { ::umount2(path_.c_str(), MNT_DETACH); }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

 private:
  std::filesystem::path path_;
};

// Writes zeros to `file` until the file system has no room left; returns the bytes written.
size_t fill_disk(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot create " + file.string() + ": " + std::strerror(errno));
  size_t written = 0;
  // Large blocks first, then pages: tmpfs allocates whole pages, so the last one fills it.
  for (size_t block : {size_t{1} << 20, size_t{4096}}) {
    const std::string zeros(block, '\0');
    for (;;) {
      ssize_t n = ::write(fd, zeros.data(), zeros.size());
      if (n <= 0) break;
      written += static_cast<size_t>(n);
    }
  }
  ::close(fd);
  return written;
}

// One run: anvil with the project's contract, fake Replicate and Pinata, a folder for the logs,
// and the `glisk serve` under test.
class FaultRuns : public ::testing::Test {
 protected:
  void SetUp() override {
    glisk::testing::compile_contracts();
    anvil_ = std::make_unique<glisk::testing::Anvil>();
    rpc_ = std::make_unique<chain::RpcClient>(http_, anvil_->url());
    contract_ = eth::Address::parse(glisk::testing::deploy_glisk_nft(*rpc_)).to_checksum();
    // Slow enough that a fault in the middle meets tokens at every stage.
    replicate_.set_prediction_time(1500ms, 500ms);
    dir_ =
        std::filesystem::path(::testing::TempDir()) / ("glisk_faults_" + std::to_string(getpid()) + "_" +
                                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    log_path_ = dir_ / "serve.log";
  }

  void TearDown() override {
    for (auto& other : others_) {
      if (other->running()) {
        other->signal(SIGKILL);
        other->wait(10s);
      }
    }
    if (serve_ && serve_->running()) {
      serve_->signal(SIGKILL);
      serve_->wait(10s);
    }
    if (HasFailure() || std::getenv("GLISK_FAULT_RUNS_KEEP") != nullptr) {
      std::cout << "fault run " << dir_ << ": the service's log is " << log_path_ << std::endl;
      return;  // keep it for a look
    }
    std::filesystem::remove_all(dir_);
  }

  std::map<std::string, std::string> service_env(const std::string& database_url, const std::string& rpc_url) const {
    return {{"DATABASE_URL", database_url},
            {"DATABASE_POOL_SIZE", "4"},
            {"PORT", "0"},
            {"LOG_FORMAT", "json"},
            {"IMAGE_PROVIDER", "replicate"},
            {"REPLICATE_API_URL", replicate_.url()},
            {"REPLICATE_API_TOKEN", glisk::testing::FakeReplicate::kToken},
            {"IPFS_PROVIDER", "pinata"},
            {"PINATA_API_URL", pinata_.url()},
            {"PINATA_JWT", glisk::testing::FakePinata::kJwt},
            {"RPC_URL", rpc_url},
            {"GLISK_NFT_CONTRACT_ADDRESS", contract_},
            {"KEEPER_PRIVATE_KEY", glisk::testing::kAnvilKey0},
            {"MINT_CONFIRMATIONS", "1"},
            {"WATCHER_POLL_SECONDS", "0.5"},
            {"LEASE_SECONDS", "15"},
            {"POLL_INTERVAL_SECONDS", "0.5"},
            {"RETRY_BASE_SECONDS", "0.5"},
            {"RETRY_MAX_SECONDS", "4"},
            // The default: the faults below must not use up a token's attempts.
            {"MAX_ATTEMPTS", "3"},
            {"WORKER_BATCH_SIZE", "5"},
            {"BATCH_REVEAL_WAIT_SECONDS", "1"},
            {"BATCH_REVEAL_MAX_TOKENS", "10"},
            {"SHUTDOWN_TIMEOUT_SECONDS", "3"},
            {"DATA_DIR", (dir_ / "data").string()}};
  }

  // The service's environment with `extra` on top.
  std::map<std::string, std::string> service_env_with(const std::string& database_url, const std::string& rpc_url,
                                                      const std::map<std::string, std::string>& extra) const {
    auto env = service_env(database_url, rpc_url);
    for (const auto& [k, v] : extra) env[k] = v;
    return env;
  }

  // stderr (the log) goes to a file: a pipe nobody reads would fill and stall the service.
  void start_service(const std::string& database_url, const std::string& rpc_url,
                     const std::map<std::string, std::string>& extra_env = {}) {
    database_url_ = database_url;
    serve_ = std::make_unique<Subprocess>(
        std::vector<std::string>{"/bin/sh", "-c", "exec \"$0\" serve 2>>\"$1\"", GLISK_BINARY, log_path_.string()},
        service_env_with(database_url, rpc_url, extra_env), dir_.string());
  }

  // More instances of the service on the same database, each with its own port (their lines go
  // to the same log).
  void start_other_instances(int count, const std::string& rpc_url) {
    for (int i = 0; i < count; ++i) {
      others_.push_back(std::make_unique<Subprocess>(
          std::vector<std::string>{"/bin/sh", "-c", "exec \"$0\" serve 2>>\"$1\"", GLISK_BINARY, log_path_.string()},
          service_env(database_url_, rpc_url), dir_.string()));
    }
  }

  // Each provider out in turn, then both at once, in every way an outage shows (nothing at all on
  // the connection, an unpaid plan, the service down, a revoked key), mid-run; then every token
  // must be revealed with no attempt charged to any.
  void ride_out_outages_of_both_providers(const std::string& run) {
    replicate_.outage_for(8s, 0);
    std::this_thread::sleep_for(10s);
    pinata_.outage_for(8s, 402);
    std::this_thread::sleep_for(10s);
    replicate_.outage_for(10s, 503);
    pinata_.outage_for(10s, 401);
    std::this_thread::sleep_for(10s);
    wait_until_all_revealed(150s);
    std::cout << replicate_.outage_answers() << " Replicate and " << pinata_.outage_answers()
              << " Pinata calls met an outage (28 s of Replicate's, 18 s of Pinata's), " << run << std::endl;
    expect_every_token_revealed_once_and_nothing_paid_twice();
    EXPECT_EQ(count("SELECT COUNT(*) FROM tokens_s0 WHERE generation_attempts > 0 OR upload_attempts > 0"), 0)
        << "an outage was charged to tokens";
  }

  // SIGTERM after the run: each instance must still be the process started at the beginning.
  void stop_service() {
    for (auto& other : others_) {
      ASSERT_TRUE(other->running()) << "an instance exited during the fault; the log: " << log_path_;
      other->signal(SIGTERM);
    }
    ASSERT_TRUE(serve_->running()) << "the service exited during the fault; its log: " << log_path_;
    serve_->signal(SIGTERM);
    EXPECT_EQ(serve_->wait(30s), 0) << "the service did not stop cleanly";
    for (auto& other : others_) EXPECT_EQ(other->wait(30s), 0) << "an instance did not stop cleanly";
  }

  void mint(int quantity) {
    glisk::testing::mint(*rpc_, contract_, glisk::testing::kAnvilAccount1, kAuthor, static_cast<uint64_t>(quantity));
    minted_ += quantity;
  }

  // A count read with a connection of its own (the test's reads must not depend on a pool that
  // the fault broke); nullopt while the database cannot answer.
  std::optional<int64_t> count(const std::string& sql) const {
    try {
      auto db = store::open_database(database_url_, 1);
      return glisk::testing::count_rows(*db, sql);
    } catch (const store::DatabaseError&) {
      return std::nullopt;
    }
  }
  int64_t count_status(const std::string& statuses) const {
    return count("SELECT COUNT(*) FROM tokens_s0 WHERE status IN (" + statuses + ")").value_or(-1);
  }
  std::string status_counts() const {
    try {
      auto db = store::open_database(database_url_, 1);
      auto r = store::in_transaction(*db, store::TxMode::kRead, [](store::Transaction& tx) {
        return tx.exec("SELECT status, COUNT(*) FROM tokens_s0 GROUP BY status ORDER BY status");
      });
      std::string out = "tokens by status:";
      for (const auto& row : r.rows) out += " " + row[0].value_or("?") + "=" + row[1].value_or("?");
      return out + " (minted " + std::to_string(minted_) + "); log " + log_path_.string();
    } catch (const std::exception& e) {
      return std::string("(database unreadable: ") + e.what() + ")";
    }
  }

  static bool wait_for(const std::function<bool()>& done, std::chrono::seconds timeout) {
    const auto deadline = SteadyClock::now() + timeout;
    while (SteadyClock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(250ms);
    }
    return done();
  }

  // The run is under way: some tokens are through (the reveal stage has worked), others not yet.
  void wait_until_mid_run() {
    ASSERT_TRUE(wait_for([&] { return count_status("'ready','revealed'") >= 1; }, 90s)) << status_counts();
    ASSERT_GT(count_status("'detected','generating','uploading','ready'"), 0)
        << "the fault would come after the run: " << status_counts();
  }

  void wait_until_all_revealed(std::chrono::seconds timeout) {
    EXPECT_TRUE(wait_for([&] { return count_status("'revealed'") == minted_; }, timeout)) << status_counts();
  }

  std::vector<json> log_lines() const {
    std::ifstream in(log_path_);
    std::vector<json> lines;
    std::string text;
    while (std::getline(in, text)) {
      auto line = json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (line.is_object()) lines.push_back(std::move(line));
    }
    return lines;
  }

  // What every run must end with, whatever the fault was.
  void expect_every_token_revealed_once_and_nothing_paid_twice() {
    EXPECT_EQ(count("SELECT COUNT(*) FROM tokens_s0"), minted_) << "a mint was missed or duplicated";
    EXPECT_EQ(count_status("'revealed'"), minted_) << status_counts();
    EXPECT_EQ(count_status("'failed'"), 0) << status_counts();
    const auto reveals = glisk::testing::reveals_per_token(*rpc_, contract_);
    EXPECT_EQ(static_cast<int64_t>(reveals.size()), minted_) << "tokens revealed by a transaction";
    for (const auto& [id, n] : reveals) EXPECT_EQ(n, 1) << "token " << id << " revealed by " << n << " transactions";
    auto db = store::open_database(database_url_, 1);
    auto cids = store::in_transaction(*db, store::TxMode::kRead, [](store::Transaction& tx) {
      return tx.exec("SELECT token_id, metadata_cid FROM tokens_s0 ORDER BY token_id");
    });
    for (const auto& row : cids.rows) {
      const uint64_t id = std::stoull(row[0].value());
      EXPECT_EQ(glisk::testing::token_uri(*rpc_, contract_, id), "ipfs://" + row[1].value_or("")) << "token " << id;
    }
    EXPECT_LE(replicate_.creates(), minted_) << "an image was paid for twice";
  }

  // A fault said once (with a reminder every few seconds at most), not once per failed call.
  void expect_said_once(const std::vector<json>& lines, const std::string& fault, size_t at_most) {
    const auto said = events_named(lines, fault);
    ASSERT_GE(said.size(), 1u) << "no " << fault << " line in " << log_path_;
    EXPECT_LE(said.size(), at_most) << fault << " flooded the log: " << log_path_;
    EXPECT_TRUE(said.front().contains("error")) << said.front().dump();
  }

  std::unique_ptr<glisk::testing::Anvil> anvil_;
  net::HttpClient http_;
  std::unique_ptr<chain::RpcClient> rpc_;  // the test's own, straight to anvil
  std::string contract_;
  glisk::testing::FakeReplicate replicate_;
  glisk::testing::FakePinata pinata_;
  std::filesystem::path dir_;
  std::filesystem::path log_path_;
  std::string database_url_;
  std::unique_ptr<Subprocess> serve_;
  std::vector<std::unique_ptr<Subprocess>> others_;  // start_other_instances
  int64_t minted_ = 0;
};

TEST_F(FaultRuns, PostgresRestartedMidRunIsRejoinedAndNothingIsLost) {
  glisk::testing::PrivatePostgres pg;  // never the shared test server: other suites use it now
  mint(20);
  start_service(pg.url(), anvil_->url());
  wait_until_mid_run();
  if (HasFatalFailure()) return;

  pg.stop();  // -m fast: open transactions are cut, every connection closes
  const auto stopped = SteadyClock::now();
  mint(10);  // mints keep coming while the database is down
  std::this_thread::sleep_until(stopped + 5s);
  pg.start();
  std::cout << "PostgreSQL down for " << std::chrono::duration<double>(SteadyClock::now() - stopped).count() << " s"
            << std::endl;

  wait_until_all_revealed(120s);
  expect_every_token_revealed_once_and_nothing_paid_twice();
  const auto lines = log_lines();
  expect_said_once(lines, "store.unavailable", 4);
  EXPECT_NE(events_named(lines, "store.unavailable").front().value("action", "").find("database server is up"),
            std::string::npos);
  EXPECT_GE(events_named(lines, "store.recovered").size(), 1u);
  EXPECT_EQ(events_named(lines, "worker.crashed").size(), 0u) << "a task died of the restart";
  EXPECT_EQ(events_named(lines, "token.outcome_not_recorded").size(), 0u) << "finished work was not recorded";
  stop_service();
}

TEST_F(FaultRuns, RpcUnreachableFor30SecondsIsSaidOnceAndRevealsResume) {
  glisk::testing::TestDatabase tdb(glisk::testing::Backend::kPostgres);
  glisk::testing::ToggleableTcpProxy proxy(anvil_->port());
  mint(20);
  start_service(tdb.url(), proxy.url());
  wait_until_mid_run();
  if (HasFatalFailure()) return;

  const size_t cut_at = log_lines().size();
  proxy.cut();
  const auto cut = SteadyClock::now();
  mint(10);  // straight to anvil: the watcher must find them once the node is back
  std::this_thread::sleep_until(cut + 10s);
  {
    // The operator's view: the reveal stage waits on the node, and says what to check.
    Subprocess cli({GLISK_BINARY, "queues"}, {{"DATABASE_URL", database_url_}}, dir_.string());
    ASSERT_EQ(cli.wait(30s), 0) << cli.all_stderr();
    EXPECT_NE(cli.all_stdout().find("reveal   paused on "), std::string::npos) << cli.all_stdout();
    EXPECT_NE(cli.all_stdout().find("check RPC_URL"), std::string::npos) << cli.all_stdout();
  }
  std::this_thread::sleep_until(cut + 30s);
  const size_t restored_at = log_lines().size();
  proxy.restore();

  wait_until_all_revealed(120s);
  expect_every_token_revealed_once_and_nothing_paid_twice();
  const auto lines = log_lines();
  const std::vector<json> outage(lines.begin() + static_cast<std::ptrdiff_t>(cut_at),
                                 lines.begin() + static_cast<std::ptrdiff_t>(restored_at));
  // The first failure, then a reminder every 10 s at most: 30 s give four lines at most.
  expect_said_once(outage, "rpc.unreachable", 4);
  int loud = 0;
  std::string loud_lines;
  for (const auto& line : outage) {
    const std::string level = line.value("level", "");
    if ((level == "warning" || level == "error") && line.value("event", "") != "rpc.unreachable") {
      ++loud;
      loud_lines += line.dump() + "\n";
    }
  }
  EXPECT_LE(loud, 5) << "other warnings during the outage (a line per poll would be dozens):\n" << loud_lines;
  EXPECT_GE(events_named(lines, "rpc.recovered").size(), 1u);
  EXPECT_EQ(events_named(lines, "worker.crashed").size(), 0u);
  stop_service();
}

TEST_F(FaultRuns, PinataRateLimitingForAMinuteFailsNoTokenAndUsesNoAttempt) {
  mint(24);
  start_service("sqlite://" + (dir_ / "glisk.db").string(), anvil_->url());
  wait_until_mid_run();
  if (HasFatalFailure()) return;

  // Pinata documents per-minute limits and no Retry-After: the service must pace itself.
  pinata_.rate_limit_for(60s);
  const auto limited = SteadyClock::now();
  wait_until_all_revealed(150s);
  std::cout << "all revealed " << std::chrono::duration<double>(SteadyClock::now() - limited).count()
            << " s after the rate limit began; " << pinata_.rate_limited_answers() << " requests answered 429"
            << std::endl;
  expect_every_token_revealed_once_and_nothing_paid_twice();
  EXPECT_EQ(count("SELECT COUNT(*) FROM tokens_s0 WHERE upload_attempts > 0"), 0) << "a rate limit used up attempts";
  EXPECT_GT(count("SELECT COUNT(*) FROM token_events WHERE error LIKE 'rate limited%'"), 0)
      << "no token met the rate limit: the fault came too late";
  EXPECT_GT(pinata_.rate_limited_answers(), 0);
  // After each pause one token probes the limit (two requests: its image and metadata pins), not
  // every slot: 44 answers measured over the minute (about 210 when every slot went again).
  EXPECT_LE(pinata_.rate_limited_answers(), 90) << "the stage kept hammering a rate-limited Pinata";
  const auto lines = log_lines();
  expect_said_once(lines, "provider.rate_limited", 9);  // a minute: the first line and a reminder per 10 s
  const auto first = events_named(lines, "provider.rate_limited").front();
  EXPECT_EQ(first.value("provider", ""), "pinata");
  EXPECT_TRUE(first.contains("paused_for_seconds")) << first.dump();
  EXPECT_GE(events_named(lines, "provider.recovered").size(), 1u);
  EXPECT_EQ(events_named(lines, "ipfs.upload.failed").size(), 0u);
  for (const auto& line : events_named(lines, "ipfs.transient_error")) {
    EXPECT_EQ(line.value("error", "").find("rate limit"), std::string::npos) << "a rate limit counted as an attempt";
  }
  stop_service();
}

TEST_F(FaultRuns, ReplicateRevokedKeyThenDownIsOneBreakerOutageThatFailsNoTokenAndChargesNoAttempt) {
  replicate_.set_prediction_time(300ms, 100ms);
  mint(20);
  start_service("sqlite://" + (dir_ / "glisk.db").string(), anvil_->url());
  wait_until_mid_run();
  if (HasFatalFailure()) return;

  // The key revoked for 12 s (401 on every call), then the service down for 8 s (503), then healthy.
  replicate_.outage_for(12s, 401);
  std::this_thread::sleep_for(4s);
  // An operator sees it in /api/stats: the image stage paused, why, and when it probes next.
  int port = 0;
  for (const auto& line : events_named(log_lines(), "application.startup")) port = line.value("port", 0);
  ASSERT_GT(port, 0) << "no application.startup line with the port";
  httplib::Client api("127.0.0.1", port);
  auto stats = api.Get("/api/stats");
  ASSERT_TRUE(stats);
  const auto image = json::parse(stats->body)["stages"]["image"];
  EXPECT_TRUE(image.value("paused", false)) << stats->body;
  EXPECT_NE(image.value("breaker", ""), "closed") << stats->body;
  EXPECT_NE(image.value("reason", "").find("check REPLICATE_API_TOKEN"), std::string::npos) << stats->body;
  EXPECT_TRUE(image.contains("next_probe")) << stats->body;
  EXPECT_EQ(json::parse(stats->body)["stages"]["ipfs"].value("breaker", ""), "closed") << stats->body;
  // … and every instance's report of it, which the CLI shows too (from the database).
  ASSERT_EQ(image["instances"].size(), 1u) << stats->body;
  EXPECT_EQ(image["instances"][0].value("cause", ""), "breaker") << stats->body;
  EXPECT_EQ(image["budgets"]["creates"].value("per_minute", 0), 600) << stats->body;
  EXPECT_EQ(json::parse(stats->body)["stages"]["ipfs"]["budgets"]["pins"].value("per_minute", 0), 180) << stats->body;
  {
    Subprocess cli({GLISK_BINARY, "queues"}, {{"DATABASE_URL", database_url_}}, dir_.string());
    ASSERT_EQ(cli.wait(30s), 0) << cli.all_stderr();
    const std::string out = cli.all_stdout();
    EXPECT_NE(out.find("image    paused on "), std::string::npos) << out;
    EXPECT_NE(out.find("check REPLICATE_API_TOKEN"), std::string::npos) << out;
    EXPECT_NE(out.find(", next probe "), std::string::npos) << out;
  }
  auto metrics = api.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find(R"(glisk_breaker_open{stage="image",provider="replicate"} 1)"), std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find(R"(glisk_provider_budget_per_minute{provider="replicate",requests="creates"} 600)"),
            std::string::npos);
  EXPECT_NE(metrics->body.find(R"(glisk_provider_budget_per_minute{provider="pinata",requests="pins"} 180)"),
            std::string::npos);
  std::this_thread::sleep_for(8s);
  replicate_.outage_for(8s, 503);
  std::this_thread::sleep_for(8s);
  const int refused = replicate_.outage_answers();
  wait_until_all_revealed(120s);
  std::cout << refused << " calls answered 401/503 in the 20 s outage" << std::endl;
  expect_every_token_revealed_once_and_nothing_paid_twice();
  EXPECT_EQ(count("SELECT COUNT(*) FROM tokens_s0 WHERE generation_attempts > 0"), 0)
      << "the provider's outage was charged to tokens";
  EXPECT_GT(refused, 0) << "no call met the outage: it came too late";
  // Open, no token claimed but one probe per step (1, 2, 4, 8 s: ≤ 5 in 20 s), besides the calls
  // already on their way when it opened (≤ 5 slots, each a create or a poll): a stage that
  // hammered the provider would make hundreds.
  EXPECT_LE(refused, 16) << "the stage kept calling a provider that was out";
  const auto lines = log_lines();
  expect_said_once(lines, "provider.breaker_opened", 1);  // a reminder comes only after a minute
  const auto opened = events_named(lines, "provider.breaker_opened").front();
  EXPECT_EQ(opened.value("provider", ""), "replicate");
  EXPECT_NE(opened.value("error", "").find("check REPLICATE_API_TOKEN"), std::string::npos) << opened.dump();
  EXPECT_EQ(events_named(lines, "provider.breaker_closed").size(), 1u);
  EXPECT_EQ(events_named(lines, "token.generation.failed").size(), 0u);
  EXPECT_EQ(events_named(lines, "token.generation.retry").size(), 0u);
  // Closed again: no instance reports the stage paused any more.
  stats = api.Get("/api/stats");
  ASSERT_TRUE(stats);
  EXPECT_TRUE(json::parse(stats->body)["stages"]["image"]["instances"].empty()) << stats->body;
  stop_service();
}

TEST_F(FaultRuns, ReplicateWebhooksTellEveryEndSoNothingIsPolledEvenAcrossAKill) {
  // The service is reached at a port known before it starts: Replicate needs the URL.
  const int port = glisk::testing::unused_loopback_port();
  const std::map<std::string, std::string> webhooks = {
      {"PORT", std::to_string(port)}, {"REPLICATE_WEBHOOK_URL", "http://127.0.0.1:" + std::to_string(port)}};
  mint(20);
  start_service("sqlite://" + (dir_ / "glisk.db").string(), anvil_->url(), webhooks);
  wait_until_mid_run();
  if (HasFatalFailure()) return;
  // Killed with predictions running: their ends are delivered while nobody holds the tokens (503
  // or refused, so Replicate delivers again), and the next holder finds them.
  serve_->signal(SIGKILL);
  serve_->wait(10s);
  const int gets_before_restart = replicate_.gets();
  std::this_thread::sleep_for(2s);
  start_service(database_url_, anvil_->url(), webhooks);
  wait_until_all_revealed(120s);
  expect_every_token_revealed_once_and_nothing_paid_twice();
  std::cout << replicate_.creates() << " predictions, " << replicate_.gets() << " polls, "
            << replicate_.webhooks_delivered() << " webhooks taken, " << replicate_.webhooks_refused()
            << " refused or unanswered (while the service was down)" << std::endl;
  EXPECT_EQ(gets_before_restart, 0) << "polled while every end was told";
  // After the restart a resumed prediction whose end came while the service was down is read
  // from Replicate's retry, or (at most once each, WORKER_BATCH_SIZE of them) polled.
  EXPECT_LE(replicate_.gets(), 5);
  EXPECT_GE(replicate_.webhooks_delivered(), 20);
  // No REPLICATE_WEBHOOK_SECRET: each start read it from Replicate, in the background.
  EXPECT_EQ(events_named(log_lines(), "replicate.webhook_secret_read").size(), 2u);
  stop_service();
}

TEST_F(FaultRuns, EachProviderOutInTurnThenBothAtOnceFailNoTokenAndChargeNoAttempt) {
  pinata_.set_latency(300ms);
  mint(60);  // images of 1.5 s on 5 slots: work for every stage through the 30 s of outages
  start_service("sqlite://" + (dir_ / "glisk.db").string(), anvil_->url());
  wait_until_mid_run();
  if (HasFatalFailure()) return;
  ride_out_outages_of_both_providers("one instance");
  // Open, each breaker claims one probe per step (1, 2, 4, 8 s…): a handful per outage, besides
  // the calls already on their way when it opened (a slot each, two pins per upload).
  EXPECT_LE(replicate_.outage_answers(), 30) << "the image stage kept calling a Replicate that was out";
  EXPECT_LE(pinata_.outage_answers(), 40) << "the upload stage kept calling a Pinata that was out";
  const auto lines = log_lines();
  std::map<std::string, int> opened, closed;
  for (const auto& line : events_named(lines, "provider.breaker_opened")) ++opened[line.value("provider", "")];
  for (const auto& line : events_named(lines, "provider.breaker_closed")) ++closed[line.value("provider", "")];
  // Each provider was out twice; a breaker whose next probe (1, 2, 4, 8 s…) falls after the second
  // outage began stays open through both: one outage, said once, as long as each opening closes.
  EXPECT_GE(opened["pinata"], 1);
  EXPECT_LE(opened["pinata"], 2) << "Pinata was out twice: said once each at most";
  EXPECT_EQ(opened["pinata"], closed["pinata"]);
  EXPECT_EQ(opened["replicate"], closed["replicate"]);
  EXPECT_GE(opened["replicate"], 1);
  EXPECT_LE(opened["replicate"], 2) << "two outages back to back may be one";
  for (const auto& line : events_named(lines, "provider.breaker_opened")) {
    const std::string error = line.value("error", "");
    if (line.value("provider", "") == "pinata") {
      EXPECT_TRUE(error.find("PINATA_JWT") != std::string::npos || error.find("billing") != std::string::npos ||
                  error.find("payment") != std::string::npos)
          << "the line does not say what to do: " << line.dump();
    }
  }
  EXPECT_EQ(events_named(lines, "token.generation.failed").size(), 0u);
  EXPECT_EQ(events_named(lines, "ipfs.upload.failed").size(), 0u);
  stop_service();
}

TEST_F(FaultRuns, ThreeInstancesOnOnePostgresRideOutBothProvidersOutages) {
  glisk::testing::PrivatePostgres pg;
  replicate_.set_prediction_time(3s, 1s);  // three instances of 5 slots: work through the outages
  pinata_.set_latency(300ms);
  mint(60);
  start_service(pg.url(), anvil_->url());
  start_other_instances(2, anvil_->url());
  wait_until_mid_run();
  if (HasFatalFailure()) return;
  ride_out_outages_of_both_providers("three instances");
  // Each instance has its own breakers: three times one instance's probes, at most.
  EXPECT_LE(replicate_.outage_answers(), 90);
  EXPECT_LE(pinata_.outage_answers(), 120);
  const auto lines = log_lines();
  EXPECT_EQ(events_named(lines, "token.generation.failed").size(), 0u);
  EXPECT_EQ(events_named(lines, "ipfs.upload.failed").size(), 0u);
  EXPECT_EQ(events_named(lines, "worker.crashed").size(), 0u);
  stop_service();
}

TEST_F(FaultRuns, SqliteDiskFullIsSaidWithWhatToDoAndNothingIsCorrupted) {
  ASSERT_EQ(geteuid(), 0u) << "the disk-full run mounts a tmpfs and needs root (tests run as root here and in CI)";
  const auto disk = dir_ / "disk";
  TmpfsMount mount(disk, "16m");
  const std::string db_path = (disk / "glisk.db").string();
  mint(20);
  start_service("sqlite://" + db_path, anvil_->url());
  wait_until_mid_run();
  if (HasFatalFailure()) return;

  const size_t filler = fill_disk(disk / "filler");
  const auto full = SteadyClock::now();
  mint(10);  // the watcher cannot record them until there is room again
  // Full until the service has said so, and for a while longer (bounded: 60 s).
  const bool said = wait_for([&] { return !events_named(log_lines(), "store.disk_full").empty(); }, 60s);
  std::this_thread::sleep_until(std::max(full + 12s, SteadyClock::now() + 3s));
  std::filesystem::remove(disk / "filler");
  std::cout << "disk full (" << filler << " bytes of filler) for "
            << std::chrono::duration<double>(SteadyClock::now() - full).count() << " s" << std::endl;
  EXPECT_TRUE(said) << "no store.disk_full while the disk was full: " << log_path_;

  wait_until_all_revealed(120s);
  expect_every_token_revealed_once_and_nothing_paid_twice();
  const auto lines = log_lines();
  expect_said_once(lines, "store.disk_full", 8);
  EXPECT_NE(events_named(lines, "store.disk_full").front().value("action", "").find("free space"), std::string::npos);
  bool recovered = false;
  for (const auto& line : events_named(lines, "store.recovered")) recovered |= line.value("fault", "") == "disk_full";
  EXPECT_TRUE(recovered) << "no store.recovered for the full disk";
  EXPECT_EQ(events_named(lines, "worker.crashed").size(), 0u);
  stop_service();

  store::SqliteDatabase db(db_path, 1);
  auto check = store::in_transaction(db, store::TxMode::kRead,
                                     [](store::Transaction& tx) { return tx.exec("PRAGMA integrity_check"); });
  ASSERT_EQ(check.rows.size(), 1u);
  EXPECT_EQ(check.rows[0][0], "ok") << "the database file is damaged";
}

}  // namespace
}  // namespace glisk
