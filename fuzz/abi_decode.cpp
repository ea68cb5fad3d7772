// ABI (eth/abi.hpp) both ways. Return data from eth_call is untrusted: each decode_* either
// throws InvalidAbi or returns a value that re-encodes to the word(s) it was read from. Calldata
// glisk sends is checked against a reader written here from the ABI specification: the reveal
// call (uint256[], string[]) and a call of every head type (uint256, address, bool, string) must
// carry back exactly the values the input chose.
#include <algorithm>
#include <vector>

#include "eth/abi.hpp"
#include "fuzz/check.hpp"
#include "fuzz/input.hpp"
#include "fuzz/targets.hpp"

namespace glisk::fuzz {
namespace {

using eth::Bytes;
using eth::U256;

// Words of `data` as the specification lays them out; PropertyViolated when the encoder wrote
// something this reader cannot follow.
class SpecReader {
 public:
  explicit SpecReader(std::span<const uint8_t> data) : data_(data) {}

  U256 word(size_t at) const {
    require(at <= data_.size() && data_.size() - at >= 32, "the encoding has every word it points to");
    return U256::from_be_bytes(data_.subspan(at, 32));
  }
  size_t small(size_t at) const {
    const U256 v = word(at);
    require(v.fits_u64() && v.low_u64() <= data_.size(), "offsets and lengths stay inside the encoding");
    return static_cast<size_t>(v.low_u64());
  }
  // A string whose length word is at `at`: the bytes, then zero padding to a whole word.
  std::string string_at(size_t at) const {
    const size_t length = small(at);
    const size_t padded = (length + 31) / 32 * 32;
    require(data_.size() - at - 32 >= padded, "a string's padded bytes are inside the encoding");
    const auto bytes = data_.subspan(at + 32, padded);
    require(
        std::all_of(bytes.begin() + static_cast<std::ptrdiff_t>(length), bytes.end(), [](uint8_t b) { return b == 0; }),
        "a string is padded with zeros");
    return std::string(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(length));
  }

 private:
  std::span<const uint8_t> data_;
};

void check_decoders(std::span<const uint8_t> data) {
  const auto first_word = [&] { return Bytes(data.begin(), data.begin() + 32); };
  try {
    const U256 value = eth::decode_uint256(data);
    const auto word = value.to_be_bytes();
    require(Bytes(word.begin(), word.end()) == first_word(), "decode_uint256 reads the first word");
  } catch (const eth::InvalidAbi&) {
    require(data.size() < 32, "decode_uint256 refuses only data shorter than a word");
  }
  try {
    const bool value = eth::decode_bool(data);
    require(eth::decode_uint256(data) == U256(value ? 1 : 0), "decode_bool reads 0 or 1");
  } catch (const eth::InvalidAbi&) {
  }
  try {
    const eth::Address address = eth::decode_address(data);
    const Bytes encoded = eth::encode_call("f(address)", {address});
    require(Bytes(encoded.begin() + 4, encoded.end()) == first_word(), "a decoded address encodes to its word");
  } catch (const eth::InvalidAbi&) {
  }
  try {
    const std::string text = eth::decode_string(data);
    const Bytes encoded = eth::encode_call("f(string)", {text});
    const std::span<const uint8_t> arguments = std::span(encoded).subspan(4);
    require(eth::decode_string(arguments) == text, "a decoded string encodes and decodes to itself");
    // Canonical: offset 32, then the length, the bytes and zero padding, nothing more.
    const size_t padding = arguments.size() - 64 - text.size();
    const bool canonical =
        eth::decode_uint256(data) == U256(32) && data.size() == arguments.size() &&
        std::all_of(data.end() - static_cast<std::ptrdiff_t>(padding), data.end(), [](uint8_t b) { return b == 0; });
    if (canonical) {
      require(std::equal(arguments.begin(), arguments.end(), data.begin()),
              "canonical string data encodes back to the same bytes");
    }
  } catch (const eth::InvalidAbi&) {
  }
}

void check_reveal_call(Input& in) {
  std::vector<U256> ids;
  std::vector<std::string> uris;
  for (size_t n = in.byte() % 6; n > 0; --n) {
    ids.push_back(U256::from_be_bytes(in.bytes(in.byte() % 33)));
    uris.push_back(in.text(in.byte() % 80));
  }
  const Bytes call = eth::encode_call("batchRevealMultiple(uint256[],string[])", {ids, uris});
  const auto selector = eth::function_selector("batchRevealMultiple(uint256[],string[])");
  require(std::equal(selector.begin(), selector.end(), call.begin()), "calldata starts with the selector");
  const SpecReader reader(std::span<const uint8_t>(call).subspan(4));
  const size_t ids_at = reader.small(0);
  const size_t uris_at = reader.small(32);
  require(reader.small(ids_at) == ids.size() && reader.small(uris_at) == uris.size(), "array lengths are encoded");
  for (size_t i = 0; i < ids.size(); ++i) {
    require(reader.word(ids_at + 32 + 32 * i) == ids[i], "uint256[] holds the ids in order");
    // string[] offsets count from the word after its length.
    const size_t element_at = uris_at + 32 + reader.small(uris_at + 32 + 32 * i);
    require(reader.string_at(element_at) == uris[i], "string[] holds the URIs in order");
  }
}

void check_error_arguments(Input& in) {
  const U256 number = U256::from_be_bytes(in.bytes(32));
  std::array<uint8_t, 20> address_bytes{};
  const auto taken = in.bytes(20);
  std::copy(taken.begin(), taken.end(), address_bytes.begin());
  const eth::Address address(address_bytes);
  const bool flag = (in.byte() & 1) != 0;
  const std::string text = in.text(in.byte());
  const std::string signature = "Mixed(uint256,address,bool,string)";
  const Bytes call = eth::encode_call(signature, {number, address, U256(flag ? 1 : 0), text});
  // decode_revert reads custom errors with the same layout as calls: the selector, then the heads.
  const std::string shown = eth::decode_revert(call, std::span(&signature, 1));
  require(shown.starts_with("Mixed(" + number.to_dec() + ", " + address.to_checksum() + ", " +
                            (flag ? "true" : "false") + ", \""),
          "a custom error's arguments decode to what was encoded");
  const SpecReader reader(std::span<const uint8_t>(call).subspan(4));
  require(reader.string_at(reader.small(96)) == text, "the string argument is where its offset says");
}

}  // namespace

int abi_decode(const uint8_t* data, size_t size) {
  check_decoders(std::span(data, size));
  Input in(data, size);
  check_reveal_call(in);
  check_error_arguments(in);
  return 0;
}

}  // namespace glisk::fuzz
