#include "store/mint_events.hpp"

namespace glisk::store {

bool record_mint_event(Transaction& tx, const MintRow& m, const std::string& now) {
  return tx.exec(
               "INSERT INTO mint_events (tx_hash, log_index, block_number, block_hash, minter_address, author_wallet, "
               "start_token_id, quantity, total_paid, detected_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
               "ON CONFLICT (tx_hash, log_index) DO NOTHING",
               {m.tx_hash, m.log_index, m.block_number, m.block_hash ? SqlValue{*m.block_hash} : SqlValue{nullptr},
                m.minter, m.author_wallet, m.start_token_id, m.quantity, m.total_paid, now})
             .affected == 1;
}

}  // namespace glisk::store
