#pragma once
// The embedded IPFS store: bytes kept on disk under their CID (`<dir>/<cid>`), computed exactly as
// IPFS would, so `ipfs://` URIs made in a demo name the same content a real node would serve. The
// API serves them at GET /ipfs/{cid}. Writes go to a temporary name and are renamed, so readers
// never see half a file. Thread-safe.

#include <filesystem>
#include <optional>

#include "ipfs/pinner.hpp"

namespace glisk::ipfs {

class LocalIpfsStore final : public IpfsPinner {
 public:
  explicit LocalIpfsStore(std::filesystem::path dir);
  std::string_view name() const override { return "local"; }
  std::string pin(const PinRequest& request, std::stop_token stop) override;

  // The bytes stored under `cid`, or nullopt. Throws InvalidCid for text that is not a CID.
  std::optional<std::string> read(std::string_view cid) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace glisk::ipfs
