#include "log/redaction.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace glisk::log {
namespace {

std::string percent_decoded(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// Every secret `url` carries, as written and percent-decoded, longest first (so that masking a
// longer one is not spoilt by a shorter one inside it).
std::vector<std::string> url_secrets(std::string_view url) {
  std::vector<std::string> secrets;
  auto add = [&](std::string_view value) {
    if (value.empty()) return;
    secrets.emplace_back(value);
    if (auto decoded = percent_decoded(value); decoded != value && !decoded.empty()) secrets.push_back(decoded);
  };
  const size_t scheme = url.find("://");
  std::string_view rest = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
  const size_t query_at = rest.find_first_of("?#");
  const std::string_view before_query = rest.substr(0, query_at);
  // The userinfo ends at the last '@' before the query: a password may hold '/' or '@' unencoded.
  if (const size_t at = before_query.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = before_query.substr(0, at);
    if (const size_t colon = userinfo.find(':'); colon != std::string_view::npos) add(userinfo.substr(colon + 1));
  }
  if (query_at != std::string_view::npos && rest[query_at] == '?') {
    std::string_view query = rest.substr(query_at + 1);
    while (!query.empty()) {
      const size_t amp = query.find('&');
      const std::string_view pair = query.substr(0, amp);
      const size_t eq = pair.find('=');
      std::string key = percent_decoded(pair.substr(0, eq));
      for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (eq != std::string_view::npos && (key == "password" || key == "sslpassword")) {
        add(pair.substr(eq + 1));
      }
      if (amp == std::string_view::npos) break;
      query.remove_prefix(amp + 1);
    }
  }
  std::sort(secrets.begin(), secrets.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  return secrets;
}

}  // namespace

std::string mask_url_secrets(std::string message, std::string_view url) {
  constexpr std::string_view kMask = "***";
  for (const auto& secret : url_secrets(url)) {
    // Searching on after the mask: a secret inside "***" (say "*") is not found in its own mask.
    for (size_t at = message.find(secret); at != std::string::npos; at = message.find(secret, at + kMask.size())) {
      message.replace(at, secret.size(), kMask);
    }
  }
  return message;
}

std::string redact_url(std::string_view url) {
  std::string shown(url);
  size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) {
    size_t start = scheme + 3;
    size_t at = url.find('@', start);
    size_t slash = url.find('/', start);
    size_t colon = url.find(':', start);
    if (at != std::string_view::npos && (slash == std::string_view::npos || slash > at) &&
        colon != std::string_view::npos && colon < at) {
      shown = std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
    }
  }
  return mask_url_secrets(std::move(shown), url);
}

}  // namespace glisk::log
