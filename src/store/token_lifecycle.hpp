#pragma once
// The token lifecycle over tokens_s0: the only writer of tokens and their token_events. Every
// move a token makes — created, claimed, saved, completed, retried, failed, postponed, released,
// sent back for a new image, retried by an operator, revealed — is a statement here, and each is
// checked against token::is_legal_transition (token/token.hpp, the one table) by an always-on
// check: a move the table does not allow is a bug (errors::Bug), in every build.
//
// - create_detected(): a mint's (or gap recovery's) tokens, in the caller's transaction.
// - claim(): atomically takes up to N due tokens of a stage and writes a lease (locked_by =
//   a fresh lease id, locked_until = now + lease). PostgreSQL does it in one UPDATE … FROM
//   (SELECT … FOR UPDATE SKIP LOCKED); SQLite inside BEGIN IMMEDIATE. A token whose lease ran
//   out (its process died) is due again and is taken up by any instance; nothing is reset at
//   startup, so a second instance never steals live work.
// - Every later move is a guarded UPDATE (`WHERE token_id = ? AND locked_by = lease AND status = working`):
//   a process that lost its lease changes nothing and is told so (false / kLeaseLost).
// - The moves that record work done or paid for (save, complete, record_failure, fail, postpone,
//   send_back_for_new_image) ride out a database outage (UnavailableError: a restart, a
//   full disk): they try again, pausing longer each time, for up to one lease length, then throw.
//   Lock contention (BusyError) is ridden out the same way. Repeating is safe because each
//   is one guarded transaction: a repeat after a commit whose answer was lost changes nothing and
//   reports the lease lost. Releases ride them out for a few seconds (they run at shutdown); claims
//   and renewals are not repeated: the loops poll again.
// - The reveal moves (reveal_confirmed, revealed_on_chain, postpone_reveal) are keyed by status,
//   not by a lease, and run in the keeper journal's transaction (store/reveal_journal.hpp): the
//   chain's word about a transaction counts even after the process that sent it died.
// - Moves that make work for a stage wake it: in this process at once (WakeBoard), in other
//   processes through PostgreSQL NOTIFY on kWakeChannel.
// No transaction spans an outside call: callers claim, call the provider, then finish.
// Thread-safe.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "clock/clock.hpp"
#include "queue/wake_signal.hpp"
#include "store/database.hpp"
#include "token/token.hpp"

