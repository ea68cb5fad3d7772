// The operator's checks and the retry, on SQLite and PostgreSQL, with a token in every state:
// store::TokenLifecycle::retry_failed, ops::PipelineView, and the `glisk` commands that print them.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "ops/ops_json.hpp"
#include "ops/pipeline_metrics.hpp"
#include "ops/pipeline_view.hpp"
#include "ops/progress.hpp"
#include "ops/token_query.hpp"
#include "pipeline_data.hpp"
#include "prometheus_text.hpp"
#include "store/mint_events.hpp"
#include "subprocess.hpp"

using namespace glisk;
using namespace std::chrono_literals;
using glisk::testing::Backend;
using glisk::testing::TestDatabase;
using nlohmann::json;
using token::Stage;
using token::TokenStatus;
namespace gt = glisk::testing;

class OperationsTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { gt::make_every_state(tokens, queue, journal); }

  TestDatabase tdb{GetParam()};
  clock::ManualClock clock;
  queue::WakeBoard wake;
  store::TokenStore tokens{tdb.db(), clock};
  store::TokenLifecycle queue{tdb.db(), clock, wake, "instance-a", 60s};
  store::RevealJournal journal{tdb.db(), clock, "instance-a"};
  ops::PipelineView view{tdb.db(), clock};

  // Every column of every token, to prove a retry touched nothing else.
  std::vector<std::vector<std::optional<std::string>>> rows_except(const std::set<int64_t>& ids) {
    return store::in_transaction(tdb.db(), store::TxMode::kRead, [&](store::Transaction& tx) {
      auto r = tx.exec("SELECT * FROM tokens_s0 ORDER BY token_id");
      std::vector<std::vector<std::optional<std::string>>> out;
      for (const auto& row : r.rows) {
        if (!ids.contains(std::stoll(row[0].value()))) out.push_back(row);
      }
      return out;
    });
  }
  TokenStatus status_of(int64_t id) { return tokens.find_token(id)->status; }
};

TEST_P(OperationsTest, RetryOfEveryFailedTokenPutsEachAtTheStartOfTheStageThatFailedIt) {
  const auto others = rows_except({gt::kFailedImage, gt::kFailedIpfs, gt::kFailedReveal});
  clock.advance(10s);
  auto report = queue.retry_failed({{}, true, std::nullopt}, false, "cli");
  ASSERT_EQ(report.tokens.size(), 3u);
  EXPECT_EQ(report.tokens[0].token_id, gt::kFailedImage);
  EXPECT_EQ(report.tokens[0].stage, Stage::kImage);
  EXPECT_EQ(status_of(gt::kFailedImage), TokenStatus::kDetected);
  EXPECT_EQ(status_of(gt::kFailedIpfs), TokenStatus::kUploading);
  EXPECT_EQ(status_of(gt::kFailedReveal), TokenStatus::kReady);
  for (int64_t id : {gt::kFailedImage, gt::kFailedIpfs, gt::kFailedReveal}) {
    auto t = *tokens.find_token(id);
    EXPECT_FALSE(t.generation_error) << id;
    EXPECT_FALSE(t.failed_stage) << id;
    EXPECT_FALSE(t.next_attempt_at) << id;
    EXPECT_FALSE(t.locked_by) << id;
    auto e = gt::events_of(tdb.db(), id).back();
    EXPECT_EQ(e.from_status, "failed");
    EXPECT_EQ(e.instance, "cli");
  }
  // Only the failing stage's attempts start again; the image attempt of an ipfs failure stays.
  EXPECT_EQ(tokens.find_token(gt::kFailedImage)->generation_attempts, 0);
  EXPECT_EQ(tokens.find_token(gt::kFailedIpfs)->upload_attempts, 0);
  EXPECT_EQ(tokens.find_token(gt::kFailedReveal)->reveal_attempts, 0);
  EXPECT_EQ(rows_except({gt::kFailedImage, gt::kFailedIpfs, gt::kFailedReveal}), others)
      << "tokens in other states are untouched";
  // The stages can take them at once.
  EXPECT_EQ(queue.claim(Stage::kIpfs, 10).size(), 2u);  // kUploading and the retried kFailedIpfs
}

