#include "store/author_store.hpp"

#include "clock/time_format.hpp"

namespace glisk::store {
namespace {

SqlValue optional_text(const std::optional<std::string>& v) { return v ? SqlValue{*v} : SqlValue{nullptr}; }

constexpr std::string_view kAuthorSelect =
    "SELECT id, wallet_address, prompt_text, x_handle, farcaster_handle FROM authors ";

std::optional<Author> author_from(const Result& r) {
  if (r.empty()) return std::nullopt;
  const Row row = r.row(0);
  return Author{row.get<int64_t>("id"), row.get<std::string>("wallet_address"),
                row.get_optional<std::string>("prompt_text"), row.get_optional<std::string>("x_handle"),
                row.get_optional<std::string>("farcaster_handle")};
}

constexpr std::string_view kSummarySelect =
    "SELECT a.wallet_address, CASE WHEN a.prompt_text IS NOT NULL AND a.prompt_text <> '' THEN 1 ELSE 0 END AS "
    "has_prompt, "
    "COUNT(t.token_id) AS tokens, a.updated_at FROM authors a LEFT JOIN tokens_s0 t ON t.author_id = a.id ";
constexpr std::string_view kSummaryGroup = " GROUP BY a.id, a.wallet_address, a.prompt_text, a.updated_at ";

std::vector<AuthorSummary> summaries_of(const Result& r) {
  std::vector<AuthorSummary> out;
  for (const Row row : r) {
    AuthorSummary s;
    s.wallet_address = row.get<std::string>("wallet_address");
    s.has_prompt = row.get<bool>("has_prompt");
    s.tokens = row.get<int64_t>("tokens");
    // One text format whichever backend wrote it.
    s.updated_at = clock::format_time(row.get<clock::TimePoint>("updated_at"));
    out.push_back(std::move(s));
  }
  return out;
}

// The one statement that creates authors.
int64_t upsert(Transaction& tx, const std::string& wallet_address, const std::optional<std::string>& prompt_text,
               std::optional<int64_t> signed_at, const std::string& now) {
  // Without a prompt the row is left as it is (a mint naming a known author).
  auto r = tx.exec(
      "INSERT INTO authors (wallet_address, prompt_text, prompt_signed_at, created_at, updated_at) "
      "VALUES ($1, $2, $3, $4, $4) ON CONFLICT (wallet_address) DO UPDATE SET "
      "prompt_text = COALESCE(excluded.prompt_text, authors.prompt_text), "
      "prompt_signed_at = COALESCE(excluded.prompt_signed_at, authors.prompt_signed_at), "
      "updated_at = CASE WHEN excluded.prompt_text IS NULL THEN authors.updated_at ELSE excluded.updated_at END "
      "RETURNING id",
      {wallet_address, optional_text(prompt_text), signed_at ? SqlValue{*signed_at} : SqlValue{nullptr}, now});
  return r.row(0).get<int64_t>("id");
}

}  // namespace

int64_t ensure_author(Transaction& tx, const std::string& wallet_address, const std::string& now) {
  return upsert(tx, wallet_address, std::nullopt, std::nullopt, now);
}

int64_t AuthorStore::set_prompt(const std::string& wallet_address, const std::string& prompt_text) {
  const std::string now = clock::format_time(clock_.now());
  return in_transaction(db_, TxMode::kWrite,
                        [&](Transaction& tx) { return upsert(tx, wallet_address, prompt_text, std::nullopt, now); });
}

SignedPromptResult AuthorStore::store_signed_prompt(const SignedPromptRecord& record) {
  const std::string now = clock::format_time(clock_.now());
  // Committed only when stored: a refused message leaves no trace (its signature stays unused).
  auto tx = db_.begin(TxMode::kWrite);
  auto used = tx->exec(
      "INSERT INTO used_prompt_signatures (message_hash, signature_hash, wallet_address, signed_at, used_at) "
      "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (message_hash) DO NOTHING",
      {record.message_hash, record.signature_hash, record.wallet_address, record.signed_at, now});
  if (used.affected == 0) return {SignedPromptOutcome::kSignatureUsed, std::nullopt};
  auto current = tx->exec("SELECT prompt_signed_at FROM authors WHERE wallet_address = $1", {record.wallet_address});
  if (!current.empty()) {
    auto signed_at = current.row(0).get_optional<int64_t>("prompt_signed_at");
    if (signed_at && *signed_at >= record.signed_at) return {SignedPromptOutcome::kNewerPromptSet, signed_at};
  }
  upsert(*tx, record.wallet_address, record.prompt_text, record.signed_at, now);
  tx->commit();
  return {SignedPromptOutcome::kStored, std::nullopt};
}

void AuthorStore::set_handles(int64_t id, const std::optional<std::string>& x_handle,
                              const std::optional<std::string>& farcaster_handle) {
  in_transaction(db_, TxMode::kWrite, [&](Transaction& tx) {
    tx.exec("UPDATE authors SET x_handle = $2, farcaster_handle = $3, updated_at = $4 WHERE id = $1",
            {id, optional_text(x_handle), optional_text(farcaster_handle), clock::format_time(clock_.now())});
  });
}

std::optional<Author> AuthorStore::find(const std::string& wallet_address) {
  return in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
    return author_from(tx.exec(std::string(kAuthorSelect) + "WHERE wallet_address = $1", {wallet_address}));
  });
}

std::optional<Author> AuthorStore::by_id(int64_t id) {
  return in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
    return author_from(tx.exec(std::string(kAuthorSelect) + "WHERE id = $1", {id}));
  });
}

std::vector<AuthorSummary> AuthorStore::summaries() {
  auto r = in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
    return tx.exec(std::string(kSummarySelect) + std::string(kSummaryGroup) + "ORDER BY a.wallet_address");
  });
  return summaries_of(r);
}

std::optional<AuthorSummary> AuthorStore::summary(const std::string& lowercase_hex) {
  auto r = in_transaction(db_, TxMode::kRead, [&](Transaction& tx) {
    return tx.exec(std::string(kSummarySelect) + "WHERE lower(a.wallet_address) = $1" + std::string(kSummaryGroup),
                   {lowercase_hex});
  });
  auto found = summaries_of(r);
  if (found.empty()) return std::nullopt;
  return found.front();
}

}  // namespace glisk::store
