// The operator routes of the HTTP API on SQLite and PostgreSQL: the admin retry behind
// ADMIN_TOKEN (not configured, wrong, right, bad bodies), the read-only JSON views, /metrics
// (parsed strictly) and the embedded dashboard files.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "http/api_server.hpp"
#include "ops/pipeline_metrics.hpp"
#include "pipeline_data.hpp"
#include "prometheus_text.hpp"

using namespace glisk;
using namespace std::chrono_literals;
using glisk::testing::Backend;
using nlohmann::json;
namespace gt = glisk::testing;

namespace {
constexpr const char* kAdminToken = "s3cret-admin-token-for-tests";
}

class AdminApiTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    gt::make_every_state(tokens, queue, journal);
    ops::install_pipeline_metrics(registry, tokens, "9.9.9");
    ops::install_control_metrics(registry, controls);
  }
  // A server with the given admin token ("" = not configured).
  std::unique_ptr<http::ApiServer> start(const std::string& admin_token, const std::string& explorer = "") {
    auto server = std::make_unique<http::ApiServer>(tokens, captured.log, "test");
    http::OperatorHandlers operations;
    operations.view = &view;
    operations.queue = &queue;
    operations.controls = &controls;
    operations.metrics = &registry;
    operations.admin_token = admin_token;
    operations.image_gateway = "/ipfs/";
    operations.explorer_url = explorer;
    server->set_operations(operations);
    port = server->start("127.0.0.1", 0);
    return server;
  }
  httplib::Result retry(const std::string& body, const std::string& bearer) {
    httplib::Client client("127.0.0.1", port);
    httplib::Headers headers;
    if (!bearer.empty()) headers.emplace("Authorization", "Bearer " + bearer);
    return client.Post("/api/admin/retry", headers, body, "application/json");
  }
  httplib::Result admin_post(const std::string& path, const std::string& body,
                             const std::string& bearer = kAdminToken) {
    httplib::Client client("127.0.0.1", port);
    httplib::Headers headers;
    if (!bearer.empty()) headers.emplace("Authorization", "Bearer " + bearer);
    return client.Post(path, headers, body, "application/json");
  }
  httplib::Result get(const std::string& path) { return httplib::Client("127.0.0.1", port).Get(path); }

  gt::TestDatabase tdb{GetParam()};
  clock::ManualClock clock;
  queue::WakeBoard wake;
  store::TokenStore tokens{tdb.db(), clock};
  store::TokenLifecycle queue{tdb.db(), clock, wake, "instance-a", 60s};
  store::RevealJournal journal{tdb.db(), clock, "instance-a"};
  ops::PipelineView view{tdb.db(), clock};
  store::StageControls controls{tdb.db(), clock};
  metrics::Registry registry;
  gt::CapturedLog captured;
  int port = 0;
};

TEST_P(AdminApiTest, WithoutAConfiguredTokenEveryAdminRequestIs503AndChangesNothing) {
  auto server = start("");
  for (const std::string& bearer : {std::string(), std::string("anything")}) {
    auto res = retry(R"({"failed":true})", bearer);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 503);
    EXPECT_NE(json::parse(res->body)["error"].get<std::string>().find("set ADMIN_TOKEN"), std::string::npos);
  }
  EXPECT_EQ(tokens.count_by_status()[token::TokenStatus::kFailed], 3);
  server->stop();
}

TEST_P(AdminApiTest, AWrongOrMissingTokenIs401AndChangesNothing) {
  auto server = start(kAdminToken);
  for (const std::string& bearer :
       {std::string(), std::string("wrong"), std::string(kAdminToken) + "x", std::string(kAdminToken).substr(1)}) {
    auto res = retry(R"({"failed":true})", bearer);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401) << bearer;
  }
  httplib::Client client("127.0.0.1", port);
  httplib::Headers basic;
  basic.emplace("Authorization", std::string("Basic ") + kAdminToken);
  auto res = client.Post("/api/admin/retry", basic, R"({"failed":true})", "application/json");
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(tokens.count_by_status()[token::TokenStatus::kFailed], 3);
  EXPECT_EQ(captured.text().find(kAdminToken), std::string::npos) << "the admin token is never logged";
  server->stop();
}

