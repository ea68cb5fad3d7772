#include "mints/mint_recorder.hpp"

#include "clock/time_format.hpp"
#include "store/author_store.hpp"
#include "store/mint_events.hpp"
#include "store/token_lifecycle.hpp"

namespace glisk::mints {

RecordOutcome MintRecorder::record(store::Transaction& tx, const MintEvent& e) {
  const std::string now = clock::format_time(clock_.now());
  RecordOutcome outcome;
  const bool recorded = store::record_mint_event(tx,
                                                 {e.tx_hash, e.log_index, e.block_number, e.block_hash, e.minter,
                                                  e.prompt_author, e.start_token_id, e.quantity, e.total_paid},
                                                 now);
  if (!recorded) {
    outcome.duplicate = true;
    return outcome;
  }
  const int64_t author_id = store::ensure_author(tx, e.prompt_author, now);

  const auto created =
      store::create_detected(tx, {e.start_token_id, e.last_token_id(), author_id, e.minter, "mint", e.tx_hash}, now);
  outcome.tokens_created = static_cast<int64_t>(created.size());
  if (outcome.tokens_created < e.quantity) {
    // Some ids existed already: fill a minter that gap recovery could not know, and report ids
    // that belong to another author (a mint the chain no longer has).
    outcome.conflicting_token_ids =
        store::adopt_existing(tx, e.start_token_id, e.last_token_id(), author_id, e.minter, now);
  }
  return outcome;
}

void log_recorded(const log::EventLog& log, const MintEvent& e, const RecordOutcome& o, const char* source) {
  log.info("mint.detected", {{"tx", e.tx_hash},
                             {"block", e.block_number},
                             {"start_token_id", e.start_token_id},
                             {"quantity", e.quantity},
                             {"author", e.prompt_author},
                             {"minter", e.minter},
                             {"tokens_created", o.tokens_created},
                             {"source", source}});
  if (!o.conflicting_token_ids.empty()) {
    log.warn("mint.token_conflict",
             {{"tx", e.tx_hash}, {"token_ids", o.conflicting_token_ids}, {"author", e.prompt_author}});
  }
}

}  // namespace glisk::mints
