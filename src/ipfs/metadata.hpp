#pragma once
// ERC-721 token metadata as glisk pins it. The bytes are fixed for the same inputs (key order,
// no whitespace, UTF-8), so the metadata CID is ours to compute before the pinning service says it.

#include <cstdint>
#include <optional>
#include <string>

namespace glisk::ipfs {

struct MetadataInput {
  int64_t token_id = 0;
  std::string image_cid;
  std::string author_wallet;
  std::optional<std::string> x_handle;
  std::optional<std::string> farcaster_handle;
  std::string name_template = "GLISK S0 #{token_id}";  // {token_id} is replaced
  std::string description;
};

// {"name":…,"description":…,"image":"ipfs://<image_cid>","attributes":[…]}
std::string erc721_metadata(const MetadataInput& input);

}  // namespace glisk::ipfs
