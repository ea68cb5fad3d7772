#pragma once
// The error policy, in one place (docs/DEVELOPING.md tells it whole).
//
// Every error glisk raises itself is an errors::Error with a Kind. Failures from outside (a
// provider, the node, the database, a client's request) become Errors at the component that
// meets them, with a message that says what to do; everything after decides from the kind alone,
// in one switch per consumer: the HTTP status (http::status_for), a token's move in a stage
// (workers::StageWorker). The classes below the kinds exist for the catch sites that need a finer
// grain (a 429's Retry-After, a revert's data); their kind is fixed by their class.
//
//   kind            HTTP   a stage does with the token
//   kBadInput       400    fails it (its data cannot be used)
//   kTooLarge       413    fails it
//   kUnauthorized   401    fails it (the provider refused the key: the message names it)
//   kNotFound       404    fails it
//   kConflict       409    fails it
//   kUnavailable    503    postpones it, no attempt counted (our own database or configuration)
//   kRateLimited    429    pauses the stage, no attempt counted (the provider's limit)
//   kOutage         503    postpones it, no attempt counted; the stage's breaker counts the fault
//                          (the provider or our account with it: 401/402/403, 5xx, unreachable)
//   kTransient      503    retries with backoff, counting an attempt (MAX_ATTEMPTS)
//   kPermanent      500    fails it now
//   kContentPolicy  500    the image stage retries once with FALLBACK_CENSORED_PROMPT, then fails
//   kBug            500    postpones it, no attempt counted; the worker restarts
//
// An exception that is not an Error is a bug too (kind_of answers kBug). Broken invariants are
// checked by GLISK_ASSERT (errors/assert.hpp), on in every build.

#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace glisk::errors {

enum class Kind {
  kBadInput,
  kTooLarge,
  kUnauthorized,
  kNotFound,
  kConflict,
  kUnavailable,
  kRateLimited,
  kOutage,
  kTransient,
  kPermanent,
  kContentPolicy,
  kBug,
};

std::string_view to_string(Kind kind);  // "bad_input", "too_large", …

class Error : public std::runtime_error {
 public:
  Error(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const noexcept { return kind_; }

 private:
  Kind kind_;
};

// The kind of any exception: an Error's own, kBug for anything else.
Kind kind_of(const std::exception& e) noexcept;
Kind kind_of(std::exception_ptr failure) noexcept;

// One class per kind for errors that need nothing more than their message.
template <Kind K>
class ErrorOfKind : public Error {
 public:
  explicit ErrorOfKind(const std::string& what) : Error(K, what) {}
};
using BadInput = ErrorOfKind<Kind::kBadInput>;
using TooLarge = ErrorOfKind<Kind::kTooLarge>;
using Unauthorized = ErrorOfKind<Kind::kUnauthorized>;
using NotFound = ErrorOfKind<Kind::kNotFound>;
using Conflict = ErrorOfKind<Kind::kConflict>;
using Unavailable = ErrorOfKind<Kind::kUnavailable>;
using Bug = ErrorOfKind<Kind::kBug>;

class TransientError : public Error {
 public:
  explicit TransientError(const std::string& what, std::optional<std::chrono::milliseconds> retry_after = std::nullopt)
      : TransientError(Kind::kTransient, what, retry_after) {}
  std::optional<std::chrono::milliseconds> retry_after() const { return retry_after_; }

 protected:
  TransientError(Kind kind, const std::string& what, std::optional<std::chrono::milliseconds> retry_after)
      : Error(kind, what), retry_after_(retry_after) {}

 private:
  std::optional<std::chrono::milliseconds> retry_after_;
};

// The account's limit, not the token's: the stage pauses (honouring retry_after) and the token's
// attempt is not counted, so a long rate limit never fails tokens.
class RateLimitedError : public TransientError {
 public:
  explicit RateLimitedError(const std::string& what,
                            std::optional<std::chrono::milliseconds> retry_after = std::nullopt)
      : TransientError(Kind::kRateLimited, what, retry_after) {}
};

// The outside service is down, or refuses our account (the key, the credit): no token's fault, so
// no token is charged for it; the stage's breaker (workers/breaker.hpp) pauses the stage. An
// account fault opens the breaker at once, a fault of the service (5xx, unreachable, timed out)
// after a few in a row. The message says what to do ("check REPLICATE_API_TOKEN").
class OutageError : public TransientError {
 public:
  enum class Cause { kAccount, kService };
  OutageError(Cause cause, const std::string& what)
      : TransientError(Kind::kOutage, what, std::nullopt), cause_(cause) {}
  Cause cause() const { return cause_; }

 private:
  Cause cause_;
};

// Fail now; the message must say what to fix (e.g. which variable).
class PermanentError : public Error {
 public:
  explicit PermanentError(const std::string& what) : Error(Kind::kPermanent, what) {}
};

// The image model refused the prompt.
class ContentPolicyError : public Error {
 public:
  explicit ContentPolicyError(const std::string& what) : Error(Kind::kContentPolicy, what) {}
};

}  // namespace glisk::errors
