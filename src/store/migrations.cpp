#include "store/migrations.hpp"

#include "clock/time_format.hpp"

namespace glisk::store {
namespace {

// Schemas are written once; render() turns the type words in braces into each dialect's:
//   {pk}  an auto-increment primary key    {int8} a 64-bit integer
//   {ts}  a timestamp: timestamptz on PostgreSQL, ISO-8601 text on SQLite (clock/time_format.hpp)
//   {now} the current time in that form    {wei} an unsigned 256-bit amount
// The tokens_s0 column names follow the seed so its psql recipes run unchanged.
constexpr std::string_view kInit = R"sql(
CREATE TABLE authors (
  id             {pk},
  wallet_address TEXT NOT NULL UNIQUE,
  prompt_text    TEXT,
  created_at     {ts} NOT NULL DEFAULT {now},
  updated_at     {ts} NOT NULL DEFAULT {now}
);
CREATE TABLE tokens_s0 (
  token_id            {int8} PRIMARY KEY,
  author_id           {int8} NOT NULL REFERENCES authors(id),
  minter_address      TEXT,
  status              TEXT NOT NULL DEFAULT 'detected'
                      CHECK (status IN ('detected','generating','uploading','ready','revealed','failed')),
  image_url           TEXT,
  image_cid           TEXT,
  metadata_cid        TEXT,
  reveal_tx_hash      TEXT,
  prediction_id       TEXT,
  generation_attempts INTEGER NOT NULL DEFAULT 0,
  upload_attempts     INTEGER NOT NULL DEFAULT 0,
  reveal_attempts     INTEGER NOT NULL DEFAULT 0,
  generation_error    TEXT,
  failed_stage        TEXT CHECK (failed_stage IN ('image','ipfs','reveal')),
  next_attempt_at     {ts},
  locked_by           TEXT,
  locked_until        {ts},
  queued_at           {ts} NOT NULL DEFAULT {now},
  created_at          {ts} NOT NULL DEFAULT {now},
  updated_at          {ts} NOT NULL DEFAULT {now}
);
CREATE INDEX tokens_s0_queue ON tokens_s0 (status, next_attempt_at);
CREATE INDEX tokens_s0_created ON tokens_s0 (created_at);
CREATE INDEX tokens_s0_author ON tokens_s0 (author_id);
CREATE TABLE mint_events (
  id              {pk},
  tx_hash         TEXT NOT NULL,
  log_index       INTEGER NOT NULL,
  block_number    {int8} NOT NULL,
  block_hash      TEXT,
  minter_address  TEXT NOT NULL,
  author_wallet   TEXT NOT NULL,
  start_token_id  {int8} NOT NULL,
  quantity        INTEGER NOT NULL,
  detected_at     {ts} NOT NULL DEFAULT {now},
  UNIQUE (tx_hash, log_index)
);
CREATE TABLE reveal_transactions (
  id                       {pk},
  tx_hash                  TEXT UNIQUE,
  token_ids                TEXT NOT NULL,
  nonce                    {int8},
  max_fee_per_gas          {wei},
  max_priority_fee_per_gas {wei},
  gas_limit                {int8},
  status                   TEXT NOT NULL DEFAULT 'pending'
                           CHECK (status IN ('pending','confirmed','failed','replaced')),
  block_number             {int8},
  gas_used                 {int8},
  error                    TEXT,
  created_at               {ts} NOT NULL DEFAULT {now},
  updated_at               {ts} NOT NULL DEFAULT {now}
);
CREATE TABLE system_state (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at {ts} NOT NULL DEFAULT {now}
);
)sql";

// Every transaction the keeper signs gets a row before it is broadcast. Rows of one sender and
// nonce are the attempts of one batch (the first and its fee-bumped replacements); which of them
// mined decides the outcome (store/reveal_journal.hpp).
constexpr std::string_view kRevealJournal = R"sql(
ALTER TABLE reveal_transactions ADD COLUMN sender TEXT;
ALTER TABLE reveal_transactions ADD COLUMN raw_tx TEXT;
ALTER TABLE reveal_transactions ADD COLUMN submitted_at {ts};
ALTER TABLE reveal_transactions ADD COLUMN confirmed_at {ts};
ALTER TABLE reveal_transactions ADD COLUMN effective_gas_price {wei};
CREATE INDEX reveal_transactions_open ON reveal_transactions (status, sender, nonce);
)sql";

