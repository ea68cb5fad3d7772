#include "eth/transaction.hpp"

#include <vector>

#include "eth/rlp.hpp"

namespace glisk::eth {

namespace {
std::vector<Bytes> unsigned_fields(const Eip1559Transaction& tx) {
  std::vector<Bytes> fields;
  fields.push_back(rlp_encode_uint(tx.chain_id));
  fields.push_back(rlp_encode_uint(tx.nonce));
  fields.push_back(rlp_encode_uint(tx.max_priority_fee_per_gas));
  fields.push_back(rlp_encode_uint(tx.max_fee_per_gas));
  fields.push_back(rlp_encode_uint(tx.gas_limit));
  fields.push_back(tx.to ? rlp_encode_bytes(tx.to->bytes()) : rlp_encode_bytes({}));
  fields.push_back(rlp_encode_uint(tx.value));
  fields.push_back(rlp_encode_bytes(tx.data));
  fields.push_back(rlp_encode_list({}));  // empty access list
  return fields;
}

Bytes typed(const Bytes& payload) {
  Bytes out;
  // Reserved first: inserting into a one-byte vector trips GCC 12's false -Warray-bounds.
  out.reserve(1 + payload.size());
  out.push_back(kEip1559TransactionType);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}
}  // namespace

Bytes Eip1559Transaction::encode_unsigned() const { return typed(rlp_encode_list(unsigned_fields(*this))); }

Hash Eip1559Transaction::signing_hash() const { return keccak256(encode_unsigned()); }

Bytes Eip1559Transaction::encode_signed(const Signature& signature) const {
  std::vector<Bytes> fields = unsigned_fields(*this);
  fields.push_back(rlp_encode_uint(signature.y_parity));
  fields.push_back(rlp_encode_uint(U256::from_be_bytes(signature.r)));
  fields.push_back(rlp_encode_uint(U256::from_be_bytes(signature.s)));
  return typed(rlp_encode_list(fields));
}

SignedTransaction sign_transaction(const Eip1559Transaction& transaction, const PrivateKey& key) {
  SignedTransaction signed_tx;
  signed_tx.raw = transaction.encode_signed(key.sign_hash(transaction.signing_hash()));
  signed_tx.hash = keccak256(signed_tx.raw);
  return signed_tx;
}

DecodedTransaction decode_signed_transaction(std::span<const uint8_t> raw) {
  if (raw.empty() || raw[0] != kEip1559TransactionType) throw InvalidRlp("not a type-2 transaction (first byte)");
  RlpItem list = rlp_decode(raw.subspan(1));
  if (!list.is_list || list.items.size() != 12) throw InvalidRlp("a signed type-2 transaction has 12 fields");
  for (size_t i = 0; i < 12; ++i) {
    if (list.items[i].is_list != (i == 8)) throw InvalidRlp("field " + std::to_string(i) + " has the wrong kind");
  }
  if (!list.items[8].items.empty()) throw InvalidRlp("access lists are not used by glisk");
  auto u64 = [&](size_t i) {
    U256 v = rlp_to_uint(list.items[i]);
    if (!v.fits_u64()) throw InvalidRlp("field " + std::to_string(i) + " exceeds 64 bits");
    return v.low_u64();
  };
  DecodedTransaction decoded;
  Eip1559Transaction& tx = decoded.transaction;
  tx.chain_id = u64(0);
  tx.nonce = u64(1);
  tx.max_priority_fee_per_gas = rlp_to_uint(list.items[2]);
  tx.max_fee_per_gas = rlp_to_uint(list.items[3]);
  tx.gas_limit = u64(4);
  if (!list.items[5].bytes.empty()) {
    if (list.items[5].bytes.size() != 20) throw InvalidRlp("`to` is not 20 bytes");
    tx.to = Address::from_bytes(list.items[5].bytes);
  }
  tx.value = rlp_to_uint(list.items[6]);
  tx.data = list.items[7].bytes;
  Signature& signature = decoded.signature;
  const uint64_t y_parity = u64(9);
  if (y_parity > 1) throw InvalidRlp("signature y parity must be 0 or 1, got " + std::to_string(y_parity));
  signature.y_parity = static_cast<uint8_t>(y_parity);
  signature.r = rlp_to_uint(list.items[10]).to_be_bytes();
  signature.s = rlp_to_uint(list.items[11]).to_be_bytes();
  return decoded;
}

}  // namespace glisk::eth
