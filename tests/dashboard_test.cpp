// The dashboard in a real browser: `glisk serve` on a SQLite database with tokens in every state
// and a confirmed reveal, headless Chromium driven through chromedriver's WebDriver HTTP API.
// It checks what the page shows (counts in pipeline order, queues, the throughput chart and its
// time axis, images through the gateway, failures, reveals with fees and explorer links, the
// banner of a paused stage), the token page, search, filters and paging, retry and bulk retry
// (answering the admin-token prompt), the page at phone width, and accessibility with axe-core
// run inside the page. Missing Chromium or axe-core is a failure that says what to install,
// never a skip.
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "clock/time_format.hpp"
#include "ipfs/local_store.hpp"
#include "ipfs/metadata.hpp"
#include "pipeline_data.hpp"
#include "store/mint_events.hpp"
#include "store/stage_controls.hpp"
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
  // Runs `source`, which ends by calling its last argument with the result.
  json async_script(const std::string& source) {
    return session("POST", "/execute/async", {{"script", source}, {"args", json::array()}});
  }
  // Finds the element and clicks it; the lists are redrawn every 5 s, so a few tries.
  void click(const std::string& css) {
    for (int attempt = 0;; ++attempt) {
      try {
        auto element = session("POST", "/element", {{"using", "css selector"}, {"value", css}});
        session("POST", "/element/" + element[kElementKey].get<std::string>() + "/click");
        return;
      } catch (const std::runtime_error&) {
        if (attempt == 10) throw;
        std::this_thread::sleep_for(200ms);
      }
    }
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

// `glisk serve` on a database with a token in every state, a confirmed reveal of token 4 (its
// metadata pinned in the local IPFS store, with a description that is markup), a mint of tokens
// 3..5, and a browser on its dashboard.
class DashboardInChromium : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kChromium) && std::filesystem::exists(kChromedriver))
        << "Chromium and chromedriver are needed for the dashboard test: run scripts/install-deps (Debian packages "
           "chromium, chromium-driver)";
    gt::make_every_state(tokens, queue, journal);
    signed_reveal.sender = "0x00000000000000000000000000000000000000b1";
    signed_reveal.tx_hash = "0x" + std::string(64, 'e');
    signed_reveal.token_ids = {gt::kReady};
    signed_reveal.raw_tx = "0x02";
    store::JournalEntry entry;
    static_cast<store::SignedReveal&>(entry) = signed_reveal;
    entry.id = journal.record_pending(signed_reveal);
    ASSERT_EQ(journal.confirm(entry, 12, 60000, eth::U256(1000)), 1);
    store::in_transaction(tdb.db(), store::TxMode::kWrite, [&](store::Transaction& tx) {
      store::MintRow mint;
      mint.tx_hash = kMintTx;
      mint.block_number = 7;
      mint.minter = "0x00000000000000000000000000000000000000b2";
      mint.author_wallet = "0x00000000000000000000000000000000000000a1";
      mint.start_token_id = 3;
      mint.quantity = 3;
      mint.total_paid = "0";
      store::record_mint_event(tx, mint, "2026-01-01T00:00:00.000Z");
    });

    dir = std::filesystem::temp_directory_path() / ("glisk_dashboard_" + std::to_string(getpid()) + "_" +
                                                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    // Token 4's metadata, pinned where IPFS_PROVIDER=local serves it from.
    ipfs::MetadataInput input;
    input.token_id = gt::kReady;
    input.image_cid = "bafyimage4";
    input.author_wallet = "0x00000000000000000000000000000000000000a1";
    input.description = kHostileText;
    const std::string metadata = ipfs::erc721_metadata(input);
    metadata_cid = ipfs::LocalIpfsStore(dir / "data" / "ipfs").pin({metadata, "m.json", "application/json", {}}, {});
    store::in_transaction(tdb.db(), store::TxMode::kWrite, [&](store::Transaction& tx) {
      tx.exec("UPDATE tokens_s0 SET metadata_cid = $1 WHERE token_id = $2", {metadata_cid, gt::kReady});
    });

    serve = std::make_unique<gt::Subprocess>(
        std::vector<std::string>{GLISK_BINARY, "serve"},
        std::map<std::string, std::string>{
            {"DATABASE_URL", tdb.url()},
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
    ASSERT_TRUE(serve->read_stderr_until(
        [&](const std::string& line) {
          if (line.find("\"application.startup\"") == std::string::npos) return false;
          port = json::parse(line)["port"].get<int>();
          return true;
        },
        30s))
        << serve->all_stderr();

    const int driver_port = free_port();
    driver = std::make_unique<gt::Subprocess>(
        std::vector<std::string>{kChromedriver, "--port=" + std::to_string(driver_port)},
        std::map<std::string, std::string>{}, dir.string());
    ASSERT_TRUE(driver->read_stdout_until(
        [](const std::string& line) { return line.find("started successfully") != std::string::npos; }, 30s))
        << driver->all_stdout() << driver->all_stderr();
    browser = std::make_unique<WebDriver>(driver_port, (dir / "profile").string());
  }

  void TearDown() override {
    if (serve) {
      serve->signal(SIGTERM);
      EXPECT_EQ(serve->wait(30s), 0) << serve->all_stderr();
      EXPECT_EQ(serve->all_stderr().find(kAdminToken), std::string::npos) << "the admin token is never logged";
    }
    if (browser) browser->quit();
    if (driver) {
      driver->signal(SIGTERM);
      driver->wait(10s);
    }
    std::filesystem::remove_all(dir);
  }

  // Opens the page at `hash` and waits until it has drawn that view.
  void open(const std::string& hash, const std::string& view = "overview") {
    browser->script("if (document.body) document.body.dataset.view = '';");
    browser->session("POST", "/url", {{"url", "http://127.0.0.1:" + std::to_string(port) + "/" + hash}});
    browser->wait_for("return document.body.dataset.view === '" + view + "' && document.body.dataset.loaded || null",
                      30s);
  }
  // Goes to `hash` within the page (a link's way) and waits for the next drawing of it.
  void go(const std::string& hash, const std::string& view = "overview") {
    browser->script("document.body.dataset.view = ''; location.hash = '" + hash + "';");
    browser->wait_for("return document.body.dataset.view === '" + view + "' || null", 30s);
  }
  // Answers the admin-token prompt the page shows.
  void answer_admin_prompt() {
    const auto prompt = browser->session("GET", "/alert/text");
    EXPECT_NE(prompt.get<std::string>().find("Admin token"), std::string::npos) << prompt;
    browser->session("POST", "/alert/text", {{"text", kAdminToken}});
    browser->session("POST", "/alert/accept");
  }
  // The serious and critical violations axe-core finds in the page as it is now.
  json accessibility_violations() {
    const auto axe_path = std::filesystem::path(GLISK_SOURCE_DIR) / ".tools/node/node_modules/axe-core/axe.min.js";
    EXPECT_TRUE(std::filesystem::exists(axe_path)) << axe_path << " is missing: run scripts/install-node-tools";
    std::ifstream in(axe_path);
    const std::string axe((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    browser->session("POST", "/timeouts", {{"script", 120000}});
    EXPECT_EQ(browser->script(axe + "\nreturn typeof window.axe;"), "object");
    return browser->async_script(R"js(
      const done = arguments[arguments.length - 1];
      axe.run(document, { resultTypes: ["violations"] }).then((r) => done(r.violations
          .filter((v) => v.impact === "serious" || v.impact === "critical")
          .map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                         nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + ": " + n.failureSummary) }))))
        .catch((e) => done([{ id: "axe-error", help: String(e) }]));)js");
  }

  static constexpr const char* kMintTx = "0xabababababababababababababababababababababababababababababababab";
  static constexpr const char* kHostileText = "<img src=x onerror=\"window.__injected=1\"> & <b>bold</b>";

  gt::TestDatabase tdb{gt::Backend::kSqlite};
  clock::SystemClock clock;
  queue::WakeBoard wake;
  store::TokenStore tokens{tdb.db(), clock};
  store::TokenLifecycle queue{tdb.db(), clock, wake, "setup", 60s};
  store::RevealJournal journal{tdb.db(), clock, "setup"};
  store::SignedReveal signed_reveal;
  std::string metadata_cid;
  std::filesystem::path dir;
  std::unique_ptr<gt::Subprocess> serve;
  std::unique_ptr<gt::Subprocess> driver;
  std::unique_ptr<WebDriver> browser;
  int port = 0;
};

