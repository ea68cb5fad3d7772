#include "chain/rpc_answer.hpp"

#include "json_input/json_input.hpp"

namespace glisk::chain {
namespace {

std::string data_as_string(const JsonValue& error) {
  auto it = error.find("data");
  if (it == error.end() || it->is_null()) return "";
  // Revert data is a 0x-hex string and is kept whole (it is decoded); anything else is only shown.
  return it->is_string() ? it->get<std::string>() : json_input::excerpt(*it, 400);
}

}  // namespace

JsonValue read_rpc_answer(const std::string& method, const std::string& where, uint64_t id, const RpcAnswer& answer,
                          size_t max_body_bytes) {
  JsonValue body;
  std::string unreadable;  // why the body is not JSON, when it is not
  try {
    body = json_input::parse(answer.body, {max_body_bytes}, "the answer");
  } catch (const json_input::InvalidJson& e) {
    unreadable = e.what();
    body = JsonValue(JsonValue::value_t::discarded);
  }
  // Some nodes send a JSON-RPC error with a 4xx/5xx status; the error object says more than the
  // status, so it wins whenever there is one.
  const bool has_error = body.is_object() && body.contains("error") && !body["error"].is_null();
  if (!has_error && (answer.status < 200 || answer.status >= 300)) {
    const std::string status = "HTTP " + std::to_string(answer.status);
    if (answer.status == 401 || answer.status == 403) {
      throw errors::PermanentError(where + ": " + status + ": access refused; check RPC_URL and its API key");
    }
    if (answer.status == 429 || answer.status >= 500) {
      throw errors::TransientError(where + ": " + status + " (node busy or down)", answer.retry_after);
    }
    throw MalformedResponse(where + ": " + status + " instead of a JSON-RPC answer; is RPC_URL a JSON-RPC endpoint?");
  }
  if (!body.is_object()) {
    throw MalformedResponse(where + ": answer is not a JSON object: " +
                            (unreadable.empty()
                                 ? json_input::excerpt(body)
                                 : "\"" + answer.body.substr(0, 80) + "\" (" + unreadable.substr(0, 200) + ")"));
  }
  auto id_it = body.find("id");
  if (id_it == body.end() || !id_it->is_number_unsigned() || id_it->get<uint64_t>() != id) {
    throw MalformedResponse(where + ": answer has id " + (id_it == body.end() ? "none" : json_input::excerpt(*id_it)) +
                            ", expected " + std::to_string(id));
  }
  if (has_error) {
    const JsonValue& error = body["error"];
    if (!error.is_object() || !error.contains("code") || !error["code"].is_number_integer() ||
        !error.contains("message") || !error["message"].is_string()) {
      throw MalformedResponse(where +
                              ": error member without an integer code and a message: " + json_input::excerpt(error));
    }
    throw RpcError(method, error["code"].get<int64_t>(), error["message"].get<std::string>(), data_as_string(error));
  }
  auto result = body.find("result");
  if (result == body.end()) throw MalformedResponse(where + ": answer has neither result nor error");
  return std::move(*result);
}

}  // namespace glisk::chain
