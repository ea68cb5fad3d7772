// MintRecorder on SQLite and PostgreSQL: events are recorded once, tokens are created once,
// authors are created once with their EIP-55 address, and a caller's rollback undoes it all.
#include "mints/mint_recorder.hpp"

#include <gtest/gtest.h>

#include "store/token_store.hpp"
#include "test_support.hpp"

using namespace glisk;
using glisk::testing::Backend;
using glisk::testing::TestDatabase;

namespace {

constexpr const char* kAuthor = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
constexpr const char* kMinter = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

mints::MintEvent event(int64_t start, int64_t quantity, char tx = 'a', int64_t log_index = 0,
                       const std::string& author = kAuthor) {
  mints::MintEvent e;
  e.contract = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
  e.tx_hash = "0x" + std::string(64, tx);
  e.log_index = log_index;
  e.block_number = 10;
  e.block_hash = "0x" + std::string(64, 'c');
  e.minter = kMinter;
  e.prompt_author = author;
  e.start_token_id = start;
  e.quantity = quantity;
  e.total_paid = "115792089237316195423570985008687907853269984665640564039457584007913129639935";  // 2^256-1
  return e;
}

}  // namespace

class MintRecorderTest : public ::testing::TestWithParam<Backend> {
 protected:
  mints::RecordOutcome record(const mints::MintEvent& e) {
    return store::in_transaction(tdb.db(), store::TxMode::kWrite,
                                 [&](store::Transaction& tx) { return recorder.record(tx, e); });
  }
  int64_t count(const std::string& sql) {
    auto r =
        store::in_transaction(tdb.db(), store::TxMode::kRead, [&](store::Transaction& tx) { return tx.exec(sql); });
    return std::stoll(r.rows.at(0).at(0).value());
  }

  TestDatabase tdb{GetParam()};
  clock::ManualClock clock;
  store::TokenStore tokens{tdb.db(), clock};
  mints::MintRecorder recorder{clock};
};

TEST_P(MintRecorderTest, RecordsTheEventItsTokensAndTheAuthor) {
  auto outcome = record(event(1, 3));
  EXPECT_FALSE(outcome.duplicate);
  EXPECT_EQ(outcome.tokens_created, 3);
  auto author = glisk::testing::find_author(tokens, kAuthor);
  ASSERT_TRUE(author);
  EXPECT_FALSE(author->prompt_text);
  for (int64_t id = 1; id <= 3; ++id) {
    auto t = tokens.find_token(id);
    ASSERT_TRUE(t) << id;
    EXPECT_EQ(t->status, token::TokenStatus::kDetected);
    EXPECT_EQ(t->author_id, author->id);
    EXPECT_EQ(t->minter_address, kMinter);
  }
  EXPECT_FALSE(tokens.find_token(4));
  auto r = store::in_transaction(tdb.db(), store::TxMode::kRead, [](store::Transaction& tx) {
    return tx.exec(
        "SELECT tx_hash, log_index, block_number, author_wallet, start_token_id, quantity, total_paid FROM "
        "mint_events");
  });
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][3], kAuthor);
  EXPECT_EQ(r.rows[0][5], "3");
  EXPECT_EQ(r.rows[0][6], "115792089237316195423570985008687907853269984665640564039457584007913129639935");
}

TEST_P(MintRecorderTest, TheSameLogTwiceChangesNothing) {
  ASSERT_EQ(record(event(1, 2)).tokens_created, 2);
  clock.advance(std::chrono::seconds(5));
  auto again = record(event(1, 2));
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.tokens_created, 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mint_events"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tokens_s0"), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM authors"), 1);
}

TEST_P(MintRecorderTest, OverlappingTokenIdsAreCreatedOnce) {
  EXPECT_EQ(record(event(1, 3, 'a')).tokens_created, 3);
  auto overlap = record(event(2, 4, 'b'));  // ids 2..5: 4 and 5 are new
  EXPECT_FALSE(overlap.duplicate);
  EXPECT_EQ(overlap.tokens_created, 2);
  EXPECT_TRUE(overlap.conflicting_token_ids.empty());
  EXPECT_EQ(count("SELECT COUNT(*) FROM tokens_s0"), 5);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mint_events"), 2);
}

TEST_P(MintRecorderTest, AuthorIsCreatedOnceWithItsChecksumAddress) {
  record(event(1, 1, 'a'));
  record(event(2, 1, 'b'));
  record(event(3, 1, 'a', 1));  // same transaction, another log
  EXPECT_EQ(count("SELECT COUNT(*) FROM authors"), 1);
  auto r = store::in_transaction(tdb.db(), store::TxMode::kRead,
                                 [](store::Transaction& tx) { return tx.exec("SELECT wallet_address FROM authors"); });
  EXPECT_EQ(r.rows.at(0).at(0), kAuthor);
}

TEST_P(MintRecorderTest, KeepsAnAuthorsPromptAndFillsAMissingMinter) {
  glisk::testing::add_author(tokens, kAuthor, std::string("a lighthouse at dusk"));
  auto author_id = glisk::testing::find_author(tokens, kAuthor)->id;
  ASSERT_TRUE(glisk::testing::add_token(tokens, 2, author_id));  // as gap recovery makes it
  auto outcome = record(event(1, 2));
  EXPECT_EQ(outcome.tokens_created, 1);
  EXPECT_EQ(glisk::testing::find_author(tokens, kAuthor)->prompt_text, "a lighthouse at dusk");
  EXPECT_EQ(tokens.find_token(2)->minter_address, kMinter);
}

TEST_P(MintRecorderTest, ReportsTokensThatBelongToAnotherAuthor) {
  record(event(1, 2, 'a'));
  auto other = record(event(2, 2, 'b', 0, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"));
  EXPECT_EQ(other.tokens_created, 1);
  EXPECT_EQ(other.conflicting_token_ids, std::vector<int64_t>{2});
}

TEST_P(MintRecorderTest, ALargeMintIsCreatedInFull) {
  EXPECT_EQ(record(event(1, 1'000)).tokens_created, 1'000);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tokens_s0"), 1'000);
  EXPECT_EQ(count("SELECT MAX(token_id) FROM tokens_s0"), 1'000);
}

TEST_P(MintRecorderTest, TheCallersRollbackUndoesEverything) {
  try {
    store::in_transaction(tdb.db(), store::TxMode::kWrite, [&](store::Transaction& tx) {
      recorder.record(tx, event(1, 3));
      throw std::runtime_error("the cursor could not be saved");
    });
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM tokens_s0"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM mint_events"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM authors"), 0);
  EXPECT_EQ(record(event(1, 3)).tokens_created, 3);
}

INSTANTIATE_TEST_SUITE_P(Backends, MintRecorderTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         glisk::testing::backend_param_name);
