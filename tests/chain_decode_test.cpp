// The chain's edge decodes logs and block headers once: typed fields for the callers, and a
// garbled answer is a MalformedResponse naming the field (the node's fault, transient), never a
// value read half-way.
#include <gtest/gtest.h>

#include "chain/block.hpp"
#include "chain/log_entry.hpp"
#include "test_support.hpp"

namespace glisk::chain {
namespace {

using glisk::testing::error_of;

JsonValue valid_log() {
  return {{"address", "0x5fbdb2315678afecb367f032d93f642f64180aa3"},
          {"topics", {"0x" + std::string(64, '1'), "0x" + std::string(64, '2')}},
          {"data", "0x"},
          {"blockNumber", "0x1b"},
          {"blockHash", "0x" + std::string(64, 'A')},
          {"transactionHash", "0x" + std::string(64, 'b')},
          {"logIndex", "0x2"},
          {"removed", false}};
}

JsonValue valid_block() {
  return {{"number", "0x1b4"},
          {"hash", "0x" + std::string(64, 'C')},
          {"parentHash", "0x" + std::string(64, 'd')},
          {"timestamp", "0x65000000"},
          {"gasLimit", "0x1c9c380"},
          {"baseFeePerGas", "0x3b9aca00"},
          {"transactions", JsonValue::array()}};
}

std::string log_error(const JsonValue& log) {
  return error_of<MalformedResponse>([&] { decode_log_entry(log); });
}

std::string block_error(const JsonValue& block) {
  return error_of<MalformedResponse>([&] { decode_block_header(block); });
}

}  // namespace

TEST(LogEntry, AValidLogIsDecodedWithLowercaseHashes) {
  const auto e = decode_log_entry(valid_log());
  EXPECT_EQ(e.address, "0x5fbdb2315678afecb367f032d93f642f64180aa3");
  ASSERT_EQ(e.topics.size(), 2u);
  EXPECT_EQ(e.data, "0x");
  EXPECT_EQ(e.block_number, 27);
  EXPECT_EQ(e.block_hash, "0x" + std::string(64, 'a'));
  EXPECT_EQ(e.tx_hash, "0x" + std::string(64, 'b'));
  EXPECT_EQ(e.log_index, 2);
}

TEST(LogEntry, EveryMissingOrGarbledFieldIsNamed) {
  for (const char* name : {"address", "topics", "data", "blockNumber", "blockHash", "transactionHash", "logIndex"}) {
    auto log = valid_log();
    log.erase(name);
    EXPECT_NE(log_error(log).find(std::string(name) + " is missing"), std::string::npos) << name;
  }
  struct Case {
    const char* field;
    JsonValue value;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"topics", "0xabc", "topics must be an array"},
      {"topics", JsonValue::array({1}), "topics must be strings"},
      {"blockNumber", "27", "blockNumber must be a 0x-hex quantity"},
      {"blockNumber", "0x8000000000000000", "out of range"},
      {"logIndex", "-0x1", "logIndex must be a 0x-hex quantity"},
      {"blockHash", "0x1234", "blockHash must be 32 bytes"},
      {"transactionHash", "0xgg" + std::string(62, '0'), "transactionHash"},
      {"removed", true, "removed by a chain reorganisation"},
      {"removed", "no", "removed must be a boolean"},
  };
  for (const auto& c : cases) {
    auto log = valid_log();
    log[c.field] = c.value;
    EXPECT_NE(log_error(log).find(c.expected), std::string::npos) << c.field << ": " << log_error(log);
  }
  EXPECT_NE(log_error(JsonValue::array()).find("must be a JSON object"), std::string::npos);
}

TEST(BlockHeader, AValidHeaderIsDecodedIntoTypedFields) {
  const auto b = decode_block_header(valid_block());
  EXPECT_EQ(b.number, 436);
  EXPECT_EQ(b.hash, "0x" + std::string(64, 'c'));
  EXPECT_EQ(b.parent_hash, "0x" + std::string(64, 'd'));
  EXPECT_EQ(b.timestamp, 0x65000000);
  EXPECT_EQ(b.gas_limit, 30'000'000);
  ASSERT_TRUE(b.base_fee_per_gas.has_value());
  EXPECT_EQ(b.base_fee_per_gas->to_dec(), "1000000000");
  auto before_london = valid_block();
  before_london.erase("baseFeePerGas");
  EXPECT_FALSE(decode_block_header(before_london).base_fee_per_gas.has_value());
}

TEST(BlockHeader, AMissingOrGarbledFieldIsNamed) {
  for (const char* name : {"number", "hash", "parentHash", "timestamp", "gasLimit"}) {
    auto block = valid_block();
    block.erase(name);
    EXPECT_NE(block_error(block).find(std::string(name) + " is missing"), std::string::npos) << name;
  }
  auto block = valid_block();
  block["hash"] = "0xabcd";
  EXPECT_NE(block_error(block).find("hash must be 32 bytes"), std::string::npos);
  block = valid_block();
  block["baseFeePerGas"] = "lots";
  EXPECT_NE(block_error(block).find("baseFeePerGas"), std::string::npos);
  EXPECT_NE(block_error("0x1").find("must be a JSON object"), std::string::npos);
}

}  // namespace glisk::chain
