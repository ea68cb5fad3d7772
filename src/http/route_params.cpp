#include "http/route_params.hpp"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
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

namespace {

void only_fields(const json& body, std::initializer_list<std::string_view> known, const char* use) {
  for (const auto& [key, value] : body.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      throw BadRequest("unknown field '" + key.substr(0, 40) + "': use " + use);
    }
  }
}

bool flag(const json& body, const char* name) {
  if (!body.contains(name)) return false;
  if (!body[name].is_boolean()) throw BadRequest(std::string(name) + " must be true or false");
  return body[name].get<bool>();
}

std::vector<int64_t> token_ids(const json& ids) {
  if (!ids.is_array() || ids.empty() || ids.size() > kMaxRetryTokenIds) {
    throw BadRequest("token_ids must be a list of 1.." + std::to_string(kMaxRetryTokenIds) + " token ids");
  }
  std::vector<int64_t> out;
  for (const auto& id : ids) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0) {
      throw BadRequest("token_ids must hold non-negative whole numbers, got " + json_input::excerpt(id, 40));
    }
    out.push_back(id.get<int64_t>());
  }
  return out;
}

token::Stage stage_field(const json& body) {
  if (!body["stage"].is_string()) throw BadRequest("stage must be image, ipfs or reveal");
  return ops::parse_stage_name(body["stage"].get<std::string>());
}

}  // namespace

RetryRequest parse_retry_request(std::string_view text) {
  const json body = json_object(text);
  RetryRequest request;
  auto& selection = request.selection;
  only_fields(body, {"token_ids", "failed", "waiting", "stage", "now", "dry_run"},
              "token_ids, or failed and/or waiting (and stage), now and dry_run");
  request.dry_run = flag(body, "dry_run");
  selection.now = flag(body, "now");
  const bool has_ids = body.contains("token_ids");
  const bool has_filter = body.contains("failed") || body.contains("waiting");
  if (has_ids == has_filter) {
    throw BadRequest(
        "give either token_ids (a list of token ids) or \"failed\": true and/or \"waiting\": true, not both and not "
        "neither");
  }
  if (has_ids) {
    selection.token_ids = token_ids(body["token_ids"]);
    if (body.contains("stage")) throw BadRequest("stage narrows failed/waiting; with token_ids leave it out");
    return request;
  }
  if (body.contains("failed") && !flag(body, "failed")) throw BadRequest("failed must be true (or left out)");
  if (body.contains("waiting") && !flag(body, "waiting")) throw BadRequest("waiting must be true (or left out)");
  selection.all_failed = body.contains("failed");
  selection.all_waiting = body.contains("waiting");
  if (selection.all_waiting && !selection.now) {
    throw BadRequest("waiting takes the tokens waiting out a backoff: it needs \"now\": true");
  }
  if (body.contains("stage")) selection.stage = stage_field(body);
  return request;
}

CancelRequest parse_cancel_request(std::string_view text) {
  const json body = json_object(text);
  CancelRequest request;
  only_fields(body, {"token_ids", "status", "stage", "reason", "dry_run"},
              "token_ids or status (and stage), reason and dry_run");
  request.dry_run = flag(body, "dry_run");
  request.reason = operator_reason(body);
  const bool has_ids = body.contains("token_ids");
  if (has_ids == body.contains("status")) {
    throw BadRequest(
        "give either token_ids (a list of token ids) or status (every token in it), not both and not neither");
  }
  if (has_ids) {
    request.selection.token_ids = token_ids(body["token_ids"]);
    if (body.contains("stage")) throw BadRequest("stage narrows status; with token_ids leave it out");
    return request;
  }
  if (!body["status"].is_string()) throw BadRequest("status must be a token status");
  request.selection.status = ops::parse_status_name(body["status"].get<std::string>());
  if (body.contains("stage")) request.selection.stage = stage_field(body);
  return request;
}

StageRequest parse_stage_request(std::string_view text, bool reason_required) {
  const json body = json_object(text);
  only_fields(body, {"stage", "reason"}, reason_required ? "stage and reason" : "stage");
  if (!body.contains("stage")) throw BadRequest("stage is missing: image, ipfs or reveal");
  StageRequest request{stage_field(body), ""};
  if (reason_required) {
    request.reason = operator_reason(body);
  } else if (body.contains("reason")) {
    throw BadRequest("reason belongs to a pause; a resume takes only stage");
  }
  return request;
}

std::string operator_reason(const json& body) {
  if (!body.contains("reason") || !body["reason"].is_string()) {
    throw BadRequest("reason is missing: say why in a few words (it is kept with the action)");
  }
  return ops::parse_reason(body["reason"].get<std::string>());
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
