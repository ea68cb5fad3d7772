#include "store/detail/postgres_database.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <charconv>
#include <cstring>
#include <unordered_map>

#include "log/redaction.hpp"

namespace glisk::store {
namespace detail {

class PgConnection {
 public:
  PgConnection(const std::string& uri, Access access) {
    // Our defaults come first so that the URI's own parameters win over them.
    const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* values[] = {"5", "glisk", uri.c_str(), nullptr};
    conn_ = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
      std::string message = conn_ != nullptr ? PQerrorMessage(conn_) : "out of memory";
      PQfinish(conn_);
      conn_ = nullptr;
      while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
      // libpq's message may quote the URI whole (a malformed one) or the part it could not read
      // (a password with a bad %-escape): the whole message is masked, not only our part.
      throw ConnectionError(log::mask_url_secrets("cannot connect to PostgreSQL at " + log::redact_url(uri) + ": " +
                                                      message + " (check DATABASE_URL and that the server is up)",
                                                  uri));
    }
    // Server NOTICEs ("relation already exists, skipping") would go to stderr unstructured.
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
    exec("SET TIME ZONE 'UTC'", {});
    if (access == Access::kReadOnly) exec("SET default_transaction_read_only = on", {});
  }
  ~PgConnection() { PQfinish(conn_); }
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  bool broken() const { return PQstatus(conn_) != CONNECTION_OK; }
  PGconn* raw() { return conn_; }

  Result exec(std::string_view sql, const Params& params) {
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      std::visit(
          [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, int64_t>) texts[i] = std::to_string(v);
            if constexpr (std::is_same_v<T, double>) {
              char buf[64];
              auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
              texts[i].assign(buf, end);
            }
            if constexpr (std::is_same_v<T, std::string>) texts[i] = v;
            if constexpr (!std::is_same_v<T, std::nullptr_t>) values[i] = texts[i].c_str();
          },
          params[i]);
    }
    std::string statement(sql);
    const std::string* prepared = params.empty() ? nullptr : prepared_name(statement, values.size());
    PGresult* res = params.empty() ? PQexec(conn_, statement.c_str())
                    : prepared     ? PQexecPrepared(conn_, prepared->c_str(), static_cast<int>(params.size()),
                                                    values.data(), nullptr, nullptr, 0)
                                   : PQexecParams(conn_, statement.c_str(), static_cast<int>(params.size()), nullptr,
                                                  values.data(), nullptr, nullptr, 0);
    std::unique_ptr<PGresult, decltype(&PQclear)> guard(res, &PQclear);
    ExecStatusType status = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      // A statement that failed is prepared afresh next time: a schema change can leave its
      // cached plan unusable ("cached plan must not change result type"), and DISCARD ALL or a
      // pooler may have dropped it.
      const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
      if (prepared && state != nullptr && (std::strcmp(state, "0A000") == 0 || std::strcmp(state, "26000") == 0)) {
        prepared_.erase(statement);
      }
      throw_error(res);
    }

    Result result;
    int ncol = PQnfields(res);
    int nrow = PQntuples(res);
    for (int c = 0; c < ncol; ++c) result.columns.emplace_back(PQfname(res, c));
    result.rows.reserve(static_cast<size_t>(nrow));
    for (int r = 0; r < nrow; ++r) {
      auto& row = result.rows.emplace_back();
      row.reserve(static_cast<size_t>(ncol));
      for (int c = 0; c < ncol; ++c) {
        if (PQgetisnull(res, r, c)) {
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(std::string(PQgetvalue(res, r, c), static_cast<size_t>(PQgetlength(res, r, c))));
        }
      }
    }
    const char* tuples = PQcmdTuples(res);
    result.affected = (tuples != nullptr && *tuples != '\0') ? std::stoll(tuples) : 0;
    return result;
  }

 private:
  // Statements with parameters are prepared once per connection and then only bound and run:
  // the pipeline's handful of statements ran ~4,000 times a second in the benchmark, and parsing
  // and planning each anew cost PostgreSQL as much CPU as running it (docs/PERFORMANCE.md).
  // Prepared statements live outside transactions (a ROLLBACK keeps them) and die with the
  // connection. Past kMaxPrepared distinct texts (statements built with literals) the rest run
  // unprepared, so the server's memory per connection stays bounded.
  static constexpr size_t kMaxPrepared = 256;

  const std::string* prepared_name(const std::string& statement, size_t n_params) {
    if (auto it = prepared_.find(statement); it != prepared_.end()) return &it->second;
    if (prepared_.size() >= kMaxPrepared) return nullptr;
    std::string name = "glisk_" + std::to_string(++prepared_count_);
    PGresult* res = PQprepare(conn_, name.c_str(), statement.c_str(), static_cast<int>(n_params), nullptr);
    std::unique_ptr<PGresult, decltype(&PQclear)> guard(res, &PQclear);
    if (res == nullptr || PQresultStatus(res) != PGRES_COMMAND_OK) throw_error(res);
    return &prepared_.emplace(statement, std::move(name)).first->second;
  }

  [[noreturn]] void throw_error(PGresult* res) {
    std::string message = res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn_);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    std::string sqlstate = state != nullptr ? state : "";
    if (broken() || sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03") {
      throw ConnectionError("PostgreSQL connection lost: " + message +
                            " (the server restarted or is unreachable; retrying)");
    }
    if (sqlstate == "53100") {
      throw DiskFullError("PostgreSQL: " + message +
                          " (the server's disk is full: free space on it; writes resume by themselves)");
    }
    if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03") throw BusyError("PostgreSQL: " + message);
    if (sqlstate.starts_with("23")) throw ConstraintError("PostgreSQL: " + message);
    throw QueryError("PostgreSQL [" + sqlstate + "]: " + message);
  }

  PGconn* conn_ = nullptr;
  std::unordered_map<std::string, std::string> prepared_;  // statement text → server-side name
  uint64_t prepared_count_ = 0;
};

}  // namespace detail

