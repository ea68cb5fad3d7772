#include "webhook/alchemy_payload.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "json_input/json_input.hpp"

namespace glisk::webhook {
namespace {

using nlohmann::json;

const json& member(const json& object, const char* name, const std::string& where) {
  if (!object.is_object()) throw MalformedWebhook(where + " must be a JSON object, got " + json_input::excerpt(object));
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) throw MalformedWebhook(where + "." + name + " is missing");
  return *it;
}

const std::string& text_member(const json& object, const char* name, const std::string& where) {
  const json& v = member(object, name, where);
  if (!v.is_string()) throw MalformedWebhook(where + "." + name + " must be a string, got " + json_input::excerpt(v));
  return v.get_ref<const std::string&>();
}

// A JSON integer or a 0x-hex string (Alchemy writes integers; JSON-RPC style hex is accepted too).
int64_t number_member(const json& object, const char* name, const std::string& where) {
  const json& v = member(object, name, where);
  if (v.is_number_unsigned()) {
    // Read as uint64 first: get<int64_t>() of 2^63 or more would come back negative.
    if (v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
      throw MalformedWebhook(where + "." + name + " " + json_input::excerpt(v) + " is out of range");
    }
    return static_cast<int64_t>(v.get<uint64_t>());
  }
  if (v.is_number_integer() && v.get<int64_t>() >= 0) return v.get<int64_t>();
  if (v.is_string()) {
    try {
      return mints::parse_int64_quantity(v, where + "." + name);
    } catch (const mints::InvalidMintLog& e) {
      throw MalformedWebhook(e.what());
    }
  }
  throw MalformedWebhook(where + "." + name + " must be a non-negative integer, got " + json_input::excerpt(v));
}

std::string hash_member(const json& value, const std::string& where) {
  try {
    return mints::parse_hash32(value, where);
  } catch (const mints::InvalidMintLog& e) {
    throw MalformedWebhook(e.what());
  }
}

}  // namespace

AlchemyDelivery parse_alchemy_delivery(std::string_view body, const eth::Address& contract) {
  json payload;
  try {
    payload = json_input::parse(body, {kMaxDeliveryBytes}, "the body");
  } catch (const json_input::InvalidJson& e) {
    throw MalformedWebhook(e.what());
  }
  if (!payload.is_object()) throw MalformedWebhook("the body must be a JSON object");
  if (auto type = payload.find("type"); type != payload.end() && *type != "GRAPHQL") {
    throw MalformedWebhook("expected a Custom Webhook delivery (type GRAPHQL), got type " + json_input::excerpt(*type));
  }
  const json& block = member(member(member(payload, "event", "body"), "data", "event"), "block", "event.data");
  const json& entries = member(block, "logs", "event.data.block");
  if (!entries.is_array()) throw MalformedWebhook("event.data.block.logs must be an array");

  AlchemyDelivery delivery;
  if (!entries.empty()) {
    delivery.block_number = number_member(block, "number", "event.data.block");
    if (auto h = block.find("hash"); h != block.end() && !h->is_null()) {
      delivery.block_hash = hash_member(*h, "event.data.block.hash");
    }
  }
  // Every log is read before any is decoded, so a malformed one anywhere refuses the delivery.
  struct ParsedLog {
    mints::RawLog raw;
    bool ours = false;     // of the configured contract
    bool success = false;  // its transaction succeeded
  };
  std::vector<ParsedLog> logs;
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string where = "event.data.block.logs[" + std::to_string(i) + "]";
    const json& entry = entries[i];
    ParsedLog parsed;
    auto& raw = parsed.raw;
    raw.address = text_member(member(entry, "account", where), "address", where + ".account");
    try {
      parsed.ours = eth::Address::parse(raw.address) == contract;
    } catch (const eth::InvalidAddress& e) {
      throw MalformedWebhook(where + ".account.address: " + e.what());
    }
    const json& topics = member(entry, "topics", where);
    if (!topics.is_array()) throw MalformedWebhook(where + ".topics must be an array");
    for (const auto& t : topics) {
      if (!t.is_string()) throw MalformedWebhook(where + ".topics must hold strings, got " + json_input::excerpt(t));
      raw.topics.push_back(t.get<std::string>());
    }
    raw.data = text_member(entry, "data", where);
    raw.log_index = number_member(entry, "index", where);
    const json& transaction = member(entry, "transaction", where);
    raw.tx_hash = hash_member(member(transaction, "hash", where + ".transaction"), where + ".transaction.hash");
    parsed.success = number_member(transaction, "status", where + ".transaction") == 1;
    raw.block_number = delivery.block_number;
    raw.block_hash = delivery.block_hash;
    logs.push_back(std::move(parsed));
  }

  for (size_t i = 0; i < logs.size(); ++i) {
    const auto& l = logs[i];
    if (!l.ours || !l.success || !mints::is_batch_minted(l.raw)) {
      ++delivery.ignored;
      continue;
    }
    try {
      delivery.mints.push_back(mints::decode_batch_minted(l.raw));
    } catch (const mints::InvalidMintLog& e) {
      throw MalformedWebhook("event.data.block.logs[" + std::to_string(i) + "]: " + e.what());
    }
  }
  return delivery;
}

}  // namespace glisk::webhook
