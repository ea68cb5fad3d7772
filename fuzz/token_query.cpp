// The dashboard's token list query (GET /api/tokens?status=&stage=&q=&limit=&before=) and the
// reveal list's pages, through ops::parse_token_search and ops::parse_page_query as ApiServer calls
// them. The input is a query string, "name=value&name=value" (values as the server hands them over,
// already percent-decoded). Each parse returns values within their documented ranges, at most one
// search key, normalised as the store expects; or throws ops::InvalidRequest (400); nothing else.
#include "ops/token_query.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "eth/address.hpp"
#include "fuzz/check.hpp"
#include "fuzz/input.hpp"
#include "fuzz/targets.hpp"

namespace glisk::fuzz {
namespace {

ops::QueryParameters split(const std::string& text) {
  ops::QueryParameters out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find('&', start), text.size());
    const std::string pair = text.substr(start, end - start);
    const size_t eq = pair.find('=');
    out.emplace_back(pair.substr(0, eq), eq == std::string::npos ? "" : pair.substr(eq + 1));
    start = end + 1;
  }
  return out;
}

bool lowercase_hex(const std::string& text, size_t digits) {
  return text.size() == 2 + digits && text.starts_with("0x") && std::all_of(text.begin() + 2, text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

int token_query(const uint8_t* data, size_t size) {
  Input in(data, size);
  const std::string text = in.rest_text();
  const auto query = split(text);
  try {
    const store::TokenSearch s = ops::parse_token_search(query);
    require(s.limit >= 1 && s.limit <= ops::kMaxLimit, "a page is 1..kMaxLimit tokens");
    require(!s.before || *s.before >= 0, "a cursor is a token id");
    require(!s.token_id || *s.token_id >= 0, "a token id is non-negative");
    const int keys = int{s.token_id.has_value()} + int{s.author_wallet.has_value()} + int{s.tx_hash.has_value()} +
                     int{s.cid.has_value()};
    require(keys <= 1, "a search has at most one key");
    if (s.author_wallet) {
      require(eth::Address::parse(*s.author_wallet).to_checksum() == *s.author_wallet,
              "a wallet is searched in EIP-55");
    }
    if (s.tx_hash) require(lowercase_hex(*s.tx_hash, 64), "a transaction hash is searched in lowercase");
  } catch (const ops::InvalidRequest&) {
  }
  try {
    const ops::PageQuery p = ops::parse_page_query(query, 20);
    require(p.limit >= 1 && p.limit <= ops::kMaxLimit, "a page is 1..kMaxLimit rows");
    require(!p.before || *p.before >= 0, "a cursor is an id");
  } catch (const ops::InvalidRequest&) {
  }
  return 0;
}

}  // namespace glisk::fuzz
