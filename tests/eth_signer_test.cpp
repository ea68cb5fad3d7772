// Addresses (EIP-55) and secp256k1 signing / recovery, on published vectors: the EIP-55 test
// addresses, the web3.js documentation key and its "Some data" signature, and anvil's first
// default account.

#include <gtest/gtest.h>

#include <string>

#include "eth/address.hpp"
#include "eth/hex.hpp"
#include "eth/signer.hpp"
#include "test_support.hpp"

using namespace glisk::eth;
using glisk::testing::error_of;

namespace {

constexpr std::string_view kWeb3DocsKey = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
constexpr std::string_view kAnvilKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

Hash hash_of(std::string_view hex) {
  Bytes bytes = from_hex(hex);
  Hash hash{};
  std::copy(bytes.begin(), bytes.end(), hash.begin());
  return hash;
}

}  // namespace

TEST(EthAddress, ChecksumsTheEip55Vectors) {
  for (std::string_view text :
       {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"}) {
    std::string lower(text);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(Address::parse(lower).to_checksum(), text);
    EXPECT_TRUE(is_checksummed(text));
  }
}

TEST(EthAddress, AcceptsSingleCaseAddressesWithoutChecksum) {
  EXPECT_EQ(Address::parse("0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED").to_checksum(),
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
  EXPECT_FALSE(is_checksummed("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"));
}

TEST(EthAddress, RejectsAWrongChecksum) {
  EXPECT_EQ(error_of<InvalidAddress>([] { Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"); }),
            "address 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD has a wrong EIP-55 checksum (mistyped?); "
            "expected 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
}

TEST(EthAddress, RejectsWrongLengthAndDigits) {
  EXPECT_EQ(error_of<InvalidAddress>([] { Address::parse("0x1234"); }),
            "an address is 0x and 40 hex digits, got '0x1234'");
  EXPECT_EQ(error_of<InvalidAddress>([] { Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg"); }),
            "address has a non-hex character at position 41: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg'");
}

TEST(EthAddress, RejectsAPublicKeyOfTheWrongSize) {
  EXPECT_EQ(error_of<InvalidAddress>([] { address_from_public_key(Bytes(65, 4)); }),
            "an uncompressed public key without prefix has 64 bytes, got 65");
}

TEST(EthSigner, DerivesTheAddressOfKnownKeys) {
  EXPECT_EQ(PrivateKey::from_hex(kWeb3DocsKey).address().to_checksum(), "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
  EXPECT_EQ(PrivateKey::from_hex(kAnvilKey).address().to_checksum(), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
}

TEST(EthSigner, HashesPersonalMessagesAsEip191) {
  EXPECT_EQ(to_hex(personal_message_hash("Hello World")),
            "0xa1de988600a42c4b4ab089b619297c17d53cffae5d5120d82d8a92d0bb3b78f2");
}

TEST(EthSigner, ReproducesTheWeb3DocsSignature) {
  // web3.eth.accounts.sign('Some data', key): RFC 6979 makes the signature deterministic.
  Hash hash = personal_message_hash("Some data");
  EXPECT_EQ(to_hex(hash), "0x1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655");
  EXPECT_EQ(to_hex(PrivateKey::from_hex(kWeb3DocsKey).sign_hash(hash).to_rsv()),
            "0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd6007e74cd82e037b800186422fc2da167c747ef0"
            "45e5d18a5f5d4300f8e1a0291c");
}

TEST(EthSigner, RecoversTheSignerOfAPersonalSignSignature) {
  Signature signature =
      Signature::from_rsv(from_hex("0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd6007e74cd82e037b8"
                                   "00186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c"));
  EXPECT_EQ(recover_address(personal_message_hash("Some data"), signature).to_checksum(),
            "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
  EXPECT_NE(recover_address(personal_message_hash("Other data"), signature).to_checksum(),
            "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
}

TEST(EthSigner, SignsWithLowS) {
  PrivateKey key = PrivateKey::from_hex(kAnvilKey);
  for (int i = 0; i < 20; ++i) {
    Signature signature = key.sign_hash(keccak256(std::to_string(i)));
    EXPECT_LT(signature.s[0], 0x80) << "s must be at most n/2 (EIP-2)";
    EXPECT_EQ(recover_address(keccak256(std::to_string(i)), signature), key.address());
  }
}

TEST(EthSigner, KeyErrorsNeverContainTheKey) {
  std::string bad_digit = "0x" + std::string(63, 'a') + "z";
  EXPECT_EQ(error_of<InvalidKey>([&] { PrivateKey::from_hex(bad_digit); }),
            "a private key is 0x and 64 hex digits (found a non-hex character)");
  EXPECT_EQ(error_of<InvalidKey>([] { PrivateKey::from_hex("0xabcd"); }),
            "a private key is 0x and 64 hex digits (got 6 characters)");
}

TEST(EthSigner, RejectsKeysOutsideTheCurveOrder) {
  std::string order = "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
  EXPECT_EQ(error_of<InvalidKey>([&] { PrivateKey::from_hex(order); }),
            "the private key is not a valid secp256k1 key (zero or not below the curve order)");
  EXPECT_EQ(error_of<InvalidKey>([] { PrivateKey::from_hex("0x" + std::string(64, '0')); }),
            "the private key is not a valid secp256k1 key (zero or not below the curve order)");
}

TEST(EthSigner, RejectsMalformedSignatures) {
  EXPECT_EQ(error_of<InvalidSignature>([] { Signature::from_rsv(Bytes(64, 1)); }), "a signature has 65 bytes, got 64");
  Bytes bad_v(65, 1);
  bad_v[64] = 29;
  EXPECT_EQ(error_of<InvalidSignature>([&] { Signature::from_rsv(bad_v); }),
            "signature recovery byte v must be 0, 1, 27 or 28, got 29");
  Signature out_of_range;
  out_of_range.r.fill(0xff);
  out_of_range.s.fill(0x01);
  EXPECT_EQ(error_of<InvalidSignature>([&] { recover_address(Hash{}, out_of_range); }),
            "signature r or s is not below the curve order");
}

TEST(EthSigner, RejectsASignatureWithZeroR) {
  Signature zero_r;
  zero_r.s.fill(0x01);
  EXPECT_EQ(error_of<InvalidSignature>([&] { recover_address(hash_of("0x" + std::string(64, '1')), zero_r); }),
            "no public key recovers from this signature and hash");
}
