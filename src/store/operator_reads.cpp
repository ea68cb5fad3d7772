#include "store/operator_reads.hpp"

#include <algorithm>
#include <cctype>

#include "clock/time_format.hpp"
#include "store/token_store.hpp"

namespace glisk::store {
namespace {

// Appends "$n" for a new parameter.
std::string param(Params& params, SqlValue value) {
  params.push_back(std::move(value));
  return "$" + std::to_string(params.size());
}

std::string quoted(token::TokenStatus status) { return "'" + std::string(token::to_string(status)) + "'"; }

// The tokens a stage holds or gave up: waiting for it, claimed by it, or failed by it. A failed
// token with no stage recorded counts as the image stage's, as the retry reads it.
std::string stage_condition(token::Stage stage) {
  const auto& s = token::spec(stage);
  const std::string failed_by = stage == token::Stage::kImage
                                    ? "COALESCE(failed_stage, 'image') = 'image'"
                                    : "failed_stage = '" + std::string(token::to_string(stage)) + "'";
  return "(status IN (" + quoted(s.input) + ", " + quoted(s.working) + ") OR (status = 'failed' AND " + failed_by +
         "))";
}

}  // namespace

TokenPage search_tokens(Database& db, const TokenSearch& search) {
  Params params;
  std::vector<std::string> where;
  if (search.status) where.push_back("status = " + param(params, std::string(token::to_string(*search.status))));
  if (search.stage) where.push_back(stage_condition(*search.stage));
  if (search.token_id) where.push_back("token_id = " + param(params, *search.token_id));
  if (search.author_wallet) {
    // Wallets are kept as they came in (EIP-55 from the chain and signed prompts; lowercase from
    // older rows and scripts): both spellings, each an index lookup.
    std::string lower = *search.author_wallet;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    where.push_back("author_id IN (SELECT id FROM authors WHERE wallet_address IN (" +
                    param(params, *search.author_wallet) + ", " + param(params, lower) + "))");
  }
  if (search.tx_hash) {
    // The mint's token ranges first (mint_events is indexed by tx_hash), then ranges of the primary
    // key: a correlated EXISTS per token would walk the whole table for a hash nobody minted with.
    const auto mints = in_transaction(db, TxMode::kRead, [&](Transaction& tx) {
      return tx.exec("SELECT start_token_id, quantity FROM mint_events WHERE tx_hash = $1", {*search.tx_hash});
    });
    std::string either = "reveal_tx_hash = " + param(params, *search.tx_hash);
    for (const Row row : mints) {
      const int64_t first = row.get<int64_t>("start_token_id");
      either += " OR token_id BETWEEN " + std::to_string(first) + " AND " +
                std::to_string(first + row.get<int64_t>("quantity") - 1);
    }
    where.push_back("(" + either + ")");
  }
  if (search.cid) {
    const std::string cid = param(params, *search.cid);
    where.push_back("(image_cid = " + cid + " OR metadata_cid = " + cid + ")");
  }
  if (search.before) where.push_back("token_id < " + param(params, *search.before));
  std::string sql = "SELECT " + std::string(kTokenColumns) + " FROM tokens_s0";
  for (size_t i = 0; i < where.size(); ++i) sql += (i == 0 ? " WHERE " : " AND ") + where[i];
  // One more than the page: whether there is a next page, without a COUNT over the whole match.
  sql += " ORDER BY token_id DESC LIMIT " + param(params, int64_t{search.limit} + 1);

  auto r = in_transaction(db, TxMode::kRead, [&](Transaction& tx) { return tx.exec(sql, params); });
  TokenPage page;
  for (size_t i = 0; i < r.size() && i < static_cast<size_t>(search.limit); ++i) {
    page.tokens.push_back(token_from_row(r, i));
  }
  if (r.size() > static_cast<size_t>(search.limit)) page.next_before = page.tokens.back().token_id;
  return page;
}

TokenOrigin token_origin(Database& db, int64_t token_id) {
  return in_transaction(db, TxMode::kRead, [&](Transaction& tx) {
    TokenOrigin origin;
    auto author =
        tx.exec("SELECT a.wallet_address FROM tokens_s0 t JOIN authors a ON a.id = t.author_id WHERE t.token_id = $1",
                {token_id});
    if (!author.empty()) origin.author_wallet = author.row(0).get<std::string>("wallet_address");
    // The latest mint that covers the id (a rescan after a reorg can record the mint again).
    auto mint = tx.exec(
        "SELECT tx_hash, block_number FROM mint_events WHERE start_token_id <= $1 AND start_token_id + quantity > $2 "
        "ORDER BY block_number DESC, id DESC LIMIT 1",
        {token_id, token_id});
    if (!mint.empty()) {
      origin.mint_tx_hash = mint.row(0).get<std::string>("tx_hash");
      origin.mint_block = mint.row(0).get<int64_t>("block_number");
    }
    return origin;
  });
}

std::vector<StatusArrival> status_arrivals_since(Database& db, clock::TimePoint start) {
  auto r = in_transaction(db, TxMode::kRead, [&](Transaction& tx) {
    return tx.exec(
        "SELECT token_id, to_status, at FROM token_events WHERE at >= $1 AND (from_status IS NULL OR from_status <> "
        "to_status)",
        {clock::format_time(start)});
  });
  std::vector<StatusArrival> out;
  out.reserve(r.size());
  for (const Row row : r) {
    out.push_back({row.get<int64_t>("token_id"), row.get<std::string>("to_status"), row.get<clock::TimePoint>("at")});
  }
  return out;
}

}  // namespace glisk::store