TEST_F(DashboardInChromium, ShowsThePipelineAndRetriesAFailedTokenWithTheAdminToken) {
  open("");
  const json page = browser->script(R"js(
    const cards = {};
    for (const c of document.querySelectorAll('#statuses .card')) cards[c.dataset.status] = Number(c.querySelector('.n').textContent);
    return {
      cards,
      order: Array.from(document.querySelectorAll('#statuses .card')).map(c => c.dataset.status),
      queues: Array.from(document.querySelectorAll('#queues tbody tr')).map(r => r.dataset.stage),
      lines: document.querySelectorAll('#throughput svg polyline').length,
      minuteLabels: Array.from(document.querySelectorAll('#throughput svg text[data-minute]')).map(t => t.textContent),
      chartText: document.querySelector('#throughput svg').textContent,
      revealedTotal: document.querySelector('#throughput [data-total="revealed"]').textContent,
      failures: Array.from(document.querySelectorAll('#failures tbody tr')).map(r => Number(r.dataset.token)),
      buttons: document.querySelectorAll('#failures button.retry').length,
      links: Array.from(document.querySelectorAll('#reveals a')).map(a => a.getAttribute('href')),
      reveal: Array.from(document.querySelectorAll('#reveals tbody tr td')).map(td => td.textContent),
      images: Array.from(document.querySelectorAll('#tokens img')).map(i => i.getAttribute('src')),
      tokens: document.querySelectorAll('#tokens .token').length,
      thumbnailLinks: Array.from(document.querySelectorAll('#tokens .token > a')).map(a => a.getAttribute('href')),
      failureLinks: Array.from(document.querySelectorAll('#failures tbody a')).map(a => a.getAttribute('href')),
      problem: document.getElementById('problem').hidden ? null : document.getElementById('problem').textContent,
    };)js");
  EXPECT_TRUE(page["problem"].is_null()) << page.dump();
  EXPECT_EQ(page["cards"]["total"], 8) << page.dump();
  EXPECT_GE(page["cards"]["failed"].get<int>(), 3) << page.dump();
  EXPECT_EQ(page["order"], json::array({"detected", "generating", "uploading", "ready", "revealed", "failed", "total"}))
      << "tiles in pipeline order";
  EXPECT_EQ(page["queues"], json::array({"image", "ipfs", "reveal"}));
  EXPECT_EQ(page["lines"], 5);
  // A time axis: a local HH:MM label every 10 minutes and at the last, and what it counts.
  ASSERT_EQ(page["minuteLabels"].size(), 7u) << page.dump();
  for (const auto& label : page["minuteLabels"]) EXPECT_EQ(label.get<std::string>().size(), 5u) << label;
  EXPECT_NE(page["chartText"].get<std::string>().find("tokens/min"), std::string::npos) << page.dump();
  EXPECT_NE(page["revealedTotal"].get<std::string>().find("revealed: 2"), std::string::npos) << page.dump();
  std::set<int64_t> failed(page["failures"].begin(), page["failures"].end());
  for (int64_t id : {gt::kFailedImage, gt::kFailedIpfs, gt::kFailedReveal}) EXPECT_TRUE(failed.contains(id)) << id;
  EXPECT_EQ(page["buttons"].get<size_t>(), failed.size());
  EXPECT_EQ(page["links"], json::array({"https://explorer.example/tx/" + signed_reveal.tx_hash}));
  // The reveal's row: status, gas per token and the fee (60,000 gas at 1,000 wei: 6e-11 ETH).
  const auto reveal = page["reveal"].dump();
  EXPECT_NE(reveal.find("\"confirmed\""), std::string::npos) << reveal;
  EXPECT_NE(reveal.find("\"60000\""), std::string::npos) << reveal;
  EXPECT_NE(reveal.find("0.00000000006 ETH"), std::string::npos) << reveal;
  EXPECT_EQ(page["tokens"], 8);
  for (const auto& href : page["thumbnailLinks"]) EXPECT_TRUE(href.get<std::string>().starts_with("#/tokens/")) << href;
  EXPECT_EQ(page["thumbnailLinks"].size(), 8u);
  EXPECT_EQ(page["failureLinks"].size(), failed.size()) << "failed ids link to their page";
  bool gateway_image = false;
  for (const auto& src : page["images"]) gateway_image |= src == "/ipfs/bafyimage5";
  EXPECT_TRUE(gateway_image) << page.dump();

  // Retry token 6 from its button: the page asks for the admin token.
  browser->click("#failures button.retry[data-token=\"6\"]");
  answer_admin_prompt();
  const auto result = browser->wait_for(
      "const t = document.getElementById('retry-result').textContent; return t.includes('retried') || "
      "t.includes('refused') ? t : null;",
      30s);
  EXPECT_EQ(result, "retried 1 token(s): #6");
  EXPECT_NE(tokens.find_token(gt::kFailedImage)->status, token::TokenStatus::kFailed);
  bool by_admin = false;
  for (const auto& e : gt::events_of(tdb.db(), gt::kFailedImage))
    by_admin |= e.from_status == "failed" && e.instance == "admin-api:127.0.0.1";
  EXPECT_TRUE(by_admin);
  EXPECT_EQ(tokens.find_token(gt::kFailedIpfs)->status, token::TokenStatus::kFailed) << "only the clicked token";
  // The page refreshes by itself: token 6 leaves the failures list.
  browser->wait_for("return !document.querySelector('#failures tr[data-token=\"6\"]')", 15s);
  EXPECT_TRUE(browser->script("return document.getElementById('paused').hidden;").get<bool>()) << "nothing is paused";

  // Another instance's image stage is paused (its breaker open): a banner says why and since when.
  store::StageReports reports(tdb.db(), clock);
  const auto paused =
      gt::breaker_pause("image", "other:7:beef", "replicate",
                        "Replicate requires payment (402): add credit or billing to the Replicate account", clock.now(),
                        clock.now() + 30s);
  reports.publish(paused.instance, {paused});
  const auto banner =
      browser->wait_for("const b = document.getElementById('paused'); return b.hidden ? null : b.textContent;", 15s);
  EXPECT_NE(banner.get<std::string>().find("image paused: Replicate requires payment (402): add credit"),
            std::string::npos)
      << banner;
  EXPECT_NE(banner.get<std::string>().find("since " + glisk::clock::format_time(paused.since)), std::string::npos)
      << banner;
  EXPECT_NE(banner.get<std::string>().find("other:7:beef"), std::string::npos) << banner;
  reports.publish(paused.instance, {});
  browser->wait_for("return document.getElementById('paused').hidden || null", 15s);
}

