#include "watcher/chain_watcher.hpp"

#include <algorithm>
#include <cctype>

#include "chain/block.hpp"
#include "chain/log_entry.hpp"
#include "clock/time_format.hpp"
#include "errors/errors.hpp"

namespace glisk::watcher {
namespace {

using chain::JsonValue;
using chain::to_quantity;

std::string lowercase(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool has_code(const std::string& code) { return !code.empty() && code != "0x"; }

}  // namespace

std::string cursor_to_text(const Cursor& c) {
  return JsonValue{{"next_block", c.next_block},
                   {"first_block", c.first_block},
                   {"last_hash", c.last_hash ? JsonValue(*c.last_hash) : JsonValue(nullptr)}}
      .dump();
}

Cursor cursor_from_text(const std::string& text) {
  try {
    auto j = JsonValue::parse(text);
    Cursor c;
    c.next_block = j.at("next_block").get<uint64_t>();
    c.first_block = j.at("first_block").get<uint64_t>();
    if (!j.at("last_hash").is_null()) c.last_hash = j.at("last_hash").get<std::string>();
    return c;
  } catch (const JsonValue::exception& e) {
    throw std::invalid_argument("the stored watcher cursor is unreadable (" + std::string(e.what()) +
                                "): delete its system_state row to scan again from START_BLOCK");
  }
}

ChainWatcher::ChainWatcher(store::Database& db, chain::EthRpc& rpc, store::TokenLifecycle& queue, clock::Clock& clock,
                           const log::EventLog& log, WatcherOptions options)
    : db_(db),
      rpc_(rpc),
      queue_(queue),
      clock_(clock),
      recorder_(clock),
      state_(clock),
      log_(log),
      options_(std::move(options)),
      cursor_key_("watcher.cursor." + lowercase(options_.contract)) {
  if (options_.metrics != nullptr) {
    head_ =
        &options_.metrics->gauge("glisk_watcher_head_block", "the node's latest block, as the watcher last read it");
    lag_ = &options_.metrics->gauge(
        "glisk_watcher_lag_blocks",
        "confirmed blocks (MINT_CONFIRMATIONS deep) the watcher has not scanned yet: 0 when caught up");
  }
}

void ChainWatcher::report_position(uint64_t latest, uint64_t next_block) {
  if (head_ == nullptr) return;
  const uint64_t confirmations = std::max<uint64_t>(options_.confirmations, 1);
  const uint64_t confirmed_end =
      latest + 1 >= confirmations ? latest + 2 - confirmations : 0;  // one past the safe head
  head_->set(static_cast<double>(latest));
  lag_->set(confirmed_end > next_block ? static_cast<double>(confirmed_end - next_block) : 0.0);
}

std::optional<Cursor> ChainWatcher::cursor() {
  auto text = state_.get(db_, cursor_key_);
  if (!text) return std::nullopt;
  return cursor_from_text(*text);
}

std::optional<uint64_t> ChainWatcher::find_deployment_block(std::stop_token stop) {
  const uint64_t latest = rpc_.block_number(stop);
  if (!has_code(rpc_.get_code(options_.contract, to_quantity(latest), stop))) {
    throw errors::PermanentError("no contract code at " + options_.contract + " on " + rpc_.describe() +
                                 ": check GLISK_NFT_CONTRACT_ADDRESS and that RPC_URL is the chain it was deployed on");
  }
  try {
    uint64_t low = 0, high = latest;  // code at `high`; the answer is in [low, high]
    while (low < high) {
      const uint64_t mid = low + (high - low) / 2;
      if (has_code(rpc_.get_code(options_.contract, to_quantity(mid), stop))) {
        high = mid;
      } else {
        low = mid + 1;
      }
    }
    return low;
  } catch (const chain::RpcError& e) {
    // A node without old state (not an archive node) refuses old heights.
    log_.warn("watcher.deployment_block_unknown", {{"contract", options_.contract}, {"error", e.what()}});
    return std::nullopt;
  }
}

Cursor ChainWatcher::initial_cursor(std::stop_token stop) {
  uint64_t first = 0;
  if (options_.start_block) {
    first = *options_.start_block;
  } else if (auto deployed = find_deployment_block(stop)) {
    first = *deployed;
  }
  return Cursor{first, first, std::nullopt};
}

std::string ChainWatcher::block_hash(uint64_t number, std::stop_token stop) {
  auto block = chain::fetch_block_header(rpc_, to_quantity(number), stop);
  if (!block)
    throw errors::TransientError("the node at " + rpc_.describe() + " does not have block " + std::to_string(number) +
                                 " (yet)");
  return block->hash;
}

bool ChainWatcher::save_cursor(store::Transaction& tx, const std::optional<Cursor>& expected, const Cursor& next) {
  const auto expected_text = expected ? std::optional<std::string>(cursor_to_text(*expected)) : std::nullopt;
  return state_.compare_and_set(tx, cursor_key_, expected_text, cursor_to_text(next));
}

StepResult ChainWatcher::step(std::stop_token stop) {
  StepResult result;
  const auto stored = cursor();
  const Cursor current = stored ? *stored : initial_cursor(stop);
  if (!started_logged_) {
    log_.info("watcher.started", {{"contract", options_.contract},
                                  {"from_block", current.next_block},
                                  {"rpc", rpc_.describe()},
                                  {"confirmations", options_.confirmations},
                                  {"log_range_blocks", options_.log_range_blocks}});
    started_logged_ = true;
  }
  const uint64_t latest = rpc_.block_number(stop);
  const uint64_t confirmations = std::max<uint64_t>(options_.confirmations, 1);
  report_position(latest, current.next_block);

  // Has the chain we scanned been rewritten below the confirmation depth?
  if (current.last_hash && current.next_block > 0) {
    const uint64_t checked = current.next_block - 1;
    const std::string found = block_hash(checked, stop);
    if (found != *current.last_hash) {
      uint64_t back =
          current.next_block > options_.reorg_rescan_blocks ? current.next_block - options_.reorg_rescan_blocks : 0;
      back = std::max(back, current.first_block);
      Cursor rescan{back, current.first_block, std::nullopt};
      if (back > 0) rescan.last_hash = block_hash(back - 1, stop);
      auto tx = db_.begin(store::TxMode::kWrite);
      if (!save_cursor(*tx, stored, rescan)) return result;  // another instance moved it first
      tx->commit();
      log_.warn("watcher.reorg_detected", {{"contract", options_.contract},
                                           {"block", checked},
                                           {"expected_hash", *current.last_hash},
                                           {"found_hash", found},
                                           {"rescan_from", back}});
      caught_up_logged_ = false;
      result.reorg = true;
      return result;
    }
  }

  if (latest + 1 < confirmations || current.next_block > latest + 1 - confirmations) {
    // Nothing confirmed beyond the cursor yet. Keep the first cursor, so the deployment block is
    // searched for once.
    if (!stored) {
      store::in_transaction(db_, store::TxMode::kWrite,
                            [&](store::Transaction& tx) { save_cursor(tx, stored, current); });
    }
    result.caught_up = true;
    if (!caught_up_logged_) {
      log_.info("watcher.caught_up",
                {{"contract", options_.contract}, {"next_block", current.next_block}, {"latest", latest}});
      caught_up_logged_ = true;
    }
    return result;
  }
  const uint64_t safe_head = latest + 1 - confirmations;
  const uint64_t from = current.next_block;
  const uint64_t to = std::min(safe_head, from + std::max<uint64_t>(options_.log_range_blocks, 1) - 1);
  const std::string to_hash = block_hash(to, stop);

  JsonValue filter = {{"fromBlock", to_quantity(from)},
                      {"toBlock", to_quantity(to)},
                      {"address", options_.contract},
                      {"topics", JsonValue::array({mints::batch_minted_topic()})}};
  std::vector<mints::MintEvent> events;
  for (const auto& entry : chain::fetch_logs(rpc_, filter, stop)) {
    auto e = mints::decode_batch_minted(entry);
    if (e.contract != options_.contract) {
      throw mints::InvalidMintLog("eth_getLogs returned a log of " + e.contract + ", not of the contract asked for");
    }
    if (e.block_number < static_cast<int64_t>(from) || e.block_number > static_cast<int64_t>(to)) {
      throw mints::InvalidMintLog("eth_getLogs returned a log of block " + std::to_string(e.block_number) +
                                  " outside the range asked for");
    }
    if (e.block_number == static_cast<int64_t>(to) && e.block_hash != to_hash) {
      throw errors::TransientError("block " + std::to_string(to) +
                                   " changed while it was scanned (a reorganisation); scanning again");
    }
    events.push_back(std::move(e));
  }
  std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
    return std::pair(a.block_number, a.log_index) < std::pair(b.block_number, b.log_index);
  });