TEST_P(AdminApiTest, FailedLoginsAreLoggedWithTheAddressSlowedAndThenLockedOut) {
  auto server = start(kAdminToken);
  const std::string guess = "guess-number-one-of-many-guesses";
  std::vector<std::thread> guessers;
  std::atomic<int> unauthorized{0};
  std::atomic<int64_t> fastest_ms{1'000'000};
  for (int i = 0; i < 10; ++i) {
    guessers.emplace_back([&] {
      const auto began = std::chrono::steady_clock::now();
      auto res = retry(R"({"failed":true})", guess);
      const auto ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began).count();
      if (res && res->status == 401) ++unauthorized;
      int64_t seen = fastest_ms;
      while (ms < seen && !fastest_ms.compare_exchange_weak(seen, ms)) {
      }
    });
  }
  for (auto& g : guessers) g.join();
  EXPECT_EQ(unauthorized, 10);
  EXPECT_GE(fastest_ms, 900) << "every failed login is answered after a second";
  // The eleventh try from that address is refused unread, even with the right token.
  auto res = retry(R"({"failed":true,"dry_run":true})", kAdminToken);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 429) << res->body;
  EXPECT_FALSE(res->get_header_value("Retry-After").empty());
  EXPECT_EQ(captured.count("admin.unauthorized"), 10);
  EXPECT_NE(captured.text().find(R"("client":"127.0.0.1")"), std::string::npos);
  EXPECT_EQ(captured.text().find(guess), std::string::npos) << "what was sent is never logged";
  EXPECT_EQ(captured.text().find(kAdminToken), std::string::npos);
  EXPECT_EQ(tokens.count_by_status()[token::TokenStatus::kFailed], 3);
  server->stop();
}

TEST_P(AdminApiTest, ABodyOverEightKilobytesIsReadWhateverItsContentType) {
  // curl -d (the README's example) sends application/x-www-form-urlencoded; cpp-httplib answered
  // a false "over 1 MiB" 413 to such a body over 8 KB.
  auto server = start(kAdminToken);
  std::string ids;
  for (int i = 0; i < 2000; ++i) ids += (i ? "," : "") + std::to_string(100'000 + i);
  const std::string body = R"({"token_ids":[)" + ids + R"(],"dry_run":true})";
  ASSERT_GT(body.size(), 8192u);
  httplib::Client client("127.0.0.1", port);
  auto res = client.Post("/api/admin/retry", {{"Authorization", std::string("Bearer ") + kAdminToken}}, body,
                         "application/x-www-form-urlencoded");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body)["skipped"].size(), 2000u);
  server->stop();
}

TEST(AdminThrottle, LocksAnAddressOutForTheRestOfItsWindowAndForgetsTheOldestBeyondItsBound) {
  clock::ManualClock clock;
  ops::AdminThrottle throttle(clock, {.max_failures = 3, .window = 60s, .failure_delay = 1s, .max_clients = 2});
  EXPECT_FALSE(throttle.locked_out("10.0.0.1"));
  for (int i = 1; i <= 3; ++i) EXPECT_EQ(throttle.failed("10.0.0.1"), i);
  clock.advance(20s);
  EXPECT_EQ(throttle.locked_out("10.0.0.1"), std::chrono::seconds(40));
  EXPECT_FALSE(throttle.locked_out("10.0.0.2")) << "per address";
  clock.advance(41s);
  EXPECT_FALSE(throttle.locked_out("10.0.0.1")) << "a new window";
  EXPECT_EQ(throttle.failed("10.0.0.1"), 1);
  clock.advance(1s);
  throttle.failed("10.0.0.2");
  clock.advance(1s);
  throttle.failed("10.0.0.3");  // a third address: the oldest window is forgotten
  EXPECT_EQ(throttle.failed("10.0.0.1"), 1) << "10.0.0.1's window was the oldest";
}

