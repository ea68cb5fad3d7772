// The reveal stage against a real anvil and the project's contract, on SQLite and PostgreSQL:
// batches, tokens the chain already revealed or does not know, a keeper without the right, the
// gas cap, a stuck transaction replaced, a dropped one sent again, a lost broadcast recovered
// from the journal, the node down and back, and one sender per key across instances.

#include <gtest/gtest.h>
#include <signal.h>

#include <set>
#include <thread>

#include "anvil.hpp"
#include "chain/rpc_client.hpp"
#include "clock/time_format.hpp"
#include "eth/abi.hpp"
#include "eth/keccak.hpp"
#include "eth/transaction.hpp"
#include "faulty_rpc.hpp"
#include "ipfs/cid.hpp"
#include "metrics/registry.hpp"
#include "prometheus_text.hpp"
#include "reveal/keeper.hpp"
#include "reveal/reveal_worker.hpp"
#include "reveal/sender_lease.hpp"
#include "store/reveal_journal.hpp"
#include "store/token_lifecycle.hpp"
#include "test_support.hpp"

namespace glisk::reveal {
namespace {

using glisk::testing::Backend;
using glisk::testing::CapturedLog;
using glisk::testing::TestDatabase;
using namespace std::chrono_literals;

constexpr const char* kAuthor = "0x00000000000000000000000000000000000000a1";

// A real raw CID (as the IPFS stage pins metadata), so both reveal modes take it.
std::string cid_of(int64_t id) { return ipfs::cid_v1_for_file("{\"name\":\"token " + std::to_string(id) + "\"}"); }

// Every test runs on both stores and in both reveal modes (reveal/reveal_call.hpp).
struct RevealCase {
  Backend backend;
  const char* function;
};

// One reveal worker as the service assembles it, on a fresh database, against `node`.
struct RevealRig {
  // `options.function` left at its default takes the case's function.
  RevealRig(const RevealCase& c, chain::EthRpc& node, const std::string& contract, const std::string& key_hex,
            const std::string& holder = "instance-a", KeeperOptions keeper_options = {}, RevealOptions options = {})
      : db(c.backend), rpc(node) {
    if (options.function == RevealOptions{}.function) options.function = c.function;
    build(db.db(), contract, key_hex, holder, std::move(keeper_options), std::move(options));
  }
  // A second instance on the same database as `other`.
  RevealRig(RevealRig& other, const std::string& key_hex, const std::string& holder)
      : db(other.db.backend(), false), rpc(other.rpc) {
    shared = other.db.open_another();
    build(*shared, other.contract_, key_hex, holder, other.keeper_options_, other.options_);
  }

  void build(store::Database& database, const std::string& contract, const std::string& key_hex,
             const std::string& holder, KeeperOptions keeper_options, RevealOptions options) {
    contract_ = contract;
    keeper_options.contract = contract;
    options.contract = contract;
    options.batch_wait = 0ms;
    options.backoff = {100ms, 1000ms};
    keeper_options_ = keeper_options;
    options_ = options;
    tokens = std::make_unique<store::TokenStore>(database, clock);
    queue = std::make_unique<store::TokenLifecycle>(database, clock, wake, holder, 60s);
    journal = std::make_unique<store::RevealJournal>(database, clock);
    lease = std::make_unique<SenderLease>(database, clock, eth::PrivateKey::from_hex(key_hex).address().to_checksum(),
                                          holder, 10s);
    keeper = std::make_unique<Keeper>(rpc, *journal, eth::PrivateKey::from_hex(key_hex), 31337, clock, log.log,
                                      keeper_options);
    worker =
        std::make_unique<RevealWorker>(*queue, wake, *tokens, *journal, *lease, *keeper, rpc, clock, log.log, options);
  }

  store::Database& database() { return shared ? *shared : db.db(); }

  // Tokens first..first+count-1 in `ready` with a metadata CID, ready for an hour.
  void add_ready(int64_t first, int count) {
    glisk::testing::add_detected_tokens(*tokens, first, count, kAuthor);
    store::in_transaction(database(), store::TxMode::kWrite, [&](store::Transaction& tx) {
      for (int64_t id = first; id < first + count; ++id) {
        tx.exec(
            "UPDATE tokens_s0 SET status = 'ready', metadata_cid = $2, image_cid = $2, queued_at = $3 WHERE token_id = "
            "$1",
            {id, cid_of(id), clock::format_time(clock.now() - 1h)});
      }
    });
  }

  void set_metadata_cid(int64_t id, const std::string& cid) {
    store::in_transaction(database(), store::TxMode::kWrite, [&](store::Transaction& tx) {
      tx.exec("UPDATE tokens_s0 SET metadata_cid = $2 WHERE token_id = $1", {id, cid});
    });
  }
  // The journal's transactions with their receipts, oldest first.
  std::vector<chain::JsonValue> receipts() {
    std::vector<chain::JsonValue> out;
    for (const auto& row : journal_rows().rows) {
      if (!row[1]) continue;
      if (auto receipt = rpc.get_transaction_receipt(*row[1])) out.push_back(*receipt);
    }
    return out;
  }

  token::Token token(int64_t id) { return tokens->find_token(id).value(); }
  int64_t count_status(const std::string& status) {
    return std::stoll(store::in_transaction(database(), store::TxMode::kRead,
                                            [&](store::Transaction& tx) {
                                              return tx.exec("SELECT COUNT(*) FROM tokens_s0 WHERE status = $1",
                                                             {status});
                                            })
                          .rows[0][0]
                          .value());
  }
  store::Result journal_rows() {
    return store::in_transaction(database(), store::TxMode::kRead, [&](store::Transaction& tx) {
      return tx.exec("SELECT status, tx_hash, token_ids, error, nonce FROM reveal_transactions ORDER BY id");
    });
  }

  // Steps until `done` holds (anvil mines at once), at most `limit` steps.
  bool step_until(const std::function<bool()>& done, int limit = 200) {
    for (int i = 0; i < limit; ++i) {
      if (done()) return true;
      worker->step();
      std::this_thread::sleep_for(20ms);
    }
    return done();
  }

