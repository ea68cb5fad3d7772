// POST /webhooks/alchemy through the real HTTP server, on SQLite and PostgreSQL: payloads in the
// Alchemy Custom Webhook (GraphQL) shape, signed with HMAC-SHA256 as Alchemy signs them, for mints
// made on a real anvil (the webhook believes a delivery only as far as the node confirms it).
// Every refused delivery stores nothing.
#include "webhook/alchemy_webhook.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "anvil.hpp"
#include "authors/author_registry.hpp"
#include "chain/rpc_client.hpp"
#include "eth/address.hpp"
#include "faulty_rpc.hpp"
#include "http/api_server.hpp"
#include "mints/mint_event.hpp"
#include "store/token_lifecycle.hpp"
#include "test_support.hpp"

using namespace glisk;
using namespace std::chrono_literals;
using glisk::testing::Backend;
using nlohmann::json;

namespace {

constexpr const char* kSecret = "whsec_test_signing_key_0123456789";
constexpr const char* kOtherContract = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
constexpr const char* kAuthor = glisk::testing::kAnvilAccount2;
constexpr uint64_t kPrice = 1000;

std::string word(std::string hex) { return std::string(64 - hex.size(), '0') + hex; }
std::string chain_hex(int64_t value) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(value));
  return buf;
}
std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// One log of event.data.block.logs, as Alchemy's GraphQL query { block { logs { … } } } returns it.
json alchemy_log(int64_t start, int64_t quantity, char tx, int index, const std::string& contract, int status = 1) {
  return {
      {"data", "0x" + word(chain_hex(quantity)) + word("3e8")},
      {"topics",
       {mints::batch_minted_topic(), "0x" + word("70997970c51812dc3a010c7d01b50e0d17dc79c8"),
        "0x" + word(lower(std::string(kAuthor).substr(2))), "0x" + word(chain_hex(start))}},
      {"index", index},
      {"account", {{"address", lower(contract)}}},
      {"transaction",
       {{"hash", "0x" + std::string(64, tx)},
        {"nonce", 7},
        {"index", 0},
        {"from", {{"address", "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"}}},
        {"to", {{"address", lower(contract)}}},
        {"value", "0x3e8"},
        {"status", status},
        {"gasUsed", 120000}}},
  };
}

json payload(const std::vector<json>& logs, const std::string& block_hash = "0x" + std::string(64, 'e'),
             int64_t block_number = 27) {
  return {{"webhookId", "wh_octjglnywaupz6th"},
          {"id", "whevt_ogrc5v64myey69ux"},
          {"createdAt", "2024-01-23T07:51:07.945953790Z"},
          {"type", "GRAPHQL"},
          {"event",
           {{"data",
             {{"block",
               {{"hash", block_hash}, {"number", block_number}, {"timestamp", 1706000000}, {"logs", json(logs)}}}}},
            {"sequenceNumber", "10000000000578619000"}}}};
}

// The delivery Alchemy sends for a mint's block, built from the node's receipt: its BatchMinted
// logs (what a GraphQL query filtered on that topic returns), in Alchemy's shape.
json delivery_of(const json& receipt) {
  std::vector<json> logs;
  for (const auto& l : receipt.at("logs")) {
    if (lower(l.at("topics").at(0).get<std::string>()) != mints::batch_minted_topic()) continue;
    logs.push_back({{"data", l.at("data")},
                    {"topics", l.at("topics")},
                    {"index", chain::parse_quantity(l.at("logIndex").get<std::string>())},
                    {"account", {{"address", lower(l.at("address").get<std::string>())}}},
                    {"transaction",
                     {{"hash", receipt.at("transactionHash")},
                      {"from", {{"address", receipt.at("from")}}},
                      {"to", {{"address", receipt.at("to")}}},
                      {"status", 1},
                      {"gasUsed", chain::parse_quantity(receipt.at("gasUsed").get<std::string>())}}}});
  }
  return payload(logs, receipt.at("blockHash").get<std::string>(),
                 static_cast<int64_t>(chain::parse_quantity(receipt.at("blockNumber").get<std::string>())));
}

}  // namespace

