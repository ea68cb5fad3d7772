// Authors and signed prompts through the real HTTP server, on SQLite and PostgreSQL. Signatures
// come from an independent signer (ethers v6 wallet.signMessage in
// scripts/sign-prompt-reference.mjs, which builds the message with node's own SHA-256), so the
// message format and the EIP-191 verification are both checked against another implementation.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "anvil.hpp"
#include "authors/author_registry.hpp"
#include "http/api_server.hpp"
#include "subprocess.hpp"
#include "test_support.hpp"

using namespace glisk;
using namespace std::chrono_literals;
using glisk::testing::Backend;
using glisk::testing::kAnvilAccount1;
using glisk::testing::kAnvilKey1;
using glisk::testing::kAnvilKey2;
using nlohmann::json;

namespace {

// ManualClock's default "now", in unix seconds.
constexpr int64_t kNow = 1'800'000'000;
const std::string kPrompt = "a lighthouse at dusk, oil on canvas";
const std::string kUnicodePrompt = "héllo wörld ✓ 🎨\n\tsecond line";

struct Signed {
  std::string key;
  std::string prompt;
  int64_t timestamp;
  std::string signer;     // filled by the reference
  std::string signature;  // filled by the reference
};

// Everything the suite signs, in one node run.
std::vector<Signed>& signatures() {
  static std::vector<Signed> all = [] {
    std::vector<Signed> v = {
        {kAnvilKey1, kPrompt, kNow, "", ""},                 // 0 valid
        {kAnvilKey2, kPrompt, kNow, "", ""},                 // 1 another wallet's
        {kAnvilKey1, kPrompt, kNow - 601, "", ""},           // 2 stale
        {kAnvilKey1, kPrompt, kNow + 301, "", ""},           // 3 future
        {kAnvilKey1, kPrompt, kNow - 600, "", ""},           // 4 oldest accepted
        {kAnvilKey1, std::string(1001, 'x'), kNow, "", ""},  // 5 too long
        {kAnvilKey1, "a newer prompt", kNow + 10, "", ""},   // 6 newer
        {kAnvilKey1, kUnicodePrompt, kNow, "", ""},          // 7 unicode
    };
    json request = json::array();
    for (const auto& s : v)
      request.push_back({{"privateKey", s.key}, {"prompt", s.prompt}, {"timestamp", s.timestamp}});
    auto result = glisk::testing::run_node_script("scripts/sign-prompt-reference.mjs", {request.dump()});
    if (result.exit_code != 0) throw std::runtime_error("sign-prompt-reference.mjs failed: " + result.err);
    std::istringstream lines(result.out);
    for (auto& s : v) lines >> s.signer >> s.signature;
    return v;
  }();
  return all;
}

json request_of(const Signed& s, const std::string& wallet) {
  return {
      {"wallet_address", wallet}, {"prompt_text", s.prompt}, {"timestamp", s.timestamp}, {"signature", s.signature}};
}

}  // namespace

