// The alerting as code against the real thing: Debian's Prometheus scrapes a running `glisk serve`
// (anvil with the project's contract, a fake Replicate whose predictions never finish, one image
// slot) and evaluates deploy/prometheus/glisk-rules.yml. The image stage stalls — one token held,
// the others due and unclaimed — and GliskStageStalled fires for it and for no other stage. Every
// metric the rules and the Grafana board name is among what Prometheus scraped from glisk.
// The rules run as written except the stall's two time constants (10 min, 5 min → seconds), so
// the test takes a minute, not a quarter of an hour.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "anvil.hpp"
#include "chain/rpc_client.hpp"
#include "eth/address.hpp"
#include "fakes/fake_replicate.hpp"
#include "net/http_client.hpp"
#include "ports.hpp"
#include "store/token_store.hpp"
#include "subprocess.hpp"
#include "test_support.hpp"

using namespace glisk;
using namespace std::chrono_literals;
using nlohmann::json;
namespace gt = glisk::testing;

namespace {

const std::filesystem::path kDeploy = std::filesystem::path(GLISK_SOURCE_DIR) / "deploy";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Replaces the one occurrence of `from` in `text`; fails the test when there is not exactly one.
void replace_once(std::string& text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << "the rules no longer hold: " << from;
  ASSERT_EQ(text.find(from, at + 1), std::string::npos) << "more than one: " << from;
  text.replace(at, from.size(), to);
}

// The metric names a PromQL text uses: glisk's own, process_*, and up (recording rules' names,
// glisk:…, are made by the rules themselves).
std::set<std::string> metric_names(const std::string& promql) {
  static const std::regex name(R"(\b(glisk_[a-z0-9_]+|process_[a-z0-9_]+|up)\b)");
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(promql.begin(), promql.end(), name); it != std::sregex_iterator(); ++it) {
    out.insert((*it)[1]);
  }
  return out;
}

}  // namespace

