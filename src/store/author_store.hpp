#pragma once
// The authors table and the used-signature register: every statement on them. Authors come in
// one way — an upsert by wallet — whether a mint names them (no prompt), an operator sets a
// prompt, or a signed message does (with the time it was signed). Thread-safe (the Database is).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clock/clock.hpp"
#include "store/database.hpp"

namespace glisk::store {

struct Author {
  int64_t id = 0;
  std::string wallet_address;
  std::optional<std::string> prompt_text;
  std::optional<std::string> x_handle;
  std::optional<std::string> farcaster_handle;
};

struct AuthorSummary {
  std::string wallet_address;  // as stored (EIP-55 for every author glisk creates)
  bool has_prompt = false;
  int64_t tokens = 0;
  std::string updated_at;  // clock/time_format text
};

// What became of a signed prompt (store_signed_prompt). Nothing is written unless kStored.
enum class SignedPromptOutcome {
  kStored,
  kSignatureUsed,   // this message was used before (a replay)
  kNewerPromptSet,  // the author's prompt was signed at the same time or later
};
struct SignedPromptResult {
  SignedPromptOutcome outcome = SignedPromptOutcome::kStored;
  std::optional<int64_t> current_signed_at;  // with kNewerPromptSet
};

// What a signed prompt carries into the register.
struct SignedPromptRecord {
  std::string wallet_address;  // EIP-55
  std::string prompt_text;
  int64_t signed_at = 0;       // the message's timestamp (unix seconds)
  std::string message_hash;    // 0x-hex: the replay key
  std::string signature_hash;  // 0x-hex
};

// The author's id, created without a prompt when new (a mint names them), inside the caller's
// transaction; `now` is the time_format text. Never changes an existing author.
int64_t ensure_author(Transaction& tx, const std::string& wallet_address, const std::string& now);

class AuthorStore {
 public:
  AuthorStore(Database& db, clock::Clock& clock) : db_(db), clock_(clock) {}

  // Creates the author or replaces the prompt; returns the author's id. The operator's way (no
  // signature): the time of the last signed prompt is kept.
  int64_t set_prompt(const std::string& wallet_address, const std::string& prompt_text);
  // In one transaction: registers the message as used and stores the prompt, unless the message
  // was used before or a prompt signed at the same time or later is set (then nothing changes).
  SignedPromptResult store_signed_prompt(const SignedPromptRecord& record);
  // Sets the social handles (shown in metadata); empty optionals clear them.
  void set_handles(int64_t id, const std::optional<std::string>& x_handle,
                   const std::optional<std::string>& farcaster_handle);

  std::optional<Author> find(const std::string& wallet_address);
  std::optional<Author> by_id(int64_t id);

  // With their token counts: every author by wallet, or the one whose wallet is `lowercase_hex`.
  std::vector<AuthorSummary> summaries();
  std::optional<AuthorSummary> summary(const std::string& lowercase_hex);

 private:
  Database& db_;
  clock::Clock& clock_;
};

}  // namespace glisk::store
