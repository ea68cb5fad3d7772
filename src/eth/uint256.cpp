#include "eth/uint256.hpp"

#include <algorithm>

namespace glisk::eth {

namespace {
__extension__ typedef unsigned __int128 Wide;  // GCC/Clang; __extension__ keeps -Wpedantic quiet

constexpr size_t kMaxQuoted = 100;

std::string quoted(std::string_view text) {
  if (text.size() > kMaxQuoted) return "a " + std::to_string(text.size()) + "-character string";
  return "'" + std::string(text) + "'";
}
}  // namespace

U256 U256::parse(std::string_view text) {
  if (text.starts_with("0x") || text.starts_with("0X")) return from_hex(text);
  return from_dec(text);
}

U256 U256::from_dec(std::string_view text) {
  if (text.empty()) throw InvalidNumber("empty string is not a number");
  U256 value;
  for (char c : text) {
    if (c < '0' || c > '9') throw InvalidNumber("not a decimal number: " + quoted(text));
    try {
      value = value * 10 + U256(static_cast<uint64_t>(c - '0'));
    } catch (const std::overflow_error&) {
      throw InvalidNumber("number does not fit in 256 bits: " + quoted(text));
    }
  }
  return value;
}

U256 U256::from_hex(std::string_view text) {
  if (!text.starts_with("0x") && !text.starts_with("0X"))
    throw InvalidNumber("hex number must start with 0x: " + quoted(text));
  std::string_view digits = text.substr(2);
  if (digits.empty()) throw InvalidNumber("hex number has no digits: " + quoted(text));
  size_t first = digits.find_first_not_of('0');
  std::string_view significant = first == std::string_view::npos ? std::string_view{} : digits.substr(first);
  if (significant.size() > 64) throw InvalidNumber("number does not fit in 256 bits: " + quoted(text));
  U256 value;
  for (char c : digits) {
    int digit = hex_digit_value(c);
    if (digit < 0) throw InvalidNumber("not a hex number: " + quoted(text));
  }
  for (size_t i = 0; i < significant.size(); ++i) {
    size_t nibble = significant.size() - 1 - i;  // position from the least significant end
    value.limbs_[nibble / 16] |= static_cast<uint64_t>(hex_digit_value(significant[i])) << (4 * (nibble % 16));
  }
  return value;
}

U256 U256::from_be_bytes(std::span<const uint8_t> bytes) {
  if (bytes.size() > 32) throw InvalidNumber("more than 32 bytes do not fit in 256 bits");
  U256 value;
  for (size_t i = 0; i < bytes.size(); ++i) {
    size_t position = bytes.size() - 1 - i;  // byte index from the least significant end
    value.limbs_[position / 8] |= static_cast<uint64_t>(bytes[i]) << (8 * (position % 8));
  }
  return value;
}

std::array<uint8_t, 32> U256::to_be_bytes() const {
  std::array<uint8_t, 32> out{};
  for (size_t position = 0; position < 32; ++position) {
    out[31 - position] = static_cast<uint8_t>(limbs_[position / 8] >> (8 * (position % 8)));
  }
  return out;
}

Bytes U256::to_minimal_be_bytes() const {
  auto full = to_be_bytes();
  auto first = std::find_if(full.begin(), full.end(), [](uint8_t b) { return b != 0; });
  return Bytes(first, full.end());
}

std::string U256::to_hex() const {
  std::string digits = eth::to_hex(to_be_bytes()).substr(2);
  size_t first = digits.find_first_not_of('0');
  return "0x" + (first == std::string::npos ? std::string("0") : digits.substr(first));
}

std::string U256::to_dec() const {
  if (is_zero()) return "0";
  std::string out;
  std::array<uint64_t, 4> n = limbs_;
  while (n[0] != 0 || n[1] != 0 || n[2] != 0 || n[3] != 0) {
    Wide remainder = 0;
    for (size_t i = 4; i-- > 0;) {
      Wide current = (remainder << 64) | n[i];
      n[i] = static_cast<uint64_t>(current / 10);
      remainder = current % 10;
    }
    out += static_cast<char>('0' + static_cast<int>(remainder));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

U256 U256::operator+(const U256& other) const {
  U256 sum;
  Wide carry = 0;
  for (size_t i = 0; i < 4; ++i) {
    Wide current = static_cast<Wide>(limbs_[i]) + other.limbs_[i] + carry;
    sum.limbs_[i] = static_cast<uint64_t>(current);
    carry = current >> 64;
  }
  if (carry != 0) throw std::overflow_error("U256 addition overflows 256 bits");
  return sum;
}

U256 U256::operator*(uint64_t factor) const {
  U256 product;
  Wide carry = 0;
  for (size_t i = 0; i < 4; ++i) {
    Wide current = static_cast<Wide>(limbs_[i]) * factor + carry;
    product.limbs_[i] = static_cast<uint64_t>(current);
    carry = current >> 64;
  }
  if (carry != 0) throw std::overflow_error("U256 multiplication overflows 256 bits");
  return product;
}

std::strong_ordering U256::operator<=>(const U256& other) const {
  for (size_t i = 4; i-- > 0;) {
    if (limbs_[i] != other.limbs_[i]) return limbs_[i] <=> other.limbs_[i];
  }
  return std::strong_ordering::equal;
}

}  // namespace glisk::eth