// An operator's pause as /api/stats will carry it ("paused": {by, at, reason}) is drawn with who,
// why and since when, as text: a reason that is markup stays text.
// The queues table pauses and resumes a stage through the admin API, for every instance.
TEST_F(DashboardInChromium, AnOperatorPausesAndResumesAStageFromTheQueuesTable) {
  open("");
  store::StageControls controls(tdb.db(), clock);
  browser->wait_for(
      "const b = document.querySelector('[data-stage-control=\"pause\"][data-stage=\"ipfs\"]'); "
      "return b && !b.hidden ? true : null;",
      15s);
  browser->click("[data-stage-control=\"pause\"][data-stage=\"ipfs\"]");
  browser->session("POST", "/alert/text", {{"text", "Pinata billing"}});
  browser->session("POST", "/alert/accept");
  answer_admin_prompt();
  EXPECT_EQ(browser->wait_for("return document.getElementById('stage-control-result').textContent || null", 30s),
            "ipfs paused on every instance");
  const auto paused = controls.paused();
  ASSERT_EQ(paused.size(), 1u);
  EXPECT_EQ(paused[0].stage, token::Stage::kIpfs);
  EXPECT_EQ(paused[0].by, "admin-api:127.0.0.1");
  EXPECT_EQ(paused[0].reason, "Pinata billing");
  const auto banner =
      browser->wait_for("const b = document.getElementById('paused'); return b.hidden ? null : b.textContent;", 15s);
  EXPECT_NE(banner.get<std::string>().find("ipfs paused by admin-api:127.0.0.1: Pinata billing"), std::string::npos)
      << banner;
  browser->wait_for(
      "const b = document.querySelector('[data-stage-control=\"resume\"][data-stage=\"ipfs\"]'); "
      "return b ? true : null;",
      15s);
  browser->click("[data-stage-control=\"resume\"][data-stage=\"ipfs\"]");
  EXPECT_EQ(browser->wait_for("const t = document.getElementById('stage-control-result').textContent; "
                              "return t.includes('resumed') ? t : null;",
                              30s),
            "ipfs resumed on every instance");
  EXPECT_TRUE(controls.paused().empty());
}

