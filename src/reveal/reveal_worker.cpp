#include "reveal/reveal_worker.hpp"

#include <algorithm>

#include "chain/block.hpp"
#include "errors/errors.hpp"
#include "eth/abi.hpp"
#include "reveal/contract_errors.hpp"

namespace glisk::reveal {
namespace {

using token::Stage;

template <typename T>
std::vector<int64_t> ids_of(const std::vector<T>& batch) {
  std::vector<int64_t> ids;
  for (const auto& c : batch) ids.push_back(c.token_id);
  return ids;
}

double seconds(std::chrono::milliseconds ms) { return static_cast<double>(ms.count()) / 1000.0; }

// An unreachable node or database is reported once per outage (rpc.unreachable, store.unavailable,
// store.disk_full); the worker's own line for each postponed step then goes to debug.
log::Level level_for(const std::exception& e, log::Level otherwise) {
  const bool outage = dynamic_cast<const chain::NodeUnreachable*>(&e) != nullptr ||
                      dynamic_cast<const store::UnavailableError*>(&e) != nullptr;
  return outage ? log::Level::kDebug : otherwise;
}

}  // namespace

RevealWorker::RevealWorker(store::TokenLifecycle& queue, queue::WakeBoard& wake, store::TokenStore& tokens,
                           store::RevealJournal& journal, SenderLease& lease, Keeper& keeper, chain::EthRpc& rpc,
                           clock::Clock& clock, const log::EventLog& log, RevealOptions options,
                           std::function<double()> jitter)
    : queue_(queue),
      wake_(wake),
      tokens_(tokens),
      journal_(journal),
      lease_(lease),
      keeper_(keeper),
      rpc_(rpc),
      clock_(clock),
      log_(log),
      options_(std::move(options)),
      function_(options_.function),
      jitter_(jitter ? std::move(jitter) : queue::seeded_jitter()) {
  if (options_.metrics != nullptr) {
    uri_checks_ = &options_.metrics->counter(
        "glisk_reveal_uri_checks_total",
        "tokenURI read back after a confirmed reveal, by result: match | mismatch | unavailable", {"result"});
    for (const char* result : {"match", "mismatch", "unavailable"}) uri_checks_->inc({result}, 0);
  }
}

StepResult RevealWorker::step(std::stop_token stop) {
  const auto now = clock_.now();
  if (!lease_.hold()) {
    if (!standby_logged_) {
      standby_logged_ = true;
      log_.info("reveal.sender_standby", {{"keeper", keeper_.sender()},
                                          {"holder", lease_.holder().value_or("?")},
                                          {"detail", "another instance sends for this key; taking over if it stops"}});
    }
    return {StepOutcome::kStandby, now + options_.poll_interval};
  }
  if (standby_logged_) {
    standby_logged_ = false;
    log_.info("reveal.sender_active", {{"keeper", keeper_.sender()}});
  }
  check_standing(stop);
  try {
    const bool open = keeper_.settle(stop);
    for (const auto& confirmed : keeper_.take_confirmed()) check_uris(confirmed, stop);
    if (open) {
      receipt_wait_ = receipt_wait_.count() == 0 ? std::min(options_.first_receipt_check, options_.receipt_poll)
                                                 : std::min(receipt_wait_ * 2, options_.receipt_poll);
      return {StepOutcome::kTransactionOpen, now + receipt_wait_};
    }
    receipt_wait_ = std::chrono::milliseconds(0);
  } catch (const errors::TransientError& e) {
    log_.write(level_for(e, log::Level::kWarning), "reveal.transient_error",
               {{"error", std::string("checking open reveal transactions: ") + e.what()}});
    return {StepOutcome::kError, now + options_.backoff.base};
  }

  const bool paused = options_.operator_paused && options_.operator_paused();
  if (paused != paused_logged_) {
    paused_logged_ = paused;
    if (paused) {
      log_.warn("worker.paused", {{"worker", "reveal"},
                                  {"detail",
                                   "an operator paused reveals: no new transaction is sent (`glisk status` "
                                   "says who and why; `glisk resume reveal` ends it)"}});
    } else {
      log_.info("worker.resumed", {{"worker", "reveal"}});
    }
  }
  if (paused) return {StepOutcome::kPaused, now + std::chrono::milliseconds(250)};

  const auto stats = tokens_.stage_queue_stats(Stage::kReveal);
  if (stats.due == 0) return {StepOutcome::kIdle, queue_.next_due(Stage::kReveal)};
  const double waited = stats.oldest_due_age_seconds.value_or(0);
  const int full = batch_limit();
  if (stats.due < full && waited < seconds(options_.batch_wait)) {
    const auto remaining =
        std::chrono::milliseconds(static_cast<int64_t>((seconds(options_.batch_wait) - waited) * 1000) + 1);
    return {StepOutcome::kWaitingForBatch, now + remaining};
  }
  auto claims = queue_.claim(Stage::kReveal, full);
  if (claims.empty()) return {StepOutcome::kIdle, queue_.next_due(Stage::kReveal)};
  process(std::move(claims), stop);
  return {StepOutcome::kProcessed, clock_.now()};
}

void RevealWorker::process(std::vector<store::Claim> claims, std::stop_token stop) {
  std::vector<Candidate> batch;
  for (const auto& claim : claims) {
    const auto& t = claim.token;
    if (claim.recovered_from) {
      log_.warn("worker.recovery", {{"worker", "reveal"},
                                    {"token_id", t.token_id},
                                    {"previous_lease", *claim.recovered_from},
                                    {"reason", "the previous holder's lease expired (process died or hung)"}});
    }
    Candidate c{t.token_id, claim.lease, {}, t.reveal_attempts + 1};
    if (!t.metadata_cid || t.metadata_cid->empty()) {
      fail_token(c, "reveal: the token has no metadata_cid; send it through the IPFS stage again");
      continue;
    }
    try {
      c.item = reveal_item(function_, t.token_id, *t.metadata_cid);
    } catch (const errors::BadInput& e) {
      fail_token(c, std::string("reveal: ") + e.what());
      continue;
    }
    batch.push_back(std::move(c));
  }
  if (batch.empty()) return;
  log_.info("reveal.batch_processing", with_batch({{"keeper", keeper_.sender()}}, ids_of(batch)));
  released_.clear();
  try {
    check_function(batch, stop);
    auto good = resolve(batch, stop);
    if (good.empty()) return;
    if (good.size() < batch.size()) {
      log_.info("reveal.batch_processing", with_batch({{"detail", "what remains after simulation"}}, ids_of(good)));
    }
    batch = std::move(good);
    const uint64_t estimate = fit_gas(batch, stop);
    keeper_.send(ids_of(batch), calldata(batch), estimate, stop);
  } catch (const GasAboveCap& e) {
    drop_released(batch);
    log_.warn(
        "reveal.gas_price_above_cap",
        with_batch({{"error", e.what()}, {"retry_in_seconds", seconds(options_.gas_cap_recheck)}}, ids_of(batch)));
    postpone(batch, std::string("reveal: waiting: ") + e.what(), options_.gas_cap_recheck, false);
  } catch (const errors::PermanentError& e) {
    drop_released(batch);
    log_.error("reveal.permanent_error",
               with_batch({{"error", e.what()}, {"retry_in_seconds", seconds(options_.permanent_error_delay)}},
                          ids_of(batch)));
    postpone(batch, std::string("reveal: ") + e.what(), options_.permanent_error_delay, true);
  } catch (const std::exception& e) {
    // Transient (node unreachable, a race with the chain) or unexpected: retry with backoff.
    drop_released(batch);
    const auto delay = queue::retry_delay(options_.backoff, batch.front().attempt, jitter_());
    log_.write(level_for(e, log::Level::kWarning), "reveal.transient_error",
               with_batch({{"error", e.what()}, {"retry_in_seconds", seconds(delay)}}, ids_of(batch)));
    postpone(batch, std::string("reveal: ") + e.what(), delay, true);
  }
}

std::vector<RevealWorker::Candidate> RevealWorker::resolve(std::vector<Candidate> batch, std::stop_token stop) {
  for (;;) {
    if (batch.empty()) return batch;
    auto revert = simulate(batch, stop);
    if (!revert) return batch;
    if (is_out_of_gas(*revert)) {
      // More than the node lets a call use: half now, the rest in the next batch.
      if (batch.size() == 1) {
        throw errors::TransientError("simulating the reveal of one token ran out of gas: " + revert->message());
      }
      release_tail(
          batch, batch.size() / 2,
          "the simulation of " + std::to_string(batch.size()) + " tokens ran out of gas: " + revert->message());
      continue;
    }
    const auto cause = classify_revert(*revert);
    auto named = std::find_if(batch.begin(), batch.end(),
                              [&](const Candidate& c) { return cause.token_id && c.token_id == *cause.token_id; });
    if (cause.kind == RevertCause::Kind::kAlreadyRevealed && named != batch.end()) {
      sync_revealed({named->token_id});
      batch.erase(named);
      continue;
    }
    if (cause.kind == RevertCause::Kind::kNonexistentToken && named != batch.end()) {
      fail_token(*named, "reveal: the contract has no token " + std::to_string(named->token_id) + " (" + cause.reason +
                             "); was it minted on this contract?");
      batch.erase(named);
      continue;
    }
    if (cause.kind == RevertCause::Kind::kNotAuthorized) {
      const std::string reason = cause.reason + ": the keeper " + keeper_.sender() +
                                 " may not reveal; the contract owner must call setKeeper(" + keeper_.sender() +
                                 ", true)";
      journal_.record_unsent(keeper_.sender(), ids_of(batch), reason);
      throw errors::PermanentError(reason);
    }
    if (batch.size() == 1) {
      if (is_revealed_on_chain(batch[0].token_id, stop)) {
        sync_revealed({batch[0].token_id});
      } else {
        fail_token(batch[0], "reveal: the contract rejects this token: " + cause.reason);
      }
      return {};
    }
    // Unknown cause: halve until the offending tokens are found.
    const auto middle = batch.begin() + static_cast<std::ptrdiff_t>(batch.size() / 2);
    auto left = resolve(std::vector<Candidate>(batch.begin(), middle), stop);
    auto right = resolve(std::vector<Candidate>(middle, batch.end()), stop);
    if (left.empty()) return right;
    if (right.empty()) return left;
    std::vector<Candidate> both = left;
    both.insert(both.end(), right.begin(), right.end());
    if (!simulate(both, stop)) return both;
    // Each half passes alone but not together (the tokens interact): send one half now and let
    // the other go in the next batch.
    release_tail(right, 0, "each half simulates alone but not together: this half goes in the next batch");
    return left;
  }
}

std::optional<chain::RpcError> RevealWorker::simulate(const std::vector<Candidate>& batch, std::stop_token stop) {
  try {
    rpc_.eth_call_from(keeper_.sender(), options_.contract, eth::to_hex(calldata(batch)), "latest", stop);
    return std::nullopt;
  } catch (const chain::RpcError& e) {
    if (!is_revert(e) && !is_out_of_gas(e)) {
      throw errors::TransientError(std::string("simulating the reveal: ") + e.what());
    }
    return e;
  }
}

eth::Bytes RevealWorker::calldata(const std::vector<Candidate>& batch) const {
  std::vector<RevealItem> items;
  items.reserve(batch.size());
  for (const auto& c : batch) items.push_back(c.item);
  return reveal_calldata(function_, items);
}

void RevealWorker::check_function(const std::vector<Candidate>& batch, std::stop_token stop) {
  if (function_checked_) return;
  auto revert = simulate({}, stop);
  if (revert && revert->data().size() <= 2) {  // none, or "0x"
    const std::string reason =
        "the contract at " + options_.contract + " has no " + function_.signature() +
        " (it reverts without data when called with no tokens): set REVEAL_FUNCTION to the function it has, e.g. " +
        kLegacyFunction + " for a contract deployed before the digest mode";
    journal_.record_unsent(keeper_.sender(), ids_of(batch), reason);
    throw errors::PermanentError(reason);
  }
  // Anything else (it succeeds; NotKeeper) says the function is there; the batch's own
  // simulation handles the rest.
  function_checked_ = true;
}

int RevealWorker::batch_limit() const {
  if (gas_per_token_ <= 0 || ceiling_ == 0) return options_.max_batch;
  const double fit = static_cast<double>(ceiling_) / (gas_per_token_ * keeper_.gas_buffer());
  return static_cast<int>(std::clamp(fit, 1.0, static_cast<double>(options_.max_batch)));
}

uint64_t RevealWorker::gas_ceiling(std::stop_token stop) {
  const auto now = clock_.now();
  if (ceiling_ == 0 || now - ceiling_at_ >= options_.block_gas_limit_refresh) {
    auto block = chain::fetch_block_header(rpc_, "latest", stop);
    if (!block) throw errors::TransientError("the node has no latest block to read the block gas limit from");
    const auto share = static_cast<uint64_t>(static_cast<double>(block->gas_limit) * options_.block_gas_share);
    ceiling_ = std::min(options_.transaction_gas_cap, share);
    ceiling_at_ = now;
  }
  return ceiling_;
}

void RevealWorker::drop_released(std::vector<Candidate>& batch) const {
  std::erase_if(batch, [&](const Candidate& c) { return released_.contains(c.token_id); });
}

void RevealWorker::release_tail(std::vector<Candidate>& batch, size_t keep, const std::string& why) {
  for (size_t i = keep; i < batch.size(); ++i) {
    released_.insert(batch[i].token_id);
    if (!queue_.release(Stage::kReveal, batch[i].token_id, batch[i].lease)) {
      log_.warn("token.lease_lost", {{"worker", "reveal"}, {"token_id", batch[i].token_id}});
    }
  }
  log_.info("reveal.batch_trimmed", {{"tokens", keep}, {"released", batch.size() - keep}, {"reason", why}});
  batch.resize(keep);
}

uint64_t RevealWorker::fit_gas(std::vector<Candidate>& batch, std::stop_token stop) {
  const uint64_t ceiling = gas_ceiling(stop);
  for (;;) {
    uint64_t estimate = 0;
    try {
      estimate = keeper_.estimate_gas(calldata(batch), stop);
    } catch (const EstimateRefused& e) {
      // A clean simulation the node will not estimate: usually more gas than it lets one
      // transaction use. Half goes now, the rest in the next batch.
      if (batch.size() == 1) throw;
      release_tail(batch, batch.size() / 2, e.what());
      continue;
    }
    const uint64_t limit = keeper_.gas_limit_for(estimate);
    gas_per_token_ = static_cast<double>(estimate) / static_cast<double>(batch.size());
    if (limit <= ceiling) return estimate;
    if (batch.size() == 1) {
      throw errors::PermanentError("a reveal of one token needs a gas limit of " + std::to_string(limit) +
                                   ", above the " + std::to_string(ceiling) +
                                   " one reveal may use (the per-transaction cap, or REVEAL_BLOCK_GAS_SHARE of the "
                                   "block gas limit): raise REVEAL_BLOCK_GAS_SHARE or check the contract");
    }
    const auto keep = std::clamp<size_t>(static_cast<size_t>(static_cast<double>(batch.size()) *
                                                             static_cast<double>(ceiling) / static_cast<double>(limit)),
                                         1, batch.size() - 1);
    release_tail(batch, keep,
                 std::to_string(batch.size()) + " tokens need a gas limit of " + std::to_string(limit) +
                     ", above the ceiling of " + std::to_string(ceiling));
  }
}

void RevealWorker::check_uris(const store::JournalEntry& tx, std::stop_token stop) {
  const auto& ids = tx.token_ids;
  if (ids.empty()) return;
  std::vector<int64_t> sample = {ids.front()};
  if (ids.size() > 2) sample.push_back(ids[ids.size() / 2]);
  if (ids.size() > 1) sample.push_back(ids.back());
  for (const int64_t id : sample) {
    std::string expected;
    std::string on_chain;
    try {  // a check, not a step of the reveal: whatever fails here is said and counted, never thrown
      auto token = tokens_.find_token(id);
      if (!token || !token->metadata_cid) continue;
      expected = "ipfs://" + *token->metadata_cid;
      auto data = eth::encode_call("tokenURI(uint256)", {eth::U256(static_cast<uint64_t>(id))});
      on_chain = eth::decode_string(eth::from_hex(rpc_.eth_call(options_.contract, eth::to_hex(data), "latest", stop)));
    } catch (const std::exception& e) {
      if (uri_checks_) uri_checks_->inc({"unavailable"});
      log_.warn("reveal.uri_check_failed", {{"token_id", id}, {"tx_hash", tx.tx_hash}, {"error", e.what()}});
      continue;
    }
    if (on_chain == expected) {
      if (uri_checks_) uri_checks_->inc({"match"});
      continue;
    }
    if (uri_checks_) uri_checks_->inc({"mismatch"});
    log_.error("reveal.uri_mismatch",
               {{"token_id", id},
                {"tx_hash", tx.tx_hash},
                {"expected", expected},
                {"on_chain", on_chain.substr(0, 300)},
                {"function", function_.signature()},
                {"detail",
                 "the contract's tokenURI differs from the metadata glisk pinned; check REVEAL_FUNCTION "
                 "and the contract"}});
  }
}

void RevealWorker::sync_revealed(const std::vector<int64_t>& token_ids) {
  const int64_t changed = journal_.mark_revealed_on_chain(token_ids);
  log_.info("reveal.already_revealed_sync",
            {{"token_ids", token_ids},
             {"marked_revealed", changed},
             {"detail", "the chain already shows these revealed; no transaction sent"}});
}

void RevealWorker::fail_token(const Candidate& token, const std::string& reason) {
  if (queue_.fail(Stage::kReveal, token.token_id, token.lease, reason)) {
    log_.error("token.reveal.failed",
               {{"worker", "reveal"}, {"token_id", token.token_id}, {"error", reason}, {"permanent", true}});
    log_.error("reveal.permanent_error", {{"token_id", token.token_id}, {"error", reason}});
  }
}

bool RevealWorker::is_revealed_on_chain(int64_t token_id, std::stop_token stop) {
  try {
    auto data = eth::encode_call("isRevealed(uint256)", {eth::U256(static_cast<uint64_t>(token_id))});
    return eth::decode_bool(eth::from_hex(rpc_.eth_call(options_.contract, eth::to_hex(data), "latest", stop)));
  } catch (const chain::RpcError&) {
    return false;  // a contract without isRevealed, or a token it does not know
  } catch (const eth::InvalidAbi&) {
    return false;
  }
}

void RevealWorker::postpone(const std::vector<Candidate>& batch, const std::string& reason,
                            std::chrono::milliseconds delay, bool count_attempt) {
  journal_.postpone(ids_of(batch), reason, clock_.now() + delay, count_attempt);
}

void RevealWorker::check_standing(std::stop_token stop) {
  const auto now = clock_.steady_now();
  if (standing_checked_ && now - *standing_checked_ < options_.standing_check) return;
  standing_checked_ = now;
  try {
    const auto standing = keeper_.check_standing(stop);
    if (may_reveal_ != standing.may_reveal) {
      if (!standing.may_reveal) {
        log_.error("keeper.not_allowed",
                   {{"keeper", keeper_.sender()},
                    {"contract", options_.contract},
                    {"action", "the contract does not let this key reveal: call setKeeper(" + keeper_.sender() +
                                   ", true) from the contract's owner, or set KEEPER_PRIVATE_KEY to a keeper's key"}});
      } else if (may_reveal_.has_value()) {
        log_.info("keeper.allowed", {{"keeper", keeper_.sender()}, {"contract", options_.contract}});
      }
      may_reveal_ = standing.may_reveal;
    }
  } catch (const std::exception& e) {
    if (errors::kind_of(e) == errors::Kind::kBug) throw;
    log_.debug("keeper.standing_unknown", {{"error", e.what()}});
  }
}

void RevealWorker::run(std::stop_token stop) {
  log_.info("worker.started", {{"worker", "reveal"},
                               {"keeper", keeper_.sender()},
                               {"contract", options_.contract},
                               {"function", function_.signature()},
                               {"mode", function_.mode_name()},
                               {"batch_max", options_.max_batch},
                               {"batch_wait_seconds", seconds(options_.batch_wait)}});
  auto& signal = wake_.of(Stage::kReveal);
  while (!stop.stop_requested()) {
    const uint64_t seen = signal.sequence();
    StepResult result;
    try {
      result = step(stop);
    } catch (const std::exception& e) {
      if (errors::kind_of(e) == errors::Kind::kBug) {
        // Not the chain's or the database's trouble: start afresh (the supervisor restarts the
        // task; the journal tells the new one what was sent).
        log_.error("worker.bug",
                   {{"worker", "reveal"}, {"error", e.what()}, {"detail", "a bug: the reveal worker restarts"}});
        throw;
      }
      // The database is down or refused a move: nothing half-done stays (each move is one
      // transaction, and the journal is written before any broadcast); try again later.
      log_.write(level_for(e, log::Level::kError), "reveal.transient_error", {{"error", e.what()}});
      result = {StepOutcome::kError, clock_.now() + options_.backoff.base};
    }
    if (result.outcome == StepOutcome::kProcessed) continue;
    const auto wait = result.next_at ? clock::wait_for_at_most(clock_, *result.next_at, options_.poll_interval)
                                     : options_.poll_interval;
    // While a transaction is open, new ready tokens do not matter: only time does.
    if (result.outcome == StepOutcome::kTransactionOpen) {
      clock_.sleep_for(wait, stop);
    } else {
      signal.wait(clock_, seen, wait, stop);
    }
  }
  try {
    lease_.release();
  } catch (const std::exception& e) {
    log_.warn("reveal.transient_error", {{"error", std::string("releasing the sender lease: ") + e.what()}});
  }
  log_.info("worker.stopped", {{"worker", "reveal"}});
}

}  // namespace glisk::reveal
