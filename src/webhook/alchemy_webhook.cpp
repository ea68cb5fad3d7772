#include "webhook/alchemy_webhook.hpp"

#include <cryptopp/hmac.h>
#include <cryptopp/misc.h>
#include <cryptopp/sha.h>

#include <array>
#include <nlohmann/json.hpp>
#include <vector>

#include "eth/address.hpp"
#include "eth/hex.hpp"
#include "mints/mint_event.hpp"

namespace glisk::webhook {
namespace {

using nlohmann::json;

std::string shown(const json& value) {
  std::string text = value.dump();
  return text.size() > 80 ? text.substr(0, 80) + "…" : text;
}

const json& member(const json& object, const char* name, const std::string& where) {
  if (!object.is_object()) throw MalformedWebhook(where + " must be a JSON object, got " + shown(object));
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) throw MalformedWebhook(where + "." + name + " is missing");
  return *it;
}

const std::string& text_member(const json& object, const char* name, const std::string& where) {
  const json& v = member(object, name, where);
  if (!v.is_string()) throw MalformedWebhook(where + "." + name + " must be a string, got " + shown(v));
  return v.get_ref<const std::string&>();
}

// A JSON integer or a 0x-hex string (Alchemy writes integers; JSON-RPC style hex is accepted too).
int64_t number_member(const json& object, const char* name, const std::string& where) {
  const json& v = member(object, name, where);
  if (v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0)) return v.get<int64_t>();
  if (v.is_string()) {
    try {
      return mints::parse_int64_quantity(v, where + "." + name);
    } catch (const mints::InvalidMintLog& e) {
      throw MalformedWebhook(e.what());
    }
  }
  throw MalformedWebhook(where + "." + name + " must be a non-negative integer, got " + shown(v));
}

struct ParsedLog {
  mints::RawLog raw;
  bool ours = false;     // of the configured contract
  bool success = false;  // its transaction succeeded
};

}  // namespace

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

  const auto contract = eth::Address::parse(contract_);
  std::vector<ParsedLog> logs;
  int64_t block_number = -1;
  try {
    json payload;
    try {
      payload = json::parse(body);
    } catch (const json::parse_error& e) {
      throw MalformedWebhook(std::string("the body is not JSON: ") + e.what());
    }
    if (!payload.is_object()) throw MalformedWebhook("the body must be a JSON object");
    if (auto type = payload.find("type"); type != payload.end() && *type != "GRAPHQL") {
      throw MalformedWebhook("expected a Custom Webhook delivery (type GRAPHQL), got type " + shown(*type));
    }
    const json& block = member(member(member(payload, "event", "body"), "data", "event"), "block", "event.data");
    const json& entries = member(block, "logs", "event.data.block");
    if (!entries.is_array()) throw MalformedWebhook("event.data.block.logs must be an array");
    std::optional<std::string> block_hash;
    if (!entries.empty()) {
      block_number = number_member(block, "number", "event.data.block");
      if (auto h = block.find("hash"); h != block.end() && !h->is_null()) {
        try {
          block_hash = mints::parse_hash32(*h, "event.data.block.hash");
        } catch (const mints::InvalidMintLog& e) {
          throw MalformedWebhook(e.what());
        }
      }
    }
    for (size_t i = 0; i < entries.size(); ++i) {
      const std::string where = "event.data.block.logs[" + std::to_string(i) + "]";
      const json& entry = entries[i];
      ParsedLog parsed;
      auto& raw = parsed.raw;
      raw.address = text_member(member(entry, "account", where), "address", where + ".account");
      try {
        parsed.ours = eth::Address::parse(raw.address) == contract;
      } catch (const eth::InvalidAddress& e) {
        throw MalformedWebhook(where + ".account.address: " + e.what());
      }
      const json& topics = member(entry, "topics", where);
      if (!topics.is_array()) throw MalformedWebhook(where + ".topics must be an array");
      for (const auto& t : topics) {
        if (!t.is_string()) throw MalformedWebhook(where + ".topics must hold strings, got " + shown(t));
        raw.topics.push_back(t.get<std::string>());
      }
      raw.data = text_member(entry, "data", where);
      raw.log_index = number_member(entry, "index", where);
      const json& transaction = member(entry, "transaction", where);
      try {
        raw.tx_hash =
            mints::parse_hash32(member(transaction, "hash", where + ".transaction"), where + ".transaction.hash");
      } catch (const mints::InvalidMintLog& e) {
        throw MalformedWebhook(e.what());
      }
      parsed.success = number_member(transaction, "status", where + ".transaction") == 1;
      raw.block_number = block_number;
      raw.block_hash = block_hash;
      logs.push_back(std::move(parsed));
    }
  } catch (const MalformedWebhook& e) {
    log_.warn("webhook.rejected", {{"reason", "malformed"}, {"error", e.what()}});
    throw;
  }

  WebhookResult result;
  std::vector<mints::MintEvent> events;
  for (size_t i = 0; i < logs.size(); ++i) {
    const auto& l = logs[i];
    if (!l.ours || !l.success || !mints::is_batch_minted(l.raw)) {
      ++result.ignored;
      continue;
    }
    try {
      events.push_back(mints::decode_batch_minted(l.raw));
    } catch (const mints::InvalidMintLog& e) {
      log_.warn("webhook.rejected", {{"reason", "malformed"}, {"error", e.what()}});
      throw MalformedWebhook("event.data.block.logs[" + std::to_string(i) + "]: " + e.what());
    }
  }

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
  log_.info("webhook.received", {{"block", block_number},
                                 {"mints", totals.events},
                                 {"duplicates", totals.duplicates},
                                 {"tokens_created", totals.tokens_created},
                                 {"ignored", result.ignored}});
  return result;
}

}  // namespace glisk::webhook
