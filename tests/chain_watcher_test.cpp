// The chain watcher and gap recovery against a real anvil, on SQLite and PostgreSQL: mints become
// tokens once confirmed, ranges respect LOG_RANGE_BLOCKS, a restart continues from the cursor,
// node failures leave no gap and no duplicate, and a rewritten chain is noticed.
#include "watcher/chain_watcher.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <thread>

#include "anvil.hpp"
#include "chain/rpc_client.hpp"
#include "eth/abi.hpp"
#include "metrics/registry.hpp"
#include "prometheus_text.hpp"
#include "store/token_lifecycle.hpp"
#include "store/token_store.hpp"
#include "test_support.hpp"
#include "watcher/gap_recovery.hpp"

using namespace glisk;
using namespace std::chrono_literals;
using glisk::testing::Backend;
using glisk::testing::kAnvilAccount0;
using glisk::testing::kAnvilAccount1;
using glisk::testing::kAnvilAccount2;
using glisk::testing::TestDatabase;

namespace {

constexpr uint64_t kPrice = 1000;

// Forwards to a real node and fails chosen calls the way an unreachable node does.
class FlakyRpc : public chain::EthRpc {
 public:
  explicit FlakyRpc(chain::EthRpc& inner) : inner_(inner) {}

  chain::JsonValue call(const std::string& method, const chain::JsonValue& params, std::stop_token stop) override {
    {
      std::lock_guard lock(mutex_);
      ++calls_[method];
      if (auto it = failures_.find(method); it != failures_.end() && it->second > 0) {
        --it->second;
        ++failed_;
        throw errors::TransientError(method + ": node unreachable (injected)");
      }
    }
    return inner_.call(method, params, stop);
  }
  std::string describe() const override { return "flaky " + inner_.describe(); }

  void fail_next(const std::string& method, int times) {
    std::lock_guard lock(mutex_);
    failures_[method] += times;
  }
  int failed() const {
    std::lock_guard lock(mutex_);
    return failed_;
  }

 private:
  chain::EthRpc& inner_;
  mutable std::mutex mutex_;
  std::map<std::string, int> failures_;
  std::map<std::string, int> calls_;
  int failed_ = 0;
};

}  // namespace

class ChainIntakeTest : public ::testing::TestWithParam<Backend> {
 protected:
  static void SetUpTestSuite() { suite_.start(); }
  static void TearDownTestSuite() { suite_.stop(); }
  void SetUp() override {
    ASSERT_TRUE(suite_.ready()) << suite_.error();
    rpc_ = std::make_unique<chain::RpcClient>(http_, suite_.anvil().url());
    contract_ = eth::Address::parse(glisk::testing::deploy_glisk_nft(*rpc_, kPrice)).to_checksum();
    deploy_block_ = rpc_->block_number();  // anvil mines each transaction in its own block
  }

  watcher::WatcherOptions options(uint64_t confirmations = 1, uint64_t range = 1000) {
    watcher::WatcherOptions o;
    o.contract = contract_;
    o.confirmations = confirmations;
    o.log_range_blocks = range;
    o.poll_interval = 20ms;
    return o;
  }
  std::unique_ptr<watcher::ChainWatcher> make_watcher(chain::EthRpc& rpc, const watcher::WatcherOptions& o) {
    return std::make_unique<watcher::ChainWatcher>(tdb_.db(), rpc, queue_, clock_, captured_.log, o);
  }
  // Steps until caught up; returns the steps' results.
  std::vector<watcher::StepResult> catch_up(watcher::ChainWatcher& w, int max_steps = 100) {
    std::vector<watcher::StepResult> steps;
    for (int i = 0; i < max_steps; ++i) {
      steps.push_back(w.step());
      if (steps.back().caught_up) return steps;
    }
    ADD_FAILURE() << "the watcher did not catch up in " << max_steps << " steps";
    return steps;
  }
  uint64_t mint(const std::string& author, uint64_t quantity, const std::string& minter = kAnvilAccount1) {
    auto receipt = glisk::testing::mint(*rpc_, contract_, minter, author, quantity, kPrice);
    return chain::parse_quantity(receipt.at("blockNumber").get<std::string>());
  }
  // Sends a mint without waiting (automine off); returns the transaction hash.
  std::string send_mint(const std::string& author, uint64_t quantity, const std::string& minter = kAnvilAccount1) {
    auto data = eth::encode_call("mint(address,uint256)", {eth::Address::parse(author), eth::U256(quantity)});
    chain::JsonValue tx = {{"from", minter},
                           {"to", contract_},
                           {"data", eth::to_hex(data)},
                           {"value", chain::to_quantity(kPrice * quantity)},
                           {"gas", "0x1e8480"}};
    return rpc_->call("eth_sendTransaction", chain::JsonValue::array({tx})).get<std::string>();
  }
  void mine(int blocks = 1) {
    for (int i = 0; i < blocks; ++i) rpc_->call("evm_mine", chain::JsonValue::array());
  }
  int64_t count(const std::string& sql) {
    auto r =
        store::in_transaction(tdb_.db(), store::TxMode::kRead, [&](store::Transaction& tx) { return tx.exec(sql); });
    return std::stoll(r.rows.at(0).at(0).value());
  }
  std::string author_of(int64_t token_id) {
    auto t = tokens_.find_token(token_id);
    if (!t) return "(none)";
    return glisk::testing::author_by_id(tokens_, t->author_id)->wallet_address;
  }

