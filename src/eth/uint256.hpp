#pragma once
// U256: the unsigned 256-bit integers of the EVM (wei amounts, gas prices, token ids, ABI words).
// Only what transactions and the ABI need: parsing from decimal or 0x-hex text, printing,
// big-endian bytes, comparison, and addition / multiplication by a 64-bit number. Arithmetic is
// checked: a result above 2^256-1 throws std::overflow_error rather than wrapping, because a
// wrapped fee or value would be silently wrong. Parsing throws InvalidNumber. A value type;
// thread-safe as any int.

#include <array>
#include <compare>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "errors/errors.hpp"
#include "eth/hex.hpp"

namespace glisk::eth {

class InvalidNumber : public errors::BadInput {
 public:
  using errors::BadInput::BadInput;
};

class U256 {
 public:
  constexpr U256() = default;
  constexpr U256(uint64_t value) : limbs_{value, 0, 0, 0} {}  // NOLINT: implicit like an integer

  // Decimal ("1000") or 0x-hex ("0x3e8", any case, at least one digit); no sign, no spaces.
  static U256 parse(std::string_view text);
  static U256 from_dec(std::string_view text);
  static U256 from_hex(std::string_view text);
  // At most 32 big-endian bytes; leading zeros allowed.
  static U256 from_be_bytes(std::span<const uint8_t> bytes);

  std::string to_dec() const;
  std::string to_hex() const;  // minimal: "0x0", "0x3e8"
  std::array<uint8_t, 32> to_be_bytes() const;
  Bytes to_minimal_be_bytes() const;  // no leading zeros; empty for zero (as RLP wants)

  bool is_zero() const { return limbs_[0] == 0 && limbs_[1] == 0 && limbs_[2] == 0 && limbs_[3] == 0; }
  // Whether the value fits in 64 bits, and that value (checked by the caller).
  bool fits_u64() const { return limbs_[1] == 0 && limbs_[2] == 0 && limbs_[3] == 0; }
  uint64_t low_u64() const { return limbs_[0]; }

  U256 operator+(const U256& other) const;
  U256 operator*(uint64_t factor) const;
  std::strong_ordering operator<=>(const U256& other) const;
  bool operator==(const U256& other) const = default;

 private:
  std::array<uint64_t, 4> limbs_{};  // little-endian: limbs_[0] is the least significant
};

}  // namespace glisk::eth