TEST_P(AdminApiTest, TheRightTokenRetriesWithTheCliSemantics) {
  auto server = start(kAdminToken);
  auto res = retry(R"({"failed":true,"stage":"ipfs","dry_run":true})", kAdminToken);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  auto body = json::parse(res->body);
  EXPECT_EQ(body["dry_run"], true);
  EXPECT_EQ(body["count"], 1);
  EXPECT_EQ(tokens.find_token(gt::kFailedIpfs)->status, token::TokenStatus::kFailed);

  res = retry(R"({"token_ids":[6, 1, 5]})", kAdminToken);
  ASSERT_EQ(res->status, 200) << res->body;
  body = json::parse(res->body);
  EXPECT_EQ(body["count"], 1);
  EXPECT_EQ(body["tokens"][0]["token_id"], 6);
  EXPECT_EQ(body["tokens"][0]["to"], "detected");
  EXPECT_EQ(body["skipped"], json::array({1, 5}));
  EXPECT_EQ(tokens.find_token(gt::kFailedImage)->status, token::TokenStatus::kDetected);
  EXPECT_EQ(tokens.find_token(gt::kRevealed)->status, token::TokenStatus::kRevealed);
  EXPECT_EQ(gt::events_of(tdb.db(), gt::kFailedImage).back().instance, "admin-api:127.0.0.1")
      << "every admin action is recorded with its caller";

  res = retry(R"({"failed":true})", kAdminToken);
  EXPECT_EQ(json::parse(res->body)["count"], 2);
  EXPECT_EQ(tokens.count_by_status()[token::TokenStatus::kFailed], 0);
  EXPECT_EQ(captured.count("admin.retry"), 3);
  EXPECT_EQ(captured.text().find(kAdminToken), std::string::npos);
  auto families = gt::parse_prometheus_text(registry.render());
  EXPECT_EQ(families["glisk_operator_retries_total"].value({{"stage", "image"}}), 1);
  server->stop();
}

TEST_P(AdminApiTest, ABadBodyIs400AndChangesNothing) {
  auto server = start(kAdminToken);
  for (const char* bad :
       {"", "not json", "[1]", "{}", R"({"token_ids":[]})", R"({"token_ids":[-1]})", R"({"token_ids":["6"]})",
        R"({"token_ids":[6],"failed":true})", R"({"failed":false})", R"({"failed":true,"stage":"paint"})",
        R"({"token_ids":[6],"stage":"image"})", R"({"failed":true,"dry_run":"yes"})", R"({"failed":true,"extra":1})",
        R"({"token_ids":[1e999]})"}) {
    auto res = retry(bad, kAdminToken);
    ASSERT_TRUE(res) << bad;
    EXPECT_EQ(res->status, 400) << bad << " → " << res->body;
    EXPECT_TRUE(json::parse(res->body).contains("error"));
  }
  EXPECT_EQ(tokens.count_by_status()[token::TokenStatus::kFailed], 3);
  server->stop();
}

