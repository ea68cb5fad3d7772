#include "ops/operator_input.hpp"

#include <charconv>
#include <limits>
#include <optional>

namespace glisk::ops {

namespace {

// Decimal digits only, as a value up to `max`. Parsed unsigned: std::from_chars into a signed type
// takes a minus sign, and "-0" would pass as 0.
std::optional<uint64_t> whole_number(const std::string& text, uint64_t max) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

}  // namespace

int parse_limit(const std::string& text, const std::string& name) {
  const auto value = whole_number(text, kMaxLimit);
  if (!value || *value < 1) {
    throw InvalidRequest(name + " must be a whole number 1.." + std::to_string(kMaxLimit) + ", got '" +
                         text.substr(0, 40) + "'");
  }
  return static_cast<int>(*value);
}

int64_t parse_token_id(const std::string& text) {
  const auto id = whole_number(text, static_cast<uint64_t>(std::numeric_limits<int64_t>::max()));
  if (!id) throw InvalidRequest("a token id must be a non-negative whole number, got '" + text.substr(0, 80) + "'");
  return static_cast<int64_t>(*id);
}

token::Stage parse_stage_name(const std::string& text) {
  auto stage = token::parse_stage(text);
  if (!stage) throw InvalidRequest("the stage must be image, ipfs or reveal, got '" + text.substr(0, 40) + "'");
  return *stage;
}

token::TokenStatus parse_status_name(const std::string& text) {
  auto status = token::parse_status(text);
  if (!status) {
    throw InvalidRequest("the status must be detected, generating, uploading, ready, revealed or failed, got '" +
                         text.substr(0, 40) + "'");
  }
  return *status;
}

std::string parse_reason(const std::string& text) {
  const size_t first = text.find_first_not_of(' ');
  const size_t last = text.find_last_not_of(' ');
  if (first == std::string::npos) throw InvalidRequest("the reason is empty: say why in a few words");
  std::string reason = text.substr(first, last - first + 1);
  if (reason.size() > kMaxReasonChars) {
    throw InvalidRequest("the reason is " + std::to_string(reason.size()) + " bytes long; keep it under " +
                         std::to_string(kMaxReasonChars));
  }
  for (unsigned char c : reason) {
    if (c < 0x20 || c == 0x7f) throw InvalidRequest("the reason holds a control character: use plain text on one line");
  }
  return reason;
}

}  // namespace glisk::ops
