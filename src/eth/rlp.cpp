#include "eth/rlp.hpp"

#include <string>

namespace glisk::eth {

namespace {
constexpr uint8_t kShortString = 0x80;
constexpr uint8_t kLongString = 0xb7;
constexpr uint8_t kShortList = 0xc0;
constexpr uint8_t kLongList = 0xf7;
constexpr size_t kMaxShortLength = 55;

Bytes with_length_prefix(size_t length, uint8_t short_base, uint8_t long_base) {
  if (length <= kMaxShortLength) return Bytes{static_cast<uint8_t>(short_base + length)};
  Bytes length_bytes = U256(static_cast<uint64_t>(length)).to_minimal_be_bytes();
  Bytes out{static_cast<uint8_t>(long_base + length_bytes.size())};
  out.insert(out.end(), length_bytes.begin(), length_bytes.end());
  return out;
}

[[noreturn]] void fail(size_t offset, const std::string& problem) {
  throw InvalidRlp("invalid RLP at byte " + std::to_string(offset) + ": " + problem);
}

class Decoder {
 public:
  explicit Decoder(std::span<const uint8_t> input) : input_(input) {}

  // Decodes the item at `offset`, which must end at or before `end`; returns the offset after it.
  size_t decode(size_t offset, size_t end, size_t depth, RlpItem& out) {
    if (depth > kRlpMaxDepth) fail(offset, "nesting deeper than " + std::to_string(kRlpMaxDepth));
    if (offset >= end) fail(offset, "item expected, input ends");
    uint8_t prefix = input_[offset];
    if (prefix < kShortString) {
      out.bytes = {prefix};
      return offset + 1;
    }
    bool is_list = prefix >= kShortList;
    uint8_t short_base = is_list ? kShortList : kShortString;
    uint8_t long_base = is_list ? kLongList : kLongString;
    size_t payload = offset + 1;
    size_t length;
    if (prefix <= long_base) {
      length = prefix - short_base;
    } else {
      size_t length_size = prefix - long_base;  // 1–8
      if (length_size > end - payload) fail(offset, "length of length runs past the end");
      if (input_[payload] == 0) fail(offset, "length has a leading zero");
      length = 0;
      for (size_t i = 0; i < length_size; ++i) {
        // A length above the input's size is refused below, before it can overflow size_t.
        if (length > (end >> 8)) fail(offset, "length exceeds the input");
        length = (length << 8) | input_[payload + i];
      }
      if (length <= kMaxShortLength) fail(offset, "long form used for a length of " + std::to_string(length));
      payload += length_size;
    }
    if (length > end - payload) {
      fail(offset, "length " + std::to_string(length) + " runs past the end (" + std::to_string(end - payload) +
                       " bytes left)");
    }
    size_t item_end = payload + length;
    out.is_list = is_list;
    if (!is_list) {
      if (length == 1 && input_[payload] < kShortString) fail(offset, "single byte below 0x80 must encode itself");
      out.bytes.assign(input_.begin() + static_cast<std::ptrdiff_t>(payload),
                       input_.begin() + static_cast<std::ptrdiff_t>(item_end));
      return item_end;
    }
    for (size_t at = payload; at < item_end;) {
      out.items.emplace_back();
      at = decode(at, item_end, depth + 1, out.items.back());
    }
    return item_end;
  }

 private:
  std::span<const uint8_t> input_;
};
}  // namespace

Bytes rlp_encode_bytes(std::span<const uint8_t> bytes) {
  if (bytes.size() == 1 && bytes[0] < kShortString) return Bytes{bytes[0]};
  Bytes out = with_length_prefix(bytes.size(), kShortString, kLongString);
  out.insert(out.end(), bytes.begin(), bytes.end());
  return out;
}

Bytes rlp_encode_string(std::string_view text) {
  return rlp_encode_bytes(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

Bytes rlp_encode_uint(const U256& value) { return rlp_encode_bytes(value.to_minimal_be_bytes()); }

Bytes rlp_encode_list(std::span<const Bytes> encoded_items) {
  size_t length = 0;
  for (const auto& item : encoded_items) length += item.size();
  Bytes out = with_length_prefix(length, kShortList, kLongList);
  for (const auto& item : encoded_items) out.insert(out.end(), item.begin(), item.end());
  return out;
}

RlpItem rlp_decode(std::span<const uint8_t> encoded) {
  RlpItem item;
  size_t end = Decoder(encoded).decode(0, encoded.size(), 0, item);
  if (end != encoded.size()) fail(end, std::to_string(encoded.size() - end) + " trailing bytes after the item");
  return item;
}

U256 rlp_to_uint(const RlpItem& item) {
  if (item.is_list) throw InvalidRlp("invalid RLP integer: a list, not a byte string");
  if (item.bytes.size() > 32) throw InvalidRlp("invalid RLP integer: more than 32 bytes");
  if (!item.bytes.empty() && item.bytes[0] == 0) throw InvalidRlp("invalid RLP integer: leading zero byte");
  return U256::from_be_bytes(item.bytes);
}

}  // namespace glisk::eth
