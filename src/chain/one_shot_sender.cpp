#include "chain/one_shot_sender.hpp"

#include "chain/receipt.hpp"
#include "clock/clock.hpp"
#include "eth/transaction.hpp"

namespace glisk::chain {

JsonValue send_and_wait(EthRpc& rpc, const eth::PrivateKey& key, const OneShotTransaction& transaction,
                        std::chrono::milliseconds timeout, std::stop_token stop) {
  const std::string from = key.address().to_checksum();
  JsonValue call{{"from", from}, {"data", eth::to_hex(transaction.data)}, {"value", transaction.value.to_hex()}};
  if (transaction.to) call["to"] = transaction.to->to_checksum();

  eth::Eip1559Transaction tx;
  tx.chain_id = rpc.chain_id(stop);
  tx.nonce = rpc.get_transaction_count(from, "pending", stop);
  tx.gas_limit = rpc.estimate_gas(call, stop) * 6 / 5;
  auto history = rpc.fee_history(1, "latest", {}, stop);
  if (!history.contains("baseFeePerGas") || !history["baseFeePerGas"].is_array() || history["baseFeePerGas"].empty() ||
      !history["baseFeePerGas"].back().is_string()) {
    throw MalformedResponse("eth_feeHistory without baseFeePerGas (does the chain support EIP-1559?)");
  }
  const eth::U256 base = eth::U256::from_hex(history["baseFeePerGas"].back().get<std::string>());
  tx.max_priority_fee_per_gas = eth::U256::from_hex(rpc.max_priority_fee_per_gas(stop));
  tx.max_fee_per_gas = base * 2 + tx.max_priority_fee_per_gas;
  tx.to = transaction.to;
  tx.value = transaction.value;
  tx.data = transaction.data;
  const auto signed_tx = eth::sign_transaction(tx, key);
  const std::string hash = eth::to_hex(signed_tx.hash);
  rpc.send_raw_transaction(eth::to_hex(signed_tx.raw), stop);

  // A person waits on this command: real time.
  const clock::SystemClock clock;
  const auto deadline = clock.steady_now() + timeout;
  while (clock.steady_now() < deadline && !stop.stop_requested()) {
    if (auto receipt = rpc.get_transaction_receipt(hash, stop)) {
      if (!decode_receipt(*receipt).succeeded) throw std::runtime_error("transaction " + hash + " reverted on chain");
      return *receipt;
    }
    clock.sleep_for(std::chrono::milliseconds(200), stop);
  }
  throw errors::TransientError("transaction " + hash + " was sent but has no receipt after " +
                               std::to_string(timeout.count() / 1000) + " s; check it on an explorer");
}

}  // namespace glisk::chain
