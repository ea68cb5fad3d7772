#include "authors/author_registry.hpp"

#include "eth/hex.hpp"
#include "eth/signer.hpp"

namespace glisk::authors {
namespace {

std::string lowercase_hex(const eth::Address& a) { return eth::to_hex(a.bytes()); }

}  // namespace

std::optional<AuthorSummary> AuthorRegistry::find(const std::string& wallet_address) {
  const auto wallet = parse_wallet(wallet_address);
  return authors_.summary(lowercase_hex(wallet));
}

std::vector<AuthorSummary> AuthorRegistry::list() { return authors_.summaries(); }

std::string AuthorRegistry::set_signed_prompt(const SignedPrompt& request) {
  const auto wallet = parse_wallet(request.wallet_address);
  check_prompt_text(request.prompt_text);

  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
  // The age is said only when it is a sane number: now − timestamp overflows int64 for a
  // timestamp near −2^63 (undefined behaviour), and "9 quintillion seconds" helps nobody.
  constexpr int64_t kSayableSeconds = 100LL * 365 * 24 * 3600;
  if (request.timestamp < now - kMaxAge.count()) {
    const std::string age = request.timestamp > now - kSayableSeconds
                                ? "is " + std::to_string(now - request.timestamp) + " seconds old"
                                : "is more than a century old";
    throw InvalidAuthorRequest("timestamp " + std::to_string(request.timestamp) + " " + age +
                               "; signed messages are accepted for 600 seconds: sign again");
  }
  if (request.timestamp > now + kMaxSkew.count()) {
    const std::string ahead = request.timestamp < now + kSayableSeconds
                                  ? "is " + std::to_string(request.timestamp - now) + " seconds in the future"
                                  : "is more than a century in the future";
    throw InvalidAuthorRequest("timestamp " + std::to_string(request.timestamp) + " " + ahead +
                               " (at most 300 allowed): check the signer's clock");
  }

  eth::Bytes signature_bytes;
  try {
    signature_bytes = eth::from_hex(request.signature, "signature");
  } catch (const eth::InvalidHex& e) {
    throw InvalidAuthorRequest(std::string("signature must be 0x + 130 hex digits (65 bytes r, s, v): ") + e.what());
  }
  if (signature_bytes.size() != 65) {
    throw InvalidAuthorRequest("signature must be 65 bytes (r, s, v), got " + std::to_string(signature_bytes.size()));
  }
  eth::Signature signature;
  try {
    signature = eth::Signature::from_rsv(signature_bytes);
  } catch (const eth::InvalidSignature& e) {
    throw InvalidAuthorRequest(std::string("signature: ") + e.what());
  }

  const std::string message = prompt_message(wallet, request.prompt_text, request.timestamp);
  const eth::Hash digest = eth::personal_message_hash(message);
  eth::Address signer;
  try {
    signer = eth::recover_address(digest, signature);
  } catch (const eth::InvalidSignature&) {
    throw SignatureRejected(
        "the signature does not verify: sign the message glisk documents (docs/ARCHITECTURE.md, 'Prompts in') with " +
        wallet.to_checksum());
  }
  if (signer != wallet) {
    throw SignatureRejected(
        "the message was signed by another wallet, not by " + wallet.to_checksum() +
        ": sign it with that wallet (personal_sign of the exact message in docs/ARCHITECTURE.md, 'Prompts in')");
  }

  const std::string checksum = wallet.to_checksum();
  const auto stored = authors_.store_signed_prompt({checksum, request.prompt_text, request.timestamp,
                                                    eth::to_hex(digest), eth::to_hex(eth::keccak256(signature_bytes))});
  switch (stored.outcome) {
    case store::SignedPromptOutcome::kStored:
      break;
    case store::SignedPromptOutcome::kSignatureUsed:
      throw PromptConflict("this signed message was used already: sign a new one (with the current timestamp)");
    case store::SignedPromptOutcome::kNewerPromptSet:
      throw PromptConflict("a prompt signed at " + std::to_string(stored.current_signed_at.value_or(0)) +
                           " is already set; an older or equally old message cannot replace it: sign a new one");
  }
  log_.info("author.prompt_updated", {{"wallet", checksum}, {"source", "signature"}});
  return checksum;
}

std::string AuthorRegistry::set_prompt(const std::string& wallet_address, const std::string& prompt_text) {
  const auto wallet = parse_wallet(wallet_address);
  check_prompt_text(prompt_text);
  const std::string checksum = wallet.to_checksum();
  authors_.set_prompt(checksum, prompt_text);
  log_.info("author.prompt_updated", {{"wallet", checksum}, {"source", "cli"}});
  return checksum;
}

}  // namespace glisk::authors
