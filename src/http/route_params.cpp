#include "http/route_params.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>

#include "json_input/json_input.hpp"
#include "ops/operator_input.hpp"

namespace glisk::http {
namespace {

using nlohmann::json;

// A JSON object body, or BadRequest saying why not. The server caps each route's body below
// this; the cap here keeps the parser's promise on its own (the fuzz target calls it directly).
json json_object(std::string_view body) {
  json parsed;
  try {
    parsed = json_input::parse(body, {kMaxBodyBytes}, "the body");
  } catch (const json_input::InvalidJson& e) {
    throw BadRequest(e.what());
  }
  if (!parsed.is_object()) throw BadRequest("the body must be a JSON object");
  return parsed;
}

const json& body_field(const json& body, const char* name, bool (json::*is_type)() const noexcept, const char* type) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) throw BadRequest(std::string(name) + " is missing");
  if (!((*it).*is_type)()) throw BadRequest(std::string(name) + " must be " + type);
  return *it;
}

}  // namespace

RetryRequest parse_retry_request(std::string_view text) {
  const json body = json_object(text);
  RetryRequest request;
  auto& selection = request.selection;
  for (const auto& [key, value] : body.items()) {
    if (key != "token_ids" && key != "failed" && key != "stage" && key != "dry_run") {
      throw BadRequest("unknown field '" + key.substr(0, 40) + "': use token_ids, or failed (and stage), and dry_run");
    }
  }
  if (body.contains("dry_run")) {
    if (!body["dry_run"].is_boolean()) throw BadRequest("dry_run must be true or false");
    request.dry_run = body["dry_run"].get<bool>();
  }
  const bool has_ids = body.contains("token_ids");
  const bool has_failed = body.contains("failed");
  if (has_ids == has_failed) {
    throw BadRequest("give either token_ids (a list of token ids) or \"failed\": true, not both and not neither");
  }
  if (has_ids) {
    const auto& ids = body["token_ids"];
    if (!ids.is_array() || ids.empty() || ids.size() > kMaxRetryTokenIds) {
      throw BadRequest("token_ids must be a list of 1.." + std::to_string(kMaxRetryTokenIds) + " token ids");
    }
    for (const auto& id : ids) {
      if (!id.is_number_integer() || id.get<int64_t>() < 0) {
        throw BadRequest("token_ids must hold non-negative whole numbers, got " + json_input::excerpt(id, 40));
      }
      selection.token_ids.push_back(id.get<int64_t>());
    }
    if (body.contains("stage")) throw BadRequest("stage narrows \"failed\": true; with token_ids leave it out");
  } else {
    if (!body["failed"].is_boolean() || !body["failed"].get<bool>()) throw BadRequest("failed must be true");
    selection.all_failed = true;
    if (body.contains("stage")) {
      if (!body["stage"].is_string()) throw BadRequest("stage must be image, ipfs or reveal");
      selection.stage = ops::parse_stage_name(body["stage"].get<std::string>());
    }
  }
  return request;
}

authors::SignedPrompt parse_prompt_request(std::string_view text) {
  const json body = json_object(text);
  authors::SignedPrompt request;
  request.wallet_address = body_field(body, "wallet_address", &json::is_string, "a string").get<std::string>();
  request.prompt_text = body_field(body, "prompt_text", &json::is_string, "a string").get<std::string>();
  const json& timestamp = body_field(body, "timestamp", &json::is_number_integer, "a whole number of unix seconds");
  if (timestamp.is_number_unsigned() && timestamp.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    throw BadRequest("timestamp is out of range");
  }
  request.timestamp = timestamp.get<int64_t>();
  request.signature =
      body_field(body, "signature", &json::is_string, "a string (0x + 65 bytes hex)").get<std::string>();
  return request;
}

}  // namespace glisk::http
