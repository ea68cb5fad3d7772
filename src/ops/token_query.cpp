#include "ops/token_query.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "eth/address.hpp"

namespace glisk::ops {
namespace {

bool all_digits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_hex_of_length(const std::string& text, size_t digits) {
  return text.size() == 2 + digits && (text.starts_with("0x") || text.starts_with("0X")) &&
         std::all_of(text.begin() + 2, text.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The shapes of the CIDs glisk pins and the gateways show: CIDv1 in base32 (b + lowercase
// letters and digits) and CIDv0 (Qm + 44 base58 characters). Checked by shape only, loosely (a
// digit outside base32 passes): a CID of the right shape that no token has simply finds nothing.
bool looks_like_cid(const std::string& text) {
  if (text.size() == 46 && text.starts_with("Qm")) {
    return std::all_of(text.begin(), text.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0 && c != '0' && c != 'O' && c != 'I' && c != 'l';
    });
  }
  if (text.size() < 8 || text.size() > 128 || text[0] != 'b') return false;
  return std::all_of(text.begin(), text.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

// Every parameter known and given once: a typo ("stauts=failed") never widens a list silently.
void check_names(const QueryParameters& query, const std::set<std::string>& known) {
  std::set<std::string> seen;
  for (const auto& [name, value] : query) {
    if (!known.contains(name)) {
      std::string accepted;
      for (const auto& k : known) accepted += (accepted.empty() ? "" : ", ") + k;
      throw InvalidRequest("unknown query parameter '" + name.substr(0, 40) + "'; accepted: " + accepted);
    }
    if (!seen.insert(name).second) throw InvalidRequest("query parameter '" + name + "' is given twice");
  }
}

// The previous page's cursor, as the list gave it.
int64_t parse_cursor(const std::string& value) {
  try {
    return parse_token_id(value);
  } catch (const InvalidRequest&) {
    throw InvalidRequest("before must be the next_before of the previous page (a whole number), got '" +
                         value.substr(0, 40) + "'");
  }
}

}  // namespace

void parse_search_text(const std::string& q, store::TokenSearch& search) {
  if (q.empty()) return;
  if (all_digits(q)) {
    search.token_id = parse_token_id(q);
  } else if (is_hex_of_length(q, 40)) {
    try {
      search.author_wallet = eth::Address::parse("0x" + q.substr(2)).to_checksum();
    } catch (const eth::InvalidAddress&) {
      throw InvalidRequest("'" + q +
                           "' is not a valid address: its mixed case fails the EIP-55 checksum "
                           "(paste it again, or in lowercase)");
    }
  } else if (is_hex_of_length(q, 64)) {
    search.tx_hash = lowercase(q);
  } else if (looks_like_cid(q)) {
    search.cid = q;
  } else {
    throw InvalidRequest(
        "search for a token id (digits), an author wallet (0x and 40 hex digits), a mint or reveal "
        "transaction hash (0x and 64 hex digits) or a CID (bafy…, Qm…); got '" +
        q.substr(0, 80) + "'");
  }
}

store::TokenSearch parse_token_search(const QueryParameters& query) {
  check_names(query, {"status", "stage", "q", "limit", "before"});
  store::TokenSearch search;
  search.limit = kDefaultPageSize;
  for (const auto& [name, value] : query) {
    if (name == "status") {
      if (value.empty()) continue;  // the filter's "any"
      search.status = token::parse_status(value);
      if (!search.status) {
        throw InvalidRequest("status must be detected, generating, uploading, ready, revealed or failed, got '" +
                             value.substr(0, 40) + "'");
      }
    } else if (name == "stage") {
      if (!value.empty()) search.stage = parse_stage_name(value);
    } else if (name == "q") {
      std::string text = value;
      const auto first = text.find_first_not_of(" \t");
      text = first == std::string::npos ? "" : text.substr(first, text.find_last_not_of(" \t") - first + 1);
      if (text.starts_with("#")) text.erase(0, 1);  // "#42", as the dashboard shows ids
      parse_search_text(text, search);
    } else if (name == "limit") {
      search.limit = parse_limit(value, "limit");
    } else if (name == "before") {
      search.before = parse_cursor(value);
    }
  }
  return search;
}

PageQuery parse_page_query(const QueryParameters& query, int default_limit) {
  check_names(query, {"limit", "before"});
  PageQuery page{default_limit, std::nullopt};
  for (const auto& [name, value] : query) {
    if (name == "limit") page.limit = parse_limit(value, "limit");
    if (name == "before") page.before = parse_cursor(value);
  }
  return page;
}

}  // namespace glisk::ops
