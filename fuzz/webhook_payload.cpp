// Alchemy webhook bodies (webhook/alchemy_payload.hpp), which arrive from the internet; the HMAC
// check in front only proves Alchemy sent them. For any body:
//   - parse_alchemy_delivery returns mints of the configured contract only, each within the
//     documented ranges, plus a count of ignored logs, or throws MalformedWebhook;
//   - every log is either a mint or ignored, and every mint carries the delivery's block number;
//   - the mints, written back as a delivery in Alchemy's shape, parse to the same mints.
#include <nlohmann/json.hpp>

#include "fuzz/check.hpp"
#include "fuzz/input.hpp"
#include "fuzz/mint_checks.hpp"
#include "fuzz/targets.hpp"
#include "webhook/alchemy_payload.hpp"

namespace glisk::fuzz {
namespace {

using nlohmann::json;

// The contract of the tests and the corpus: anvil's first deployment from its first account.
constexpr std::string_view kContract = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

json delivery_of(const webhook::AlchemyDelivery& delivery) {
  json logs = json::array();
  for (const auto& mint : delivery.mints) {
    const mints::RawLog log = raw_log_of(mint);
    logs.push_back({{"account", {{"address", log.address}}},
                    {"topics", log.topics},
                    {"data", log.data},
                    {"index", log.log_index},
                    {"transaction", {{"hash", log.tx_hash}, {"status", 1}}}});
  }
  json block = {{"number", delivery.block_number}, {"logs", logs}};
  if (!delivery.mints.empty() && delivery.mints.front().block_hash) block["hash"] = *delivery.mints.front().block_hash;
  return {{"type", "GRAPHQL"}, {"event", {{"data", {{"block", block}}}}}};
}

}  // namespace

int webhook_payload(const uint8_t* data, size_t size) {
  const auto contract = eth::Address::parse(kContract);
  webhook::AlchemyDelivery delivery;
  try {
    delivery = webhook::parse_alchemy_delivery(as_text(data, size), contract);
  } catch (const webhook::MalformedWebhook&) {
    return 0;
  }
  const json body = json::parse(as_text(data, size));
  const size_t logs = body["event"]["data"]["block"]["logs"].size();
  require(delivery.mints.size() + static_cast<size_t>(delivery.ignored) == logs,
          "every log of a delivery is a mint or ignored");
  require(logs == 0 || delivery.block_number >= 0, "a delivery with logs has a non-negative block number");
  for (const auto& mint : delivery.mints) {
    check_mint_event(mint);
    require(mint.contract == kContract, "a delivery's mints are of the configured contract");
    require(mint.block_number == delivery.block_number, "a mint carries its delivery's block number");
  }
  if (delivery.mints.empty()) return 0;
  try {
    const auto again = webhook::parse_alchemy_delivery(delivery_of(delivery).dump(), contract);
    require(again.mints.size() == delivery.mints.size() && again.ignored == 0, "written-back mints are all mints");
    for (size_t i = 0; i < again.mints.size(); ++i) {
      require(same_mint(again.mints[i], delivery.mints[i]), "a mint written back as a delivery parses to itself");
    }
  } catch (const webhook::MalformedWebhook& e) {
    violated(std::string("written-back mints were refused: ") + e.what());
  }
  return 0;
}

}  // namespace glisk::fuzz
