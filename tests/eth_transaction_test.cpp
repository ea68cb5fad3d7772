// EIP-1559 transactions and ABI calls, checked against an independent implementation: ethers v6
// (scripts/eth-reference.mjs, installed by scripts/install-node-tools) signs the same
// transactions and encodes the same calls, and the bytes must be equal. A missing node or
// ethers fails these tests with a message saying so: never a skip.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "eth/abi.hpp"
#include "eth/hex.hpp"
#include "eth/rlp.hpp"
#include "eth/signer.hpp"
#include "eth/transaction.hpp"
#include "subprocess.hpp"

using namespace glisk::eth;

namespace {

constexpr std::string_view kAnvilKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
constexpr std::string_view kWeb3DocsKey = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
const std::string kMaxU256 = "115792089237316195423570985008687907853269984665640564039457584007913129639935";

// Runs the ethers reference on `request` and puts its output lines into `lines`.
::testing::AssertionResult run_reference(const std::string& request, std::vector<std::string>& lines) {
  auto run = glisk::testing::run_node_script("scripts/eth-reference.mjs", {request});
  if (run.exit_code != 0) {
    return ::testing::AssertionFailure()
           << "the ethers reference failed (exit code " << run.exit_code << "): " << run.err << run.out
           << "It needs node (20 or later) and the ethers package that scripts/install-node-tools installs: "
              "run scripts/install-node-tools";
  }
  std::istringstream stream(run.out);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return ::testing::AssertionSuccess();
}

std::string tx_request(std::string_view key, const Eip1559Transaction& tx) {
  return std::string(R"({"kind":"tx","privateKey":")") + std::string(key) + R"(","tx":{"chainId":")" +
         std::to_string(tx.chain_id) + R"(","nonce":")" + std::to_string(tx.nonce) + R"(","maxPriorityFeePerGas":")" +
         tx.max_priority_fee_per_gas.to_dec() + R"(","maxFeePerGas":")" + tx.max_fee_per_gas.to_dec() +
         R"(","gasLimit":")" + std::to_string(tx.gas_limit) + R"(","to":)" +
         (tx.to ? "\"" + tx.to->to_checksum() + "\"" : std::string("null")) + R"(,"value":")" + tx.value.to_dec() +
         R"(","data":")" + to_hex(tx.data) + "\"}}";
}

// Whether glisk's signed bytes and hash for `tx` equal those of ethers.
::testing::AssertionResult matches_ethers(std::string_view key, const Eip1559Transaction& tx) {
  SignedTransaction signed_tx = sign_transaction(tx, PrivateKey::from_hex(key));
  std::vector<std::string> lines;
  if (auto ran = run_reference(tx_request(key, tx), lines); !ran) return ran;
  if (lines.size() != 2) return ::testing::AssertionFailure() << "ethers printed " << lines.size() << " lines";
  if (lines[0] != to_hex(signed_tx.raw)) {
    return ::testing::AssertionFailure() << "signed bytes differ:\n glisk  " << to_hex(signed_tx.raw) << "\n ethers "
                                         << lines[0];
  }
  if (lines[1] != to_hex(signed_tx.hash)) {
    return ::testing::AssertionFailure() << "hash differs: glisk " << to_hex(signed_tx.hash) << ", ethers " << lines[1];
  }
  return ::testing::AssertionSuccess();
}

std::string call_request(std::string_view signature, const std::string& args_json) {
  return R"j({"kind":"call","signature":")j" + std::string(signature) + R"j(","args":)j" + args_json + "}";
}

