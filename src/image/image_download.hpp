#pragma once
// Fetches a token's image from where the image stage left it: an http(s) URL (Replicate's CDN)
// or a file:// URL (the local generator). The size is capped (MAX_IMAGE_BYTES) and the content
// must be a PNG, JPEG or WebP by its magic bytes; the file name it is pinned under follows the
// real type.
//
// Errors: ImageGoneError when the host no longer has the image (403/404/410, or a missing local
// file; Replicate deletes outputs about an hour after the prediction): the token needs a new
// image. Too large or not an image: PermanentError. 429/5xx/timeouts: TransientError.

#include <chrono>
#include <stdexcept>
#include <stop_token>
#include <string>

#include "errors/errors.hpp"
#include "net/http_client.hpp"

namespace glisk::image {

class ImageGoneError : public errors::NotFound {
 public:
  using errors::NotFound::NotFound;
};

struct DownloadedImage {
  std::string bytes;
  std::string extension;     // png | jpg | webp
  std::string content_type;  // image/png | image/jpeg | image/webp
};

DownloadedImage download_image(const net::HttpClient& http, const std::string& url, size_t max_bytes,
                               std::chrono::milliseconds timeout, std::stop_token stop);

}  // namespace glisk::image