  static glisk::testing::SuiteAnvil suite_;
  net::HttpClient http_;
  std::unique_ptr<chain::RpcClient> rpc_;
  std::string contract_;
  uint64_t deploy_block_ = 0;
  TestDatabase tdb_{GetParam()};
  clock::ManualClock clock_;
  store::TokenStore tokens_{tdb_.db(), clock_};
  queue::WakeBoard wake_;
  store::TokenLifecycle queue_{tdb_.db(), clock_, wake_, "test", 60s};
  glisk::testing::CapturedLog captured_;
};

glisk::testing::SuiteAnvil ChainIntakeTest::suite_;

TEST_P(ChainIntakeTest, FindsTheDeploymentBlockAndStartsThere) {
  auto w = make_watcher(*rpc_, options());
  EXPECT_EQ(w->find_deployment_block(), deploy_block_);
  w->step();
  EXPECT_EQ(w->cursor()->first_block, deploy_block_);
  EXPECT_EQ(captured_.count("watcher.started"), 1);
  EXPECT_NE(captured_.text().find("\"from_block\":" + std::to_string(deploy_block_)), std::string::npos)
      << captured_.text();
}

TEST_P(ChainIntakeTest, StartBlockWinsAndNoCodeIsAPermanentError) {
  auto o = options();
  o.start_block = 1;
  auto w = make_watcher(*rpc_, o);
  w->step();
  EXPECT_EQ(w->cursor()->first_block, 1u);
  o.contract = "0x000000000000000000000000000000000000dEaD";
  auto nothing = make_watcher(*rpc_, o);
  auto e = glisk::testing::thrown<errors::PermanentError>([&] { nothing->find_deployment_block(); });
  EXPECT_NE(std::string(e.what()).find("check GLISK_NFT_CONTRACT_ADDRESS"), std::string::npos) << e.what();
}

TEST_P(ChainIntakeTest, SeveralMintsInOneBlock) {
  rpc_->call("evm_setAutomine", chain::JsonValue::array({false}));
  send_mint(kAnvilAccount2, 2);
  send_mint(kAnvilAccount0, 1, kAnvilAccount2);
  send_mint(kAnvilAccount2, 3, kAnvilAccount0);
  mine();
  rpc_->call("evm_setAutomine", chain::JsonValue::array({true}));

  auto w = make_watcher(*rpc_, options());
  auto steps = catch_up(*w);
  int64_t mints = 0, created = 0;
  for (const auto& s : steps) mints += s.mints, created += s.tokens_created;
  EXPECT_EQ(mints, 3);
  EXPECT_EQ(created, 6);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tokens_s0"), 6);
  EXPECT_EQ(count("SELECT COUNT(DISTINCT block_number) FROM mint_events"), 1);
  // The node orders the three transactions; count per author and minter instead.
  EXPECT_EQ(count("SELECT COUNT(*) FROM tokens_s0 t JOIN authors a ON a.id = t.author_id WHERE a.wallet_address = '" +
                  std::string(kAnvilAccount2) + "'"),
            5);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tokens_s0 WHERE minter_address = '" + std::string(kAnvilAccount0) + "'"), 3);
  EXPECT_EQ(count("SELECT MAX(token_id) FROM tokens_s0"), 6);
  EXPECT_EQ(captured_.count("mint.detected"), 3);
  EXPECT_GE(captured_.count("watcher.caught_up"), 1);
}