TEST_P(OperationsTest, RetryByIdsAndByStageTouchesOnlyFailedTokensOfThatStage) {
  const auto before = rows_except({gt::kFailedIpfs});
  auto report = queue.retry_failed({{}, true, Stage::kIpfs}, false, "cli");
  ASSERT_EQ(report.tokens.size(), 1u);
  EXPECT_EQ(report.tokens[0].token_id, gt::kFailedIpfs);
  EXPECT_EQ(rows_except({gt::kFailedIpfs}), before);

  // Ids of tokens in every other state are skipped, and the one failed id is taken.
  std::vector<int64_t> all = {1, 2, 3, 4, 5, 6, 8, 99};
  const auto rest = rows_except({gt::kFailedImage, gt::kFailedReveal});
  report = queue.retry_failed({all, false, std::nullopt}, false, "cli");
  ASSERT_EQ(report.tokens.size(), 2u);
  EXPECT_EQ(report.skipped, (std::vector<int64_t>{1, 2, 3, 4, 5, 99}));
  EXPECT_EQ(rows_except({gt::kFailedImage, gt::kFailedReveal}), rest);
  // Nothing failed any more: a second retry changes nothing.
  EXPECT_TRUE(queue.retry_failed({{}, true, std::nullopt}, false, "cli").tokens.empty());
}

TEST_P(OperationsTest, ADryRunShowsWhatWouldChangeAndChangesNothing) {
  const auto before = rows_except({});
  const auto events = gt::count_rows(tdb.db(), "SELECT COUNT(*) FROM token_events");
  auto report = queue.retry_failed({{}, true, std::nullopt}, true, "cli");
  ASSERT_EQ(report.tokens.size(), 3u);
  EXPECT_EQ(report.tokens[1].to, TokenStatus::kUploading);
  EXPECT_EQ(report.tokens[2].to, TokenStatus::kReady);
  EXPECT_EQ(rows_except({}), before);
  EXPECT_EQ(gt::count_rows(tdb.db(), "SELECT COUNT(*) FROM token_events"), events);
}

TEST_P(OperationsTest, ALongRetryGoesInChunksAndReportsProgress) {
  gt::add_detected_tokens(tokens, 100, 1200);
  for (int round = 0; round < 3; ++round) {
    for (const auto& c : queue.claim(Stage::kImage, 500))
      ASSERT_TRUE(queue.fail(Stage::kImage, c.token.token_id, c.lease, "x"));
  }
  std::vector<std::pair<size_t, size_t>> progress;
  auto report = queue.retry_failed({{}, true, Stage::kImage}, false, "cli",
                                   [&](size_t done, size_t total) { progress.emplace_back(done, total); });
  EXPECT_EQ(report.tokens.size(), 1202u);  // the 1200, kDetected (claimed with them) and kFailedImage
  ASSERT_EQ(progress.size(), 3u);
  EXPECT_EQ(progress[0], (std::pair<size_t, size_t>{500, 1202}));
  EXPECT_EQ(progress.back(), (std::pair<size_t, size_t>{1202, 1202}));
  EXPECT_EQ(tokens.count_by_status()[TokenStatus::kFailed], 2);  // kFailedIpfs, kFailedReveal
}

TEST_P(OperationsTest, ViewsShowRecentTokensFailuresHistoryRevealsAndThroughput) {
  auto recent = view.recent_tokens(3);
  ASSERT_EQ(recent.size(), 3u);
  auto failures = view.failures(10);
  ASSERT_EQ(failures.size(), 3u);
  std::set<std::string> stages;
  for (const auto& f : failures) {
    stages.insert(f.stage);
    EXPECT_EQ(f.attempts, 1);
    EXPECT_FALSE(f.error.empty());
  }
  EXPECT_EQ(stages, (std::set<std::string>{"image", "ipfs", "reveal"}));
  auto history = view.history(gt::kRevealed);
  ASSERT_TRUE(history);
  EXPECT_EQ(history->back().to_status, "revealed");
  EXPECT_FALSE(view.history(404));
  EXPECT_TRUE(view.reveals(5).empty());
  auto minutes = view.throughput();
  ASSERT_EQ(minutes.size(), 60u);
  EXPECT_EQ(minutes.back().moved_to["revealed"], 1);
  EXPECT_EQ(minutes.back().moved_to["failed"], 3);
  EXPECT_EQ(minutes.back().moved_to["ready"], 3);
  clock.advance(2h);
  for (const auto& m : view.throughput()) EXPECT_TRUE(m.moved_to.empty());
  for (int bad : {0, -1, 1001}) {
    EXPECT_NE(glisk::testing::error_of<ops::InvalidRequest>([&] { view.recent_tokens(bad); }).find("1..1000"),
              std::string::npos);
  }
}

