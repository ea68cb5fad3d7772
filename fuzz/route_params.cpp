// The HTTP routes' parameters, through the same functions ApiServer calls: token ids in paths
// (ops::parse_token_id), ?recent= and ?limit= (ops::parse_limit), stage names, wallets in
// /api/authors/{wallet} (authors::parse_wallet), and the JSON bodies of POST /api/admin/retry,
// /api/admin/cancel, /api/admin/pause and /resume, and POST /api/authors/prompt (http/route_params.hpp). The first byte
// picks the parameter, the rest is its text. Each parser returns a value within its documented range or throws its 400
// error type (BadRequest, ops::InvalidRequest, authors::InvalidAuthorRequest); nothing else.
#include "http/route_params.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "authors/signed_prompt.hpp"
#include "eth/address.hpp"
#include "fuzz/check.hpp"
#include "fuzz/input.hpp"
#include "fuzz/targets.hpp"
#include "ops/operator_input.hpp"

namespace glisk::fuzz {
namespace {

bool only_digits(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The decimal value of digits without leading zeros, for comparing with a parsed number.
std::string without_leading_zeros(const std::string& digits) {
  const size_t first = digits.find_first_not_of('0');
  return first == std::string::npos ? "0" : digits.substr(first);
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

void token_id(const std::string& text) {
  try {
    const int64_t id = ops::parse_token_id(text);
    require(only_digits(text), "a token id is decimal digits only");
    require(id >= 0 && std::to_string(id) == without_leading_zeros(text), "a token id is the number its digits say");
  } catch (const ops::InvalidRequest&) {
  }
}

void limit(const std::string& text) {
  try {
    const int value = ops::parse_limit(text, "limit");
    require(only_digits(text), "a limit is decimal digits only");
    require(value >= 1 && value <= ops::kMaxLimit, "a limit is 1..kMaxLimit");
    require(std::to_string(value) == without_leading_zeros(text), "a limit is the number its digits say");
  } catch (const ops::InvalidRequest&) {
  }
}

void stage(const std::string& text) {
  try {
    const token::Stage stage = ops::parse_stage_name(text);
    require(token::to_string(stage) == text, "a stage name is image, ipfs or reveal");
  } catch (const ops::InvalidRequest&) {
  }
}

void wallet(const std::string& text) {
  try {
    const eth::Address address = authors::parse_wallet(text);
    require(lower(address.to_checksum()) == lower(text), "a wallet is the address its text spells, in any case");
  } catch (const authors::InvalidAuthorRequest&) {
  }
}

void retry_body(const std::string& text) {
  try {
    const http::RetryRequest request = http::parse_retry_request(text);
    const auto& selection = request.selection;
    require((selection.all_failed || selection.all_waiting) == selection.token_ids.empty(),
            "a retry names token ids, or all failed and/or all waiting tokens");
    require(!selection.all_waiting || selection.now, "all waiting tokens only with now");
    require(selection.token_ids.size() <= http::kMaxRetryTokenIds, "a retry names at most kMaxRetryTokenIds tokens");
    require(std::all_of(selection.token_ids.begin(), selection.token_ids.end(), [](int64_t id) { return id >= 0; }),
            "retried token ids are non-negative");
    require(!selection.stage || selection.all_failed || selection.all_waiting,
            "a stage narrows only a retry of all failed or waiting tokens");
  } catch (const http::BadRequest&) {
  } catch (const ops::InvalidRequest&) {
  }
}

// The reason an operator gives: trimmed, 1..kMaxReasonChars bytes, no control characters.
void require_reason(const std::string& reason) {
  require(!reason.empty() && reason.size() <= ops::kMaxReasonChars, "a reason is 1..kMaxReasonChars bytes");
  require(reason.front() != ' ' && reason.back() != ' ', "a reason is trimmed");
  require(std::none_of(reason.begin(), reason.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }),
          "a reason holds no control character");
}

void cancel_body(const std::string& text) {
  try {
    const http::CancelRequest request = http::parse_cancel_request(text);
    require(request.selection.status.has_value() == request.selection.token_ids.empty(),
            "a cancel names token ids or a status");
    require(!request.selection.stage || request.selection.status, "a stage narrows only a cancel by status");
    require_reason(request.reason);
  } catch (const http::BadRequest&) {
  } catch (const ops::InvalidRequest&) {
  }
}

void stage_body(const std::string& text, bool pausing) {
  try {
    const http::StageRequest request = http::parse_stage_request(text, pausing);
    if (pausing) {
      require_reason(request.reason);
    } else {
      require(request.reason.empty(), "a resume takes no reason");
    }
  } catch (const http::BadRequest&) {
  } catch (const ops::InvalidRequest&) {
  }
}

void prompt_body(const std::string& text) {
  try {
    (void)http::parse_prompt_request(text);
  } catch (const http::BadRequest&) {
  }
}

}  // namespace

int route_params(const uint8_t* data, size_t size) {
  Input in(data, size);
  const uint8_t which = in.byte();
  const std::string text = in.rest_text();
  switch (which % 9) {
    case 0:
      token_id(text);
      break;
    case 1:
      limit(text);
      break;
    case 2:
      stage(text);
      break;
    case 3:
      wallet(text);
      break;
    case 4:
      retry_body(text);
      break;
    case 5:
      prompt_body(text);
      break;
    case 6:
      cancel_body(text);
      break;
    case 7:
      stage_body(text, true);
      break;
    case 8:
      stage_body(text, false);
      break;
  }
  return 0;
}

}  // namespace glisk::fuzz