  const Cursor next{to + 1, current.first_block, to_hash};
  std::vector<mints::RecordOutcome> outcomes;
  auto tx = db_.begin(store::TxMode::kWrite);
  for (const auto& e : events) outcomes.push_back(recorder_.record(*tx, e));
  if (!save_cursor(*tx, stored, next)) return result;  // another instance scanned it: roll back
  tx->commit();

  report_position(latest, to + 1);
  result.scanned = true;
  result.from_block = from;
  result.to_block = to;
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    const auto& o = outcomes[i];
    if (o.duplicate) {
      ++result.duplicates;
      continue;
    }
    ++result.mints;
    result.tokens_created += o.tokens_created;
    mints::log_recorded(log_, e, o, "watcher");
  }
  if (result.tokens_created > 0) queue_.announce(token::Stage::kImage);
  result.caught_up = to == safe_head;
  if (result.caught_up && !caught_up_logged_) {
    log_.info("watcher.caught_up", {{"contract", options_.contract}, {"next_block", to + 1}, {"latest", latest}});
  }
  caught_up_logged_ = result.caught_up;
  return result;
}

void ChainWatcher::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    bool again = false;
    try {
      auto r = step(stop);
      again = (r.scanned && !r.caught_up) || r.reorg;
    } catch (const chain::RpcError& e) {
      log_.warn("watcher.rpc_error", {{"contract", options_.contract}, {"error", e.what()}});
    } catch (const errors::TransientError& e) {
      if (stop.stop_requested()) break;
      // An unreachable node or database is reported once per outage (rpc.unreachable,
      // store.unavailable); a line per poll would bury it.
      const bool outage = dynamic_cast<const chain::NodeUnreachable*>(&e) != nullptr;
      log_.write(outage ? log::Level::kDebug : log::Level::kWarning, "watcher.rpc_error",
                 {{"contract", options_.contract}, {"error", e.what()}});
    } catch (const store::UnavailableError& e) {
      log_.debug("watcher.error", {{"contract", options_.contract}, {"error", e.what()}});
    } catch (const std::exception& e) {
      log_.error("watcher.error", {{"contract", options_.contract}, {"error", e.what()}});
    }
    if (!again) clock_.sleep_for(options_.poll_interval, stop);
  }
}

}  // namespace glisk::watcher