TEST(AlchemySignature, IsHmacSha256InLowercaseHex) {
  // RFC 4231, test case 2.
  EXPECT_EQ(webhook::hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

class AlchemyWebhookTest : public ::testing::TestWithParam<Backend> {
 protected:
  static void SetUpTestSuite() { suite_.start(); }
  static void TearDownTestSuite() { suite_.stop(); }
  void SetUp() override {
    ASSERT_TRUE(suite_.ready()) << suite_.error();
    node = std::make_unique<chain::RpcClient>(http, suite_.anvil().url());
    faulty = std::make_unique<glisk::testing::FaultyRpc>(*node);
    contract = eth::Address::parse(glisk::testing::deploy_glisk_nft(*node, kPrice)).to_checksum();
    alchemy = std::make_unique<webhook::AlchemyWebhook>(tdb.db(), queue, clock, captured.log, kSecret, contract,
                                                        faulty.get());
    server = std::make_unique<http::ApiServer>(tokens, captured.log, "test", nullptr,
                                               http::IntakeHandlers{nullptr, alchemy.get()});
    client = std::make_unique<httplib::Client>("127.0.0.1", server->start("127.0.0.1", 0));
  }

  // Mints on the chain and returns the receipt.
  json mint(uint64_t quantity, const std::string& author = kAuthor) {
    return glisk::testing::mint(*node, contract, glisk::testing::kAnvilAccount1, author, quantity, kPrice);
  }
  json log_of(int64_t start, int64_t quantity, char tx, int index = 0) {
    return alchemy_log(start, quantity, tx, index, contract);
  }
  httplib::Result post(const std::string& body, std::optional<std::string> signature) {
    httplib::Headers headers;
    if (signature) headers.emplace("X-Alchemy-Signature", *signature);
    return client->Post("/webhooks/alchemy", headers, body, "application/json");
  }
  httplib::Result post_signed(const std::string& body) { return post(body, webhook::hmac_sha256_hex(kSecret, body)); }
  int64_t count(const std::string& table) {
    auto r = store::in_transaction(tdb.db(), store::TxMode::kRead,
                                   [&](store::Transaction& tx) { return tx.exec("SELECT COUNT(*) FROM " + table); });
    return std::stoll(r.rows.at(0).at(0).value());
  }
  void expect_nothing_stored() {
    EXPECT_EQ(count("tokens_s0"), 0);
    EXPECT_EQ(count("mint_events"), 0);
    EXPECT_EQ(count("authors"), 0);
  }
  static std::string error_of(const httplib::Result& res) {
    return json::parse(res->body).at("error").get<std::string>();
  }

  static glisk::testing::SuiteAnvil suite_;
  net::HttpClient http;
  std::unique_ptr<chain::RpcClient> node;
  std::unique_ptr<glisk::testing::FaultyRpc> faulty;
  std::string contract;
  glisk::testing::TestDatabase tdb{GetParam()};
  clock::ManualClock clock;
  store::TokenStore tokens{tdb.db(), clock};
  queue::WakeBoard wake;
  store::TokenLifecycle queue{tdb.db(), clock, wake, "test", 60s};
  glisk::testing::CapturedLog captured;
  std::unique_ptr<webhook::AlchemyWebhook> alchemy;
  std::unique_ptr<http::ApiServer> server;
  std::unique_ptr<httplib::Client> client;
};

glisk::testing::SuiteAnvil AlchemyWebhookTest::suite_;

TEST_P(AlchemyWebhookTest, ASignedMintCreatesItsTokens) {
  const json receipt = mint(3);
  auto res = post_signed(delivery_of(receipt).dump());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body),
            json({{"status", "ok"}, {"tokens_created", 3}, {"ignored", 0}, {"unconfirmed", 0}}));
  EXPECT_EQ(count("tokens_s0"), 3);
  auto t = tokens.find_token(3);
  ASSERT_TRUE(t);
  EXPECT_EQ(glisk::testing::author_by_id(tokens, t->author_id)->wallet_address, kAuthor);
  EXPECT_EQ(t->minter_address, glisk::testing::kAnvilAccount1);
  auto r = store::in_transaction(tdb.db(), store::TxMode::kRead, [](store::Transaction& tx) {
    return tx.exec("SELECT block_number, block_hash, total_paid FROM mint_events");
  });
  EXPECT_EQ(r.rows.at(0).at(0), std::to_string(chain::parse_quantity(receipt.at("blockNumber").get<std::string>())));
  EXPECT_EQ(r.rows.at(0).at(1), receipt.at("blockHash").get<std::string>());
  EXPECT_EQ(r.rows.at(0).at(2), "3000");
  EXPECT_EQ(captured.count("mint.detected"), 1);
  EXPECT_EQ(captured.count("webhook.received"), 1);
}