// Tokens in, prompts in. mint_events keeps what the BatchMinted event paid; a signed prompt
// records its signed time on the author (an older signed message never overwrites a newer
// prompt) and its message digest in used_prompt_signatures, so a signature is accepted once
// across restarts and instances (the digest, not the signature bytes: the (r, n-s) twin of a
// signature recovers the same signer and must count as the same).
constexpr std::string_view kIntake = R"sql(
ALTER TABLE mint_events ADD COLUMN total_paid {wei};
CREATE INDEX mint_events_block ON mint_events (block_number);
ALTER TABLE authors ADD COLUMN prompt_signed_at {int8};
CREATE TABLE used_prompt_signatures (
  message_hash   TEXT PRIMARY KEY,
  signature_hash TEXT NOT NULL,
  wallet_address TEXT NOT NULL,
  signed_at      {int8} NOT NULL,
  used_at        {ts} NOT NULL DEFAULT {now}
);
)sql";

// Every state change of a token, written in the same transaction as the change (store/token_events.hpp):
// the story `glisk show` tells, and the throughput the dashboard draws. No foreign key: a row is
// written by the statement that moves the token, and keeping it cheap matters more than a check
// the writers already guarantee.
constexpr std::string_view kTokenEvents = R"sql(
CREATE TABLE token_events (
  id          {pk},
  token_id    {int8} NOT NULL,
  from_status TEXT,
  to_status   TEXT NOT NULL,
  at          {ts} NOT NULL,
  instance    TEXT,
  stage       TEXT,
  attempt     INTEGER,
  error       TEXT,
  tx_hash     TEXT
);
CREATE INDEX token_events_token ON token_events (token_id, at);
CREATE INDEX token_events_at ON token_events (at);
)sql";

// The claim's order as indexes (store/token_lifecycle.cpp): a claim, and the worker's "when is the
// next token due", read the first rows of them instead of sorting every token waiting, so they
// take milliseconds with a million tokens queued. Fresh tokens by queued_at, retried ones by
// next_attempt_at (this one replaces tokens_s0_queue, its prefix), expired leases by expiry.
constexpr std::string_view kQueueIndexes = R"sql(
CREATE INDEX tokens_s0_fresh ON tokens_s0 (status, queued_at, token_id) WHERE next_attempt_at IS NULL;
CREATE INDEX tokens_s0_retry ON tokens_s0 (status, next_attempt_at, token_id);
CREATE INDEX tokens_s0_leases ON tokens_s0 (status, locked_until);
DROP INDEX tokens_s0_queue;
)sql";

std::string render(std::string_view sql, Dialect dialect) {
  const bool pg = dialect == Dialect::kPostgres;
  const std::pair<std::string_view, std::string_view> words[] = {
      {"{pk}", pg ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT"},
      {"{int8}", pg ? "BIGINT" : "INTEGER"},
      {"{ts}", pg ? "TIMESTAMPTZ" : "TEXT"},
      {"{now}", pg ? "now()" : "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"},
      {"{wei}", pg ? "NUMERIC(78,0)" : "TEXT"},
  };
  std::string out(sql);
  for (const auto& [word, type] : words) {
    for (size_t at = out.find(word); at != std::string::npos; at = out.find(word, at + type.size())) {
      out.replace(at, word.size(), type);
    }
  }
  return out;
}

// What Replicate's webhook said of a finished prediction, kept until the token's holder (whoever
// it is by then) reads it: a delivery's retry has the same webhook id and changes nothing.
constexpr std::string_view kPredictionResults = R"sql(
CREATE TABLE prediction_results (
  prediction_id TEXT PRIMARY KEY,
  webhook_id    TEXT NOT NULL UNIQUE,
  status        TEXT NOT NULL CHECK (status IN ('succeeded', 'failed', 'canceled')),
  prediction    TEXT NOT NULL,
  received_at   {ts} NOT NULL
);
CREATE INDEX prediction_results_received ON prediction_results (received_at);
)sql";

constexpr std::string_view kCreateMigrationsTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at TEXT NOT NULL
))sql";

