// The crash campaign: three `glisk serve` instances on one PostgreSQL, fake Replicate and Pinata
// failing 20% of calls, a real anvil; a driver kills a random instance with SIGKILL every half
// second to two and a half seconds and starts it again, until every minted token is revealed. Then it checks what
// the project promises: every token `revealed` with its tokenURI on chain equal to
// ipfs://{metadata_cid}; each token revealed by exactly one transaction (the reveal transactions' calldata);
// no token failed; predictions paid for ≤ tokens + kills. A small size runs with the tests;
// GLISK_CAMPAIGN_TOKENS=500 makes the large one.

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <thread>

#include "anvil.hpp"
#include "chain/rpc_client.hpp"
#include "eth/address.hpp"
#include "fakes/fake_pinata.hpp"
#include "fakes/fake_replicate.hpp"
#include "pipeline_data.hpp"
#include "subprocess.hpp"
#include "test_support.hpp"

namespace glisk {
namespace {

using namespace std::chrono_literals;
using glisk::testing::Subprocess;

constexpr const char* kAuthor = "0x00000000000000000000000000000000000000a1";

int campaign_tokens() {
  if (const char* n = std::getenv("GLISK_CAMPAIGN_TOKENS")) return std::max(1, std::atoi(n));
  return 60;
}

TEST(CrashCampaign, InstancesKilledAtRandomLoseNoTokenRevealEachOnceAndPayForFewImagesAgain) {
  const int tokens = campaign_tokens();
  glisk::testing::compile_contracts();
  glisk::testing::Anvil anvil;
  net::HttpClient http;
  chain::RpcClient rpc(http, anvil.url());
  const std::string contract = eth::Address::parse(glisk::testing::deploy_glisk_nft(rpc)).to_checksum();
  for (int minted = 0; minted < tokens; minted += 20) {
    glisk::testing::mint(rpc, contract, glisk::testing::kAnvilAccount1, kAuthor, std::min(20, tokens - minted));
  }

  glisk::testing::FakeReplicate replicate;
  replicate.set_prediction_time(300ms, 200ms);
  replicate.set_transient_error_rate(0.2);
  glisk::testing::FakePinata pinata;
  pinata.set_transient_error_rate(0.2);
  glisk::testing::TestDatabase tdb(glisk::testing::Backend::kPostgres);

  const auto dir = std::filesystem::path(::testing::TempDir()) / ("glisk_campaign_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::map<std::string, std::string> env = {{"DATABASE_URL", tdb.url()},
                                                  {"DATABASE_POOL_SIZE", "4"},
                                                  {"PORT", "0"},
                                                  {"LOG_FORMAT", "json"},
                                                  {"IMAGE_PROVIDER", "replicate"},
                                                  {"REPLICATE_API_URL", replicate.url()},
                                                  {"REPLICATE_API_TOKEN", glisk::testing::FakeReplicate::kToken},
                                                  {"IPFS_PROVIDER", "pinata"},
                                                  {"PINATA_API_URL", pinata.url()},
                                                  {"PINATA_JWT", glisk::testing::FakePinata::kJwt},
                                                  {"RPC_URL", anvil.url()},
                                                  {"GLISK_NFT_CONTRACT_ADDRESS", contract},
                                                  {"KEEPER_PRIVATE_KEY", glisk::testing::kAnvilKey0},
                                                  {"MINT_CONFIRMATIONS", "1"},
                                                  {"WATCHER_POLL_SECONDS", "0.3"},
                                                  {"LEASE_SECONDS", "2"},
                                                  {"POLL_INTERVAL_SECONDS", "0.2"},
                                                  {"RETRY_BASE_SECONDS", "0.2"},
                                                  {"RETRY_MAX_SECONDS", "1"},
                                                  {"MAX_ATTEMPTS", "12"},
                                                  {"BATCH_REVEAL_WAIT_SECONDS", "0.5"},
                                                  {"BATCH_REVEAL_MAX_TOKENS", "20"},
                                                  {"SHUTDOWN_TIMEOUT_SECONDS", "2"},
                                                  {"DATA_DIR", (dir / "data").string()}};

  // stderr goes to a file per instance: a pipe nobody reads would fill and stall the service.
  auto start = [&](int i) {
    const std::string log = (dir / ("instance" + std::to_string(i) + ".log")).string();
    return std::make_unique<Subprocess>(
        std::vector<std::string>{"/bin/sh", "-c", "exec \"$0\" serve 2>>\"$1\"", GLISK_BINARY, log}, env, dir.string());
  };
  std::vector<std::unique_ptr<Subprocess>> instances;
  for (int i = 0; i < 3; ++i) instances.push_back(start(i));

  std::mt19937 random(42);
  int kills = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60 + tokens);
  auto revealed = [&] {
    return glisk::testing::count_rows(tdb.db(), "SELECT COUNT(*) FROM tokens_s0 WHERE status = 'revealed'");
  };
  // At least three kills, even when the work is done sooner: a kill then hits idle instances
  // and pending reveals, which must lose nothing either.
  while ((revealed() < tokens || kills < 3) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(500, 2500)(random)));
    const int victim = std::uniform_int_distribution<int>(0, 2)(random);
    instances[victim]->signal(SIGKILL);
    instances[victim]->wait(10s);
    instances[victim] = start(victim);
    ++kills;
  }
  for (auto& instance : instances) instance->signal(SIGTERM);
  for (auto& instance : instances) instance->wait(20s);

  const int64_t done = revealed();
  const int64_t failed = glisk::testing::count_rows(tdb.db(), "SELECT COUNT(*) FROM tokens_s0 WHERE status = 'failed'");
  const int64_t known = glisk::testing::count_rows(tdb.db(), "SELECT COUNT(*) FROM tokens_s0");
  const int64_t reveal_txs =
      glisk::testing::count_rows(tdb.db(), "SELECT COUNT(*) FROM reveal_transactions WHERE status = 'confirmed'");

  // Each token revealed by exactly one transaction: the transactions that emitted EIP-4906 events, by their calldata.
  const auto reveals_per_token = glisk::testing::reveals_per_token(rpc, contract);
  int revealed_twice = 0;
  for (const auto& [id, n] : reveals_per_token) revealed_twice += n > 1 ? 1 : 0;

  int uri_mismatches = 0;
  auto cids = store::in_transaction(tdb.db(), store::TxMode::kRead, [&](store::Transaction& tx) {
    return tx.exec("SELECT token_id, metadata_cid FROM tokens_s0 ORDER BY token_id");
  });
  for (const auto& row : cids.rows) {
    const uint64_t id = std::stoull(row[0].value());
    if (glisk::testing::token_uri(rpc, contract, id) != "ipfs://" + row[1].value_or("")) ++uri_mismatches;
  }

  std::cout << "crash campaign: " << tokens << " tokens, 3 instances, " << kills << " kills (SIGKILL); " << done
            << " revealed, " << failed << " failed; " << reveal_txs << " reveal transactions; "
            << reveals_per_token.size() << " tokens revealed by a transaction, " << revealed_twice
            << " revealed twice; " << uri_mismatches << " tokenURI mismatches; " << replicate.creates()
            << " predictions created (bound: tokens + kills = " << tokens + kills << "); "
            << replicate.injected_errors() << " Replicate and " << pinata.injected_errors() << " Pinata errors injected"
            << std::endl;
  EXPECT_EQ(known, tokens) << "the watchers missed or duplicated a mint";
  EXPECT_EQ(done, tokens) << "not every token was revealed in time; logs in " << dir;
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(static_cast<int64_t>(reveals_per_token.size()), tokens);
  EXPECT_EQ(revealed_twice, 0);
  EXPECT_EQ(uri_mismatches, 0);
  EXPECT_LE(replicate.creates(), tokens + kills) << "paid for more images than tokens + kills";
  EXPECT_GE(kills, 3);
  EXPECT_GT(replicate.injected_errors() + pinata.injected_errors(), 0);
  if (::testing::Test::HasFailure()) return;  // keep the logs for a look
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace glisk