TEST(SignedPrompt, MessageFormatAndHash) {
  EXPECT_EQ(authors::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  auto wallet = eth::Address::parse("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
  EXPECT_EQ(authors::prompt_message(wallet, "abc", 1700000000),
            "glisk: set prompt\nwallet: 0x70997970C51812dc3A010C7d01b50e0d17dc79C8\n"
            "prompt sha256: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\ntimestamp: 1700000000");
}

TEST(SignedPrompt, PromptTextRules) {
  using authors::check_prompt_text;
  using glisk::testing::error_of;
  EXPECT_EQ(check_prompt_text("a"), 1u);
  EXPECT_EQ(check_prompt_text(kUnicodePrompt), 28u);
  std::string emoji;
  for (int i = 0; i < 1000; ++i) emoji += "🎨";  // 4000 bytes, 1000 characters
  EXPECT_EQ(check_prompt_text(emoji), 1000u);
  auto err = [](const std::string& p) {
    return error_of<authors::InvalidAuthorRequest>([&] { authors::check_prompt_text(p); });
  };
  EXPECT_NE(err(emoji + "x").find("has 1001 characters; at most 1000"), std::string::npos);
  EXPECT_NE(err("").find("is empty"), std::string::npos);
  EXPECT_NE(err(" \n\t ").find("is empty"), std::string::npos);
  EXPECT_NE(err("bad \xff byte").find("not valid UTF-8"), std::string::npos);
  EXPECT_NE(err("cut \xe2\x9c").find("not valid UTF-8"), std::string::npos);
  EXPECT_NE(err("overlong \xc0\xaf").find("not valid UTF-8"), std::string::npos);
  EXPECT_NE(err("surrogate \xed\xa0\x80").find("not valid UTF-8"), std::string::npos);
  EXPECT_NE(err(std::string("nul \0 inside", 12)).find("control character (U+0000)"), std::string::npos);
  EXPECT_NE(err("bell \a").find("control character (U+0007)"), std::string::npos);
  EXPECT_NE(err("c1 \xc2\x85").find("control character (U+0085)"), std::string::npos);
}

class AuthorPromptTest : public ::testing::TestWithParam<Backend> {
 protected:
  static void SetUpTestSuite() {
    try {
      signatures();
    } catch (const std::exception& e) {
      setup_error_ = new std::string(e.what());
    }
  }
  static void TearDownTestSuite() {
    delete setup_error_;
    setup_error_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(setup_error_, nullptr) << *setup_error_; }

  httplib::Result post(const json& body) { return client.Post("/api/authors/prompt", body.dump(), "application/json"); }
  static std::string error_of(const httplib::Result& res) {
    return json::parse(res->body).at("error").get<std::string>();
  }
  std::optional<std::string> stored_prompt() {
    auto a = glisk::testing::find_author(tokens, kAnvilAccount1);
    return a ? a->prompt_text : std::nullopt;
  }

  static std::string* setup_error_;
  glisk::testing::TestDatabase tdb{GetParam()};
  clock::ManualClock clock;
  store::TokenStore tokens{tdb.db(), clock};
  glisk::testing::CapturedLog captured;
  authors::AuthorRegistry registry{tdb.db(), clock, captured.log};
  http::ApiServer server{tokens, captured.log, "test", nullptr, {&registry, nullptr}};
  int port = server.start("127.0.0.1", 0);
  httplib::Client client{"127.0.0.1", port};
};

std::string* AuthorPromptTest::setup_error_ = nullptr;

TEST_P(AuthorPromptTest, APromptSignedByTheWalletIsStored) {
  const auto& s = signatures()[0];
  ASSERT_EQ(s.signer, kAnvilAccount1);
  auto res = post(request_of(s, kAnvilAccount1));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body), json({{"wallet_address", kAnvilAccount1}, {"has_prompt", true}}));
  EXPECT_EQ(stored_prompt(), kPrompt);
  EXPECT_EQ(captured.count("author.prompt_updated"), 1);
  EXPECT_EQ(captured.text().find(kPrompt), std::string::npos) << "the prompt was logged";

  res = client.Get(std::string("/api/authors/") + kAnvilAccount1);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  auto body = json::parse(res->body);
  EXPECT_EQ(body["wallet_address"], kAnvilAccount1);
  EXPECT_EQ(body["has_prompt"], true);
  EXPECT_EQ(body["updated_at"], "2027-01-15T08:00:00.000Z");
  EXPECT_EQ(res->body.find(kPrompt), std::string::npos) << "the prompt was returned";
}

TEST_P(AuthorPromptTest, AnyLetterCaseOfTheAddressIsAccepted) {
  std::string lower = kAnvilAccount1;
  for (auto& c : lower) c = static_cast<char>(std::tolower(c));
  auto res = post(request_of(signatures()[0], lower));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body)["wallet_address"], kAnvilAccount1);
  std::string upper = "0x" + std::string(kAnvilAccount1).substr(2);
  for (size_t i = 2; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  res = client.Get("/api/authors/" + upper);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  res = client.Get("/api/authors/" + lower);
  EXPECT_EQ(res->status, 200);
}

