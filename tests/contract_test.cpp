// The project's contract (contracts/GliskNFT.sol) on a real anvil, called directly: reveals by
// digest and by URI share one state (final, all or nothing, AlreadyRevealed across both), the
// keeper and existence checks, tokenURI rebuilt from the digest byte for byte, and ERC-165.
// The reveal worker's use of it is in reveal_test.cpp.

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "anvil.hpp"
#include "chain/rpc_client.hpp"
#include "eth/abi.hpp"
#include "ipfs/cid.hpp"
#include "reveal/contract_errors.hpp"

namespace glisk::chain {
namespace {

using glisk::testing::kAnvilAccount0;
using glisk::testing::kAnvilAccount1;
using glisk::testing::kAnvilAccount2;

constexpr const char* kAuthor = "0x00000000000000000000000000000000000000a1";
constexpr const char* kDigests = "revealDigests(uint256[],bytes32[])";
constexpr const char* kUris = "batchRevealMultiple(uint256[],string[])";

eth::Word digest_of(uint8_t seed) {
  eth::Word d{};
  for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>(seed * 7 + i);
  return d;
}

std::string cid_text(const eth::Word& digest) { return ipfs::raw_sha256_cid(digest).to_string(); }

class ContractTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { suite_.start(); }
  static void TearDownTestSuite() { suite_.stop(); }
  void SetUp() override {
    ASSERT_TRUE(suite_.ready()) << suite_.error();
    rpc_ = std::make_unique<RpcClient>(http_, suite_.anvil().url());
    contract_ = glisk::testing::deploy_glisk_nft(*rpc_);
    glisk::testing::mint(*rpc_, contract_, kAnvilAccount1, kAuthor, 5);  // tokens 1..5
  }

  // The call's revert, decoded ("AlreadyRevealed(2)"), or "ok" when it would succeed.
  std::string outcome(const eth::Bytes& data, const std::string& from = kAnvilAccount0) {
    try {
      rpc_->eth_call_from(from, contract_, eth::to_hex(data));
      return "ok";
    } catch (const RpcError& e) {
      return reveal::describe_revert(e);
    }
  }
  void send(const eth::Bytes& data) {
    glisk::testing::send_from_unlocked(*rpc_, kAnvilAccount0, {{"to", contract_}, {"data", eth::to_hex(data)}});
  }
  static eth::Bytes digests(std::vector<uint64_t> ids, std::vector<eth::Word> values) {
    std::vector<eth::U256> words(ids.begin(), ids.end());
    return eth::encode_call(kDigests, {words, values});
  }
  static eth::Bytes uris(std::vector<uint64_t> ids, std::vector<std::string> values) {
    std::vector<eth::U256> words(ids.begin(), ids.end());
    return eth::encode_call(kUris, {words, values});
  }
  std::string uri(uint64_t id) { return glisk::testing::token_uri(*rpc_, contract_, id); }
  bool revealed(uint64_t id) {
    return eth::decode_bool(eth::from_hex(
        rpc_->eth_call(contract_, eth::to_hex(eth::encode_call("isRevealed(uint256)", {eth::U256(id)})))));
  }

