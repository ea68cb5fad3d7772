#pragma once
// 0x-prefixed hexadecimal, as Ethereum's JSON-RPC and tooling spell bytes. Decoding is strict:
// the "0x" prefix is required, the digit count must be even and every digit a hex digit; any
// other text throws InvalidHex, whose message says what is wrong (and, for short input, quotes
// it: never pass a secret to a function that may quote it — PrivateKey has its own parser).
// Encoding writes lowercase digits. Pure functions, thread-safe.

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "errors/errors.hpp"

namespace glisk::eth {

using Bytes = std::vector<uint8_t>;

class InvalidHex : public errors::BadInput {
 public:
  using errors::BadInput::BadInput;
};

// "0x" followed by two lowercase digits per byte ("0x" for no bytes).
std::string to_hex(std::span<const uint8_t> bytes);

// The bytes of "0x…"; throws InvalidHex. `what` names the value in the message ("address", …).
Bytes from_hex(std::string_view text, std::string_view what = "hex string");

// The value 0–15 of one hex digit, or -1.
int hex_digit_value(char c);

}  // namespace glisk::eth
