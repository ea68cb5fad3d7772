#pragma once
// Keccak-256 as Ethereum uses it: the original Keccak padding (Crypto++'s Keccak_256), which is
// NOT the standardised SHA3-256 — the two give different digests for the same input. Pure
// functions, thread-safe.

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace glisk::eth {

using Hash = std::array<uint8_t, 32>;

Hash keccak256(std::span<const uint8_t> bytes);
Hash keccak256(std::string_view text);

}  // namespace glisk::eth
