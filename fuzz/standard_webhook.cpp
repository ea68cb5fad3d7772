// Replicate's webhook signature (webhook/standard_signature.hpp): the headers and body of a
// delivery come from anyone who can reach POST /webhooks/replicate. For any headers, body and
// time:
//   - verify_standard_webhook returns or throws BadSignature, never anything else, and its
//     message quotes neither the signature given nor the one expected;
//   - the signature of (id, timestamp, body) made with the key verifies at that time, alone or
//     among other entries, and no longer once a byte of the body changes or 5 minutes pass.
// The input is split at its first three newlines into id, timestamp, signatures and body.
#include <string>

#include "fuzz/check.hpp"
#include "fuzz/targets.hpp"
#include "webhook/standard_signature.hpp"

namespace glisk::fuzz {
namespace {

constexpr const char* kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

bool verifies(const std::string& key, const std::string& id, const std::string& timestamp,
              const std::string& signatures, const std::string& body, clock::TimePoint now) {
  try {
    webhook::verify_standard_webhook(key, id, timestamp, signatures, body, now);
    return true;
  } catch (const webhook::BadSignature& e) {
    const std::string what = e.what();
    const std::string expected = webhook::standard_webhook_signature(key, id, timestamp, body);
    require(what.find(expected) == std::string::npos, "a refusal never shows the expected signature");
    if (signatures.size() >= 8 && what.find(signatures) != std::string::npos) {
      // The message's own words may spell it (a fuzzer copies them): what it says for another
      // signature must spell it too, or the given one was shown.
      std::string fixed;
      try {
        webhook::verify_standard_webhook(key, id, timestamp, "\x01", body, now);
      } catch (const webhook::BadSignature& other) {
        fixed = other.what();
      }
      require(fixed.find(signatures) != std::string::npos, "a refusal never shows the given signature");
    }
    return false;
  } catch (...) {
    violated("verify_standard_webhook throws only BadSignature");
  }
}

}  // namespace

int standard_webhook(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::string parts[4];
  size_t at = 0;
  for (int i = 0; i < 3; ++i) {
    const size_t end = text.find('\n', at);
    if (end == std::string::npos) {
      parts[i] = text.substr(std::min(at, text.size()));
      at = text.size();
      break;
    }
    parts[i] = text.substr(at, end - at);
    at = end + 1;
  }
  parts[3] = at < text.size() ? text.substr(at) : "";
  const auto& [id, timestamp, signatures, body] = parts;
  const std::string key = webhook::standard_webhook_key(kSecret, "fuzz");
  const clock::TimePoint when{std::chrono::seconds(1'700'000'000)};
  (void)verifies(key, id, timestamp, signatures, body, when);

  // A delivery signed as Replicate signs it, at a time the input's timestamp may not be.
  const std::string stamp = "1700000000";
  if (id.empty()) return 0;
  const std::string good = "v1," + webhook::standard_webhook_signature(key, id, stamp, body);
  require(verifies(key, id, stamp, good, body, when), "a delivery signed with the key verifies");
  require(verifies(key, id, stamp, signatures + " " + good, body, when), "one matching entry among others is enough");
  require(!verifies(key, id, stamp, good, body + "x", when), "a changed body does not verify");
  require(!verifies(key, id, stamp, good, body, when + std::chrono::minutes(6)), "a delivery 6 minutes old is refused");
  return 0;
}

}  // namespace glisk::fuzz
