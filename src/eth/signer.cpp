#include "eth/signer.hpp"

#include <cryptopp/misc.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <algorithm>
#include <string>

#include "errors/assert.hpp"

namespace glisk::eth {

namespace {
// Created once and never randomised afterwards: libsecp256k1 allows concurrent use of a
// context as long as it is not modified.
const secp256k1_context* context() {
  static const secp256k1_context* const kContext = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  return kContext;
}

Address address_of(const secp256k1_pubkey& public_key) {
  std::array<uint8_t, 65> serialized;
  size_t size = serialized.size();
  secp256k1_ec_pubkey_serialize(context(), serialized.data(), &size, &public_key, SECP256K1_EC_UNCOMPRESSED);
  return address_from_public_key(std::span(serialized).subspan(1));  // drop the 0x04 prefix
}
}  // namespace

std::array<uint8_t, 65> Signature::to_rsv() const {
  std::array<uint8_t, 65> out;
  std::copy(r.begin(), r.end(), out.begin());
  std::copy(s.begin(), s.end(), out.begin() + 32);
  out[64] = static_cast<uint8_t>(27 + y_parity);
  return out;
}

Signature Signature::from_rsv(std::span<const uint8_t> bytes) {
  if (bytes.size() != 65) throw InvalidSignature("a signature has 65 bytes, got " + std::to_string(bytes.size()));
  uint8_t v = bytes[64];
  if (v != 0 && v != 1 && v != 27 && v != 28) {
    throw InvalidSignature("signature recovery byte v must be 0, 1, 27 or 28, got " + std::to_string(v));
  }
  Signature signature;
  std::copy(bytes.begin(), bytes.begin() + 32, signature.r.begin());
  std::copy(bytes.begin() + 32, bytes.begin() + 64, signature.s.begin());
  signature.y_parity = static_cast<uint8_t>(v >= 27 ? v - 27 : v);
  return signature;
}

PrivateKey PrivateKey::from_hex(std::string_view text) {
  // Checked by hand rather than through eth::from_hex, whose messages may quote the input.
  if (text.size() != 66 || !(text.starts_with("0x") || text.starts_with("0X"))) {
    throw InvalidKey("a private key is 0x and 64 hex digits (got " + std::to_string(text.size()) + " characters)");
  }
  std::array<uint8_t, 32> secret{};
  for (size_t i = 0; i < 64; ++i) {
    int value = hex_digit_value(text[2 + i]);
    if (value < 0) {
      CryptoPP::SecureWipeArray(secret.data(), secret.size());
      throw InvalidKey("a private key is 0x and 64 hex digits (found a non-hex character)");
    }
    secret[i / 2] = static_cast<uint8_t>(i % 2 == 0 ? value << 4 : secret[i / 2] | value);
  }
  if (secp256k1_ec_seckey_verify(context(), secret.data()) != 1) {
    CryptoPP::SecureWipeArray(secret.data(), secret.size());
    throw InvalidKey("the private key is not a valid secp256k1 key (zero or not below the curve order)");
  }
  PrivateKey key(secret);
  CryptoPP::SecureWipeArray(secret.data(), secret.size());
  return key;
}

PrivateKey::PrivateKey(const std::array<uint8_t, 32>& secret) : secret_(secret) {
  secp256k1_pubkey public_key;
  [[maybe_unused]] int created = secp256k1_ec_pubkey_create(context(), &public_key, secret_.data());
  GLISK_ASSERT(created == 1, "cannot fail: from_hex verified the secret");
  address_ = address_of(public_key);
}

PrivateKey::~PrivateKey() { CryptoPP::SecureWipeArray(secret_.data(), secret_.size()); }

Signature PrivateKey::sign_hash(const Hash& hash) const {
  secp256k1_ecdsa_recoverable_signature raw;
  // nullptr nonce function = RFC 6979; libsecp256k1 always produces low-s signatures.
  if (secp256k1_ecdsa_sign_recoverable(context(), &raw, hash.data(), secret_.data(), nullptr, nullptr) != 1) {
    throw InvalidKey("signing failed: libsecp256k1 rejected the key");
  }
  std::array<uint8_t, 64> compact;
  int recovery_id = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(context(), compact.data(), &recovery_id, &raw);
  Signature signature;
  std::copy(compact.begin(), compact.begin() + 32, signature.r.begin());
  std::copy(compact.begin() + 32, compact.end(), signature.s.begin());
  signature.y_parity = static_cast<uint8_t>(recovery_id);
  return signature;
}

Address recover_address(const Hash& hash, const Signature& signature) {
  if (signature.y_parity > 1) {
    throw InvalidSignature("signature y parity must be 0 or 1, got " + std::to_string(signature.y_parity));
  }
  std::array<uint8_t, 64> compact;
  std::copy(signature.r.begin(), signature.r.end(), compact.begin());
  std::copy(signature.s.begin(), signature.s.end(), compact.begin() + 32);
  secp256k1_ecdsa_recoverable_signature raw;
  if (secp256k1_ecdsa_recoverable_signature_parse_compact(context(), &raw, compact.data(), signature.y_parity) != 1) {
    throw InvalidSignature("signature r or s is not below the curve order");
  }
  secp256k1_pubkey public_key;
  if (secp256k1_ecdsa_recover(context(), &public_key, &raw, hash.data()) != 1) {
    throw InvalidSignature("no public key recovers from this signature and hash");
  }
  return address_of(public_key);
}

Hash personal_message_hash(std::string_view message) {
  std::string prefixed =
      "\x19"
      "Ethereum Signed Message:\n" +
      std::to_string(message.size());
  prefixed += message;
  return keccak256(std::string_view(prefixed));
}

}  // namespace glisk::eth