  TestDatabase db;
  std::unique_ptr<store::Database> shared;
  chain::EthRpc& rpc;
  clock::ManualClock clock;
  CapturedLog log;
  queue::WakeBoard wake;
  std::unique_ptr<store::TokenStore> tokens;
  std::unique_ptr<store::TokenLifecycle> queue;
  std::unique_ptr<store::RevealJournal> journal;
  std::unique_ptr<SenderLease> lease;
  std::unique_ptr<Keeper> keeper;
  std::unique_ptr<RevealWorker> worker;
  std::string contract_;
  KeeperOptions keeper_options_;
  RevealOptions options_;
};

class RevealTest : public ::testing::TestWithParam<RevealCase> {
 protected:
  static void SetUpTestSuite() {
    try {
      glisk::testing::compile_contracts();
    } catch (const std::exception& e) {
      setup_error_ = new std::string(e.what());
    }
  }
  static void TearDownTestSuite() {
    delete setup_error_;
    setup_error_ = nullptr;
  }

  // A fresh anvil (with `args`), the contract deployed by account 0 (the owner), and `minted`
  // tokens minted by account 1 for kAuthor.
  void start_chain(int minted, std::vector<std::string> args = {}, const std::string& artifact = "GliskNFT") {
    ASSERT_EQ(setup_error_, nullptr) << *setup_error_;
    anvil_ = std::make_unique<glisk::testing::Anvil>(std::move(args));
    node_ = std::make_unique<chain::RpcClient>(http_, anvil_->url());
    faulty_ = std::make_unique<glisk::testing::FaultyRpc>(*node_);
    contract_ =
        eth::Address::parse(glisk::testing::deploy_glisk_nft(*node_, 1000, glisk::testing::kAnvilAccount0, artifact))
            .to_checksum();
    for (int done = 0; done < minted; done += 50) {  // a mint of 50 stays far below any block's gas limit
      glisk::testing::mint(*node_, contract_, glisk::testing::kAnvilAccount1, kAuthor, std::min(50, minted - done));
    }
  }
  bool digest_mode() const { return std::string(GetParam().function) == kDigestFunction; }
  static size_t count_topic(const chain::JsonValue& receipt, std::string_view event) {
    const std::string topic = eth::to_hex(eth::keccak256(event));
    size_t n = 0;
    for (const auto& log : receipt.at("logs")) n += log.at("topics").at(0) == topic ? 1 : 0;
    return n;
  }

  std::string uri_on_chain(int64_t id) { return glisk::testing::token_uri(*node_, contract_, id); }
  uint64_t nonce_of(const std::string& account) { return node_->get_transaction_count(account, "latest"); }

