#pragma once
// Prompt authors: who they are (EIP-55 wallets), whether they set a prompt, and setting it.
//   set_signed_prompt – the public way (POST /api/authors/prompt): the wallet proves it wrote the
//       prompt by an EIP-191 signature over signed_prompt.hpp's message. Checked in this order,
//       so a bad request never costs a database write: address, prompt text, timestamp window
//       (at most kMaxAge old, kMaxSkew ahead of the injected clock), signature bytes, signer ==
//       wallet; then in one transaction the message digest is recorded as used (a replay, even
//       after a restart or on another instance, is refused) and the prompt stored — unless the
//       author already has a prompt signed at the same or a later time (an old message cannot
//       undo a newer one).
//   set_prompt – the operator's way (`glisk authors set-prompt`): no signature.
// The prompt text is never logged or returned. Errors: InvalidAuthorRequest (HTTP 400),
// SignatureRejected (401), PromptConflict (409), store::DatabaseError (503). Thread-safe.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "authors/signed_prompt.hpp"
#include "clock/clock.hpp"
#include "errors/errors.hpp"
#include "log/event_log.hpp"
#include "store/author_store.hpp"
#include "store/database.hpp"

namespace glisk::authors {

// The signature is well-formed but not the wallet's.
class SignatureRejected : public errors::Unauthorized {
 public:
  using errors::Unauthorized::Unauthorized;
};
// The signature was used before, or a newer prompt is already set.
class PromptConflict : public errors::Conflict {
 public:
  using errors::Conflict::Conflict;
};

inline constexpr std::chrono::seconds kMaxAge{600};   // a signed message older than this is stale
inline constexpr std::chrono::seconds kMaxSkew{300};  // how far ahead a signer's clock may be

using AuthorSummary = store::AuthorSummary;

class AuthorRegistry {
 public:
  AuthorRegistry(store::Database& db, clock::Clock& clock, const log::EventLog& log)
      : authors_(db, clock), clock_(clock), log_(log) {}

  // nullopt for an unknown author; InvalidAuthorRequest for a malformed address.
  std::optional<AuthorSummary> find(const std::string& wallet_address);
  // Every author, by wallet.
  std::vector<AuthorSummary> list();

  // Returns the EIP-55 wallet whose prompt was stored.
  std::string set_signed_prompt(const SignedPrompt& request);
  std::string set_prompt(const std::string& wallet_address, const std::string& prompt_text);

 private:
  store::AuthorStore authors_;
  clock::Clock& clock_;
  const log::EventLog& log_;
};

}  // namespace glisk::authors
