#pragma once
// The Solidity contract ABI, for the few types glisk's contract calls use.
//   function_selector – first 4 bytes of keccak256 of the canonical signature text.
//   encode_call       – selector + arguments, checked against the types in the signature;
//                       supports uint256, bool (as U256 0/1), address, string, uint256[], string[],
//                       bytes32[] (as Word values) (dynamic values
//                       go to the tail with offsets relative to the start of the arguments).
//   decode_*          – one return value of type uint256 / bool / address / string.
//   decode_revert     – readable text of revert data: Error(string), Panic(uint256), or a custom
//                       error from the caller's list of signatures, e.g. "AlreadyRevealed(7)".
// Decoding reads untrusted bytes: every offset and length is bounds-checked, values must be
// canonical (a bool is 0 or 1, an address has 12 zero bytes in front), and anything malformed
// throws InvalidAbi. Signatures must be canonical (no spaces, `uint256` not `uint`); an
// unsupported type throws InvalidAbi too. Pure functions, thread-safe.

#include <array>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "errors/errors.hpp"
#include "eth/address.hpp"
#include "eth/hex.hpp"
#include "eth/uint256.hpp"

namespace glisk::eth {

class InvalidAbi : public errors::BadInput {
 public:
  using errors::BadInput::BadInput;
};

using Selector = std::array<uint8_t, 4>;
using Word = std::array<uint8_t, 32>;  // a bytes32 value
using AbiValue =
    std::variant<U256, Address, std::string, std::vector<U256>, std::vector<std::string>, std::vector<Word>>;

constexpr Selector kErrorSelector = {0x08, 0xc3, 0x79, 0xa0};  // Error(string)
constexpr Selector kPanicSelector = {0x4e, 0x48, 0x7b, 0x71};  // Panic(uint256)

Selector function_selector(std::string_view signature);

// Calldata for `signature` (e.g. "batchRevealMultiple(uint256[],string[])") with `args`, whose
// count and alternatives must match the signature's types; throws InvalidAbi.
Bytes encode_call(std::string_view signature, const std::vector<AbiValue>& args);

U256 decode_uint256(std::span<const uint8_t> return_data);
bool decode_bool(std::span<const uint8_t> return_data);
Address decode_address(std::span<const uint8_t> return_data);
std::string decode_string(std::span<const uint8_t> return_data);
// The uint256[] argument whose head is word `index` of `arguments` (calldata after the selector).
std::vector<U256> decode_uint256_array(std::span<const uint8_t> arguments, size_t index);

// Readable text of the data a reverted call returned: `Error("reason")`, `Panic(0x11: arithmetic
// overflow or underflow)`, `AlreadyRevealed(7)` for a custom error listed in
// `custom_error_signatures` (arguments of type uint256, address, bool or string),
// `unknown error 0x12345678 (32 bytes of arguments)`, or `revert without data`. Strings from the
// data are quoted with control and non-ASCII bytes escaped, so the text is safe to log. Throws
// InvalidAbi when a known error's arguments are malformed, or the data is 1–3 bytes.
std::string decode_revert(std::span<const uint8_t> revert_data,
                          std::span<const std::string> custom_error_signatures = {});

}  // namespace glisk::eth
