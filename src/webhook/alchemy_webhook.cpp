#include "webhook/alchemy_webhook.hpp"

#include <cryptopp/hmac.h>
#include <cryptopp/misc.h>
#include <cryptopp/sha.h>

#include <algorithm>
#include <array>
#include <vector>

#include "chain/log_entry.hpp"
#include "eth/address.hpp"
#include "eth/hex.hpp"

namespace glisk::webhook {

std::string hmac_sha256_hex(std::string_view key, std::string_view body) {
  CryptoPP::HMAC<CryptoPP::SHA256> hmac(reinterpret_cast<const CryptoPP::byte*>(key.data()), key.size());
  std::array<CryptoPP::byte, CryptoPP::SHA256::DIGESTSIZE> digest{};
  hmac.CalculateDigest(digest.data(), reinterpret_cast<const CryptoPP::byte*>(body.data()), body.size());
  return eth::to_hex(digest).substr(2);
}

AlchemyWebhook::AlchemyWebhook(store::Database& db, store::TokenLifecycle& queue, clock::Clock& clock,
                               const log::EventLog& log, std::string secret, std::string contract, chain::EthRpc* node)
    : db_(db),
      queue_(queue),
      recorder_(clock),
      log_(log),
      secret_(std::move(secret)),
      contract_(std::move(contract)),
      node_(node) {}

AlchemyWebhook::Confirmation AlchemyWebhook::confirm_on_chain(const AlchemyDelivery& delivery) {
  Confirmation out;
  if (delivery.mints.empty()) return out;
  if (node_ == nullptr) throw WebhookNotConfigured("no node to confirm mints against: set RPC_URL");
  const std::string block = delivery.block_hash
                                ? "block " + std::to_string(delivery.block_number) + " (" + *delivery.block_hash + ")"
                                : "block " + std::to_string(delivery.block_number);
  chain::JsonValue filter = {{"address", contract_},
                             {"topics", chain::JsonValue::array({mints::batch_minted_topic()})}};
  if (delivery.block_hash) {
    filter["blockHash"] = *delivery.block_hash;  // EIP-234: this block, or an error if the node lacks it
  } else {
    filter["fromBlock"] = filter["toBlock"] = chain::to_quantity(static_cast<uint64_t>(delivery.block_number));
  }
  std::vector<chain::LogEntry> logs;
  try {
    logs = chain::fetch_logs(*node_, filter);
  } catch (const chain::RpcError& e) {
    throw MintsNotConfirmed("the node (" + node_->describe() + ") does not know " + block +
                            " yet, or it was reorganised away: nothing was recorded; Alchemy delivers again, and "
                            "the chain watcher records what the chain holds (" +
                            e.message().substr(0, 200) + ")");
  } catch (const std::exception& e) {
    throw MintsNotConfirmed("cannot ask the node (" + node_->describe() + ") to confirm the mints of " + block +
                            ": nothing was recorded; Alchemy delivers again (" + std::string(e.what()).substr(0, 300) +
                            ")");
  }
  std::vector<mints::MintEvent> on_chain;
  for (const auto& log : logs) {
    try {
      auto event = mints::decode_batch_minted(log);
      if (delivery.block_hash && event.block_hash != delivery.block_hash) continue;  // another block
      on_chain.push_back(std::move(event));
    } catch (const mints::InvalidMintLog& e) {
      throw MintsNotConfirmed("the node (" + node_->describe() + ") answered a malformed log for " + block + ": " +
                              e.what());
    }
  }
  for (const auto& delivered : delivery.mints) {
    auto found = std::find_if(on_chain.begin(), on_chain.end(), [&](const mints::MintEvent& e) {
      return e.tx_hash == delivered.tx_hash && e.log_index == delivered.log_index;
    });
    if (found == on_chain.end()) {
      ++out.unconfirmed;
      log_.warn("webhook.mint_unconfirmed",
                {{"tx_hash", delivered.tx_hash},
                 {"log_index", delivered.log_index},
                 {"block", delivery.block_number},
                 {"claimed_tokens", delivered.quantity},
                 {"detail",
                  "the node has no such BatchMinted log in that block: not recorded (forged, or reorganised away)"}});
      continue;
    }
    if (found->start_token_id != delivered.start_token_id || found->quantity != delivered.quantity ||
        found->prompt_author != delivered.prompt_author || found->minter != delivered.minter) {
      log_.warn("webhook.mint_differs",
                {{"tx_hash", delivered.tx_hash},
                 {"log_index", delivered.log_index},
                 {"delivered", {{"start_token_id", delivered.start_token_id}, {"quantity", delivered.quantity}}},
                 {"on_chain", {{"start_token_id", found->start_token_id}, {"quantity", found->quantity}}},
                 {"detail", "recorded as the chain has it"}});
    }
    out.mints.push_back(*found);
  }
  return out;
}

WebhookResult AlchemyWebhook::handle(std::string_view body, const std::optional<std::string>& signature) {
  if (secret_.empty()) {
    throw WebhookNotConfigured(
        "the Alchemy webhook is not configured: set ALCHEMY_WEBHOOK_SECRET to the webhook's signing key (Alchemy "
        "dashboard)");
  }
  if (contract_.empty()) {
    throw WebhookNotConfigured("no contract to watch: set GLISK_NFT_CONTRACT_ADDRESS");
  }
  if (body.size() > kMaxBodyBytes) {
    log_.warn("webhook.rejected", {{"reason", "too large"}, {"bytes", body.size()}});
    throw WebhookTooLarge("the body is " + std::to_string(body.size()) + " bytes; at most 1 MiB is accepted");
  }
  if (!signature) {
    log_.warn("webhook.rejected", {{"reason", "missing signature"}});
    throw WebhookUnauthorized("missing X-Alchemy-Signature header");
  }
  {
    const std::string expected = hmac_sha256_hex(secret_, body);
    std::string given = *signature;
    for (auto& c : given) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const bool same =
        given.size() == expected.size() &&
        CryptoPP::VerifyBufsEqual(reinterpret_cast<const CryptoPP::byte*>(given.data()),
                                  reinterpret_cast<const CryptoPP::byte*>(expected.data()), expected.size());
    if (!same) {
      log_.warn("webhook.rejected", {{"reason", "bad signature"}});
      throw WebhookUnauthorized(
          "X-Alchemy-Signature does not match the body: check that ALCHEMY_WEBHOOK_SECRET is this webhook's signing "
          "key");
    }
  }

  AlchemyDelivery delivery;
  try {
    delivery = parse_alchemy_delivery(body, eth::Address::parse(contract_));
  } catch (const MalformedWebhook& e) {
    log_.warn("webhook.rejected", {{"reason", "malformed"}, {"error", e.what()}});
    throw;
  }
  // Only what the node confirms is recorded (see the header).
  const Confirmation confirmed = confirm_on_chain(delivery);
  const auto& events = confirmed.mints;
  WebhookResult result;
  result.ignored = delivery.ignored;
  result.unconfirmed = confirmed.unconfirmed;

  mints::RecordTotals totals;
  std::vector<mints::RecordOutcome> outcomes;
  if (!events.empty()) {
    store::in_transaction(db_, store::TxMode::kWrite, [&](store::Transaction& tx) {
      outcomes.clear();
      for (const auto& e : events) outcomes.push_back(recorder_.record(tx, e));
    });
  }
  for (size_t i = 0; i < events.size(); ++i) {
    totals.add(outcomes[i]);
    if (outcomes[i].duplicate) continue;
    mints::log_recorded(log_, events[i], outcomes[i], "webhook");
  }
  if (totals.tokens_created > 0) queue_.announce(token::Stage::kImage);
  result.tokens_created = totals.tokens_created;
  result.mints = totals.events;
  result.duplicate = totals.events == 0 && totals.duplicates > 0;
  log_.info("webhook.received", {{"block", delivery.block_number},
                                 {"mints", totals.events},
                                 {"duplicates", totals.duplicates},
                                 {"tokens_created", totals.tokens_created},
                                 {"ignored", result.ignored},
                                 {"unconfirmed", result.unconfirmed}});
  return result;
}

}  // namespace glisk::webhook
