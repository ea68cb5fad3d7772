#include "ops/operator_input.hpp"

#include <charconv>

namespace glisk::ops {

int parse_limit(const std::string& text, const std::string& name) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < 1 || value > kMaxLimit) {
    throw InvalidRequest(name + " must be a whole number 1.." + std::to_string(kMaxLimit) + ", got '" +
                         text.substr(0, 40) + "'");
  }
  return value;
}

int64_t parse_token_id(const std::string& text) {
  int64_t id = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || id < 0) {
    throw InvalidRequest("a token id must be a non-negative whole number, got '" + text.substr(0, 80) + "'");
  }
  return id;
}

token::Stage parse_stage_name(const std::string& text) {
  auto stage = token::parse_stage(text);
  if (!stage) throw InvalidRequest("the stage must be image, ipfs or reveal, got '" + text.substr(0, 40) + "'");
  return *stage;
}

}  // namespace glisk::ops
