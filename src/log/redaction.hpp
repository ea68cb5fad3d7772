#pragma once
// What a message may not show of a URL: the password in its userinfo and its password query
// values (password=, sslpassword=), which DATABASE_URL may carry. Pure functions, thread-safe.

#include <string>
#include <string_view>

namespace glisk::log {

// A URL for messages: its secrets become "***".
std::string redact_url(std::string_view url);

// `message` with every secret `url` carries replaced by "***", in every form a library might
// print it: as written and percent-decoded. For messages that quote a URL themselves (libpq's
// errors echo a malformed URI whole, or the token it could not decode).
std::string mask_url_secrets(std::string message, std::string_view url);

}  // namespace glisk::log
