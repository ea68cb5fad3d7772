#pragma once
// The error policy of the stages, in one place. Providers turn outside failures into these at
// their boundary; the stage worker decides from the type alone what happens to the token:
//   TransientError  – retry with backoff (honouring retry_after), fail after MAX_ATTEMPTS;
//   RateLimitedError – a TransientError that is the account's, not the token's: the provider
//                     asks everyone to slow down (HTTP 429). The stage pauses, honouring
//                     retry_after, and the token's attempt is not counted, so a long rate limit
//                     never fails tokens;
//   PermanentError  – fail now; the message must say what to fix (e.g. which variable);
//   ContentPolicyError – the image model refused the prompt; the image stage retries once with
//                     FALLBACK_CENSORED_PROMPT, then it is permanent.
// Any other exception escaping a processor is a bug and is treated as transient, so a token is
// never retried forever and never lost.

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

namespace glisk::errors {

class TransientError : public std::runtime_error {
 public:
  explicit TransientError(const std::string& what, std::optional<std::chrono::milliseconds> retry_after = std::nullopt)
      : std::runtime_error(what), retry_after_(retry_after) {}
  std::optional<std::chrono::milliseconds> retry_after() const { return retry_after_; }

 private:
  std::optional<std::chrono::milliseconds> retry_after_;
};

class RateLimitedError : public TransientError {
 public:
  using TransientError::TransientError;
};

class PermanentError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ContentPolicyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace glisk::errors
