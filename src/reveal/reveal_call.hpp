#pragma once
// What a reveal transaction says, by REVEAL_FUNCTION's shape:
//   name(uint256[],bytes32[]) – the digest mode (revealDigests on the project's contract): each
//     token's metadata CID must be a raw sha2-256 CIDv1 (`bafkrei…`), and the contract stores its
//     32-byte digest, rebuilding `ipfs://bafkrei…` in tokenURI; a fifth of the legacy gas.
//   name(uint256[],string[])  – the legacy mode (batchRevealMultiple, revealTokens, or a contract
//     deployed before the digest mode): each token's URI `ipfs://{metadata_cid}` as a string.
// Pure values and functions: thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "errors/errors.hpp"
#include "eth/abi.hpp"

namespace glisk::reveal {

inline constexpr const char* kDigestFunction = "revealDigests(uint256[],bytes32[])";
inline constexpr const char* kLegacyFunction = "revealTokens(uint256[],string[])";

enum class RevealMode { kDigest, kUri };

class RevealFunction {
 public:
  // Throws errors::BadInput for a signature of neither shape.
  explicit RevealFunction(std::string signature);

  const std::string& signature() const { return signature_; }
  RevealMode mode() const { return mode_; }
  const char* mode_name() const { return mode_ == RevealMode::kDigest ? "digest" : "uri"; }

 private:
  std::string signature_;
  RevealMode mode_;
};

// One token's part of a reveal.
struct RevealItem {
  int64_t token_id = 0;
  std::string metadata_cid;
  eth::Word digest{};  // set in the digest mode
};

// The token's item, or errors::BadInput saying why it cannot be revealed in this mode (in the
// digest mode: a CID that is not a raw sha2-256 CIDv1; the message names the legacy mode).
RevealItem reveal_item(const RevealFunction& function, int64_t token_id, const std::string& metadata_cid);

// REVEAL_FUNCTION(ids, digests | uris).
eth::Bytes reveal_calldata(const RevealFunction& function, const std::vector<RevealItem>& items);

}  // namespace glisk::reveal
