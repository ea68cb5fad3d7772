// Signed EIP-1559 transactions (eth/transaction.hpp), as the keeper reads them back from its
// journal to replace them. Whatever decode_signed_transaction accepts:
//   - encodes back to exactly the bytes it came from (transaction and signature);
//   - either recovers a sender or fails with InvalidSignature, never anything else;
//   - signed again with a known key, decodes to the same transaction and recovers to that key.
#include "eth/rlp.hpp"
#include "eth/signer.hpp"
#include "eth/transaction.hpp"
#include "fuzz/check.hpp"
#include "fuzz/targets.hpp"

namespace glisk::fuzz {
namespace {
// anvil's first development account: a published test key, holding nothing anywhere real.
constexpr std::string_view kTestKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
}  // namespace

int signed_transaction(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> raw(data, size);
  eth::DecodedTransaction decoded;
  try {
    decoded = eth::decode_signed_transaction(raw);
  } catch (const eth::InvalidRlp&) {
    return 0;
  }
  const eth::Eip1559Transaction& tx = decoded.transaction;
  require(tx.encode_signed(decoded.signature) == eth::Bytes(raw.begin(), raw.end()),
          "a decoded transaction encodes back to the same bytes");
  try {
    (void)eth::recover_address(tx.signing_hash(), decoded.signature);
  } catch (const eth::InvalidSignature&) {
  }

  const auto key = eth::PrivateKey::from_hex(kTestKey);
  const eth::SignedTransaction resigned = eth::sign_transaction(tx, key);
  const eth::DecodedTransaction again = eth::decode_signed_transaction(resigned.raw);
  require(again.transaction.encode_unsigned() == tx.encode_unsigned(), "a re-signed transaction decodes to itself");
  require(eth::recover_address(again.transaction.signing_hash(), again.signature) == key.address(),
          "a re-signed transaction recovers to the key that signed it");
  require(resigned.hash == eth::keccak256(resigned.raw), "a transaction's hash is the keccak of its bytes");
  return 0;
}

}  // namespace glisk::fuzz
