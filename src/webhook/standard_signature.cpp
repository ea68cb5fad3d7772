#include "webhook/standard_signature.hpp"

#include <cryptopp/base64.h>
#include <cryptopp/filters.h>
#include <cryptopp/hmac.h>
#include <cryptopp/misc.h>
#include <cryptopp/sha.h>

#include <array>
#include <charconv>

namespace glisk::webhook {
namespace {

bool is_base64(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/' && c != '=') return false;
  }
  return true;
}

std::string base64_decode(std::string_view text) {
  std::string out;
  CryptoPP::StringSource source(reinterpret_cast<const CryptoPP::byte*>(text.data()), text.size(), true,
                                new CryptoPP::Base64Decoder(new CryptoPP::StringSink(out)));
  return out;
}

}  // namespace

std::string standard_webhook_key(std::string_view secret, std::string_view variable) {
  constexpr std::string_view kPrefix = "whsec_";
  const std::string_view encoded = secret.starts_with(kPrefix) ? secret.substr(kPrefix.size()) : secret;
  std::string key = is_base64(encoded) ? base64_decode(encoded) : std::string();
  if (key.size() < 16) {
    throw errors::BadInput(std::string(variable) +
                           ": not a webhook signing secret (whsec_ followed by base64, as Replicate's "
                           "GET /v1/webhooks/default/secret gives it)");
  }
  return key;
}

std::string standard_webhook_signature(std::string_view key, std::string_view id, std::string_view timestamp,
                                       std::string_view body) {
  CryptoPP::HMAC<CryptoPP::SHA256> hmac(reinterpret_cast<const CryptoPP::byte*>(key.data()), key.size());
  for (std::string_view part : {id, std::string_view("."), timestamp, std::string_view("."), body}) {
    hmac.Update(reinterpret_cast<const CryptoPP::byte*>(part.data()), part.size());
  }
  std::array<CryptoPP::byte, CryptoPP::SHA256::DIGESTSIZE> digest{};
  hmac.Final(digest.data());
  std::string out;
  CryptoPP::StringSource source(digest.data(), digest.size(), true,
                                new CryptoPP::Base64Encoder(new CryptoPP::StringSink(out), false));
  return out;
}

void verify_standard_webhook(std::string_view key, std::string_view id, std::string_view timestamp,
                             std::string_view signatures, std::string_view body, clock::TimePoint now,
                             std::chrono::seconds tolerance) {
  if (id.empty() || timestamp.empty() || signatures.empty()) {
    throw BadSignature("a webhook needs the webhook-id, webhook-timestamp and webhook-signature headers");
  }
  int64_t seconds = 0;
  const auto [end, error] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), seconds);
  if (error != std::errc() || end != timestamp.data() + timestamp.size()) {
    throw BadSignature("webhook-timestamp is not a number of seconds since the epoch");
  }
  // Compared in seconds: a timestamp far out (the fuzzer sent 1614265330330) would overflow the
  // nanoseconds of a time point.
  const int64_t now_seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (seconds < now_seconds - tolerance.count() || seconds > now_seconds + tolerance.count()) {
    throw BadSignature("webhook-timestamp is more than " + std::to_string(tolerance.count()) +
                       " s away from this server's clock (a replay, or a clock to set right with NTP)");
  }
  const std::string expected = standard_webhook_signature(key, id, timestamp, body);
  size_t at = 0;
  while (at < signatures.size()) {
    size_t next = signatures.find(' ', at);
    if (next == std::string_view::npos) next = signatures.size();
    const std::string_view entry = signatures.substr(at, next - at);
    at = next + 1;
    if (!entry.starts_with("v1,")) continue;  // another scheme (v1a: asymmetric) is not ours
    const std::string_view given = entry.substr(3);
    if (given.size() == expected.size() &&
        CryptoPP::VerifyBufsEqual(reinterpret_cast<const CryptoPP::byte*>(given.data()),
                                  reinterpret_cast<const CryptoPP::byte*>(expected.data()), expected.size())) {
      return;
    }
  }
  throw BadSignature(
      "no webhook-signature entry matches: the delivery is not from Replicate, or REPLICATE_WEBHOOK_SECRET is not "
      "this account's (GET /v1/webhooks/default/secret)");
}

}  // namespace glisk::webhook
