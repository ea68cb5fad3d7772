#include "authors/signed_prompt.hpp"

#include <cryptopp/sha.h>

#include <array>

#include "eth/hex.hpp"

namespace glisk::authors {

std::string sha256_hex(std::string_view bytes) {
  std::array<CryptoPP::byte, CryptoPP::SHA256::DIGESTSIZE> digest{};
  CryptoPP::SHA256().CalculateDigest(digest.data(), reinterpret_cast<const CryptoPP::byte*>(bytes.data()),
                                     bytes.size());
  return eth::to_hex(digest).substr(2);
}

std::string prompt_message(const eth::Address& wallet, std::string_view prompt, int64_t timestamp) {
  return "glisk: set prompt\nwallet: " + wallet.to_checksum() + "\nprompt sha256: " + sha256_hex(prompt) +
         "\ntimestamp: " + std::to_string(timestamp);
}

size_t check_prompt_text(std::string_view prompt) {
  size_t count = 0;
  bool visible = false;
  for (size_t i = 0; i < prompt.size();) {
    const auto lead = static_cast<unsigned char>(prompt[i]);
    uint32_t cp = 0;
    size_t length = 0;
    if (lead < 0x80) {
      cp = lead, length = 1;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      cp = lead & 0x1Fu, length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      cp = lead & 0x0Fu, length = 3;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      cp = lead & 0x07u, length = 4;
    } else {
      throw InvalidAuthorRequest("prompt_text is not valid UTF-8 (byte " + std::to_string(i) + ")");
    }
    if (i + length > prompt.size()) throw InvalidAuthorRequest("prompt_text is not valid UTF-8 (cut off at the end)");
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(prompt[i + k]);
      if ((next & 0xC0u) != 0x80u)
        throw InvalidAuthorRequest("prompt_text is not valid UTF-8 (byte " + std::to_string(i + k) + ")");
      cp = (cp << 6) | (next & 0x3Fu);
    }
    const bool overlong = (length == 3 && cp < 0x800) || (length == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      throw InvalidAuthorRequest("prompt_text is not valid UTF-8 (byte " + std::to_string(i) + ")");
    }
    const bool control = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0);
    if (control && cp != '\n' && cp != '\t') {
      throw InvalidAuthorRequest("prompt_text contains a control character (U+" + [&] {
        char buf[8];
        std::snprintf(buf, sizeof buf, "%04X", cp);
        return std::string(buf);
      }() + "); only newline and tab are allowed");
    }
    if (cp != ' ' && cp != '\n' && cp != '\t') visible = true;
    ++count;
    i += length;
  }
  if (count == 0 || !visible) throw InvalidAuthorRequest("prompt_text is empty: write 1 to 1000 characters");
  if (count > kMaxPromptCodePoints) {
    throw InvalidAuthorRequest("prompt_text has " + std::to_string(count) + " characters; at most 1000 are allowed");
  }
  return count;
}

eth::Address parse_wallet(std::string_view text, std::string_view what) {
  std::string lower(text);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  try {
    return eth::Address::parse(lower);
  } catch (const eth::InvalidAddress&) {
    std::string shown(text.substr(0, 60));
    throw InvalidAuthorRequest(std::string(what) + " must be an Ethereum address (0x + 40 hex digits), got '" + shown +
                               "'");
  }
}

}  // namespace glisk::authors
