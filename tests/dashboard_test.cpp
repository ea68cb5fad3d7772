// The dashboard in a real browser: `glisk serve` on a SQLite database with tokens in every state
// and a confirmed reveal, headless Chromium driven through chromedriver's WebDriver HTTP API.
// It checks what the page shows (counts, queues, the throughput chart, images through the
// gateway, failures, explorer links) and clicks retry, answering the admin-token prompt.
// Missing Chromium is a failure that says to run scripts/install-deps, never a skip.
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "pipeline_data.hpp"
#include "store/stage_reports.hpp"
#include "subprocess.hpp"

using namespace glisk;
using namespace std::chrono_literals;
using nlohmann::json;
namespace gt = glisk::testing;

namespace {

constexpr const char* kChromium = "/usr/bin/chromium";
constexpr const char* kChromedriver = "/usr/bin/chromedriver";
constexpr const char* kAdminToken = "dashboard-admin-token";
constexpr const char* kElementKey = "element-6066-11e4-a52e-4f735466cecf";

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// A WebDriver session over HTTP (the W3C protocol chromedriver speaks).
class WebDriver {
 public:
  WebDriver(int port, const std::string& profile_dir) : client_("127.0.0.1", port) {
    client_.set_read_timeout(120, 0);
    json chrome = json::object();
    chrome["binary"] = kChromium;
    chrome["args"] = json::array({"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                  "--user-data-dir=" + profile_dir});
    json always = json::object();
    always["browserName"] = "chrome";
    always["unhandledPromptBehavior"] = "ignore";
    always["goog:chromeOptions"] = chrome;
    json caps = json::object();
    caps["capabilities"]["alwaysMatch"] = always;
    session_ = call("POST", "/session", caps)["sessionId"].get<std::string>();
  }
  ~WebDriver() { quit(); }
  // Ends the session; chromedriver closes the browser.
  void quit() {
    if (!session_.empty()) client_.Delete("/session/" + session_);
    session_.clear();
  }

  json call(const std::string& method, const std::string& path, const json& body = json::object()) {
    auto res = method == "POST" ? client_.Post(path, body.dump(), "application/json") : client_.Get(path);
    if (!res) throw std::runtime_error("chromedriver did not answer " + path);
    auto answer = json::parse(res->body);
    if (res->status != 200) throw std::runtime_error("WebDriver " + path + ": " + res->body.substr(0, 400));
    return answer["value"];
  }
  json session(const std::string& method, const std::string& path, const json& body = json::object()) {
    return call(method, "/session/" + session_ + path, body);
  }
  json script(const std::string& source) {
    return session("POST", "/execute/sync", {{"script", source}, {"args", json::array()}});
  }
  // Runs `source` until it returns something other than null/false, or throws after `timeout`.
  json wait_for(const std::string& source, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      auto v = script(source);
      if (!v.is_null() && v != false) return v;
      if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("timed out waiting for: " + source);
      std::this_thread::sleep_for(200ms);
    }
  }

 private:
  httplib::Client client_;
  std::string session_;
};

}  // namespace

TEST(DashboardInChromium, ShowsThePipelineAndRetriesAFailedTokenWithTheAdminToken) {
  ASSERT_TRUE(std::filesystem::exists(kChromium) && std::filesystem::exists(kChromedriver))
      << "Chromium and chromedriver are needed for the dashboard test: run scripts/install-deps (Debian packages "
         "chromium, chromium-driver)";

  gt::TestDatabase tdb(gt::Backend::kSqlite);
  clock::SystemClock clock;
  queue::WakeBoard wake;
  store::TokenStore tokens(tdb.db(), clock);
  store::TokenLifecycle queue(tdb.db(), clock, wake, "setup", 60s);
  store::RevealJournal journal(tdb.db(), clock, "setup");
  gt::make_every_state(tokens, queue, journal);
  store::SignedReveal signed_reveal;
  signed_reveal.sender = "0x00000000000000000000000000000000000000b1";
  signed_reveal.tx_hash = "0x" + std::string(64, 'e');
  signed_reveal.token_ids = {gt::kReady};
  signed_reveal.raw_tx = "0x02";
  store::JournalEntry entry;
  static_cast<store::SignedReveal&>(entry) = signed_reveal;
  entry.id = journal.record_pending(signed_reveal);
  ASSERT_EQ(journal.confirm(entry, 12, 60000, eth::U256(1000)), 1);

  const auto dir = std::filesystem::temp_directory_path() / ("glisk_dashboard_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  gt::Subprocess serve({GLISK_BINARY, "serve"},
                       {{"DATABASE_URL", tdb.url()},
                        {"PORT", "0"},
                        {"LOG_FORMAT", "json"},
                        {"ADMIN_TOKEN", kAdminToken},
                        {"EXPLORER_URL", "https://explorer.example"},
                        {"IMAGE_PROVIDER", "local"},
                        {"IPFS_PROVIDER", "local"},
                        {"DATA_DIR", (dir / "data").string()},
                        {"SHUTDOWN_TIMEOUT_SECONDS", "2"},
                        // the workers run too: keep the made-up image URLs from failing tokens meanwhile
                        {"MAX_ATTEMPTS", "10"},
                        {"RETRY_BASE_SECONDS", "120"}},
                       dir.string());
  int port = 0;
  ASSERT_TRUE(serve.read_stderr_until(
      [&](const std::string& line) {
        if (line.find("\"application.startup\"") == std::string::npos) return false;
        port = json::parse(line)["port"].get<int>();
        return true;
      },
      30s))
      << serve.all_stderr();

  const int driver_port = free_port();
  gt::Subprocess driver({kChromedriver, "--port=" + std::to_string(driver_port)}, {}, dir.string());
  ASSERT_TRUE(driver.read_stdout_until(
      [](const std::string& line) { return line.find("started successfully") != std::string::npos; }, 30s))
      << driver.all_stdout() << driver.all_stderr();

  WebDriver browser(driver_port, (dir / "profile").string());
  browser.session("POST", "/url", {{"url", "http://127.0.0.1:" + std::to_string(port) + "/"}});
  browser.wait_for("return document.body.dataset.loaded || null", 30s);
  const json page = browser.script(R"js(
    const cards = {};
    for (const c of document.querySelectorAll('#statuses .card')) cards[c.dataset.status] = Number(c.querySelector('.n').textContent);
    return {
      cards,
      queues: Array.from(document.querySelectorAll('#queues tbody tr')).map(r => r.dataset.stage),
      lines: document.querySelectorAll('#throughput svg polyline').length,
      revealedTotal: document.querySelector('#throughput [data-total="revealed"]').textContent,
      failures: Array.from(document.querySelectorAll('#failures tbody tr')).map(r => Number(r.dataset.token)),
      buttons: document.querySelectorAll('#failures button.retry').length,
      links: Array.from(document.querySelectorAll('#reveals a')).map(a => a.getAttribute('href')),
      images: Array.from(document.querySelectorAll('#tokens img')).map(i => i.getAttribute('src')),
      tokens: document.querySelectorAll('#tokens .token').length,
      problem: document.getElementById('problem').hidden ? null : document.getElementById('problem').textContent,
    };)js");
  EXPECT_TRUE(page["problem"].is_null()) << page.dump();
  EXPECT_EQ(page["cards"]["total"], 8) << page.dump();
  EXPECT_GE(page["cards"]["failed"].get<int>(), 3) << page.dump();
  EXPECT_EQ(page["queues"], json::array({"image", "ipfs", "reveal"}));
  EXPECT_EQ(page["lines"], 4);
  EXPECT_NE(page["revealedTotal"].get<std::string>().find("revealed: 2"), std::string::npos) << page.dump();
  std::set<int64_t> failed(page["failures"].begin(), page["failures"].end());
  for (int64_t id : {gt::kFailedImage, gt::kFailedIpfs, gt::kFailedReveal}) EXPECT_TRUE(failed.contains(id)) << id;
  EXPECT_EQ(page["buttons"].get<size_t>(), failed.size());
  EXPECT_EQ(page["links"], json::array({"https://explorer.example/tx/" + signed_reveal.tx_hash}));
  EXPECT_EQ(page["tokens"], 8);
  bool gateway_image = false;
  for (const auto& src : page["images"]) gateway_image |= src == "/ipfs/bafyimage5";
  EXPECT_TRUE(gateway_image) << page.dump();

  // Retry token 6 from its button: the page asks for the admin token.
  auto click_retry = [&] {
    for (int attempt = 0; attempt < 5; ++attempt) {  // the list is redrawn every 5 s: find and click at once
      try {
        auto element = browser.session(
            "POST", "/element", {{"using", "css selector"}, {"value", "#failures button.retry[data-token=\"6\"]"}});
        browser.session("POST", "/element/" + element[kElementKey].get<std::string>() + "/click");
        return;
      } catch (const std::runtime_error&) {
        std::this_thread::sleep_for(200ms);
      }
    }
    FAIL() << "could not click the retry button of token 6";
  };
  click_retry();
  const auto prompt = browser.session("GET", "/alert/text");
  EXPECT_NE(prompt.get<std::string>().find("Admin token"), std::string::npos) << prompt;
  browser.session("POST", "/alert/text", {{"text", kAdminToken}});
  browser.session("POST", "/alert/accept");
  const auto result = browser.wait_for(
      "const t = document.getElementById('retry-result').textContent; return t.includes('retried') || "
      "t.includes('refused') ? t : null;",
      30s);
  EXPECT_EQ(result, "retried 1 token(s): #6");
  EXPECT_NE(tokens.find_token(gt::kFailedImage)->status, token::TokenStatus::kFailed);
  bool by_admin = false;
  for (const auto& e : gt::events_of(tdb.db(), gt::kFailedImage))
    by_admin |= e.from_status == "failed" && e.instance == "admin-api";
  EXPECT_TRUE(by_admin);
  EXPECT_EQ(tokens.find_token(gt::kFailedIpfs)->status, token::TokenStatus::kFailed) << "only the clicked token";
  // The page refreshes by itself: token 6 leaves the failures list.
  browser.wait_for("return !document.querySelector('#failures tr[data-token=\"6\"]')", 15s);
  EXPECT_TRUE(browser.script("return document.getElementById('paused').hidden;").get<bool>()) << "nothing is paused";

  // Another instance's image stage is paused (its breaker open): a banner says why and until when.
  store::StageReports reports(tdb.db(), clock);
  const auto paused =
      gt::breaker_pause("image", "other:7:beef", "replicate",
                        "Replicate requires payment (402): add credit or billing to the Replicate account", clock.now(),
                        clock.now() + 30s);
  reports.publish(paused.instance, {paused});
  const auto banner =
      browser.wait_for("const b = document.getElementById('paused'); return b.hidden ? null : b.textContent;", 15s);
  EXPECT_NE(banner.get<std::string>().find("image paused: Replicate requires payment (402): add credit"),
            std::string::npos)
      << banner;
  EXPECT_NE(banner.get<std::string>().find("other:7:beef"), std::string::npos) << banner;
  reports.publish(paused.instance, {});
  browser.wait_for("return document.getElementById('paused').hidden || null", 15s);

  serve.signal(SIGTERM);
  EXPECT_EQ(serve.wait(30s), 0) << serve.all_stderr();
  EXPECT_EQ(serve.all_stderr().find(kAdminToken), std::string::npos) << "the admin token is never logged";
  browser.quit();
  driver.signal(SIGTERM);
  driver.wait(10s);
}
