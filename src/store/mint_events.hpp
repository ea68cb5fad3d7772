#pragma once
// mint_events: every BatchMinted log glisk has recorded, unique on (tx_hash, log_index), so a
// second delivery of the same log (watcher and webhook, a rescan after a reorg, a retried
// webhook) is known as one. Written in the caller's transaction with the mint's tokens.

#include <cstdint>
#include <optional>
#include <string>

#include "store/database.hpp"

namespace glisk::store {

struct MintRow {
  std::string tx_hash;  // lowercase 0x-hex
  int64_t log_index = 0;
  int64_t block_number = 0;
  std::optional<std::string> block_hash;
  std::string minter;         // EIP-55
  std::string author_wallet;  // EIP-55
  int64_t start_token_id = 0;
  int64_t quantity = 0;
  std::string total_paid;  // wei, decimal
};

// Records the log; false when it was recorded before (nothing changes). `now` is time_format text.
bool record_mint_event(Transaction& tx, const MintRow& mint, const std::string& now);

}  // namespace glisk::store
