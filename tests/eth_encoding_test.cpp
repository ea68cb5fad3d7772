// The byte-level building blocks of src/eth: hex, Keccak-256, U256 and RLP, on published
// vectors (Ethereum's RLP tests, the Keccak team's empty-input digest) and on the malformed
// input an untrusted peer could send.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "eth/hex.hpp"
#include "eth/keccak.hpp"
#include "eth/rlp.hpp"
#include "eth/uint256.hpp"
#include "test_support.hpp"

using namespace glisk::eth;
using glisk::testing::error_of;

namespace {

std::string rlp_hex(const Bytes& encoded) { return to_hex(encoded); }

Bytes list_of(std::vector<Bytes> items) { return rlp_encode_list(items); }

}  // namespace

TEST(EthHex, RoundTripsBytes) {
  Bytes bytes{0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(to_hex(bytes), "0x0001abff");
  EXPECT_EQ(from_hex("0x0001ABff"), bytes);
  EXPECT_EQ(from_hex("0x"), Bytes{});
}

TEST(EthHex, RejectsMissingPrefix) {
  EXPECT_EQ(error_of<InvalidHex>([] { from_hex("abcd"); }), "hex string must start with 0x, got 'abcd'");
}

TEST(EthHex, RejectsOddLength) {
  EXPECT_EQ(error_of<InvalidHex>([] { from_hex("0xabc", "data"); }), "data has an odd number of hex digits: '0xabc'");
}

TEST(EthHex, RejectsNonHexDigit) {
  EXPECT_EQ(error_of<InvalidHex>([] { from_hex("0xabzd"); }),
            "hex string has a non-hex character at position 4: '0xabzd'");
}

TEST(EthHex, DoesNotQuoteLongInput) {
  std::string text = "0x" + std::string(99, 'a');
  EXPECT_EQ(error_of<InvalidHex>([&] { from_hex(text); }),
            "hex string has an odd number of hex digits: a 101-character string");
}

TEST(EthKeccak, EmptyInputIsKeccakNotSha3) {
  // SHA3-256("") would be 0xa7ffc6f8…; Ethereum uses the original Keccak padding.
  EXPECT_EQ(to_hex(keccak256(std::string_view(""))),
            "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
}

TEST(EthKeccak, HashesText) {
  EXPECT_EQ(to_hex(keccak256(std::string_view("hello world"))),
            "0x47173285a8d7341e5e972fc677286384f802f8ef42a5ec5f03bbfa254cb01fad");
}

TEST(EthU256, ParsesAndPrintsDecimalAndHex) {
  U256 value = U256::parse("1000");
  EXPECT_EQ(value, U256(1000));
  EXPECT_EQ(value.to_hex(), "0x3e8");
  EXPECT_EQ(U256::parse("0x3E8").to_dec(), "1000");
  EXPECT_EQ(U256().to_hex(), "0x0");
  EXPECT_EQ(U256().to_dec(), "0");
}

TEST(EthU256, HandlesTheLargestValue) {
  std::string max_dec = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
  U256 max = U256::from_dec(max_dec);
  EXPECT_EQ(max.to_hex(), "0x" + std::string(64, 'f'));
  EXPECT_EQ(max.to_dec(), max_dec);
  EXPECT_EQ(U256::from_hex("0x" + std::string(64, 'F')), max);
}

TEST(EthU256, RejectsValuesAbove256Bits) {
  EXPECT_EQ(error_of<InvalidNumber>([] {
              U256::from_dec("115792089237316195423570985008687907853269984665640564039457584007913129639936");
            }),
            "number does not fit in 256 bits: "
            "'115792089237316195423570985008687907853269984665640564039457584007913129639936'");
  EXPECT_EQ(error_of<InvalidNumber>([] { U256::from_hex("0x1" + std::string(64, '0')); }),
            "number does not fit in 256 bits: '0x1" + std::string(64, '0') + "'");
}

TEST(EthU256, AllowsLeadingZerosInHex) { EXPECT_EQ(U256::from_hex("0x" + std::string(70, '0') + "1"), U256(1)); }

TEST(EthU256, RejectsMalformedText) {
  EXPECT_EQ(error_of<InvalidNumber>([] { U256::parse(""); }), "empty string is not a number");
  EXPECT_EQ(error_of<InvalidNumber>([] { U256::parse("-1"); }), "not a decimal number: '-1'");
  EXPECT_EQ(error_of<InvalidNumber>([] { U256::parse("0x"); }), "hex number has no digits: '0x'");
  EXPECT_EQ(error_of<InvalidNumber>([] { U256::parse("0x1g"); }), "not a hex number: '0x1g'");
}

TEST(EthU256, ArithmeticIsCheckedAndCarries) {
  U256 max = U256::from_hex("0x" + std::string(64, 'f'));
  EXPECT_EQ(U256::from_hex("0xffffffffffffffff") + U256(1), U256::from_hex("0x10000000000000000"));
  EXPECT_EQ(U256::from_hex("0xffffffffffffffff") * 16, U256::from_hex("0xffffffffffffffff0"));
  EXPECT_EQ(error_of<std::overflow_error>([&] { (void)(max + U256(1)); }), "U256 addition overflows 256 bits");
  EXPECT_EQ(error_of<std::overflow_error>([&] { (void)(max * 2); }), "U256 multiplication overflows 256 bits");
}

TEST(EthU256, ComparesAcrossLimbs) {
  EXPECT_LT(U256(5), U256::from_hex("0x10000000000000000"));
  EXPECT_GT(U256::from_hex("0x1" + std::string(63, '0')), U256::from_hex("0x" + std::string(63, 'f')));
}

TEST(EthU256, ConvertsBigEndianBytes) {
  U256 value = U256::from_be_bytes(from_hex("0x0102"));
  EXPECT_EQ(value, U256(0x0102));
  EXPECT_EQ(to_hex(value.to_minimal_be_bytes()), "0x0102");
  EXPECT_EQ(value.to_be_bytes()[31], 0x02);
  EXPECT_TRUE(U256().to_minimal_be_bytes().empty());
}

// Vectors from ethereum/tests RLPTests/rlptest.json.
TEST(EthRlp, EncodesStrings) {
  EXPECT_EQ(rlp_hex(rlp_encode_string("dog")), "0x83646f67");
  EXPECT_EQ(rlp_hex(rlp_encode_string("")), "0x80");
  EXPECT_EQ(rlp_hex(rlp_encode_bytes(Bytes{0x7f})), "0x7f");
  EXPECT_EQ(rlp_hex(rlp_encode_bytes(Bytes{0x80})), "0x8180");
}

TEST(EthRlp, EncodesA56ByteStringInLongForm) {
  std::string lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit";
  ASSERT_EQ(lorem.size(), 56u);
  std::string lorem_hex = to_hex(Bytes(lorem.begin(), lorem.end())).substr(2);
  EXPECT_EQ(rlp_hex(rlp_encode_string(lorem)), "0xb838" + lorem_hex);
}

TEST(EthRlp, EncodesIntegersMinimally) {
  EXPECT_EQ(rlp_hex(rlp_encode_uint(0)), "0x80");
  EXPECT_EQ(rlp_hex(rlp_encode_uint(15)), "0x0f");
  EXPECT_EQ(rlp_hex(rlp_encode_uint(1024)), "0x820400");
  EXPECT_EQ(rlp_hex(rlp_encode_uint(U256::from_dec("83729609699884896815286331701780722"))),
            "0x8f102030405060708090a0b0c0d0e0f2");
}

TEST(EthRlp, EncodesLists) {
  EXPECT_EQ(rlp_hex(list_of({})), "0xc0");
  EXPECT_EQ(rlp_hex(list_of({rlp_encode_string("cat"), rlp_encode_string("dog")})), "0xc88363617483646f67");
}

TEST(EthRlp, EncodesTheSetTheoreticRepresentationOfThree) {
  Bytes empty = list_of({});
  Bytes one = list_of({empty});
  Bytes two = list_of({empty, one});
  EXPECT_EQ(rlp_hex(list_of({empty, one, two})), "0xc7c0c1c0c3c0c1c0");
}

TEST(EthRlp, EncodesALongList) {
  std::vector<Bytes> items(4, rlp_encode_string("asdf"));
  for (int i = 0; i < 8; ++i) items.push_back(rlp_encode_string("qwer"));
  Bytes encoded = rlp_encode_list(items);  // 12 items of 5 bytes: 60 > 55
  EXPECT_EQ(rlp_hex(Bytes(encoded.begin(), encoded.begin() + 3)), "0xf83c84");
}

TEST(EthRlp, DecodesWhatItEncodes) {
  Bytes encoded = list_of({rlp_encode_string("cat"), list_of({rlp_encode_uint(1024)}), rlp_encode_string("")});
  RlpItem item = rlp_decode(encoded);
  ASSERT_TRUE(item.is_list);
  ASSERT_EQ(item.items.size(), 3u);
  EXPECT_EQ(std::string(item.items[0].bytes.begin(), item.items[0].bytes.end()), "cat");
  EXPECT_EQ(rlp_to_uint(item.items[1].items.at(0)), U256(1024));
  EXPECT_TRUE(item.items[2].bytes.empty());
}

TEST(EthRlp, DecodesLongStrings) {
  std::string text(1000, 'x');
  RlpItem item = rlp_decode(rlp_encode_string(text));
  EXPECT_EQ(std::string(item.bytes.begin(), item.bytes.end()), text);
}

TEST(EthRlp, RejectsTruncatedInput) {
  EXPECT_EQ(error_of<InvalidRlp>([] { rlp_decode(from_hex("0x83646f")); }),
            "invalid RLP at byte 0: length 3 runs past the end (2 bytes left)");
  EXPECT_EQ(error_of<InvalidRlp>([] { rlp_decode(Bytes{}); }), "invalid RLP at byte 0: item expected, input ends");
  EXPECT_EQ(error_of<InvalidRlp>([] { rlp_decode(from_hex("0xb9")); }),
            "invalid RLP at byte 0: length of length runs past the end");
}

TEST(EthRlp, RejectsAnItemThatOverrunsItsList) {
  // The list says 2 bytes of payload, its string item claims 3.
  EXPECT_EQ(error_of<InvalidRlp>([] { rlp_decode(from_hex("0xc283646f67")); }),
            "invalid RLP at byte 1: length 3 runs past the end (1 bytes left)");
}

TEST(EthRlp, RejectsHugeLengths) {
  EXPECT_EQ(error_of<InvalidRlp>([] { rlp_decode(from_hex("0xbfffffffffffffffff00")); }),
            "invalid RLP at byte 0: length exceeds the input");
}

TEST(EthRlp, RejectsTrailingBytes) {
  EXPECT_EQ(error_of<InvalidRlp>([] { rlp_decode(from_hex("0x8000")); }),
            "invalid RLP at byte 1: 1 trailing bytes after the item");
}

TEST(EthRlp, RejectsNonCanonicalEncodings) {
  EXPECT_EQ(error_of<InvalidRlp>([] { rlp_decode(from_hex("0x8105")); }),
            "invalid RLP at byte 0: single byte below 0x80 must encode itself");
  EXPECT_EQ(error_of<InvalidRlp>([] { rlp_decode(from_hex("0xb803646f67")); }),
            "invalid RLP at byte 0: long form used for a length of 3");
  EXPECT_EQ(error_of<InvalidRlp>([] { rlp_decode(from_hex("0xb90038" + std::string(112, '0'))); }),
            "invalid RLP at byte 0: length has a leading zero");
}

TEST(EthRlp, RejectsNonCanonicalIntegers) {
  EXPECT_EQ(error_of<InvalidRlp>([] { rlp_to_uint(rlp_decode(from_hex("0x820004"))); }),
            "invalid RLP integer: leading zero byte");
  EXPECT_EQ(error_of<InvalidRlp>([] { rlp_to_uint(rlp_decode(from_hex("0xc0"))); }),
            "invalid RLP integer: a list, not a byte string");
}

TEST(EthRlp, RefusesDeepNesting) {
  Bytes encoded = list_of({});
  for (size_t i = 0; i < kRlpMaxDepth; ++i) encoded = list_of({encoded});
  EXPECT_NO_THROW(rlp_decode(encoded));
  encoded = list_of({encoded});
  // 65 list prefixes in front of the too-deep one, the outer ten of them two bytes long.
  EXPECT_EQ(error_of<InvalidRlp>([&] { rlp_decode(encoded); }), "invalid RLP at byte 75: nesting deeper than 64");
}

TEST(EthRlp, RejectsEveryTruncationOfAValidEncoding) {
  std::string lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit";
  Bytes encoded = list_of({rlp_encode_string(lorem), list_of({rlp_encode_uint(1024), rlp_encode_string("")})});
  for (size_t size = 0; size < encoded.size(); ++size) {
    Bytes prefix(encoded.begin(), encoded.begin() + static_cast<std::ptrdiff_t>(size));
    EXPECT_THROW(rlp_decode(prefix), InvalidRlp) << "prefix of " << size << " bytes";
  }
}

TEST(EthRlp, RandomInputEitherDecodesOrThrowsInvalidRlp) {
  // Run under ASan (GLISK_SANITIZE=address) this also shows no read goes out of bounds.
  std::mt19937 random(7);
  for (int round = 0; round < 20000; ++round) {
    Bytes input(random() % 12);
    for (auto& b : input) b = static_cast<uint8_t>(0x7c + random() % 0x84);  // mostly prefixes
    try {
      rlp_decode(input);
    } catch (const InvalidRlp&) {
    }
  }
}
