#include "reveal/contract_errors.hpp"

#include <algorithm>
#include <array>

#include "eth/abi.hpp"
#include "eth/hex.hpp"

namespace glisk::reveal {
namespace {

const std::array<std::string, 10> kSignatures = {
    "AlreadyRevealed(uint256)",
    "LengthMismatch()",
    "NotKeeper(address)",
    "InvalidDigest(uint256)",
    "EmptyURI(uint256)",
    "ERC721NonexistentToken(uint256)",
    "OwnableUnauthorizedAccount(address)",
    "InvalidQuantity()",
    "InvalidPromptAuthor()",
    "WrongPayment(uint256,uint256)",
};

std::optional<eth::Bytes> revert_data(const chain::RpcError& error) {
  if (error.data().size() < 10 || !error.data().starts_with("0x")) return std::nullopt;
  try {
    return eth::from_hex(error.data(), "revert data");
  } catch (const eth::InvalidHex&) {
    return std::nullopt;
  }
}

bool has_selector(const eth::Bytes& data, std::string_view signature) {
  const auto sel = eth::function_selector(signature);
  return data.size() >= 4 && std::equal(sel.begin(), sel.end(), data.begin());
}

std::optional<int64_t> token_argument(const eth::Bytes& data) {
  if (data.size() != 4 + 32) return std::nullopt;
  auto value = eth::decode_uint256(std::span<const uint8_t>(data).subspan(4));
  if (!value.fits_u64() || value.low_u64() > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(value.low_u64());
}

}  // namespace

std::span<const std::string> contract_error_signatures() { return kSignatures; }

bool is_revert(const chain::RpcError& error) {
  if (error.code() == 3) return true;  // geth/anvil: "execution reverted" with data
  std::string m = error.message();
  std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return std::tolower(c); });
  return m.find("revert") != std::string::npos;
}

bool is_out_of_gas(const chain::RpcError& error) {
  std::string m = error.message();
  std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return std::tolower(c); });
  // revm (anvil) names its variants OutOfGas, MemoryOOG, ReentrancySentryOOG, …
  return m.find("outofgas") != std::string::npos || m.find("out of gas") != std::string::npos ||
         m.find("oog") != std::string::npos || m.find("gas required exceeds") != std::string::npos;
}

std::string describe_revert(const chain::RpcError& error) {
  if (auto data = revert_data(error)) {
    try {
      return eth::decode_revert(*data, kSignatures);
    } catch (const eth::InvalidAbi&) {
      // fall through to the message
    }
  }
  return error.message();
}

RevertCause classify_revert(const chain::RpcError& error) {
  RevertCause cause;
  cause.reason = describe_revert(error);
  auto data = revert_data(error);
  if (!data) return cause;
  if (has_selector(*data, "AlreadyRevealed(uint256)")) {
    cause.token_id = token_argument(*data);
    if (cause.token_id) cause.kind = RevertCause::Kind::kAlreadyRevealed;
  } else if (has_selector(*data, "ERC721NonexistentToken(uint256)")) {
    cause.token_id = token_argument(*data);
    if (cause.token_id) cause.kind = RevertCause::Kind::kNonexistentToken;
  } else if (has_selector(*data, "NotKeeper(address)") || has_selector(*data, "OwnableUnauthorizedAccount(address)")) {
    cause.kind = RevertCause::Kind::kNotAuthorized;
  }
  return cause;
}

}  // namespace glisk::reveal
