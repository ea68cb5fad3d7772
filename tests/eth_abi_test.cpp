// The contract ABI: selectors, call encoding with dynamic arrays, return values and revert data,
// on the Solidity documentation's examples and on malformed data an RPC node could return.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "eth/abi.hpp"
#include "eth/hex.hpp"
#include "test_support.hpp"

using namespace glisk::eth;
using glisk::testing::error_of;

namespace {

std::string word(std::string_view hex_digits) {
  return std::string(64 - hex_digits.size(), '0') + std::string(hex_digits);
}

// `Error("Not enough Ether provided.")`, the example of the Solidity documentation.
const std::string kNotEnoughEther =
    "0x08c379a0" + word("20") + word("1a") + "4e6f7420656e6f7567682045746865722070726f76696465642e000000000000";

const std::vector<std::string> kGliskErrors = {"AlreadyRevealed(uint256)", "LengthMismatch()",
                                               "NotOwner(address,string)"};

}  // namespace

TEST(EthAbi, ComputesSelectors) {
  EXPECT_EQ(to_hex(function_selector("transfer(address,uint256)")), "0xa9059cbb");
  EXPECT_EQ(to_hex(function_selector("Error(string)")), to_hex(kErrorSelector));
  EXPECT_EQ(to_hex(function_selector("Panic(uint256)")), to_hex(kPanicSelector));
}

TEST(EthAbi, EncodesStaticArguments) {
  Bytes data = encode_call("transfer(address,uint256)",
                           {Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"), U256(1000)});
  EXPECT_EQ(to_hex(data), "0xa9059cbb" + word("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed") + word("3e8"));
}

TEST(EthAbi, EncodesDynamicArraysWithOffsets) {
  Bytes data = encode_call("f(uint256[],string[])", {std::vector<U256>{7}, std::vector<std::string>{"ab"}});
  EXPECT_EQ(to_hex(data).substr(10), word("40") + word("80") + word("1") + word("7") + word("1") + word("20") +
                                         word("2") + "6162" + std::string(60, '0'));
}

// bytes32[] as Solidity lays it out: the offset, the count, then each value as it is (left-aligned:
// a bytes32 is not a number).
TEST(EthAbi, EncodesBytes32ArraysValueByValue) {
  Word a{};
  a[0] = 0xab;
  Word b{};
  b[31] = 0x01;
  Bytes data = encode_call("revealDigests(uint256[],bytes32[])", {std::vector<U256>{7, 8}, std::vector<Word>{a, b}});
  EXPECT_EQ(to_hex(data).substr(0, 10), to_hex(function_selector("revealDigests(uint256[],bytes32[])")));
  EXPECT_EQ(to_hex(data).substr(10), word("40") + word("a0") + word("2") + word("7") + word("8") + word("2") + "ab" +
                                         std::string(62, '0') + word("1"));
  // 64 bytes a token, against 192 for "ipfs://" + a 59-character CID as a string.
  EXPECT_EQ(data.size(), 4u + 4 * 32 + 2 * 64);
}

TEST(EthAbi, DecodesAUint256ArrayArgumentAndRefusesOneThatRunsPastTheData) {
  Bytes data = encode_call("f(uint256[],string[])", {std::vector<U256>{7, 9}, std::vector<std::string>{"a", "b"}});
  std::span<const uint8_t> arguments = std::span<const uint8_t>(data).subspan(4);
  auto ids = decode_uint256_array(arguments, 0);
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0], U256(7));
  EXPECT_EQ(ids[1], U256(9));
  Bytes lying = from_hex("0x" + word("20") + word("5") + word("1"));  // says 5 values, holds 1
  EXPECT_THROW(decode_uint256_array(lying, 0), InvalidAbi);
  EXPECT_THROW(decode_uint256_array(from_hex("0x" + word("ffff")), 0), InvalidAbi);
}

TEST(EthAbi, RejectsArgumentsThatDoNotMatchTheSignature) {
  EXPECT_EQ(error_of<InvalidAbi>([] { encode_call("f(uint256)", {}); }), "f(uint256) takes 1 arguments, got 0");
  EXPECT_EQ(error_of<InvalidAbi>([] { encode_call("f(uint256)", {std::string("7")}); }),
            "ABI argument 0 does not hold a value of type uint256");
  EXPECT_EQ(error_of<InvalidAbi>([] { encode_call("f(bytes32)", {U256(1)}); }),
            "unsupported ABI type 'bytes32' in f(bytes32)");
  EXPECT_EQ(error_of<InvalidAbi>([] { encode_call("f(uint256,)", {U256(1)}); }),
            "ABI signature has an empty type: 'f(uint256,)'");
}

