#include "eth/address.hpp"

#include <algorithm>
#include <cctype>

#include "eth/hex.hpp"
#include "eth/keccak.hpp"

namespace glisk::eth {

namespace {
constexpr size_t kAddressSize = 20;
constexpr size_t kMaxQuoted = 60;

std::string quoted(std::string_view text) {
  if (text.size() > kMaxQuoted) return "a " + std::to_string(text.size()) + "-character string";
  return "'" + std::string(text) + "'";
}
}  // namespace

Address Address::from_bytes(std::span<const uint8_t> bytes) {
  if (bytes.size() != kAddressSize) {
    throw InvalidAddress("an address has 20 bytes, got " + std::to_string(bytes.size()));
  }
  std::array<uint8_t, 20> out;
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return Address(out);
}

Address Address::parse(std::string_view text) {
  if (text.size() != 2 + 2 * kAddressSize) {
    throw InvalidAddress("an address is 0x and 40 hex digits, got " + quoted(text));
  }
  Bytes bytes;
  try {
    bytes = from_hex(text, "address");
  } catch (const InvalidHex& e) {
    throw InvalidAddress(e.what());
  }
  std::string_view digits = text.substr(2);
  bool has_lower = std::any_of(digits.begin(), digits.end(), [](char c) { return c >= 'a' && c <= 'f'; });
  bool has_upper = std::any_of(digits.begin(), digits.end(), [](char c) { return c >= 'A' && c <= 'F'; });
  Address address = from_bytes(bytes);
  if (has_lower && has_upper && address.to_checksum().substr(2) != digits) {
    throw InvalidAddress("address " + std::string(text) + " has a wrong EIP-55 checksum (mistyped?); expected " +
                         address.to_checksum());
  }
  return address;
}

std::string Address::to_checksum() const {
  std::string lower = to_hex(bytes_).substr(2);
  Hash hash = keccak256(std::string_view(lower));
  std::string out = "0x";
  for (size_t i = 0; i < lower.size(); ++i) {
    // Nibble i of the hash of the lowercase hex decides the case of letter i.
    uint8_t nibble = (i % 2 == 0) ? hash[i / 2] >> 4 : hash[i / 2] & 0xf;
    char c = lower[i];
    out += (nibble >= 8 && c >= 'a') ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
  }
  return out;
}

bool is_checksummed(std::string_view text) {
  try {
    return Address::parse(text).to_checksum() == text;
  } catch (const InvalidAddress&) {
    return false;
  }
}

Address address_from_public_key(std::span<const uint8_t> public_key) {
  if (public_key.size() != 64) {
    throw InvalidAddress("an uncompressed public key without prefix has 64 bytes, got " +
                         std::to_string(public_key.size()));
  }
  Hash hash = keccak256(public_key);
  return Address::from_bytes(std::span(hash).subspan(12));
}

}  // namespace glisk::eth
