// RLP (eth/rlp.hpp) on untrusted bytes. The decoder accepts only canonical encodings, so:
//   - whatever it accepts encodes back to exactly the same bytes;
//   - a byte string it reads as an integer encodes back as that integer;
//   - an item built from the input (strings short and long, nested lists) survives encode → decode.
// Anything other than InvalidRlp escaping is a finding.
#include "eth/rlp.hpp"

#include <vector>

#include "fuzz/check.hpp"
#include "fuzz/input.hpp"
#include "fuzz/targets.hpp"

namespace glisk::fuzz {
namespace {

using eth::Bytes;
using eth::RlpItem;

Bytes encode(const RlpItem& item) {
  if (!item.is_list) return eth::rlp_encode_bytes(item.bytes);
  std::vector<Bytes> inner;
  for (const auto& i : item.items) inner.push_back(encode(i));
  return eth::rlp_encode_list(inner);
}

bool same(const RlpItem& a, const RlpItem& b) {
  if (a.is_list != b.is_list || a.bytes != b.bytes || a.items.size() != b.items.size()) return false;
  for (size_t i = 0; i < a.items.size(); ++i) {
    if (!same(a.items[i], b.items[i])) return false;
  }
  return true;
}

void check_integers(const RlpItem& item) {
  if (item.is_list) {
    for (const auto& i : item.items) check_integers(i);
    return;
  }
  try {
    const eth::U256 value = eth::rlp_to_uint(item);
    require(eth::rlp_encode_uint(value) == eth::rlp_encode_bytes(item.bytes),
            "an RLP integer encodes back to the bytes it was read from");
  } catch (const eth::InvalidRlp&) {
    require(item.bytes.size() > 32 || (!item.bytes.empty() && item.bytes.front() == 0),
            "rlp_to_uint refuses only over-long or zero-led bytes");
  }
}

// A tree shaped by the input: each control byte makes a list of up to 7 items, a short string
// (0-63 bytes) or a long one (56-311 bytes, the long-length form).
RlpItem build(Input& in, size_t depth) {
  RlpItem item;
  const uint8_t control = in.byte();
  if ((control & 3) == 0 && depth < 16) {
    item.is_list = true;
    for (size_t n = (control >> 2) % 8; n > 0; --n) item.items.push_back(build(in, depth + 1));
    return item;
  }
  const size_t length = (control & 3) == 3 ? 56 + in.byte() : control >> 2;
  const auto bytes = in.bytes(length);
  item.bytes.assign(bytes.begin(), bytes.end());
  return item;
}

}  // namespace

int rlp(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  try {
    const RlpItem item = eth::rlp_decode(input);
    require(encode(item) == Bytes(input.begin(), input.end()), "decoded RLP encodes back to the same bytes");
    check_integers(item);
  } catch (const eth::InvalidRlp&) {
  }

  Input in(data, size);
  const RlpItem built = build(in, 0);
  try {
    require(same(eth::rlp_decode(encode(built)), built), "an encoded item decodes to itself");
  } catch (const eth::InvalidRlp& e) {
    violated(std::string("the decoder refused the encoder's output: ") + e.what());
  }
  return 0;
}

}  // namespace glisk::fuzz
