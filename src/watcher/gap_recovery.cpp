#include "watcher/gap_recovery.hpp"

#include <algorithm>
#include <limits>
#include <set>

#include "clock/time_format.hpp"
#include "eth/abi.hpp"
#include "mints/mint_recorder.hpp"
#include "store/author_store.hpp"
#include "store/token_lifecycle.hpp"
#include "store/token_store.hpp"

namespace glisk::watcher {
namespace {

// Tokens committed per transaction: a long recovery keeps what it made if the node fails midway.
constexpr size_t kTokensPerCommit = 100;

}  // namespace

GapRecovery::GapRecovery(store::Database& db, chain::EthRpc& rpc, store::TokenLifecycle& queue, clock::Clock& clock,
                         const log::EventLog& log, std::string contract, uint64_t confirmations)
    : db_(db),
      rpc_(rpc),
      queue_(queue),
      clock_(clock),
      log_(log),
      contract_(std::move(contract)),
      confirmations_(std::max<uint64_t>(confirmations, 1)) {}

RecoveryReport GapRecovery::run(std::stop_token stop) {
  RecoveryReport report;
  const uint64_t latest = rpc_.block_number(stop);
  report.block = latest + 1 >= confirmations_ ? latest + 1 - confirmations_ : 0;
  const std::string block = chain::to_quantity(report.block);

  const auto next = eth::decode_uint256(eth::from_hex(
      rpc_.eth_call(contract_, eth::to_hex(eth::encode_call("nextTokenId()", {})), block, stop), "nextTokenId()"));
  if (!next.fits_u64() || next.low_u64() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    throw eth::InvalidAbi("nextTokenId() answered " + next.to_dec() + ", beyond any token id glisk stores");
  }
  report.next_token_id = static_cast<int64_t>(next.low_u64());

  const auto existing = store::TokenStore(db_, clock_).ids_between(1, report.next_token_id - 1);
  const std::set<int64_t> known(existing.begin(), existing.end());

  std::vector<int64_t> missing;
  for (int64_t id = 1; id < report.next_token_id; ++id) {
    if (!known.contains(id)) missing.push_back(id);
  }
  report.missing = static_cast<int64_t>(missing.size());

  for (size_t first = 0; first < missing.size(); first += kTokensPerCommit) {
    const size_t last = std::min(missing.size(), first + kTokensPerCommit);
    // Outside calls first, then one short transaction.
    std::vector<RecoveredToken> batch;
    for (size_t i = first; i < last; ++i) {
      auto data = eth::encode_call("tokenPromptAuthor(uint256)", {eth::U256(static_cast<uint64_t>(missing[i]))});
      auto answer = rpc_.eth_call(contract_, eth::to_hex(data), block, stop);
      batch.push_back({missing[i], eth::decode_address(eth::from_hex(answer, "tokenPromptAuthor()")).to_checksum()});
    }
    const std::string now = clock::format_time(clock_.now());
    std::vector<RecoveredToken> created;
    store::in_transaction(db_, store::TxMode::kWrite, [&](store::Transaction& tx) {
      created.clear();
      for (const auto& t : batch) {
        const int64_t author_id = store::ensure_author(tx, t.author, now);
        if (!store::create_detected(tx, {t.token_id, t.token_id, author_id, std::nullopt, "gap_recovery", std::nullopt},
                                    now)
                 .empty()) {
          created.push_back(t);
        }
      }
    });
    for (const auto& t : created) {
      log_.info("recovery.token_created", {{"token_id", t.token_id}, {"author", t.author}, {"contract", contract_}});
    }
    if (!created.empty()) queue_.announce(token::Stage::kImage);
    report.created.insert(report.created.end(), created.begin(), created.end());
    if (progress_) progress_(last, missing.size());
  }
  log_.info("recovery.complete", {{"contract", contract_},
                                  {"next_token_id", report.next_token_id},
                                  {"block", report.block},
                                  {"missing", report.missing},
                                  {"created", report.created.size()}});
  return report;
}

}  // namespace glisk::watcher
