// The JSON-RPC client against a real anvil (from .tools/node; scripts/install-node-tools puts it
// there) on a free loopback port, and against a scripted HTTP server for answers no real node
// gives. A missing anvil or solc fails the suite with a message saying what to run: never a skip.

#include <arpa/inet.h>
#include <cryptopp/keccak.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <regex>
#include <thread>

#include "anvil.hpp"
#include "chain/block.hpp"
#include "chain/log_entry.hpp"
#include "chain/rpc_client.hpp"
#include "fakes/fake_server.hpp"
#include "ports.hpp"
#include "subprocess.hpp"
#include "test_support.hpp"

namespace glisk::chain {
namespace {

using glisk::testing::thrown;

constexpr const char* kFirstAccount = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";  // anvil's, unlocked
constexpr const char* kTenThousandEther = "0x21e19e0c9bab2400000";                   // 10^22 wei
constexpr uint64_t kMintPrice = 1000;                                                // wei

std::string to_hex(const unsigned char* bytes, size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 15];
  }
  return out;
}

// "0x" + keccak256(text) in hex: an event's topic when `text` is its signature.
std::string keccak_hex(const std::string& text) {
  CryptoPP::Keccak_256 keccak;
  unsigned char digest[32];
  keccak.CalculateDigest(digest, reinterpret_cast<const CryptoPP::byte*>(text.data()), text.size());
  return "0x" + to_hex(digest, sizeof digest);
}

// The ABI selector of a function or error: the first 4 bytes of keccak256 of its signature.
std::string selector(const std::string& signature) { return keccak_hex(signature).substr(0, 10); }

std::string word(uint64_t value) {  // one 32-byte ABI word, without 0x
  std::string hex = to_quantity(value).substr(2);
  return std::string(64 - hex.size(), '0') + hex;
}

// One anvil and one deployed GliskNFT for the suite: starting anvil is the slow part.
class ChainRpcTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { suite_.start(); }
  static void TearDownTestSuite() { suite_.stop(); }
  void SetUp() override {
    ASSERT_TRUE(suite_.ready()) << suite_.error();
    client_ = std::make_unique<RpcClient>(http_, suite_.anvil().url());
  }

  std::string deploy_glisk_nft() { return glisk::testing::deploy_glisk_nft(*client_, kMintPrice); }

  static glisk::testing::SuiteAnvil suite_;
  net::HttpClient http_;
  std::unique_ptr<RpcClient> client_;
};

glisk::testing::SuiteAnvil ChainRpcTest::suite_;

TEST_F(ChainRpcTest, ChainIdIsAnvils) { EXPECT_EQ(client_->chain_id(), 31337u); }

TEST_F(ChainRpcTest, BlockNumberAndBlock) {
  uint64_t number = client_->block_number();
  auto block = client_->get_block_by_number(to_quantity(number));
  ASSERT_TRUE(block.has_value());
  EXPECT_EQ(block->at("number"), to_quantity(number));
  EXPECT_FALSE(client_->get_block_by_number(to_quantity(number + 1000)).has_value());
}