  static glisk::testing::SuiteAnvil suite_;
  net::HttpClient http_;
  std::unique_ptr<RpcClient> rpc_;
  std::string contract_;
};
glisk::testing::SuiteAnvil ContractTest::suite_;

TEST_F(ContractTest, TokenUriIsRebuiltFromTheDigestByteForByte) {
  // Digests whose last 3 bits take every value: the base32's last character takes all 8 forms.
  std::vector<eth::Word> values;
  std::set<char> last;
  for (uint8_t i = 0; i < 5; ++i) {
    auto d = digest_of(i);
    d[31] = static_cast<uint8_t>((d[31] & 0xf8) | i);
    values.push_back(d);
  }
  values[0].fill(0xff);  // the largest digest
  send(digests({1, 2, 3, 4, 5}, values));
  for (uint64_t id = 1; id <= 5; ++id) {
    EXPECT_EQ(uri(id), "ipfs://" + cid_text(values[id - 1])) << id;
    EXPECT_TRUE(uri(id).starts_with("ipfs://bafkrei")) << uri(id);
    last.insert(uri(id).back());
  }
  EXPECT_EQ(last.size(), 5u);
}

TEST_F(ContractTest, AnUnrevealedTokenShowsThePlaceholderAndNoTokenOutsideTheMintedRangeExists) {
  send(eth::encode_call("setPlaceholderURI(string)", {std::string("ipfs://placeholder")}));
  EXPECT_EQ(uri(3), "ipfs://placeholder");
  EXPECT_FALSE(revealed(3));
  EXPECT_EQ(outcome(eth::encode_call("tokenURI(uint256)", {eth::U256(0)})), "ERC721NonexistentToken(0)");
  EXPECT_EQ(outcome(eth::encode_call("tokenURI(uint256)", {eth::U256(6)})), "ERC721NonexistentToken(6)");
}

TEST_F(ContractTest, RevealsAreCheckedAndAllOrNothing) {
  const auto d = digest_of(1);
  EXPECT_EQ(outcome(digests({1}, {d}), kAnvilAccount2),
            "NotKeeper(" + eth::Address::parse(kAnvilAccount2).to_checksum() + ")");
  EXPECT_EQ(outcome(uris({1}, {"ipfs://x"}), kAnvilAccount2),
            "NotKeeper(" + eth::Address::parse(kAnvilAccount2).to_checksum() + ")");
  EXPECT_EQ(outcome(digests({0}, {d})), "ERC721NonexistentToken(0)");
  EXPECT_EQ(outcome(digests({1, 6}, {d, d})), "ERC721NonexistentToken(6)");
  EXPECT_EQ(outcome(digests({2}, {eth::Word{}})), "InvalidDigest(2)");
  eth::Word marker{};
  marker[31] = 1;  // the legacy marker is not a digest
  EXPECT_EQ(outcome(digests({2}, {marker})), "InvalidDigest(2)");
  EXPECT_EQ(outcome(uris({2}, {""})), "EmptyURI(2)");
  EXPECT_EQ(outcome(digests({1, 2}, {d})), "LengthMismatch()");
  EXPECT_EQ(outcome(digests({1, 1}, {d, d})), "AlreadyRevealed(1)");
  EXPECT_EQ(outcome(digests({}, {})), "ok") << "an empty batch: how the service checks the function exists";
  EXPECT_EQ(outcome(uris({}, {})), "ok");
  EXPECT_FALSE(revealed(1));
  EXPECT_FALSE(revealed(2));
}

TEST_F(ContractTest, ARevealIsFinalAcrossBothWays) {
  send(digests({1}, {digest_of(1)}));
  send(uris({2}, {"https://example.org/2.json"}));
  EXPECT_EQ(outcome(digests({1}, {digest_of(2)})), "AlreadyRevealed(1)");
  EXPECT_EQ(outcome(uris({1}, {"ipfs://other"})), "AlreadyRevealed(1)");
  EXPECT_EQ(outcome(digests({2}, {digest_of(2)})), "AlreadyRevealed(2)");
  EXPECT_EQ(outcome(eth::encode_call("revealTokens(uint256[],string[])",
                                     {std::vector<eth::U256>{2}, std::vector<std::string>{"ipfs://other"}})),
            "AlreadyRevealed(2)");
  EXPECT_EQ(uri(1), "ipfs://" + cid_text(digest_of(1)));
  EXPECT_EQ(uri(2), "https://example.org/2.json");
  EXPECT_TRUE(revealed(1));
  EXPECT_TRUE(revealed(2));
}

TEST_F(ContractTest, SupportsTheInterfacesMarketplacesAskFor) {
  auto supports = [&](const std::string& id) {  // bytes4 is left-aligned in its word
    const auto selector = eth::function_selector("supportsInterface(bytes4)");
    const std::string data = eth::to_hex(eth::Bytes(selector.begin(), selector.end())) + id + std::string(56, '0');
    return eth::decode_bool(eth::from_hex(rpc_->eth_call(contract_, data)));
  };
  EXPECT_TRUE(supports("49064906")) << "EIP-4906 metadata updates";
  EXPECT_TRUE(supports("80ac58cd")) << "ERC-721";
  EXPECT_TRUE(supports("5b5e139f")) << "ERC-721 metadata";
  EXPECT_TRUE(supports("01ffc9a7")) << "ERC-165";
  EXPECT_FALSE(supports("ffffffff"));
}

}  // namespace
}  // namespace glisk::chain
