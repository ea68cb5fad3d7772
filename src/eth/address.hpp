#pragma once
// Ethereum addresses: 20 bytes, written as EIP-55 mixed-case checksummed hex. Parsing accepts an
// all-lowercase or all-uppercase address (no checksum to check) or a mixed-case one whose
// checksum is right, and throws InvalidAddress otherwise — a wrong checksum means a typo, and a
// typo in an address sends value to nobody. Pure value type, thread-safe.

#include <array>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "errors/errors.hpp"

namespace glisk::eth {

class InvalidAddress : public errors::BadInput {
 public:
  using errors::BadInput::BadInput;
};

class Address {
 public:
  Address() = default;  // the zero address
  explicit Address(const std::array<uint8_t, 20>& bytes) : bytes_(bytes) {}

  // "0x" + 40 hex digits, checksum checked when the case is mixed; throws InvalidAddress.
  static Address parse(std::string_view text);
  // Exactly 20 bytes; throws InvalidAddress.
  static Address from_bytes(std::span<const uint8_t> bytes);

  const std::array<uint8_t, 20>& bytes() const { return bytes_; }
  std::string to_checksum() const;  // EIP-55: "0x5aAeb605…"

  bool operator==(const Address& other) const = default;

 private:
  std::array<uint8_t, 20> bytes_{};
};

// Whether `text` is an address with a correct EIP-55 mixed-case checksum (all-lower or
// all-upper text is NOT checksummed and gives false).
bool is_checksummed(std::string_view text);

// The address of an uncompressed secp256k1 public key given as its 64 bytes X||Y (without the
// 0x04 prefix): the last 20 bytes of its Keccak-256. Throws InvalidAddress on another size.
Address address_from_public_key(std::span<const uint8_t> public_key);

}  // namespace glisk::eth