// What the "watcher behind the head" alert reads: the head and the confirmed blocks not scanned.
TEST_P(ChainIntakeTest, TheLagBehindTheHeadIsAGaugeThatFallsToZeroWhenCaughtUp) {
  mine(30);
  metrics::Registry registry;
  auto o = options(3, 10);  // 10 blocks a step: several steps to catch up
  o.metrics = &registry;
  auto w = make_watcher(*rpc_, o);
  const uint64_t head = rpc_->block_number();
  w->step();
  auto families = glisk::testing::parse_prometheus_text(registry.render());
  EXPECT_EQ(families["glisk_watcher_head_block"].value({}), static_cast<double>(head));
  const double behind = families["glisk_watcher_lag_blocks"].value({});
  EXPECT_GT(behind, 0) << "30 blocks mined, 10 scanned a step";
  EXPECT_LE(behind, static_cast<double>(head));
  catch_up(*w);
  families = glisk::testing::parse_prometheus_text(registry.render());
  EXPECT_EQ(families["glisk_watcher_lag_blocks"].value({}), 0);
}

TEST_P(ChainIntakeTest, MintsMadeWhileStoppedAreCaughtUpWithoutDuplicates) {
  mint(kAnvilAccount2, 2);
  {
    auto w = make_watcher(*rpc_, options());
    catch_up(*w);
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM tokens_s0"), 2);
  mint(kAnvilAccount2, 1);
  mint(kAnvilAccount0, 2);
  auto again = make_watcher(*rpc_, options());
  auto steps = catch_up(*again);
  for (const auto& s : steps) EXPECT_EQ(s.duplicates, 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tokens_s0"), 5);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mint_events"), 3);
  EXPECT_EQ(author_of(5), kAnvilAccount0);
}

TEST_P(ChainIntakeTest, RangesAreSplitByLogRangeBlocks) {
  for (int i = 0; i < 5; ++i) mint(kAnvilAccount2, 1);  // one block each
  mine(3);
  auto w = make_watcher(*rpc_, options(1, 3));
  auto steps = catch_up(*w);
  uint64_t expected_from = deploy_block_;
  for (const auto& s : steps) {
    if (!s.scanned) continue;
    EXPECT_EQ(s.from_block, expected_from);
    EXPECT_LE(s.to_block - s.from_block + 1, 3u);
    expected_from = s.to_block + 1;
  }
  EXPECT_EQ(expected_from, rpc_->block_number() + 1);
  EXPECT_GE(steps.size(), 3u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tokens_s0"), 5);
}

TEST_P(ChainIntakeTest, AMintIsCreatedOnlyOnceConfirmed) {
  auto w = make_watcher(*rpc_, options(3));
  const uint64_t block = mint(kAnvilAccount2, 2);
  catch_up(*w);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tokens_s0"), 0);
  mine();  // 2 confirmations
  catch_up(*w);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tokens_s0"), 0);
  EXPECT_EQ(w->cursor()->next_block, block);
  mine();  // 3 confirmations
  catch_up(*w);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tokens_s0"), 2);
  EXPECT_EQ(w->cursor()->next_block, block + 1);
}

TEST_P(ChainIntakeTest, ARestartMidRangeContinuesFromTheCursor) {
  for (int i = 0; i < 5; ++i) mint(kAnvilAccount2, 2);
  {
    auto first = make_watcher(*rpc_, options(1, 2));
    auto s = first->step();
    ASSERT_TRUE(s.scanned);
    EXPECT_FALSE(s.caught_up);
  }
  const int64_t before = count("SELECT COUNT(*) FROM tokens_s0");
  EXPECT_LT(before, 10);
  auto second = make_watcher(*rpc_, options(1, 2));
  auto steps = catch_up(*second);
  int64_t created = 0;
  for (const auto& s : steps) {
    EXPECT_EQ(s.duplicates, 0);
    created += s.tokens_created;
  }
  EXPECT_EQ(before + created, 10);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tokens_s0"), 10);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mint_events"), 5);
}

