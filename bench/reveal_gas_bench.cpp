// Gas per revealed token, measured on a real anvil with the project's contract, in the three ways a
// reveal can go:
//   before  – bench/contracts/GliskNFTBefore.sol (the contract until December 2026), its
//             batchRevealMultiple(uint256[],string[]): a string and a bool per token, an event
//             with the string, existence by the owner slot. The baseline, in the same run.
//   legacy  – contracts/GliskNFT.sol, batchRevealMultiple(uint256[],string[]): the string per
//             token, EIP-4906 events, existence by id range.
//   digest  – contracts/GliskNFT.sol, revealDigests(uint256[],bytes32[]): one storage slot per
//             token (the metadata's sha2-256 digest), tokenURI rebuilt on chain.
// For batches of 1, 10, 50, 200 and the largest the per-transaction gas cap (16,777,216, EIP-7825)
// allows (and the largest with glisk's default REVEAL_GAS_BUFFER of 1.2), each on a fresh contract:
// the receipt's gasUsed per token, calldata bytes per token (what Base's L1 data fee is charged
// on) and their calldata gas (16 per nonzero byte, 4 per zero byte). Then the EIP-4906 choice
// at 50 tokens: dense ids (one BatchMetadataUpdate) against ids three apart (a MetadataUpdate
// each). Every revealed token's tokenURI is read back and checked against its CID.
//
//   build/bench/reveal_gas_bench              (needs scripts/install-node-tools for anvil and solc)
//
// The figures are the EVM's, not the machine's: they repeat exactly from run to run.

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "anvil.hpp"
#include "chain/rpc_client.hpp"
#include "eth/abi.hpp"
#include "eth/hex.hpp"
#include "ipfs/cid.hpp"
#include "net/http_client.hpp"
#include "reveal/reveal_call.hpp"
#include "reveal/reveal_worker.hpp"

namespace {

using glisk::chain::JsonValue;
using glisk::chain::RpcClient;
namespace testing = glisk::testing;

constexpr const char* kAuthor = "0x00000000000000000000000000000000000000a1";
constexpr uint64_t kCap = glisk::reveal::kTransactionGasCap;

struct Way {
  const char* name;
  const char* artifact;
  const char* function;
};
const Way kWays[] = {
    {"before", "GliskNFTBefore", "batchRevealMultiple(uint256[],string[])"},
    {"legacy", "GliskNFT", "batchRevealMultiple(uint256[],string[])"},
    {"digest", "GliskNFT", "revealDigests(uint256[],bytes32[])"},
};

struct Measure {
  uint64_t gas_used = 0;
  size_t calldata_bytes = 0;
  uint64_t calldata_gas = 0;
  size_t tokens = 0;
  size_t events = 0;
  bool refused = false;
  std::string refusal;
};

uint64_t quantity(const JsonValue& v) { return std::stoull(v.get<std::string>(), nullptr, 16); }

class Bench {
 public:
  Bench() : anvil_({"--gas-limit", "200000000"}), rpc_(http_, anvil_.url()) {}

  // Reveals `ids` (minted on a fresh contract) in one transaction; checks every tokenURI.
  Measure reveal(const Way& way, const std::vector<uint64_t>& ids) {
    const std::string contract = testing::deploy_glisk_nft(rpc_, 1000, testing::kAnvilAccount0, way.artifact);
    const uint64_t highest = *std::max_element(ids.begin(), ids.end());
    for (uint64_t done = 0; done < highest; done += 50) {
      testing::mint(rpc_, contract, testing::kAnvilAccount1, kAuthor, std::min<uint64_t>(50, highest - done));
    }
    const glisk::reveal::RevealFunction function(way.function);
    std::vector<glisk::reveal::RevealItem> items;
    for (uint64_t id : ids) {
      glisk::ipfs::Sha256Digest digest{};
      for (auto& b : digest) b = static_cast<uint8_t>(random_());
      items.push_back(glisk::reveal::reveal_item(function, static_cast<int64_t>(id),
                                                 glisk::ipfs::raw_sha256_cid(digest).to_string()));
    }
    const auto data = glisk::reveal::reveal_calldata(function, items);
    Measure m;
    m.tokens = ids.size();
    m.calldata_bytes = data.size();
    for (uint8_t b : data) m.calldata_gas += b == 0 ? 4 : 16;
    JsonValue tx = {{"from", testing::kAnvilAccount0}, {"to", contract}, {"data", glisk::eth::to_hex(data)}};
    uint64_t estimate = 0;
    try {
      estimate = rpc_.estimate_gas(tx);
    } catch (const std::exception& e) {
      m.refused = true;
      m.refusal = e.what();
      return m;
    }
    if (estimate > kCap) {
      m.refused = true;
      m.refusal = "needs " + std::to_string(estimate) + " gas, above the per-transaction cap";
      return m;
    }
    tx["gas"] = glisk::chain::to_quantity(estimate);
    auto receipt = testing::send_from_unlocked(rpc_, testing::kAnvilAccount0, tx);
    m.gas_used = quantity(receipt.at("gasUsed"));
    m.events = receipt.at("logs").size();
    for (const auto& item : items) {
      const std::string uri = testing::token_uri(rpc_, contract, static_cast<uint64_t>(item.token_id));
      if (uri != "ipfs://" + item.metadata_cid) {
        throw std::runtime_error(std::string(way.name) + ": token " + std::to_string(item.token_id) + " has tokenURI " +
                                 uri + ", expected ipfs://" + item.metadata_cid);
      }
    }
    return m;
  }