TEST_P(AuthorPromptTest, UnicodePromptsVerify) {
  auto res = post(request_of(signatures()[7], kAnvilAccount1));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(stored_prompt(), kUnicodePrompt);
}

TEST_P(AuthorPromptTest, AnotherWalletsSignatureIsRefused) {
  auto res = post(request_of(signatures()[1], kAnvilAccount1));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_NE(error_of(res).find("signed by another wallet"), std::string::npos) << res->body;
  EXPECT_FALSE(glisk::testing::find_author(tokens, kAnvilAccount1));
  // A changed prompt under a valid signature is the same forgery.
  auto tampered = request_of(signatures()[0], kAnvilAccount1);
  tampered["prompt_text"] = kPrompt + "!";
  res = post(tampered);
  EXPECT_EQ(res->status, 401);
  EXPECT_FALSE(glisk::testing::find_author(tokens, kAnvilAccount1));
}

TEST_P(AuthorPromptTest, StaleAndFutureTimestampsAreRefused) {
  auto res = post(request_of(signatures()[2], kAnvilAccount1));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(error_of(res).find("601 seconds old"), std::string::npos) << res->body;
  res = post(request_of(signatures()[3], kAnvilAccount1));
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(error_of(res).find("301 seconds in the future"), std::string::npos) << res->body;
  EXPECT_FALSE(glisk::testing::find_author(tokens, kAnvilAccount1));
  res = post(request_of(signatures()[4], kAnvilAccount1));  // exactly 10 minutes old
  EXPECT_EQ(res->status, 200) << res->body;
}

TEST_P(AuthorPromptTest, AReplayIsRefusedAlsoAfterARestart) {
  const auto request = request_of(signatures()[0], kAnvilAccount1);
  ASSERT_EQ(post(request)->status, 200);
  auto res = post(request);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 409);
  EXPECT_NE(error_of(res).find("used already"), std::string::npos) << res->body;
  // Another instance (or this one restarted) on the same database refuses it too.
  auto other_db = tdb.open_another(1);
  authors::AuthorRegistry restarted(*other_db, clock, captured.log);
  authors::SignedPrompt again{kAnvilAccount1, kPrompt, kNow, signatures()[0].signature};
  EXPECT_THROW(restarted.set_signed_prompt(again), authors::PromptConflict);
}

TEST_P(AuthorPromptTest, AnOlderMessageCannotReplaceANewerPrompt) {
  ASSERT_EQ(post(request_of(signatures()[6], kAnvilAccount1))->status, 200);
  auto res = post(request_of(signatures()[0], kAnvilAccount1));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 409);
  EXPECT_NE(error_of(res).find("already set"), std::string::npos) << res->body;
  EXPECT_EQ(stored_prompt(), "a newer prompt");
}