TEST_P(AlchemyWebhookTest, AForgedMintCreatesNothing) {
  // Signed with the right key (a leaked one, or a sender's bug), in a real block, but no such mint.
  const json receipt = mint(1);
  json forged = payload({log_of(2, 5, 'a')}, receipt.at("blockHash").get<std::string>(),
                        static_cast<int64_t>(chain::parse_quantity(receipt.at("blockNumber").get<std::string>())));
  auto res = post_signed(forged.dump());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body)["tokens_created"], 0);
  EXPECT_EQ(json::parse(res->body)["unconfirmed"], 1);
  expect_nothing_stored();
  EXPECT_EQ(captured.count("webhook.mint_unconfirmed"), 1);
}

TEST_P(AlchemyWebhookTest, ADeliveryOfManyForgedMintsCreatesNothingAndPaysForNothing) {
  // The attack of the issue: 60 logs of 10,000 tokens each, validly signed.
  const json receipt = mint(1);
  std::vector<json> logs;
  for (int i = 0; i < 60; ++i) logs.push_back(log_of(1 + i * 10'000, 10'000, static_cast<char>('a' + i % 6), i));
  json forged = payload(logs, receipt.at("blockHash").get<std::string>(),
                        static_cast<int64_t>(chain::parse_quantity(receipt.at("blockNumber").get<std::string>())));
  auto res = post_signed(forged.dump());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body)["unconfirmed"], 60);
  expect_nothing_stored();
}

TEST_P(AlchemyWebhookTest, AMintIsRecordedAsTheChainHasItNotAsDelivered) {
  const json receipt = mint(2);
  json delivery = delivery_of(receipt);
  // Claims 10,000 tokens where the chain minted 2.
  auto& data = delivery["event"]["data"]["block"]["logs"][0]["data"];
  data = "0x" + word(chain_hex(10'000)) + data.get<std::string>().substr(2 + 64);
  auto res = post_signed(delivery.dump());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body)["tokens_created"], 2);
  EXPECT_EQ(count("tokens_s0"), 2);
  EXPECT_EQ(captured.count("webhook.mint_differs"), 1);
}

TEST_P(AlchemyWebhookTest, ABlockTheNodeDoesNotKnowIsRefusedForAlchemyToDeliverAgain) {
  const json receipt = mint(2);
  json delivery = delivery_of(receipt);
  delivery["event"]["data"]["block"]["hash"] = "0x" + std::string(64, '1');  // reorganised away, or not seen yet
  auto res = post_signed(delivery.dump());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503) << res->body;
  EXPECT_NE(error_of(res).find("does not know block"), std::string::npos) << res->body;
  expect_nothing_stored();
}

TEST_P(AlchemyWebhookTest, WhenTheNodeIsDownTheDeliveryIsRefusedAndLaterAccepted) {
  const std::string body = delivery_of(mint(2)).dump();
  faulty->set_down(true);
  auto res = post_signed(body);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503) << res->body;
  EXPECT_NE(error_of(res).find("cannot ask the node"), std::string::npos) << res->body;
  expect_nothing_stored();
  faulty->set_down(false);
  res = post_signed(body);  // Alchemy's retry
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(count("tokens_s0"), 2);
}

