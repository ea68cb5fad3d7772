#pragma once
// EIP-1559 (type 2) transactions: what is signed and what is sent to eth_sendRawTransaction.
//   signing_hash()  = keccak256(0x02 || rlp([chain_id, nonce, max_priority_fee_per_gas,
//                     max_fee_per_gas, gas_limit, to, value, data, access_list]))
//   encode_signed() = 0x02 || rlp([... the same nine ..., y_parity, r, s])
//   hash()          = keccak256(encode_signed()), the hash nodes report for the transaction.
// The access list is always empty (glisk does not use one); `to` absent means contract creation
// (encoded as the empty string). r and s are encoded as minimal integers. A plain value type.

#include <cstdint>
#include <optional>

#include "eth/address.hpp"
#include "eth/hex.hpp"
#include "eth/keccak.hpp"
#include "eth/signer.hpp"
#include "eth/uint256.hpp"

namespace glisk::eth {

constexpr uint8_t kEip1559TransactionType = 0x02;

// What an EIP-1559 transaction offers to pay per gas.
struct Fees {
  U256 max_fee_per_gas;
  U256 max_priority_fee_per_gas;
};

struct Eip1559Transaction {
  uint64_t chain_id = 0;
  uint64_t nonce = 0;
  U256 max_priority_fee_per_gas;
  U256 max_fee_per_gas;
  uint64_t gas_limit = 0;
  std::optional<Address> to;  // nullopt: contract creation
  U256 value;
  Bytes data;

  Bytes encode_unsigned() const;  // 0x02 || rlp(nine fields)
  Hash signing_hash() const;
  Bytes encode_signed(const Signature& signature) const;
};

struct SignedTransaction {
  Bytes raw;  // for eth_sendRawTransaction
  Hash hash;
};

// Signs `transaction` with `key` and returns its wire bytes and hash.
SignedTransaction sign_transaction(const Eip1559Transaction& transaction, const PrivateKey& key);

struct DecodedTransaction {
  Eip1559Transaction transaction;
  Signature signature;
};

// The transaction and its signature inside signed wire bytes (encode_signed's output), e.g. what a
// replacement at the same nonce starts from. Accepts exactly what encode_signed produces, so
// transaction.encode_signed(signature) gives `raw` back byte for byte: canonical RLP, 64-bit
// chain id, nonce and gas limit, an empty `to` or 20 bytes, an empty access list, y parity 0 or 1,
// r and s of at most 32 bytes. Anything else throws InvalidRlp. Whether the signature recovers
// (recover_address) is the caller's question.
DecodedTransaction decode_signed_transaction(std::span<const uint8_t> raw);

}  // namespace glisk::eth