TEST_F(DashboardInChromium, ABannerShowsAStagePausedByAnOperator) {
  open("");
  // Paused the way `glisk pause` or POST /api/admin/pause does it: in the database the server reads.
  store::StageControls controls(tdb.db(), clock);
  const auto pause =
      controls.pause(token::Stage::kReveal, "alice", "gas spike <img src=x onerror=\"window.__injected=1\">").first;
  const auto text =
      browser->wait_for("const b = document.getElementById('paused'); return b.hidden ? null : b.textContent;", 15s);
  const auto banner = browser->script(R"js(
    const b = document.getElementById('paused');
    return { images: b.querySelectorAll('img').length, injected: window.__injected || null,
             stage: b.querySelector('[data-cause="operator"]').dataset.pausedStage };)js");
  EXPECT_EQ(banner["stage"], "reveal");
  EXPECT_NE(text.get<std::string>().find("reveal paused by alice: gas spike <img"), std::string::npos) << text;
  EXPECT_NE(text.get<std::string>().find("since " + glisk::clock::format_time(pause.at)), std::string::npos) << text;
  EXPECT_EQ(banner["images"], 0) << "the reason is text, not markup";
  EXPECT_TRUE(banner["injected"].is_null());
  controls.resume(token::Stage::kReveal);
  browser->wait_for("return document.getElementById('paused').hidden || null", 15s);
}