TEST_P(ChainIntakeTest, RpcErrorsLeaveNoGapAndNoDuplicate) {
  for (int i = 0; i < 4; ++i) mint(kAnvilAccount2, 1);
  FlakyRpc flaky(*rpc_);
  auto w = make_watcher(flaky, options(1, 2));
  flaky.fail_next("eth_getLogs", 2);
  flaky.fail_next("eth_getBlockByNumber", 1);
  flaky.fail_next("eth_blockNumber", 1);
  std::vector<watcher::StepResult> scanned;
  int errors = 0;
  for (int i = 0; i < 50; ++i) {
    try {
      auto s = w->step();
      if (s.scanned) scanned.push_back(s);
      if (s.caught_up) break;
    } catch (const errors::TransientError&) {
      ++errors;
    }
  }
  EXPECT_EQ(errors, 4);
  EXPECT_EQ(flaky.failed(), 4);
  for (size_t i = 1; i < scanned.size(); ++i) EXPECT_EQ(scanned[i].from_block, scanned[i - 1].to_block + 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tokens_s0"), 4);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mint_events"), 4);
}

TEST_P(ChainIntakeTest, TheLoopLogsRpcErrorsAndCarriesOn) {
  mint(kAnvilAccount2, 3);
  FlakyRpc flaky(*rpc_);
  flaky.fail_next("eth_getLogs", 2);
  auto w = make_watcher(flaky, options());
  std::jthread loop([&](std::stop_token stop) { w->run(stop); });
  // The loop waits its poll interval on the clock after each failure: the test moves the clock.
  glisk::testing::eventually(
      [&] {
        if (clock_.waiters() > 0) clock_.advance(options().poll_interval);
        return count("SELECT COUNT(*) FROM tokens_s0") == 3;
      },
      20s);
  loop.request_stop();
  loop.join();
  EXPECT_EQ(count("SELECT COUNT(*) FROM tokens_s0"), 3);
  EXPECT_EQ(captured_.count("watcher.rpc_error"), 2);
}

TEST_P(ChainIntakeTest, AReorgBelowTheConfirmationsIsDetectedAndRescanned) {
  const std::string snapshot = rpc_->call("evm_snapshot", chain::JsonValue::array()).get<std::string>();
  mint(kAnvilAccount2, 1);  // token 1 for account 2, in a block that will vanish
  auto w = make_watcher(*rpc_, options(1));
  catch_up(*w);
  ASSERT_EQ(author_of(1), kAnvilAccount2);
  const auto scanned_to = w->cursor()->next_block;

  ASSERT_TRUE(rpc_->call("evm_revert", chain::JsonValue::array({snapshot})).get<bool>());
  mine();                   // a different block at the old height
  mint(kAnvilAccount0, 1);  // token 1 again, now for account 0
  mine(2);
  ASSERT_GE(rpc_->block_number() + 1, scanned_to);

  auto s = w->step();
  EXPECT_TRUE(s.reorg);
  EXPECT_EQ(captured_.count("watcher.reorg_detected"), 1);
  EXPECT_LT(w->cursor()->next_block, scanned_to);
  EXPECT_GE(w->cursor()->next_block, deploy_block_);
  catch_up(*w);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mint_events"), 2);  // the vanished mint and the new one
  EXPECT_EQ(captured_.count("mint.token_conflict"), 1);     // token 1 now names another author
  EXPECT_EQ(captured_.count("watcher.reorg_detected"), 1);  // the rescan itself is consistent
}

TEST_P(ChainIntakeTest, GapRecoveryCreatesMissingTokensWithTheirAuthors) {
  mint(kAnvilAccount2, 3);                  // 1..3
  mint(kAnvilAccount0, 2, kAnvilAccount2);  // 4..5
  watcher::GapRecovery recovery(tdb_.db(), *rpc_, queue_, clock_, captured_.log, contract_, 1);
  auto report = recovery.run();
  EXPECT_EQ(report.next_token_id, 6);
  EXPECT_EQ(report.missing, 5);
  ASSERT_EQ(report.created.size(), 5u);
  EXPECT_EQ(author_of(1), kAnvilAccount2);
  EXPECT_EQ(author_of(3), kAnvilAccount2);
  EXPECT_EQ(author_of(4), kAnvilAccount0);
  EXPECT_EQ(author_of(5), kAnvilAccount0);
  EXPECT_FALSE(tokens_.find_token(5)->minter_address);
  EXPECT_FALSE(tokens_.find_token(6));

  store::in_transaction(tdb_.db(), store::TxMode::kWrite,
                        [](store::Transaction& tx) { tx.exec("DELETE FROM tokens_s0 WHERE token_id IN (2, 4)"); });
  report = recovery.run();
  EXPECT_EQ(report.missing, 2);
  ASSERT_EQ(report.created.size(), 2u);
  EXPECT_EQ(report.created[0].token_id, 2);
  EXPECT_EQ(report.created[0].author, kAnvilAccount2);
  EXPECT_EQ(report.created[1].token_id, 4);
  EXPECT_EQ(report.created[1].author, kAnvilAccount0);
  EXPECT_TRUE(recovery.run().created.empty());
  EXPECT_EQ(captured_.count("recovery.token_created"), 7);
  EXPECT_EQ(captured_.count("recovery.complete"), 3);

  // The watcher then records the mints and fills in the minters, creating nothing twice.
  auto w = make_watcher(*rpc_, options());
  catch_up(*w);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tokens_s0"), 5);
  EXPECT_EQ(tokens_.find_token(5)->minter_address, kAnvilAccount2);
}

