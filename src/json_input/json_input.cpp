#include "json_input/json_input.hpp"

namespace glisk::json_input {
namespace {

using nlohmann::json;

struct TooDeep {};

std::string cut(std::string text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t at = max_bytes;
  while (at > 0 && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) --at;  // not inside a character
  text.resize(at);
  return text + "…";
}

// Writes at most about `budget` bytes; containers below `depth_left` become "[…]" / "{…}".
void write(const json& value, std::string& out, size_t budget, int depth_left) {
  if (out.size() > budget) return;
  switch (value.type()) {
    case json::value_t::array: {
      if (depth_left == 0) {
        out += value.empty() ? "[]" : "[…]";
        return;
      }
      out += '[';
      bool first = true;
      for (const auto& item : value) {
        if (out.size() > budget) break;
        if (!first) out += ',';
        first = false;
        write(item, out, budget, depth_left - 1);
      }
      out += ']';
      return;
    }
    case json::value_t::object: {
      if (depth_left == 0) {
        out += value.empty() ? "{}" : "{…}";
        return;
      }
      out += '{';
      bool first = true;
      for (const auto& [key, item] : value.items()) {
        if (out.size() > budget) break;
        if (!first) out += ',';
        first = false;
        out += json(key.substr(0, budget)).dump(-1, ' ', false, json::error_handler_t::replace);
        out += ':';
        write(item, out, budget, depth_left - 1);
      }
      out += '}';
      return;
    }
    case json::value_t::string: {
      const auto& text = value.get_ref<const std::string&>();
      // Only the start can show: do not escape a megabyte to print eighty bytes of it.
      out += json(text.substr(0, budget + 1)).dump(-1, ' ', false, json::error_handler_t::replace);
      return;
    }
    default:
      out += value.dump();  // a scalar: short
  }
}

}  // namespace

json parse(std::string_view text, const Limits& limits, std::string_view what) {
  if (text.size() > limits.max_bytes) {
    throw InvalidJson(std::string(what) + " is " + std::to_string(text.size()) + " bytes; at most " +
                      std::to_string(limits.max_bytes) + " are read");
  }
  // nlohmann's parser keeps its own stack (no recursion); the callback stops it before a
  // container deeper than the limit is built.
  const json::parser_callback_t depth_guard = [&limits](int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= limits.max_depth) {
      throw TooDeep{};
    }
    return true;
  };
  try {
    return json::parse(text, depth_guard);
  } catch (const TooDeep&) {
    throw InvalidJson(std::string(what) + " nests deeper than " + std::to_string(limits.max_depth) + " levels");
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number beyond double
    // nlohmann quotes the token it stopped at, which for an unterminated string is the rest of the
    // document (found by fuzz/json_input.cpp): the message keeps its start only.
    throw InvalidJson(std::string(what) + " is not JSON: " + cut(e.what(), 300));
  }
}

json parse_or_discarded(std::string_view text, const Limits& limits) {
  try {
    return parse(text, limits);
  } catch (const InvalidJson&) {
    return json(json::value_t::discarded);
  }
}

std::string excerpt(const json& value, size_t max_bytes) {
  std::string out;
  write(value, out, max_bytes, 2);
  return cut(std::move(out), max_bytes);
}

}  // namespace glisk::json_input