TEST_P(AlchemyWebhookTest, OtherContractsEventsAndFailedTransactionsAreIgnored) {
  json delivery = delivery_of(mint(2));
  json transfer = log_of(9, 1, 'd', 7);
  transfer["topics"][0] = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";
  auto& logs = delivery["event"]["data"]["block"]["logs"];
  logs.push_back(alchemy_log(5, 1, 'b', 8, kOtherContract));
  logs.push_back(alchemy_log(6, 1, 'c', 9, contract, 0));
  logs.push_back(transfer);
  auto res = post_signed(delivery.dump());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body),
            json({{"status", "ok"}, {"tokens_created", 2}, {"ignored", 3}, {"unconfirmed", 0}}));
  EXPECT_EQ(count("tokens_s0"), 2);
  EXPECT_EQ(count("mint_events"), 1);
}

TEST_P(AlchemyWebhookTest, ARedeliveryIsADuplicate) {
  const std::string body = delivery_of(mint(2)).dump();
  ASSERT_EQ(post_signed(body)->status, 200);
  auto res = post_signed(body);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(json::parse(res->body),
            json({{"status", "duplicate"}, {"tokens_created", 0}, {"ignored", 0}, {"unconfirmed", 0}}));
  EXPECT_EQ(count("tokens_s0"), 2);
  EXPECT_EQ(count("mint_events"), 1);
}

TEST_P(AlchemyWebhookTest, AnEmptyHeartbeatIsOk) {
  auto res = post_signed(
      R"({"webhookId":"wh_1","id":"whevt_1","type":"GRAPHQL","event":{"data":{"block":{"logs":[]}},"sequenceNumber":"1"}})");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body)["status"], "ok");
}

TEST_P(AlchemyWebhookTest, BadOrMissingSignaturesAreRefused) {
  const std::string body = payload({log_of(1, 2, 'a')}).dump();
  auto res = post(body, std::nullopt);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_NE(error_of(res).find("missing X-Alchemy-Signature"), std::string::npos);
  for (const std::string& bad : {webhook::hmac_sha256_hex("another key", body),
                                 webhook::hmac_sha256_hex(kSecret, body + " "), std::string("abc")}) {
    res = post(body, bad);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401) << bad;
    EXPECT_NE(error_of(res).find("does not match the body"), std::string::npos) << res->body;
  }
  expect_nothing_stored();
  EXPECT_EQ(captured.text().find(kSecret), std::string::npos);
  EXPECT_EQ(captured.text().find(webhook::hmac_sha256_hex("another key", body)), std::string::npos);
  EXPECT_EQ(captured.text().find(webhook::hmac_sha256_hex(kSecret, body)), std::string::npos);
  EXPECT_EQ(captured.count("webhook.rejected"), 4);
}