TEST_P(ChainIntakeTest, GapRecoveryLeavesUnconfirmedMintsToTheWatcher) {
  mint(kAnvilAccount2, 2);
  watcher::GapRecovery recovery(tdb_.db(), *rpc_, queue_, clock_, captured_.log, contract_, 2);
  EXPECT_EQ(recovery.run().created.size(), 0u);  // the mint has 1 confirmation of 2
  mine();
  EXPECT_EQ(recovery.run().created.size(), 2u);
}

TEST_P(ChainIntakeTest, ServeWatchesTheChainAndRecoverPrintsWhatItCreated) {
  mint(kAnvilAccount2, 2);  // before the service starts
  const auto dir = std::filesystem::temp_directory_path() / ("glisk_watch_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::map<std::string, std::string> env = {{"DATABASE_URL", tdb_.url()},
                                                  {"PORT", "0"},
                                                  {"LOG_FORMAT", "json"},
                                                  {"DATA_DIR", (dir / "data").string()},
                                                  {"GLISK_NFT_CONTRACT_ADDRESS", contract_},
                                                  {"RPC_URL", suite_.anvil().url()},
                                                  {"MINT_CONFIRMATIONS", "1"},
                                                  {"WATCHER_POLL_SECONDS", "0.1"},
                                                  {"SHUTDOWN_TIMEOUT_SECONDS", "5"}};
  {
    glisk::testing::Subprocess serve({GLISK_BINARY, "serve"}, env, dir.string());
    auto wait_for_tokens = [&](int64_t n) {
      for (int i = 0; i < 300 && count("SELECT COUNT(*) FROM tokens_s0") < n; ++i) std::this_thread::sleep_for(50ms);
      return count("SELECT COUNT(*) FROM tokens_s0");
    };
    EXPECT_EQ(wait_for_tokens(2), 2);
    mint(kAnvilAccount0, 1);  // while it runs
    EXPECT_EQ(wait_for_tokens(3), 3);
    serve.signal(SIGTERM);
    EXPECT_EQ(serve.wait(30s), 0);
    EXPECT_NE(serve.all_stderr().find("\"watcher.started\""), std::string::npos) << serve.all_stderr();
    EXPECT_NE(serve.all_stderr().find("\"recovery.complete\""), std::string::npos) << serve.all_stderr();
    EXPECT_NE(serve.all_stderr().find("\"mint.detected\""), std::string::npos) << serve.all_stderr();
  }
  EXPECT_EQ(author_of(3), kAnvilAccount0);

  store::in_transaction(tdb_.db(), store::TxMode::kWrite,
                        [](store::Transaction& tx) { tx.exec("DELETE FROM tokens_s0 WHERE token_id = 2"); });
  glisk::testing::Subprocess recover({GLISK_BINARY, "recover"}, env, dir.string());
  ASSERT_EQ(recover.wait(30s), 0) << recover.all_stderr();
  EXPECT_NE(recover.all_stdout().find(std::string("created token 2 (author ") + kAnvilAccount2 + ")"),
            std::string::npos)
      << recover.all_stdout();
  EXPECT_NE(recover.all_stdout().find("1 missing, 1 created"), std::string::npos) << recover.all_stdout();
  EXPECT_EQ(author_of(2), kAnvilAccount2);

  auto without = env;
  without.erase("GLISK_NFT_CONTRACT_ADDRESS");
  glisk::testing::Subprocess refused({GLISK_BINARY, "recover"}, without, dir.string());
  EXPECT_EQ(refused.wait(30s), 2);
  EXPECT_NE(refused.all_stderr().find("set GLISK_NFT_CONTRACT_ADDRESS"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, ChainIntakeTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         glisk::testing::backend_param_name);
