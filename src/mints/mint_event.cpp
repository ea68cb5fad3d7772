#include "mints/mint_event.hpp"

#include <cctype>
#include <limits>

#include "eth/address.hpp"
#include "eth/hex.hpp"
#include "eth/keccak.hpp"
#include "eth/uint256.hpp"
#include "json_input/json_input.hpp"

namespace glisk::mints {
namespace {

using nlohmann::json;

eth::Bytes bytes_of(const std::string& text, const std::string& what) {
  try {
    return eth::from_hex(text, what);
  } catch (const eth::InvalidHex& e) {
    throw InvalidMintLog(what + ": " + e.what());
  }
}

// An indexed address topic: a 32-byte word whose first 12 bytes are zero.
std::string address_topic(const std::string& topic, const std::string& what) {
  auto bytes = bytes_of(topic, what);
  for (size_t i = 0; i < 12; ++i) {
    if (bytes[i] != 0) throw InvalidMintLog(what + " is not an address (its first 12 bytes are not zero): " + topic);
  }
  return eth::Address::from_bytes(std::span(bytes).subspan(12)).to_checksum();
}

int64_t to_int64(const eth::U256& value, const std::string& what) {
  if (!value.fits_u64() || value.low_u64() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    throw InvalidMintLog(what + " " + value.to_dec() + " does not fit a 64-bit token id");
  }
  return static_cast<int64_t>(value.low_u64());
}

}  // namespace

const std::string& batch_minted_topic() {
  static const std::string kTopic =
      eth::to_hex(eth::keccak256(std::string_view("BatchMinted(address,address,uint256,uint256,uint256)")));
  return kTopic;
}

std::string parse_hash32(const json& value, const std::string& what) {
  if (!value.is_string()) throw InvalidMintLog(what + " must be a 0x-hex string, got " + json_input::excerpt(value));
  auto bytes = bytes_of(value.get<std::string>(), what);
  if (bytes.size() != 32) throw InvalidMintLog(what + " must be 32 bytes, got " + std::to_string(bytes.size()));
  return eth::to_hex(bytes);
}

int64_t parse_int64_quantity(const json& value, const std::string& what) {
  if (!value.is_string()) throw InvalidMintLog(what + " must be a 0x-hex quantity, got " + json_input::excerpt(value));
  const auto& text = value.get_ref<const std::string&>();
  eth::U256 number;
  try {
    if (text.size() < 3 || text[0] != '0' || text[1] != 'x') throw eth::InvalidNumber("no 0x prefix");
    number = eth::U256::from_hex(text);
  } catch (const eth::InvalidNumber&) {
    throw InvalidMintLog(what + " must be a 0x-hex quantity, got " + json_input::excerpt(value));
  }
  if (!number.fits_u64() || number.low_u64() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    throw InvalidMintLog(what + " " + text + " is out of range");
  }
  return static_cast<int64_t>(number.low_u64());
}

RawLog raw_log_from_rpc(const json& log) {
  try {
    return chain::decode_log_entry(log);
  } catch (const chain::MalformedResponse& e) {
    throw InvalidMintLog(e.what());
  }
}

bool is_batch_minted(const RawLog& log) {
  if (log.topics.empty()) return false;
  std::string topic0 = log.topics[0];
  for (auto& c : topic0) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return topic0 == batch_minted_topic();
}

MintEvent decode_batch_minted(const RawLog& log) {
  if (log.topics.empty()) throw InvalidMintLog("the log has no topics: not a BatchMinted event");
  if (!is_batch_minted(log))
    throw InvalidMintLog("topic0 " + log.topics[0].substr(0, 80) + " is not BatchMinted's " + batch_minted_topic());
  if (log.topics.size() != 4) {
    throw InvalidMintLog("BatchMinted has 4 topics (signature, minter, promptAuthor, startTokenId), got " +
                         std::to_string(log.topics.size()));
  }
  MintEvent e;
  try {
    e.contract = eth::Address::parse(log.address).to_checksum();
  } catch (const eth::InvalidAddress& ex) {
    throw InvalidMintLog(std::string("log address: ") + ex.what());
  }
  for (size_t i = 1; i < 4; ++i) {
    if (bytes_of(log.topics[i], "topic" + std::to_string(i)).size() != 32) {
      throw InvalidMintLog("topic" + std::to_string(i) + " must be 32 bytes");
    }
  }
  e.minter = address_topic(log.topics[1], "topic1 (minter)");
  e.prompt_author = address_topic(log.topics[2], "topic2 (promptAuthor)");
  e.start_token_id = to_int64(eth::U256::from_be_bytes(bytes_of(log.topics[3], "topic3")), "startTokenId");
  if (e.start_token_id < 1) throw InvalidMintLog("startTokenId must be at least 1 (token ids start at 1), got 0");

  auto data = bytes_of(log.data, "data");
  if (data.size() != 64) {
    throw InvalidMintLog("BatchMinted data must be 64 bytes (quantity, totalPaid), got " + std::to_string(data.size()));
  }
  auto quantity = eth::U256::from_be_bytes(std::span(data).first(32));
  if (quantity.is_zero() || quantity > eth::U256(static_cast<uint64_t>(kMaxQuantityPerMint))) {
    throw InvalidMintLog("quantity " + quantity.to_dec() + " is outside 1.." + std::to_string(kMaxQuantityPerMint));
  }
  e.quantity = static_cast<int64_t>(quantity.low_u64());
  if (e.start_token_id > std::numeric_limits<int64_t>::max() - e.quantity + 1) {
    throw InvalidMintLog("token ids " + std::to_string(e.start_token_id) + " + " + std::to_string(e.quantity) +
                         " do not fit 64 bits");
  }
  e.total_paid = eth::U256::from_be_bytes(std::span(data).subspan(32)).to_dec();

  if (log.block_number < 0) throw InvalidMintLog("blockNumber must not be negative");
  if (log.log_index < 0) throw InvalidMintLog("logIndex must not be negative");
  e.block_number = log.block_number;
  e.log_index = log.log_index;
  e.tx_hash = parse_hash32(json(log.tx_hash), "transactionHash");
  if (log.block_hash) e.block_hash = parse_hash32(json(*log.block_hash), "blockHash");
  return e;
}

MintEvent decode_rpc_log(const json& log) { return decode_batch_minted(raw_log_from_rpc(log)); }

}  // namespace glisk::mints
