#include "eth/hex.hpp"

namespace glisk::eth {

namespace {
constexpr std::string_view kDigits = "0123456789abcdef";
// Long input is not quoted whole: it would flood the log, and may be data nobody should print.
constexpr size_t kMaxQuoted = 80;

std::string quoted(std::string_view text) {
  if (text.size() > kMaxQuoted) return "a " + std::to_string(text.size()) + "-character string";
  return "'" + std::string(text) + "'";
}
}  // namespace

int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string to_hex(std::span<const uint8_t> bytes) {
  std::string out = "0x";
  out.reserve(2 + 2 * bytes.size());
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

Bytes from_hex(std::string_view text, std::string_view what) {
  if (!text.starts_with("0x") && !text.starts_with("0X")) {
    throw InvalidHex(std::string(what) + " must start with 0x, got " + quoted(text));
  }
  std::string_view digits = text.substr(2);
  if (digits.size() % 2 != 0) {
    throw InvalidHex(std::string(what) + " has an odd number of hex digits: " + quoted(text));
  }
  Bytes out(digits.size() / 2);
  for (size_t i = 0; i < digits.size(); ++i) {
    int value = hex_digit_value(digits[i]);
    if (value < 0) {
      throw InvalidHex(std::string(what) + " has a non-hex character at position " + std::to_string(i + 2) + ": " +
                       quoted(text));
    }
    out[i / 2] = static_cast<uint8_t>(i % 2 == 0 ? value << 4 : out[i / 2] | value);
  }
  return out;
}

}  // namespace glisk::eth
