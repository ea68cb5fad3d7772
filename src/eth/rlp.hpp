#pragma once
// Recursive Length Prefix, the serialisation of Ethereum transactions (Yellow Paper, appendix B).
// Encoding: byte strings, unsigned integers (minimal big-endian, so 0 is the empty string) and
// lists of already-encoded items. Decoding reads untrusted bytes: it never reads outside the
// input, limits nesting depth, and accepts only the canonical encoding (the one encode would
// produce), throwing InvalidRlp with the offending offset otherwise. Pure functions, thread-safe.

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "errors/errors.hpp"
#include "eth/hex.hpp"
#include "eth/uint256.hpp"

namespace glisk::eth {

class InvalidRlp : public errors::BadInput {
 public:
  using errors::BadInput::BadInput;
};

Bytes rlp_encode_bytes(std::span<const uint8_t> bytes);
Bytes rlp_encode_string(std::string_view text);
Bytes rlp_encode_uint(const U256& value);
// A list of items each already RLP-encoded (so lists nest by encoding the inner one first).
Bytes rlp_encode_list(std::span<const Bytes> encoded_items);

// A decoded item: a byte string (is_list false, `bytes`) or a list (`items`).
struct RlpItem {
  bool is_list = false;
  Bytes bytes;
  std::vector<RlpItem> items;
};

// Deeper nesting than this is refused, so hostile input cannot exhaust the stack.
constexpr size_t kRlpMaxDepth = 64;

// Exactly one item spanning all of `encoded`; throws InvalidRlp.
RlpItem rlp_decode(std::span<const uint8_t> encoded);
// The integer in a byte-string item: at most 32 bytes, no leading zero; throws InvalidRlp.
U256 rlp_to_uint(const RlpItem& item);

}  // namespace glisk::eth
