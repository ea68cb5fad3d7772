#include "webhook/alchemy_webhook.hpp"

#include <cryptopp/hmac.h>
#include <cryptopp/misc.h>
#include <cryptopp/sha.h>

#include <array>
#include <vector>

#include "eth/address.hpp"
#include "eth/hex.hpp"

namespace glisk::webhook {

std::string hmac_sha256_hex(std::string_view key, std::string_view body) {
  CryptoPP::HMAC<CryptoPP::SHA256> hmac(reinterpret_cast<const CryptoPP::byte*>(key.data()), key.size());
  std::array<CryptoPP::byte, CryptoPP::SHA256::DIGESTSIZE> digest{};
  hmac.CalculateDigest(digest.data(), reinterpret_cast<const CryptoPP::byte*>(body.data()), body.size());
  return eth::to_hex(digest).substr(2);
}

AlchemyWebhook::AlchemyWebhook(store::Database& db, queue::WorkQueue& queue, clock::Clock& clock,
                               const log::EventLog& log, std::string secret, std::string contract)
    : db_(db), queue_(queue), recorder_(clock), log_(log), secret_(std::move(secret)), contract_(std::move(contract)) {}

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
  const auto& events = delivery.mints;
  WebhookResult result;
  result.ignored = delivery.ignored;

  mints::RecordTotals totals;
  std::vector<mints::RecordOutcome> outcomes;
  store::in_transaction(db_, store::TxMode::kWrite, [&](store::Transaction& tx) {
    outcomes.clear();
    for (const auto& e : events) outcomes.push_back(recorder_.record(tx, e));
  });
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
                                 {"ignored", result.ignored}});
  return result;
}

}  // namespace glisk::webhook
