#include "workers/ipfs_upload.hpp"

#include <future>

#include "errors/errors.hpp"
#include "image/image_download.hpp"
#include "ipfs/cid.hpp"

namespace glisk::workers {

IpfsUploadProcessor::IpfsUploadProcessor(store::AuthorStore& authors, const net::HttpClient& http,
                                         ipfs::IpfsPinner& pinner, const log::EventLog& log, IpfsUploadOptions options)
    : authors_(authors), http_(http), pinner_(pinner), log_(log), options_(std::move(options)) {}

std::string IpfsUploadProcessor::pin_checked(std::string_view bytes, const std::string& file_name,
                                             const std::string& content_type, int64_t token_id, std::stop_token stop) {
  const std::string expected = ipfs::cid_v1_for_file(bytes);
  const std::string answered =
      pinner_.pin({bytes, file_name, content_type, {{"season", "0"}, {"token_id", std::to_string(token_id)}}}, stop);
  ipfs::Cid got;
  try {
    got = ipfs::parse_cid(answered);
  } catch (const ipfs::InvalidCid& e) {
    throw errors::TransientError(std::string(pinner_.name()) + " answered an invalid CID for " + file_name + ": " +
                                 e.what());
  }
  if (!(got == ipfs::parse_cid(expected))) {
    throw errors::PermanentError(std::string(pinner_.name()) + " stored " + file_name + " as " + answered +
                                 " but its bytes hash to " + expected +
                                 ": the pinning service does not use CIDv1 with raw leaves; check its settings");
  }
  return expected;
}

std::string IpfsUploadProcessor::metadata_for(const token::Token& token, const std::string& image_cid) {
  auto author = authors_.by_id(token.author_id);
  return ipfs::erc721_metadata(
      {token.token_id, image_cid, author ? author->wallet_address : "", author ? author->x_handle : std::nullopt,
       author ? author->farcaster_handle : std::nullopt, options_.name_template, options_.description});
}

StageOutcome IpfsUploadProcessor::process(const store::Claim& claim, store::TokenLifecycle& queue,
                                          std::stop_token stop) {
  const auto& token = claim.token;
  const int64_t id = token.token_id;
  const std::string metadata_name = "s0-token-" + std::to_string(id) + "-metadata.json";
  std::string image_cid = token.image_cid.value_or("");
  std::string metadata_cid;
  if (image_cid.empty()) {
    if (!token.image_url) return StageOutcome::needs_new_image("the token has no image_url");
    image::DownloadedImage image;
    try {
      image = image::download_image(http_, *token.image_url, options_.max_image_bytes, options_.download_timeout, stop);
    } catch (const image::ImageGoneError& e) {
      return StageOutcome::needs_new_image(e.what());
    }
    // The image's CID is known before any pin, so the metadata that names it is pinned at the
    // same time as the image: one pin's time per token, not two. Each answer is still checked,
    // and the token advances only with both (a retry after one of them failed pins again:
    // pinning the same bytes twice is harmless).
    const std::string expected_image_cid = ipfs::cid_v1_for_file(image.bytes);
    const std::string metadata = metadata_for(token, expected_image_cid);
    auto metadata_pin = std::async(std::launch::async,
                                   [&] { return pin_checked(metadata, metadata_name, "application/json", id, stop); });
    std::exception_ptr image_failure;
    try {
      image_cid = pin_checked(image.bytes, "s0-token-" + std::to_string(id) + "." + image.extension, image.content_type,
                              id, stop);
    } catch (...) {
      image_failure = std::current_exception();
    }
    std::exception_ptr metadata_failure;
    try {
      metadata_cid = metadata_pin.get();
    } catch (...) {
      metadata_failure = std::current_exception();
    }
    if (image_failure) std::rethrow_exception(image_failure);
    // Checkpoint: a retry goes straight to the metadata and never needs the (expiring) URL again.
    if (!queue.save(token::Stage::kIpfs, id, claim.lease, {.image_cid = image_cid})) {
      throw errors::TransientError("lost the token's lease after pinning its image " + image_cid);
    }
    log_.info("ipfs.image_uploaded", {{"worker", "ipfs_upload"},
                                      {"token_id", id},
                                      {"image_cid", image_cid},
                                      {"bytes", image.bytes.size()},
                                      {"content_type", image.content_type},
                                      {"pinner", pinner_.name()}});
    if (metadata_failure) std::rethrow_exception(metadata_failure);
  } else {
    metadata_cid = pin_checked(metadata_for(token, image_cid), metadata_name, "application/json", id, stop);
  }
  log_.info("ipfs.metadata_uploaded",
            {{"worker", "ipfs_upload"}, {"token_id", id}, {"metadata_cid", metadata_cid}, {"pinner", pinner_.name()}});
  return {store::TokenPatch{.image_cid = image_cid, .metadata_cid = metadata_cid},
          {{"image_cid", image_cid}, {"metadata_cid", metadata_cid}, {"pinner", pinner_.name()}}};
}

}  // namespace glisk::workers
