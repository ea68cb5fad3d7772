#pragma once
// The seam to where images and metadata are pinned: Pinata (production) or the local
// content-addressed store (embedded default). A pinner returns the CID it stored the bytes
// under; the upload stage checks it against the CID it computed itself. Pinning the same bytes
// twice is harmless (content addressing), so a retry after a lost answer simply pins again.
// Errors follow errors/errors.hpp. Thread-safe.

#include <map>
#include <stop_token>
#include <string>
#include <string_view>

namespace glisk::ipfs {

struct PinRequest {
  std::string_view bytes;
  std::string file_name;     // e.g. s0-token-7.png
  std::string content_type;  // e.g. image/png
  std::map<std::string, std::string> keyvalues;
};

class IpfsPinner {
 public:
  virtual ~IpfsPinner() = default;
  virtual std::string_view name() const = 0;
  virtual std::string pin(const PinRequest& request, std::stop_token stop) = 0;
};

}  // namespace glisk::ipfs
