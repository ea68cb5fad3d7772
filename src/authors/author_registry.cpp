#include "authors/author_registry.hpp"

#include "clock/time_format.hpp"
#include "eth/hex.hpp"
#include "eth/signer.hpp"

namespace glisk::authors {
namespace {

constexpr std::string_view kSummarySelect =
    "SELECT a.wallet_address, CASE WHEN a.prompt_text IS NOT NULL AND a.prompt_text <> '' THEN 1 ELSE 0 END, "
    "COUNT(t.token_id), a.updated_at FROM authors a LEFT JOIN tokens_s0 t ON t.author_id = a.id ";
constexpr std::string_view kSummaryGroup = " GROUP BY a.id, a.wallet_address, a.prompt_text, a.updated_at ";

std::vector<AuthorSummary> summaries(const store::Result& r) {
  std::vector<AuthorSummary> out;
  for (const auto& row : r.rows) {
    AuthorSummary s;
    s.wallet_address = row.at(0).value_or("");
    s.has_prompt = row.at(1).value_or("0") == "1";
    s.tokens = std::stoll(row.at(2).value_or("0"));
    const std::string updated = row.at(3).value_or("");
    auto parsed = clock::parse_time(updated);
    s.updated_at = parsed ? clock::format_time(*parsed) : updated;
    out.push_back(std::move(s));
  }
  return out;
}

std::string lowercase_hex(const eth::Address& a) { return eth::to_hex(a.bytes()); }

}  // namespace

std::optional<AuthorSummary> AuthorRegistry::find(const std::string& wallet_address) {
  const auto wallet = parse_wallet(wallet_address);
  auto r = store::in_transaction(db_, store::TxMode::kRead, [&](store::Transaction& tx) {
    return tx.exec(std::string(kSummarySelect) + "WHERE lower(a.wallet_address) = $1" + std::string(kSummaryGroup),
                   {lowercase_hex(wallet)});
  });
  auto found = summaries(r);
  if (found.empty()) return std::nullopt;
  return found.front();
}

std::vector<AuthorSummary> AuthorRegistry::list() {
  auto r = store::in_transaction(db_, store::TxMode::kRead, [&](store::Transaction& tx) {
    return tx.exec(std::string(kSummarySelect) + std::string(kSummaryGroup) + "ORDER BY a.wallet_address");
  });
  return summaries(r);
}

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
    throw SignatureRejected("the signature does not verify: sign the message glisk documents (docs/ARCHITECTURE.md, 'Prompts in') with " +
                            wallet.to_checksum());
  }
  if (signer != wallet) {
    throw SignatureRejected("the message was signed by another wallet, not by " + wallet.to_checksum() +
                            ": sign it with that wallet (personal_sign of the exact message in docs/ARCHITECTURE.md, 'Prompts in')");
  }

  const std::string now_text = clock::format_time(clock_.now());
  const std::string checksum = wallet.to_checksum();
  store::in_transaction(db_, store::TxMode::kWrite, [&](store::Transaction& tx) {
    auto used = tx.exec(
        "INSERT INTO used_prompt_signatures (message_hash, signature_hash, wallet_address, signed_at, used_at) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (message_hash) DO NOTHING",
        {eth::to_hex(digest), eth::to_hex(eth::keccak256(signature_bytes)), checksum, request.timestamp, now_text});
    if (used.affected == 0) {
      throw PromptConflict("this signed message was used already: sign a new one (with the current timestamp)");
    }
    auto current = tx.exec("SELECT prompt_signed_at FROM authors WHERE wallet_address = $1", {checksum});
    if (!current.rows.empty() && current.rows[0][0] && std::stoll(*current.rows[0][0]) >= request.timestamp) {
      throw PromptConflict("a prompt signed at " + *current.rows[0][0] +
                           " is already set; an older or equally old message cannot replace it: sign a new one");
    }
    tx.exec(
        "INSERT INTO authors (wallet_address, prompt_text, prompt_signed_at, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $4) ON CONFLICT (wallet_address) DO UPDATE SET prompt_text = excluded.prompt_text, "
        "prompt_signed_at = excluded.prompt_signed_at, updated_at = excluded.updated_at",
        {checksum, request.prompt_text, request.timestamp, now_text});
  });
  log_.info("author.prompt_updated", {{"wallet", checksum}, {"source", "signature"}});
  return checksum;
}

std::string AuthorRegistry::set_prompt(const std::string& wallet_address, const std::string& prompt_text) {
  const auto wallet = parse_wallet(wallet_address);
  check_prompt_text(prompt_text);
  const std::string checksum = wallet.to_checksum();
  const std::string now_text = clock::format_time(clock_.now());
  store::in_transaction(db_, store::TxMode::kWrite, [&](store::Transaction& tx) {
    tx.exec(
        "INSERT INTO authors (wallet_address, prompt_text, created_at, updated_at) VALUES ($1, $2, $3, $3) "
        "ON CONFLICT (wallet_address) DO UPDATE SET prompt_text = excluded.prompt_text, updated_at = "
        "excluded.updated_at",
        {checksum, prompt_text, now_text});
  });
  log_.info("author.prompt_updated", {{"wallet", checksum}, {"source", "cli"}});
  return checksum;
}

}  // namespace glisk::authors