namespace {

// Write transactions are BEGIN … COMMIT. Read "transactions" run each statement on its own
// (autocommit): at READ COMMITTED, PostgreSQL's default, every statement takes its own snapshot
// even inside BEGIN, so the BEGIN READ ONLY and COMMIT round trips bought nothing — and a token's
// author lookup paid three round trips instead of one. A read on a pooled connection that died
// while idle (a server restart) is tried again on another: it changed nothing.
class PgTransaction final : public Transaction {
 public:
  PgTransaction(PostgresDatabase::Pool& pool, std::unique_ptr<detail::PgConnection> conn, TxMode mode, bool reused)
      : pool_(pool), conn_(std::move(conn)), autocommit_(mode == TxMode::kRead), reused_(reused) {
    if (autocommit_) return;
    try {
      run("BEGIN");
    } catch (...) {
      if (conn_) pool_.give_back(nullptr);  // the destructor does not run for a failed constructor
      throw;
    }
  }
  ~PgTransaction() override {
    if (!conn_) return;
    try {
      if (!autocommit_) conn_->exec("ROLLBACK", {});
      finish();
    } catch (...) {
      pool_.give_back(nullptr);
      conn_.reset();
    }
  }
  Result exec(std::string_view sql, const Params& params) override { return run(sql, params); }
  void commit() override {
    if (!autocommit_) run("COMMIT");
    if (!conn_) throw QueryError("transaction already finished");
    finish();
  }

 private:
  Result run(std::string_view sql, const Params& params = {}) {
    for (;;) {
      if (!conn_) throw QueryError("transaction already finished");
      try {
        return conn_->exec(sql, params);
      } catch (const ConnectionError&) {
        conn_.reset();  // a broken connection never returns to the pool
        pool_.give_back(nullptr);
        if (!autocommit_ || !reused_) throw;  // a fresh connection failed: the server is really unreachable
        conn_ = pool_.take(&reused_);
      }
    }
  }
  void finish() {
    if (conn_->broken()) {
      conn_.reset();
      pool_.give_back(nullptr);
    } else {
      pool_.give_back(std::move(conn_));
    }
  }

  PostgresDatabase::Pool& pool_;
  std::unique_ptr<detail::PgConnection> conn_;
  const bool autocommit_;
  bool reused_;
};

std::string quoted_identifier(PGconn* conn, std::string_view name) {
  char* quoted = PQescapeIdentifier(conn, name.data(), name.size());
  if (quoted == nullptr) throw QueryError("invalid channel name");
  std::string out(quoted);
  PQfreemem(quoted);
  return out;
}

class PgSubscription final : public Subscription {
 public:
  PgSubscription(const std::string& uri, std::string_view channel) : conn_(uri, Access::kReadWrite) {
    conn_.exec("LISTEN " + quoted_identifier(conn_.raw(), channel), {});
  }

  std::vector<std::string> wait(std::chrono::milliseconds timeout) override {
    std::vector<std::string> payloads = drain();
    if (!payloads.empty()) return payloads;
    pollfd fd{PQsocket(conn_.raw()), POLLIN, 0};
    if (fd.fd < 0) throw ConnectionError("PostgreSQL notification connection lost");
    int ready = ::poll(&fd, 1, static_cast<int>(timeout.count()));
    if (ready < 0 && errno != EINTR) throw ConnectionError(std::string("poll failed: ") + std::strerror(errno));
    if (ready > 0 && PQconsumeInput(conn_.raw()) == 0) {
      throw ConnectionError(std::string("PostgreSQL notification connection lost: ") + PQerrorMessage(conn_.raw()));
    }
    return drain();
  }

 private:
  std::vector<std::string> drain() {
    std::vector<std::string> payloads;
    while (PGnotify* n = PQnotifies(conn_.raw())) {
      payloads.emplace_back(n->extra != nullptr ? n->extra : "");
      PQfreemem(n);
    }
    return payloads;
  }

  detail::PgConnection conn_;
};

}  // namespace

PostgresDatabase::PostgresDatabase(std::string uri, int pool_size, Access access)
    : uri_(std::move(uri)),
      access_(access),
      pool_(static_cast<size_t>(pool_size), [this] { return std::make_unique<detail::PgConnection>(uri_, access_); }) {}

PostgresDatabase::~PostgresDatabase() = default;

std::unique_ptr<Transaction> PostgresDatabase::begin(TxMode mode) {
  // A pooled connection may have died while idle: a server restart closes every connection and
  // libpq notices only at the next use. Nothing has run on it yet, so a BEGIN lost that way is
  // tried again on another connection (at worst a fresh one) instead of failing the caller's work.
  for (;;) {
    bool reused = false;
    auto conn = pool_.take(&reused);
    try {
      return std::make_unique<PgTransaction>(pool_, std::move(conn), mode, reused);
    } catch (const ConnectionError&) {
      if (!reused) throw;  // a fresh connection failed: the server is really unreachable
    }
  }
}

void PostgresDatabase::notify_on_commit(Transaction& tx, std::string_view channel, std::string_view payload) {
  tx.exec("SELECT pg_notify($1, $2)", {std::string(channel), std::string(payload)});
}

std::unique_ptr<Subscription> PostgresDatabase::subscribe(std::string_view channel) {
  return std::make_unique<PgSubscription>(uri_, channel);
}

std::string PostgresDatabase::describe() const { return log::redact_url(uri_); }

}  // namespace glisk::store
