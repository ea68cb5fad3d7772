#pragma once
// Test data in every state, made through the real moves (so token_events are written as in
// production), and a Database whose commits can be made to fail (a move must then leave no
// trace, token or event). Header-only: used by the token events, operations and admin suites.

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <stdexcept>

#include "store/reveal_journal.hpp"
#include "store/token_events.hpp"
#include "store/token_lifecycle.hpp"
#include "test_support.hpp"

namespace glisk::testing {

// Tokens 1..8, one per state: 1 detected, 2 generating (held), 3 uploading, 4 ready, 5 revealed,
// 6 failed by image, 7 failed by ipfs, 8 failed by reveal.
inline constexpr int64_t kDetected = 1, kGenerating = 2, kUploading = 3, kReady = 4, kRevealed = 5, kFailedImage = 6,
                         kFailedIpfs = 7, kFailedReveal = 8;

inline void make_every_state(store::TokenStore& tokens, store::TokenLifecycle& queue, store::RevealJournal& journal) {
  using token::Stage;
  add_detected_tokens(tokens, 1, 8);
  std::map<int64_t, std::string> lease;
  for (const auto& c : queue.claim(Stage::kImage, 8)) lease[c.token.token_id] = c.lease;
  ASSERT_EQ(lease.size(), 8u);
  ASSERT_TRUE(queue.release(Stage::kImage, kDetected, lease[kDetected]));
  ASSERT_TRUE(queue.fail(Stage::kImage, kFailedImage, lease[kFailedImage], "image: the model is gone"));
  for (int64_t id : {kUploading, kReady, kRevealed, kFailedIpfs, kFailedReveal}) {
    store::TokenPatch patch;
    patch.image_url = "https://images.example/" + std::to_string(id) + ".png";
    patch.prediction_id = "prediction-" + std::to_string(id);
    ASSERT_TRUE(queue.complete(Stage::kImage, id, lease[id], patch));
  }
  lease.clear();
  for (const auto& c : queue.claim(Stage::kIpfs, 8)) lease[c.token.token_id] = c.lease;
  ASSERT_EQ(lease.size(), 5u);
  ASSERT_TRUE(queue.release(Stage::kIpfs, kUploading, lease[kUploading]));
  ASSERT_TRUE(queue.fail(Stage::kIpfs, kFailedIpfs, lease[kFailedIpfs], "ipfs: pinata said no"));
  for (int64_t id : {kReady, kRevealed, kFailedReveal}) {
    store::TokenPatch patch;
    patch.image_cid = "bafyimage" + std::to_string(id);
    patch.metadata_cid = "bafymeta" + std::to_string(id);
    ASSERT_TRUE(queue.complete(Stage::kIpfs, id, lease[id], patch));
  }
  lease.clear();
  for (const auto& c : queue.claim(Stage::kReveal, 8)) lease[c.token.token_id] = c.lease;
  ASSERT_EQ(lease.size(), 3u);
  ASSERT_TRUE(queue.release(Stage::kReveal, kReady, lease[kReady]));
  ASSERT_TRUE(queue.release(Stage::kReveal, kRevealed, lease[kRevealed]));
  ASSERT_TRUE(queue.fail(Stage::kReveal, kFailedReveal, lease[kFailedReveal], "reveal: ERC721NonexistentToken(8)"));
  ASSERT_EQ(journal.mark_revealed_on_chain({kRevealed}), 1);
}

inline int64_t count_rows(store::Database& db, const std::string& sql, const store::Params& params = {}) {
  return store::in_transaction(db, store::TxMode::kRead, [&](store::Transaction& tx) {
    return std::stoll(tx.exec(sql, params).rows.at(0).at(0).value_or("0"));
  });
}

inline std::vector<store::TokenEvent> events_of(store::Database& db, int64_t token_id) {
  return store::in_transaction(db, store::TxMode::kRead,
                               [&](store::Transaction& tx) { return store::token_events(tx, token_id); });
}

// A Database whose write transactions fail at commit while `fail_commits` is set (refused: a
// QueryError, which nobody retries), or for the next `unavailable_commits` commits (the server
// gone: a ConnectionError, which the queue's moves ride out). The inner transaction is then
// destroyed uncommitted, so it rolls back.
class CommitFailingDatabase : public store::Database {
 public:
  explicit CommitFailingDatabase(store::Database& inner) : inner_(inner) {}
  bool fail_commits = false;
  std::atomic<int> unavailable_commits{0};

  store::Dialect dialect() const override { return inner_.dialect(); }
  std::unique_ptr<store::Transaction> begin(store::TxMode mode) override {
    return std::make_unique<Tx>(inner_.begin(mode), *this, mode == store::TxMode::kWrite);
  }
  void notify_on_commit(store::Transaction& tx, std::string_view channel, std::string_view payload) override {
    inner_.notify_on_commit(*static_cast<Tx&>(tx).inner, channel, payload);
  }
  std::unique_ptr<store::Subscription> subscribe(std::string_view channel) override {
    return inner_.subscribe(channel);
  }
  std::string describe() const override { return "commit-failing " + inner_.describe(); }

 private:
  struct Tx : store::Transaction {
    Tx(std::unique_ptr<store::Transaction> t, CommitFailingDatabase& o, bool w)
        : inner(std::move(t)), owner(o), write(w) {}
    store::Result exec(std::string_view sql, const store::Params& params) override { return inner->exec(sql, params); }
    void commit() override {
      if (owner.fail_commits && write) throw store::QueryError("commit refused (test)");
      if (write && owner.unavailable_commits.load() > 0) {
        owner.unavailable_commits--;
        throw store::ConnectionError("PostgreSQL connection lost (test)");
      }
      inner->commit();
    }
    std::unique_ptr<store::Transaction> inner;
    CommitFailingDatabase& owner;
    bool write;
  };
  store::Database& inner_;
};

}  // namespace glisk::testing