Eip1559Transaction transfer() {
  Eip1559Transaction tx;
  tx.chain_id = 31337;
  tx.nonce = 0;
  tx.max_priority_fee_per_gas = U256(1'000'000'000);
  tx.max_fee_per_gas = U256(2'000'000'000);
  tx.gas_limit = 21000;
  tx.to = Address::parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
  tx.value = U256::from_dec("1000000000000000000");
  return tx;
}

std::string long_uri() { return "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/metadata.json"; }

Bytes reveal_call() {
  return encode_call("batchRevealMultiple(uint256[],string[])",
                     {std::vector<U256>{1, 2, 3}, std::vector<std::string>{"ipfs://a", long_uri(), "ipfs://c"}});
}

}  // namespace

TEST(EthTransaction, SignedBytesDecodeAndRecoverToTheSigner) {
  PrivateKey key = PrivateKey::from_hex(kAnvilKey);
  SignedTransaction signed_tx = sign_transaction(transfer(), key);
  DecodedTransaction decoded = decode_signed_transaction(signed_tx.raw);
  EXPECT_EQ(decoded.transaction.encode_signed(decoded.signature), signed_tx.raw);
  EXPECT_EQ(decoded.transaction.signing_hash(), transfer().signing_hash());
  EXPECT_EQ(recover_address(decoded.transaction.signing_hash(), decoded.signature), key.address());
  EXPECT_EQ(signed_tx.hash, keccak256(signed_tx.raw));
}

TEST(EthTransaction, DecodingRefusesAYParityOtherThanZeroOrOne) {
  Bytes raw = sign_transaction(transfer(), PrivateKey::from_hex(kAnvilKey)).raw;
  RlpItem fields = rlp_decode(std::span(raw).subspan(1));
  std::vector<Bytes> encoded;
  for (size_t i = 0; i < fields.items.size(); ++i) {
    encoded.push_back(i == 8   ? rlp_encode_list({})
                      : i == 9 ? rlp_encode_uint(2)
                               : rlp_encode_bytes(fields.items[i].bytes));
  }
  Bytes tampered = rlp_encode_list(encoded);
  tampered.insert(tampered.begin(), kEip1559TransactionType);
  try {
    decode_signed_transaction(tampered);
    FAIL() << "a y parity of 2 was accepted";
  } catch (const InvalidRlp& e) {
    EXPECT_STREQ(e.what(), "signature y parity must be 0 or 1, got 2");
  }
}

TEST(EthTransaction, EncodesCreationWithAnEmptyTo) {
  Eip1559Transaction tx = transfer();
  tx.to.reset();
  Bytes encoded = tx.encode_unsigned();
  RlpItem fields = rlp_decode(std::span(encoded).subspan(1));
  ASSERT_EQ(fields.items.size(), 9u);
  EXPECT_FALSE(fields.items[5].is_list);
  EXPECT_TRUE(fields.items[5].bytes.empty());
  EXPECT_TRUE(fields.items[8].is_list && fields.items[8].items.empty());  // the access list
}

TEST(EthReference, TransferMatchesEthers) { EXPECT_TRUE(matches_ethers(kAnvilKey, transfer())); }

TEST(EthReference, ContractCreationMatchesEthers) {
  Eip1559Transaction tx = transfer();
  tx.to.reset();
  tx.value = U256(0);
  tx.gas_limit = 3'000'000;
  tx.data = from_hex(
      "0x6080604052348015600f57600080fd5b50603f80601d6000396000f3fe6080604052600080fdfea164736f6c6343000818000a");
  EXPECT_TRUE(matches_ethers(kAnvilKey, tx));
}

TEST(EthReference, LargeValuesMatchEthers) {
  Eip1559Transaction tx = transfer();
  tx.chain_id = 84532;
  tx.nonce = 9007199254740991;  // the largest nonce ethers takes (a JavaScript safe integer)
  tx.max_priority_fee_per_gas = U256::from_dec(kMaxU256);
  tx.max_fee_per_gas = U256::from_dec(kMaxU256);
  tx.gas_limit = 30'000'000;
  tx.value = U256::from_dec(kMaxU256);
  EXPECT_TRUE(matches_ethers(kWeb3DocsKey, tx));
}

TEST(EthReference, ZeroFieldsAndEmptyDataMatchEthers) {
  Eip1559Transaction tx = transfer();
  tx.chain_id = 1;
  tx.max_priority_fee_per_gas = U256(0);
  tx.value = U256(0);
  EXPECT_TRUE(matches_ethers(kWeb3DocsKey, tx));
}

TEST(EthReference, RevealCallTransactionMatchesEthers) {
  Eip1559Transaction tx = transfer();
  tx.nonce = 42;
  tx.gas_limit = 500'000;
  tx.value = U256(0);
  tx.data = reveal_call();
  EXPECT_TRUE(matches_ethers(kAnvilKey, tx));
}

TEST(EthReference, BatchRevealCallMatchesEthers) {
  std::vector<std::string> lines;
  ASSERT_TRUE(run_reference(call_request("batchRevealMultiple(uint256[],string[])",
                                         R"j([["1","2","3"],["ipfs://a",")j" + long_uri() + R"j(","ipfs://c"]])j"),
                            lines));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(to_hex(reveal_call()), lines[0]);
}

TEST(EthReference, EmptyArraysMatchEthers) {
  std::vector<std::string> lines;
  ASSERT_TRUE(run_reference(call_request("batchRevealMultiple(uint256[],string[])", "[[],[]]"), lines));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(
      to_hex(encode_call("batchRevealMultiple(uint256[],string[])", {std::vector<U256>{}, std::vector<std::string>{}})),
      lines[0]);
}

TEST(EthReference, StaticAndStringArgumentsMatchEthers) {
  std::string text = "exactly-32-bytes-of-text-0123456";
  std::vector<std::string> lines;
  ASSERT_TRUE(run_reference(
      call_request("mint(address,uint256,string)",
                   R"j(["0x70997970C51812dc3A010C7d01b50e0d17dc79C8",")j" + kMaxU256 + R"j(",")j" + text + R"j("])j"),
      lines));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(
      to_hex(encode_call("mint(address,uint256,string)", {Address::parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
                                                          U256::from_dec(kMaxU256), text})),
      lines[0]);
}

TEST(EthReference, PersonalSignMatchesEthers) {
  std::string message = "reveal token 7 at 2026-11-30";
  std::vector<std::string> lines;
  ASSERT_TRUE(run_reference(
      R"j({"kind":"message","privateKey":")j" + std::string(kAnvilKey) + R"j(","message":")j" + message + R"j("})j",
      lines));
  ASSERT_EQ(lines.size(), 2u);
  Hash hash = personal_message_hash(message);
  EXPECT_EQ(to_hex(hash), lines[0]);
  EXPECT_EQ(to_hex(PrivateKey::from_hex(kAnvilKey).sign_hash(hash).to_rsv()), lines[1]);
  EXPECT_EQ(recover_address(hash, Signature::from_rsv(from_hex(lines[1]))), PrivateKey::from_hex(kAnvilKey).address());
}
