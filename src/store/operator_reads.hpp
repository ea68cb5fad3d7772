#pragma once
// Reads behind the dashboard's token list and token page, on both stores: tokens found by a key
// an operator pastes (id, author wallet, mint or reveal transaction, CID), filtered by status and
// stage, a page at a time; where a token came from (its author and mint); and which tokens reached
// each status when, for a chart that counts tokens rather than moves. Paging is by keyset (token
// ids below a cursor), never OFFSET, so a page costs the same deep in the list and a token that
// moves while an operator pages is neither skipped nor shown twice. The callers (ops/pipeline_view)
// validate the values; this only reads. Throws DatabaseError like any statement. Thread-safe (the
// Database is).
//
// Cost: every search key is looked up by index (ids, author wallets, mint and reveal transactions —
// a mint's hash through its token ranges —, image and metadata CIDs: migration 11).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clock/clock.hpp"
#include "store/database.hpp"
#include "token/token.hpp"

namespace glisk::store {

// What a search looks for; at most one key. Values are expected normalised (ops/token_query.hpp):
// a wallet in EIP-55 (found in that spelling or in lowercase), a transaction hash in lowercase.
struct TokenSearch {
  std::optional<token::TokenStatus> status;
  // image: detected, generating, or failed by the image stage; ipfs: uploading or failed by ipfs;
  // reveal: ready or failed by reveal. Revealed tokens belong to no stage.
  std::optional<token::Stage> stage;
  std::optional<int64_t> token_id;
  std::optional<std::string> author_wallet;
  std::optional<std::string> tx_hash;  // the mint's or the reveal's
  std::optional<std::string> cid;      // the image's or the metadata's
  std::optional<int64_t> before;       // only token ids below this (the previous page's cursor)
  int limit = 50;
};

struct TokenPage {
  std::vector<token::Token> tokens;    // highest token id first
  std::optional<int64_t> next_before;  // the cursor of the next page; nullopt on the last one
};

TokenPage search_tokens(Database& db, const TokenSearch& search);

// Where a token came from. The mint is absent for tokens recorded without one (gap recovery, tests).
struct TokenOrigin {
  std::optional<std::string> author_wallet;
  std::optional<std::string> mint_tx_hash;
  std::optional<int64_t> mint_block;
};
TokenOrigin token_origin(Database& db, int64_t token_id);

// A token reaching a status: a change of status (a postponement, which keeps it, is not one).
struct StatusArrival {
  int64_t token_id = 0;
  std::string to_status;
  clock::TimePoint at;
};
std::vector<StatusArrival> status_arrivals_since(Database& db, clock::TimePoint start);

}  // namespace glisk::store