TEST_P(AdminApiTest, PauseResumeCancelAndRetryNowBehindTheToken) {
  auto server = start(kAdminToken);
  // Behind the token like the retry: a wrong one changes nothing.
  EXPECT_EQ(admin_post("/api/admin/pause", R"({"stage":"image","reason":"billing"})", "wrong")->status, 401);
  EXPECT_TRUE(controls.paused().empty());

  auto res = admin_post("/api/admin/pause", R"({"stage":"image","reason":"Replicate billing"})");
  ASSERT_EQ(res->status, 200) << res->body;
  auto body = json::parse(res->body);
  EXPECT_EQ(body["new"], true);
  EXPECT_EQ(body["pause"]["by"], "admin-api:127.0.0.1");
  EXPECT_EQ(body["pause"]["reason"], "Replicate billing");
  ASSERT_EQ(controls.paused().size(), 1u);
  EXPECT_EQ(json::parse(get("/api/dashboard/config")->body)["queue_controls"], true);
  auto families = gt::parse_prometheus_text(get("/metrics")->body);
  EXPECT_EQ(families["glisk_stage_paused_by_operator"].value({{"stage", "image"}}), 1);
  EXPECT_EQ(families["glisk_stage_paused_by_operator"].value({{"stage", "ipfs"}}), 0);

  res = admin_post("/api/admin/resume", R"({"stage":"image"})");
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body)["ended"]["reason"], "Replicate billing");
  EXPECT_TRUE(controls.paused().empty());
  EXPECT_TRUE(json::parse(admin_post("/api/admin/resume", R"({"stage":"image"})")->body)["ended"].is_null());

  res = admin_post("/api/admin/cancel", R"({"token_ids":[1,5],"reason":"wrong author","dry_run":true})");
  ASSERT_EQ(res->status, 200) << res->body;
  body = json::parse(res->body);
  EXPECT_EQ(body["count"], 1);
  EXPECT_EQ(body["skipped"][0]["token_id"], 5);
  EXPECT_FALSE(tokens.find_token(gt::kDetected)->cancelled_at) << "a dry run changes nothing";
  res = admin_post("/api/admin/cancel", R"({"token_ids":[1],"reason":"wrong author"})");
  ASSERT_EQ(res->status, 200) << res->body;
  const auto cancelled = *tokens.find_token(gt::kDetected);
  EXPECT_EQ(cancelled.status, token::TokenStatus::kFailed);
  EXPECT_EQ(cancelled.generation_error, "cancelled by admin-api:127.0.0.1: wrong author");
  EXPECT_EQ(gt::events_of(tdb.db(), gt::kDetected).back().instance, "admin-api:127.0.0.1");
  families = gt::parse_prometheus_text(get("/metrics")->body);
  EXPECT_EQ(families["glisk_operator_cancels_total"].value({{"stage", "image"}}), 1);

  // A token in a backoff: due now only when asked with "now".
  auto claim = queue.claim(token::Stage::kIpfs, 1);
  ASSERT_EQ(claim.size(), 1u);
  ASSERT_EQ(queue.record_failure(token::Stage::kIpfs, claim[0].token.token_id, claim[0].lease, "pinata: 503",
                                 clock.now() + 300s, 3),
            store::FailureOutcome::kRetryScheduled);
  body = json::parse(admin_post("/api/admin/retry", R"({"token_ids":[3]})")->body);
  EXPECT_EQ(body["skipped"], json::array({3}));
  body = json::parse(admin_post("/api/admin/retry", R"({"waiting":true,"now":true,"stage":"ipfs"})")->body);
  ASSERT_EQ(body["made_due"].size(), 1u) << body;
  EXPECT_EQ(body["made_due"][0]["token_id"], 3);
  EXPECT_EQ(tokens.find_token(3)->next_attempt_at, clock.now());
  EXPECT_EQ(captured.count("admin.pause"), 1);
  EXPECT_EQ(captured.count("admin.cancel"), 2);
  server->stop();
}

TEST_P(AdminApiTest, BadControlBodiesAre400AndChangeNothing) {
  auto server = start(kAdminToken);
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"/api/admin/pause", "{}"},
      {"/api/admin/pause", R"({"stage":"image"})"},
      {"/api/admin/pause", R"({"stage":"paint","reason":"x"})"},
      {"/api/admin/pause", R"({"stage":"image","reason":""})"},
      {"/api/admin/pause", R"({"stage":"image","reason":"   "})"},
      {"/api/admin/pause", R"({"stage":"image","reason":"two\nlines"})"},
      {"/api/admin/pause", R"({"stage":"image","reason":)" + json(std::string(301, 'x')).dump() + "}"},
      {"/api/admin/pause", R"({"stage":"image","reason":"x","extra":1})"},
      {"/api/admin/resume", R"({"stage":"image","reason":"x"})"},
      {"/api/admin/resume", R"({"stage":1})"},
      {"/api/admin/cancel", R"({"token_ids":[1]})"},
      {"/api/admin/cancel", R"({"reason":"x"})"},
      {"/api/admin/cancel", R"({"token_ids":[1],"status":"failed","reason":"x"})"},
      {"/api/admin/cancel", R"({"status":"paint","reason":"x"})"},
      {"/api/admin/cancel", R"({"token_ids":[1],"stage":"image","reason":"x"})"},
      {"/api/admin/retry", R"({"waiting":true})"},
      {"/api/admin/retry", R"({"token_ids":[1],"now":"yes"})"},
      {"/api/admin/retry", R"({"token_ids":[1],"waiting":true,"now":true})"},
  };
  const auto before = tokens.count_by_status();
  for (const auto& [path, body] : bad) {
    auto res = admin_post(path, body);
    ASSERT_TRUE(res) << path << " " << body;
    EXPECT_EQ(res->status, 400) << path << " " << body << " → " << res->body;
  }
  EXPECT_TRUE(controls.paused().empty());
  EXPECT_EQ(tokens.count_by_status(), before);
  server->stop();
}

