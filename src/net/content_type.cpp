#include "net/content_type.hpp"

namespace glisk::net {

std::string sniff_content_type(std::string_view b) {
  if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) return "image/png";
  if (b.size() >= 3 && b.substr(0, 3) == std::string_view("\xff\xd8\xff", 3)) return "image/jpeg";
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return "image/webp";
  if (!b.empty() && (b.front() == '{' || b.front() == '[')) return "application/json";
  return "application/octet-stream";
}

}  // namespace glisk::net