namespace glisk::store {

inline constexpr std::string_view kWakeChannel = "glisk_work";
// system_state keys (+ stage) of the counts of operators' retries and cancels, from every instance
// and the CLI alike (glisk_operator_retries_total, glisk_operator_cancels_total).
inline constexpr std::string_view kOperatorRetriesKey = "operator_retries:";
inline constexpr std::string_view kOperatorCancelsKey = "operator_cancels:";

struct Claim {
  token::Token token;
  std::string lease;                          // pass back to every later call
  std::optional<std::string> recovered_from;  // the lease of a holder that let it expire
};

// Fields a stage records on its token. Unset fields are left alone.
struct TokenPatch {
  std::optional<std::string> image_url{};
  std::optional<std::string> image_cid{};
  std::optional<std::string> metadata_cid{};
  std::optional<std::string> reveal_tx_hash{};
  std::optional<std::string> prediction_id{};
  bool clear_prediction_id = false;
  // The model refused the author's prompt, for this reason: recorded once on the token
  // (prompt_refused_at) and in its history (save() only).
  std::optional<std::string> prompt_refused{};
};

enum class FailureOutcome { kRetryScheduled, kFailed, kLeaseLost };

// Which tokens an operator's retry takes: the listed ids, or every failed token; either narrowed
// to the tokens one stage failed (or, for waiting tokens, that one stage will take). With `now`,
// tokens waiting out a backoff (at a stage's input, not held, due later) are taken too: made due
// at once (`glisk retry --now`, after the cause of their retries is fixed). Cancelled tokens are
// never taken.
struct RetrySelection {
  std::vector<int64_t> token_ids;  // used unless all_failed (for failed tokens) / all_waiting
  bool all_failed = false;
  std::optional<token::Stage> stage;
  bool now = false;          // also the tokens waiting out a backoff
  bool all_waiting = false;  // with now: every token waiting out a backoff
};

struct RetriedToken {
  int64_t token_id = 0;
  token::Stage stage = token::Stage::kImage;  // the stage that failed it (or it waits for), which takes it again
  token::TokenStatus to = token::TokenStatus::kDetected;
};

struct RetryReport {
  std::vector<RetriedToken> tokens;    // failed tokens put back (or, in a dry run, that would be)
  std::vector<RetriedToken> made_due;  // waiting tokens made due now (retry --now); their status is kept
  std::vector<int64_t> skipped;        // listed ids neither failed nor waiting (unknown, cancelled, …): untouched
};

// Which tokens an operator's cancel takes: the listed ids, or every token in `status`, narrowed to
// `stage` (the tokens waiting for or held by it; for failed tokens, the stage that failed them).
struct CancelSelection {
  std::vector<int64_t> token_ids;  // used unless status is set
  std::optional<token::TokenStatus> status;
  std::optional<token::Stage> stage;
};

struct CancelledToken {
  int64_t token_id = 0;
  token::TokenStatus from = token::TokenStatus::kDetected;
  token::Stage stage = token::Stage::kImage;  // where it was (recorded as failed_stage)
};

struct SkippedToken {
  int64_t token_id = 0;
  std::string reason;  // why it was left alone, and what to do
};

struct CancelReport {
  std::vector<CancelledToken> tokens;  // cancelled (or, in a dry run, that would be)
  std::vector<SkippedToken> skipped;   // listed ids left alone
};

// Called after each chunk of a long retry with (done, total).
using RetryProgress = std::function<void(size_t done, size_t total)>;

// Tokens a mint brought (or gap recovery found): ids first..last, all `detected`, each with its
// first event (instance = `source`, with the mint's transaction hash).
struct NewTokens {
  int64_t first_id = 0;
  int64_t last_id = 0;
  int64_t author_id = 0;
  std::optional<std::string> minter;
  std::string source;  // "mint", "gap_recovery"
  std::optional<std::string> tx_hash;
};

// Creates the tokens that do not exist yet, in the caller's transaction (a mint is recorded with
// its tokens, the watcher's cursor with both); idempotent on token_id. Returns the ids created.
// `now` is time_format text.
std::vector<int64_t> create_detected(Transaction& tx, const NewTokens& tokens, const std::string& now);
// Of first..last, the tokens that exist without a minter get `minter` (gap recovery could not
// know it); returns the ids among them that belong to another author than `author_id`.
std::vector<int64_t> adopt_existing(Transaction& tx, int64_t first_id, int64_t last_id, int64_t author_id,
                                    const std::string& minter, const std::string& now);

// The reveal moves, in the keeper journal's transaction (keyed by status, not by a lease). `now`
// and `retry_at` are time_format text; `instance` names the process in the events.
//
// The tokens of `ids` that are ready — or failed (token::kRevealedAfterFailure) — become
// revealed. `tx_hash`: our transaction that mined them (the attempt counted); nullopt: the chain
// shows them revealed by a transaction not ours ("already revealed on chain"). Returns how many.
int64_t reveal_tokens(Transaction& tx, const std::vector<int64_t>& ids, const std::optional<std::string>& tx_hash,
                      const std::string& instance, const std::string& now);
// The ready tokens of `ids` wait until `retry_at`: lease dropped, status kept, `reason` kept as
// the latest error when given, the attempt counted when `count_attempt`.
void postpone_reveal(Transaction& tx, const std::vector<int64_t>& ids, const std::optional<std::string>& reason,
                     const std::string& retry_at, const std::string& now, bool count_attempt,
                     const std::string& instance);

class TokenLifecycle {
 public:
  // `instance` names this process in leases (e.g. host:pid:nonce); `lease` is the lease length.
  TokenLifecycle(store::Database& db, clock::Clock& clock, queue::WakeBoard& wake, std::string instance,
                 std::chrono::milliseconds lease);

  const std::string& instance() const { return instance_; }
  std::chrono::milliseconds lease_length() const { return lease_; }

  std::vector<Claim> claim(token::Stage stage, int limit);

  // The database's plan for a claim of `limit` tokens, as text (EXPLAIN; nothing is claimed): for
  // the tests and the benchmark that check a claim reads indexes and sorts no backlog.
  std::string explain_claim(token::Stage stage, int limit);

  // Extends the leases still held; returns the token ids whose lease was extended.
  [[nodiscard]] std::vector<int64_t> renew(token::Stage stage,
                                           const std::vector<std::pair<int64_t, std::string>>& held);

  // Records fields while keeping the lease (e.g. a prediction id before waiting on it).
  [[nodiscard]] bool save(token::Stage stage, int64_t token_id, const std::string& lease, const TokenPatch& patch);