TEST_P(AuthorPromptTest, MalformedRequestsAreRefused) {
  const auto good = request_of(signatures()[0], kAnvilAccount1);
  auto with = [&](const char* field, const json& value) {
    json r = good;
    if (value.is_null()) {
      r.erase(field);
    } else {
      r[field] = value;
    }
    return r;
  };
  const std::vector<std::pair<json, std::string>> cases = {
      {with("wallet_address", nullptr), "wallet_address is missing"},
      {with("wallet_address", "0x1234"), "wallet_address must be an Ethereum address"},
      {with("wallet_address", 12), "wallet_address must be a string"},
      {with("prompt_text", nullptr), "prompt_text is missing"},
      {with("prompt_text", ""), "prompt_text is empty"},
      {with("timestamp", "1800000000"), "timestamp must be a whole number"},
      {with("timestamp", 1.5), "timestamp must be a whole number"},
      // once computed now − timestamp in int64 (undefined behaviour under UBSan)
      {with("timestamp", INT64_MIN), "timestamp -9223372036854775808 is more than a century old"},
      {with("timestamp", INT64_MAX), "is more than a century in the future"},
      {with("signature", nullptr), "signature is missing"},
      {with("signature", "0xzz"), "signature must be 0x + 130 hex digits"},
      {with("signature", good["signature"].get<std::string>().substr(2)), "signature must be 0x + 130 hex digits"},
      {with("signature", good["signature"].get<std::string>().substr(0, 130)), "signature must be 65 bytes"},
      {with("signature", good["signature"].get<std::string>().substr(0, 130) + "1d"), "signature: "},
  };
  for (const auto& [body, reason] : cases) {
    auto res = post(body);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << body.dump();
    EXPECT_NE(error_of(res).find(reason), std::string::npos) << reason << " not in " << res->body;
  }
  auto res = client.Post("/api/authors/prompt", "{nope", "application/json");
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(error_of(res).find("not JSON"), std::string::npos);
  res = client.Post("/api/authors/prompt", R"({"wallet_address":)" + std::string(60'000, '['), "application/json");
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(error_of(res).find("nests deeper than 64 levels"), std::string::npos) << res->body;
  res = post(request_of(signatures()[5], kAnvilAccount1));
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(error_of(res).find("at most 1000"), std::string::npos);
  EXPECT_FALSE(glisk::testing::find_author(tokens, kAnvilAccount1));
}

TEST_P(AuthorPromptTest, UnknownAndMalformedAuthors) {
  auto res = client.Get(std::string("/api/authors/") + kAnvilAccount1);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_NE(error_of(res).find("no author with wallet"), std::string::npos);
  res = client.Get("/api/authors/not-an-address");
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(error_of(res).find("must be an Ethereum address"), std::string::npos);
}

TEST_P(AuthorPromptTest, ListShowsTokensAndPrompts) {
  registry.set_prompt(kAnvilAccount1, "by the operator");
  const int64_t author = glisk::testing::add_author(tokens, "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", std::nullopt);
  glisk::testing::add_token(tokens, 1, author);
  glisk::testing::add_token(tokens, 2, author);
  auto all = registry.list();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].wallet_address, "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
  EXPECT_FALSE(all[0].has_prompt);
  EXPECT_EQ(all[0].tokens, 2);
  EXPECT_EQ(all[1].wallet_address, kAnvilAccount1);
  EXPECT_TRUE(all[1].has_prompt);
  EXPECT_EQ(all[1].tokens, 0);
}

TEST_P(AuthorPromptTest, TheCliSetsAndListsPrompts) {
  const auto dir = std::filesystem::temp_directory_path() / ("glisk_cli_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::map<std::string, std::string> env = {{"DATABASE_URL", tdb.url()}, {"LOG_FORMAT", "json"}};
  std::string lower = kAnvilAccount1;
  for (auto& c : lower) c = static_cast<char>(std::tolower(c));
  glisk::testing::Subprocess set({GLISK_BINARY, "authors", "set-prompt", lower, "a quiet harbour"}, env, dir.string());
  ASSERT_EQ(set.wait(30s), 0) << set.all_stderr();
  EXPECT_NE(set.all_stdout().find(std::string("prompt set for ") + kAnvilAccount1), std::string::npos);
  EXPECT_EQ(stored_prompt(), "a quiet harbour");

  glisk::testing::Subprocess list({GLISK_BINARY, "authors", "list", "--json"}, env, dir.string());
  ASSERT_EQ(list.wait(30s), 0) << list.all_stderr();
  auto rows = json::parse(list.all_stdout());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["wallet_address"], kAnvilAccount1);
  EXPECT_EQ(rows[0]["has_prompt"], true);
  EXPECT_EQ(rows[0]["tokens"], 0);

  glisk::testing::Subprocess table({GLISK_BINARY, "authors", "list"}, env, dir.string());
  ASSERT_EQ(table.wait(30s), 0);
  EXPECT_NE(table.all_stdout().find("HAS PROMPT"), std::string::npos);
  EXPECT_NE(table.all_stdout().find(std::string(kAnvilAccount1) + "  yes"), std::string::npos) << table.all_stdout();

  glisk::testing::Subprocess bad({GLISK_BINARY, "authors", "set-prompt", "0x12", "text"}, env, dir.string());
  EXPECT_EQ(bad.wait(30s), 2);
  EXPECT_NE(bad.all_stderr().find("must be an Ethereum address"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuthorPromptTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         glisk::testing::backend_param_name);