TEST_P(AdminApiTest, ReadOnlyViewsForTheDashboard) {
  auto server = start("", "https://etherscan.io");
  auto res = get("/api/tokens?recent=5");
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body).size(), 5u);
  EXPECT_EQ(get("/api/tokens?recent=0")->status, 400);
  EXPECT_EQ(get("/api/tokens?recent=abc")->status, 400);
  EXPECT_EQ(get("/api/tokens?recent=5&status=failed")->status, 400) << "recent takes no filter";

  res = get("/api/failures?limit=2");
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(json::parse(res->body).size(), 2u);
  EXPECT_EQ(get("/api/failures?limit=5000")->status, 400);

  res = get("/api/tokens/5/events");
  ASSERT_EQ(res->status, 200);
  auto events = json::parse(res->body)["events"];
  EXPECT_EQ(events.front()["to"], "detected");
  EXPECT_TRUE(events.front()["from"].is_null());
  EXPECT_EQ(events.back()["to"], "revealed");
  EXPECT_EQ(get("/api/tokens/404/events")->status, 404);
  EXPECT_EQ(get("/api/tokens/x/events")->status, 400);

  res = get("/api/reveals?limit=3");
  ASSERT_EQ(res->status, 200);
  EXPECT_TRUE(json::parse(res->body).is_array());

  res = get("/api/throughput");
  ASSERT_EQ(res->status, 200);
  auto minutes = json::parse(res->body)["minutes"];
  ASSERT_EQ(minutes.size(), 60u);
  EXPECT_EQ(minutes.back()["moved_to"]["revealed"], 1);

  res = get("/api/dashboard/config");
  auto config = json::parse(res->body);
  EXPECT_EQ(config["image_gateway"], "/ipfs/");
  EXPECT_EQ(config["explorer_url"], "https://etherscan.io");
  EXPECT_EQ(config["admin_api"], false);
  server->stop();
}