TEST(PrometheusEndToEnd, AStalledStageFiresItsAlertAndEveryQueriedMetricIsExposed) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/prometheus"))
      << "Debian's prometheus is needed for this test: run scripts/install-deps";
  gt::compile_contracts();
  gt::Anvil anvil;
  net::HttpClient http;
  chain::RpcClient rpc(http, anvil.url());
  const std::string contract = eth::Address::parse(gt::deploy_glisk_nft(rpc)).to_checksum();
  gt::FakeReplicate replicate;
  replicate.set_prediction_time(600s, 0ms);  // never finishes within the test: the slot stays taken

  const auto dir = std::filesystem::path(::testing::TempDir()) / ("glisk_prometheus_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  gt::TestDatabase tdb(gt::Backend::kSqlite);
  clock::SystemClock clock;
  store::TokenStore tokens(tdb.db(), clock);
  gt::add_detected_tokens(tokens, 1, 3);

  const int glisk_port = gt::unused_loopback_port();
  gt::Subprocess serve({"/bin/sh", "-c", "exec \"$0\" serve 2>>\"$1\"", GLISK_BINARY, (dir / "serve.log").string()},
                       {{"DATABASE_URL", tdb.url()},
                        {"PORT", std::to_string(glisk_port)},
                        {"LOG_FORMAT", "json"},
                        {"IMAGE_PROVIDER", "replicate"},
                        {"REPLICATE_API_URL", replicate.url()},
                        {"REPLICATE_API_TOKEN", gt::FakeReplicate::kToken},
                        {"IMAGE_CONCURRENCY", "1"},
                        {"IMAGE_TIMEOUT_SECONDS", "3600"},
                        {"IPFS_PROVIDER", "local"},
                        {"DATA_DIR", (dir / "data").string()},
                        {"RPC_URL", anvil.url()},
                        {"GLISK_NFT_CONTRACT_ADDRESS", contract},
                        {"KEEPER_PRIVATE_KEY", gt::kAnvilKey0},
                        {"MINT_CONFIRMATIONS", "1"},
                        {"WATCHER_POLL_SECONDS", "0.5"},
                        {"POLL_INTERVAL_SECONDS", "0.5"},
                        {"SHUTDOWN_TIMEOUT_SECONDS", "2"}},
                       dir.string());
  httplib::Client glisk("127.0.0.1", glisk_port);
  bool healthy = false;
  for (int i = 0; i < 300 && !healthy; ++i) {
    auto res = glisk.Get("/health");
    healthy = res && res->status == 200;
    if (!healthy) std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(healthy) << read_file(dir / "serve.log");

  // The rules as shipped, with the stall's time constants in seconds.
  std::string rules = read_file(kDeploy / "prometheus" / "glisk-rules.yml");
  replace_once(rules, "(max by (stage) (glisk_queue_oldest_due_age_seconds) > 600)",
               "(max by (stage) (glisk_queue_oldest_due_age_seconds) > 3)");
  replace_once(rules, "(max by (stage) (glisk_stage_paused_by_operator) == 1)\n        for: 5m",
               "(max by (stage) (glisk_stage_paused_by_operator) == 1)\n        for: 2s");
  std::ofstream(dir / "glisk-rules.yml") << rules;
  std::ofstream(dir / "prometheus.yml") << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                                           "rule_files:\n  - glisk-rules.yml\n"
                                           "scrape_configs:\n  - job_name: glisk\n    static_configs:\n"
                                           "      - targets: ['127.0.0.1:"
                                        << glisk_port << "']\n";
  const int prometheus_port = gt::unused_loopback_port();
  gt::Subprocess prometheus(
      {"/bin/sh", "-c", "exec /usr/bin/prometheus \"$@\" 2>>\"$0\"", (dir / "prometheus.log").string(),
       "--config.file=" + (dir / "prometheus.yml").string(), "--storage.tsdb.path=" + (dir / "tsdb").string(),
       "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port)},
      {}, dir.string());
  httplib::Client prom("127.0.0.1", prometheus_port);
  auto query = [&](const std::string& path) -> json {
    auto res = prom.Get(path);
    if (!res || res->status != 200) return nullptr;
    return json::parse(res->body, nullptr, false);
  };

  // The stall: within a minute the image stage's alert fires, and only its.
  json firing = json::array();
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (std::chrono::steady_clock::now() < deadline) {
    firing = json::array();
    const json alerts = query("/api/v1/alerts");
    if (alerts.is_object() && alerts.contains("data")) {
      for (const auto& a : alerts["data"]["alerts"]) {
        if (a["state"] == "firing") firing.push_back(a);
      }
    }
    if (!firing.empty()) break;
    std::this_thread::sleep_for(500ms);
  }
  ASSERT_EQ(firing.size(), 1u) << firing.dump(2) << "\nprometheus log:\n" << read_file(dir / "prometheus.log");
  EXPECT_EQ(firing[0]["labels"]["alertname"], "GliskStageStalled");
  EXPECT_EQ(firing[0]["labels"]["stage"], "image");
  EXPECT_NE(firing[0]["annotations"]["runbook"].get<std::string>().find("glisk queues"), std::string::npos);
  const json due = query("/api/v1/query?query=glisk%3Aqueue_due%3Amax%7Bstage%3D%22image%22%7D");
  ASSERT_TRUE(due.is_object()) << due;
  EXPECT_EQ(due["data"]["result"][0]["value"][1], "2") << "one token held by the only slot, two due: " << due;

  // Every metric the rules and the board name, among what Prometheus scraped from glisk.
  const json names = query("/api/v1/label/__name__/values");
  ASSERT_TRUE(names.is_object()) << names;
  std::set<std::string> scraped;
  for (const auto& n : names["data"]) scraped.insert(n.get<std::string>());
  std::set<std::string> queried = metric_names(read_file(kDeploy / "prometheus" / "glisk-rules.yml"));
  const json board = json::parse(read_file(kDeploy / "grafana" / "glisk-dashboard.json"));
  size_t board_queries = 0;
  for (const auto& panel : board["panels"]) {
    for (const auto& target : panel["targets"]) {
      ++board_queries;
      for (const auto& name : metric_names(target["expr"].get<std::string>())) queried.insert(name);
    }
  }
  EXPECT_GE(board_queries, 16u);
  std::vector<std::string> missing;
  for (const auto& name : queried) {
    if (!scraped.contains(name)) missing.push_back(name);
  }
  EXPECT_TRUE(missing.empty()) << "queried but not exposed by glisk serve: " << ::testing::PrintToString(missing);
  std::cout << queried.size() << " metric names in the rules and the board, all scraped from glisk serve" << std::endl;

  prometheus.signal(SIGTERM);
  prometheus.wait(20s);
  serve.signal(SIGTERM);
  EXPECT_EQ(serve.wait(30s), 0);
  std::filesystem::remove_all(dir);
}
