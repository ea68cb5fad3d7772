// BatchMinted logs as eth_getLogs answers them (mints/mint_event.hpp), read by the chain watcher
// from a node glisk does not control. For any JSON value:
//   - decode_rpc_log returns a MintEvent within its documented ranges, or throws InvalidMintLog;
//   - the event, written back as a JSON-RPC log, decodes to the same event.
// Text that is not JSON is the RPC client's concern (it never reaches the decoder).
#include <nlohmann/json.hpp>

#include "eth/uint256.hpp"
#include "fuzz/check.hpp"
#include "fuzz/input.hpp"
#include "fuzz/mint_checks.hpp"
#include "fuzz/targets.hpp"
#include "mints/mint_event.hpp"

namespace glisk::fuzz {

int mint_log(const uint8_t* data, size_t size) {
  const nlohmann::json log = nlohmann::json::parse(as_text(data, size), nullptr, /*allow_exceptions=*/false);
  if (log.is_discarded()) return 0;
  mints::MintEvent event;
  try {
    event = mints::decode_rpc_log(log);
  } catch (const mints::InvalidMintLog&) {
    return 0;
  }
  check_mint_event(event);
  require(event.block_hash.has_value(), "a log from eth_getLogs keeps its block hash");
  const mints::RawLog again = raw_log_of(event);
  nlohmann::json written = {{"address", again.address},
                            {"topics", again.topics},
                            {"data", again.data},
                            {"blockNumber", eth::U256(static_cast<uint64_t>(event.block_number)).to_hex()},
                            {"blockHash", *again.block_hash},
                            {"transactionHash", again.tx_hash},
                            {"logIndex", eth::U256(static_cast<uint64_t>(event.log_index)).to_hex()},
                            {"removed", false}};
  require(same_mint(mints::decode_rpc_log(written), event), "a mint written back as a log decodes to itself");
  return 0;
}

}  // namespace glisk::fuzz