  static std::string* setup_error_;
  net::HttpClient http_;
  std::unique_ptr<glisk::testing::Anvil> anvil_;
  std::unique_ptr<chain::RpcClient> node_;
  std::unique_ptr<glisk::testing::FaultyRpc> faulty_;
  std::string contract_;
};
std::string* RevealTest::setup_error_ = nullptr;

TEST_P(RevealTest, RevealsEveryTokenInBatchesOfAtMostTheMaximum) {
  start_chain(120);
  RevealOptions options;
  options.max_batch = 50;
  RevealRig rig(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey0, "instance-a", {}, options);
  rig.add_ready(1, 120);
  ASSERT_TRUE(rig.step_until([&] { return rig.count_status("revealed") == 120; })) << rig.log.text();

  auto rows = rig.journal_rows();
  ASSERT_EQ(rows.rows.size(), 3u);
  std::vector<size_t> sizes;
  for (const auto& row : rows.rows) {
    EXPECT_EQ(row[0], "confirmed");
    sizes.push_back(store::parse_token_ids(row[2].value()).size());
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{50, 50, 20}));
  for (int64_t id = 1; id <= 120; ++id) {
    ASSERT_EQ(uri_on_chain(id), "ipfs://" + cid_of(id)) << id;
    auto t = rig.token(id);
    ASSERT_TRUE(t.reveal_tx_hash.has_value());
    EXPECT_EQ(t.locked_by, std::nullopt);
  }
  EXPECT_EQ(rig.token(1).reveal_tx_hash, rows.rows[0][1]);
  EXPECT_EQ(rig.token(120).reveal_tx_hash, rows.rows[2][1]);
  EXPECT_EQ(rig.log.count("keeper.transaction_submitted"), 3);
  EXPECT_EQ(rig.log.count("keeper.transaction_confirmed"), 3);
  EXPECT_EQ(rig.log.count("reveal.batch_complete"), 3);
  EXPECT_EQ(nonce_of(glisk::testing::kAnvilAccount0), 1u + 3u);  // the deployment, then three reveals
}

// What the keeper-balance and may-reveal alerts read: the key's standing, from the chain.
TEST_P(RevealTest, TheKeepersBalanceAndPermissionAreGaugesFromTheChain) {
  start_chain(0);
  metrics::Registry registry;
  KeeperOptions keeper_options;
  keeper_options.metrics = &registry;
  RevealRig owner(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey0, "instance-a", keeper_options);
  auto families = glisk::testing::parse_prometheus_text(registry.render());
  EXPECT_EQ(families["glisk_keeper_may_reveal"].value({}), 0) << "unknown until read: not allowed";
  const auto standing = owner.keeper->check_standing();
  EXPECT_TRUE(standing.may_reveal) << "the owner may reveal";
  families = glisk::testing::parse_prometheus_text(registry.render());
  EXPECT_EQ(families["glisk_keeper_may_reveal"].value({}), 1);
  EXPECT_EQ(families["glisk_keeper_balance_wei"].value({}), std::stod(standing.balance.to_dec()));
  EXPECT_GT(families["glisk_keeper_balance_wei"].value({}), 1e21) << "anvil's accounts hold 10,000 ETH";

  metrics::Registry other_registry;
  keeper_options.metrics = &other_registry;
  RevealRig stranger(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey2, "instance-b", keeper_options);
  stranger.worker->step();  // the worker reads the standing at its first step, and says what to do
  EXPECT_EQ(glisk::testing::parse_prometheus_text(other_registry.render())["glisk_keeper_may_reveal"].value({}), 0);
  EXPECT_EQ(stranger.log.count("keeper.not_allowed"), 1) << stranger.log.text();
}

// An operator's pause (a gas spike): nothing is sent while it holds; resumed, the batch goes.
TEST_P(RevealTest, APausedRevealStageSendsNothingUntilResumed) {
  start_chain(3);
  std::atomic<bool> paused{true};
  RevealOptions options;
  options.batch_wait = 0ms;
  options.operator_paused = [&paused] { return paused.load(); };
  RevealRig rig(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey0, "instance-a", {}, options);
  rig.add_ready(1, 3);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(rig.worker->step().outcome, StepOutcome::kPaused);
  EXPECT_EQ(rig.journal_rows().rows.size(), 0u) << "nothing signed while paused";
  EXPECT_EQ(nonce_of(glisk::testing::kAnvilAccount0), 1u) << "only the deployment";
  EXPECT_EQ(rig.log.count("worker.paused"), 1) << "said once, not every step";
  paused = false;
  ASSERT_TRUE(rig.step_until([&] { return rig.count_status("revealed") == 3; })) << rig.log.text();
  EXPECT_EQ(rig.log.count("worker.resumed"), 1);
}

TEST_P(RevealTest, ASingleTokenIsRevealedAndTheOptionalFunctionIsUsed) {
  start_chain(1);
  RevealOptions options;
  options.function = "revealTokens(uint256[],string[])";
  RevealRig rig(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey0, "instance-a", {}, options);
  rig.add_ready(1, 1);
  ASSERT_TRUE(rig.step_until([&] { return rig.count_status("revealed") == 1; })) << rig.log.text();
  EXPECT_EQ(uri_on_chain(1), "ipfs://" + cid_of(1));
}

TEST_P(RevealTest, AConfirmedRevealIsMeasuredGasFeesAndTimeToConfirmation) {
  start_chain(2);
  metrics::Registry registry;
  KeeperOptions keeper_options;
  keeper_options.metrics = &registry;
  EXPECT_EQ(registry.counter("glisk_reveal_gas_used_total", "gas used by mined reveal transactions").value(), 0)
      << "registered (shown at 0) before the first reveal";
  RevealRig rig(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey0, "instance-a", keeper_options);
  rig.add_ready(1, 2);
  ASSERT_TRUE(rig.step_until([&] { return rig.count_status("revealed") == 2; })) << rig.log.text();
  auto& mined = registry.counter("glisk_reveal_transactions_mined_total",
                                 "reveal transactions settled on chain, by outcome: confirmed | reverted", {"outcome"});
  EXPECT_EQ(mined.value({"confirmed"}), 1);
  EXPECT_GT(registry.counter("glisk_reveal_gas_used_total", "gas used by mined reveal transactions").value(), 21000);
  EXPECT_GT(registry
                .counter("glisk_reveal_fees_paid_wei_total",
                         "fees paid for mined reveal transactions, in wei (gas used × effective price)")
                .value(),
            0);
  EXPECT_EQ(
      registry
          .histogram("glisk_reveal_confirmation_seconds",
                     "time from the first signing of a reveal to its confirmation (REVEAL_CONFIRMATIONS deep)", {})
          .count(),
      1u);
  auto& per_token = registry.histogram("glisk_reveal_gas_per_token", "", {});
  EXPECT_EQ(per_token.count(), 1u);
  EXPECT_NE(registry.render().find("glisk_reveal_gas_per_token_bucket{le=\"20000\"} 0"), std::string::npos)
      << "two tokens' reveal costs more than 20,000 gas a token (a storage slot each and half a transaction)";
}

// The digest mode rebuilds the CID's base32 on chain: its last character carries the digest's
// last 3 bits (288 bits = 57 characters and 3 bits), so one token for each of the 8 characters.
TEST_P(RevealTest, TokenUriEqualsTheMetadataCidWhateverItsLastCharacter) {
  start_chain(16);
  RevealRig rig(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey0);
  rig.add_ready(1, 16);
  std::set<char> last_characters;
  std::map<int64_t, std::string> cids;
  for (int64_t id = 1; id <= 16; ++id) {
    ipfs::Sha256Digest digest{};
    for (size_t i = 0; i < digest.size(); ++i) digest[i] = static_cast<uint8_t>(id * 37 + i * 11);
    digest[31] = static_cast<uint8_t>((digest[31] & 0xf8) | (id % 8));
    cids[id] = ipfs::raw_sha256_cid(digest).to_string();
    last_characters.insert(cids[id].back());
    rig.set_metadata_cid(id, cids[id]);
  }
  ASSERT_EQ(last_characters.size(), 8u);
  ASSERT_TRUE(rig.step_until([&] { return rig.count_status("revealed") == 16; })) << rig.log.text();
  for (const auto& [id, cid] : cids) EXPECT_EQ(uri_on_chain(id), "ipfs://" + cid) << id;
}

TEST_P(RevealTest, MarketplacesAreToldWithEip4906EventsOneForADenseRange) {
  start_chain(20);
  RevealOptions options;
  options.max_batch = 20;
  RevealRig rig(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey0, "instance-a", {}, options);
  // Tokens 1–5: dense, one BatchMetadataUpdate(1, 5).
  rig.add_ready(1, 5);
  ASSERT_TRUE(rig.step_until([&] { return rig.count_status("revealed") == 5; })) << rig.log.text();
  // Tokens 6, 14 and 20: 15 ids apart for 3 tokens, a MetadataUpdate each.
  rig.add_ready(6, 1);
  rig.add_ready(14, 1);
  rig.add_ready(20, 1);
  ASSERT_TRUE(rig.step_until([&] { return rig.count_status("revealed") == 8; })) << rig.log.text();
  auto receipts = rig.receipts();
  ASSERT_EQ(receipts.size(), 2u);
  EXPECT_EQ(count_topic(receipts[0], "BatchMetadataUpdate(uint256,uint256)"), 1u);
  EXPECT_EQ(count_topic(receipts[0], "MetadataUpdate(uint256)"), 0u);
  for (const auto& log : receipts[0].at("logs")) {
    EXPECT_EQ(log.at("data").get<std::string>(),
              eth::to_hex(eth::encode_call("f(uint256,uint256)", {eth::U256(1), eth::U256(5)})).replace(0, 10, "0x"));
  }
  EXPECT_EQ(count_topic(receipts[1], "BatchMetadataUpdate(uint256,uint256)"), 0u);
  EXPECT_EQ(count_topic(receipts[1], "MetadataUpdate(uint256)"), 3u);
}

TEST_P(RevealTest, MetadataThatIsNotOneRawBlockNeedsTheLegacyModeAndHoldsNoOtherToken) {
  start_chain(3);
  RevealRig rig(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey0);
  rig.add_ready(1, 3);
  const std::string dag_pb = "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn";  // a CIDv0 (dag-pb)
  rig.set_metadata_cid(2, dag_pb);
  ASSERT_TRUE(rig.step_until([&] { return rig.count_status("ready") == 0; })) << rig.log.text();
  EXPECT_EQ(uri_on_chain(1), "ipfs://" + cid_of(1));
  EXPECT_EQ(uri_on_chain(3), "ipfs://" + cid_of(3));
  if (digest_mode()) {
    EXPECT_EQ(rig.token(2).status, token::TokenStatus::kFailed);
    EXPECT_NE(rig.token(2).generation_error.value_or("").find("REVEAL_FUNCTION=revealTokens(uint256[],string[])"),
              std::string::npos)
        << rig.token(2).generation_error.value_or("");
  } else {
    EXPECT_EQ(uri_on_chain(2), "ipfs://" + dag_pb);
  }
}

// A contract deployed before the digest mode (bench/contracts/GliskNFTBefore.sol) has only the
// string functions: the legacy mode reveals on it; the digest mode sends nothing, fails no
// token, and says which REVEAL_FUNCTION to set.
TEST_P(RevealTest, AContractFromBeforeTheDigestModeTakesTheLegacyModeAndTheOtherSaysSo) {
  start_chain(3, {}, "GliskNFTBefore");
  RevealRig rig(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey0);
  rig.add_ready(1, 3);
  if (!digest_mode()) {
    ASSERT_TRUE(rig.step_until([&] { return rig.count_status("revealed") == 3; })) << rig.log.text();
    for (int64_t id = 1; id <= 3; ++id) EXPECT_EQ(uri_on_chain(id), "ipfs://" + cid_of(id));
    return;
  }
  rig.worker->step();
  EXPECT_EQ(rig.count_status("ready"), 3);
  EXPECT_EQ(nonce_of(glisk::testing::kAnvilAccount0), 1u);  // the deployment, no reveal
  const std::string error = rig.token(1).generation_error.value_or("");
  EXPECT_NE(error.find("has no revealDigests(uint256[],bytes32[])"), std::string::npos) << error;
  EXPECT_NE(error.find("revealTokens(uint256[],string[])"), std::string::npos) << error;
  EXPECT_NE(rig.journal->summary().last_error.value_or("").find("REVEAL_FUNCTION"), std::string::npos);
}

// 300 tokens due at once with BATCH_REVEAL_MAX_TOKENS=300 on a chain whose blocks hold 10M gas:
// no reveal's gas limit passes half of that (REVEAL_BLOCK_GAS_SHARE), so the backlog goes in
// several batches, each mined; after the first, batches are sized from its gas per token.
TEST_P(RevealTest, ABacklogOf300GoesOutInBatchesUnderTheGasCeiling) {
  start_chain(300, {"--gas-limit", "10000000"});
  RevealOptions options;
  options.max_batch = 300;
  RevealRig rig(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey0, "instance-a", {}, options);
  rig.add_ready(1, 300);
  ASSERT_TRUE(rig.step_until([&] { return rig.count_status("revealed") == 300; }, 400)) << rig.log.text();
  auto rows = rig.journal_rows();
  ASSERT_GE(rows.rows.size(), digest_mode() ? 2u : 6u);
  size_t tokens = 0;
  for (const auto& row : rows.rows) {
    ASSERT_EQ(row[0], "confirmed") << row[3].value_or("");
    tokens += store::parse_token_ids(row[2].value()).size();
  }
  EXPECT_EQ(tokens, 300u);
  for (const auto& receipt : rig.receipts()) {
    auto tx = node_->get_transaction_by_hash(receipt.at("transactionHash").get<std::string>()).value();
    EXPECT_LE(std::stoull(tx.at("gas").get<std::string>(), nullptr, 16), 5'000'000u);
  }
  EXPECT_GE(rig.log.count("reveal.batch_trimmed"), 1);
  for (int64_t id = 1; id <= 300; id += 37) EXPECT_EQ(uri_on_chain(id), "ipfs://" + cid_of(id)) << id;
}

// After a confirmed reveal, tokenURI of a sample of its tokens is read back: one that differs from
// the token's metadata CID (here the CID changed in the database while the reveal was in the pool)
// is an error line and a counted mismatch, never silent.
TEST_P(RevealTest, ATokenUriThatDiffersFromTheMetadataCidIsAnErrorLine) {
  start_chain(2);
  metrics::Registry registry;
  RevealOptions options;
  options.metrics = &registry;
  RevealRig rig(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey0, "instance-a", {}, options);
  rig.add_ready(1, 2);
  node_->call("evm_setAutomine", {false});
  rig.worker->step();
  ASSERT_EQ(rig.log.count("keeper.transaction_submitted"), 1) << rig.log.text();
  rig.set_metadata_cid(1, cid_of(99));
  node_->call("evm_mine", chain::JsonValue::array());
  node_->call("evm_setAutomine", {true});
  ASSERT_TRUE(rig.step_until([&] { return rig.count_status("revealed") == 2; })) << rig.log.text();
  auto& checks = registry.counter("glisk_reveal_uri_checks_total", "", {"result"});
  EXPECT_EQ(checks.value({"mismatch"}), 1);
  EXPECT_EQ(checks.value({"match"}), 1);
  EXPECT_EQ(rig.log.count("reveal.uri_mismatch"), 1);
  EXPECT_NE(rig.log.text().find("ipfs://" + cid_of(1)), std::string::npos);
}

TEST_P(RevealTest, WaitsForAFullerBatchUntilTheOldestHasWaitedLongEnough) {
  start_chain(3);
  RevealOptions options;
  options.max_batch = 10;
  RevealRig rig(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey0, "instance-a", {}, options);
  rig.options_.batch_wait = 5s;
  rig.worker = std::make_unique<RevealWorker>(*rig.queue, rig.wake, *rig.tokens, *rig.journal, *rig.lease, *rig.keeper,
                                              rig.rpc, rig.clock, rig.log.log, rig.options_);
  rig.add_ready(1, 3);
  store::in_transaction(rig.database(), store::TxMode::kWrite, [&](store::Transaction& tx) {
    tx.exec("UPDATE tokens_s0 SET queued_at = $1", {clock::format_time(rig.clock.now())});
  });
  auto first = rig.worker->step();
  EXPECT_EQ(first.outcome, StepOutcome::kWaitingForBatch);
  ASSERT_TRUE(first.next_at.has_value());
  EXPECT_NEAR(std::chrono::duration<double>(*first.next_at - rig.clock.now()).count(), 5.0, 0.01);
  rig.clock.advance(5s);
  EXPECT_EQ(rig.worker->step().outcome, StepOutcome::kProcessed);
  ASSERT_TRUE(rig.step_until([&] { return rig.count_status("revealed") == 3; })) << rig.log.text();
}

TEST_P(RevealTest, ATokenAlreadyRevealedOnChainIsMarkedWithoutATransaction) {
  start_chain(5);
  // The owner revealed token 3 by hand (or an earlier run did, and its record was lost).
  auto data = eth::encode_call("batchRevealMultiple(uint256[],string[])",
                               {std::vector<eth::U256>{3}, std::vector<std::string>{"ipfs://" + cid_of(3)}});
  glisk::testing::send_from_unlocked(*node_, glisk::testing::kAnvilAccount0,
                                     {{"to", contract_}, {"data", eth::to_hex(data)}});
  RevealRig rig(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey0);
  rig.add_ready(1, 5);
  ASSERT_TRUE(rig.step_until([&] { return rig.count_status("revealed") == 5; })) << rig.log.text();
  EXPECT_EQ(rig.log.count("reveal.already_revealed_sync"), 1);
  auto rows = rig.journal_rows();
  ASSERT_EQ(rows.rows.size(), 1u);
  EXPECT_EQ(store::parse_token_ids(rows.rows[0][2].value()), (std::vector<int64_t>{1, 2, 4, 5}));
  EXPECT_EQ(rig.token(3).reveal_tx_hash, std::nullopt);
  EXPECT_EQ(rig.token(4).reveal_tx_hash, rows.rows[0][1]);
}

TEST_P(RevealTest, ATokenTheContractDoesNotHaveIsFailedAndTheOthersGoOn) {
  start_chain(4);
  RevealRig rig(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey0);
  rig.add_ready(1, 4);
  rig.add_ready(999, 1);  // never minted
  ASSERT_TRUE(rig.step_until([&] { return rig.count_status("revealed") == 4; })) << rig.log.text();
  auto bad = rig.token(999);
  EXPECT_EQ(bad.status, token::TokenStatus::kFailed);
  EXPECT_EQ(bad.failed_stage, token::Stage::kReveal);
  EXPECT_NE(bad.generation_error.value_or("").find("ERC721NonexistentToken(999)"), std::string::npos)
      << bad.generation_error.value_or("");
  EXPECT_EQ(rig.journal_rows().rows.size(), 1u);  // one transaction, for the four good tokens
}

TEST_P(RevealTest, AKeeperWithoutTheRightSpendsNothingAndTheTokensWait) {
  start_chain(3);
  RevealRig rig(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey2);  // neither owner nor keeper
  rig.add_ready(1, 3);
  EXPECT_EQ(rig.worker->step().outcome, StepOutcome::kProcessed);
  for (int64_t id = 1; id <= 3; ++id) {
    auto t = rig.token(id);
    EXPECT_EQ(t.status, token::TokenStatus::kReady);
    ASSERT_TRUE(t.next_attempt_at.has_value());
    EXPECT_GT(*t.next_attempt_at, rig.clock.now() + 60s);  // not retried in a tight loop
    EXPECT_NE(t.generation_error.value_or("").find("NotKeeper(" + std::string(glisk::testing::kAnvilAccount2) + ")"),
              std::string::npos)
        << t.generation_error.value_or("");
    EXPECT_NE(t.generation_error.value_or("").find("setKeeper("), std::string::npos);
  }
  EXPECT_EQ(nonce_of(glisk::testing::kAnvilAccount2), 0u);  // no gas spent
  auto rows = rig.journal_rows();
  ASSERT_EQ(rows.rows.size(), 1u);
  EXPECT_EQ(rows.rows[0][0], "failed");
  EXPECT_EQ(rows.rows[0][1], std::nullopt);
  EXPECT_EQ(rig.journal->summary().last_error, rows.rows[0][3]);
  EXPECT_EQ(rig.log.count("reveal.permanent_error"), 1);

  // The owner makes it a keeper; after the wait the same tokens go through.
  glisk::testing::set_keeper(*node_, contract_, glisk::testing::kAnvilAccount2);
  rig.clock.advance(301s);
  ASSERT_TRUE(rig.step_until([&] { return rig.count_status("revealed") == 3; })) << rig.log.text();
}

TEST_P(RevealTest, GasAboveTheCapSendsNothing) {
  start_chain(2);
  KeeperOptions keeper_options;
  keeper_options.max_gas_price = eth::U256(1);  // 1 wei per gas: below anvil's base fee
  RevealRig rig(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey0, "instance-a", keeper_options);
  rig.add_ready(1, 2);
  rig.worker->step();
  EXPECT_EQ(rig.count_status("ready"), 2);
  EXPECT_EQ(rig.log.count("reveal.gas_price_above_cap"), 1);
  EXPECT_EQ(rig.journal_rows().rows.size(), 0u);
  EXPECT_EQ(nonce_of(glisk::testing::kAnvilAccount0), 1u);  // the deployment only
  EXPECT_EQ(rig.token(1).reveal_attempts, 0);               // waiting for gas is no failed attempt
  // Not due again at once.
  EXPECT_EQ(rig.worker->step().outcome, StepOutcome::kIdle);
}

TEST_P(RevealTest, AnOpenTransactionIsLookedForSoonAfterItsSendThenLessOften) {
  start_chain(3);
  RevealRig rig(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey0);
  rig.add_ready(1, 2);
  node_->call("evm_setAutomine", {false});
  rig.worker->step();  // simulates and sends; nothing mines
  ASSERT_EQ(rig.log.count("keeper.transaction_submitted"), 1) << rig.log.text();
  std::vector<double> waits;
  for (int i = 0; i < 6; ++i) {
    auto r = rig.worker->step();
    ASSERT_EQ(r.outcome, StepOutcome::kTransactionOpen);
    ASSERT_TRUE(r.next_at.has_value());
    waits.push_back(std::chrono::duration<double>(*r.next_at - rig.clock.now()).count());
  }
  EXPECT_EQ(waits, (std::vector<double>{0.1, 0.2, 0.4, 0.8, 1.0, 1.0}));  // doubling up to receipt_poll
  node_->call("evm_mine", chain::JsonValue::array());
  ASSERT_TRUE(rig.step_until([&] { return rig.count_status("revealed") == 2; })) << rig.log.text();

  // The next transaction starts again at the short wait.
  rig.add_ready(3, 1);
  ASSERT_TRUE(rig.step_until([&] { return rig.log.count("keeper.transaction_submitted") == 2; })) << rig.log.text();
  auto r = rig.worker->step();
  ASSERT_EQ(r.outcome, StepOutcome::kTransactionOpen);
  EXPECT_DOUBLE_EQ(std::chrono::duration<double>(*r.next_at - rig.clock.now()).count(), 0.1);
}

TEST_P(RevealTest, AStuckTransactionIsReplacedAtTheSameNonceAndTheReplacementCounts) {
  start_chain(3);
  KeeperOptions keeper_options;
  keeper_options.transaction_timeout = 30s;
  RevealRig rig(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey0, "instance-a", keeper_options);
  rig.add_ready(1, 3);
  node_->call("evm_setAutomine", {false});
  rig.worker->step();  // simulates and sends; nothing mines
  ASSERT_EQ(rig.log.count("keeper.transaction_submitted"), 1) << rig.log.text();
  EXPECT_EQ(rig.worker->step().outcome, StepOutcome::kTransactionOpen);
  EXPECT_EQ(rig.log.count("keeper.transaction_replaced"), 0);

  rig.clock.advance(31s);
  EXPECT_EQ(rig.worker->step().outcome, StepOutcome::kTransactionOpen);
  ASSERT_EQ(rig.log.count("keeper.transaction_replaced"), 1) << rig.log.text();
  auto rows = rig.journal_rows();
  ASSERT_EQ(rows.rows.size(), 2u);
  EXPECT_EQ(rows.rows[0][4], rows.rows[1][4]);  // same nonce

  node_->call("evm_mine", chain::JsonValue::array());
  ASSERT_TRUE(rig.step_until([&] { return rig.count_status("revealed") == 3; })) << rig.log.text();
  rows = rig.journal_rows();
  EXPECT_EQ(rows.rows[0][0], "replaced");
  EXPECT_EQ(rows.rows[1][0], "confirmed");
  EXPECT_EQ(rig.token(2).reveal_tx_hash, rows.rows[1][1]);
  EXPECT_EQ(nonce_of(glisk::testing::kAnvilAccount0), 2u);  // one reveal mined, not two
  EXPECT_EQ(uri_on_chain(3), "ipfs://" + cid_of(3));
}

TEST_P(RevealTest, ATransactionTheNodeDroppedIsSentAgainUnchanged) {
  start_chain(2);
  RevealRig rig(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey0);
  rig.add_ready(1, 2);
  node_->call("evm_setAutomine", {false});
  rig.worker->step();
  auto rows = rig.journal_rows();
  ASSERT_EQ(rows.rows.size(), 1u) << rig.log.text();
  const std::string hash = rows.rows[0][1].value();
  node_->call("anvil_dropTransaction", {hash});
  ASSERT_FALSE(node_->get_transaction_by_hash(hash).has_value());
  rig.worker->step();
  EXPECT_EQ(rig.log.count("keeper.transaction_rebroadcast"), 1) << rig.log.text();
  EXPECT_TRUE(node_->get_transaction_by_hash(hash).has_value());
  node_->call("evm_mine", chain::JsonValue::array());
  ASSERT_TRUE(rig.step_until([&] { return rig.count_status("revealed") == 2; })) << rig.log.text();
  EXPECT_EQ(rig.token(1).reveal_tx_hash, hash);
  EXPECT_EQ(rig.journal_rows().rows.size(), 1u);
}

TEST_P(RevealTest, ABroadcastLostInACrashIsRecoveredFromTheJournal) {
  start_chain(2);
  RevealRig rig(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey0);
  rig.add_ready(1, 2);
  // The connection drops on every attempt to send: the journal row is written, the node never
  // sees the transaction — the state a crash between the two leaves.
  faulty_->fail("eth_sendRawTransaction", 1);
  rig.worker->step();
  auto rows = rig.journal_rows();
  ASSERT_EQ(rows.rows.size(), 1u);
  EXPECT_EQ(rows.rows[0][0], "pending");
  EXPECT_FALSE(node_->get_transaction_by_hash(rows.rows[0][1].value()).has_value());
  ASSERT_TRUE(rig.step_until([&] { return rig.count_status("revealed") == 2; })) << rig.log.text();
  EXPECT_EQ(rig.journal_rows().rows[0][0], "confirmed");
  EXPECT_EQ(nonce_of(glisk::testing::kAnvilAccount0), 2u);
}

TEST_P(RevealTest, TheNodeDownAndBackLosesNothing) {
  start_chain(3);
  RevealRig rig(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey0);
  rig.add_ready(1, 3);
  faulty_->set_down(true);
  rig.worker->step();
  EXPECT_GE(rig.log.count("reveal.transient_error"), 1);
  EXPECT_EQ(rig.count_status("ready"), 3);
  EXPECT_EQ(rig.journal_rows().rows.size(), 0u);
  EXPECT_EQ(rig.token(1).reveal_attempts, 1);
  EXPECT_NE(rig.token(1).generation_error.value_or("").find("node unreachable"), std::string::npos);
  faulty_->set_down(false);
  rig.clock.advance(2s);
  ASSERT_TRUE(rig.step_until([&] { return rig.count_status("revealed") == 3; })) << rig.log.text();
  EXPECT_EQ(rig.token(1).generation_error, std::nullopt);
}

TEST_P(RevealTest, OneSenderPerKeyAcrossInstances) {
  start_chain(4);
  RevealRig a(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey0, "instance-a");
  RevealRig b(a, glisk::testing::kAnvilKey0, "instance-b");
  a.add_ready(1, 4);
  EXPECT_EQ(a.worker->step().outcome, StepOutcome::kProcessed);
  EXPECT_EQ(b.worker->step().outcome, StepOutcome::kStandby);
  EXPECT_EQ(b.log.count("reveal.sender_standby"), 1);
  ASSERT_TRUE(a.step_until([&] { return a.count_status("revealed") == 4; })) << a.log.text();
  // a stops (or dies): after the lease runs out, b takes over.
  b.clock.advance(11s);
  EXPECT_EQ(b.worker->step().outcome, StepOutcome::kIdle);
  EXPECT_EQ(b.log.count("reveal.sender_active"), 1);
  EXPECT_EQ(a.worker->step().outcome, StepOutcome::kStandby);
}

TEST_P(RevealTest, TokensWaitForTheConfiguredConfirmations) {
  start_chain(2);
  KeeperOptions keeper_options;
  keeper_options.confirmations = 3;
  RevealRig rig(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey0, "instance-a", keeper_options);
  rig.add_ready(1, 2);
  rig.worker->step();  // sent and mined at once (automine), but only one block deep
  EXPECT_EQ(rig.worker->step().outcome, StepOutcome::kTransactionOpen);
  node_->call("evm_mine", chain::JsonValue::array());
  EXPECT_EQ(rig.worker->step().outcome, StepOutcome::kTransactionOpen);
  EXPECT_EQ(rig.count_status("revealed"), 0);
  node_->call("evm_mine", chain::JsonValue::array());
  rig.worker->step();
  EXPECT_EQ(rig.count_status("revealed"), 2);
}

TEST_P(RevealTest, ARevealThatRevertsOnChainIsRecordedWithItsReasonAndTheTokensGoAgainLater) {
  start_chain(3);
  RevealRig rig(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey0);
  rig.add_ready(1, 3);
  glisk::testing::set_keeper(*node_, contract_, glisk::testing::kAnvilAccount1);
  node_->call("evm_setAutomine", {false});
  rig.worker->step();  // simulated cleanly, sent, waiting in the pool
  ASSERT_EQ(rig.log.count("keeper.transaction_submitted"), 1) << rig.log.text();
  // Meanwhile another keeper with a higher tip reveals token 2 in the same block, first.
  auto data = eth::encode_call("batchRevealMultiple(uint256[],string[])",
                               {std::vector<eth::U256>{2}, std::vector<std::string>{"ipfs://other"}});
  node_->call("eth_sendTransaction", {{{"from", glisk::testing::kAnvilAccount1},
                                       {"to", contract_},
                                       {"data", eth::to_hex(data)},
                                       {"gas", "0x100000"},
                                       {"maxPriorityFeePerGas", "0x2540be400"},
                                       {"maxFeePerGas", "0x174876e800"}}});
  node_->call("evm_mine", chain::JsonValue::array());
  rig.worker->step();
  auto rows = rig.journal_rows();
  ASSERT_EQ(rows.rows.size(), 1u);
  EXPECT_EQ(rows.rows[0][0], "failed");
  EXPECT_EQ(rows.rows[0][3], "AlreadyRevealed(2)");
  EXPECT_EQ(rig.count_status("ready"), 3);
  EXPECT_NE(rig.token(1).generation_error.value_or("").find("reverted: AlreadyRevealed(2)"), std::string::npos);
  EXPECT_EQ(rig.log.count("reveal.permanent_error"), 1);
  // After the wait the batch is simulated again: token 2 is synced, 1 and 3 revealed.
  node_->call("evm_setAutomine", {true});
  rig.clock.advance(301s);
  ASSERT_TRUE(rig.step_until([&] { return rig.count_status("revealed") == 3; })) << rig.log.text();
  EXPECT_EQ(uri_on_chain(2), "ipfs://other");
  EXPECT_EQ(uri_on_chain(3), "ipfs://" + cid_of(3));
}

TEST_P(RevealTest, ANonceTakenByAnotherTransactionOfTheKeySendsTheBatchAgain) {
  start_chain(2);
  RevealRig rig(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey0);
  rig.add_ready(1, 2);
  node_->call("evm_setAutomine", {false});
  rig.worker->step();
  auto rows = rig.journal_rows();
  ASSERT_EQ(rows.rows.size(), 1u) << rig.log.text();
  // Somebody else uses the key: a plain transfer at the same nonce, with a far higher fee,
  // replaces the reveal in the pool.
  node_->call("eth_sendTransaction", {{{"from", glisk::testing::kAnvilAccount0},
                                       {"to", glisk::testing::kAnvilAccount1},
                                       {"value", "0x1"},
                                       {"nonce", chain::to_quantity(std::stoull(rows.rows[0][4].value()))},
                                       {"maxPriorityFeePerGas", "0x174876e800"},
                                       {"maxFeePerGas", "0x2540be4000"}}});
  node_->call("evm_mine", chain::JsonValue::array());
  node_->call("evm_setAutomine", {true});
  rig.worker->step();
  // A node may report the new nonce before it serves the receipt: the keeper gives it time.
  EXPECT_EQ(rig.journal_rows().rows[0][0], "pending");
  rig.clock.advance(31s);
  rig.worker->step();
  EXPECT_EQ(rig.journal_rows().rows[0][0], "failed");
  EXPECT_NE(rig.journal_rows().rows[0][3].value_or("").find("was used by a transaction glisk did not send"),
            std::string::npos);
  rig.clock.advance(3s);
  ASSERT_TRUE(rig.step_until([&] { return rig.count_status("revealed") == 2; })) << rig.log.text();
  EXPECT_EQ(rig.journal_rows().rows.size(), 2u);
}

TEST_P(RevealTest, AKeeperWithoutFundsSpendsNothingAndSaysToFundIt) {
  start_chain(2);
  glisk::testing::set_keeper(*node_, contract_, glisk::testing::kAnvilAccount2);
  node_->call("anvil_setBalance", {glisk::testing::kAnvilAccount2, "0x0"});
  RevealRig rig(GetParam(), *faulty_, contract_, glisk::testing::kAnvilKey2);
  rig.add_ready(1, 2);
  rig.worker->step();
  EXPECT_EQ(rig.count_status("ready"), 2);
  EXPECT_NE(rig.token(1).generation_error.value_or("").find("fund the keeper wallet"), std::string::npos)
      << rig.token(1).generation_error.value_or("");
  EXPECT_EQ(nonce_of(glisk::testing::kAnvilAccount2), 0u);
  EXPECT_NE(rig.journal->summary().last_error.value_or("").find("holds 0 wei"), std::string::npos);
}

// The service as a process: killed with SIGKILL while its reveal is in the node's pool, then
// restarted. The journal tells the new process what the old one sent: no second transaction.
TEST_P(RevealTest, AServiceKilledWithAPendingRevealSendsNoSecondTransactionAfterRestart) {
  start_chain(5);
  glisk::testing::TestDatabase tdb(GetParam().backend);
  clock::SystemClock clock;
  store::TokenStore tokens(tdb.db(), clock);
  glisk::testing::add_detected_tokens(tokens, 1, 5, kAuthor);
  store::in_transaction(tdb.db(), store::TxMode::kWrite, [&](store::Transaction& tx) {
    for (int64_t id = 1; id <= 5; ++id) {
      tx.exec("UPDATE tokens_s0 SET status = 'ready', metadata_cid = $2 WHERE token_id = $1", {id, cid_of(id)});
    }
  });
  node_->call("evm_setAutomine", {false});
  const std::map<std::string, std::string> env = {{"DATABASE_URL", tdb.url()},
                                                  {"PORT", "0"},
                                                  {"LOG_FORMAT", "json"},
                                                  {"RPC_URL", anvil_->url()},
                                                  {"GLISK_NFT_CONTRACT_ADDRESS", contract_},
                                                  {"KEEPER_PRIVATE_KEY", glisk::testing::kAnvilKey0},
                                                  {"REVEAL_FUNCTION", GetParam().function},
                                                  {"BATCH_REVEAL_WAIT_SECONDS", "0"},
                                                  {"LEASE_SECONDS", "2"},
                                                  {"POLL_INTERVAL_SECONDS", "0.2"},
                                                  {"MINT_WATCHER", "off"},
                                                  {"DATA_DIR", ::testing::TempDir() + "/reveal_kill_data"}};
  const std::string workdir = ::testing::TempDir();
  auto submitted = [](const std::string& line) {
    return line.find("\"keeper.transaction_submitted\"") != std::string::npos;
  };
  {
    glisk::testing::Subprocess first({GLISK_BINARY, "serve"}, env, workdir);
    ASSERT_TRUE(first.read_stderr_until(submitted, 60s)) << first.all_stderr();
    first.signal(SIGKILL);
    EXPECT_EQ(first.wait(10s), 128 + SIGKILL);
  }
  EXPECT_EQ(tokens.count_by_status()[token::TokenStatus::kReady], 5);
  glisk::testing::Subprocess second({GLISK_BINARY, "serve"}, env, workdir);
  // The new process takes the sender lease once the dead one's expires, and finds the
  // transaction in the pool: it waits for it instead of sending another.
  ASSERT_TRUE(second.read_stderr_until(
      [](const std::string& line) { return line.find("\"keeper.ready\"") != std::string::npos; }, 60s))
      << second.all_stderr();
  std::this_thread::sleep_for(3s);
  node_->call("evm_mine", chain::JsonValue::array());
  for (int i = 0; i < 300 && tokens.count_by_status()[token::TokenStatus::kRevealed] < 5; ++i) {
    std::this_thread::sleep_for(100ms);
  }
  second.signal(SIGTERM);
  EXPECT_EQ(second.wait(30s), 0) << second.all_stderr();
  ASSERT_EQ(tokens.count_by_status()[token::TokenStatus::kRevealed], 5) << second.all_stderr();
  EXPECT_EQ(second.all_stderr().find("\"keeper.transaction_submitted\""), std::string::npos) << second.all_stderr();
  EXPECT_EQ(nonce_of(glisk::testing::kAnvilAccount0), 2u);  // the deployment and ONE reveal
  auto rows = store::in_transaction(tdb.db(), store::TxMode::kRead, [&](store::Transaction& tx) {
    return tx.exec("SELECT status, tx_hash FROM reveal_transactions");
  });
  ASSERT_EQ(rows.rows.size(), 1u);
  EXPECT_EQ(rows.rows[0][0], "confirmed");
  EXPECT_EQ(tokens.find_token(5)->reveal_tx_hash, rows.rows[0][1]);
  for (int64_t id = 1; id <= 5; ++id) EXPECT_EQ(uri_on_chain(id), "ipfs://" + cid_of(id));
  const auto reveals = glisk::testing::reveals_per_token(*node_, contract_);
  for (uint64_t id = 1; id <= 5; ++id) EXPECT_EQ(reveals.count(id) ? reveals.at(id) : 0, 1) << "token " << id;
  EXPECT_EQ(second.all_stderr().find(std::string(glisk::testing::kAnvilKey0).substr(2)), std::string::npos)
      << "the keeper key reached the log";
}

std::string case_name(const ::testing::TestParamInfo<RevealCase>& info) {
  const std::string backend = info.param.backend == Backend::kSqlite ? "SQLite" : "PostgreSQL";
  return backend + (std::string(info.param.function) == kDigestFunction ? "_Digests" : "_Uris");
}

INSTANTIATE_TEST_SUITE_P(Backends, RevealTest,
                         ::testing::Values(RevealCase{Backend::kSqlite, kDigestFunction},
                                           RevealCase{Backend::kPostgres, kDigestFunction},
                                           RevealCase{Backend::kSqlite, "batchRevealMultiple(uint256[],string[])"},
                                           RevealCase{Backend::kPostgres, "batchRevealMultiple(uint256[],string[])"}),
                         case_name);

}  // namespace
}  // namespace glisk::reveal

