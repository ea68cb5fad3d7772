// BatchMinted decoding: a real log's shape, then one broken field at a time. Every malformed
// input throws InvalidMintLog with a message naming the field.
#include "mints/mint_event.hpp"

#include <gtest/gtest.h>

#include "eth/hex.hpp"
#include "eth/keccak.hpp"
#include "test_support.hpp"

using namespace glisk;
using glisk::testing::error_of;
using nlohmann::json;

namespace {

std::string word(const std::string& hex_without_0x) {
  return std::string(64 - hex_without_0x.size(), '0') + hex_without_0x;
}

json valid_log() {
  return {
      {"address", "0x5fbdb2315678afecb367f032d93f642f64180aa3"},
      {"topics",
       {mints::batch_minted_topic(), "0x" + word("70997970c51812dc3a010c7d01b50e0d17dc79c8"),
        "0x" + word("3c44cdddb6a900fa2b585dd299e03d12fa4293bc"), "0x" + word("7")}},
      {"data", "0x" + word("3") + word("bb8")},  // quantity 3, paid 3000 wei
      {"blockNumber", "0x1b"},
      {"blockHash", "0x" + std::string(64, 'a')},
      {"transactionHash", "0x" + std::string(64, 'B')},
      {"logIndex", "0x2"},
      {"removed", false},
  };
}

std::string decode_error(const json& log) {
  return error_of<mints::InvalidMintLog>([&] { mints::decode_rpc_log(log); });
}

}  // namespace

TEST(MintEvent, TopicIsKeccakOfTheEventSignature) {
  EXPECT_EQ(mints::batch_minted_topic(),
            eth::to_hex(eth::keccak256(std::string_view("BatchMinted(address,address,uint256,uint256,uint256)"))));
  EXPECT_EQ(mints::batch_minted_topic().size(), 66u);
}

TEST(MintEvent, DecodesAValidLog) {
  auto e = mints::decode_rpc_log(valid_log());
  EXPECT_EQ(e.contract, "0x5FbDB2315678afecb367f032d93F642f64180aa3");
  EXPECT_EQ(e.minter, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
  EXPECT_EQ(e.prompt_author, "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
  EXPECT_EQ(e.start_token_id, 7);
  EXPECT_EQ(e.quantity, 3);
  EXPECT_EQ(e.last_token_id(), 9);
  EXPECT_EQ(e.total_paid, "3000");
  EXPECT_EQ(e.block_number, 27);
  EXPECT_EQ(e.log_index, 2);
  EXPECT_EQ(e.tx_hash, "0x" + std::string(64, 'b'));  // lowercased
  EXPECT_EQ(e.block_hash, "0x" + std::string(64, 'a'));
}

TEST(MintEvent, TopicCaseDoesNotMatter) {
  auto log = valid_log();
  std::string upper = mints::batch_minted_topic();
  for (size_t i = 2; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  log["topics"][0] = upper;
  EXPECT_EQ(mints::decode_rpc_log(log).quantity, 3);
}

TEST(MintEvent, AnotherEventIsRefused) {
  auto log = valid_log();
  log["topics"][0] = eth::to_hex(eth::keccak256(std::string_view("Transfer(address,address,uint256)")));
  EXPECT_FALSE(mints::is_batch_minted(mints::raw_log_from_rpc(log)));
  EXPECT_NE(decode_error(log).find("is not BatchMinted"), std::string::npos);
  log["topics"] = json::array();
  EXPECT_NE(decode_error(log).find("no topics"), std::string::npos);
}

TEST(MintEvent, EveryMissingFieldIsNamed) {
  for (const char* name : {"address", "topics", "data", "blockNumber", "blockHash", "transactionHash", "logIndex"}) {
    auto log = valid_log();
    log.erase(name);
    EXPECT_NE(decode_error(log).find(std::string(name) + " is missing"), std::string::npos) << name;
  }
  EXPECT_NE(decode_error(json::array()).find("must be a JSON object"), std::string::npos);
}

TEST(MintEvent, MalformedFieldsAreRefused) {
  struct Case {
    const char* field;
    json value;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"address", "0x1234", "log address"},
      {"address", 5, "address must be a string"},
      {"topics", "0xabc", "topics must be an array"},
      {"data", "0x" + word("1"), "must be 64 bytes"},
      {"data", "0xzz", "data"},
      {"data", 12, "data must be a string"},
      {"blockNumber", "27", "blockNumber must be a 0x-hex quantity"},
      {"blockNumber", 27, "blockNumber must be a 0x-hex quantity"},
      {"blockNumber", "0x10000000000000000", "out of range"},
      {"blockHash", "0x1234", "blockHash must be 32 bytes"},
      {"transactionHash", "0xgg" + std::string(62, '0'), "transactionHash"},
      {"logIndex", "-0x1", "logIndex must be a 0x-hex quantity"},
      {"removed", true, "removed by a chain reorganisation"},
      {"removed", "no", "removed must be a boolean"},
  };
  for (const auto& c : cases) {
    auto log = valid_log();
    log[c.field] = c.value;
    EXPECT_NE(decode_error(log).find(c.expected), std::string::npos)
        << c.field << " = " << c.value.dump() << ": " << decode_error(log);
  }
}

TEST(MintEvent, TopicsMustBeAddressesAndFitTokenIds) {
  auto log = valid_log();
  log["topics"][1] = "0x" + std::string(64, 'f');
  EXPECT_NE(decode_error(log).find("topic1 (minter) is not an address"), std::string::npos);
  log = valid_log();
  log["topics"].erase(3);
  EXPECT_NE(decode_error(log).find("BatchMinted has 4 topics"), std::string::npos);
  log = valid_log();
  log["topics"][3] = "0x" + word("8000000000000000");  // 2^63
  EXPECT_NE(decode_error(log).find("does not fit a 64-bit token id"), std::string::npos);
  log["topics"][3] = "0x" + word("0");
  EXPECT_NE(decode_error(log).find("startTokenId must be at least 1"), std::string::npos);
  log["topics"][3] = "0x" + word("7ffffffffffffffe");  // + 3 tokens overflows int64
  EXPECT_NE(decode_error(log).find("do not fit 64 bits"), std::string::npos);
  log = valid_log();
  log["topics"][2] = "0x12";
  EXPECT_NE(decode_error(log).find("topic2 must be 32 bytes"), std::string::npos);
}

TEST(MintEvent, AbsurdQuantitiesAreRefused) {
  auto log = valid_log();
  log["data"] = "0x" + word("0") + word("0");
  EXPECT_NE(decode_error(log).find("quantity 0 is outside 1..10000"), std::string::npos);
  log["data"] = "0x" + word("2711") + word("0");  // 10001
  EXPECT_NE(decode_error(log).find("quantity 10001 is outside"), std::string::npos);
  log["data"] = "0x" + std::string(64, 'f') + word("0");
  EXPECT_NE(decode_error(log).find("is outside 1..10000"), std::string::npos);
  log["data"] = "0x" + word("2710") + word("0");  // exactly 10000 is fine
  EXPECT_EQ(mints::decode_rpc_log(log).quantity, 10'000);
}
