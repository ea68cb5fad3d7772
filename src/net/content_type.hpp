#pragma once
// The media type of bytes, read from their first bytes rather than from a name or a header:
// images come from providers and the local store, and neither is trusted to label them.

#include <string>
#include <string_view>

namespace glisk::net {

// "image/png", "image/jpeg", "image/webp", "application/json" or "application/octet-stream".
std::string sniff_content_type(std::string_view bytes);

}  // namespace glisk::net
