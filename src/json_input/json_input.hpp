#pragma once
// The one way glisk reads JSON that comes from outside — HTTP bodies, webhook deliveries, the
// node's and the providers' answers. A document larger than its `max_bytes` is refused before it
// is parsed, and one nesting deeper than `max_depth` while it is parsed, so a hostile document
// can exhaust neither memory nor the stack (nlohmann's DOM is freed and printed recursively: a
// 150,000-deep array took the process down). Messages quote a value through excerpt(): bounded
// and flat, never the value printed whole. Pure functions, thread-safe.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "errors/errors.hpp"

namespace glisk::json_input {

// Deeper than anything glisk reads (an Alchemy delivery nests 7 levels, an RPC log answer 4).
inline constexpr int kMaxDepth = 64;

struct Limits {
  size_t max_bytes = 1u << 20;
  int max_depth = kMaxDepth;
};

class InvalidJson : public errors::BadInput {
 public:
  using errors::BadInput::BadInput;
};

// Parses `text` or throws InvalidJson saying why: too large, nested too deep, not JSON (with
// where), or a number beyond double. `what` names the document in the message ("the body").
nlohmann::json parse(std::string_view text, const Limits& limits, std::string_view what = "the document");

// The same, but an unusable document comes back as a discarded value (is_discarded()), for
// callers that describe a bad answer themselves.
nlohmann::json parse_or_discarded(std::string_view text, const Limits& limits);

// A value as messages show it: its JSON text, containers two levels deep at most ("[…]" below),
// cut to `max_bytes` with "…" at a character boundary, so a message stays short and valid UTF-8.
std::string excerpt(const nlohmann::json& value, size_t max_bytes = 80);

}  // namespace glisk::json_input
