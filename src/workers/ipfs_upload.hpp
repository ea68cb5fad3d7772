#pragma once
// Stage 2 (`uploading → ready`): pins a token's image and its ERC-721 metadata.
//
// For each claimed token: download the image (size cap, PNG/JPEG/WebP only), compute its CID,
// build the metadata that names it, and pin both at once; check the pinner answered the CID of
// each, save `image_cid` once the image is pinned (a retry then skips the download, which may
// have expired by then, and pins only the metadata), and move on with `metadata_cid` once both
// are. A CID mismatch never advances the token. An image the host
// no longer has sends the token back to `detected` for a new image (one image attempt).
// Events: ipfs.upload.started/succeeded/failed (from the stage worker), ipfs.image_uploaded,
// ipfs.metadata_uploaded, ipfs.transient_error.

#include <chrono>

#include "ipfs/metadata.hpp"
#include "ipfs/pinner.hpp"
#include "log/event_log.hpp"
#include "net/http_client.hpp"
#include "store/author_store.hpp"
#include "workers/stage_worker.hpp"

namespace glisk::workers {

struct IpfsUploadOptions {
  size_t max_image_bytes = 20'000'000;
  std::chrono::milliseconds download_timeout{60'000};
  std::string name_template = "GLISK S0 #{token_id}";
  std::string description;
};

class IpfsUploadProcessor final : public TokenProcessor {
 public:
  IpfsUploadProcessor(store::AuthorStore& authors, const net::HttpClient& http, ipfs::IpfsPinner& pinner,
                      const log::EventLog& log, IpfsUploadOptions options);

  StageOutcome process(const store::Claim& claim, store::TokenLifecycle& queue, std::stop_token stop) override;

 private:
  // Pins `bytes` and returns their CID, after checking the pinner stored them under it.
  std::string pin_checked(std::string_view bytes, const std::string& file_name, const std::string& content_type,
                          int64_t token_id, std::stop_token stop);
  // The token's ERC-721 metadata, naming `image_cid`.
  std::string metadata_for(const token::Token& token, const std::string& image_cid);

  store::AuthorStore& authors_;
  const net::HttpClient& http_;
  ipfs::IpfsPinner& pinner_;
  const log::EventLog& log_;
  const IpfsUploadOptions options_;
};

}  // namespace glisk::workers