// An arbitrary constant that names "glisk migrations" among PostgreSQL advisory locks.
constexpr int64_t kMigrationLockKey = 7'426'001;

}  // namespace

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> kMigrations = {
      {1,
       "initial schema: authors, tokens_s0 with its work queue columns, mint_events, reveal_transactions, system_state",
       kInit},
      {2, "authors: X and Farcaster handles, shown in token metadata",
       "ALTER TABLE authors ADD COLUMN x_handle TEXT; ALTER TABLE authors ADD COLUMN farcaster_handle TEXT;"},
      {3,
       "reveal_transactions as the keeper's journal: sender, signed bytes (to send again unchanged), times, price paid",
       kRevealJournal},
      {4, "tokens in, prompts in: total paid per mint, signed prompts with their signing time, used prompt signatures",
       kIntake},
      {5, "token_events: every state change of a token with its time, instance, stage, attempt and error",
       kTokenEvents},
      {6, "the work queue's claim order as an index (no sort of the due set), and leases by expiry", kQueueIndexes},
      {7, "tokens_s0.prompt_refused_at: the model refused the author's prompt, so no attempt sends it again",
       "ALTER TABLE tokens_s0 ADD COLUMN prompt_refused_at {ts};"},
      {8, "prediction_results: finished predictions as Replicate's webhook delivered them, once per webhook id",
       kPredictionResults},
      {9, "tokens_s0.predictions_created: the paid predictions started for each token (what its image cost)",
       "ALTER TABLE tokens_s0 ADD COLUMN predictions_created INTEGER NOT NULL DEFAULT 0;"},
      {10, "tokens_s0.cancelled_at: an operator cancelled the token (failed for good: no retry sends it again)",
       "ALTER TABLE tokens_s0 ADD COLUMN cancelled_at {ts};"},
      {11, "indexes for the dashboard's search by reveal transaction and by CID (no scan of every token)",
       "CREATE INDEX tokens_s0_reveal_tx ON tokens_s0 (reveal_tx_hash); "
       "CREATE INDEX tokens_s0_image_cid ON tokens_s0 (image_cid); "
       "CREATE INDEX tokens_s0_metadata_cid ON tokens_s0 (metadata_cid);"},
  };
  return kMigrations;
}

std::vector<int> migrate(Database& db, clock::TimePoint now) {
  std::vector<int> applied;
  for (const auto& m : migrations()) {
    bool done = in_transaction(db, TxMode::kWrite, [&](Transaction& tx) {
      if (db.dialect() == Dialect::kPostgres) {
        tx.exec("SELECT pg_advisory_xact_lock($1)", {kMigrationLockKey});
      }
      tx.exec(kCreateMigrationsTable);
      auto found = tx.exec("SELECT 1 FROM schema_migrations WHERE version = $1", {int64_t{m.version}});
      if (!found.rows.empty()) return false;
      tx.exec(render(m.sql, db.dialect()));
      tx.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
              {int64_t{m.version}, std::string(m.name), clock::format_time(now)});
      return true;
    });
    if (done) applied.push_back(m.version);
  }
  return applied;
}

int schema_version(Database& db) {
  return in_transaction(db, TxMode::kRead, [&](Transaction& tx) {
    auto exists = tx.exec(db.dialect() == Dialect::kPostgres
                              ? "SELECT 1 FROM information_schema.tables WHERE table_name = 'schema_migrations' "
                                "AND table_schema = current_schema()"
                              : "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
    if (exists.empty()) return 0;
    auto r = tx.exec("SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations");
    return r.row(0).get<int>("version");
  });
}

void require_current_schema(Database& db) {
  const int found = schema_version(db);
  const int wanted = migrations().back().version;
  if (found == wanted) return;
  if (found == 0) {
    throw QueryError(db.describe() +
                     " holds no glisk schema: run `glisk migrate` (or start `glisk serve`) first, "
                     "or check DATABASE_URL");
  }
  if (found < wanted) {
    throw QueryError(db.describe() + " has schema version " + std::to_string(found) + "; this glisk needs " +
                     std::to_string(wanted) + ": run `glisk migrate` (or restart `glisk serve`, which migrates)");
  }
  throw QueryError(db.describe() + " has schema version " + std::to_string(found) + ", newer than this glisk's " +
                   std::to_string(wanted) + ": use the glisk that wrote it");
}

}  // namespace glisk::store
