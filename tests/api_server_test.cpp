#include "http/api_server.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "store/detail/postgres_database.hpp"
#include "store/token_lifecycle.hpp"
#include "test_support.hpp"

using namespace glisk;
using namespace std::chrono_literals;
using nlohmann::json;

class ApiServerTest : public ::testing::Test {
 protected:
  glisk::testing::TestDatabase tdb{glisk::testing::Backend::kSqlite};
  clock::ManualClock clock;
  store::TokenStore tokens{tdb.db(), clock};
  glisk::testing::CapturedLog captured;
  http::ApiServer server{tokens, captured.log, "sqlite"};
  int port = server.start("127.0.0.1", 0);
  httplib::Client client{"127.0.0.1", port};
};

TEST_F(ApiServerTest, HealthIsHealthyAfterADatabaseRoundTrip) {
  auto res = client.Get("/health");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(json::parse(res->body)["status"], "healthy");
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
}

TEST_F(ApiServerTest, TokenStateByIdWithClearErrors) {
  glisk::testing::add_detected_tokens(tokens, 7, 1);
  auto res = client.Get("/api/tokens/7");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  auto body = json::parse(res->body);
  EXPECT_EQ(body["token_id"], 7);
  EXPECT_EQ(body["status"], "detected");
  EXPECT_EQ(body["generation_attempts"], 0);
  EXPECT_TRUE(body["image_url"].is_null());

  res = client.Get("/api/tokens/8");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_NE(json::parse(res->body)["error"].get<std::string>().find("token 8 is not known"), std::string::npos);

  for (const char* bad :
       {"/api/tokens/abc", "/api/tokens/-1", "/api/tokens/1x", "/api/tokens/99999999999999999999999"}) {
    res = client.Get(bad);
    ASSERT_TRUE(res) << bad;
    EXPECT_EQ(res->status, 400) << bad;
    EXPECT_NE(json::parse(res->body)["error"].get<std::string>().find("non-negative whole number"), std::string::npos);
  }
}

TEST_F(ApiServerTest, ATokensLocalImageIsShownByItsFileNameNotTheServersPath) {
  glisk::testing::add_detected_tokens(tokens, 7, 1);
  queue::WakeBoard wake;
  store::TokenLifecycle q(tdb.db(), clock, wake, "i", 60s);
  auto c = q.claim(token::Stage::kImage, 1).at(0);
  ASSERT_TRUE(
      q.complete(token::Stage::kImage, 7, c.lease, {.image_url = "file:///var/lib/glisk/data/images/7-abc.png"}));
  auto res = client.Get("/api/tokens/7");
  ASSERT_TRUE(res);
  EXPECT_EQ(json::parse(res->body)["image_url"], "local:7-abc.png");
  EXPECT_EQ(res->body.find("/var/lib"), std::string::npos);
  res = client.Get("/api/tokens?recent=5");
  EXPECT_EQ(res->status, 503) << "no operator views here; the path is not shown by them either";
}

TEST_F(ApiServerTest, StatsShowStatusesAndQueues) {
  glisk::testing::add_detected_tokens(tokens, 1, 3);
  queue::WakeBoard wake;
  store::TokenLifecycle q(tdb.db(), clock, wake, "i", 60s);
  auto c = q.claim(token::Stage::kImage, 1).at(0);
  ASSERT_TRUE(q.complete(token::Stage::kImage, c.token.token_id, c.lease));
  clock.advance(10s);
  auto res = client.Get("/api/stats");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  auto body = json::parse(res->body);
  EXPECT_EQ(body["tokens"]["detected"], 2);
  EXPECT_EQ(body["tokens"]["uploading"], 1);
  EXPECT_EQ(body["tokens"]["revealed"], 0);
  EXPECT_EQ(body["total"], 3);
  EXPECT_EQ(body["queues"]["image"]["depth"], 2);
  EXPECT_EQ(body["queues"]["ipfs"]["due"], 1);
  EXPECT_NEAR(body["queues"]["ipfs"]["oldest_due_age_seconds"].get<double>(), 10.0, 0.01);
  EXPECT_TRUE(body["queues"]["reveal"]["oldest_due_age_seconds"].is_null());
}

TEST_F(ApiServerTest, UnknownRoutesAnswerJson404) {
  auto res = client.Get("/nope");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_NE(json::parse(res->body)["error"].get<std::string>().find("no route GET /nope"), std::string::npos);
}

TEST(ApiServerDatabaseDown, HealthIs503WithTheErrorAndNoPassword) {
  // A PostgreSQL server that is not there: port 1 on loopback refuses connections.
  store::PostgresDatabase db("postgresql://glisk:topsecret@127.0.0.1:1/glisk", 2);
  clock::SystemClock clock;
  store::TokenStore tokens(db, clock);
  glisk::testing::CapturedLog captured;
  http::ApiServer server(tokens, captured.log, "postgresql");
  httplib::Client client("127.0.0.1", server.start("127.0.0.1", 0));
  auto res = client.Get("/health");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  auto body = json::parse(res->body);
  EXPECT_EQ(body["status"], "unhealthy");
  EXPECT_NE(body["error"].get<std::string>().find("cannot connect to PostgreSQL"), std::string::npos) << res->body;
  EXPECT_EQ(res->body.find("topsecret"), std::string::npos);
  EXPECT_EQ(captured.text().find("topsecret"), std::string::npos);
  // Other routes that need the database answer 503 too.
  res = client.Get("/api/stats");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
}