// The dashboard's token list: search, filters and keyset pages over HTTP, every parameter checked
// before anything is read.
TEST_P(AdminApiTest, TokenListSearchesFiltersAndPagesWithACursor) {
  auto server = start("");
  auto page = [&](const std::string& query) {
    auto res = get("/api/tokens?" + query);
    EXPECT_EQ(res->status, 200) << query << " → " << res->body;
    std::vector<int64_t> ids;
    const auto body = json::parse(res->body);
    for (const auto& t : body["tokens"]) ids.push_back(t["token_id"].get<int64_t>());
    return std::make_pair(ids, body["next_before"]);
  };
  auto [first, cursor] = page("limit=3");
  EXPECT_EQ(first, (std::vector<int64_t>{8, 7, 6}));
  ASSERT_EQ(cursor, 6);
  auto [second, cursor2] = page("limit=3&before=6");
  EXPECT_EQ(second, (std::vector<int64_t>{5, 4, 3}));
  auto [last, end] = page("limit=3&before=3");
  EXPECT_EQ(last, (std::vector<int64_t>{2, 1}));
  EXPECT_TRUE(end.is_null()) << "the last page has no cursor";

  EXPECT_EQ(page("status=failed").first, (std::vector<int64_t>{8, 7, 6}));
  EXPECT_EQ(page("status=failed&stage=ipfs").first, (std::vector<int64_t>{gt::kFailedIpfs}));
  EXPECT_EQ(page("stage=image").first, (std::vector<int64_t>{6, 2, 1})) << "detected, generating, failed by image";
  EXPECT_EQ(page("q=%235").first, (std::vector<int64_t>{5})) << "#5, as the dashboard shows ids";
  EXPECT_EQ(page("q=bafymeta4").first, (std::vector<int64_t>{4}));
  EXPECT_EQ(page("q=0x00000000000000000000000000000000000000A1&limit=2").first, (std::vector<int64_t>{8, 7}));
  EXPECT_EQ(page("status=&stage=&q=").first.size(), 8u) << "empty filters are 'any'";

  for (const std::string bad :
       {"limit=0", "limit=1001", "limit=x", "before=-1", "before=abc", "status=done", "stage=paint", "q=hello",
        "q=0x123", "q=0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "stauts=failed", "limit=5&limit=6"}) {
    auto res = get("/api/tokens?" + bad);
    ASSERT_TRUE(res) << bad;
    EXPECT_EQ(res->status, 400) << bad << " → " << res->body;
    EXPECT_FALSE(json::parse(res->body)["error"].get<std::string>().empty()) << bad;
  }
  EXPECT_NE(get("/api/tokens?stauts=failed")->body.find("accepted: before, limit, q, stage, status"),
            std::string::npos);
  EXPECT_NE(get("/api/tokens?q=hello")->body.find("a CID"), std::string::npos);

  // Reveals page by id the same way.
  EXPECT_EQ(get("/api/reveals?limit=1&before=1")->status, 200);
  EXPECT_EQ(get("/api/reveals?before=x")->status, 400);
  EXPECT_EQ(get("/api/reveals?page=2")->status, 400);
  server->stop();
}

TEST_P(AdminApiTest, TokenDetailGathersWhatTheTokenPageShows) {
  auto server = start("");
  auto res = get("/api/tokens/5/detail");
  ASSERT_EQ(res->status, 200) << res->body;
  const auto d = json::parse(res->body);
  EXPECT_EQ(d["token"]["token_id"], 5);
  EXPECT_EQ(d["token"]["metadata_cid"], "bafymeta5");
  EXPECT_EQ(d["author_wallet"], "0x00000000000000000000000000000000000000a1");
  EXPECT_EQ(d["prediction"]["id"], "prediction-5");
  EXPECT_EQ(d["prediction"]["created"], tokens.find_token(5)->predictions_created);
  EXPECT_TRUE(d["prediction"]["delivery"].is_null());
  EXPECT_TRUE(d["metadata"].is_null()) << "no local IPFS store in this server";
  EXPECT_EQ(get("/api/tokens/404/detail")->status, 404);
  EXPECT_EQ(get("/api/tokens/x/detail")->status, 400);
  server->stop();
}

TEST_P(AdminApiTest, MetricsAreValidPrometheusTextWithTheDatabaseGauges) {
  auto server = start("");
  auto res = get("/metrics");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  auto families = gt::parse_prometheus_text(res->body);
  EXPECT_EQ(families["glisk_build_info"].value({{"version", "9.9.9"}}), 1);
  EXPECT_EQ(families["glisk_database_up"].value(), 1);
  EXPECT_EQ(families["glisk_tokens"].type, "gauge");
  EXPECT_EQ(families["glisk_tokens"].value({{"status", "failed"}}), 3);
  EXPECT_EQ(families["glisk_tokens"].value({{"status", "detected"}}), 1);
  EXPECT_EQ(families["glisk_queue_depth"].value({{"stage", "image"}}), 2);
  EXPECT_EQ(families["glisk_queue_in_flight"].value({{"stage", "image"}}), 1);
  EXPECT_TRUE(families.contains("glisk_queue_oldest_due_age_seconds"));
  server->stop();
}

TEST_P(AdminApiTest, TheDashboardFilesAreServedFromTheBinary) {
  auto server = start("");
  auto res = get("/");
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(res->body.find("/dashboard/dashboard.js"), std::string::npos);
  res = get("/dashboard/dashboard.js");
  ASSERT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("/api/admin/retry"), std::string::npos);
  EXPECT_EQ(get("/dashboard/dashboard.css")->status, 200);
  EXPECT_EQ(get("/dashboard/secrets.txt")->status, 404);
  server->stop();
}

INSTANTIATE_TEST_SUITE_P(Backends, AdminApiTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         glisk::testing::backend_param_name);
