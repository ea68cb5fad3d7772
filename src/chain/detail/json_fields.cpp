#include "chain/detail/json_fields.hpp"

#include <limits>

#include "eth/hex.hpp"
#include "eth/uint256.hpp"
#include "json_input/json_input.hpp"

namespace glisk::chain::detail {

const JsonValue* optional_field(const JsonValue& object, const char* name) {
  auto it = object.find(name);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

void require_object(const JsonValue& object, const std::string& what) {
  if (!object.is_object()) throw MalformedResponse(what + " must be a JSON object, got " + json_input::excerpt(object));
}

namespace {

const JsonValue& required(const JsonValue& object, const char* name, const std::string& what) {
  const auto* value = optional_field(object, name);
  if (value == nullptr) throw MalformedResponse(what + " field " + name + " is missing");
  return *value;
}

}  // namespace

std::string text_field(const JsonValue& object, const char* name, const std::string& what) {
  const JsonValue& value = required(object, name, what);
  if (!value.is_string())
    throw MalformedResponse(what + " field " + name + " must be a string, got " + json_input::excerpt(value));
  return value.get<std::string>();
}

int64_t int64_quantity_field(const JsonValue& object, const char* name, const std::string& what) {
  const JsonValue& value = required(object, name, what);
  const auto refuse = [&] {
    return MalformedResponse(what + " field " + name + " must be a 0x-hex quantity, got " + json_input::excerpt(value));
  };
  if (!value.is_string()) throw refuse();
  const std::string text = value.get<std::string>();
  eth::U256 number;
  try {
    number = eth::U256::from_hex(text);
  } catch (const std::exception&) {
    throw refuse();
  }
  if (!number.fits_u64() || number.low_u64() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    throw MalformedResponse(what + " field " + name + " " + text.substr(0, 80) + " is out of range");
  }
  return static_cast<int64_t>(number.low_u64());
}

std::string hash32_field(const JsonValue& object, const char* name, const std::string& what) {
  const std::string text = text_field(object, name, what);
  eth::Bytes bytes;
  try {
    bytes = eth::from_hex(text, name);
  } catch (const eth::InvalidHex& e) {
    throw MalformedResponse(what + " field " + name + ": " + e.what());
  }
  if (bytes.size() != 32) {
    throw MalformedResponse(what + " field " + name + " must be 32 bytes, got " + std::to_string(bytes.size()));
  }
  return eth::to_hex(bytes);
}

}  // namespace glisk::chain::detail