TEST_P(AlchemyWebhookTest, MalformedPayloadsAreRefusedWithTheReason) {
  auto with = [&](const std::function<void(json&)>& edit) {
    json p = payload({log_of(1, 2, 'a'), log_of(3, 1, 'b', 1)});
    edit(p);
    return p.dump();
  };
  const json::json_pointer log1("/event/data/block/logs/1");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{not json", "the body is not JSON"},
      // nlohmann throws out_of_range, not parse_error, for this (found by fuzz/webhook_payload.cpp)
      {R"({"event":{"data":{"block":{"number":1e999,"logs":[]}}}})", "the body is not JSON"},
      {"[1,2]", "must be a JSON object"},
      {with([](json& p) { p.erase("event"); }), "body.event is missing"},
      {with([](json& p) { p["type"] = "ADDRESS_ACTIVITY"; }), "expected a Custom Webhook delivery"},
      {with([](json& p) { p["event"]["data"].erase("block"); }), "event.data.block is missing"},
      {with([](json& p) { p["event"]["data"]["block"].erase("logs"); }), "event.data.block.logs is missing"},
      {with([](json& p) { p["event"]["data"]["block"]["logs"] = "none"; }), "logs must be an array"},
      {with([](json& p) { p["event"]["data"]["block"].erase("number"); }), "event.data.block.number is missing"},
      {with([](json& p) { p["event"]["data"]["block"]["number"] = -3; }), "must be a non-negative integer"},
      // once read as -1 (fuzz/regressions/webhook_payload/block-number-beyond-int64.json)
      {with([](json& p) { p["event"]["data"]["block"]["number"] = UINT64_MAX; }),
       "event.data.block.number 18446744073709551615 is out of range"},
      {with([](json& p) { p["event"]["data"]["block"]["hash"] = "0x12"; }), "event.data.block.hash must be 32 bytes"},
      {with([&](json& p) { p[log1].erase("account"); }), "logs[1].account is missing"},
      {with([&](json& p) { p[log1]["account"]["address"] = "0x1234"; }), "logs[1].account.address"},
      {with([&](json& p) { p[log1].erase("topics"); }), "logs[1].topics is missing"},
      {with([&](json& p) { p[log1].erase("data"); }), "logs[1].data is missing"},
      {with([&](json& p) { p[log1].erase("index"); }), "logs[1].index is missing"},
      {with([&](json& p) { p[log1]["transaction"].erase("hash"); }), "logs[1].transaction.hash is missing"},
      {with([&](json& p) { p[log1]["transaction"]["hash"] = "0xabcd"; }), "transaction.hash must be 32 bytes"},
      {with([&](json& p) { p[log1]["transaction"].erase("status"); }), "logs[1].transaction.status is missing"},
      {with([&](json& p) { p[log1]["data"] = "0x" + word("0") + word("0"); }), "logs[1]: quantity 0 is outside"},
      {with([&](json& p) { p[log1]["topics"][1] = "0x" + std::string(64, 'f'); }),
       "logs[1]: topic1 (minter) is not an address"},
  };
  for (const auto& [body, reason] : cases) {
    auto res = post_signed(body);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << body;
    EXPECT_NE(error_of(res).find(reason), std::string::npos) << reason << " not in " << res->body;
  }
  expect_nothing_stored();  // the valid first log of each payload was not stored either
}

TEST_P(AlchemyWebhookTest, BodiesOverOneMegabyteAreRefused) {
  json p = payload({log_of(1, 2, 'a')});
  p["padding"] = std::string(webhook::kMaxBodyBytes, 'x');
  const std::string body = p.dump();
  auto res = post_signed(body);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_NE(error_of(res).find("over 1 MiB"), std::string::npos) << res->body;
  expect_nothing_stored();
  // The handler refuses too, for a server configured differently.
  auto e = glisk::testing::thrown<webhook::WebhookTooLarge>(
      [&] { alchemy->handle(body, webhook::hmac_sha256_hex(kSecret, body)); });
  EXPECT_NE(std::string(e.what()).find("at most 1 MiB"), std::string::npos);
}

TEST_P(AlchemyWebhookTest, WithoutASecretTheWebhookIsUnavailable) {
  webhook::AlchemyWebhook unconfigured{tdb.db(), queue, clock, captured.log, "", contract, node.get()};
  http::ApiServer other{tokens, captured.log, "test", nullptr, {nullptr, &unconfigured}};
  httplib::Client c{"127.0.0.1", other.start("127.0.0.1", 0)};
  const std::string body = payload({log_of(1, 2, 'a')}).dump();
  auto res = c.Post("/webhooks/alchemy", {{"X-Alchemy-Signature", webhook::hmac_sha256_hex("", body)}}, body,
                    "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_NE(error_of(res).find("set ALCHEMY_WEBHOOK_SECRET"), std::string::npos) << res->body;
  expect_nothing_stored();
}

INSTANTIATE_TEST_SUITE_P(Backends, AlchemyWebhookTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         glisk::testing::backend_param_name);
