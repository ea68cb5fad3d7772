#include "reveal/reveal_call.hpp"

#include <regex>

#include "ipfs/cid.hpp"

namespace glisk::reveal {
RevealFunction::RevealFunction(std::string signature) : signature_(std::move(signature)) {
  static const std::regex kShape(R"(^[A-Za-z_][A-Za-z0-9_]*\(uint256\[\],(bytes32|string)\[\]\)$)");
  if (!std::regex_match(signature_, kShape)) {
    throw errors::BadInput("REVEAL_FUNCTION: '" + signature_ +
                           "' is not a function taking (uint256[],bytes32[]) or (uint256[],string[])");
  }
  mode_ = signature_.ends_with(",bytes32[])") ? RevealMode::kDigest : RevealMode::kUri;
}

RevealItem reveal_item(const RevealFunction& function, int64_t token_id, const std::string& metadata_cid) {
  RevealItem item{token_id, metadata_cid, {}};
  if (function.mode() == RevealMode::kUri) return item;
  std::optional<ipfs::Sha256Digest> digest;
  try {
    digest = ipfs::raw_sha256_digest(ipfs::parse_cid(metadata_cid));
  } catch (const ipfs::InvalidCid&) {
  }
  if (!digest) {
    throw errors::BadInput("metadata CID '" + metadata_cid + "' of token " + std::to_string(token_id) +
                           " is not a raw sha2-256 CIDv1 (bafkrei…), the only kind " + function.signature() +
                           " can store; reveal it in the legacy mode (REVEAL_FUNCTION=" + kLegacyFunction +
                           " or batchRevealMultiple(uint256[],string[])), which takes any URI");
  }
  item.digest = *digest;
  return item;
}

eth::Bytes reveal_calldata(const RevealFunction& function, const std::vector<RevealItem>& items) {
  std::vector<eth::U256> ids;
  ids.reserve(items.size());
  for (const auto& item : items) ids.emplace_back(static_cast<uint64_t>(item.token_id));
  if (function.mode() == RevealMode::kDigest) {
    std::vector<eth::Word> digests;
    digests.reserve(items.size());
    for (const auto& item : items) digests.push_back(item.digest);
    return eth::encode_call(function.signature(), {ids, digests});
  }
  std::vector<std::string> uris;
  uris.reserve(items.size());
  for (const auto& item : items) uris.push_back("ipfs://" + item.metadata_cid);
  return eth::encode_call(function.signature(), {ids, uris});
}

}  // namespace glisk::reveal
