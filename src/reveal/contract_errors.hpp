#pragma once
// What a reverted reveal call means. The node returns the revert data of GliskNFT's custom
// errors (and OpenZeppelin's ERC721/Ownable ones); this turns it into a readable reason and into
// the one decision the reveal worker needs: is it one token's fault (which one), or the
// keeper's (not authorized), or unknown. Pure functions, thread-safe.

#include <optional>
#include <span>
#include <string>

#include "chain/eth_rpc.hpp"

namespace glisk::reveal {

// Signatures of the custom errors a reveal can meet, for eth::decode_revert.
std::span<const std::string> contract_error_signatures();

// Whether the node's error is a revert of the call (as opposed to, say, a bad request).
bool is_revert(const chain::RpcError& error);

// Whether the node says the call ran out of gas ("EVM error OutOfGas", "…OOG", "out of gas", "gas
// required exceeds allowance"): a batch too big for the gas the node allows a call, not a revert.
bool is_out_of_gas(const chain::RpcError& error);

// Readable reason: the decoded revert ("AlreadyRevealed(7)", "Error(\"…\")") when the node sent
// revert data, else the node's message.
std::string describe_revert(const chain::RpcError& error);

struct RevertCause {
  enum class Kind {
    kAlreadyRevealed,   // AlreadyRevealed(tokenId)
    kNonexistentToken,  // ERC721NonexistentToken(tokenId)
    kNotAuthorized,     // NotKeeper(caller), OwnableUnauthorizedAccount(caller)
    kOther,
  };
  Kind kind = Kind::kOther;
  std::optional<int64_t> token_id;  // for the token kinds
  std::string reason;               // describe_revert's text
};
RevertCause classify_revert(const chain::RpcError& error);

}  // namespace glisk::reveal