TEST_F(DashboardInChromium, TheTokenPageShowsImageMetadataHistoryPredictionsAndReveal) {
  open("");
  browser->click("#tokens a[data-token-link=\"4\"]");  // a thumbnail leads to the token's page
  browser->wait_for("return document.body.dataset.view === 'token' || null", 30s);
  const json page = browser->script(R"js(
    const field = (list, name) => { const d = document.querySelector('#' + list + ' dd[data-field="' + name + '"]');
                                    return d ? d.textContent : null; };
    return {
      hash: location.hash,
      title: document.getElementById('token-title').textContent,
      image: document.querySelector('#token-image img') && document.querySelector('#token-image img').getAttribute('src'),
      name: field('token-metadata', 'name'),
      description: field('token-metadata', 'description'),
      metadataLink: document.querySelector('#token-metadata dd[data-field="metadata CID"] a').getAttribute('href'),
      author: field('token-metadata', 'author'),
      mint: document.querySelector('#token-metadata dd[data-field="mint transaction"] a').getAttribute('href'),
      attributes: Array.from(document.querySelectorAll('#token-attributes tbody tr')).map(r => r.textContent),
      predictions: field('token-predictions', 'predictions paid'),
      predictionId: field('token-predictions', 'current prediction'),
      revealLink: document.querySelector('#token-reveal dd[data-field="transaction"] a').getAttribute('href'),
      gasPerToken: field('token-reveal', 'gas per token'),
      feePerToken: field('token-reveal', 'fee per token'),
      history: Array.from(document.querySelectorAll('#token-history tbody tr')).map(r => r.cells[1].textContent),
      retry: !document.getElementById('token-retry').hidden,
      queueControls: Array.from(document.querySelectorAll('[data-queue-control]')).filter(b => !b.hidden).length,
      injected: window.__injected || null,
      markup: document.querySelectorAll('#token-metadata img, #token-metadata b').length,
    };)js");
  EXPECT_EQ(page["hash"], "#/tokens/4");
  EXPECT_NE(page["title"].get<std::string>().find("Token #4"), std::string::npos) << page.dump();
  EXPECT_EQ(page["image"], "/ipfs/bafyimage4");
  EXPECT_EQ(page["name"], "GLISK S0 #4");
  EXPECT_EQ(page["description"], kHostileText) << "shown as text";
  EXPECT_TRUE(page["injected"].is_null());
  EXPECT_EQ(page["markup"], 0);
  EXPECT_EQ(page["metadataLink"], "/ipfs/" + metadata_cid);
  EXPECT_EQ(page["author"], "0x00000000000000000000000000000000000000a1");
  EXPECT_EQ(page["mint"], std::string("https://explorer.example/tx/") + kMintTx);
  EXPECT_FALSE(page["attributes"].empty()) << page.dump();
  EXPECT_EQ(page["predictions"], std::to_string(tokens.find_token(gt::kReady)->predictions_created));
  EXPECT_EQ(page["predictionId"], "prediction-4");
  EXPECT_EQ(page["revealLink"], "https://explorer.example/tx/" + signed_reveal.tx_hash);
  EXPECT_EQ(page["gasPerToken"], "60000");
  EXPECT_EQ(page["feePerToken"], "0.00000000006 ETH");
  ASSERT_FALSE(page["history"].empty());
  EXPECT_EQ(page["history"].front(), "(created) → detected");
  EXPECT_EQ(page["history"].back(), "ready → revealed");
  EXPECT_FALSE(page["retry"].get<bool>()) << "a revealed token has nothing to retry";
  EXPECT_EQ(page["queueControls"], 0) << "a revealed token can be neither cancelled nor hurried";

  // A failed token's page offers retry, and it works.
  go("#/tokens/7", "token");
  browser->wait_for("return !document.getElementById('token-retry').hidden || null", 15s);
  browser->click("#token-retry");
  answer_admin_prompt();
  EXPECT_EQ(browser->wait_for("return document.getElementById('token-action-result').textContent || null", 30s),
            "retried 1 token(s): #7");
  EXPECT_NE(tokens.find_token(gt::kFailedIpfs)->status, token::TokenStatus::kFailed);

  // Token 3's made-up image URL fails its upload, and it waits out a 120 s backoff: "retry now"
  // shows and makes it due; "cancel" asks why and fails it for good, recorded with the caller.
  go("#/tokens/3", "token");
  browser->wait_for(
      "const b = document.getElementById('token-retry-now'); if (b.hidden) refresh(); return !b.hidden || null;", 30s);
  browser->click("#token-retry-now");
  EXPECT_EQ(browser->wait_for("const t = document.getElementById('token-action-result').textContent; "
                              "return t.startsWith('retry-now') ? t : null;",
                              30s),
            "retry-now: 1 made due now");
  browser->click("#token-cancel");
  browser->session("POST", "/alert/text", {{"text", "made-up image host"}});
  browser->session("POST", "/alert/accept");
  EXPECT_EQ(browser->wait_for("const t = document.getElementById('token-action-result').textContent; "
                              "return t.startsWith('cancel') ? t : null;",
                              30s),
            "cancel: 1 token(s) cancelled");
  const auto cancelled = *tokens.find_token(gt::kUploading);
  EXPECT_TRUE(cancelled.cancelled_at);
  EXPECT_EQ(cancelled.generation_error, "cancelled by admin-api:127.0.0.1: made-up image host");
  browser->wait_for("return document.getElementById('token-cancel').hidden || null", 30s);
}