  // Finishes the stage: the token moves to the stage's output, its lease, backoff and error are
  // cleared, the next stage's attempt counter starts at 0, and the next stage is woken.
  [[nodiscard]] bool complete(token::Stage stage, int64_t token_id, const std::string& lease,
                              const TokenPatch& patch = {});

  // Counts a failed attempt. Below `max_attempts` the token goes back to the stage's input, due at
  // `retry_at`; at `max_attempts` it is failed. `error` is kept in generation_error.
  [[nodiscard]] FailureOutcome record_failure(token::Stage stage, int64_t token_id, const std::string& lease,
                                              const std::string& error, clock::TimePoint retry_at, int max_attempts);

  // Fails the token now (a permanent error), counting the attempt.
  [[nodiscard]] bool fail(token::Stage stage, int64_t token_id, const std::string& lease, const std::string& error);

  // Gives the token back unfinished (shutdown): due again at once, no attempt counted. Rides out
  // a busy or unavailable database for a few seconds (kReleasePatience), then throws.
  [[nodiscard]] bool release(token::Stage stage, int64_t token_id, const std::string& lease);

  // Gives back every token this instance still holds in `stages` (the last step of a clean
  // shutdown, so no token waits for a lease to run out). Returns how many. Not for the reveal
  // stage: its tokens in an open transaction keep their lease until the journal settles them.
  size_t release_all_held(const std::vector<token::Stage>& stages);
  static constexpr std::chrono::milliseconds kReleasePatience{5000};

  // Gives the token back to wait until `retry_at` without counting an attempt, for troubles that
  // are not the token's (a provider's rate limit, the database gone mid-work); `reason` is kept
  // in generation_error so operators see why it waits.
  [[nodiscard]] bool postpone(token::Stage stage, int64_t token_id, const std::string& lease, clock::TimePoint retry_at,
                              const std::string& reason);

  // Sends a token of the ipfs stage back to the image stage (its image expired at the host),
  // counted as an image attempt; at `max_attempts` image attempts the token is failed instead.
  [[nodiscard]] bool send_back_for_new_image(int64_t token_id, const std::string& lease, const std::string& reason,
                                             int max_attempts);

  // The operator's retry (glisk retry, POST /api/admin/retry): failed tokens go back to the start of
  // the stage that failed them (image → detected, ipfs → uploading, reveal → ready; a failure
  // without a recorded stage counts as image, like the seed's reset), that stage's attempts and
  // the error reset, next_attempt_at cleared, an event per token (instance = `actor`), then the
  // stages are woken. Only `failed` tokens are touched: the guard is in every UPDATE. Chunks of
  // kRetryChunk tokens, one transaction each. `dry_run` reads and changes nothing.
  static constexpr size_t kRetryChunk = 500;
  RetryReport retry_failed(const RetrySelection& selection, bool dry_run, const std::string& actor,
                           const RetryProgress& progress = {});

  // The operator's cancel (glisk cancel, POST /api/admin/cancel): the tokens become failed for
  // good — cancelled_at set, `reason` (with `actor`) as their error and in their event, lease and
  // backoff dropped — and no retry takes them again. A token a stage holds is taken from it: the
  // stage's next move finds its lease gone and changes nothing (a provider call already on its way
  // finishes, its result unused). Left alone: revealed tokens, cancelled ones, and tokens in a
  // reveal transaction that may still mine (held by the reveal stage or listed in a pending
  // journal row) — the chain's word about those comes first. Chunks of kRetryChunk tokens.
  CancelReport cancel(const CancelSelection& selection, const std::string& reason, bool dry_run,
                      const std::string& actor, const RetryProgress& progress = {});

  // Tells the workers of `stage`, here and in other processes, that work may have arrived.
  void announce(token::Stage stage);

  // When the earliest not-yet-due token of the stage becomes due (backoff or lease expiry).
  std::optional<clock::TimePoint> next_due(token::Stage stage);

 private:
  std::string next_lease();
  // release() and postpone(): back to the stage's input, no attempt counted.
  bool give_back(token::Stage stage, int64_t token_id, const std::string& lease,
                 std::optional<clock::TimePoint> retry_at, const std::string& reason);
  void wake_after_commit(store::Transaction& tx, token::Stage stage);

  store::Database& db_;
  clock::Clock& clock_;
  const clock::SystemClock real_time_;  // the pace of riding out an outage (see the header)
  queue::WakeBoard& wake_;
  const std::string instance_;
  const std::chrono::milliseconds lease_;
  std::atomic<uint64_t> lease_counter_{0};
};

}  // namespace glisk::store