// The chart counts tokens: a token that reaches a status twice in a minute (a retry) counts once,
// where the moves count twice.
TEST_P(OperationsTest, ThroughputCountsTokensApartFromMoves) {
  queue.retry_failed({{gt::kFailedImage}, false, std::nullopt}, false, "cli");
  ASSERT_EQ(queue.claim(Stage::kImage, 10).size(), 2u);  // kDetected (released) and the retried kFailedImage
  auto minutes = view.throughput();
  EXPECT_EQ(minutes.back().moved_to["generating"], 10);
  EXPECT_EQ(minutes.back().tokens["generating"], 8);
  EXPECT_EQ(minutes.back().tokens["revealed"], 1);
  EXPECT_EQ(ops::throughput_json(minutes).back()["tokens"]["generating"], 8);
}

// Search, filters and keyset pages, and what the token page reads, on both stores.
TEST_P(OperationsTest, TokenSearchFindsByEveryKeyAndPagesByCursor) {
  auto ids = [&](const store::TokenSearch& s) {
    std::vector<int64_t> out;
    for (const auto& t : view.tokens(s).tokens) out.push_back(t.token_id);
    return out;
  };
  auto search = [](const std::string& q) {
    store::TokenSearch s;
    ops::parse_search_text(q, s);
    return s;
  };
  // A mint of tokens 3..5, and a reveal of token 4 with its transaction on the token.
  const std::string mint_tx = "0x" + std::string(64, 'a');
  store::in_transaction(tdb.db(), store::TxMode::kWrite, [&](store::Transaction& tx) {
    store::MintRow mint;
    mint.tx_hash = mint_tx;
    mint.block_number = 7;
    mint.minter = "0x00000000000000000000000000000000000000b2";
    mint.author_wallet = "0x00000000000000000000000000000000000000a1";
    mint.start_token_id = 3;
    mint.quantity = 3;
    mint.total_paid = "0";
    store::record_mint_event(tx, mint, "2026-01-01T00:00:00.000Z");
  });
  store::SignedReveal reveal;
  reveal.sender = "0x00000000000000000000000000000000000000b1";
  reveal.tx_hash = "0x" + std::string(64, 'e');
  reveal.token_ids = {gt::kReady};
  reveal.raw_tx = "0x02";
  store::JournalEntry entry;
  static_cast<store::SignedReveal&>(entry) = reveal;
  entry.id = journal.record_pending(reveal);
  ASSERT_EQ(journal.confirm(entry, 12, 60000, eth::U256(1000)), 1);

  EXPECT_EQ(ids(search("4")), (std::vector<int64_t>{4}));
  EXPECT_EQ(ids(search("0x" + std::string(64, 'A'))), (std::vector<int64_t>{5, 4, 3})) << "the mint, any case";
  EXPECT_EQ(ids(search(reveal.tx_hash)), (std::vector<int64_t>{4})) << "the reveal";
  EXPECT_EQ(ids(search("bafyimage8")), (std::vector<int64_t>{8}));
  EXPECT_EQ(ids(search("bafymeta5")), (std::vector<int64_t>{5}));
  EXPECT_EQ(ids(search("0x00000000000000000000000000000000000000A1")).size(), 8u) << "the author, any case";
  EXPECT_TRUE(ids(search("0x00000000000000000000000000000000000000c3")).empty());
  auto failed_reveal = search("");
  failed_reveal.status = TokenStatus::kFailed;
  failed_reveal.stage = Stage::kReveal;
  EXPECT_EQ(ids(failed_reveal), (std::vector<int64_t>{gt::kFailedReveal}));
  auto reveal_stage = search("");
  reveal_stage.stage = Stage::kReveal;
  EXPECT_EQ(ids(reveal_stage), (std::vector<int64_t>{8})) << "ready token 4 is revealed now";

  // Pages: the cursor is the last id shown; a token that moves meanwhile changes no page's bounds.
  store::TokenSearch paged;
  paged.limit = 3;
  auto first = view.tokens(paged);
  ASSERT_EQ(first.next_before, 6);
  queue.retry_failed({{gt::kFailedIpfs}, false, std::nullopt}, false, "cli");
  paged.before = first.next_before;
  EXPECT_EQ(ids(paged), (std::vector<int64_t>{5, 4, 3}));
  paged.before = 3;
  EXPECT_FALSE(view.tokens(paged).next_before);
  paged.limit = 0;
  EXPECT_NE(glisk::testing::error_of<ops::InvalidRequest>([&] { view.tokens(paged); }).find("1..1000"),
            std::string::npos);

  auto detail = view.token_detail(gt::kReady);
  ASSERT_TRUE(detail);
  EXPECT_EQ(detail->origin.mint_tx_hash, mint_tx);
  EXPECT_EQ(detail->origin.mint_block, 7);
  EXPECT_EQ(detail->origin.author_wallet, "0x00000000000000000000000000000000000000a1");
  ASSERT_TRUE(detail->reveal);
  EXPECT_EQ(detail->reveal->gas_per_token, 60000);
  EXPECT_FALSE(view.token_detail(404));
  EXPECT_FALSE(view.token_detail(gt::kDetected)->origin.mint_tx_hash) << "token 1 was not in the mint";
  EXPECT_EQ(view.reveals(5, entry.id).size(), 0u) << "no reveal below the first";
  EXPECT_EQ(view.reveals(5, entry.id + 1).size(), 1u);
}