TEST_F(DashboardInChromium, SearchFiltersAndPagesTheTokenList) {
  open("");
  auto shown = [&] {
    return browser->script(
        "return Array.from(document.querySelectorAll('#tokens .token')).map(t => Number(t.dataset.token));");
  };
  auto search = [&](const std::string& q, const std::string& status, const std::string& stage) {
    browser->script("document.getElementById('search-q').value = " + json(q).dump() +
                    "; document.getElementById('search-status').value = " + json(status).dump() +
                    "; document.getElementById('search-stage').value = " + json(stage).dump() +
                    "; document.body.dataset.view = '';");
    browser->click("#search button[type=submit]");
    browser->wait_for("return document.body.dataset.view === 'overview' || null", 30s);
  };
  search(kMintTx, "", "");
  EXPECT_EQ(shown(), json::array({5, 4, 3})) << "the mint's tokens";
  search(signed_reveal.tx_hash, "", "");
  EXPECT_EQ(shown(), json::array({4})) << "the reveal's token";
  search(metadata_cid, "", "");
  EXPECT_EQ(shown(), json::array({4}));
  search("0x00000000000000000000000000000000000000A1", "failed", "");
  EXPECT_EQ(shown(), json::array({8, 7, 6}));
  search("", "failed", "ipfs");
  EXPECT_EQ(shown(), json::array({7}));
  search("not a key", "", "");
  EXPECT_EQ(shown(), json::array());
  EXPECT_NE(browser->script("return document.getElementById('tokens-summary').textContent;")
                .get<std::string>()
                .find("search for a token id"),
            std::string::npos)
      << "a bad search says what is accepted";

  // Pages of 3 (the page size from the hash; 24 by default), by cursor.
  go("#/?limit=3");
  EXPECT_EQ(shown(), json::array({8, 7, 6}));
  EXPECT_TRUE(browser->script("return document.getElementById('tokens-first').hidden;").get<bool>());
  auto next = [&] {
    browser->script("document.body.dataset.view = '';");
    browser->click("#tokens-next");
    browser->wait_for("return document.body.dataset.view === 'overview' || null", 30s);
  };
  next();
  EXPECT_EQ(shown(), json::array({5, 4, 3}));
  next();
  EXPECT_EQ(shown(), json::array({2, 1}));
  EXPECT_TRUE(browser->script("return document.getElementById('tokens-next').hidden;").get<bool>()) << "the last page";
  EXPECT_FALSE(browser->script("return document.getElementById('tokens-first').hidden;").get<bool>());
}

