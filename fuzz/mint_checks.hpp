#pragma once
// What every decoded BatchMinted event must satisfy, whichever source it came from (eth_getLogs
// in mint_log.cpp, an Alchemy delivery in webhook_payload.cpp), and the log that carries it.

#include "mints/mint_event.hpp"

namespace glisk::fuzz {

// Checks the documented ranges: EIP-55 addresses, lowercase 32-byte hashes, a quantity of
// 1..kMaxQuantityPerMint, token ids from 1 that fit int64, non-negative block and log index.
void check_mint_event(const mints::MintEvent& event);

// The log that carries `event`, in the canonical form (lowercase hex, minimal words).
mints::RawLog raw_log_of(const mints::MintEvent& event);

bool same_mint(const mints::MintEvent& a, const mints::MintEvent& b);

}  // namespace glisk::fuzz
