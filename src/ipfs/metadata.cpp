#include "ipfs/metadata.hpp"

#include <nlohmann/json.hpp>

namespace glisk::ipfs {

std::string erc721_metadata(const MetadataInput& in) {
  std::string name = in.name_template;
  const std::string id = std::to_string(in.token_id);
  for (size_t at = name.find("{token_id}"); at != std::string::npos; at = name.find("{token_id}", at + id.size())) {
    name.replace(at, 10, id);
  }
  // ordered_json keeps the keys in the order written here: the bytes (and so the CID) are stable.
  nlohmann::ordered_json attributes = nlohmann::ordered_json::array();
  attributes.push_back({{"trait_type", "Author"}, {"value", in.author_wallet}});
  if (in.x_handle && !in.x_handle->empty()) attributes.push_back({{"trait_type", "X"}, {"value", *in.x_handle}});
  if (in.farcaster_handle && !in.farcaster_handle->empty()) {
    attributes.push_back({{"trait_type", "Farcaster"}, {"value", *in.farcaster_handle}});
  }
  nlohmann::ordered_json doc = {
      {"name", name}, {"description", in.description}, {"image", "ipfs://" + in.image_cid}, {"attributes", attributes}};
  return doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace glisk::ipfs
