#pragma once
// What operators type, parsed the same way for the CLI (`glisk tokens --recent 20`, `glisk show 42`,
// `glisk retry --stage ipfs`) and the HTTP API (`?limit=20`, `/api/tokens/42/events`). Kept apart
// from PipelineView so the parsers can be fuzzed without a database. Bad input throws
// InvalidRequest, whose message says what is accepted. Pure functions, thread-safe.

#include <cstdint>
#include <stdexcept>
#include <string>

#include "errors/errors.hpp"
#include "token/token.hpp"

namespace glisk::ops {

// Bad operator input (a limit, a token id, a stage name); the message says what is accepted.
class InvalidRequest : public errors::BadInput {
 public:
  using errors::BadInput::BadInput;
};

inline constexpr int kMaxLimit = 1000;

// Parses an operator's limit ("--recent 20", "?limit=20"): 1..kMaxLimit or InvalidRequest.
int parse_limit(const std::string& text, const std::string& name);
// Parses a token id: decimal digits only (no sign, no spaces) of a value fitting int64, or
// InvalidRequest.
int64_t parse_token_id(const std::string& text);
// image | ipfs | reveal, or InvalidRequest.
token::Stage parse_stage_name(const std::string& text);
// A token status word (detected | generating | uploading | ready | revealed | failed), or InvalidRequest.
token::TokenStatus parse_status_name(const std::string& text);
// The reason an operator gives for a pause or a cancel: 1..kMaxReasonChars characters of
// printable text (no control characters: it is shown in terminals and logs), trimmed.
inline constexpr size_t kMaxReasonChars = 300;
std::string parse_reason(const std::string& text);

}  // namespace glisk::ops
