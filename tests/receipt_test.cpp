// The receipt is decoded once at the chain's edge; a garbled one is a transient fault of the
// answer, never a revert.
#include "chain/receipt.hpp"

#include <gtest/gtest.h>

using glisk::chain::decode_receipt;
using glisk::chain::JsonValue;
using glisk::chain::MalformedResponse;

namespace {

JsonValue mined(const std::string& status) {
  return {{"blockNumber", "0x1b4"}, {"blockHash", "0x" + std::string(64, 'a')},
          {"gasUsed", "0x5208"},    {"effectiveGasPrice", "0x3b9aca00"},
          {"status", status},       {"contractAddress", nullptr}};
}

}  // namespace

TEST(Receipt, AMinedReceiptIsDecodedIntoTypedFields) {
  const auto r = decode_receipt(mined("0x1"));
  EXPECT_EQ(r.block_number, 436u);
  EXPECT_EQ(r.gas_used, 21000u);
  EXPECT_EQ(r.effective_gas_price.to_dec(), "1000000000");
  EXPECT_TRUE(r.succeeded);
  EXPECT_FALSE(r.contract_address);
  EXPECT_FALSE(decode_receipt(mined("0x0")).succeeded);
}

TEST(Receipt, AGarbledStatusIsAMalformedAnswerNotARevert) {
  for (const char* status : {"0x2", "", "success", "0x01"}) {
    EXPECT_THROW(decode_receipt(mined(status)), MalformedResponse) << status;
  }
  auto no_status = mined("0x1");
  no_status.erase("status");
  EXPECT_THROW(decode_receipt(no_status), MalformedResponse);
}

TEST(Receipt, AMissingOrWrongQuantityNamesTheField) {
  auto no_block = mined("0x1");
  no_block.erase("blockNumber");
  try {
    decode_receipt(no_block);
    FAIL() << "a receipt without blockNumber was accepted";
  } catch (const MalformedResponse& e) {
    EXPECT_NE(std::string(e.what()).find("blockNumber"), std::string::npos) << e.what();
  }
  auto bad_gas = mined("0x1");
  bad_gas["gasUsed"] = 21000;  // a number, not a quantity string
  EXPECT_THROW(decode_receipt(bad_gas), MalformedResponse);
  auto bad_price = mined("0x1");
  bad_price["effectiveGasPrice"] = "0xzz";
  EXPECT_THROW(decode_receipt(bad_price), MalformedResponse);
  EXPECT_THROW(decode_receipt(JsonValue::array()), MalformedResponse);
}

TEST(Receipt, ADeploymentCarriesItsContractAddress) {
  auto deployed = mined("0x1");
  deployed["contractAddress"] = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
  EXPECT_EQ(decode_receipt(deployed).contract_address, "0x5fbdb2315678afecb367f032d93f642f64180aa3");
}
