#pragma once
// The Standard Webhooks signature, as Replicate signs its deliveries
// (replicate.com/docs/topics/webhooks/verify-webhook): headers `webhook-id`, `webhook-timestamp`
// (Unix seconds) and `webhook-signature` (space-separated `v1,<base64>` entries); each entry is
// the base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>" under the key that is the base64 after
// `whsec_` in the signing secret. One matching entry (compared in constant time) is enough; a
// timestamp more than `tolerance` away from now is refused, so a captured delivery cannot be
// replayed later. Pure functions (Crypto++), thread-safe; messages never carry the secret or a
// signature.

#include <chrono>
#include <string>
#include <string_view>

#include "clock/clock.hpp"
#include "errors/errors.hpp"

namespace glisk::webhook {

class BadSignature : public errors::Unauthorized {
 public:
  using errors::Unauthorized::Unauthorized;
};

// The HMAC key of a `whsec_<base64>` secret. Throws errors::BadInput naming the variable when the
// secret is not of that form.
std::string standard_webhook_key(std::string_view secret, std::string_view variable);

// base64 HMAC-SHA256 of "<id>.<timestamp>.<body>" under `key` (what a sender puts after "v1,").
std::string standard_webhook_signature(std::string_view key, std::string_view id, std::string_view timestamp,
                                       std::string_view body);

// Throws BadSignature saying what is wrong (a header missing, the time off, no entry matches).
void verify_standard_webhook(std::string_view key, std::string_view id, std::string_view timestamp,
                             std::string_view signatures, std::string_view body, clock::TimePoint now,
                             std::chrono::seconds tolerance = std::chrono::minutes(5));

}  // namespace glisk::webhook
