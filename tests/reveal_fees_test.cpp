// Fee quotes and replacements from eth_feeHistory answers, and the reading of node errors: the
// decisions the keeper makes before it spends anything.

#include <gtest/gtest.h>

#include "eth/abi.hpp"
#include "reveal/contract_errors.hpp"
#include "reveal/fees.hpp"
#include "reveal/keeper.hpp"
#include "test_support.hpp"

namespace glisk::reveal {
namespace {

using eth::U256;
using glisk::testing::thrown;

constexpr uint64_t kGwei = 1'000'000'000;

chain::JsonValue history(std::vector<std::string> base_fees, std::vector<std::string> rewards,
                         std::vector<double> ratios) {
  chain::JsonValue h{{"oldestBlock", "0x10"}, {"baseFeePerGas", base_fees}, {"gasUsedRatio", ratios}};
  h["reward"] = chain::JsonValue::array();
  for (const auto& r : rewards) h["reward"].push_back({r});
  return h;
}

TEST(RevealFees, MaxFeeIsTwiceTheNextBaseFeePlusTheMedianTip) {
  // 3 blocks: the next base fee is the 4th entry; tips 1, 3, 2 gwei → median 2 gwei.
  auto q = quote_fees(history({"0x3b9aca00", "0x3b9aca00", "0x3b9aca00", "0x77359400"},
                              {"0x3b9aca00", "0xb2d05e00", "0x77359400"}, {0.5, 0.6, 0.4}),
                      std::nullopt, std::nullopt);
  EXPECT_EQ(q.next_base_fee, U256(2 * kGwei));
  EXPECT_EQ(q.tip, U256(2 * kGwei));
  EXPECT_EQ(q.fees.max_fee_per_gas, U256(6 * kGwei));
  EXPECT_EQ(q.fees.max_priority_fee_per_gas, U256(2 * kGwei));
  EXPECT_FALSE(q.above_cap);
}

TEST(RevealFees, EmptyBlocksDoNotCountAndTheNodesSuggestionFillsIn) {
  auto h = history({"0x7", "0x7", "0x7"}, {"0x0", "0x0"}, {0.0, 0.0});
  EXPECT_EQ(quote_fees(h, std::nullopt, std::nullopt).tip, U256(0));
  auto q = quote_fees(h, U256(kGwei), std::nullopt);
  EXPECT_EQ(q.tip, U256(kGwei));
  EXPECT_EQ(q.fees.max_fee_per_gas, U256(14 + kGwei));
}

TEST(RevealFees, TheCapClipsTheMaxFeeAndStopsABatchWhenTheMarketIsAboveIt) {
  auto h = history({"0x3b9aca00", "0x3b9aca00"}, {"0x3b9aca00"}, {0.5});  // base 1 gwei, tip 1 gwei
  auto clipped = quote_fees(h, std::nullopt, U256(2500'000'000));
  EXPECT_FALSE(clipped.above_cap);
  EXPECT_EQ(clipped.fees.max_fee_per_gas, U256(2500'000'000));   // not 3 gwei
  auto above = quote_fees(h, std::nullopt, U256(1500'000'000));  // base + tip = 2 gwei > 1.5
  EXPECT_TRUE(above.above_cap);
}

TEST(RevealFees, ReplacementRaisesBothFeesByAnEighthAndFollowsTheMarket) {
  FeeQuote calm = quote_fees(history({"0x1", "0x1"}, {"0x1"}, {0.5}), std::nullopt, std::nullopt);
  auto r = replacement_fees({U256(100 * kGwei), U256(2 * kGwei)}, calm, std::nullopt);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->max_fee_per_gas, U256(112'500'000'000));
  EXPECT_EQ(r->max_priority_fee_per_gas, U256(2'250'000'000));
  // The market moved far up: the replacement follows it, not just +12.5%.
  FeeQuote hot = quote_fees(history({"0x0", "0xe8d4a51000"}, {"0x2540be400"}, {0.9}), std::nullopt,
                            std::nullopt);  // 1000, 10 gwei
  auto r2 = replacement_fees({U256(100 * kGwei), U256(2 * kGwei)}, hot, std::nullopt);
  EXPECT_EQ(r2->max_fee_per_gas, U256(2010 * kGwei));
  EXPECT_EQ(r2->max_priority_fee_per_gas, U256(10 * kGwei));
}

TEST(RevealFees, NoReplacementWhenTheCapLeavesLessThanTheTenPercentNodesRequire) {
  FeeQuote calm = quote_fees(history({"0x1", "0x1"}, {"0x1"}, {0.5}), std::nullopt, std::nullopt);
  EXPECT_FALSE(replacement_fees({U256(100 * kGwei), U256(2 * kGwei)}, calm, U256(105 * kGwei)).has_value());
  auto r = replacement_fees({U256(100 * kGwei), U256(2 * kGwei)}, calm, U256(111 * kGwei));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->max_fee_per_gas, U256(111 * kGwei));
}

TEST(RevealFees, MalformedHistoriesAreRefused) {
  EXPECT_NE(glisk::testing::error_of<chain::MalformedResponse>([] {
              quote_fees(chain::JsonValue({{"reward", {}}}), std::nullopt, std::nullopt);
            }).find("no baseFeePerGas"),
            std::string::npos);
  EXPECT_NE(glisk::testing::error_of<chain::MalformedResponse>([] {
              quote_fees(history({"0x1", "12"}, {}, {}), std::nullopt, std::nullopt);
            }).find("not a hex quantity"),
            std::string::npos);
  EXPECT_NE(glisk::testing::error_of<chain::MalformedResponse>([] {
              quote_fees(history({"0x1", "0x1" + std::string(20, '0')}, {}, {}), std::nullopt, std::nullopt);
            }).find("beyond any real chain"),
            std::string::npos);
}

TEST(RevealFees, GweiConversions) {
  EXPECT_EQ(gwei_to_wei(0), std::nullopt);
  EXPECT_EQ(gwei_to_wei(2.5), U256(2'500'000'000));
  EXPECT_EQ(gwei_to_wei(0.000000001), U256(1));
  EXPECT_EQ(format_gwei(U256(2'500'000'000)), "2.5");
  EXPECT_EQ(format_gwei(U256(7)), "0.000000007");
  EXPECT_EQ(format_gwei(U256(30 * kGwei)), "30");
}

chain::RpcError revert_with(const std::string& signature, const std::vector<eth::AbiValue>& args) {
  return chain::RpcError("eth_call", 3, "execution reverted", eth::to_hex(eth::encode_call(signature, args)));
}

TEST(RevealErrors, RevertsAreReadAndSorted) {
  auto already = classify_revert(revert_with("AlreadyRevealed(uint256)", {U256(7)}));
  EXPECT_EQ(already.kind, RevertCause::Kind::kAlreadyRevealed);
  EXPECT_EQ(already.token_id, 7);
  EXPECT_EQ(already.reason, "AlreadyRevealed(7)");
  auto missing = classify_revert(revert_with("ERC721NonexistentToken(uint256)", {U256(999)}));
  EXPECT_EQ(missing.kind, RevertCause::Kind::kNonexistentToken);
  EXPECT_EQ(missing.token_id, 999);
  auto keeper = classify_revert(
      revert_with("NotKeeper(address)", {eth::Address::parse("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC")}));
  EXPECT_EQ(keeper.kind, RevertCause::Kind::kNotAuthorized);
  EXPECT_EQ(keeper.reason, "NotKeeper(0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC)");
  auto text = classify_revert(revert_with("Error(string)", {std::string("paused")}));
  EXPECT_EQ(text.kind, RevertCause::Kind::kOther);
  EXPECT_EQ(text.reason, "Error(\"paused\")");
  // Garbage data: the node's message stands.
  auto garbage = classify_revert(chain::RpcError("eth_call", 3, "execution reverted", "0xzz"));
  EXPECT_EQ(garbage.reason, "execution reverted");
  EXPECT_TRUE(is_revert(chain::RpcError("eth_call", -32000, "execution reverted: paused", "")));
  EXPECT_FALSE(is_revert(chain::RpcError("eth_call", -32602, "invalid params", "")));
}

TEST(RevealErrors, BroadcastAnswersOfGethAndAnvilAreSorted) {
  auto answer = [](const std::string& message) {
    return classify_broadcast_error(chain::RpcError("eth_sendRawTransaction", -32000, message, ""));
  };
  EXPECT_EQ(answer("already known"), BroadcastAnswer::kAccepted);
  EXPECT_EQ(answer("transaction already imported"), BroadcastAnswer::kAccepted);
  EXPECT_EQ(answer("nonce too low: next nonce 5, tx nonce 4"), BroadcastAnswer::kNonceUsed);
  EXPECT_EQ(answer("replacement transaction underpriced"), BroadcastAnswer::kUnderpriced);
  EXPECT_EQ(answer("insufficient funds for gas * price + value"), BroadcastAnswer::kInsufficientFunds);
  EXPECT_EQ(answer("max fee per gas less than block base fee"), BroadcastAnswer::kRefused);
}

TEST(RevealFees, AFeeHistoryIsDecodedOnceIntoNumbers) {
  const auto decoded = chain::decode_fee_history(
      {{"baseFeePerGas", {"0x1", "0x2"}}, {"gasUsedRatio", {0.5, nullptr}}, {"reward", {{"0x3", "0x4"}, {"0x5"}}}});
  ASSERT_EQ(decoded.base_fee_per_gas.size(), 2u);
  EXPECT_EQ(decoded.base_fee_per_gas.back(), U256(2));
  ASSERT_EQ(decoded.gas_used_ratio.size(), 2u);
  EXPECT_EQ(decoded.gas_used_ratio[0], 0.5);
  EXPECT_FALSE(decoded.gas_used_ratio[1]);
  ASSERT_EQ(decoded.reward.size(), 2u);
  EXPECT_EQ(decoded.reward[0][1], U256(4));
  // Every entry is checked, not only the ones the quote reads.
  EXPECT_THROW(chain::decode_fee_history({{"baseFeePerGas", {"zz", "0x2"}}}), chain::MalformedResponse);
  EXPECT_THROW(chain::decode_fee_history({{"baseFeePerGas", {"0x2"}}, {"reward", {"0x1"}}}), chain::MalformedResponse);
}

}  // namespace
}  // namespace glisk::reveal