TEST_F(ChainRpcTest, AnvilsBlockHeaderDecodesIntoTypedFields) {
  const uint64_t number = client_->block_number();
  auto header = fetch_block_header(*client_, to_quantity(number));
  ASSERT_TRUE(header.has_value());
  EXPECT_EQ(header->number, static_cast<int64_t>(number));
  EXPECT_EQ(header->hash.size(), 66u);
  EXPECT_GT(header->timestamp, 1'600'000'000);
  EXPECT_GT(header->gas_limit, 1'000'000);
  EXPECT_TRUE(header->base_fee_per_gas.has_value());  // anvil runs with EIP-1559
  if (number > 0) {
    EXPECT_EQ(header->parent_hash, fetch_block_header(*client_, to_quantity(number - 1))->hash);
  }
  EXPECT_FALSE(fetch_block_header(*client_, to_quantity(number + 1000)).has_value());
}

TEST_F(ChainRpcTest, FirstDefaultAccountHoldsTenThousandEther) {
  // Read at block 0: later tests spend from this account.
  EXPECT_EQ(client_->get_balance(kFirstAccount, "0x0"), kTenThousandEther);
}

TEST_F(ChainRpcTest, DeploysGliskNftAndCallsNextTokenId) {
  std::string contract = deploy_glisk_nft();
  ASSERT_EQ(contract.size(), 42u);
  EXPECT_EQ(selector("nextTokenId()"), "0x75794a3c");
  std::string result = client_->eth_call(contract, selector("nextTokenId()"));
  EXPECT_EQ(result, "0x" + word(1));
  EXPECT_EQ(client_->eth_call(contract, selector("mintPrice()")), "0x" + word(kMintPrice));
  EXPECT_GE(client_->get_transaction_count(kFirstAccount), 1u);
}

TEST_F(ChainRpcTest, RevertBecomesRpcErrorWithRevertData) {
  std::string contract = deploy_glisk_nft();
  // mint(author, 1) without paying reverts with WrongPayment(expected=1000, sent=0).
  std::string mint =
      selector("mint(address,uint256)") + std::string(24, '0') + std::string(kFirstAccount).substr(2) + word(1);
  auto e = thrown<RpcError>([&] { client_->eth_call(contract, mint); });
  EXPECT_EQ(e.code(), 3);
  EXPECT_NE(e.message().find("execution reverted"), std::string::npos) << e.message();
  EXPECT_EQ(e.data(), selector("WrongPayment(uint256,uint256)") + word(kMintPrice) + word(0));
  EXPECT_NE(std::string(e.what()).find("eth_call: node answered error 3"), std::string::npos) << e.what();
}

TEST_F(ChainRpcTest, UnknownMethodBecomesRpcError) {
  auto e = thrown<RpcError>([&] { client_->call("glisk_noSuchMethod", JsonValue::array()); });
  EXPECT_EQ(e.code(), -32601);
  EXPECT_NE(std::string(e.what()).find("glisk_noSuchMethod: node answered error -32601"), std::string::npos)
      << e.what();
}

TEST_F(ChainRpcTest, PendingTransactionHasNoReceipt) {
  const std::string unknown = "0x" + std::string(64, 'a');
  EXPECT_FALSE(client_->get_transaction_receipt(unknown).has_value());
  EXPECT_FALSE(client_->get_transaction_by_hash(unknown).has_value());
}

TEST_F(ChainRpcTest, FeeHistoryAndLogs) {
  JsonValue history = client_->fee_history(1, "latest", {50.0});
  EXPECT_TRUE(history.contains("baseFeePerGas")) << history.dump();
  std::string contract = deploy_glisk_nft();
  JsonValue logs = client_->get_logs({{"fromBlock", "0x0"}, {"toBlock", "latest"}, {"address", contract}});
  ASSERT_EQ(logs.size(), 1u);  // OwnershipTransferred from the constructor
  EXPECT_EQ(logs[0].at("topics")[0], keccak_hex("OwnershipTransferred(address,address)"));
  const auto decoded = fetch_logs(*client_, {{"fromBlock", "0x0"}, {"toBlock", "latest"}, {"address", contract}});
  ASSERT_EQ(decoded.size(), 1u);
  EXPECT_EQ(decoded[0].topics.at(0), keccak_hex("OwnershipTransferred(address,address)"));
  EXPECT_EQ(decoded[0].block_hash, fetch_block_header(*client_, to_quantity(decoded[0].block_number))->hash);
  EXPECT_EQ(decoded[0].tx_hash.size(), 66u);
}

// --- Failures no healthy node gives, without anvil. ---

int unused_port() { return glisk::testing::unused_loopback_port(); }  // connecting is refused

TEST(ChainRpc, UnreachableNodeIsTransientAfterRetries) {
  net::HttpClient http;
  RpcClient client(
      http, "http://127.0.0.1:" + std::to_string(unused_port()) + "/v2/secret-key?k=1",
      {.timeout = std::chrono::seconds(2), .max_attempts = 3, .retry_backoff = std::chrono::milliseconds(10)});
  // Its own class (a TransientError), so that the outage is reported once (chain/monitored_rpc.hpp).
  auto e = thrown<NodeUnreachable>([&] { client.chain_id(); });
  std::string what = e.what();
  EXPECT_NE(what.find("eth_chainId at http://127.0.0.1:"), std::string::npos) << what;
  EXPECT_NE(what.find("node unreachable after 3 attempts (last: Couldn't connect to server)"), std::string::npos)
      << what;
  EXPECT_EQ(what.find("secret-key"), std::string::npos) << what;
}

TEST(ChainRpc, StopTokenAbortsBeforeSending) {
  net::HttpClient http;
  RpcClient client(http, "http://127.0.0.1:" + std::to_string(unused_port()));
  std::stop_source stop;
  stop.request_stop();
  auto e = thrown<RpcAborted>([&] { client.block_number(stop.get_token()); });
  EXPECT_NE(std::string(e.what()).find("aborted (shutting down)"), std::string::npos) << e.what();
}

// Answers every request with a fixed status and body (the body may use {id} for the request id).
class ScriptedNode : public glisk::testing::FakeServer {
 public:
  ScriptedNode(int status, std::string body) {
    server_.Post("/", [status, body](const httplib::Request& req, httplib::Response& res) {
      std::string out = body;
      if (auto at = out.find("{id}"); at != std::string::npos) {
        out.replace(at, 4, nlohmann::json::parse(req.body).at("id").dump());
      }
      res.status = status;
      res.set_content(out, "application/json");
    });
    listen();
  }
};

TEST(ChainRpc, NonJsonAnswerIsMalformed) {
  ScriptedNode node(200, "<html>gateway</html>");
  net::HttpClient http;
  auto e = thrown<MalformedResponse>([&] { RpcClient(http, node.url()).chain_id(); });
  EXPECT_NE(std::string(e.what()).find("eth_chainId at " + node.url() + ": answer is not a JSON object"),
            std::string::npos)
      << e.what();
}

TEST(ChainRpc, AnswerToAnotherRequestIsMalformed) {
  ScriptedNode node(200, R"({"jsonrpc":"2.0","id":999999,"result":"0x1"})");
  net::HttpClient http;
  auto e = thrown<MalformedResponse>([&] { RpcClient(http, node.url()).chain_id(); });
  EXPECT_NE(std::string(e.what()).find("answer has id 999999, expected 1"), std::string::npos) << e.what();
}

TEST(ChainRpc, NonQuantityResultIsMalformed) {
  ScriptedNode node(200, R"({"jsonrpc":"2.0","id":{id},"result":"12"})");
  net::HttpClient http;
  auto e = thrown<MalformedResponse>([&] { RpcClient(http, node.url()).block_number(); });
  EXPECT_NE(std::string(e.what()).find("not a 0x-hex quantity of at most 64 bits: \"12\""), std::string::npos)
      << e.what();
}

TEST(ChainRpc, ErrorObjectWinsOverHttpStatus) {
  ScriptedNode node(500,
                    R"({"jsonrpc":"2.0","id":{id},"error":{"code":-32000,"message":"nonce too low","data":{"n":1}}})");
  net::HttpClient http;
  auto e = thrown<RpcError>([&] { RpcClient(http, node.url()).send_raw_transaction("0x02"); });
  EXPECT_EQ(e.code(), -32000);
  EXPECT_EQ(e.message(), "nonce too low");
  EXPECT_EQ(e.data(), R"({"n":1})");
}

TEST(ChainRpc, BusyNodeIsTransient) {
  ScriptedNode node(503, "overloaded");
  net::HttpClient http;
  auto e = thrown<errors::TransientError>([&] { RpcClient(http, node.url()).chain_id(); });
  EXPECT_NE(std::string(e.what()).find("HTTP 503 (node busy or down)"), std::string::npos) << e.what();
}

TEST(ChainRpc, RefusedAccessIsPermanent) {
  ScriptedNode node(401, "unauthorized");
  net::HttpClient http;
  auto e = thrown<errors::PermanentError>([&] { RpcClient(http, node.url()).chain_id(); });
  EXPECT_NE(std::string(e.what()).find("access refused; check RPC_URL and its API key"), std::string::npos) << e.what();
}

TEST(ChainRpc, Quantities) {
  EXPECT_EQ(to_quantity(0), "0x0");
  EXPECT_EQ(to_quantity(31337), "0x7a69");
  EXPECT_EQ(parse_quantity("0xffffffffffffffff"), UINT64_MAX);
  auto e = thrown<std::invalid_argument>([] { parse_quantity("0x1ffffffffffffffff"); });
  EXPECT_STREQ(e.what(), "not a 0x-hex quantity of at most 64 bits: \"0x1ffffffffffffffff\"");
}

}  // namespace
}  // namespace glisk::chain
