#include "store/migrations.hpp"

#include "clock/time_format.hpp"

namespace glisk::store {
namespace {

// Timestamps are timestamptz on PostgreSQL and ISO-8601 text on SQLite (clock/time_format.hpp).
// The tokens_s0 column names follow the seed so its psql recipes run unchanged.
constexpr std::string_view kInitSqlite = R"sql(
CREATE TABLE authors (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  wallet_address TEXT NOT NULL UNIQUE,
  prompt_text    TEXT,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL
);
CREATE TABLE tokens_s0 (
  token_id            INTEGER PRIMARY KEY,
  author_id           INTEGER NOT NULL REFERENCES authors(id),
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
  next_attempt_at     TEXT,
  locked_by           TEXT,
  locked_until        TEXT,
  queued_at           TEXT NOT NULL,
  created_at          TEXT NOT NULL,
  updated_at          TEXT NOT NULL
);
CREATE INDEX tokens_s0_queue ON tokens_s0 (status, next_attempt_at);
CREATE INDEX tokens_s0_created ON tokens_s0 (created_at);
CREATE INDEX tokens_s0_author ON tokens_s0 (author_id);
CREATE TABLE mint_events (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  tx_hash         TEXT NOT NULL,
  log_index       INTEGER NOT NULL,
  block_number    INTEGER NOT NULL,
  block_hash      TEXT,
  minter_address  TEXT NOT NULL,
  author_wallet   TEXT NOT NULL,
  start_token_id  INTEGER NOT NULL,
  quantity        INTEGER NOT NULL,
  detected_at     TEXT NOT NULL,
  UNIQUE (tx_hash, log_index)
);
CREATE TABLE reveal_transactions (
  id                       INTEGER PRIMARY KEY AUTOINCREMENT,
  tx_hash                  TEXT UNIQUE,
  token_ids                TEXT NOT NULL,
  nonce                    INTEGER,
  max_fee_per_gas          TEXT,
  max_priority_fee_per_gas TEXT,
  gas_limit                INTEGER,
  status                   TEXT NOT NULL DEFAULT 'pending'
                           CHECK (status IN ('pending','confirmed','failed','replaced')),
  block_number             INTEGER,
  gas_used                 INTEGER,
  error                    TEXT,
  created_at               TEXT NOT NULL,
  updated_at               TEXT NOT NULL
);
CREATE TABLE system_state (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
)sql";

constexpr std::string_view kInitPostgres = R"sql(
CREATE TABLE authors (
  id             BIGSERIAL PRIMARY KEY,
  wallet_address TEXT NOT NULL UNIQUE,
  prompt_text    TEXT,
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE tokens_s0 (
  token_id            BIGINT PRIMARY KEY,
  author_id           BIGINT NOT NULL REFERENCES authors(id),
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
  next_attempt_at     TIMESTAMPTZ,
  locked_by           TEXT,
  locked_until        TIMESTAMPTZ,
  queued_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX tokens_s0_queue ON tokens_s0 (status, next_attempt_at);
CREATE INDEX tokens_s0_created ON tokens_s0 (created_at);
CREATE INDEX tokens_s0_author ON tokens_s0 (author_id);
CREATE TABLE mint_events (
  id              BIGSERIAL PRIMARY KEY,
  tx_hash         TEXT NOT NULL,
  log_index       INTEGER NOT NULL,
  block_number    BIGINT NOT NULL,
  block_hash      TEXT,
  minter_address  TEXT NOT NULL,
  author_wallet   TEXT NOT NULL,
  start_token_id  BIGINT NOT NULL,
  quantity        INTEGER NOT NULL,
  detected_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (tx_hash, log_index)
);
CREATE TABLE reveal_transactions (
  id                       BIGSERIAL PRIMARY KEY,
  tx_hash                  TEXT UNIQUE,
  token_ids                TEXT NOT NULL,
  nonce                    BIGINT,
  max_fee_per_gas          NUMERIC(78,0),
  max_priority_fee_per_gas NUMERIC(78,0),
  gas_limit                BIGINT,
  status                   TEXT NOT NULL DEFAULT 'pending'
                           CHECK (status IN ('pending','confirmed','failed','replaced')),
  block_number             BIGINT,
  gas_used                 BIGINT,
  error                    TEXT,
  created_at               TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at               TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE system_state (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
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
      {1, "initial schema: authors, tokens_s0 with its work queue columns, mint_events, reveal_transactions, system_state",
       kInitSqlite, kInitPostgres},
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
      tx.exec(db.dialect() == Dialect::kPostgres ? m.postgres_sql : m.sqlite_sql);
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
    if (exists.rows.empty()) return 0;
    auto r = tx.exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    return std::stoi(r.rows.at(0).at(0).value_or("0"));
  });
}

}  // namespace glisk::store
