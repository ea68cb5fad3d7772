#pragma once
// The query of the dashboard's token list (GET /api/tokens?status=&stage=&q=&limit=&before=) and of
// the reveal list's pages, parsed apart from the server and the database so that a bad value is
// refused before anything is read (pure, so a fuzz target can drive them). `q` is whatever an operator
// pastes into the search box, told apart by its shape:
//   digits                      a token id
//   0x + 40 hex                 an author's wallet (any case; the checksum is checked when mixed)
//   0x + 64 hex                 a mint or reveal transaction hash (any case)
//   a CIDv1 (b…) or CIDv0 (Qm…)  an image or metadata CID
// Anything else, an unknown or repeated parameter, or a value out of range throws InvalidRequest
// (400), whose message says what is accepted. Pure functions, thread-safe.

#include <string>
#include <utility>
#include <vector>

#include "ops/operator_input.hpp"
#include "store/operator_reads.hpp"

namespace glisk::ops {

using QueryParameters = std::vector<std::pair<std::string, std::string>>;

inline constexpr int kDefaultPageSize = 50;

// Sets the key of `search` from the search box's text; an empty text sets none.
void parse_search_text(const std::string& q, store::TokenSearch& search);

// status (a token status), stage (image|ipfs|reveal), q (above), limit (1..kMaxLimit, default
// kDefaultPageSize), before (a token id: the previous page's next_before).
store::TokenSearch parse_token_search(const QueryParameters& query);

// A page of a list newest first: limit and before (an id), nothing else.
struct PageQuery {
  int limit = 20;
  std::optional<int64_t> before;
};
PageQuery parse_page_query(const QueryParameters& query, int default_limit);

}  // namespace glisk::ops
