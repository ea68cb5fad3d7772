#pragma once
// The contract's BatchMinted event, decoded from an Ethereum log:
//   event BatchMinted(address indexed minter, address indexed promptAuthor,
//                     uint256 indexed startTokenId, uint256 quantity, uint256 totalPaid)
// Logs come from two outside sources (eth_getLogs answers and Alchemy webhook payloads), so the
// fields are first gathered into a RawLog by each source's reader, then decoded here. Every field
// is checked: hashes are 32 bytes of 0x-hex, addresses are canonical ABI words, the data is
// exactly two words, the quantity is 1..kMaxQuantityPerMint and every token id fits int64 (the
// store's token_id). Anything else throws InvalidMintLog naming the field, so a bad log changes
// nothing. Pure functions, thread-safe.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "chain/log_entry.hpp"
#include "errors/errors.hpp"

namespace glisk::mints {

// A mint of more tokens than this is not something the contract's users do: treat it as a
// malformed log rather than create millions of rows.
inline constexpr int64_t kMaxQuantityPerMint = 10'000;

class InvalidMintLog : public errors::BadInput {
 public:
  using errors::BadInput::BadInput;
};

// "0x" + keccak256("BatchMinted(address,address,uint256,uint256,uint256)"), lowercase.
const std::string& batch_minted_topic();

// One log as its source delivered it, before decoding: from the node (chain::fetch_logs) or
// from an Alchemy webhook's payload (webhook/alchemy_payload).
using RawLog = chain::LogEntry;

struct MintEvent {
  std::string contract;  // EIP-55
  std::string tx_hash;   // lowercase 0x-hex
  int64_t log_index = 0;
  int64_t block_number = 0;
  std::optional<std::string> block_hash;  // lowercase 0x-hex
  std::string minter;                     // EIP-55
  std::string prompt_author;              // EIP-55
  int64_t start_token_id = 0;
  int64_t quantity = 0;
  std::string total_paid;  // wei, decimal

  int64_t last_token_id() const { return start_token_id + quantity - 1; }
};

// chain::decode_log_entry, for a log given as JSON; a log it cannot read is an InvalidMintLog
// with the same message.
RawLog raw_log_from_rpc(const nlohmann::json& log);

// Whether the log is a BatchMinted event by its first topic (nothing else is checked).
bool is_batch_minted(const RawLog& log);

// Decodes and checks a BatchMinted log; throws InvalidMintLog (also for another event).
MintEvent decode_batch_minted(const RawLog& log);

// raw_log_from_rpc + decode_batch_minted.
MintEvent decode_rpc_log(const nlohmann::json& log);

// Strict readers shared with the webhook: "0x" + 64 hex digits (returned lowercase), and a
// non-negative 0x-hex quantity fitting int64. Both throw InvalidMintLog naming `what`.
std::string parse_hash32(const nlohmann::json& value, const std::string& what);
int64_t parse_int64_quantity(const nlohmann::json& value, const std::string& what);

}  // namespace glisk::mints
