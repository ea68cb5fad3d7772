// Any JSON glisk reads from outside goes through json_input (json_input/json_input.hpp). For any
// text:
//   - parse() returns a value or throws InvalidJson, nothing else, and never overflows the stack
//     whatever the nesting (max_len lets libFuzzer reach hundreds of thousands of levels; three
//     such documents once crashed the service: fuzz/regressions/*/…-deep.*);
//   - what it returns nests at most max_depth levels, and came from at most max_bytes of text;
//   - excerpt() of what it returns is short (max_bytes plus the "…") and valid UTF-8, and so is
//     the message of what it throws.
// The first byte picks the limits (a small depth or size, or the defaults), the rest is the text.
#include "json_input/json_input.hpp"

#include <vector>

#include "fuzz/check.hpp"
#include "fuzz/input.hpp"
#include "fuzz/targets.hpp"

namespace glisk::fuzz {
namespace {

using nlohmann::json;

// Nesting depth without recursion: a deep value must not be able to crash its own check.
int depth_of(const json& root) {
  int deepest = 0;
  std::vector<std::pair<const json*, int>> stack = {{&root, 0}};
  while (!stack.empty()) {
    auto [value, depth] = stack.back();
    stack.pop_back();
    if (!value->is_structured()) continue;
    deepest = std::max(deepest, depth + 1);
    for (const auto& child : *value) stack.emplace_back(&child, depth + 1);
  }
  return deepest;
}

bool valid_utf8(std::string_view text) {
  try {
    (void)json(std::string(text)).dump();  // strict: throws on invalid UTF-8
    return true;
  } catch (const json::type_error&) {
    return false;
  }
}

}  // namespace

int json_input(const uint8_t* data, size_t size) {
  Input in(data, size);
  const uint8_t choice = in.byte();
  json_input::Limits limits;
  if (choice & 1) limits.max_depth = 1 + choice % 8;
  if (choice & 2) limits.max_bytes = 16 + choice;
  const std::string text = in.rest_text();
  json value;
  try {
    value = json_input::parse(text, limits, "the input");
  } catch (const json_input::InvalidJson& e) {
    require(std::string_view(e.what()).size() < 1000, "a parse error's message is short");
    return 0;
  }
  require(text.size() <= limits.max_bytes, "a parsed document is within max_bytes");
  require(depth_of(value) <= limits.max_depth, "a parsed document nests at most max_depth levels");
  const std::string shown = json_input::excerpt(value);
  require(shown.size() <= 80 + 3, "an excerpt is at most 80 bytes and an ellipsis");
  require(valid_utf8(shown), "an excerpt is valid UTF-8");
  return 0;
}

}  // namespace glisk::fuzz
