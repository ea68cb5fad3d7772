#pragma once
// What an author signs to set their prompt, and the checks on it. The message, signed with
// EIP-191 personal_sign (ethers' wallet.signMessage, MetaMask's personal_sign), is exactly
//
//   glisk: set prompt\n
//   wallet: <EIP-55 address>\n
//   prompt sha256: <64 lowercase hex digits of SHA-256 of the UTF-8 prompt>\n
//   timestamp: <unix seconds, decimal>
//
// (no trailing newline). The prompt's hash, not the prompt, is signed so a wallet shows a short
// message, yet the signature binds every byte of the prompt. Pure functions, thread-safe.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "errors/errors.hpp"
#include "eth/address.hpp"

namespace glisk::authors {

inline constexpr size_t kMaxPromptCodePoints = 1000;

// A request that can never succeed as sent (HTTP 400): bad address, prompt, timestamp, hex.
class InvalidAuthorRequest : public errors::BadInput {
 public:
  using errors::BadInput::BadInput;
};

// A request to set a prompt, as POST /api/authors/prompt carries it (AuthorRegistry checks it).
struct SignedPrompt {
  std::string wallet_address;  // any letter case
  std::string prompt_text;
  int64_t timestamp = 0;  // unix seconds
  std::string signature;  // 0x + 65 bytes r||s||v
};

// SHA-256 (Crypto++) of the bytes, as 64 lowercase hex digits without 0x.
std::string sha256_hex(std::string_view bytes);

// The exact text to sign (above).
std::string prompt_message(const eth::Address& wallet, std::string_view prompt, int64_t timestamp);

// Throws InvalidAuthorRequest unless the prompt is valid UTF-8 (shortest forms, no surrogates) of
// 1..kMaxPromptCodePoints code points with no control characters other than newline and tab, and
// not only white space. Returns the number of code points.
size_t check_prompt_text(std::string_view prompt);

// An address in any letter case ("0x" + 40 hex digits); a mixed-case one must carry a right
// EIP-55 checksum. Throws InvalidAuthorRequest naming `what`.
eth::Address parse_wallet(std::string_view text, std::string_view what = "wallet_address");

}  // namespace glisk::authors
