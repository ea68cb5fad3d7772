#pragma once
// The JSON bodies of the HTTP routes, parsed apart from the server so that ApiServer and the fuzz
// target (fuzz/route_params.cpp) run the same code. Path and query values (token ids, limits,
// stage names) go through ops/operator_input.hpp, as the CLI's do. Only shapes and types are
// checked here: what the values mean (a known token, a valid signature) is the handlers' business.
// Malformed input throws BadRequest, or ops::InvalidRequest for a bad stage name; both answer 400
// with a message that says what is accepted. Pure functions, thread-safe.

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string_view>

#include "authors/signed_prompt.hpp"
#include "errors/errors.hpp"
#include "store/token_lifecycle.hpp"

namespace glisk::http {

class BadRequest : public errors::BadInput {
 public:
  using errors::BadInput::BadInput;
};

inline constexpr size_t kMaxRetryTokenIds = 100'000;
// The largest body any route reads (its ids fit: 100,000 ids of up to 9 digits and a comma).
inline constexpr size_t kMaxBodyBytes = 1u << 20;

struct RetryRequest {
  store::RetrySelection selection;
  bool dry_run = false;
};

// POST /api/admin/retry: {"token_ids":[…]} (1..kMaxRetryTokenIds non-negative ids) or
// {"failed":true and/or "waiting":true [,"stage":"image"|"ipfs"|"reveal"]}, with optional
// "now": bool (tokens waiting out a backoff made due; "waiting" needs it) and "dry_run": bool;
// any other field is refused, so a typo never widens a retry.
RetryRequest parse_retry_request(std::string_view body);

struct CancelRequest {
  store::CancelSelection selection;
  std::string reason;
  bool dry_run = false;
};
// POST /api/admin/cancel: {"token_ids":[…]} or {"status": "detected"|…[, "stage": …]}, with
// "reason" (required, ops::parse_reason) and optional "dry_run".
CancelRequest parse_cancel_request(std::string_view body);

struct StageRequest {
  token::Stage stage = token::Stage::kImage;
  std::string reason;
};
// POST /api/admin/pause: {"stage": …, "reason": …}; POST /api/admin/resume: {"stage": …}.
StageRequest parse_stage_request(std::string_view body, bool reason_required);
// The "reason" field of an operator's action, checked (ops::parse_reason).
std::string operator_reason(const nlohmann::json& body);

// POST /api/authors/prompt: {"wallet_address": string, "prompt_text": string, "timestamp": whole
// number fitting int64, "signature": string}. AuthorRegistry checks what they say.
authors::SignedPrompt parse_prompt_request(std::string_view body);

}  // namespace glisk::http
