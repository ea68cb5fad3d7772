#include "fuzz/mint_checks.hpp"

#include <algorithm>
#include <limits>

#include "eth/address.hpp"
#include "eth/hex.hpp"
#include "eth/uint256.hpp"
#include "fuzz/check.hpp"

namespace glisk::fuzz {
namespace {

bool lowercase_hash(const std::string& text) {
  return text.size() == 66 && text.starts_with("0x") && std::all_of(text.begin() + 2, text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string word(const eth::U256& value) { return eth::to_hex(value.to_be_bytes()); }

std::string address_word(const std::string& checksummed) {
  const auto bytes = eth::Address::parse(checksummed).bytes();
  eth::Bytes padded(12, 0);
  padded.insert(padded.end(), bytes.begin(), bytes.end());
  return eth::to_hex(padded);
}

}  // namespace

void check_mint_event(const mints::MintEvent& e) {
  require(eth::is_checksummed(e.contract) && eth::is_checksummed(e.minter) && eth::is_checksummed(e.prompt_author),
          "a mint's addresses are EIP-55");
  require(lowercase_hash(e.tx_hash) && (!e.block_hash || lowercase_hash(*e.block_hash)),
          "a mint's hashes are lowercase 0x + 64 hex digits");
  require(e.quantity >= 1 && e.quantity <= mints::kMaxQuantityPerMint, "a mint's quantity is 1..kMaxQuantityPerMint");
  require(e.start_token_id >= 1 && e.start_token_id <= std::numeric_limits<int64_t>::max() - e.quantity + 1,
          "a mint's token ids start at 1 and fit int64");
  require(e.block_number >= 0 && e.log_index >= 0, "a mint's block number and log index are non-negative");
  require(!e.total_paid.empty() && eth::U256::from_dec(e.total_paid).to_dec() == e.total_paid,
          "a mint's total paid is a decimal number");
}

mints::RawLog raw_log_of(const mints::MintEvent& e) {
  mints::RawLog log;
  log.address = e.contract;
  log.topics = {mints::batch_minted_topic(), address_word(e.minter), address_word(e.prompt_author),
                word(eth::U256(static_cast<uint64_t>(e.start_token_id)))};
  const auto quantity = eth::U256(static_cast<uint64_t>(e.quantity)).to_be_bytes();
  const auto paid = eth::U256::from_dec(e.total_paid).to_be_bytes();
  eth::Bytes data(quantity.begin(), quantity.end());
  data.insert(data.end(), paid.begin(), paid.end());
  log.data = eth::to_hex(data);
  log.block_number = e.block_number;
  log.block_hash = e.block_hash;
  log.tx_hash = e.tx_hash;
  log.log_index = e.log_index;
  return log;
}

bool same_mint(const mints::MintEvent& a, const mints::MintEvent& b) {
  return a.contract == b.contract && a.tx_hash == b.tx_hash && a.log_index == b.log_index &&
         a.block_number == b.block_number && a.block_hash == b.block_hash && a.minter == b.minter &&
         a.prompt_author == b.prompt_author && a.start_token_id == b.start_token_id && a.quantity == b.quantity &&
         a.total_paid == b.total_paid;
}

}  // namespace glisk::fuzz