// "-0" once passed as token 0: std::from_chars into a signed type takes the sign (found by
// fuzz/route_params.cpp).
TEST(OperatorInput, TokenIdsAndLimitsAreDigitsOnly) {
  EXPECT_EQ(ops::parse_token_id("042"), 42);
  EXPECT_EQ(ops::parse_token_id("9223372036854775807"), INT64_MAX);
  for (const std::string bad : {"", "-0", "-1", "+1", " 1", "1 ", "0x10", "9223372036854775808"}) {
    EXPECT_EQ(glisk::testing::error_of<ops::InvalidRequest>([&] { ops::parse_token_id(bad); }),
              "a token id must be a non-negative whole number, got '" + bad + "'");
  }
  EXPECT_EQ(ops::parse_limit("1000", "?limit"), 1000);
  for (const std::string bad : {"0", "-0", "1001", "", "20 ", "99999999999999999999"}) {
    EXPECT_EQ(glisk::testing::error_of<ops::InvalidRequest>([&] { ops::parse_limit(bad, "?limit"); }),
              "?limit must be a whole number 1..1000, got '" + bad + "'");
  }
}

// The `glisk` commands against the same database, as an operator runs them.
class OperationsCliTest : public OperationsTest {
 protected:
  gt::CommandResult glisk(std::vector<std::string> args) {
    args.insert(args.begin(), GLISK_BINARY);
    const auto dir = std::filesystem::temp_directory_path() / ("glisk_ops_" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    gt::Subprocess p(args, {{"DATABASE_URL", tdb.url()}, {"LOG_FORMAT", "json"}}, dir.string());
    const int code = p.wait(60s);
    return {code, p.all_stdout(), p.all_stderr()};
  }
  json glisk_json(std::vector<std::string> args) {
    args.push_back("--json");
    auto r = glisk(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }
};

TEST_P(OperationsCliTest, StatusQueuesTokensFailuresAndShowAsTablesAndJson) {
  auto status = glisk({"status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("failed"), std::string::npos);
  EXPECT_NE(status.out.find("total"), std::string::npos);
  auto counts = glisk_json({"status"});
  EXPECT_EQ(counts["tokens"]["failed"], 3);
  EXPECT_EQ(counts["tokens"]["revealed"], 1);
  EXPECT_EQ(counts["total"], 8);

  auto queues = glisk_json({"queues"});
  EXPECT_EQ(queues["image"]["depth"], 2);  // detected + generating
  EXPECT_EQ(queues["image"]["in_flight"], 1);
  EXPECT_NE(glisk({"queues"}).out.find("IN FLIGHT"), std::string::npos);

  auto recent = glisk_json({"tokens", "--recent", "4"});
  EXPECT_EQ(recent.size(), 4u);
  EXPECT_NE(glisk({"tokens", "--recent", "2"}).out.find("STATUS"), std::string::npos);

  auto failures = glisk_json({"failures", "--limit", "10"});
  ASSERT_EQ(failures.size(), 3u);
  auto table = glisk({"failures"});
  EXPECT_NE(table.out.find("pinata said no"), std::string::npos);

  auto story = glisk_json({"show", "5"});
  EXPECT_EQ(story["token"]["status"], "revealed");
  EXPECT_EQ(story["token"]["prediction_id"], "prediction-5");
  EXPECT_EQ(story["token"]["image_cid"], "bafyimage5");
  EXPECT_EQ(story["events"].size(), 8u);
  auto shown = glisk({"show", "7"});
  EXPECT_EQ(shown.exit_code, 0);
  EXPECT_NE(shown.out.find("generating -> uploading"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("prediction-7"), std::string::npos);
  EXPECT_EQ(glisk({"show", "404"}).exit_code, 3);
}

// The queue controls from the command line: pause and resume shown in status and queues with who
// and when, cancel and retry --now with dry runs, each recorded with the caller `cli:user@host`.
TEST_P(OperationsCliTest, PauseResumeCancelAndRetryNowFromTheCommandLine) {
  auto paused = glisk({"pause", "image", "--reason", "Replicate billing is being fixed"});
  ASSERT_EQ(paused.exit_code, 0) << paused.err;
  EXPECT_NE(paused.out.find("image paused"), std::string::npos) << paused.out;
  auto status = glisk({"status"});
  EXPECT_NE(status.out.find("PAUSED by cli:"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("Replicate billing is being fixed"), std::string::npos) << status.out;
  EXPECT_TRUE(status.out.find("(now)") != std::string::npos || status.out.find(" ago)") != std::string::npos)
      << "an age beside the time: " << status.out;
  auto queues = glisk_json({"queues"});
  EXPECT_EQ(queues["image"]["operator_pause"]["reason"], "Replicate billing is being fixed");
  EXPECT_TRUE(queues["ipfs"]["operator_pause"].is_null());
  EXPECT_EQ(glisk_json({"status"})["operator_pauses"][0]["stage"], "image");
  EXPECT_EQ(glisk({"pause", "image"}).exit_code, 2) << "a pause needs a reason";
  EXPECT_EQ(glisk({"pause", "paint", "--reason", "x"}).exit_code, 2);
  auto resumed = glisk({"resume", "image"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("image resumed"), std::string::npos) << resumed.out;
  EXPECT_EQ(glisk_json({"status"})["operator_pauses"].size(), 0u);

  auto dry = glisk({"cancel", "--status", "failed", "--stage", "ipfs", "--reason", "bad host", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("would cancel 1 token(s)"), std::string::npos) << dry.out;
  EXPECT_FALSE(tokens.find_token(gt::kFailedIpfs)->cancelled_at);
  auto cancelled = glisk_json({"cancel", "1", "5", "--reason", "wrong author"});
  EXPECT_EQ(cancelled["count"], 1);
  EXPECT_EQ(cancelled["skipped"][0]["token_id"], 5);
  EXPECT_EQ(status_of(gt::kDetected), TokenStatus::kFailed);
  // (The command's clock is the real one, the fixture's a manual one: find the event, not the last.)
  std::optional<store::TokenEvent> cancel_event;
  for (const auto& e : gt::events_of(tdb.db(), gt::kDetected)) {
    if (e.to_status == "failed") cancel_event = e;
  }
  ASSERT_TRUE(cancel_event);
  EXPECT_TRUE(cancel_event->instance.value_or("").starts_with("cli:")) << cancel_event->instance.value_or("");
  EXPECT_NE(cancel_event->instance.value_or("").find('@'), std::string::npos) << "cli:user@host";
  EXPECT_NE(cancel_event->error.value_or("").find("wrong author"), std::string::npos);
  auto shown = glisk({"show", "1"});
  EXPECT_NE(shown.out.find("cancelled"), std::string::npos) << shown.out;
  EXPECT_EQ(glisk({"cancel", "1"}).exit_code, 2) << "a cancel needs a reason";
  auto refused = glisk({"retry", "1"});
  EXPECT_NE(refused.err.find("cancelled"), std::string::npos) << refused.err;

  // Token 3 (uploading) waits out a backoff: `retry 3` leaves it, `retry --now 3` makes it due.
  auto claim = queue.claim(Stage::kIpfs, 1);
  ASSERT_EQ(claim.size(), 1u);
  ASSERT_EQ(queue.record_failure(Stage::kIpfs, gt::kUploading, claim[0].lease, "pinata: 503",
                                 clock::SystemClock().now() + 300s, 3),
            store::FailureOutcome::kRetryScheduled);
  auto plain = glisk({"retry", "3"});
  EXPECT_NE(plain.err.find("--now"), std::string::npos) << "the refusal names the way: " << plain.err;
  auto now = glisk({"retry", "--now", "3"});
  ASSERT_EQ(now.exit_code, 0) << now.err;
  EXPECT_NE(now.out.find("due now"), std::string::npos) << now.out;
  EXPECT_LE(tokens.find_token(gt::kUploading)->next_attempt_at.value(), clock::SystemClock().now()) << "due now";
  EXPECT_EQ(glisk({"retry", "--waiting"}).exit_code, 2) << "--waiting needs --now";
  // Ages beside the stamps (this fixture's clock is ahead of the CLI's, so they read "in …").
  for (const auto& args : {std::vector<std::string>{"failures"}, {"tokens"}, {"show", "3"}}) {
    auto out = glisk(args).out;
    EXPECT_TRUE(out.find(" ago)") != std::string::npos || out.find("(in ") != std::string::npos) << out;
  }
}

// What a "reveal pending too long" alert reads: reveals on their way, one per nonce (a batch and
// its fee-bumped replacement are one), and how long the oldest has been.
TEST_P(OperationsTest, OpenRevealsAndTheAgeOfTheOldestAreGaugesFromTheJournal) {
  metrics::Registry registry;
  ops::install_reveal_metrics(registry, journal, clock);
  auto value = [&](const std::string& name) {
    return glisk::testing::parse_prometheus_text(registry.render()).at(name).value();
  };
  EXPECT_EQ(value("glisk_reveal_transactions_open"), 0);
  EXPECT_EQ(value("glisk_reveal_oldest_open_age_seconds"), 0);
  store::SignedReveal sent;
  sent.sender = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
  sent.nonce = 3;
  sent.tx_hash = "0x" + std::string(64, '1');
  sent.token_ids = {gt::kReady};
  sent.raw_tx = "0x02";
  journal.record_pending(sent);
  clock.advance(60s);
  sent.tx_hash = "0x" + std::string(64, '2');  // its replacement, same nonce
  journal.record_pending(sent);
  sent.nonce = 4;
  sent.tx_hash = "0x" + std::string(64, '3');
  journal.record_pending(sent);
  clock.advance(30s);
  EXPECT_EQ(value("glisk_reveal_transactions_open"), 2);
  EXPECT_NEAR(value("glisk_reveal_oldest_open_age_seconds"), 90, 1);
}

// A token revealed by a transaction of the journal shows what its reveal cost per token, in
// `glisk show` (text and JSON) and in the reveal list (/api/reveals, the dashboard).
TEST_P(OperationsCliTest, ShowGivesTheRevealsGasPerToken) {
  store::SignedReveal sent;
  sent.sender = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
  sent.nonce = 3;
  sent.tx_hash = "0x" + std::string(64, 'a');
  sent.token_ids = {gt::kReady};
  sent.gas_limit = 80'000;
  sent.raw_tx = "0x02";
  const int64_t row = journal.record_pending(sent);
  store::JournalEntry mined;
  static_cast<store::SignedReveal&>(mined) = sent;
  mined.id = row;
  ASSERT_EQ(journal.confirm(mined, 12, 53'481, eth::U256(1'000'000'000)), 1);

  auto story = glisk_json({"show", std::to_string(gt::kReady)});
  EXPECT_EQ(story["token"]["status"], "revealed");
  EXPECT_EQ(story["reveal"]["gas_per_token"], 53'481);
  EXPECT_EQ(story["reveal"]["tx_hash"], sent.tx_hash);
  auto shown = glisk({"show", std::to_string(gt::kReady)});
  EXPECT_NE(shown.out.find("reveal gas      53481 per token (53481 gas, 1 tokens, block 12)"), std::string::npos)
      << shown.out;
  EXPECT_TRUE(glisk_json({"show", std::to_string(gt::kRevealed)})["reveal"].is_null())
      << "revealed on chain by another transaction: no row of ours";
  EXPECT_EQ(ops::reveal_json(view.reveals(1).front())["gas_per_token"], 53'481);
}

TEST_P(OperationsCliTest, BadInputChangesNothingAndSaysWhatIsAccepted) {
  const auto before = rows_except({});
  for (const auto& args : std::vector<std::vector<std::string>>{{"tokens", "--recent", "0"},
                                                                {"failures", "--limit", "x"},
                                                                {"retry"},
                                                                {"retry", "6", "--failed"},
                                                                {"retry", "abc"},
                                                                {"retry", "6", "--stage", "ipfs"},
                                                                {"retry", "--failed", "--stage", "paint"},
                                                                {"show", "x1"}}) {
    auto r = glisk(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << r.err;
    EXPECT_NE(r.err.find("glisk: "), std::string::npos) << r.err;
  }
  EXPECT_EQ(rows_except({}), before);
}

TEST_P(OperationsCliTest, RetryDryRunThenRetryByStageThenById) {
  auto dry = glisk({"retry", "--failed", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("would retry 3 token(s)"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("token 7: failed (ipfs) -> uploading"), std::string::npos) << dry.out;
  EXPECT_EQ(status_of(gt::kFailedIpfs), TokenStatus::kFailed);

  auto by_stage = glisk_json({"retry", "--failed", "--stage", "reveal"});
  EXPECT_EQ(by_stage["count"], 1);
  EXPECT_EQ(by_stage["tokens"][0]["to"], "ready");
  EXPECT_EQ(status_of(gt::kFailedReveal), TokenStatus::kReady);

  auto by_id = glisk({"retry", "6", "3"});
  ASSERT_EQ(by_id.exit_code, 0) << by_id.err;
  EXPECT_NE(by_id.out.find("retried 1 token(s)"), std::string::npos) << by_id.out;
  EXPECT_NE(by_id.err.find("token 3 is not failed"), std::string::npos) << by_id.err;
  EXPECT_EQ(status_of(gt::kFailedImage), TokenStatus::kDetected);
  EXPECT_EQ(status_of(gt::kUploading), TokenStatus::kUploading);
  // (The command's clock is the real one, the fixture's a manual one: find the event, not the last.)
  bool by_cli = false;
  for (const auto& e : gt::events_of(tdb.db(), gt::kFailedImage)) {
    by_cli |= e.from_status == "failed" && e.to_status == "detected" && e.instance.value_or("").starts_with("cli:");
  }
  EXPECT_TRUE(by_cli);
}

TEST(TerminalProgress, WritesOnlyWhenEnabledAndEndsTheLine) {
  std::ostringstream on, off;
  {
    ops::TerminalProgress p(on, true, "retry");
    p.update(500, 2000);
    p.update(2000, 2000);
  }
  {
    ops::TerminalProgress p(off, false, "retry");
    p.update(1, 2);
  }
  EXPECT_EQ(on.str(), "\rretry: 500/2000 (25%)\rretry: 2000/2000 (100%)\n");
  EXPECT_EQ(off.str(), "");
}

INSTANTIATE_TEST_SUITE_P(Backends, OperationsTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         glisk::testing::backend_param_name);
INSTANTIATE_TEST_SUITE_P(Backends, OperationsCliTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         glisk::testing::backend_param_name);