TEST(EthAbi, DecodesReturnValues) {
  EXPECT_EQ(decode_uint256(from_hex("0x" + word("3e8"))), U256(1000));
  EXPECT_TRUE(decode_bool(from_hex("0x" + word("1"))));
  EXPECT_EQ(decode_address(from_hex("0x" + word("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"))).to_checksum(),
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
}

TEST(EthAbi, DecodesAStringReturnValue) {
  Bytes data = from_hex(kNotEnoughEther);
  EXPECT_EQ(decode_string(std::span(data).subspan(4)), "Not enough Ether provided.");
}

TEST(EthAbi, RejectsNonCanonicalValues) {
  EXPECT_EQ(error_of<InvalidAbi>([] { decode_bool(from_hex("0x" + word("2"))); }),
            "ABI bool at byte 0 is neither 0 nor 1");
  EXPECT_EQ(error_of<InvalidAbi>([] { decode_address(from_hex("0x" + word("1" + std::string(40, '0')))); }),
            "ABI address at byte 0 has nonzero upper bytes");
}

TEST(EthAbi, RejectsShortReturnData) {
  EXPECT_EQ(error_of<InvalidAbi>([] { decode_uint256(from_hex("0x1234")); }),
            "ABI data too short: a word at byte 0 needs 32 bytes, the data has 2");
}

TEST(EthAbi, RejectsStringOffsetsAndLengthsOutOfBounds) {
  EXPECT_EQ(error_of<InvalidAbi>([] { decode_string(from_hex("0x" + std::string(64, 'f'))); }),
            "ABI string offset " + U256::from_hex("0x" + std::string(64, 'f')).to_dec() +
                " at byte 0 exceeds the data size 32");
  EXPECT_EQ(error_of<InvalidAbi>([] { decode_string(from_hex("0x" + word("20") + word("21") + word("0"))); }),
            "ABI string of 33 bytes at byte 64 runs past the end of 96 bytes");
  EXPECT_EQ(error_of<InvalidAbi>([] { decode_string(from_hex("0x" + word("20"))); }),
            "ABI data too short: a word at byte 32 needs 64 bytes, the data has 32");
}

TEST(EthAbi, DecodesErrorReverts) {
  EXPECT_EQ(decode_revert(from_hex(kNotEnoughEther)), "Error(\"Not enough Ether provided.\")");
}

TEST(EthAbi, DecodesPanicReverts) {
  EXPECT_EQ(decode_revert(from_hex("0x4e487b71" + word("11"))), "Panic(0x11: arithmetic overflow or underflow)");
  EXPECT_EQ(decode_revert(from_hex("0x4e487b71" + word("99"))), "Panic(0x99: unknown panic code)");
}

TEST(EthAbi, DecodesCustomErrorsFromTheCallersTable) {
  EXPECT_EQ(decode_revert(encode_call("AlreadyRevealed(uint256)", {U256(7)}), kGliskErrors), "AlreadyRevealed(7)");
  EXPECT_EQ(decode_revert(encode_call("LengthMismatch()", {}), kGliskErrors), "LengthMismatch()");
  Bytes not_owner = encode_call("NotOwner(address,string)",
                                {Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"), std::string("a\"b\n")});
  EXPECT_EQ(decode_revert(not_owner, kGliskErrors),
            "NotOwner(0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed, \"a\\\"b\\x0a\")");
}

TEST(EthAbi, NamesUnknownAndEmptyReverts) {
  EXPECT_EQ(decode_revert(encode_call("AlreadyRevealed(uint256)", {U256(7)})),
            "unknown error " + to_hex(function_selector("AlreadyRevealed(uint256)")) + " (32 bytes of arguments)");
  EXPECT_EQ(decode_revert(Bytes{}), "revert without data");
}

TEST(EthAbi, RejectsMalformedRevertData) {
  EXPECT_EQ(error_of<InvalidAbi>([] { decode_revert(from_hex("0x08c379")); }),
            "revert data of 3 bytes is too short for a selector");
  EXPECT_EQ(error_of<InvalidAbi>([] { decode_revert(from_hex("0x08c379a0" + word("20"))); }),
            "ABI data too short: a word at byte 32 needs 64 bytes, the data has 32");
  EXPECT_EQ(error_of<InvalidAbi>([] { decode_revert(from_hex("0x4e487b71")); }),
            "ABI data too short: a word at byte 0 needs 32 bytes, the data has 0");
}

TEST(EthAbi, RejectsEveryTruncationOfAnErrorRevert) {
  Bytes data = from_hex(kNotEnoughEther);
  size_t string_end = 4 + 32 + 32 + 26;  // the zero padding after the text is not required
  for (size_t size = 1; size < string_end; ++size) {
    Bytes prefix(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(size));
    EXPECT_THROW(decode_revert(prefix), InvalidAbi) << "prefix of " << size << " bytes";
  }
}

TEST(EthAbi, RandomRevertDataEitherDecodesOrThrowsInvalidAbi) {
  // Words of small numbers, so offsets and lengths often point inside the data.
  std::mt19937 random(11);
  for (int round = 0; round < 5000; ++round) {
    std::string hex =
        round % 2 == 0 ? "0x08c379a0" : "0x" + to_hex(function_selector("NotOwner(address,string)")).substr(2);
    for (unsigned words = random() % 5; words > 0; --words)
      hex += word(to_hex(Bytes{static_cast<uint8_t>(random() % 0x50)}).substr(2));
    try {
      decode_revert(from_hex(hex), kGliskErrors);
    } catch (const InvalidAbi&) {
    }
  }
}
