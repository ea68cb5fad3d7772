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

}  // namespace glisk::eth
