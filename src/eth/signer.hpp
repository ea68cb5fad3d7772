#pragma once
// secp256k1 signing and recovery as Ethereum uses them, on libsecp256k1 (never hand-rolled).
//   PrivateKey  – a validated secret key; signs 32-byte hashes with RFC 6979 deterministic
//                 nonces and low-s (libsecp256k1's defaults), as EIP-2 requires. The key never
//                 appears in an error message, and is wiped from memory when destroyed.
//   recover_address – the signer of a hash (ecrecover), e.g. to verify an EIP-191
//                 personal_sign signature against personal_message_hash(message).
// Errors: InvalidKey, InvalidSignature (both std::invalid_argument). Thread-safe: the shared
// libsecp256k1 context is never randomised after creation, so concurrent use is allowed.

#include <array>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string_view>

#include "errors/errors.hpp"
#include "eth/address.hpp"
#include "eth/hex.hpp"
#include "eth/keccak.hpp"

namespace glisk::eth {

class InvalidKey : public errors::BadInput {
 public:
  using errors::BadInput::BadInput;
};

class InvalidSignature : public errors::BadInput {
 public:
  using errors::BadInput::BadInput;
};

struct Signature {
  std::array<uint8_t, 32> r{};
  std::array<uint8_t, 32> s{};
  uint8_t y_parity = 0;  // 0 or 1: which of the two points with x = r is the nonce point

  // r || s || v with v = 27 + y_parity, the 65 bytes eth_sign / personal_sign return.
  std::array<uint8_t, 65> to_rsv() const;
  // From 65 bytes r || s || v with v in {0, 1, 27, 28}; throws InvalidSignature.
  static Signature from_rsv(std::span<const uint8_t> bytes);

  bool operator==(const Signature& other) const = default;
};

class PrivateKey {
 public:
  // "0x" + 64 hex digits of a valid secp256k1 secret (nonzero, below the group order);
  // throws InvalidKey with a message that never contains the text.
  static PrivateKey from_hex(std::string_view text);

  PrivateKey(const PrivateKey& other) = default;
  PrivateKey& operator=(const PrivateKey& other) = default;
  ~PrivateKey();

  const Address& address() const { return address_; }
  // Signs a 32-byte digest (the caller hashes: transaction signing hash, EIP-191 hash, …).
  Signature sign_hash(const Hash& hash) const;

 private:
  explicit PrivateKey(const std::array<uint8_t, 32>& secret);

  std::array<uint8_t, 32> secret_;
  Address address_;
};

// The address whose key made `signature` over `hash`; throws InvalidSignature when no key can
// have (r or s out of range, no point with x = r). The caller compares it to the expected signer.
Address recover_address(const Hash& hash, const Signature& signature);

// EIP-191 version 0x45, what personal_sign signs:
// keccak256("\x19Ethereum Signed Message:\n" + decimal byte length + message).
Hash personal_message_hash(std::string_view message);

}  // namespace glisk::eth
