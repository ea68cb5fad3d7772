#include "image/image_download.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "errors/errors.hpp"
#include "net/content_type.hpp"

namespace glisk::image {
namespace {

DownloadedImage typed(std::string bytes, const std::string& where) {
  const std::string type = net::sniff_content_type(bytes);
  if (type == "image/png") return {std::move(bytes), "png", type};
  if (type == "image/jpeg") return {std::move(bytes), "jpg", type};
  if (type == "image/webp") return {std::move(bytes), "webp", type};
  std::string start;
  for (unsigned char c : std::string_view(bytes).substr(0, 8)) {
    char hex[4];
    std::snprintf(hex, sizeof hex, "%02x", c);
    start += hex;
  }
  throw errors::PermanentError("the image at " + where + " is not a PNG, JPEG or WebP (" +
                               std::to_string(bytes.size()) + " bytes starting " +
                               (start.empty() ? "with nothing" : start) + ")");
}

}  // namespace

DownloadedImage download_image(const net::HttpClient& http, const std::string& url, size_t max_bytes,
                               std::chrono::milliseconds timeout, std::stop_token stop) {
  const std::string where = url.substr(0, url.find('?'));
  if (url.starts_with("file://")) {
    const std::filesystem::path path = url.substr(7);
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) throw ImageGoneError("the image file " + path.string() + " is gone (" + ec.message() + ")");
    if (size > max_bytes) {
      throw errors::PermanentError("the image at " + where + " has " + std::to_string(size) +
                                   " bytes, more than MAX_IMAGE_BYTES (" + std::to_string(max_bytes) + ")");
    }
    std::ifstream f(path, std::ios::binary);
    std::ostringstream buf;
    buf << f.rdbuf();
    if (!f) throw errors::TransientError("cannot read " + path.string());
    return typed(buf.str(), where);
  }
  if (!url.starts_with("https://") && !url.starts_with("http://")) {
    throw errors::PermanentError("image_url '" + where + "' is neither http(s):// nor file://");
  }
  net::HttpRequest request;
  request.url = url;
  request.timeout = timeout;
  request.max_response_bytes = max_bytes;
  net::HttpResponse r;
  try {
    r = http.send(request, stop);
  } catch (const net::TransportError& e) {
    if (e.failure() == net::TransportError::Failure::kTooLarge) {
      throw errors::PermanentError("the image at " + where + " is larger than MAX_IMAGE_BYTES (" +
                                   std::to_string(max_bytes) + ")");
    }
    throw errors::TransientError(std::string("image download failed: ") + e.what());
  }
  if (r.status == 403 || r.status == 404 || r.status == 410) {
    throw ImageGoneError("the image host answered " + std::to_string(r.status) + " for " + where + " (expired)");
  }
  if (r.status == 429 || r.status >= 500) {
    std::optional<std::chrono::milliseconds> wait;
    if (const auto* h = r.header("retry-after")) wait = net::parse_retry_after(*h, http.clock().now());
    throw errors::TransientError("the image host answered " + std::to_string(r.status) + " for " + where, wait);
  }
  if (r.status != 200)
    throw errors::PermanentError("the image host answered " + std::to_string(r.status) + " for " + where);
  return typed(std::move(r.body), where);
}

}  // namespace glisk::image
