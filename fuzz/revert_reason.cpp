// Revert data from a node (reveal/contract_errors.hpp, eth::decode_revert): what the reveal
// worker decides from, and what it logs. For any data and message the node sends:
//   - decode_revert returns printable ASCII (it promises text safe to log) or throws InvalidAbi;
//   - classify_revert and describe_revert never throw;
//   - a token kind (AlreadyRevealed, ERC721NonexistentToken) comes with the token id that the
//     data's one uint256 argument holds, and only then.
#include <algorithm>
#include <optional>

#include "chain/eth_rpc.hpp"
#include "eth/abi.hpp"
#include "fuzz/check.hpp"
#include "fuzz/input.hpp"
#include "fuzz/targets.hpp"
#include "reveal/contract_errors.hpp"

namespace glisk::fuzz {
namespace {

bool printable(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

bool has_selector(std::span<const uint8_t> data, std::string_view signature) {
  const auto selector = eth::function_selector(signature);
  return data.size() >= 4 && std::equal(selector.begin(), selector.end(), data.begin());
}

}  // namespace

int revert_reason(const uint8_t* data, size_t size) {
  Input in(data, size);
  const uint8_t mode = in.byte();
  const std::span<const uint8_t> revert = in.rest();

  try {
    require(printable(eth::decode_revert(revert, reveal::contract_error_signatures())),
            "decode_revert returns printable ASCII");
  } catch (const eth::InvalidAbi&) {
  }

  // Nodes send revert data as 0x-hex; a broken proxy may send anything, so some inputs go as text.
  const std::string hex = eth::to_hex(revert);
  const std::string sent = (mode & 1) != 0 ? std::string(revert.begin(), revert.end()) : hex;
  const chain::RpcError error("eth_call", (mode & 2) != 0 ? 3 : -32000, "execution reverted", sent);
  const reveal::RevertCause cause = reveal::classify_revert(error);
  require(cause.reason == reveal::describe_revert(error), "classify_revert's reason is describe_revert's");
  require(printable(cause.reason), "the reason the reveal worker logs is printable");
  (void)reveal::is_revert(error);

  const bool token_kind = cause.kind == reveal::RevertCause::Kind::kAlreadyRevealed ||
                          cause.kind == reveal::RevertCause::Kind::kNonexistentToken;
  require(token_kind == cause.token_id.has_value(), "a token id comes with a token kind, and only with one");
  // The bytes the node's data stands for, when it is 0x-hex at all.
  std::optional<eth::Bytes> bytes;
  try {
    bytes = eth::from_hex(sent);
  } catch (const eth::InvalidHex&) {
  }
  if (token_kind) {
    require(bytes && bytes->size() == 36, "a token kind needs hex data of a selector and one word");
    const char* signature = cause.kind == reveal::RevertCause::Kind::kAlreadyRevealed
                                ? "AlreadyRevealed(uint256)"
                                : "ERC721NonexistentToken(uint256)";
    require(has_selector(*bytes, signature), "the token kind is the data's error");
    require(*cause.token_id >= 0 &&
                eth::decode_uint256(std::span(*bytes).subspan(4)) == eth::U256(static_cast<uint64_t>(*cause.token_id)),
            "the token id is the error's argument");
  }
  if (cause.kind == reveal::RevertCause::Kind::kNotAuthorized) {
    require(bytes && (has_selector(*bytes, "NotKeeper(address)") ||
                      has_selector(*bytes, "OwnableUnauthorizedAccount(address)")),
            "not authorized means NotKeeper or OwnableUnauthorizedAccount");
  }
  return 0;
}

}  // namespace glisk::fuzz
