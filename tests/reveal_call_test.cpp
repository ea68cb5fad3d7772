// What a reveal transaction says in each mode (reveal/reveal_call.hpp): the mode follows
// REVEAL_FUNCTION's shape; the digest mode takes only raw sha2-256 CIDv1s and says what to do with
// anything else; the calldata carries the digest (digest mode) or the URI (legacy mode).

#include "reveal/reveal_call.hpp"

#include <gtest/gtest.h>

#include "eth/abi.hpp"
#include "ipfs/cid.hpp"
#include "reveal/keeper.hpp"
#include "test_support.hpp"

namespace glisk::reveal {
namespace {

const std::string kCid = ipfs::cid_v1_for_file("{\"name\":\"token 1\"}");

TEST(RevealCall, TheModeFollowsTheFunctionsShape) {
  EXPECT_EQ(RevealFunction(kDigestFunction).mode(), RevealMode::kDigest);
  EXPECT_EQ(RevealFunction(kLegacyFunction).mode(), RevealMode::kUri);
  EXPECT_EQ(RevealFunction("batchRevealMultiple(uint256[],string[])").mode(), RevealMode::kUri);
  EXPECT_EQ(RevealFunction("myReveal(uint256[],bytes32[])").mode(), RevealMode::kDigest);
  for (const char* bad : {"reveal(uint256[])", "revealDigests(uint256[],bytes[])", "r(uint256[], string[])",
                          "(uint256[],string[])", "revealDigests(uint256[],bytes32[]);x"}) {
    EXPECT_THROW(RevealFunction{bad}, errors::BadInput) << bad;
  }
}

TEST(RevealCall, TheDigestModeTakesTheRawCidsDigestAndTheLegacyModeItsUri) {
  const RevealFunction digest(kDigestFunction);
  const RevealFunction legacy(kLegacyFunction);
  auto item = reveal_item(digest, 7, kCid);
  EXPECT_EQ(ipfs::raw_sha256_cid(item.digest).to_string(), kCid);

  auto data = reveal_calldata(digest, {item});
  EXPECT_EQ(data, eth::encode_call(kDigestFunction, {std::vector<eth::U256>{7}, std::vector<eth::Word>{item.digest}}));
  auto uri_data = reveal_calldata(legacy, {reveal_item(legacy, 7, kCid)});
  EXPECT_EQ(uri_data,
            eth::encode_call(kLegacyFunction, {std::vector<eth::U256>{7}, std::vector<std::string>{"ipfs://" + kCid}}));
  EXPECT_EQ(data.size() - 4 - 4 * 32, 64u) << "calldata per token in the digest mode";
  EXPECT_EQ(uri_data.size() - 4 - 4 * 32, 192u) << "calldata per token in the legacy mode";
}

TEST(RevealCall, AnyOtherCidNeedsTheLegacyModeAndTheErrorSaysSo) {
  const RevealFunction digest(kDigestFunction);
  const std::string error = glisk::testing::error_of<errors::BadInput>(
      [&] { reveal_item(digest, 3, "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn"); });
  EXPECT_NE(error.find("token 3"), std::string::npos) << error;
  EXPECT_NE(error.find("REVEAL_FUNCTION=revealTokens(uint256[],string[])"), std::string::npos) << error;
  EXPECT_THROW(reveal_item(digest, 3, "not a cid"), errors::BadInput);
  EXPECT_THROW(reveal_item(digest, 3, "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"), errors::BadInput)
      << "a dag-pb CIDv1 (a directory or a large file)";
  // The legacy mode takes any text the IPFS stage recorded.
  EXPECT_NO_THROW(reveal_item(RevealFunction(kLegacyFunction), 3, "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn"));
}

// Reveal log lines name their tokens: sorted, the range right whatever order the batch was in.
TEST(RevealLogLines, NameTheBatchsTokensInOrderOrTheirCountAndRange) {
  auto small = with_batch({{"tx_hash", "0xab"}}, {5, 1, 3, 2, 6, 4});
  EXPECT_EQ(small["tokens"], 6);
  EXPECT_EQ(small["first_token_id"], 1);
  EXPECT_EQ(small["last_token_id"], 6);
  EXPECT_EQ(small["token_ids"], nlohmann::json({1, 2, 3, 4, 5, 6}));
  std::vector<int64_t> many;
  for (int64_t id = 300; id > 0; --id) many.push_back(id);
  auto large = with_batch({}, many);
  EXPECT_EQ(large["tokens"], 300);
  EXPECT_EQ(large["first_token_id"], 1);
  EXPECT_EQ(large["last_token_id"], 300);
  EXPECT_FALSE(large.contains("token_ids")) << "a count and a range past 50";
}

}  // namespace
}  // namespace glisk::reveal