TEST_F(DashboardInChromium, BulkRetryShowsTheDryRunCountThenRetries) {
  open("");
  browser->click("#failures input.select[data-token=\"7\"]");
  browser->click("#failures input.select[data-token=\"8\"]");
  browser->click("#retry-selected");
  answer_admin_prompt();
  const auto plan = browser->wait_for(
      "return document.getElementById('retry-confirm').hidden ? null : "
      "document.getElementById('retry-plan').textContent;",
      30s);
  EXPECT_NE(plan.get<std::string>().find("2 token(s) would be retried"), std::string::npos) << plan;
  EXPECT_EQ(tokens.find_token(gt::kFailedIpfs)->status, token::TokenStatus::kFailed) << "a dry run changes nothing";
  browser->click("#retry-go");
  EXPECT_EQ(browser->wait_for("const t = document.getElementById('retry-result').textContent; "
                              "return t.includes('retried') || t.includes('refused') ? t : null;",
                              30s),
            "retried 2 token(s) (2 selected)");
  EXPECT_NE(tokens.find_token(gt::kFailedIpfs)->status, token::TokenStatus::kFailed);
  EXPECT_NE(tokens.find_token(gt::kFailedReveal)->status, token::TokenStatus::kFailed);
  EXPECT_EQ(tokens.find_token(gt::kFailedImage)->status, token::TokenStatus::kFailed) << "not selected";

  // All failed of a stage: the count first (the admin token is kept for the tab), then nothing
  // when the operator declines.
  browser->script("document.getElementById('retry-stage').value = 'image';");
  browser->click("#retry-all");
  const auto all = browser->wait_for(
      "return document.getElementById('retry-confirm').hidden ? null : "
      "document.getElementById('retry-plan').textContent;",
      30s);
  EXPECT_NE(all.get<std::string>().find("1 token(s) would be retried (every failed token of stage image): #6"),
            std::string::npos)
      << all;
  browser->click("#retry-cancel");
  EXPECT_EQ(tokens.find_token(gt::kFailedImage)->status, token::TokenStatus::kFailed);
}

// At 420 px nothing scrolls sideways: tables scroll inside their own box.
TEST_F(DashboardInChromium, AtPhoneWidthNothingScrollsSideways) {
  browser->session("POST", "/window/rect", {{"width", 420}, {"height", 900}});
  const std::string check = "return { inner: window.innerWidth, scroll: document.scrollingElement.scrollWidth };";
  for (const auto& [hash, view] :
       {std::pair<std::string, std::string>{"", "overview"}, {"#/tokens/4", "token"}, {"#/tokens/8", "token"}}) {
    open(hash, view);
    const auto size = browser->script(check);
    EXPECT_LE(size["inner"].get<int>(), 420) << size;
    EXPECT_LE(size["scroll"].get<int>(), size["inner"].get<int>()) << (hash.empty() ? "overview" : hash) << " " << size;
  }
}

// axe-core inside the page: no serious or critical violation on the overview or a token page.
TEST_F(DashboardInChromium, HasNoSeriousAccessibilityViolations) {
  for (const auto& [hash, view] :
       {std::pair<std::string, std::string>{"", "overview"}, {"#/tokens/4", "token"}, {"#/tokens/6", "token"}}) {
    open(hash, view);
    const auto violations = accessibility_violations();
    EXPECT_TRUE(violations.empty()) << (hash.empty() ? "overview" : hash) << ": " << violations.dump(2);
  }
}
