#pragma once
// Readers of a node's JSON objects for the chain's decoders (receipt, log, block): each field
// checked, each failure a MalformedResponse that names `what` and the field. Pure functions.

#include <cstdint>
#include <string>

#include "chain/eth_rpc.hpp"

namespace glisk::chain::detail {

// The member, or nullptr when it is absent or null.
const JsonValue* optional_field(const JsonValue& object, const char* name);
// `object` must be a JSON object: "<what> must be a JSON object, got …".
void require_object(const JsonValue& object, const std::string& what);
// "<what> field <name> is missing" / "… must be a string, got …".
std::string text_field(const JsonValue& object, const char* name, const std::string& what);
// A 0x-hex quantity of at most 63 bits (fits int64): "… must be a 0x-hex quantity, got …",
// "… is out of range".
int64_t int64_quantity_field(const JsonValue& object, const char* name, const std::string& what);
// 32 bytes as 0x + 64 hex digits, returned lowercase: "… must be 32 bytes, got N".
std::string hash32_field(const JsonValue& object, const char* name, const std::string& what);

}  // namespace glisk::chain::detail