namespace glisk::reveal {
namespace {

TEST(ChainDeploy, DeploysTheContractPrintsItsAddressAndSetsKeepers) {
  glisk::testing::compile_contracts();
  glisk::testing::Anvil anvil;
  glisk::testing::Subprocess deploy(
      {GLISK_BINARY, "chain", "deploy", "--artifact", std::string(GLISK_SOURCE_DIR) + "/build/contracts/GliskNFT.json",
       "--mint-price", "5000", "--keeper", glisk::testing::kAnvilAccount2},
      {{"RPC_URL", anvil.url()}, {"KEEPER_PRIVATE_KEY", glisk::testing::kAnvilKey0}, {"LOG_FORMAT", "json"}},
      ::testing::TempDir());
  ASSERT_EQ(deploy.wait(std::chrono::seconds(60)), 0) << deploy.all_stderr();
  std::string address = deploy.all_stdout();
  while (!address.empty() && std::isspace(static_cast<unsigned char>(address.back()))) address.pop_back();
  ASSERT_TRUE(eth::is_checksummed(address)) << address;
  net::HttpClient http;
  chain::RpcClient rpc(http, anvil.url());
  auto price = rpc.eth_call(address, eth::to_hex(eth::encode_call("mintPrice()", {})));
  EXPECT_EQ(eth::decode_uint256(eth::from_hex(price)), eth::U256(5000));
  auto is_keeper = rpc.eth_call(
      address,
      eth::to_hex(eth::encode_call("isKeeper(address)", {eth::Address::parse(glisk::testing::kAnvilAccount2)})));
  EXPECT_TRUE(eth::decode_bool(eth::from_hex(is_keeper)));
  EXPECT_NE(deploy.all_stderr().find("\"chain.contract_deployed\""), std::string::npos);
  EXPECT_NE(deploy.all_stderr().find("\"reveal_function\":\"revealDigests(uint256[],bytes32[])\""), std::string::npos)
      << deploy.all_stderr();
  EXPECT_EQ(deploy.all_stderr().find("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"),
            std::string::npos);
}

TEST(ChainDeploy, WithoutAKeyItSaysWhatToSet) {
  glisk::testing::Subprocess deploy({GLISK_BINARY, "chain", "deploy"}, {{"LOG_FORMAT", "json"}}, ::testing::TempDir());
  EXPECT_EQ(deploy.wait(std::chrono::seconds(30)), 1);
  EXPECT_NE(deploy.all_stderr().find("set KEEPER_PRIVATE_KEY"), std::string::npos) << deploy.all_stderr();
}

}  // namespace
}  // namespace glisk::reveal