  const std::string& url() const { return anvil_.url(); }

 private:
  testing::Anvil anvil_;
  glisk::net::HttpClient http_;
  RpcClient rpc_;
  std::mt19937 random_{20261207};
};

std::vector<uint64_t> dense(size_t n) {
  std::vector<uint64_t> ids;
  for (size_t i = 1; i <= n; ++i) ids.push_back(i);
  return ids;
}

std::string thousands(uint64_t value) {
  std::string digits = std::to_string(value);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<size_t>(i), ",");
  return digits;
}

void print(const Way& way, const char* ids, const Measure& m) {
  // Calldata per token: what the batch adds per token beyond the call's fixed head (selector,
  // two offsets, two lengths: 4 + 4 × 32 bytes).
  const double per_token_bytes = static_cast<double>(m.calldata_bytes - 4 - 4 * 32) / static_cast<double>(m.tokens);
  if (m.refused) {
    std::printf("%-7s %-6s %5zu   refused: %s\n", way.name, ids, m.tokens, m.refusal.substr(0, 120).c_str());
    return;
  }
  std::printf("%-7s %-6s %5zu %12s %12s %9.0f %12.0f %7zu\n", way.name, ids, m.tokens, thousands(m.gas_used).c_str(),
              thousands(m.gas_used / m.tokens).c_str(), per_token_bytes,
              static_cast<double>(m.calldata_gas) / static_cast<double>(m.tokens), m.events);
}

// The largest batch whose gas (× buffer) stays under the cap, from two measured sizes' line.
size_t largest_under_cap(const Measure& small, const Measure& large, double buffer) {
  const double marginal =
      static_cast<double>(large.gas_used - small.gas_used) / static_cast<double>(large.tokens - small.tokens);
  const double fixed = static_cast<double>(small.gas_used) - marginal * static_cast<double>(small.tokens);
  return static_cast<size_t>((static_cast<double>(kCap) / buffer - fixed) / marginal);
}

}  // namespace

int main() {
  try {
    testing::compile_contracts();
    Bench bench;
    std::printf("reveal gas on anvil (%s, block gas limit 200,000,000; per-transaction cap %s)\n", bench.url().c_str(),
                thousands(kCap).c_str());
    std::printf("%-7s %-6s %5s %12s %12s %9s %12s %7s\n", "way", "ids", "batch", "gas used", "gas/token", "bytes/tok",
                "L1 gas/tok", "events");
    std::map<std::string, std::map<size_t, Measure>> results;
    for (const auto& way : kWays) {
      for (size_t n : {1, 10, 50, 200}) {
        auto m = bench.reveal(way, dense(n));
        results[way.name][n] = m;
        print(way, "dense", m);
      }
      const auto& r = results[way.name];
      if (r.at(50).refused || r.at(10).refused) continue;
      const Measure& large = r.at(200).refused ? r.at(50) : r.at(200);
      for (double buffer : {1.0, 1.2}) {
        // The largest batch by the line through 10 and 200 (or 50) tokens, then one more.
        const size_t n = largest_under_cap(r.at(10), large, buffer);
        print(way, buffer == 1.0 ? "capmax" : "cap1.2", bench.reveal(way, dense(n)));
        if (buffer == 1.0) print(way, "cap+1", bench.reveal(way, dense(n + 1)));
      }
    }
    std::printf(
        "\nEIP-4906 events at 50 tokens: dense ids (one BatchMetadataUpdate) vs ids 3 apart (one MetadataUpdate "
        "each)\n");
    std::vector<uint64_t> sparse;
    for (uint64_t i = 0; i < 50; ++i) sparse.push_back(1 + 3 * i);
    for (const auto& way : kWays) {
      if (std::string(way.name) == "before") continue;
      print(way, "dense", results[way.name][50]);
      print(way, "sparse", bench.reveal(way, sparse));
    }
    std::printf("\n10,000 reveals in batches of 50 at 10 gwei and $3,000/ETH (execution gas only):\n");
    for (const auto& way : kWays) {
      const auto& m = results[way.name][50];
      const double dollars = static_cast<double>(m.gas_used / m.tokens) * 10'000 * 10e-9 * 3000;
      std::printf("  %-7s $%s\n", way.name, thousands(static_cast<uint64_t>(dollars)).c_str());
    }
    const auto& before = results["before"][50];
    const auto& legacy = results["legacy"][50];
    const auto& digest = results["digest"][50];
    std::printf(
        "\ntargets at 50: digest %s gas/token (target <= 24,000: %s); legacy %s below before (target >= 2,000: %s)\n",
        thousands(digest.gas_used / digest.tokens).c_str(),
        digest.gas_used / digest.tokens <= 24'000 ? "met" : "MISSED",
        thousands(before.gas_used / before.tokens - legacy.gas_used / legacy.tokens).c_str(),
        before.gas_used / before.tokens >= legacy.gas_used / legacy.tokens + 2'000 ? "met" : "MISSED");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "reveal_gas_bench: %s\n", e.what());
    return 1;
  }
}
