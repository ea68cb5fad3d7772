#include "reveal/keeper.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <utility>

#include "eth/abi.hpp"
#include "eth/transaction.hpp"
#include "json_input/json_input.hpp"
#include "reveal/contract_errors.hpp"

namespace glisk::reveal {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

bool contains(const std::string& text, std::string_view what) { return text.find(what) != std::string::npos; }

double seconds_between(clock::TimePoint from, clock::TimePoint to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

BroadcastAnswer classify_broadcast_error(const chain::RpcError& error) {
  const std::string m = lower(error.message());
  if (contains(m, "already known") || contains(m, "known transaction") || contains(m, "already imported") ||
      contains(m, "alreadyknown") || contains(m, "already exists") || contains(m, "already in mempool")) {
    return BroadcastAnswer::kAccepted;
  }
  if (contains(m, "nonce too low") || contains(m, "nonce too small") || contains(m, "noncetoolow") ||
      contains(m, "transaction already included") || contains(m, "old nonce")) {
    return BroadcastAnswer::kNonceUsed;
  }
  if (contains(m, "underpriced")) return BroadcastAnswer::kUnderpriced;
  if (contains(m, "insufficient funds")) return BroadcastAnswer::kInsufficientFunds;
  return BroadcastAnswer::kRefused;
}

log::Fields with_batch(log::Fields fields, std::vector<int64_t> token_ids) {
  std::sort(token_ids.begin(), token_ids.end());
  fields["tokens"] = token_ids.size();
  if (token_ids.empty()) return fields;
  fields["first_token_id"] = token_ids.front();
  fields["last_token_id"] = token_ids.back();
  if (token_ids.size() <= 50) fields["token_ids"] = token_ids;
  return fields;
}

Keeper::Keeper(chain::EthRpc& rpc, store::RevealJournal& journal, const eth::PrivateKey& key, uint64_t chain_id,
               clock::Clock& clock, const log::EventLog& log, KeeperOptions options)
    : rpc_(rpc),
      journal_(journal),
      key_(key),
      chain_id_(chain_id),
      clock_(clock),
      log_(log),
      options_(std::move(options)),
      sender_(key.address().to_checksum()) {
  if (options_.metrics != nullptr) {
    auto& m = *options_.metrics;
    mined_ = &m.counter("glisk_reveal_transactions_mined_total",
                        "reveal transactions settled on chain, by outcome: confirmed | reverted", {"outcome"});
    for (const char* outcome : {"confirmed", "reverted"}) mined_->inc({outcome}, 0);
    gas_used_ = &m.counter("glisk_reveal_gas_used_total", "gas used by mined reveal transactions");
    fees_paid_ = &m.counter("glisk_reveal_fees_paid_wei_total",
                            "fees paid for mined reveal transactions, in wei (gas used × effective price)");
    confirmation_ =
        &m.histogram("glisk_reveal_confirmation_seconds",
                     "time from the first signing of a reveal to its confirmation (REVEAL_CONFIRMATIONS deep)", {});
    gas_per_token_ = &m.histogram(
        "glisk_reveal_gas_per_token", "gas used by each confirmed reveal transaction divided by its tokens", {},
        {20'000, 22'500, 25'000, 30'000, 40'000, 60'000, 80'000, 100'000, 125'000, 150'000, 200'000, 300'000});
    balance_ = &m.gauge("glisk_keeper_balance_wei", "the keeper wallet's balance, in wei (read about every minute)");
    may_reveal_ = &m.gauge("glisk_keeper_may_reveal",
                           "1 when the contract lets the keeper key reveal (isKeeper or the owner), else 0");
    cost_per_token_ = &m.gauge("glisk_keeper_reveal_cost_per_token_wei",
                               "what the last reveal could cost per token at most, in wei (gas limit x max fee per "
                               "gas / tokens): the balance divided by it is the tokens the keeper can still reveal");
    // Unknown until the first check: 0 (may not reveal) rather than no series, so alerts see it.
    balance_->set(0);
    may_reveal_->set(0);
    cost_per_token_->set(0);
  }
}

Keeper::Standing Keeper::check_standing(std::stop_token stop) {
  Standing standing;
  standing.balance = eth::U256::from_hex(rpc_.get_balance(sender_, "latest", stop));
  const auto sender = eth::Address::parse(sender_);
  const auto keeper = eth::decode_bool(eth::from_hex(
      rpc_.eth_call(options_.contract, eth::to_hex(eth::encode_call("isKeeper(address)", {sender})), "latest", stop)));
  const auto owner = eth::decode_address(
      eth::from_hex(rpc_.eth_call(options_.contract, eth::to_hex(eth::encode_call("owner()", {})), "latest", stop)));
  standing.may_reveal = keeper || owner == sender;
  if (balance_ != nullptr) {
    balance_->set(std::stod(standing.balance.to_dec()));
    may_reveal_->set(standing.may_reveal ? 1 : 0);
  }
  return standing;
}

BroadcastAnswer Keeper::broadcast(const std::string& raw, std::string* error_text, std::stop_token stop) {
  try {
    rpc_.send_raw_transaction(raw, stop);
    return BroadcastAnswer::kAccepted;
  } catch (const chain::RpcError& e) {
    if (error_text) *error_text = e.message();
    return classify_broadcast_error(e);
  }
}

std::optional<BroadcastAnswer> Keeper::broadcast_journaled(const store::SignedReveal& reveal, std::string* error_text,
                                                           std::stop_token stop) {
  try {
    return broadcast(reveal.raw_tx, error_text, stop);
  } catch (const errors::TransientError& e) {
    log_.warn("reveal.transient_error", {{"tx_hash", reveal.tx_hash},
                                         {"nonce", reveal.nonce},
                                         {"error", std::string("broadcast outcome unknown, will check: ") + e.what()}});
    return std::nullopt;
  }
}

uint64_t Keeper::estimate_gas(const eth::Bytes& calldata, std::stop_token stop) {
  try {
    return rpc_.estimate_gas({{"from", sender_}, {"to", options_.contract}, {"data", eth::to_hex(calldata)}}, stop);
  } catch (const chain::RpcError& e) {
    // The caller simulated this call a moment ago: a refusal now means the chain moved meanwhile,
    // or the batch needs more gas than the node allows one transaction.
    throw EstimateRefused(std::string("eth_estimateGas refused the reveal after a clean simulation: ") + e.what());
  }
}

uint64_t Keeper::gas_limit_for(uint64_t estimate) const {
  return static_cast<uint64_t>(static_cast<double>(estimate) * options_.gas_buffer + 0.999);
}

std::vector<store::JournalEntry> Keeper::take_confirmed() { return std::exchange(confirmed_, {}); }

void Keeper::send(const std::vector<int64_t>& token_ids, const eth::Bytes& calldata, uint64_t gas_estimate,
                  std::stop_token stop) {
  FeeQuote quote = current_fees(rpc_, options_.tip_percentile, options_.max_gas_price, stop);
  if (quote.above_cap) {
    throw GasAboveCap("gas costs " + format_gwei(quote.next_base_fee + quote.tip) + " gwei (base " +
                      format_gwei(quote.next_base_fee) + " + tip " + format_gwei(quote.tip) +
                      "), above REVEAL_MAX_GAS_PRICE_GWEI " + format_gwei(*options_.max_gas_price));
  }
  const uint64_t gas_limit = gas_limit_for(gas_estimate);

  const eth::U256 balance = eth::U256::from_hex(rpc_.get_balance(sender_, "pending", stop));
  const eth::U256 worst_cost = quote.fees.max_fee_per_gas * gas_limit;
  if (balance_ != nullptr) {
    balance_->set(std::stod(balance.to_dec()));
    cost_per_token_->set(std::stod(worst_cost.to_dec()) / static_cast<double>(std::max<size_t>(token_ids.size(), 1)));
  }
  if (balance < worst_cost) {
    const std::string reason = "keeper wallet " + sender_ + " holds " + balance.to_dec() + " wei but a reveal of " +
                               std::to_string(token_ids.size()) + " tokens may cost up to " + worst_cost.to_dec() +
                               " wei (" + std::to_string(gas_limit) + " gas × " +
                               format_gwei(quote.fees.max_fee_per_gas) + " gwei): fund the keeper wallet";
    journal_.record_unsent(sender_, token_ids, reason);
    throw errors::PermanentError(reason);
  }
  const uint64_t nonce = rpc_.get_transaction_count(sender_, "pending", stop);

  eth::Eip1559Transaction tx;
  tx.chain_id = chain_id_;
  tx.nonce = nonce;
  tx.max_priority_fee_per_gas = quote.fees.max_priority_fee_per_gas;
  tx.max_fee_per_gas = quote.fees.max_fee_per_gas;
  tx.gas_limit = gas_limit;
  tx.to = eth::Address::parse(options_.contract);
  tx.data = calldata;
  const auto signed_tx = eth::sign_transaction(tx, key_);
  store::SignedReveal reveal{sender_,    nonce,     eth::to_hex(signed_tx.hash), token_ids,
                             quote.fees, gas_limit, eth::to_hex(signed_tx.raw)};
  // The journal first: from here on a crash leaves a record that settle() resolves.
  const int64_t row = journal_.record_pending(reveal);

  std::string error_text;
  auto answer = broadcast_journaled(reveal, &error_text, stop);
  if (!answer) return;
  switch (*answer) {
    case BroadcastAnswer::kAccepted:
      log_.info("keeper.transaction_submitted",
                with_batch({{"tx_hash", reveal.tx_hash},
                            {"nonce", nonce},
                            {"gas_limit", gas_limit},
                            {"max_fee_gwei", format_gwei(quote.fees.max_fee_per_gas)},
                            {"tip_gwei", format_gwei(quote.fees.max_priority_fee_per_gas)},
                            {"base_fee_gwei", format_gwei(quote.next_base_fee)}},
                           token_ids));
      return;
    case BroadcastAnswer::kNonceUsed:
    case BroadcastAnswer::kUnderpriced:
      // Another transaction of this key (not in our journal) took or holds the nonce.
      journal_.refuse(row, "node refused: " + error_text);
      throw errors::TransientError("nonce " + std::to_string(nonce) + " of " + sender_ +
                                   " is taken by a transaction glisk did not send (" + error_text +
                                   "); is another program using KEEPER_PRIVATE_KEY?");
    case BroadcastAnswer::kInsufficientFunds:
      journal_.refuse(row, "node refused: " + error_text);
      throw errors::PermanentError("keeper wallet " + sender_ + " cannot pay for the reveal (" + error_text +
                                   "): fund the keeper wallet");
    case BroadcastAnswer::kRefused:
      journal_.refuse(row, "node refused: " + error_text);
      throw errors::PermanentError("the node refused the reveal transaction: " + error_text);
  }
}

bool Keeper::settle(std::stop_token stop) {
  auto rows = journal_.pending(sender_);
  if (rows.empty()) return false;
  const uint64_t latest = rpc_.block_number(stop);
  std::map<uint64_t, std::vector<store::JournalEntry>> by_nonce;
  for (auto& row : rows) by_nonce[row.nonce].push_back(std::move(row));
  bool open = false;
  for (const auto& [nonce, group] : by_nonce) {
    if (settle_nonce(group, latest, stop)) open = true;
  }
  return open;
}

bool Keeper::settle_nonce(const std::vector<store::JournalEntry>& rows, uint64_t latest_block, std::stop_token stop) {
  for (const auto& row : rows) {
    if (auto receipt = chain::fetch_receipt(rpc_, row.tx_hash, stop)) {
      return settle_mined(row, *receipt, latest_block, stop);
    }
  }
  const store::JournalEntry& newest = rows.back();
  const uint64_t nonce = newest.nonce;
  const uint64_t mined_count = rpc_.get_transaction_count(sender_, "latest", stop);
  if (mined_count > nonce) {
    // Something mined at this nonce. Ask for our receipts once more: one may have mined between
    // the lookups above and the count.
    for (const auto& row : rows) {
      if (auto receipt = chain::fetch_receipt(rpc_, row.tx_hash, stop)) {
        return settle_mined(row, *receipt, rpc_.block_number(stop), stop);
      }
    }
    const auto now = clock_.now();
    auto since = nonce_taken_since_.try_emplace(nonce, now).first;
    if (now - since->second < options_.nonce_taken_grace) return true;  // the receipt may still come
    nonce_taken_since_.erase(since);
    const std::string reason = "nonce " + std::to_string(nonce) + " of " + sender_ +
                               " was used by a transaction glisk did not send; the batch goes again";
    journal_.abandon(sender_, nonce, newest.token_ids, reason, clock_.now() + options_.transient_error_delay, false);
    log_.warn("reveal.transient_error", {{"nonce", nonce}, {"tokens", newest.token_ids.size()}, {"error", reason}});
    return false;
  }
  bool known = false;
  for (const auto& row : rows) {
    if (rpc_.get_transaction_by_hash(row.tx_hash, stop)) {
      known = true;
      break;
    }
  }
  if (!known) {
    // Dropped from the pool, or never broadcast (a crash between the journal and the send).
    std::string error_text;
    BroadcastAnswer answer = broadcast(newest.raw_tx, &error_text, stop);
    log_.info(
        "keeper.transaction_rebroadcast",
        {{"tx_hash", newest.tx_hash}, {"nonce", nonce}, {"answer", error_text.empty() ? "accepted" : error_text}});
    if (answer == BroadcastAnswer::kInsufficientFunds || answer == BroadcastAnswer::kRefused) {
      // E.g. its fee cap is now below the base fee. Nothing at this nonce can mine unless sent
      // again, so the batch goes again as a new transaction at fresh fees (should the old one
      // still mine somewhere, the new one cannot, and the next simulation sees the tokens revealed).
      const bool no_funds = answer == BroadcastAnswer::kInsufficientFunds;
      const std::string reason = "the node refused the reveal transaction when sent again: " + error_text +
                                 (no_funds ? "; fund the keeper wallet " + sender_ : "; the batch goes again");
      journal_.abandon(sender_, nonce, newest.token_ids, reason,
                       clock_.now() + (no_funds ? options_.permanent_error_delay : options_.transient_error_delay),
                       no_funds);
      log_.write(no_funds ? log::Level::kError : log::Level::kWarning,
                 no_funds ? "reveal.permanent_error" : "reveal.transient_error",
                 {{"tx_hash", newest.tx_hash}, {"nonce", nonce}, {"error", reason}});
      return false;
    }
    return true;
  }
  const auto now = clock_.now();
  const bool recently_refused =
      refused_replacement_of_ == newest.id && now - refused_replacement_at_ < options_.transaction_timeout;
  if (now - newest.submitted_at >= options_.transaction_timeout && !recently_refused) replace(newest, stop);
  return true;
}

bool Keeper::settle_mined(const store::JournalEntry& row, const chain::Receipt& receipt, uint64_t latest_block,
                          std::stop_token stop) {
  nonce_taken_since_.erase(row.nonce);
  const uint64_t block = receipt.block_number;
  if (latest_block + 1 < block + static_cast<uint64_t>(options_.confirmations)) return true;  // not deep enough yet
  const uint64_t gas_used = receipt.gas_used;
  const eth::U256 price = receipt.effective_gas_price;
  const eth::U256 fee = price * gas_used;
  if (receipt.succeeded) {
    const int64_t revealed = journal_.confirm(row, block, gas_used, price);
    measure_mined(row, "confirmed", gas_used, fee);
    confirmed_.push_back(row);
    log_.info("keeper.transaction_confirmed", {{"tx_hash", row.tx_hash},
                                               {"nonce", row.nonce},
                                               {"block", block},
                                               {"gas_used", gas_used},
                                               {"gas_price_gwei", format_gwei(price)},
                                               {"fee_wei", fee.to_dec()}});
    log_.info("reveal.batch_complete",
              with_batch({{"tx_hash", row.tx_hash},
                          {"revealed", revealed},
                          {"gas_used", gas_used},
                          {"gas_per_token", row.token_ids.empty() ? 0 : gas_used / row.token_ids.size()},
                          {"seconds", seconds_between(row.submitted_at, clock_.now())}},
                         row.token_ids));
    return false;
  }
  const std::string reason = revert_reason(row, block, stop);
  journal_.fail_reverted(row, block, gas_used, price, reason, clock_.now() + options_.permanent_error_delay);
  measure_mined(row, "reverted", gas_used, fee);
  log_.error("reveal.permanent_error", with_batch({{"tx_hash", row.tx_hash},
                                                   {"nonce", row.nonce},
                                                   {"block", block},
                                                   {"error", "reverted on chain: " + reason},
                                                   {"fee_wei", fee.to_dec()}},
                                                  row.token_ids));
  return false;
}

void Keeper::measure_mined(const store::JournalEntry& row, const char* outcome, uint64_t gas_used,
                           const eth::U256& fee) {
  if (mined_ == nullptr) return;
  mined_->inc({outcome});
  gas_used_->inc({}, static_cast<double>(gas_used));
  fees_paid_->inc({}, std::stod(fee.to_dec()));
  if (std::string_view(outcome) == "confirmed") {
    confirmation_->observe({}, seconds_between(row.submitted_at, clock_.now()));
    if (!row.token_ids.empty()) {
      gas_per_token_->observe({}, static_cast<double>(gas_used) / static_cast<double>(row.token_ids.size()));
    }
  }
}

std::string Keeper::revert_reason(const store::JournalEntry& row, uint64_t block_number, std::stop_token stop) {
  // Replaying the call on the state after its block names the cause when another transaction of
  // the block got there first (the common case: the token was revealed meanwhile).
  try {
    auto tx = eth::decode_signed_transaction(eth::from_hex(row.raw_tx)).transaction;
    rpc_.eth_call_from(sender_, options_.contract, eth::to_hex(tx.data), chain::to_quantity(block_number), stop);
    return "reverted in block " + std::to_string(block_number) +
           " (the same call succeeds now: probably out of gas; raise REVEAL_GAS_BUFFER)";
  } catch (const chain::RpcError& e) {
    return describe_revert(e);
  } catch (const std::exception& e) {
    return std::string("reverted (reason unavailable: ") + e.what() + ")";
  }
}

void Keeper::replace(const store::JournalEntry& newest, std::stop_token stop) {
  FeeQuote market = current_fees(rpc_, options_.tip_percentile, options_.max_gas_price, stop);
  auto fees = replacement_fees(newest.fees, market, options_.max_gas_price);
  if (!fees) {
    if (capped_logged_for_ != newest.id) {
      capped_logged_for_ = newest.id;
      log_.warn("keeper.replacement_capped",
                {{"tx_hash", newest.tx_hash},
                 {"nonce", newest.nonce},
                 {"max_fee_gwei", format_gwei(newest.fees.max_fee_per_gas)},
                 {"cap_gwei", options_.max_gas_price ? format_gwei(*options_.max_gas_price) : "none"},
                 {"error",
                  "a replacement needs +10% fees, which REVEAL_MAX_GAS_PRICE_GWEI does not allow; "
                  "the transaction keeps waiting"}});
    }
    return;
  }
  auto tx = eth::decode_signed_transaction(eth::from_hex(newest.raw_tx)).transaction;
  tx.max_fee_per_gas = fees->max_fee_per_gas;
  tx.max_priority_fee_per_gas = fees->max_priority_fee_per_gas;
  const auto signed_tx = eth::sign_transaction(tx, key_);
  store::SignedReveal reveal{sender_, newest.nonce,     eth::to_hex(signed_tx.hash), newest.token_ids,
                             *fees,   newest.gas_limit, eth::to_hex(signed_tx.raw)};
  const int64_t row = journal_.record_pending(reveal);
  std::string error_text;
  auto answer = broadcast_journaled(reveal, &error_text, stop);
  if (!answer) return;
  if (*answer == BroadcastAnswer::kAccepted) {
    log_.info("keeper.transaction_replaced", {{"old_tx_hash", newest.tx_hash},
                                              {"tx_hash", reveal.tx_hash},
                                              {"nonce", reveal.nonce},
                                              {"max_fee_gwei", format_gwei(fees->max_fee_per_gas)},
                                              {"tip_gwei", format_gwei(fees->max_priority_fee_per_gas)},
                                              {"waited_seconds", seconds_between(newest.submitted_at, clock_.now())}});
    return;
  }
  // Not accepted: the earlier transaction still stands (or one mined); receipts decide next time.
  journal_.refuse(row, "replacement refused: " + error_text);
  refused_replacement_of_ = newest.id;
  refused_replacement_at_ = clock_.now();
  log_.warn("reveal.transient_error",
            {{"tx_hash", reveal.tx_hash}, {"nonce", reveal.nonce}, {"error", "replacement refused: " + error_text}});
}

}  // namespace glisk::reveal
