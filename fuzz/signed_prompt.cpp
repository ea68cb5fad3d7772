// What an author sends to set a prompt (authors/signed_prompt.hpp). check_prompt_text is compared
// with nlohmann::json's UTF-8 validation, an implementation written elsewhere: it accepts exactly
// the valid UTF-8 of 1..1000 code points with no control character but newline and tab, and not
// only white space. A prompt message signed with a known key recovers to that key's wallet.
#include "authors/signed_prompt.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "eth/signer.hpp"
#include "fuzz/check.hpp"
#include "fuzz/input.hpp"
#include "fuzz/targets.hpp"

namespace glisk::fuzz {
namespace {

// anvil's first development account: a published test key, holding nothing anywhere real.
constexpr std::string_view kTestKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

bool valid_utf8(std::string_view text) {
  try {
    (void)nlohmann::json(std::string(text)).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

// Code points of valid UTF-8: every byte that is not a continuation byte starts one.
size_t code_points(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// C0, DEL and C1 controls other than newline and tab; C1 (U+0080..U+009F) is 0xC2 0x80..0x9F.
bool has_control(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9F) return true;
  }
  return false;
}

bool only_white_space(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\n' || c == '\t'; });
}

}  // namespace

int signed_prompt(const uint8_t* data, size_t size) {
  const std::string_view prompt = as_text(data, size);
  const bool expected = valid_utf8(prompt) && !has_control(prompt) && !only_white_space(prompt) &&
                        code_points(prompt) <= authors::kMaxPromptCodePoints;
  try {
    const size_t count = authors::check_prompt_text(prompt);
    require(expected, "check_prompt_text accepts only what the rules allow");
    require(count == code_points(prompt), "check_prompt_text counts code points");
  } catch (const authors::InvalidAuthorRequest&) {
    require(!expected, "check_prompt_text refuses only what the rules forbid");
    return 0;
  }

  const auto key = eth::PrivateKey::from_hex(kTestKey);
  const int64_t timestamp = size == 0 ? 0 : static_cast<int64_t>(data[0]) * 1'000'003;
  const std::string message = authors::prompt_message(key.address(), prompt, timestamp);
  const eth::Hash hash = eth::personal_message_hash(message);
  require(eth::recover_address(hash, key.sign_hash(hash)) == key.address(),
          "a signed prompt message recovers to the signer's wallet");
  require(authors::parse_wallet(key.address().to_checksum()) == key.address(), "a wallet parses back");
  return 0;
}

}  // namespace glisk::fuzz
